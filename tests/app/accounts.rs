//! Logins, lockout, sessions, CSRF, the three admins, roles and tokens.

use crate::fixtures::{self, PASSWORD, county};
use crate::helpers::{TestApp, bearer};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use yinyao::accounts::model::{PlatformRole, UnitRole};
use yinyao::ids::UnitId;

#[tokio::test]
async fn five_failures_lock_the_account_for_thirty_minutes_with_one_message() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    fixtures::account(&app, "wangli", Some(c.town_a), Some(UnitRole::Staff)).await;
    let mut cl = app.client();
    cl.get("/login").await;
    let unknown = cl
        .post("/login", &[("login", "nobody"), ("password", "x")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let msg = "用户名或密码不正确，或账户已被暂时锁定";
    assert!(unknown.body.contains(msg));
    for _ in 0..5 {
        let r = cl
            .post(
                "/login",
                &[("login", "wangli"), ("password", "Wrong-pass-1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(
            r.body.contains(msg),
            "same message whether or not the account exists"
        );
    }
    let r = cl
        .post("/login", &[("login", "wangli"), ("password", PASSWORD)])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the right password is refused while locked"
    );
    assert!(r.body.contains(msg));
    assert!(!cl.cookies.contains_key("yy_sid"));

    let mut tx = app.db().read().await.unwrap();
    let a = yinyao::accounts::service::find_by_login(&mut tx, "wangli", &[])
        .await
        .unwrap()
        .unwrap();
    let until = a.locked_until.expect("locked");
    let minutes = (until - chrono::Utc::now()).num_minutes();
    assert!(
        (28..=30).contains(&minutes),
        "locked for 30 minutes, got {minutes}"
    );
    let f = yinyao::audit::Filter {
        action: Some("login.lockout".into()),
        ..Default::default()
    };
    assert_eq!(yinyao::audit::count(&mut tx, &f).await.unwrap(), 1);
    drop(tx);

    // The lock lives in the database, so it holds on any node; when it expires, login works.
    app.exec("UPDATE accounts SET locked_until = NULL")
        .await
        .unwrap();
    cl.login("wangli", PASSWORD).await;
}

#[tokio::test]
async fn per_address_limit_refuses_further_attempts() {
    let app = TestApp::new().await;
    let mut cl = app.client();
    cl.get("/login").await;
    for i in 0..20 {
        let r = cl
            .post(
                "/login",
                &[("login", &format!("ghost{i}")), ("password", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = cl
        .post("/login", &[("login", "ghost"), ("password", "x")])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn idle_sessions_end_and_logout_kills_the_session_on_the_server() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut cl = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    assert_eq!(cl.get("/").await.status, StatusCode::OK);
    let home = cl.get("/").await;
    assert!(
        home.body.contains("data-idle-seconds=\"1800\""),
        "staff idle timeout is 30 minutes"
    );

    app.exec(if app.is_postgres() {
        "UPDATE sessions SET last_seen_at = last_seen_at - INTERVAL '31 minutes'"
    } else {
        "UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-31 minutes')"
    })
    .await
    .unwrap();
    let r = cl.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?expired=1");
    let mut tx = app.db().read().await.unwrap();
    let n: i64 = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(c).await).unwrap();
    assert_eq!(n, 0, "the expired session is deleted");
    drop(tx);

    // Log in again, keep the cookie, log out, and replay the old cookie.
    cl.login("staff_a", PASSWORD).await;
    let old = cl.cookies.get("yy_sid").cloned().unwrap();
    let r = cl.post("/logout", &[]).await;
    assert_eq!(r.location(), "/login?logged_out=1");
    cl.cookies.insert("yy_sid".into(), old);
    assert_eq!(cl.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn session_id_is_rotated_at_login() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut cl = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let first = cl.cookies.get("yy_sid").cloned().unwrap();
    assert_eq!(first.len(), 32, "128-bit session id");
    cl.login("staff_a", PASSWORD).await;
    let second = cl.cookies.get("yy_sid").cloned().unwrap();
    assert_ne!(first, second);
    let mut replay = app.client();
    replay.cookies.insert("yy_sid".into(), first);
    assert_eq!(
        replay.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the old id is dead"
    );
    // The database never holds the id itself.
    let mut tx = app.db().read().await.unwrap();
    let stored: Vec<String> = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT id_hash FROM sessions").fetch_all(c).await).unwrap();
    assert!(!stored.contains(&second));
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let form = format!(
        "csrf={}&parent_id={}&name=evil&kind=town",
        admin.csrf, c.county
    );
    let attempts = [
        ("sec-fetch-site", "cross-site", true),
        ("origin", "http://evil.example", true),
        ("sec-fetch-site", "same-origin", false),
    ];
    for (h, v, with_token) in attempts {
        let body = if with_token {
            form.clone()
        } else {
            form.replace(&admin.csrf, "0000")
        };
        let req = admin
            .request("POST", "/units")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(h, v)
            .body(Body::from(body))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{h}: {v}");
    }
    let r = admin
        .json(
            "POST",
            "/api/v1/units",
            json!({ "parent_id": c.county, "name": "evil", "kind": "town" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the same request with the session's token works"
    );
    let mut tx = app.db().read().await.unwrap();
    let n: i64 = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE name = 'evil'").fetch_one(c).await).unwrap();
    assert_eq!(n, 1, "only the legitimate request wrote");
}

#[tokio::test]
async fn the_three_admins_are_separated() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let target = fixtures::account(&app, "clerk", Some(c.town_a), None).await;

    let mut sys = fixtures::admin_client(&app, "sys", PlatformRole::System).await;
    assert_eq!(sys.get("/units").await.status, StatusCode::OK);
    let r = sys
        .post(
            "/units",
            &[
                ("parent_id", &c.county.to_string()),
                ("name", "新镇"),
                ("kind", "town"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "system admin manages units"
    );
    assert_eq!(
        sys.get("/audit").await.status,
        StatusCode::FORBIDDEN,
        "system admin cannot read the audit trail"
    );
    let r = sys
        .post(
            &format!("/accounts/{}/grants", target.0),
            &[("unit_id", &c.town_a.to_string()), ("role", "staff")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "system admin cannot grant roles"
    );
    assert_eq!(
        sys.post("/tokens", &[("name", "x")]).await.status,
        StatusCode::FORBIDDEN,
        "no tokens that bypass TOTP"
    );

    let mut sec = fixtures::admin_client(&app, "sec", PlatformRole::Security).await;
    let r = sec
        .post(
            &format!("/accounts/{}/grants", target.0),
            &[("unit_id", &c.town_a.to_string()), ("role", "staff")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "security admin grants roles: {}",
        r.body
    );
    assert_eq!(sec.get("/audit").await.status, StatusCode::FORBIDDEN);
    // A unit not chosen is a field error in the user's language, not a lookup of unit 0.
    for unit in ["", "0", "杨柳村"] {
        let r = sec
            .post(
                &format!("/accounts/{}/grants", target.0),
                &[("unit_id", unit), ("role", "staff")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{unit:?}");
        assert!(r.body.contains("请从列表中选择"), "{}", r.body);
    }
    let r = sec
        .post(
            "/units",
            &[
                ("parent_id", &c.county.to_string()),
                ("name", "x"),
                ("kind", "town"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "security admin does not manage units"
    );
    let admins: Vec<i64> = {
        let mut tx = app.db().read().await.unwrap();
        yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT id FROM accounts WHERE platform_role IS NOT NULL").fetch_all(c).await).unwrap()
    };
    let r = sec
        .post(
            &format!("/accounts/{}/grants", admins[0]),
            &[("unit_id", &c.town_a.to_string()), ("role", "staff")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "platform accounts hold no unit roles"
    );

    let mut aud = fixtures::admin_client(&app, "aud", PlatformRole::Audit).await;
    assert_eq!(aud.get("/units").await.status, StatusCode::FORBIDDEN);
    assert_eq!(aud.get("/accounts").await.status, StatusCode::FORBIDDEN);
    let r = aud.get("/audit?action=role.grant").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.element_text("audit-total").as_deref(), Some("1"));
    let csv = aud.get("/audit/export.csv?action=login").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("login.ok") && csv.body.contains("login.password_ok"),
        "{}",
        csv.body
    );
    assert!(
        !csv.body.contains(PASSWORD),
        "never a password in the trail"
    );

    // One column holds the platform role: two roles on one account cannot be stored.
    let both = app
        .exec("UPDATE accounts SET platform_role = 'system,audit' WHERE username = 'sec'")
        .await;
    assert!(both.is_err(), "the database refuses a second platform role");
}

#[tokio::test]
async fn platform_admins_need_totp_and_a_new_password_at_first_login() {
    let app = TestApp::new().await;
    fixtures::platform_admin(&app, "sys", PlatformRole::System, true).await;
    let mut cl = app.client();
    cl.get("/login").await;
    let r = cl
        .post("/login", &[("login", "sys"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.location(), "/login/totp");
    // Nothing else is reachable before the code.
    let r = cl.get("/units").await;
    assert_eq!(r.location(), "/login/totp");
    let page = cl.get("/login/totp").await;
    assert!(
        page.body.contains("data-idle-seconds=\"900\""),
        "admins idle out after 15 minutes"
    );
    let secret = page.element_text("totp-secret").unwrap();
    let r = cl.post("/login/totp", &[("code", "000000")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = cl
        .post("/login/totp", &[("code", &fixtures::totp_code(&secret))])
        .await;
    assert_eq!(r.location(), "/account/password");
    assert_eq!(cl.get("/").await.location(), "/account/password");
    cl.get("/account/password").await;
    let r = cl
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("至少 8 位"));
    let r = cl
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "Quiet-river-77"),
                ("confirm", "Quiet-river-77"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(cl.get("/").await.status, StatusCode::OK);
    // The enrolled secret is never shown again.
    let mut again = app.client();
    again.get("/login").await;
    again
        .post(
            "/login",
            &[("login", "sys"), ("password", "Quiet-river-77")],
        )
        .await;
    assert!(
        again
            .get("/login/totp")
            .await
            .element_text("totp-secret")
            .is_none()
    );
}

#[tokio::test]
async fn unit_admin_creates_accounts_and_grants_roles_in_subtree_only() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    let r = admin
        .post(
            "/accounts",
            &[
                ("username", "LiMing"),
                ("display_name", "李明"),
                ("phone", "139 0000 1111"),
                ("unit_id", &c.village_a.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let otp = r.element_text("one-time-password").unwrap();
    assert_eq!(r.element_text("new-username").as_deref(), Some("liming"));

    let r = admin
        .post(
            "/accounts",
            &[
                ("username", "liming"),
                ("display_name", "李明"),
                ("unit_id", &c.village_a.to_string()),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate user name"
    );
    let r = admin
        .post(
            "/accounts",
            &[
                ("username", "zhao"),
                ("display_name", "赵"),
                ("unit_id", &c.village_b.to_string()),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "cannot create accounts in a sibling town"
    );
    let r = admin
        .post(
            "/accounts",
            &[
                ("username", "zhao"),
                ("display_name", "赵"),
                ("phone", "12345"),
                ("unit_id", &c.village_a.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("11 位"));

    // The new person logs in by mobile number with the one-time password and must change it.
    let mut li = app.client();
    li.get("/login").await;
    let r = li
        .post("/login", &[("login", "13900001111"), ("password", &otp)])
        .await;
    assert_eq!(r.location(), "/account/password");
    // The mobile is stored encrypted, found by its blind index, and shown only masked.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE phone IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.text("SELECT phone_mask FROM accounts WHERE username = 'liming'")
            .await,
        "139****1111"
    );
    let enc = app
        .text("SELECT phone_enc FROM accounts WHERE username = 'liming'")
        .await;
    assert!(!enc.contains("13900001111") && !enc.is_empty());
    let mut stranger = app.client();
    stranger.get("/login").await;
    stranger
        .post(
            "/login",
            &[("login", "13900009999"), ("password", "wrong-password-1")],
        )
        .await;
    let audited = app
        .text("SELECT COALESCE(MAX(target), '') FROM audit_log WHERE target LIKE 'login:139%'")
        .await;
    assert_eq!(audited, "login:139****9999", "the login's target is masked");

    let id: i64 = {
        let mut tx = app.db().read().await.unwrap();
        yinyao::accounts::service::find_by_login(&mut tx, "liming", &[])
            .await
            .unwrap()
            .unwrap()
            .id
            .0
    };
    let r = admin
        .post(
            &format!("/accounts/{id}/grants"),
            &[
                ("unit_id", &c.village_a.to_string()),
                ("role", "correspondent"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = admin
        .post(
            &format!("/accounts/{id}/grants"),
            &[("unit_id", &c.village_b.to_string()), ("role", "staff")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "cannot grant at a sibling town's unit"
    );
    let r = admin
        .post(
            &format!("/accounts/{id}/grants"),
            &[
                ("unit_id", &c.village_a.to_string()),
                ("role", "correspondent"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let grants = admin
        .json("GET", &format!("/api/v1/accounts/{id}/grants"), json!(null))
        .await
        .json();
    assert_eq!(grants.as_array().unwrap().len(), 1);
    let gid = grants[0]["id"].as_i64().unwrap();
    let r = admin.post(&format!("/grants/{gid}/revoke"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let grants = admin
        .json("GET", &format!("/api/v1/accounts/{id}/grants"), json!(null))
        .await
        .json();
    assert!(grants.as_array().unwrap().is_empty());

    let mut tx = app.db().read().await.unwrap();
    for action in ["account.create", "role.grant", "role.revoke"] {
        let f = yinyao::audit::Filter {
            action: Some(action.into()),
            ..Default::default()
        };
        assert!(
            yinyao::audit::count(&mut tx, &f).await.unwrap() >= 1,
            "{action} audited"
        );
    }
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_hashed_and_revocable() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff
        .json(
            "POST",
            "/api/v1/tokens",
            json!({ "name": "nightly export" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let token = r.json()["token"].as_str().unwrap().to_string();
    let id = r.json()["id"].as_i64().unwrap();
    let me = bearer(&app, "GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "staff_a");
    // Scoped to the user's rights: a staff token cannot create units.
    let r = bearer(
        &app,
        "POST",
        "/api/v1/units",
        &token,
        Some(json!({ "parent_id": c.town_a, "name": "x", "kind": "village" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let listed = staff.json("GET", "/api/v1/tokens", json!(null)).await;
    assert!(
        !listed.body.contains(&token),
        "the secret is never listed again"
    );
    let mut tx = app.db().read().await.unwrap();
    let stored: Vec<String> = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_all(c).await).unwrap();
    assert!(!stored.contains(&token));
    drop(tx);
    let r = staff
        .json("DELETE", &format!("/api/v1/tokens/{id}"), json!(null))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let me = bearer(&app, "GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let me = bearer(&app, "GET", "/api/v1/me", "yy_forged", None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn language_and_large_type_switches_are_remembered_on_the_account() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut cl = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let home = cl.get("/").await;
    assert!(home.body.contains("<html lang=\"zh-Hans\">") && home.body.contains("范围内单位"));
    cl.post("/prefs", &[("large", "1")]).await;
    cl.post("/prefs", &[("locale", "en")]).await;
    let mut fresh = app.client();
    fresh.login("staff_a", PASSWORD).await;
    let home = fresh.get("/").await;
    assert!(
        home.body.contains("<html lang=\"en\" class=\"large\">"),
        "{}",
        &home.body[..200]
    );
    assert!(home.body.contains("Units in scope"));
    let r = fresh.post("/prefs", &[("locale", "fr")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn anonymous_requests_are_sent_to_login_or_refused() {
    let app = TestApp::new().await;
    let r = app
        .send(
            Request::get("/units")
                .header("host", "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2Funits");
    let r = app
        .send(
            Request::get("/api/v1/units")
                .header("host", "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "unauthorized");
    let mut cl = app.client();
    let r = cl
        .post(
            "/login",
            &[
                ("login", "x"),
                ("password", "y"),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.body.contains("value=\"/\""),
        "an off-site next is replaced by /"
    );
}

#[tokio::test]
async fn an_expired_password_must_be_changed_before_going_on() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    fixtures::account(&app, "old_timer", Some(c.town_a), Some(UnitRole::Staff)).await;
    app.exec(if app.is_postgres() {
        "UPDATE accounts SET password_changed_at = password_changed_at - INTERVAL '91 days'"
    } else {
        "UPDATE accounts SET password_changed_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-91 days')"
    })
    .await
    .unwrap();
    let mut cl = app.client();
    cl.get("/login").await;
    let r = cl
        .post("/login", &[("login", "old_timer"), ("password", PASSWORD)])
        .await;
    assert_eq!(
        r.location(),
        "/account/password",
        "90-day expiry forces a change"
    );
    assert_eq!(cl.get("/units").await.location(), "/account/password");
    cl.get("/account/password").await;
    let r = cl
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "New-season-88"),
                ("confirm", "New-season-88"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(cl.get("/units").await.status, StatusCode::OK);
}

#[tokio::test]
async fn totp_guessing_ends_in_a_lockout_even_across_fresh_password_logins() {
    let app = TestApp::new().await;
    fixtures::platform_admin(&app, "sys", PlatformRole::System, false).await;
    let mut cl = app.client();
    cl.get("/login").await;
    for round in 0..2 {
        let r = cl
            .post("/login", &[("login", "sys"), ("password", PASSWORD)])
            .await;
        assert_eq!(r.location(), "/login/totp", "round {round}");
        cl.get("/login/totp").await;
        let tries = if round == 0 { 3 } else { 2 };
        for _ in 0..tries {
            cl.post("/login/totp", &[("code", "000000")]).await;
        }
    }
    // Five wrong codes in all, with a correct password in between: the account is locked,
    // and a right password is refused.
    cl.get("/login").await;
    let r = cl
        .post("/login", &[("login", "sys"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let mut tx = app.db().read().await.unwrap();
    let n: i64 = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(c).await).unwrap();
    assert_eq!(n, 0, "a lockout ends every pending session");
}

#[tokio::test]
async fn login_never_redirects_off_site() {
    for next in [
        "https://evil.example/",
        "//evil.example",
        "/\t/evil.example",
        "/\\evil.example",
        "/\r\nSet-Cookie: x=1",
    ] {
        assert_eq!(yinyao::web::render::safe_next(Some(next)), "/", "{next:?}");
    }
    assert_eq!(
        yinyao::web::render::safe_next(Some("/units/3?inactive=1")),
        "/units/3?inactive=1"
    );
}

#[tokio::test]
async fn no_one_takes_over_an_account_with_more_power() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    // The security admin made a town-level person an administrator of the whole city.
    let big = fixtures::account(
        &app,
        "big_boss",
        Some(c.village_a),
        Some(UnitRole::UnitAdmin),
    )
    .await;
    {
        let mut tx = app.db().write().await.unwrap();
        yinyao::accounts::bulk::insert_grant(
            &mut tx,
            big,
            UnitId(c.city),
            UnitRole::UnitAdmin,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let mut town_admin =
        fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    for action in ["reset-password", "disable", "unlock"] {
        let r = town_admin
            .post(&format!("/accounts/{}/{action}", big.0), &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
    }
    // Nor can a unit admin carry their own unit elsewhere.
    let r = town_admin
        .post(
            &format!("/units/{}", c.town_a),
            &[("parent_id", &c.village_b.to_string())],
        )
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    // The system admin cannot become a unit admin by resetting one.
    let mut sys = fixtures::admin_client(&app, "sys", PlatformRole::System).await;
    let r = sys
        .post(&format!("/accounts/{}/reset-password", big.0), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let plain = fixtures::account(&app, "plain", Some(c.village_a), None).await;
    let r = sys
        .post(&format!("/accounts/{}/reset-password", plain.0), &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "accounts without a role can be reset"
    );
}

/// A reset hands over a one-time password, so the system admin may reset only accounts that
/// read no business data; each platform role against each kind of account, on the page, refusals
/// audited; a unit admin resets the staff of their unit.
#[tokio::test]
async fn the_system_admin_never_obtains_a_credential_that_reads_business_data() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let targets = [
        ("no_role", None),
        ("member", Some(UnitRole::Member)),
        ("staff", Some(UnitRole::Staff)),
        ("youth", Some(UnitRole::YouthCare)),
        ("editor", Some(UnitRole::Editor)),
        ("uadmin", Some(UnitRole::UnitAdmin)),
    ];
    let mut ids = Vec::new();
    for (name, role) in targets {
        ids.push((
            name,
            role,
            fixtures::account(&app, name, Some(c.village_a), role).await,
        ));
    }
    for (login, platform) in [
        ("p_sys", PlatformRole::System),
        ("p_sec", PlatformRole::Security),
        ("p_aud", PlatformRole::Audit),
    ] {
        let mut admin = fixtures::admin_client(&app, login, platform).await;
        for (name, role, id) in &ids {
            let allowed = platform == PlatformRole::System && role.is_none();
            let before = app
                .scalar("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied'")
                .await;
            let r = admin
                .post(&format!("/accounts/{}/reset-password", id.0), &[])
                .await;
            let page = admin.get(&format!("/accounts/{}", id.0)).await;
            if allowed {
                assert_eq!(r.status, StatusCode::OK, "{platform:?} resets {name}");
                continue;
            }
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{platform:?} must not reset {name}: {}",
                r.status
            );
            assert!(!r.body.contains("one-time") && !r.body.contains("一次性"));
            assert!(
                !page.body.contains("reset-password"),
                "{platform:?} is not offered a reset of {name}"
            );
            assert!(
                app.scalar("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied'")
                    .await
                    > before,
                "the refusal of {platform:?} on {name} are audited"
            );
        }
    }
    // Nor an account without a role whose own person file is linked to it.
    let linked = fixtures::account(&app, "linked", Some(c.village_a), None).await;
    app.exec_owned(format!(
        "INSERT INTO people (unit_id, name, name_folded, name_initials, name_pinyin, status, willing_to_serve, is_minor, account_id, created_at, updated_at)
         SELECT {}, '李', '李', 'l', 'li', 'active', FALSE, FALSE, {}, created_at, created_at FROM accounts WHERE id = {}",
        c.village_a, linked.0, linked.0
    ))
    .await
    .unwrap();
    let mut sys = fixtures::admin_client(&app, "p_sys2", PlatformRole::System).await;
    let r = sys
        .post(&format!("/accounts/{}/reset-password", linked.0), &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the holder reads their file in clear"
    );
    let youth = ids.iter().find(|t| t.0 == "youth").unwrap().2;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM accounts WHERE id = {} AND must_change_password = FALSE",
            youth.0
        ))
        .await,
        1,
        "the youth-care worker's password is untouched"
    );
    // The unit's administrator does it, and gets the one-time password.
    let mut town_admin =
        fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    let r = town_admin
        .post(&format!("/accounts/{}/reset-password", youth.0), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn tokens_die_with_a_password_change_and_cannot_mint_tokens() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let token = staff
        .json("POST", "/api/v1/tokens", json!({ "name": "t" }))
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = bearer(
        &app,
        "POST",
        "/api/v1/tokens",
        &token,
        Some(json!({ "name": "copy" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    staff.get("/account/password").await;
    let r = staff
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "Fresh-water-51"),
                ("confirm", "Fresh-water-51"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        bearer(&app, "GET", "/api/v1/me", &token, None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn account_list_pages() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    for i in 0..55 {
        fixtures::account(&app, &format!("user{i:02}"), Some(c.village_a), None).await;
    }
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    let first = admin.get("/accounts").await;
    assert!(
        first.body.contains(r#"href="/accounts?q=&#38;page=2""#),
        "{}",
        first.body
    );
    let second = admin.get("/accounts?q=&page=2").await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("user54") || second.body.contains("admin_a"));
    assert!(second.body.contains(r#"href="/accounts?q=&#38;page=1""#));
    // The search text is carried to the next page encoded: `&` and spaces cannot break it.
    let searched = admin.get("/accounts?q=user%20%26").await;
    assert!(!searched.body.contains("q=user &"), "raw text in a link");
}

/// Mobiles stored in clear before migration 0014 are sealed at start-up, and their owners
/// still log in by mobile.
#[tokio::test]
async fn clear_staff_mobiles_are_sealed_at_start_up() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let id = fixtures::account(&app, "oldtimer", Some(c.town_a), Some(UnitRole::Staff)).await;
    app.exec_owned(format!(
        "UPDATE accounts SET phone = '13512345678' WHERE id = {}",
        id.0
    ))
    .await
    .unwrap();
    let n = seal_clear(&app).await;
    assert_eq!(n, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE phone IS NOT NULL")
            .await,
        0
    );
    assert_eq!(seal_clear(&app).await, 0, "once");
    let mut c = app.client();
    c.get("/login").await;
    let r = c
        .post(
            "/login",
            &[("login", "135 1234 5678"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/");
}

/// Seals the staff mobiles stored in clear, as start-up does.
async fn seal_clear(app: &TestApp) -> usize {
    let mut tx = app.db().write().await.unwrap();
    let n = yinyao::accounts::service::seal_clear_phones(&mut tx, &app.state.crypto)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    n
}

#[tokio::test]
async fn a_mobile_in_use_is_named_and_the_form_is_kept() {
    let app = TestApp::new().await;
    let c = fixtures::county(&app).await;
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let town = c.town_a.to_string();
    let first = admin
        .post(
            "/accounts",
            &[
                ("display_name", "刘建国"),
                ("username", "liujg"),
                ("phone", "13911112222"),
                ("unit_id", &town),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = admin
        .post(
            "/accounts",
            &[
                ("display_name", "刘建华"),
                ("username", "liujh"),
                ("phone", "13911112222"),
                ("unit_id", &town),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        second.body.contains("这个手机号已被另一个账户使用"),
        "{}",
        second.body
    );
    assert!(!second.body.contains("用户名已被使用"), "not the user name");
    assert!(second.body.contains("value=\"liujh\"") && second.body.contains("value=\"刘建华\""));
    assert!(
        second
            .body
            .contains(&format!("<option value=\"{town}\" selected>")),
        "the unit kept"
    );
    // A user name in use is still named as such.
    let third = admin
        .post(
            "/accounts",
            &[
                ("display_name", "刘建军"),
                ("username", "liujg"),
                ("phone", ""),
                ("unit_id", &town),
            ],
        )
        .await;
    assert_eq!(third.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(third.body.contains("这个用户名已被使用"));
    let api = admin
        .json(
            "POST",
            "/api/v1/accounts",
            serde_json::json!({ "display_name": "刘", "username": "liu3", "phone": "13911112222", "unit_id": c.town_a }),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.json()["fields"][0]["field"], "phone");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM accounts WHERE username LIKE 'liuj%' OR username = 'liu3'"
        )
        .await,
        1
    );
}
