//! System settings: the system admin keeps the security policy; it takes effect at once,
//! bad values change nothing, every change is audited, and nobody else may touch it.

use crate::fixtures::{self, PASSWORD, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::{PlatformRole, UnitRole};

fn form(lockout_failures: &str, lockout_minutes: &str) -> Vec<(&'static str, String)> {
    vec![
        ("password_min_length", "8".into()),
        ("password_min_classes", "3".into()),
        ("password_expiry_days", "90".into()),
        ("lockout_failures", lockout_failures.into()),
        ("lockout_minutes", lockout_minutes.into()),
        ("ip_failures_per_window", "20".into()),
        ("ip_window_minutes", "15".into()),
        ("staff_idle_minutes", "30".into()),
        ("admin_idle_minutes", "15".into()),
        ("absolute_hours", "12".into()),
    ]
}

#[tokio::test]
async fn the_system_admin_tightens_the_lockout_and_it_holds_at_once() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    fixtures::account(&app, "wangli", Some(c.town_a), Some(UnitRole::Staff)).await;
    let mut sys = fixtures::admin_client(&app, "sysadmin", PlatformRole::System).await;
    let page = sys.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("连续登录失败几次后锁定账户"));
    assert!(
        page.body.contains("href=\"/settings\""),
        "in the navigation"
    );

    // Out of range and not a number: refused field by field, nothing saved.
    let bad = form("2", "abc");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = sys.post("/settings", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = sys
        .json(
            "PUT",
            "/api/v1/settings/policy",
            json!({ "password_min_length": 6, "password_min_classes": 3, "password_expiry_days": 90,
                    "lockout_failures": 5, "lockout_minutes": 30, "ip_failures_per_window": 20,
                    "ip_window_minutes": 15, "staff_idle_minutes": 30, "admin_idle_minutes": 15,
                    "absolute_hours": 12 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("password_min_length"), "{}", r.body);
    let now = sys
        .json("GET", "/api/v1/settings/policy", json!(null))
        .await
        .json();
    assert_eq!(now["lockout_failures"], 5, "unchanged");
    assert_eq!(now["password_min_length"], 8);

    let good = form("3", "60");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = sys.post("/settings", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = sys.get("/settings?done=saved").await;
    assert!(page.element_text("flash").is_some());
    // Only the listed codes become words on the page.
    let page = sys.get("/settings?done=%3Cb%3Ehacked").await;
    assert!(page.element_text("flash").is_none());

    // Three failures now lock the account, for an hour.
    let mut cl = app.client();
    cl.get("/login").await;
    for _ in 0..3 {
        cl.post(
            "/login",
            &[("login", "wangli"), ("password", "Wrong-pass-1")],
        )
        .await;
    }
    let r = cl
        .post("/login", &[("login", "wangli"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "locked after three");
    let mut tx = app.db().read().await.unwrap();
    let a = yinyao::accounts::service::find_by_login(&mut tx, "wangli", &[])
        .await
        .unwrap()
        .unwrap();
    let minutes = (a.locked_until.expect("locked") - chrono::Utc::now()).num_minutes();
    assert!((58..=60).contains(&minutes), "locked for {minutes} minutes");

    // Audited with who, before and after.
    let f = yinyao::audit::Filter {
        action: Some("config.policy_set".into()),
        ..Default::default()
    };
    let entries = yinyao::audit::search(&mut tx, &f, 10, 0).await.unwrap();
    assert_eq!(entries.len(), 1);
    let detail = &entries[0].detail;
    assert!(detail.contains("\"before\"") && detail.contains("\"lockout_failures\":3"));
    assert_eq!(entries[0].actor_name, "sysadmin");
}

#[tokio::test]
async fn only_the_system_admin_keeps_the_settings() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut sec = fixtures::admin_client(&app, "secadmin", PlatformRole::Security).await;
    let mut aud = fixtures::admin_client(&app, "auditadmin", PlatformRole::Audit).await;
    let mut admin = fixtures::user_client(&app, "city_admin", c.city, UnitRole::UnitAdmin).await;
    for client in [&mut sec, &mut aud, &mut admin] {
        assert_eq!(client.get("/settings").await.status, StatusCode::FORBIDDEN);
        let r = client
            .json("GET", "/api/v1/settings/policy", json!(null))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let good = form("3", "60");
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            client.post("/settings", &good).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(!client.get("/").await.body.contains("href=\"/settings\""));
    }
    assert_eq!(app.state.policy().lockout_failures, 5, "nothing changed");
}
