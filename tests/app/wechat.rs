//! WeChat through a local official-account API (tests/wechat/server.py): binding by the
//! OAuth `snsapi_base` flow (the state names the account and expires; a forged one or a
//! refused code binds nothing), template messages sent with the token kept for all nodes,
//! an expired token answered 42001 fetched again and the message still sent once, a
//! follower who left failed with WeChat's code, and unbinding.

use crate::fixtures::{self, county};
use crate::helpers::{TestApp, TestServer};
use axum::http::StatusCode;
use yinyao::accounts::model::UnitRole;

const WECHAT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/wechat/server.py");

/// An app whose official account is the test server at `url`.
async fn app_with(url: &str, per_hour: i64) -> TestApp {
    let url = url.to_string();
    TestApp::with_config(|c| {
        c.wechat.appid = "wxtestappid".into();
        c.wechat.secret = Some("wxtestsecret".into());
        c.wechat.template_id = "TPL-1".into();
        c.wechat.api_url = Some(url.clone());
        c.wechat.oauth_url = Some(url);
        c.wechat.per_hour = per_hour;
        c.public_url = Some("https://yy.example".into());
    })
    .await
}

#[tokio::test]
async fn a_follower_binds_by_oauth_and_gets_template_messages_through_a_token_refresh() {
    let api = TestServer::start(WECHAT);
    let url = format!("http://127.0.0.1:{}", api.port);
    let app = app_with(&url, 0).await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let mut gone = fixtures::user_client(&app, "staff_b", c.town_b, UnitRole::Staff).await;
    let me = staff.my_id().await;
    let page = staff.get("/inbox/settings").await;
    assert!(
        page.body.contains("id=\"wechat-qr\"") && page.body.contains("<svg"),
        "the binding code"
    );

    // The code opens WeChat's OAuth page, asking for the openid only.
    let now = chrono::Utc::now().timestamp();
    let state = yinyao::notify::prefs::service::bind_state(&app.state.crypto, me, now);
    let mut phone = app.client();
    let r = phone.get(&format!("/wechat/bind?s={state}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        format!(
            "{url}/connect/oauth2/authorize?appid=wxtestappid&redirect_uri=https%3A%2F%2Fyy.example%2Fwechat%2Fcallback&response_type=code&scope=snsapi_base&state={state}#wechat_redirect"
        )
    );
    // Forged, expired or refused: nothing bound.
    let forged = state.replacen(&me.to_string(), &(me + 1).to_string(), 1);
    let old = yinyao::notify::prefs::service::bind_state(&app.state.crypto, me, now - 3600);
    for s in [&forged, &old] {
        let r = phone
            .get(&format!("/wechat/callback?code=CODE-wang&state={s}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{s}");
    }
    let r = phone
        .get(&format!("/wechat/callback?code=BAD&state={state}"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notify_addresses WHERE wechat_openid IS NOT NULL")
            .await,
        0
    );
    // WeChat comes back with a good code: bound.
    let r = phone
        .get(&format!("/wechat/callback?code=CODE-wang&state={state}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.element_text("wechat-done").is_some());
    assert_eq!(
        app.text(&format!(
            "SELECT wechat_openid FROM notify_addresses WHERE account_id = {me}"
        ))
        .await,
        "OPENID-wang"
    );
    assert!(
        staff
            .get("/inbox/settings")
            .await
            .body
            .contains("id=\"wechat-bound\"")
    );

    // A role granted: a template message, with the token fetched once and kept.
    fixtures::grant(&mut admin, me, c.town_a, "correspondent").await;
    fixtures::notify_all(&app).await;
    fixtures::due_now(&app).await;
    assert_eq!(yinyao::jobs::deliver_wechat(&app.state).await.unwrap(), 1);
    let got: Vec<_> = api
        .received()
        .into_iter()
        .filter(|g| g.get("to").is_some())
        .collect();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["to"], "OPENID-wang");
    assert_eq!(got[0]["template"], "TPL-1");
    assert_eq!(got[0]["data"]["first"]["value"], "您获得了新的角色");
    assert_eq!(got[0]["data"]["keyword1"]["value"], "通讯员 · 城关镇");
    assert!(
        got[0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://yy.example/")
    );
    assert_eq!(app.text("SELECT token FROM wechat_tokens").await, "TOKEN-1");

    // The token runs out on WeChat's side: 42001, a new token, the message still goes, once.
    reqwest::Client::new()
        .post(format!("{url}/control/expire"))
        .send()
        .await
        .unwrap();
    fixtures::grant(&mut admin, me, c.village_a, "member").await;
    fixtures::notify_all(&app).await;
    fixtures::due_now(&app).await;
    assert_eq!(yinyao::jobs::deliver_wechat(&app.state).await.unwrap(), 1);
    let sends: Vec<_> = api
        .received()
        .into_iter()
        .filter(|g| g.get("to").is_some())
        .collect();
    assert_eq!(sends.len(), 2, "{sends:?}");
    assert_eq!(sends[1]["token"], "TOKEN-2");
    assert_eq!(app.text("SELECT token FROM wechat_tokens").await, "TOKEN-2");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM deliveries WHERE channel = 'wechat' AND status = 'sent'")
            .await,
        2
    );

    // A follower who left the official account: failed with WeChat's code; the rest go on.
    let them = gone.my_id().await;
    let s = yinyao::notify::prefs::service::bind_state(&app.state.crypto, them, now);
    phone
        .get(&format!("/wechat/callback?code=CODE-gone&state={s}"))
        .await;
    fixtures::grant(&mut admin, them, c.town_b, "correspondent").await;
    fixtures::notify_all(&app).await;
    fixtures::due_now(&app).await;
    yinyao::jobs::deliver_wechat(&app.state).await.unwrap();
    let why = app
        .text("SELECT COALESCE(MAX(last_error), '') FROM deliveries WHERE channel = 'wechat' AND status = 'failed'")
        .await;
    assert!(why.starts_with("43004"), "{why}");

    // Unbound: no more WeChat messages.
    let r = staff.post("/inbox/wechat/unbind", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    fixtures::grant(&mut admin, me, c.town_a, "editor").await;
    fixtures::notify_all(&app).await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
             WHERE d.channel = 'wechat' AND n.account_id = {me}"
        ))
        .await,
        2,
        "nothing new once unbound"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('notify.wechat_bind', 'notify.wechat_unbind')").await,
        3
    );
}

#[tokio::test]
async fn a_follower_gets_at_most_the_hours_share_of_wechat_messages() {
    let api = TestServer::start(WECHAT);
    let url = format!("http://127.0.0.1:{}", api.port);
    let app = app_with(&url, 1).await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let me = staff.my_id().await;
    let s = yinyao::notify::prefs::service::bind_state(
        &app.state.crypto,
        me,
        chrono::Utc::now().timestamp(),
    );
    let r = app
        .client()
        .get(&format!("/wechat/callback?code=CODE-wang&state={s}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    fixtures::grant(&mut admin, me, c.town_a, "correspondent").await;
    fixtures::grant(&mut admin, me, c.village_a, "member").await;
    fixtures::notify_all(&app).await;
    fixtures::due_now(&app).await;
    assert_eq!(
        yinyao::jobs::deliver_wechat(&app.state).await.unwrap(),
        1,
        "one this hour"
    );
    assert_eq!(
        fixtures::statuses(&app, yinyao::notify::model::Channel::Wechat).await,
        [("queued".into(), 1), ("sent".into(), 1)]
    );
    let sent = api
        .received()
        .into_iter()
        .filter(|g| g.get("to").is_some())
        .count();
    assert_eq!(sent, 1);
}
