//! Session lifetime, cookie flags, password expiry switched off, and accounts outside one's
//! scope.

use crate::fixtures::{self, PASSWORD, county};
use crate::helpers::{TestApp, bearer};
use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use yinyao::accounts::model::UnitRole;

async fn session_times(app: &TestApp) -> (DateTime<Utc>, DateTime<Utc>) {
    let mut tx = app.db().read().await.unwrap();
    yinyao::on_tx!(&mut tx, c => sqlx::query_as("SELECT created_at, expires_at FROM sessions").fetch_one(c).await).unwrap()
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_login_however_busy() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut cl = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let (created, expires) = session_times(&app).await;
    assert_eq!(expires - created, chrono::Duration::hours(12));

    // Working on (the keep-alive button, page views) does not push the end further out.
    let r = cl.post("/session/keepalive", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(cl.get("/units").await.status, StatusCode::OK);
    assert_eq!(session_times(&app).await.1, expires);

    // Twelve hours have passed while the user stayed active: the session is over.
    app.exec(if app.is_postgres() {
        "UPDATE sessions SET expires_at = NOW() - INTERVAL '1 minute', last_seen_at = NOW()"
    } else {
        "UPDATE sessions SET expires_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-1 minutes'),
                             last_seen_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')"
    })
    .await
    .unwrap();
    let r = cl.get("/units").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?expired=1");
    assert!(!cl.cookies.contains_key("yy_sid"), "the cookie is cleared");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
    let page = cl.get("/login?expired=1").await;
    assert!(
        page.body.contains("本次登录已到时限"),
        "the login page says why, without claiming the user was idle"
    );
}

#[tokio::test]
async fn with_password_expiry_off_an_old_password_does_not_force_a_change() {
    let app = TestApp::with_config(|c| c.password.expiry_days = 0).await;
    let c = county(&app).await;
    fixtures::account(&app, "old_timer", Some(c.town_a), Some(UnitRole::Staff)).await;
    app.exec(if app.is_postgres() {
        "UPDATE accounts SET password_changed_at = password_changed_at - INTERVAL '400 days'"
    } else {
        "UPDATE accounts SET password_changed_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-400 days')"
    })
    .await
    .unwrap();
    let mut cl = app.client();
    cl.get("/login").await;
    let r = cl
        .post(
            "/login",
            &[
                ("login", "old_timer"),
                ("password", PASSWORD),
                ("next", "/units"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/units", "straight on, no password change");
    assert_eq!(cl.get("/units").await.status, StatusCode::OK);
    // Scripts of an account with an old password keep working as well.
    let token = cl
        .json(
            "POST",
            "/api/v1/tokens",
            serde_json::json!({ "name": "nightly" }),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = bearer(&app, "GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "old_timer");
}

fn set_cookies(r: &crate::helpers::Resp) -> Vec<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn secure_cookies_setting_marks_every_cookie_secure() {
    let app = TestApp::with_config(|c| c.security.secure_cookies = true).await;
    let c = county(&app).await;
    fixtures::account(&app, "staff_a", Some(c.town_a), Some(UnitRole::Staff)).await;
    let mut cl = app.client();
    let form = cl.get("/login").await;
    let pre = set_cookies(&form);
    assert!(
        pre.iter().any(|v| v.starts_with("yy_pre=")),
        "the anonymous CSRF cookie is set: {pre:?}"
    );
    let r = cl
        .post("/login", &[("login", "staff_a"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookies = [pre, set_cookies(&r)].concat();
    let sid = cookies
        .iter()
        .find(|v| v.starts_with("yy_sid="))
        .expect("a session cookie");
    assert!(
        sid.contains("; Secure") && sid.contains("HttpOnly") && sid.contains("SameSite=Lax"),
        "{sid}"
    );
    for v in &cookies {
        assert!(v.contains("; Secure"), "{v}");
    }
    // The logout cookie that clears the session is Secure too (browsers ignore it otherwise).
    let r = cl.post("/logout", &[]).await;
    for v in set_cookies(&r) {
        assert!(v.contains("; Secure"), "{v}");
    }

    // Without the setting (plain HTTP in development) the flag is absent, or browsers would
    // drop the cookie and nobody could log in.
    let plain = TestApp::new().await;
    let mut cl = plain.client();
    let form = cl.get("/login").await;
    assert!(set_cookies(&form).iter().all(|v| !v.contains("Secure")));
}

#[tokio::test]
async fn an_account_in_a_sibling_town_is_404_on_page_and_api() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let other =
        fixtures::account(&app, "dong_clerk", Some(c.village_b), Some(UnitRole::Staff)).await;
    let own = fixtures::account(&app, "yang_clerk", Some(c.village_a), Some(UnitRole::Staff)).await;
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;

    let r = admin.get(&format!("/accounts/{}", own.0)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("yang_clerk"));

    let r = admin.get(&format!("/accounts/{}", other.0)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("页面不存在"), "{}", r.body);
    assert!(
        !r.body.contains("dong_clerk") && !r.body.contains("桃源村"),
        "a 404 must not leak who it is"
    );
    // The same answer as for an id that does not exist at all.
    let r = admin.get("/accounts/999999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    for path in [
        format!("/api/v1/accounts/{}", other.0),
        format!("/api/v1/accounts/{}/grants", other.0),
    ] {
        let r = admin.json("GET", &path, serde_json::json!(null)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.body.contains("dong_clerk"));
    }
    // Acting on it is refused the same way.
    for action in ["reset-password", "disable", "unlock"] {
        let r = admin
            .post(&format!("/accounts/{}/{action}", other.0), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM accounts WHERE id = {} AND active = TRUE AND must_change_password = FALSE",
            other.0
        ))
        .await,
        1,
        "nothing changed"
    );
}

#[tokio::test]
async fn cookies_are_secure_behind_a_trusted_proxy_that_says_https() {
    let pre_cookie = |app: &TestApp, proto: Option<&'static str>| {
        let mut b = app.client().request("GET", "/login");
        if let Some(p) = proto {
            b = b.header("x-forwarded-proto", p);
        }
        b.body(axum::body::Body::empty()).unwrap()
    };
    let proxied = TestApp::with_config(|c| c.security.trust_proxy = true).await;
    let r = proxied.send(pre_cookie(&proxied, Some("https"))).await;
    assert!(set_cookies(&r).iter().all(|v| v.contains("; Secure")));
    assert!(!set_cookies(&r).is_empty());
    let r = proxied.send(pre_cookie(&proxied, Some("http"))).await;
    assert!(set_cookies(&r).iter().all(|v| !v.contains("; Secure")));
    // Without a trusted proxy the header is anyone's to send, so it is ignored.
    let direct = TestApp::new().await;
    let r = direct.send(pre_cookie(&direct, Some("https"))).await;
    assert!(!set_cookies(&r).is_empty());
    assert!(set_cookies(&r).iter().all(|v| !v.contains("; Secure")));
}
