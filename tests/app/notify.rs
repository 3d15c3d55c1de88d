//! Notifications: made from domain events once (a review waiting for the reviewers over the
//! unit, a rejection with its comment for the author, a role granted or revoked), the
//! morning digest of visit tasks once a day, and the inbox (unread count, mark read, only
//! one's own).

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

async fn inbox(c: &mut Client<'_>) -> serde_json::Value {
    let r = c.json("GET", "/api/v1/notifications", json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn kinds(inbox: &serde_json::Value) -> Vec<String> {
    inbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn review_decisions_and_roles_reach_the_right_people_once() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let mut reviewer = fixtures::user_client(&app, "rev", c.county, UnitRole::Reviewer).await;
    let mut other_town = fixtures::user_client(&app, "rev_b", c.town_b, UnitRole::Reviewer).await;
    let mut editor = fixtures::user_client(&app, "ed", c.town_a, UnitRole::Editor).await;
    let col = admin
        .json(
            "POST",
            "/api/v1/columns",
            json!({ "unit_id": c.town_a, "name": "镇动态", "kind": "column" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let id = editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": "城关镇重阳慰问", "body": "正文" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let decide = |action: &str, comment: Option<&str>| {
        (
            format!("/api/v1/articles/{id}/decision"),
            json!({ "action": action, "comment": comment }),
        )
    };
    let (p, b) = decide("submit", None);
    assert_eq!(editor.json("POST", &p, b).await.status, StatusCode::OK);
    fixtures::notify_all(&app).await;
    // The reviewers over the town (county reviewer and unit admin), not the other town's.
    for who in [&mut reviewer, &mut admin] {
        let i = inbox(who).await;
        assert_eq!(kinds(&i), ["review_waiting"], "{i}");
        assert_eq!(i["notifications"][0]["subject"], "城关镇重阳慰问");
        assert_eq!(i["unread"], 1);
    }
    assert!(
        kinds(&inbox(&mut other_town).await).is_empty(),
        "outside the unit's reach"
    );
    assert!(
        kinds(&inbox(&mut editor).await).is_empty(),
        "not the author"
    );
    // Running again notifies nothing more.
    fixtures::notify_all(&app).await;
    assert_eq!(inbox(&mut reviewer).await["unread"], 1);

    let (p, b) = decide("reject", Some("请补充活动照片"));
    assert_eq!(reviewer.json("POST", &p, b).await.status, StatusCode::OK);
    fixtures::notify_all(&app).await;
    let mine = inbox(&mut editor).await;
    assert_eq!(kinds(&mine), ["article_rejected"]);
    assert_eq!(mine["notifications"][0]["note"], "请补充活动照片");
    assert_eq!(mine["notifications"][0]["link"], format!("/news/{id}"));

    // The page: the kind in words, the comment, the unread mark; opening leads to the article
    // and marks it read; another account cannot open it.
    let page = editor.get("/inbox").await;
    assert!(page.body.contains("文章未通过审核") && page.body.contains("请补充活动照片"));
    assert!(page.body.contains("class=\"unread\""));
    let note = mine["notifications"][0]["id"].as_i64().unwrap();
    let r = reviewer.post(&format!("/inbox/{note}"), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "not the reviewer's notification"
    );
    let r = editor.post(&format!("/inbox/{note}"), &[]).await;
    assert_eq!(r.location(), format!("/news/{id}"));
    assert_eq!(inbox(&mut editor).await["unread"], 0);
    let badge = editor.get("/inbox/badge").await;
    assert!(
        !badge.body.contains("inbox-unread"),
        "no badge when all is read"
    );

    // A role granted, then revoked: the account hears of both, in its language.
    let me = editor.my_id().await;
    let grant = fixtures::grant(&mut admin, me, c.town_a, "correspondent").await;
    let r = admin
        .json("DELETE", &format!("/api/v1/grants/{grant}"), json!(null))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    fixtures::notify_all(&app).await;
    let mine = inbox(&mut editor).await;
    assert_eq!(kinds(&mine)[..2], ["role_revoked", "role_granted"]);
    let badge = editor.get("/inbox/badge").await;
    assert!(badge.body.contains(">2</span>"), "{}", badge.body);
    let page = editor.get("/inbox").await;
    assert!(page.body.contains("通讯员 · 城关镇"), "the role in words");
    let r = editor.post("/inbox/read-all", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(inbox(&mut editor).await["unread"], 0);
}

#[tokio::test]
async fn the_morning_digest_comes_once_a_day_with_counts() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let me = staff.my_id().await;
    let person = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "吴桂芳" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let today = chrono::Utc::now().date_naive();
    for (key, due) in [("a", -3), ("b", 0), ("c", 4)] {
        let due = today + chrono::Duration::days(due);
        app.exec_owned(format!(
            "INSERT INTO visit_tasks (person_id, reason, reason_key, window_start, due_on, assigned_to, status, created_at)
             VALUES ({person}, 'interval', '{key}', '{due}', '{due}', {me}, 'open', '{now}')",
            now = chrono::Utc::now().to_rfc3339()
        ))
        .await
        .unwrap();
    }
    let counts = {
        let mut tx = app.db().read().await.unwrap();
        yinyao::care::service::due_counts(&mut tx, today)
            .await
            .unwrap()
    };
    let mut tx = app.db().write().await.unwrap();
    let n = yinyao::notify::service::digest(&mut tx, today, &counts)
        .await
        .unwrap();
    let again = yinyao::notify::service::digest(&mut tx, today, &counts)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((n, again), (1, 0), "one a day");
    let i = inbox(&mut staff).await;
    assert_eq!(kinds(&i), ["tasks_digest"]);
    assert_eq!(
        i["notifications"][0]["subject"], "2/1",
        "two due by today, one overdue"
    );
    let page = staff.get("/inbox").await;
    assert!(
        page.body.contains("今日待访 2 · 其中逾期 1"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_notice_reaches_the_subtree_it_names_once_and_counts_its_reads() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let mut outsider = fixtures::user_client(&app, "staff_b", c.town_b, UnitRole::Staff).await;
    // Two people with accounts in the town's village: one retired, one a party member.
    let mut members = Vec::new();
    for (login, name, category) in [
        ("zhang", "张桂英", "tuixiu"),
        ("li", "李德胜", "party_member"),
    ] {
        let r = staff
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": c.village_a, "name": name, "categories": [category] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let person = r.json()["id"].as_i64().unwrap();
        let member = fixtures::user_client(&app, login, c.village_a, UnitRole::Member).await;
        let r = staff
            .post(
                &format!("/people/{person}/link"),
                &[("username", login), ("reason", "本人申请")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        members.push(member);
    }
    // How many it reaches, before sending: the retired only.
    let draft = json!({ "unit_id": c.town_a, "title": "降温提醒", "body": "明天起气温骤降，请注意保暖。",
                        "members": true, "categories": ["tuixiu"] });
    let r = staff
        .json("POST", "/api/v1/notices?dry_run=true", draft.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["recipients"], 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notices").await,
        0,
        "nothing sent"
    );
    // The page's check says the same and keeps the form.
    let village = c.town_a.to_string();
    let page = staff
        .post(
            "/notices/check",
            &[
                ("unit_id", &village),
                ("title", "降温提醒"),
                ("body", "注意保暖"),
                ("members", "1"),
                ("categories", "tuixiu"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"notice-reach\""));
    assert!(page.body.contains("value=\"降温提醒\""));
    // Outside the sender's reach: refused, nothing written.
    let r = outsider
        .json("POST", "/api/v1/notices", draft.clone())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Sent: the retired member has it in the inbox; the party member does not.
    let r = staff.json("POST", "/api/v1/notices", draft).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let zhang = inbox(&mut members[0]).await;
    assert_eq!(kinds(&zhang), ["notice"]);
    assert_eq!(
        zhang["notifications"][0]["note"],
        "明天起气温骤降，请注意保暖。"
    );
    assert!(kinds(&inbox(&mut members[1]).await).is_empty());
    // Read figures on the notice's page; out of reach it is 404.
    let note = zhang["notifications"][0]["id"].as_i64().unwrap();
    members[0].post(&format!("/inbox/{note}"), &[]).await;
    let page = staff.get(&format!("/notices/{id}")).await;
    assert_eq!(page.element_text("fig-recipients").as_deref(), Some("1"));
    assert_eq!(page.element_text("fig-read").as_deref(), Some("1"));
    assert_eq!(
        outsider.get(&format!("/notices/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'notice.send'")
            .await,
        1
    );
    // Staff too: the town's staff accounts (the sender left out) and the members, once each.
    let r = staff
        .json(
            "POST",
            "/api/v1/notices?dry_run=true",
            json!({ "unit_id": c.town_a, "title": "t", "body": "b", "members": true, "staff": true }),
        )
        .await;
    assert_eq!(
        r.json()["recipients"],
        2,
        "two members; the sender is the only staff"
    );
    let r = staff
        .json(
            "POST",
            "/api/v1/notices",
            json!({ "unit_id": c.town_a, "title": "t", "body": "b" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no audience chosen"
    );
}

#[tokio::test]
async fn an_answer_under_a_comment_reaches_its_writer() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = admin
        .json(
            "POST",
            "/api/v1/columns",
            json!({ "unit_id": c.county, "name": "动态", "kind": "column" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    admin
        .post(
            "/news/review-steps",
            &[("unit_id", &c.county.to_string()), ("steps", "1")],
        )
        .await;
    let mut editor = fixtures::user_client(&app, "ed", c.county, UnitRole::Editor).await;
    let id = fixtures::publish(
        &mut editor,
        &mut admin,
        json!({ "column_id": col, "title": "老年大学开学", "body": "正文" }),
    )
    .await;
    // A member comments (signed in: shown at once).
    let mut member = fixtures::user_client(&app, "laowang", c.village_a, UnitRole::Member).await;
    member.get(&format!("/read/{id}")).await;
    let r = member
        .post(
            &format!("/read/{id}/comments"),
            &[("body", "什么时候报名？")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let comment = app.scalar("SELECT MAX(id) FROM article_comments").await;
    // A reader without an account answers: nothing until a moderator approves it.
    let mut reader = app.client();
    reader.get(&format!("/read/{id}")).await;
    reader
        .post(
            &format!("/read/{id}/comments"),
            &[
                ("author_name", "老李"),
                ("body", "下周一开始报名"),
                ("parent_id", &comment.to_string()),
            ],
        )
        .await;
    fixtures::notify_all(&app).await;
    assert!(
        kinds(&inbox(&mut member).await).is_empty(),
        "not before it is shown"
    );
    let reply = app.scalar("SELECT MAX(id) FROM article_comments").await;
    let r = editor
        .post(&format!("/news/comments/{reply}"), &[("action", "approve")])
        .await;
    assert!(r.status.is_redirection(), "{}", r.body);
    fixtures::notify_all(&app).await;
    let mine = inbox(&mut member).await;
    assert_eq!(kinds(&mine), ["comment_reply"]);
    assert_eq!(mine["notifications"][0]["subject"], "老年大学开学");
    assert_eq!(mine["notifications"][0]["note"], "老李：下周一开始报名");
    assert_eq!(
        mine["notifications"][0]["link"],
        format!("/read/{id}#comments")
    );
    // The member answering their own thread is not told of it.
    member
        .post(
            &format!("/read/{id}/comments"),
            &[("body", "谢谢"), ("parent_id", &comment.to_string())],
        )
        .await;
    fixtures::notify_all(&app).await;
    assert_eq!(kinds(&inbox(&mut member).await).len(), 1);
}

#[tokio::test]
async fn a_login_from_a_new_device_tells_the_account_at_once_but_not_the_first_login() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut phone = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let me = phone.my_id().await;
    // The fixture's login was the account's first device: nothing to tell.
    fixtures::notify_all(&app).await;
    assert!(kinds(&inbox(&mut phone).await).is_empty());
    // The same device again: nothing.
    let mut again = app.client();
    again.login("staff_a", fixtures::PASSWORD).await;
    fixtures::notify_all(&app).await;
    assert!(kinds(&inbox(&mut phone).await).is_empty());
    // Another browser: told, with what it was, not held by quiet hours.
    let mut other = app.client();
    other.extra.push((
        "user-agent",
        "Mozilla/5.0 (Windows NT 10.0) Chrome/120".into(),
    ));
    other.login("staff_a", fixtures::PASSWORD).await;
    fixtures::notify_all(&app).await;
    let i = inbox(&mut phone).await;
    assert_eq!(kinds(&i), ["login_new_device"], "{i}");
    assert!(
        i["notifications"][0]["note"]
            .as_str()
            .unwrap()
            .contains("Windows NT 10.0")
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM account_devices WHERE account_id = {me}"
        ))
        .await,
        2
    );
    assert!(yinyao::notify::NoticeKind::LoginNewDevice.urgent());
}
