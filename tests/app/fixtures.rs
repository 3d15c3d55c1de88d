//! Fixture builders: a small county tree and accounts with roles.

use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use yinyao::accounts::model::{AccountId, PlatformRole, UnitRole, hash_password};
use yinyao::accounts::{NewAccount, bulk as accounts};
use yinyao::ids::UnitId;
use yinyao::units::bulk as units;
use yinyao::units::model::UnitKind;

pub const PASSWORD: &str = "Tea-garden-42";

/// city → county → {town A → village A, town B → village B}
pub struct County {
    pub city: i64,
    pub county: i64,
    pub town_a: i64,
    pub town_b: i64,
    pub village_a: i64,
    pub village_b: i64,
}

pub async fn county(app: &TestApp) -> County {
    let mut tx = app.db().write().await.unwrap();
    let city = units::insert(&mut tx, None, "江州市委老干部局", UnitKind::CityBureau)
        .await
        .unwrap();
    let county = units::insert(
        &mut tx,
        Some(&city),
        "清江县委老干部局",
        UnitKind::CountyBureau,
    )
    .await
    .unwrap();
    let town_a = units::insert(&mut tx, Some(&county), "城关镇", UnitKind::Town)
        .await
        .unwrap();
    let town_b = units::insert(&mut tx, Some(&county), "东湖镇", UnitKind::Town)
        .await
        .unwrap();
    let village_a = units::insert(&mut tx, Some(&town_a), "杨柳村", UnitKind::Village)
        .await
        .unwrap();
    let village_b = units::insert(&mut tx, Some(&town_b), "桃源村", UnitKind::Village)
        .await
        .unwrap();
    // Written straight through the repository, as a bulk load is: the figures are counted
    // from the records once, as after `yinyao demo`.
    yinyao::outbox::rebuild_all(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    County {
        city: city.id.0,
        county: county.id.0,
        town_a: town_a.id.0,
        town_b: town_b.id.0,
        village_a: village_a.id.0,
        village_b: village_b.id.0,
    }
}

/// An account with the fixture password, optionally holding one unit role.
pub async fn account(
    app: &TestApp,
    username: &str,
    unit: Option<i64>,
    role: Option<UnitRole>,
) -> AccountId {
    let mut tx = app.db().write().await.unwrap();
    let id = accounts::insert(
        &mut tx,
        &NewAccount {
            username,
            phone: None,
            display_name: username,
            unit_id: unit.map(UnitId),
            password_hash: &hash_password(PASSWORD).unwrap(),
            must_change_password: false,
            platform_role: None,
        },
    )
    .await
    .unwrap();
    if let (Some(u), Some(r)) = (unit, role) {
        accounts::insert_grant(&mut tx, id, UnitId(u), r, None)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    id
}

pub async fn platform_admin(
    app: &TestApp,
    username: &str,
    role: PlatformRole,
    must_change: bool,
) -> AccountId {
    let mut tx = app.db().write().await.unwrap();
    let id = accounts::insert(
        &mut tx,
        &NewAccount {
            username,
            phone: None,
            display_name: username,
            unit_id: None,
            password_hash: &hash_password(PASSWORD).unwrap(),
            must_change_password: must_change,
            platform_role: Some(role),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The current code of the authenticator secret shown on the enrolment page.
pub fn totp_code(secret_b32: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_b32).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name("x")
        .build()
        .unwrap()
        .generate_current()
        .to_string()
}

/// Logs a platform admin in: password, then TOTP enrolment with a code from the secret shown.
pub async fn admin_client<'a>(app: &'a TestApp, username: &str, role: PlatformRole) -> Client<'a> {
    platform_admin(app, username, role, false).await;
    let mut c = app.client();
    c.get("/login").await;
    let r = c
        .post("/login", &[("login", username), ("password", PASSWORD)])
        .await;
    assert_eq!(r.location(), "/login/totp");
    let page = c.get("/login/totp").await;
    let secret = page
        .element_text("totp-secret")
        .expect("enrolment shows the secret");
    let r = c
        .post("/login/totp", &[("code", &totp_code(&secret))])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/");
    c.get("/").await;
    c
}

/// Logs a unit-role account in.
pub async fn user_client<'a>(
    app: &'a TestApp,
    username: &str,
    unit: i64,
    role: UnitRole,
) -> Client<'a> {
    account(app, username, Some(unit), Some(role)).await;
    let mut c = app.client();
    c.login(username, PASSWORD).await;
    c
}

