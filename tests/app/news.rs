//! Publishing: the review workflow (two steps, one step, illegal moves refused), scheduled
//! publishing, withdrawal, visibility by role, public reading and read counts.

use crate::fixtures::{self, county, decide};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

async fn column(editor: &mut Client<'_>, unit: i64, name: &str) -> i64 {
    let r = editor
        .json(
            "POST",
            "/api/v1/columns",
            json!({ "unit_id": unit, "name": name, "kind": "column" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn draft(writer: &mut Client<'_>, column: i64, title: &str, extra: serde_json::Value) -> i64 {
    let mut body = json!({ "column_id": column, "title": title,
        "body": "九九重阳，**敬老爱老**。\n\n<script>alert(1)</script>村里为老人送去了慰问品。", "tags": "重阳, 敬老" });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = writer.json("POST", "/api/v1/articles", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

fn error_key(r: &crate::helpers::Resp) -> String {
    r.json()["fields"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn two_step_review_needs_two_reviewers_and_refuses_illegal_moves() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut editor = fixtures::user_client(&app, "editor", c.county, UnitRole::Editor).await;
    let col = column(&mut editor, c.county, "工作动态").await;
    let mut writer =
        fixtures::user_client(&app, "reporter", c.village_a, UnitRole::Correspondent).await;
    let id = draft(&mut writer, col, "杨柳村重阳节慰问老人", json!({})).await;

    // A second save is a new version; the first stays.
    let r = writer
        .json(
            "PUT",
            &format!("/api/v1/articles/{id}"),
            json!({ "column_id": col, "title": "杨柳村重阳节走访慰问老人", "body": "改后的正文" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let a = writer
        .json("GET", &format!("/api/v1/articles/{id}"), json!(null))
        .await
        .json();
    assert_eq!(a["version"], 2);
    assert_eq!(a["state"], "draft");

    let mut first = fixtures::user_client(&app, "rev_town", c.town_a, UnitRole::Reviewer).await;
    let r = decide(&mut first, id, "approve", None).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a draft is not approved"
    );
    assert!(error_key(&r).contains("状态"), "{}", r.body);

    assert_eq!(
        decide(&mut writer, id, "submit", None).await.status,
        StatusCode::OK
    );
    let r = writer
        .json(
            "PUT",
            &format!("/api/v1/articles/{id}"),
            json!({ "column_id": col, "title": "偷偷改标题", "body": "x" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no edits under review"
    );
    assert_eq!(
        decide(&mut writer, id, "approve", None).await.status,
        StatusCode::FORBIDDEN,
        "a correspondent does not review"
    );

    let queue = first
        .json("GET", "/api/v1/review-queue", json!(null))
        .await
        .json();
    assert_eq!(queue[0]["id"], id);
    let r = decide(&mut first, id, "reject", Some("")).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejection needs a comment"
    );
    let r = decide(&mut first, id, "approve", None).await;
    assert_eq!(r.json()["state"], "first_approved");
    let r = decide(&mut first, id, "approve", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_key(&r).contains("不同的人"), "{}", r.body);
    assert!(
        !error_key(&r).contains("作者"),
        "the reviewer is not the author: the reason says what is wrong"
    );
    // The page offers this reviewer only what is open to them now: no second approval, but
    // still sending it back; the decisions stand below the text.
    let page = first.get(&format!("/news/{id}")).await;
    assert!(
        !page.body.contains("id=\"approve-article\""),
        "no approval twice"
    );
    assert!(page.body.contains("name=\"action\" value=\"reject\""));
    let text_at = page.body.find("class=\"article-body\"").unwrap();
    assert!(page.body.find("id=\"decisions\"").unwrap() > text_at);
    // A refused step names the field in words, not by its key.
    let r = first
        .post(&format!("/news/{id}/decision"), &[("action", "fly")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("操作") && !r.body.contains("field.action"),
        "{}",
        r.body
    );
    let queue = first
        .json("GET", "/api/v1/review-queue", json!(null))
        .await
        .json();
    assert!(
        queue.as_array().unwrap().is_empty(),
        "not twice in one queue"
    );

    // Public readers see nothing until it is published.
    let mut public = app.client();
    assert_eq!(
        public.get(&format!("/read/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    let mut last = fixtures::user_client(&app, "rev_county", c.county, UnitRole::Reviewer).await;
    let r = decide(&mut last, id, "approve", None).await;
    assert_eq!(r.json()["state"], "published", "{}", r.body);
    let page = public.get(&format!("/read/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("杨柳村重阳节走访慰问老人"));
    assert!(page.body.contains("og:title"));
    assert!(page.body.contains("id=\"read-aloud\""));
    assert_eq!(
        decide(&mut writer, id, "submit", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The trail says who did what; the audit trail has it too.
    let trail = last
        .json("GET", &format!("/api/v1/articles/{id}/events"), json!(null))
        .await
        .json();
    let steps: Vec<(&str, &str, &str)> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["to_state"].as_str().unwrap(),
                e["actor_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("submit", "submitted", "reporter"),
            ("approve", "first_approved", "rev_town"),
            ("approve", "published", "rev_county"),
        ]
    );
    let staff_page = last.get(&format!("/news/{id}")).await;
    assert!(staff_page.body.contains("rev_town") && staff_page.body.contains("rev_county"));
    let mut tx = app.db().read().await.unwrap();
    for (action, n) in [
        ("article.submit", 1),
        ("article.approve", 2),
        ("article.create", 1),
    ] {
        let f = yinyao::audit::Filter {
            action: Some(action.into()),
            ..Default::default()
        };
        assert_eq!(
            yinyao::audit::count(&mut tx, &f).await.unwrap(),
            n,
            "{action}"
        );
    }
    drop(tx);

    // Withdrawal needs a reason, hides the article from the public, keeps it for staff.
    assert_eq!(
        decide(&mut last, id, "withdraw", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let column_page = public.get(&format!("/read/columns/{col}")).await;
    assert!(
        column_page.body.contains("杨柳村重阳节走访慰问老人"),
        "listed while published"
    );
    let r = decide(&mut last, id, "withdraw", Some("照片使用未获授权")).await;
    assert_eq!(r.json()["state"], "withdrawn");
    assert_eq!(
        public.get(&format!("/read/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Gone from every public place: the column, its feeds, search, the API.
    for path in [
        format!("/read/columns/{col}"),
        format!("/read/columns/{col}/rss.xml"),
        format!("/read/columns/{col}/atom.xml"),
        "/read".to_string(),
        format!(
            "/read/search?q={}",
            yinyao::web::render::urlencode("走访慰问")
        ),
    ] {
        let r = public.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            !r.body.contains("杨柳村重阳节走访慰问老人"),
            "{path} still lists it"
        );
    }
    assert_eq!(
        public
            .get(&format!("/api/v1/public/articles/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let a = last
        .json("GET", &format!("/api/v1/articles/{id}"), json!(null))
        .await
        .json();
    assert_eq!(a["withdrawn_reason"], "照片使用未获授权");
    // The audit trail says who withdrew it, from what state, and why.
    let entries = audit_entries(&app, "article.withdraw").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].target, format!("article:{id}"));
    assert!(
        entries[0].detail.contains("照片使用未获授权") && entries[0].detail.contains("published")
    );
}

#[tokio::test]
async fn one_step_units_publish_on_approval_or_at_the_set_time() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = column(&mut admin, c.county, "通知公告").await;
    let r = admin
        .post(
            "/news/review-steps",
            &[("unit_id", &c.county.to_string()), ("steps", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut editor = fixtures::user_client(&app, "editor", c.town_a, UnitRole::Editor).await;
    let mut reviewer = fixtures::user_client(&app, "rev", c.county, UnitRole::Reviewer).await;

    let now_id = draft(&mut editor, col, "关于开展冬季走访的通知", json!({})).await;
    decide(&mut editor, now_id, "submit", None).await;
    // A reviewer of the source town may not publish into the county's column.
    let mut town_rev = fixtures::user_client(&app, "town_rev", c.town_a, UnitRole::Reviewer).await;
    assert_eq!(
        decide(&mut town_rev, now_id, "approve", None).await.status,
        StatusCode::FORBIDDEN
    );
    let q = town_rev
        .json("GET", "/api/v1/review-queue", json!(null))
        .await
        .json();
    assert_eq!(q[0]["id"], now_id, "it may still send it back");
    let r = decide(&mut reviewer, now_id, "approve", None).await;
    assert_eq!(r.json()["state"], "published", "one step is enough");

    let later = draft(
        &mut editor,
        col,
        "元旦游园活动预告",
        json!({ "publish_at": "2099-01-01T08:00" }),
    )
    .await;
    decide(&mut editor, later, "submit", None).await;
    let r = decide(&mut reviewer, later, "approve", None).await;
    assert_eq!(r.json()["state"], "approved", "waits for its time");
    let mut public = app.client();
    assert_eq!(
        public.get(&format!("/read/{later}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(publish_due(&app).await, 0);

    app.exec_owned(format!(
        "UPDATE articles SET publish_at = '2020-01-01T00:00:00+00:00' WHERE id = {later}"
    ))
    .await
    .unwrap();
    assert_eq!(publish_due(&app).await, 1);
    assert_eq!(publish_due(&app).await, 0, "published once");
    assert_eq!(
        public.get(&format!("/read/{later}")).await.status,
        StatusCode::OK
    );
    let front = public.get("/read").await;
    assert!(
        front.body.contains("元旦游园活动预告") && front.body.contains("关于开展冬季走访的通知")
    );
}

#[tokio::test]
async fn drafts_stay_in_scope_and_readers_are_counted_once_a_day() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut editor_a = fixtures::user_client(&app, "editor_a", c.town_a, UnitRole::Editor).await;
    let col = column(&mut editor_a, c.town_a, "城关动态").await;
    let id = draft(&mut editor_a, col, "城关镇老年大学开学", json!({})).await;

    let mut editor_b = fixtures::user_client(&app, "editor_b", c.town_b, UnitRole::Editor).await;
    let r = editor_b
        .json("GET", &format!("/api/v1/articles/{id}"), json!(null))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a sibling town's draft");
    assert_eq!(
        editor_b.get(&format!("/news/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = editor_b
        .json("GET", "/api/v1/articles", json!(null))
        .await
        .json();
    assert!(list.as_array().unwrap().is_empty());
    let r = draft_status(&mut editor_b, col).await;
    assert_eq!(r, StatusCode::UNPROCESSABLE_ENTITY, "nor its column");

    let mut anon = app.client();
    let r = anon.get("/news").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "staff pages need a login");
    assert_eq!(
        anon.get(&format!("/api/v1/public/articles/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Sensitive words are pointed out to the reviewer, not rejected.
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    assert_eq!(
        editor_a
            .post("/news/sensitive-words", &[("word", "删除我")])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "a town editor does not change the system-wide list"
    );
    admin
        .post("/news/sensitive-words", &[("word", "慰问品")])
        .await;
    decide(&mut editor_a, id, "submit", None).await;
    let page = admin.get(&format!("/news/{id}")).await;
    assert!(
        page.body.contains("id=\"sensitive-hits\"") && page.body.contains("<mark>慰问品</mark>")
    );
    // And marked where they stand in the text itself.
    let at = page
        .body
        .find("id=\"sensitive-text\"")
        .expect("the marked text");
    let marked = &page.body[at..];
    let marked = &marked[..marked.find("</section>").unwrap()];
    assert_eq!(marked.matches("<mark>慰问品</mark>").count(), 1, "{marked}");
    assert!(
        marked.contains("村里为老人送去了"),
        "the text around it: {marked}"
    );
    let mut rev = fixtures::user_client(&app, "rev", c.county, UnitRole::Reviewer).await;
    decide(&mut rev, id, "approve", None).await;
    let r = decide(&mut admin, id, "approve", None).await;
    assert_eq!(r.json()["state"], "published", "{}", r.body);

    let page = anon.get(&format!("/read/{id}")).await;
    assert!(
        !page.body.contains("<script>alert(1)"),
        "the body is sanitised"
    );
    assert!(page.body.contains("<strong>敬老爱老</strong>"));
    assert_eq!(page.element_text("read-count").as_deref(), Some("1"));
    let page = anon.get(&format!("/read/{id}")).await;
    assert_eq!(
        page.element_text("read-count").as_deref(),
        Some("1"),
        "same reader, same day"
    );
    let mut other = app.client();
    other.get("/read").await;
    let page = other.get(&format!("/read/{id}")).await;
    assert_eq!(page.element_text("read-count").as_deref(), Some("2"));
    // A reader whose first page is the article itself (no cookie yet), then comes back.
    let mut fresh = app.client();
    fresh.peer = Some("203.0.113.44:5000".parse().unwrap());
    let page = fresh.get(&format!("/read/{id}")).await;
    assert_eq!(page.element_text("read-count").as_deref(), Some("3"));
    let page = fresh.get(&format!("/read/{id}")).await;
    assert_eq!(
        page.element_text("read-count").as_deref(),
        Some("3"),
        "the first visit without a cookie and the next with it are one reader"
    );
    // Another reader behind the same address, who had our cookie already, is themselves.
    let mut neighbour = app.client();
    neighbour.peer = fresh.peer;
    neighbour.get("/read").await;
    let page = neighbour.get(&format!("/read/{id}")).await;
    assert_eq!(page.element_text("read-count").as_deref(), Some("4"));
    // A signed-in reader counts once, whatever cookie they had before signing in.
    let page = rev.get(&format!("/read/{id}")).await;
    assert_eq!(page.element_text("read-count").as_deref(), Some("5"));
    let page = rev.get(&format!("/read/{id}")).await;
    assert_eq!(page.element_text("read-count").as_deref(), Some("5"));
    let col_page = other.get(&format!("/read/columns/{col}")).await;
    assert!(col_page.body.contains("城关镇老年大学开学"));
}

async fn draft_status(writer: &mut Client<'_>, column: i64) -> StatusCode {
    writer
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": column, "title": "越权", "body": "x" }),
        )
        .await
        .status
}

/// A rejected article goes back to its author with the comment, is edited (a new version)
/// and submitted again; the reviewer's queue lists submissions oldest first.
#[tokio::test]
async fn rejected_articles_are_edited_and_resubmitted_and_the_queue_is_oldest_first() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "基层动态").await;
    let mut writer = fixtures::user_client(&app, "writer", c.town_a, UnitRole::Editor).await;
    let older = draft(&mut writer, col, "先交的稿件", json!({})).await;
    let newer = draft(&mut writer, col, "后交的稿件", json!({})).await;
    // Submitted in the other order than created: the queue follows submission.
    decide(&mut writer, newer, "submit", None).await;
    decide(&mut writer, older, "submit", None).await;
    // Make "submitted first" unmistakable (both submissions can fall in one millisecond).
    app.exec_owned(format!(
        "UPDATE articles SET updated_at = '2020-01-01T00:00:00Z' WHERE id = {newer}"
    ))
    .await
    .unwrap();
    let queue = admin
        .json("GET", "/api/v1/review-queue", json!(null))
        .await
        .json();
    let order: Vec<i64> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        order,
        vec![newer, older],
        "first submitted, first in the queue"
    );
    let page = admin.get("/news/review").await;
    let (a, b) = (
        page.body.find("后交的稿件").expect("listed"),
        page.body.find("先交的稿件").expect("listed"),
    );
    assert!(a < b, "the page shows the same order");

    let r = decide(&mut admin, older, "reject", Some("请补充活动时间")).await;
    assert_eq!(r.json()["state"], "rejected", "{}", r.body);
    let page = writer.get(&format!("/news/{older}")).await;
    assert!(page.body.contains("请补充活动时间"), "the author sees why");
    let entries = audit_entries(&app, "article.reject").await;
    assert_eq!(entries.len(), 1, "the rejection is in the audit trail");
    assert_eq!(entries[0].target, format!("article:{older}"));
    assert!(entries[0].detail.contains("请补充活动时间"));
    let r = writer
        .json(
            "PUT",
            &format!("/api/v1/articles/{older}"),
            json!({ "column_id": col, "title": "先交的稿件", "body": "活动于十月十一日上午举行。" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "a rejected article can be edited: {}",
        r.body
    );
    let r = decide(&mut writer, older, "submit", None).await;
    assert_eq!(r.json()["state"], "submitted", "{}", r.body);
    let r = decide(&mut admin, older, "approve", None).await;
    assert_eq!(r.json()["state"], "published", "{}", r.body);
    let a = writer
        .json("GET", &format!("/api/v1/articles/{older}"), json!(null))
        .await
        .json();
    assert_eq!(a["version"], 2);
    let page = app.client().get(&format!("/read/{older}")).await;
    assert!(
        page.body.contains("十月十一日"),
        "the edited text is what is published"
    );
}

/// The audit entries of `action`, newest first.
async fn audit_entries(app: &TestApp, action: &str) -> Vec<yinyao::audit::model::Entry> {
    let mut tx = app.db().read().await.unwrap();
    let f = yinyao::audit::Filter {
        action: Some(action.into()),
        ..Default::default()
    };
    yinyao::audit::search(&mut tx, &f, 10, 0).await.unwrap()
}

/// Runs scheduled publishing as the job runner does: in one write transaction.
async fn publish_due(app: &TestApp) -> usize {
    let mut tx = app.state.db.write().await.unwrap();
    let n = yinyao::news::service::publish_due(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    n
}
