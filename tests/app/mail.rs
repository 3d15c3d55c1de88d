//! Notifications by email through a real SMTP server (aiosmtpd, started here): sent once, in
//! the recipient's language, with the link and the way to stop them; a refused address fails
//! with its reason and the rest still go; while the server is down nothing is lost and the
//! messages go once it is back; quiet hours hold them until 08:00; two job runners at once
//! send each message once.

use crate::fixtures::{self, county};
use crate::helpers::{TestApp, TestServer};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::notify::model::Channel;

const SMTP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/run.sh");

#[tokio::test]
async fn emails_go_once_survive_a_server_down_and_name_a_refusal() {
    let smtp = TestServer::start(SMTP);
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let app = TestApp::with_config(|c| {
        c.mail.smtp_url = Some(url);
        c.mail.from = "银耀 <noreply@yinyao.example>".into();
        c.public_url = Some("https://yinyao.example".into());
    })
    .await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let mut other = fixtures::user_client(&app, "staff_b", c.town_b, UnitRole::Staff).await;
    // A bad address is refused on the page, with nothing saved.
    let r = staff
        .post("/inbox/email", &[("email", "not an address")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("有效的电子邮箱"), "{}", r.body);
    let r = staff
        .post("/inbox/email", &[("email", "wang@town-a.example")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        staff
            .get("/inbox")
            .await
            .body
            .contains("value=\"wang@town-a.example\"")
    );
    other
        .post("/inbox/email", &[("email", "refuse@town-b.example")])
        .await;

    // Two roles granted: each account is told by email too.
    for (who, unit) in [(&mut staff, c.town_a), (&mut other, c.town_b)] {
        let id = who.my_id().await;
        fixtures::grant(&mut admin, id, unit, "correspondent").await;
    }
    fixtures::notify_all(&app).await;
    fixtures::due_now(&app).await;
    // Two job runners at once: each message is claimed by one.
    let (a, b) = tokio::join!(
        yinyao::jobs::deliver_email(&app.state),
        yinyao::jobs::deliver_email(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2, "two messages, each tried once");
    let got = smtp.received();
    assert_eq!(
        got.len(),
        1,
        "the refused address is not delivered: {got:?}"
    );
    assert_eq!(got[0]["to"], json!(["wang@town-a.example"]));
    assert_eq!(got[0]["subject"], "您获得了新的角色");
    let body = got[0]["body"].as_str().unwrap();
    assert!(
        body.contains("通讯员 · 城关镇"),
        "the role in words: {body}"
    );
    assert!(
        body.contains("https://yinyao.example/inbox/settings"),
        "how to change them: {body}"
    );
    assert!(
        body.contains("https://yinyao.example/unsubscribe?a="),
        "how to stop this kind with one click: {body}"
    );
    let failed = app
        .text("SELECT COALESCE(MAX(last_error), '') FROM deliveries WHERE status = 'failed'")
        .await;
    assert!(failed.contains("550"), "the refusal is kept: {failed}");
    assert_eq!(
        fixtures::statuses(&app, Channel::Email).await,
        [("failed".into(), 1), ("sent".into(), 1)]
    );
    // Running again sends nothing twice.
    assert_eq!(yinyao::jobs::deliver_email(&app.state).await.unwrap(), 0);
    assert_eq!(smtp.received().len(), 1);

    // The server goes down: the message stays queued with the reason, and goes once it is
    // back.
    let (port, dir) = smtp.stop();
    let id = staff.my_id().await;
    fixtures::grant(&mut admin, id, c.village_a, "member").await;
    fixtures::notify_all(&app).await;
    fixtures::due_now(&app).await;
    assert_eq!(yinyao::jobs::deliver_email(&app.state).await.unwrap(), 1);
    let waiting = fixtures::statuses(&app, Channel::Email).await;
    assert!(waiting.contains(&("queued".into(), 1)), "{waiting:?}");
    let attempts = app
        .scalar("SELECT CAST(MAX(attempts) AS BIGINT) FROM deliveries WHERE status = 'queued'")
        .await;
    assert_eq!(attempts, 1);
    let smtp = TestServer::start_on(SMTP, port, dir);
    fixtures::due_now(&app).await;
    assert_eq!(yinyao::jobs::deliver_email(&app.state).await.unwrap(), 1);
    assert_eq!(smtp.received().len(), 2, "sent once the server is back");
    assert_eq!(
        fixtures::statuses(&app, Channel::Email).await,
        [("failed".into(), 1), ("sent".into(), 2)]
    );
}

#[tokio::test]
async fn an_email_written_in_quiet_hours_waits_for_eight_oclock() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    staff
        .post("/inbox/email", &[("email", "wang@town-a.example")])
        .await;
    let me = staff.my_id().await;
    let mut tx = app.db().write().await.unwrap();
    let notice = yinyao::notify::model::NewNotice {
        account: yinyao::ids::AccountId(me),
        kind: yinyao::notify::NoticeKind::TasksDigest,
        subject: "3/1".into(),
        note: None,
        link: Some("/tasks".into()),
        once_key: None,
        sms: true,
    };
    assert!(
        yinyao::notify::service::write(&mut tx, &notice)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let at: chrono::DateTime<chrono::Utc> = {
        let mut tx = app.db().read().await.unwrap();
        yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT next_at FROM deliveries").fetch_one(c).await)
            .unwrap()
    };
    let expected = yinyao::notify::model::not_before(chrono::Utc::now(), false);
    assert!(
        (at - expected).num_seconds().abs() < 5,
        "queued for {at}, expected {expected}"
    );
    // Without an SMTP server configured nothing is sent and nothing is lost.
    assert_eq!(yinyao::jobs::deliver_email(&app.state).await.unwrap(), 0);
    assert_eq!(
        fixtures::statuses(&app, Channel::Email).await,
        [("queued".into(), 1)]
    );
}

#[tokio::test]
async fn with_the_daily_digest_the_days_messages_come_as_one_email_at_six() {
    let smtp = TestServer::start(SMTP);
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let app = TestApp::with_config(|c| {
        c.mail.smtp_url = Some(url);
        c.public_url = Some("https://yinyao.example".into());
    })
    .await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let me = staff.my_id().await;
    staff
        .post("/inbox/email", &[("email", "wang@town-a.example")])
        .await;
    let kinds = [
        "role_granted",
        "role_revoked",
        "review_waiting",
        "tasks_digest",
    ];
    let mut form: Vec<(&str, &str)> = kinds.iter().map(|k| ("email", *k)).collect();
    form.push(("digest", "1"));
    let r = staff.post("/inbox/settings", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    fixtures::grant(&mut admin, me, c.town_a, "correspondent").await;
    fixtures::grant(&mut admin, me, c.village_a, "member").await;
    fixtures::notify_all(&app).await;
    // Both wait for 18:00 China time (or the end of the quiet hours, whichever is later).
    let evening = yinyao::notify::model::digest_time(chrono::Utc::now());
    let waiting = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM deliveries WHERE channel = 'email' AND next_at >= '{}'",
            (evening - chrono::Duration::seconds(5)).to_rfc3339()
        ))
        .await;
    assert_eq!(waiting, 2, "held for the digest");
    fixtures::due_now(&app).await;
    assert_eq!(yinyao::jobs::deliver_email(&app.state).await.unwrap(), 2);
    let got = smtp.received();
    assert_eq!(got.len(), 1, "one email for the day: {got:?}");
    assert_eq!(got[0]["subject"], "今天的消息汇总 (2)");
    let body = got[0]["body"].as_str().unwrap();
    assert!(
        body.contains("通讯员 · 城关镇") && body.contains("成员 · 杨柳村"),
        "{body}"
    );
    assert_eq!(
        fixtures::statuses(&app, Channel::Email).await,
        [("sent".into(), 2)]
    );
}