/// A column of `unit` created by a news manager's client, with the unit set to one review
/// step (so a single approval publishes); returns the column id.
pub async fn one_step_column(admin: &mut Client<'_>, unit: i64, name: &str) -> i64 {
    let r = admin
        .json(
            "POST",
            "/api/v1/columns",
            serde_json::json!({ "unit_id": unit, "name": name, "kind": "column" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let column = r.json()["id"].as_i64().expect("column id");
    let r = admin
        .post(
            "/news/review-steps",
            &[("unit_id", &unit.to_string()), ("steps", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    column
}

/// A draft in `column` written by `writer`; returns its id.
pub async fn draft(writer: &mut Client<'_>, column: i64, title: &str, body: &str) -> i64 {
    let r = writer
        .json(
            "POST",
            "/api/v1/articles",
            serde_json::json!({ "column_id": column, "title": title, "body": body }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().expect("article id")
}

/// Writes an article (`article` is the create request) with `writer`, submits it and has
/// `approver` approve it in a one-step unit; returns the published article's id.
pub async fn publish(
    writer: &mut Client<'_>,
    approver: &mut Client<'_>,
    article: serde_json::Value,
) -> i64 {
    let r = writer.json("POST", "/api/v1/articles", article).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("article id");
    let decide = |action: &str| {
        (
            format!("/api/v1/articles/{id}/decision"),
            serde_json::json!({ "action": action }),
        )
    };
    let (path, body) = decide("submit");
    writer.json("POST", &path, body).await;
    let (path, body) = decide("approve");
    let r = approver.json("POST", &path, body).await;
    assert_eq!(r.json()["state"], "published", "{}", r.body);
    id
}

/// A small generated PNG image.
pub fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// Posts a review decision (`submit`, `approve`, `reject`, `withdraw`) on an article.
pub async fn decide(
    c: &mut Client<'_>,
    id: i64,
    action: &str,
    comment: Option<&str>,
) -> crate::helpers::Resp {
    c.json(
        "POST",
        &format!("/api/v1/articles/{id}/decision"),
        serde_json::json!({ "action": action, "comment": comment }),
    )
    .await
}

/// Runs the consumers until none has anything left, as the job runner does every few seconds.
/// On PostgreSQL an event waits until every older writing transaction of the cluster has
/// ended, other tests' among them, so one run may take nothing.
pub async fn catch_up(app: &TestApp) {
    for _ in 0..200 {
        yinyao::outbox::run_all(app.db()).await.unwrap();
        let mut left = 0;
        for c in yinyao::outbox::Consumer::ALL {
            left += yinyao::outbox::pending(app.db(), c).await.unwrap();
        }
        if left == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the consumers did not catch up in 10 s");
}

/// Grants `role` at `unit` to `account` through the API (as a unit admin would); the grant's id.
pub async fn grant(admin: &mut Client<'_>, account: i64, unit: i64, role: &str) -> i64 {
    let r = admin
        .json(
            "POST",
            "/api/v1/grants",
            serde_json::json!({ "account_id": account, "unit_id": unit, "role": role }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().expect("grant id")
}

/// Runs the notifications consumer until it has caught up, as the job runner does; on
/// PostgreSQL the newest events may need a second pass.
pub async fn notify_all(app: &TestApp) {
    for _ in 0..20 {
        yinyao::jobs::consume_notifications(app.db()).await.unwrap();
        if !yinyao::notify::service::pending(app.db()).await.unwrap() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Makes every queued delivery due now (as if the quiet hours, the back-off or the hourly
/// limit had passed).
pub async fn due_now(app: &TestApp) {
    app.exec_owned(format!(
        "UPDATE deliveries SET next_at = '{}' WHERE status = 'queued'",
        (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339()
    ))
    .await
    .unwrap();
}

/// The deliveries of one channel by status.
pub async fn statuses(
    app: &TestApp,
    channel: yinyao::notify::model::Channel,
) -> Vec<(String, i64)> {
    let mut tx = app.db().read().await.unwrap();
    yinyao::notify::service::delivery_counts(&mut tx, channel)
        .await
        .unwrap()
}

/// A member: a file at `unit` of category `cat` filed by `staff`, and an account of that
/// name linked to it (as staff link them). Returns the member's client and the file.
pub async fn member_with_file<'a>(
    app: &'a TestApp,
    staff: &mut Client<'_>,
    unit: i64,
    login: &str,
    cat: &str,
) -> (Client<'a>, i64) {
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            serde_json::json!({ "unit_id": unit, "name": login, "categories": [cat] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let m = user_client(app, login, unit, UnitRole::Member).await;
    let r = staff
        .post(
            &format!("/people/{id}/link"),
            &[("username", login), ("reason", "本人申请")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (m, id)
}
