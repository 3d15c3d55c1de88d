//! The home page by role: figures counted in the caller's scope, and a page of their own for
//! each of the three platform admins.

use crate::fixtures::{self, county};
use crate::helpers::{Client, Resp, TestApp};
use axum::http::StatusCode;
use yinyao::accounts::model::{PlatformRole, UnitRole};

fn figure(home: &Resp, name: &str) -> Option<i64> {
    home.element_text(&format!("figure-{name}"))
        .map(|v| v.parse().unwrap())
}

/// The fixtures write accounts straight through the repository, as a bulk load does: the
/// figures are counted from the records, as after `yinyao demo`.
async fn bulk_loaded(app: &TestApp) {
    let mut tx = app.db().write().await.unwrap();
    yinyao::outbox::rebuild_all(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
}

/// The home page once the consumers have taken every event (the job runner does so every
/// few seconds).
async fn home(cl: &mut Client<'_>) -> Resp {
    fixtures::catch_up(cl.app).await;
    let r = cl.get("/").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r
}

#[tokio::test]
async fn unit_staff_see_figures_of_their_own_subtree() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let yang = fixtures::account(&app, "yang_clerk", Some(c.village_a), None).await;
    fixtures::account(&app, "dong_clerk", Some(c.village_b), Some(UnitRole::Staff)).await;
    fixtures::account(&app, "tao_clerk", Some(c.town_b), Some(UnitRole::Staff)).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let mut county_admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    bulk_loaded(&app).await;

    // Town A and its village; the staff member and the clerk of that village.
    let page = home(&mut staff).await;
    assert_eq!(figure(&page, "units_in_scope"), Some(2));
    assert_eq!(figure(&page, "accounts_in_scope"), Some(2));
    assert_eq!(figure(&page, "my_tasks"), Some(0));
    assert_eq!(figure(&page, "locked_accounts"), None, "not for town staff");
    assert_eq!(figure(&page, "audit_24h"), None);
    assert!(
        page.body.contains("工作人员 · <a href=\"/units/"),
        "the role held is named"
    );
    assert!(!page.body.contains("东湖镇") && !page.body.contains("清江县"));

    // The county: itself, two towns, two villages; every account below it.
    let page = home(&mut county_admin).await;
    assert_eq!(figure(&page, "units_in_scope"), Some(5));
    assert_eq!(figure(&page, "accounts_in_scope"), Some(5));

    // A deactivated village and a disabled account drop out of the figures.
    county_admin
        .post(
            &format!("/units/{}/deactivate", c.village_a),
            &[("confirm", "yes")],
        )
        .await;
    let r = county_admin
        .post(&format!("/accounts/{}/disable", yang.0), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = home(&mut staff).await;
    assert_eq!(figure(&page, "units_in_scope"), Some(1));
    assert_eq!(figure(&page, "accounts_in_scope"), Some(1));
}

#[tokio::test]
async fn each_platform_admin_has_a_home_page_of_their_own() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    fixtures::account(&app, "dong_clerk", Some(c.village_b), Some(UnitRole::Staff)).await;
    let mut sys = fixtures::admin_client(&app, "sys", PlatformRole::System).await;
    let mut sec = fixtures::admin_client(&app, "sec", PlatformRole::Security).await;
    let mut aud = fixtures::admin_client(&app, "aud", PlatformRole::Audit).await;
    bulk_loaded(&app).await;

    // Something for the figures: a locked account, two failed logins, two refused looks.
    app.exec(if app.is_postgres() {
        "UPDATE accounts SET locked_until = NOW() + INTERVAL '20 minutes' WHERE username = 'dong_clerk'"
    } else {
        "UPDATE accounts SET locked_until = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '+20 minutes') WHERE username = 'dong_clerk'"
    })
    .await
    .unwrap();
    let mut stranger = app.client();
    stranger.get("/login").await;
    for login in ["nobody", "staff_a"] {
        let r = stranger
            .post("/login", &[("login", login), ("password", "Wrong-guess-1")])
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sys.get("/audit").await.status, StatusCode::FORBIDDEN);
    let r = staff.get(&format!("/units/{}", c.town_b)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The system admin: every unit and account, and who is locked out.
    let page = home(&mut sys).await;
    assert!(page.body.contains("<p class=\"lead\">系统管理员</p>"));
    assert_eq!(figure(&page, "units_in_scope"), Some(6));
    assert_eq!(
        figure(&page, "accounts_in_scope"),
        Some(5),
        "two staff, three admins"
    );
    assert_eq!(figure(&page, "locked_accounts"), Some(1));
    assert_eq!(figure(&page, "audit_24h"), None, "no audit figures");
    assert!(page.body.contains("href=\"/units\"") && !page.body.contains("href=\"/audit\""));

    // The security admin: the same overview, for granting roles.
    let page = home(&mut sec).await;
    assert!(page.body.contains("<p class=\"lead\">安全保密管理员</p>"));
    assert_eq!(figure(&page, "units_in_scope"), Some(6));
    assert_eq!(figure(&page, "accounts_in_scope"), Some(5));
    assert_eq!(figure(&page, "audit_24h"), None);

    // The audit admin: the trail only.
    let total = app.scalar("SELECT COUNT(*) FROM audit_log").await;
    let page = home(&mut aud).await;
    assert!(page.body.contains("<p class=\"lead\">安全审计员</p>"));
    assert_eq!(figure(&page, "audit_24h"), Some(total));
    assert_eq!(figure(&page, "failed_logins_24h"), Some(2));
    assert_eq!(figure(&page, "denied_24h"), Some(2));
    assert_eq!(figure(&page, "units_in_scope"), None, "no business data");
    assert_eq!(figure(&page, "accounts_in_scope"), None);
    assert!(page.body.contains("href=\"/audit\"") && !page.body.contains("href=\"/units\""));
}
