//! Notifications by SMS through a local provider (tests/sms/server.py): Tencent Cloud's
//! `SendSms` signed as its documentation says (the server recomputes the signature), a bad
//! number failed with its reason while the rest go, the mobile never stored outside the
//! person file; the webhook with the provider stopped mid-run (nothing lost, each sent once
//! when it is back) and the hourly limit per recipient; and the preferences: channels per
//! kind, one's own quiet hours, and the unsubscribe link.

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp, TestServer};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::notify::model::Channel;

const SMS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sms/server.py");

async fn file(c: &mut Client<'_>, unit: i64, name: &str, mobile: Option<&str>) -> i64 {
    let r = c
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": unit, "name": name, "categories": ["tuixiu"], "mobile": mobile }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn notice(c: &mut Client<'_>, unit: i64, title: &str) -> i64 {
    let r = c
        .json(
            "POST",
            "/api/v1/notices",
            json!({ "unit_id": unit, "title": title, "body": "明天起持续高温，请减少外出，多喝水。",
                    "registry": true, "sms": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn tencent_sms_is_signed_as_documented_and_a_bad_number_fails_alone() {
    let provider = TestServer::start(SMS);
    let url = format!("http://127.0.0.1:{}", provider.port);
    let app = TestApp::with_config(|c| {
        c.sms.provider = "tencent".into();
        c.sms.url = Some(url);
        c.sms.secret_id = Some("AKIDtestsecretid".into());
        c.sms.secret_key = Some("testsecretkey".into());
        c.sms.app_id = Some("1400000001".into());
        c.sms.sign_name = Some("银耀".into());
        c.sms.template_id = Some("123456".into());
    })
    .await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    file(&mut staff, c.village_a, "王桂兰", Some("13912340001")).await;
    file(&mut staff, c.village_a, "李德明", Some("13912340000")).await;
    file(&mut staff, c.village_a, "赵建国", None).await;
    // Who it reaches, first: the two with a mobile, no account needed.
    let r = staff
        .json(
            "POST",
            "/api/v1/notices?dry_run=true",
            json!({ "unit_id": c.village_a, "title": "高温提醒", "body": "多喝水",
                    "registry": true, "sms": true }),
        )
        .await;
    assert_eq!(r.json()["registry"], 2, "{}", r.body);
    // The registry only by SMS: refused without it, nothing written.
    let r = staff
        .json(
            "POST",
            "/api/v1/notices",
            json!({ "unit_id": c.village_a, "title": "高温提醒", "body": "多喝水", "registry": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notices").await, 0);

    let id = notice(&mut staff, c.village_a, "高温提醒").await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM deliveries WHERE address LIKE '%1391234%'")
            .await,
        0,
        "the mobile is not copied out of the file"
    );
    fixtures::due_now(&app).await;
    // Two job runners at once: each SMS is claimed and sent by one.
    let (a, b) = tokio::join!(
        yinyao::jobs::deliver_sms(&app.state),
        yinyao::jobs::deliver_sms(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    let got = provider.received();
    assert_eq!(got.len(), 2, "{got:?}");
    for g in &got {
        assert_eq!(g["signature_ok"], true, "{g}");
        assert_eq!(g["action"], "SendSms");
        assert_eq!(g["version"], "2021-01-11");
        assert_eq!(g["region"], "ap-guangzhou");
        assert_eq!(
            (g["app"].as_str(), g["sign"].as_str()),
            (Some("1400000001"), Some("银耀"))
        );
        assert!(
            g["params"][0]
                .as_str()
                .unwrap()
                .starts_with("温馨提示：高温提醒"),
            "{g}"
        );
    }
    let mut to: Vec<&str> = got.iter().map(|g| g["to"].as_str().unwrap()).collect();
    to.sort();
    assert_eq!(to, ["+8613912340000", "+8613912340001"]);
    assert_eq!(
        fixtures::statuses(&app, Channel::Sms).await,
        [("failed".into(), 1), ("sent".into(), 1)]
    );
    let why = app
        .text("SELECT COALESCE(MAX(last_error), '') FROM deliveries WHERE status = 'failed'")
        .await;
    assert!(why.contains("IncorrectPhoneNumber"), "{why}");
    // The sender sees it on the notice.
    let page = staff.get(&format!("/notices/{id}")).await;
    assert_eq!(page.element_text("fig-sms-sent").as_deref(), Some("1"));
    assert_eq!(page.element_text("fig-sms-failed").as_deref(), Some("1"));
    assert_eq!(page.element_text("fig-registry").as_deref(), Some("2"));
    // Nothing goes twice.
    assert_eq!(yinyao::jobs::deliver_sms(&app.state).await.unwrap(), 0);
    assert_eq!(provider.received().len(), 2);

    // A wrong key: the provider refuses the signature, and the message fails with the reason.
    use yinyao::notify::sms::{Configured, Sender, Sms};
    let mut wrong = app.state.config.sms.clone();
    wrong.secret_key = Some("not-the-key".into());
    let sender = Configured::from_config(&wrong).unwrap();
    let sms = Sms {
        mobile: "13912340001".into(),
        text: "温馨提示：降温提醒".into(),
    };
    match sender.send(&sms).await {
        yinyao::notify::mail::Outcome::Failed(why) => {
            assert!(why.contains("AuthFailure.SignatureFailure"), "{why}")
        }
        other => panic!("a bad signature is final: {other:?}"),
    }
    assert!(
        provider
            .received()
            .iter()
            .any(|g| g["signature_ok"] == false)
    );
    let bad = Sms {
        mobile: "1391234".into(),
        text: "x".into(),
    };
    assert!(
        matches!(sender.send(&bad).await, yinyao::notify::mail::Outcome::Failed(w) if w.contains("invalid mobile")),
        "an invalid number is never sent"
    );
    assert_eq!(provider.received().len(), 3);
}

#[tokio::test]
async fn a_provider_down_loses_nothing_and_each_number_gets_at_most_its_hourly_share() {
    let provider = TestServer::start(SMS);
    let url = format!("http://127.0.0.1:{}/hook", provider.port);
    let app = TestApp::with_config(|c| {
        c.sms.provider = "webhook".into();
        c.sms.url = Some(url);
        c.sms.token = Some("hook-token".into());
        c.sms.per_hour = 2;
    })
    .await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    file(&mut staff, c.village_a, "王桂兰", Some("13912345678")).await;
    for t in ["一号提醒", "二号提醒", "三号提醒"] {
        notice(&mut staff, c.village_a, t).await;
    }
    // The provider stops: what was tried waits with its reason; nothing is lost.
    let (port, dir) = provider.stop();
    fixtures::due_now(&app).await;
    assert_eq!(
        yinyao::jobs::deliver_sms(&app.state).await.unwrap(),
        2,
        "two tried, the third kept for the next hour"
    );
    assert_eq!(
        fixtures::statuses(&app, Channel::Sms).await,
        [("queued".into(), 3)]
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM deliveries WHERE attempts = 1 AND last_error IS NOT NULL")
            .await,
        2
    );
    // Back: the two go, once each; the third waits for the hour.
    let provider = TestServer::start_on(SMS, port, dir);
    fixtures::due_now(&app).await;
    assert_eq!(yinyao::jobs::deliver_sms(&app.state).await.unwrap(), 2);
    let got = provider.received();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0]["to"], "+8613912345678");
    assert!(
        got[0]["text"].as_str().unwrap().contains("明天起持续高温"),
        "{got:?}"
    );
    fixtures::due_now(&app).await;
    assert_eq!(
        yinyao::jobs::deliver_sms(&app.state).await.unwrap(),
        0,
        "the hour's share is used"
    );
    // An hour later the third goes.
    app.exec_owned(format!(
        "UPDATE deliveries SET sent_at = '{}' WHERE status = 'sent'",
        (chrono::Utc::now() - chrono::Duration::minutes(61)).to_rfc3339()
    ))
    .await
    .unwrap();
    fixtures::due_now(&app).await;
    assert_eq!(yinyao::jobs::deliver_sms(&app.state).await.unwrap(), 1);
    assert_eq!(provider.received().len(), 3);
    assert_eq!(
        fixtures::statuses(&app, Channel::Sms).await,
        [("sent".into(), 3)]
    );
}

#[tokio::test]
async fn preferences_choose_channels_and_quiet_hours_and_the_email_link_unsubscribes() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let me = staff.my_id().await;
    staff
        .post("/inbox/email", &[("email", "wang@town-a.example")])
        .await;
    let page = staff.get("/inbox/settings").await;
    assert!(
        page.body
            .contains("id=\"email-role_granted\" name=\"email\" value=\"role_granted\" checked"),
        "{}",
        page.body
    );
    // Half a choice of quiet hours: named, nothing saved.
    let r = staff
        .post(
            "/inbox/settings",
            &[("email", "review_waiting"), ("quiet_from", "20")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notify_prefs").await, 0);
    // Roles by email off; quiet hours around the present hour (China time).
    let hour = chrono::Timelike::hour(&chrono::Utc::now().with_timezone(&yinyao::i18n::china()));
    let (from, until) = (hour.to_string(), ((hour + 2) % 24).to_string());
    let r = staff
        .post(
            "/inbox/settings",
            &[
                ("email", "review_waiting"),
                ("quiet_from", &from),
                ("quiet_until", &until),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    fixtures::grant(&mut admin, me, c.town_a, "correspondent").await;
    fixtures::notify_all(&app).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notifications").await,
        1,
        "in the inbox still"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM deliveries").await,
        0,
        "no email for roles"
    );
    // Reviews by email, held by the quiet hours.
    let mut tx = app.db().write().await.unwrap();
    let n = yinyao::notify::model::NewNotice {
        account: yinyao::ids::AccountId(me),
        kind: yinyao::notify::NoticeKind::ReviewWaiting,
        subject: "重阳慰问".into(),
        note: None,
        link: None,
        once_key: None,
        sms: true,
    };
    yinyao::notify::service::write(&mut tx, &n).await.unwrap();
    tx.commit().await.unwrap();
    let waits = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM deliveries WHERE channel = 'email' AND next_at > '{}'",
            (chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339()
        ))
        .await;
    assert_eq!(waits, 1, "held until the quiet hours end");

    // The email's link: a forged one is 404; the right one asks, then stops that kind only.
    let link = yinyao::notify::prefs::service::link(
        &app.state.crypto,
        "",
        me,
        yinyao::notify::NoticeKind::ReviewWaiting,
    );
    let mut anon = app.client();
    let forged = link.replace("k=review_waiting", "k=tasks_digest");
    assert_eq!(anon.get(&forged).await.status, StatusCode::NOT_FOUND);
    let ask = anon.get(&link).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notify_prefs WHERE email")
            .await,
        1,
        "a visit changes nothing"
    );
    let q: Vec<(String, String)> =
        serde_urlencoded::from_str(link.split_once('?').unwrap().1).unwrap();
    let fields: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = anon.post("/unsubscribe", &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.element_text("unsubscribed").is_some());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notify_prefs WHERE email")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'notify.unsubscribe'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_must_reach_notice_left_unread_goes_by_sms_then_becomes_a_call_for_the_paired_staff() {
    let provider = TestServer::start(SMS);
    let url = format!("http://127.0.0.1:{}/hook", provider.port);
    let app = TestApp::with_config(|c| {
        c.sms.provider = "webhook".into();
        c.sms.url = Some(url);
        c.sms.token = Some("hook-token".into());
    })
    .await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let staff_id = staff.my_id().await;
    let mut slow = fixtures::user_client(&app, "member_slow", c.village_a, UnitRole::Member).await;
    let mut quick =
        fixtures::user_client(&app, "member_quick", c.village_a, UnitRole::Member).await;
    // Each member's account is linked to their file, which has the mobile.
    for (who, name, mobile) in [
        (&mut slow, "王桂兰", "13912340001"),
        (&mut quick, "李德明", "13912340002"),
    ] {
        let account = who.my_id().await;
        let person = file(&mut staff, c.village_a, name, Some(mobile)).await;
        app.exec_owned(format!(
            "UPDATE people SET account_id = {account} WHERE id = {person}"
        ))
        .await
        .unwrap();
        let r = staff
            .json(
                "PUT",
                &format!("/api/v1/people/{person}/care-plan"),
                json!({ "tier": "key", "paired_staff": staff_id }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = staff
        .json(
            "POST",
            "/api/v1/notices",
            json!({ "unit_id": c.village_a, "title": "停水通知", "body": "明天上午停水，请提前储水。",
                    "members": true, "must_reach": true, "fallback_hours": "2" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    quick
        .json("POST", "/api/v1/notifications/read-all", json!(null))
        .await;
    assert_eq!(
        yinyao::jobs::must_reach(&app.state).await.unwrap(),
        (0, 0),
        "not yet due"
    );
    let back = |col: &str, hours: i64| {
        format!(
            "UPDATE notices SET {col} = '{}' WHERE id = {id}",
            (chrono::Utc::now() - chrono::Duration::hours(hours)).to_rfc3339()
        )
    };
    app.exec_owned(back("created_at", 3)).await.unwrap();
    assert_eq!(
        yinyao::jobs::must_reach(&app.state).await.unwrap(),
        (1, 0),
        "the unread one by SMS"
    );
    assert_eq!(
        yinyao::jobs::must_reach(&app.state).await.unwrap(),
        (0, 0),
        "once"
    );
    fixtures::due_now(&app).await;
    assert_eq!(yinyao::jobs::deliver_sms(&app.state).await.unwrap(), 1);
    let got = provider.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["to"], "+8613912340001");
    assert!(got[0]["text"].as_str().unwrap().contains("停水通知"));
    // Still unread as long again: a phone task for the paired staff member, once.
    app.exec_owned(back("escalated_at", 3)).await.unwrap();
    assert_eq!(yinyao::jobs::must_reach(&app.state).await.unwrap(), (0, 1));
    assert_eq!(yinyao::jobs::must_reach(&app.state).await.unwrap(), (0, 0));
    let task = app
        .rows3("SELECT t.reason, p.name, t.assigned_to FROM visit_tasks t JOIN people p ON p.id = t.person_id")
        .await;
    assert_eq!(
        task,
        [("notice".to_string(), "王桂兰".to_string(), staff_id)]
    );
    let tasks = staff.json("GET", "/api/v1/tasks", json!(null)).await;
    assert!(tasks.body.contains("\"notice\""), "{}", tasks.body);
    let page = staff.get(&format!("/notices/{id}")).await;
    assert!(
        page.body.contains("id=\"notice-must-reach\""),
        "{}",
        page.body
    );
    assert_eq!(page.element_text("fig-sms-sent").as_deref(), Some("1"));
}
