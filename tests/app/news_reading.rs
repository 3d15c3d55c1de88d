//! Reading side of publishing: moderated comments, reports, replies, likes, feeds, and the
//! comparison of versions.

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp};
use axum::http::{StatusCode, header};
use serde_json::json;
use yinyao::accounts::model::UnitRole;

/// A published article in a one-step unit; returns (column, article).
async fn published(app: &TestApp, admin: &mut Client<'_>, unit: i64, title: &str) -> (i64, i64) {
    let r = admin
        .json(
            "POST",
            "/api/v1/columns",
            json!({ "unit_id": unit, "name": format!("栏目{title}"), "kind": "column", "description": "老干部工作动态" }),
        )
        .await;
    let col = r.json()["id"].as_i64().unwrap();
    admin
        .post(
            "/news/review-steps",
            &[("unit_id", &unit.to_string()), ("steps", "1")],
        )
        .await;
    let mut editor = fixtures::user_client(app, &format!("ed{col}"), unit, UnitRole::Editor).await;
    let id = fixtures::publish(
        &mut editor,
        admin,
        json!({ "column_id": col, "title": title, "summary": "摘要<b>粗</b>", "body": "第一段\n\n第二段" }),
    )
    .await;
    (col, id)
}

#[tokio::test]
async fn public_comments_wait_for_moderation_and_reports_hide_them_again() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let (_, id) = published(&app, &mut admin, c.county, "重阳登高活动").await;

    let mut reader = app.client();
    reader.get(&format!("/read/{id}")).await;
    let r = reader
        .post(
            &format!("/read/{id}/comments"),
            &[
                ("author_name", "老李"),
                ("body", "活动办得好！<script>x</script>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().contains("comment=pending"));
    let page = reader.get(&format!("/read/{id}?comment=pending")).await;
    assert!(page.element_text("comment-notice").is_some());
    assert!(
        !page.body.contains("活动办得好"),
        "not shown before moderation"
    );

    // Bad input: no name, empty body.
    let r = reader
        .post(&format!("/read/{id}/comments"), &[("body", "匿名")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = reader
        .post(
            &format!("/read/{id}/comments"),
            &[("author_name", "老李"), ("body", "  ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A moderator of a sibling town sees nothing; the county's admin moderates.
    let mut sibling = fixtures::user_client(&app, "rev_b", c.town_b, UnitRole::Reviewer).await;
    let q = sibling
        .json("GET", "/api/v1/comments/pending", json!(null))
        .await
        .json();
    assert!(q.as_array().unwrap().is_empty());
    let q = admin
        .json("GET", "/api/v1/comments/pending", json!(null))
        .await
        .json();
    let cid = q[0]["id"].as_i64().unwrap();
    let r = sibling
        .json(
            "POST",
            &format!("/api/v1/comments/{cid}/moderation"),
            json!({ "action": "approve" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = admin
        .post(&format!("/news/comments/{cid}"), &[("action", "approve")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = reader.get(&format!("/read/{id}")).await;
    assert!(page.body.contains("活动办得好！"), "shown");
    assert!(!page.body.contains("<script>x"), "escaped");

    // An official reply appears at once under the comment.
    let r = admin
        .post(
            &format!("/news/comments/{cid}"),
            &[("action", "reply"), ("body", "谢谢您的支持")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = reader.get(&format!("/read/{id}")).await;
    assert!(page.body.contains("谢谢您的支持"));

    // One reader reporting again counts once; three readers' reports send it back.
    for _ in 0..3 {
        reader
            .post(&format!("/read/comments/{cid}/report"), &[])
            .await;
    }
    assert!(
        reader
            .get(&format!("/read/{id}"))
            .await
            .body
            .contains("活动办得好")
    );
    for i in 0..2 {
        let mut r = app.client();
        r.peer = Some(format!("203.0.113.{}:5000", 10 + i).parse().unwrap());
        r.get(&format!("/read/{id}")).await;
        let resp = r.post(&format!("/read/comments/{cid}/report"), &[]).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER);
    }
    let page = reader.get(&format!("/read/{id}")).await;
    assert!(
        !page.body.contains("活动办得好"),
        "hidden after three reports"
    );
    let q = admin
        .json("GET", "/api/v1/comments/pending", json!(null))
        .await
        .json();
    assert_eq!(q[0]["reports"], 3);

    // Signed-in accounts' comments appear at once; a flood is refused.
    let mut member = fixtures::user_client(&app, "member", c.village_a, UnitRole::Member).await;
    let r = member
        .post(&format!("/read/{id}/comments"), &[("body", "我也参加了")])
        .await;
    assert!(r.location().contains("comment=posted"));
    assert!(
        reader
            .get(&format!("/read/{id}"))
            .await
            .body
            .contains("我也参加了")
    );
    let mut flood = app.client();
    flood.peer = Some("198.51.100.7:4000".parse().unwrap());
    flood.get(&format!("/read/{id}")).await;
    let mut statuses = Vec::new();
    for n in 0..21 {
        let body = format!("第{n}条");
        let r = flood
            .post(
                &format!("/read/{id}/comments"),
                &[("author_name", "刷屏"), ("body", body.as_str())],
            )
            .await;
        statuses.push(r.status);
    }
    assert_eq!(statuses[19], StatusCode::SEE_OTHER);
    assert_eq!(
        statuses[20],
        StatusCode::TOO_MANY_REQUESTS,
        "20 an hour from one address"
    );
}

#[tokio::test]
async fn likes_count_once_and_feeds_list_published_articles() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let (col, id) = published(&app, &mut admin, c.county, "老年大学秋季开学").await;

    let mut reader = app.client();
    let before = reader.get(&format!("/read/{id}")).await;
    assert!(
        before.body.contains(
            "action=\"/read/{id}/like\""
                .replace("{id}", &id.to_string())
                .as_str()
        )
    );
    assert!(before.element_text("liked").is_none());
    reader.post(&format!("/read/{id}/like"), &[]).await;
    reader.post(&format!("/read/{id}/like"), &[]).await;
    let page = reader.get(&format!("/read/{id}")).await;
    assert_eq!(page.element_text("like-count").as_deref(), Some("1"));
    assert!(
        page.body.contains("id=\"liked\""),
        "the reader sees that they liked it"
    );
    assert!(
        !page.body.contains(&format!("action=\"/read/{id}/like\"")),
        "and is not asked again"
    );
    // Another reader still may.
    let mut other = app.client();
    let theirs = other.get(&format!("/read/{id}")).await;
    assert!(theirs.body.contains(&format!("action=\"/read/{id}/like\"")));

    let rss = reader.get(&format!("/read/columns/{col}/rss.xml")).await;
    assert_eq!(rss.status, StatusCode::OK);
    assert!(
        rss.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/rss+xml")
    );
    assert!(rss.body.contains("<title>老年大学秋季开学</title>"));
    assert!(rss.body.contains(&format!("http://localhost/read/{id}")));
    assert!(
        rss.body.contains("<description>摘要&#60;b&#62;粗"),
        "escaped in XML: {}",
        rss.body
    );
    let atom = reader.get(&format!("/read/columns/{col}/atom.xml")).await;
    assert!(
        atom.body
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
    assert!(atom.body.contains("老年大学秋季开学"));
    assert_eq!(
        reader
            .get(&format!("/read/columns/{col}/feed.json"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A draft never reaches a feed.
    let mut editor = fixtures::user_client(&app, "editor2", c.county, UnitRole::Editor).await;
    editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": "尚未审核的稿件", "body": "草稿" }),
        )
        .await;
    let rss = reader.get(&format!("/read/columns/{col}/rss.xml")).await;
    assert!(!rss.body.contains("尚未审核的稿件"));
}

#[tokio::test]
async fn two_versions_are_compared_line_by_line() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut editor = fixtures::user_client(&app, "editor", c.county, UnitRole::Editor).await;
    let r = editor
        .json(
            "POST",
            "/api/v1/columns",
            json!({ "unit_id": c.county, "name": "动态", "kind": "column" }),
        )
        .await;
    let col = r.json()["id"].as_i64().unwrap();
    let r = editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": "初稿标题", "body": "第一行\n第二行" }),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    editor
        .json(
            "PUT",
            &format!("/api/v1/articles/{id}"),
            json!({ "column_id": col, "title": "初稿标题", "body": "第一行\n改过的第二行" }),
        )
        .await;
    let page = editor.get(&format!("/news/{id}/compare?from=1&to=2")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<del class=\"diff-line\">− 第二行</del>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<ins class=\"diff-line\">+ 改过的第二行</ins>")
    );
    assert!(
        page.body
            .contains("<span class=\"diff-line\">&nbsp; 第一行</span>")
    );
    assert_eq!(
        editor
            .get(&format!("/news/{id}/compare?from=1&to=9"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The comments shown under `article`, from the public API.
async fn shown_comments(reader: &mut Client<'_>, article: i64) -> Vec<serde_json::Value> {
    let r = reader
        .json(
            "GET",
            &format!("/api/v1/public/articles/{article}/comments"),
            json!(null),
        )
        .await;
    r.json().as_array().cloned().unwrap_or_default()
}

/// A reader without an account answers comment `parent` of `article` on the page.
async fn reply_on_page(
    reader: &mut Client<'_>,
    article: i64,
    parent: i64,
    body: &str,
) -> crate::helpers::Resp {
    reader
        .post(
            &format!("/read/{article}/comments"),
            &[
                ("parent_id", &parent.to_string()),
                ("author_name", "老王"),
                ("body", body),
            ],
        )
        .await
}

#[tokio::test]
async fn readers_answer_comments_on_the_page_and_only_moderators_reply_officially() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let (_, id) = published(&app, &mut admin, c.county, "社区助老服务").await;
    let (_, other) = published(&app, &mut admin, c.county, "另一篇文章").await;

    let mut member = fixtures::user_client(&app, "member", c.village_a, UnitRole::Member).await;
    member
        .post(&format!("/read/{id}/comments"), &[("body", "服务很周到")])
        .await;
    let mut reader = app.client();
    let listed = shown_comments(&mut reader, id).await;
    let cid = listed[0]["id"].as_i64().unwrap();

    // Every reader gets a reply form under the comment; a reader's reply waits for moderation.
    let page = reader.get(&format!("/read/{id}")).await;
    assert!(
        page.body
            .contains(&format!(r#"name="parent_id" value="{cid}""#))
    );
    let r = reply_on_page(&mut reader, id, cid, "我家老人也受益了").await;
    assert!(r.location().contains("comment=pending"), "{}", r.body);
    assert!(
        !reader
            .get(&format!("/read/{id}"))
            .await
            .body
            .contains("我家老人也受益了")
    );
    let queue = admin.get("/news/comments").await;
    assert!(queue.body.contains("我家老人也受益了") && queue.body.contains("回复评论：member"));
    let pending = admin
        .json("GET", "/api/v1/comments/pending", json!(null))
        .await
        .json();
    let rid = pending[0]["id"].as_i64().unwrap();
    assert_eq!(pending[0]["parent_id"], cid);
    admin
        .post(&format!("/news/comments/{rid}"), &[("action", "approve")])
        .await;
    let page = reader.get(&format!("/read/{id}")).await;
    assert!(
        page.body
            .contains(&format!(r#"<div class="reply" id="comment-{rid}">"#))
    );
    assert!(
        !page.body.contains("官方回复"),
        "a reader's reply is not official"
    );

    // A signed-in member's answer to a reply joins the thread at once, still not official.
    let r = member
        .json(
            "POST",
            &format!("/api/v1/public/articles/{id}/comments"),
            json!({ "body": "谢谢老王", "parent_id": rid }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let listed = shown_comments(&mut reader, id).await;
    let answer = listed.iter().find(|x| x["body"] == "谢谢老王").unwrap();
    assert_eq!(answer["parent_id"], cid, "one level deep");
    assert_eq!(answer["official"], false);
    assert!(
        !reader
            .get(&format!("/read/{id}"))
            .await
            .body
            .contains("官方回复")
    );

    // The moderator's reply is marked official.
    admin
        .post(
            &format!("/news/comments/{cid}"),
            &[("action", "reply"), ("body", "感谢各位关注")],
        )
        .await;
    let page = reader.get(&format!("/read/{id}")).await;
    assert!(page.body.contains("官方回复") && page.body.contains("感谢各位关注"));

    // A reply to a comment of another article, or to one not shown, is refused and not kept.
    let before = app.scalar("SELECT COUNT(*) FROM article_comments").await;
    let r = reply_on_page(&mut reader, other, cid, "串门").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    reader
        .post(
            &format!("/read/{id}/comments"),
            &[("author_name", "老赵"), ("body", "待审评论")],
        )
        .await;
    let hidden = app
        .scalar("SELECT MAX(id) FROM article_comments WHERE state = 'pending'")
        .await;
    let r = reply_on_page(&mut reader, id, hidden, "回复待审").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM article_comments").await,
        before + 1
    );
}

#[tokio::test]
async fn readers_find_their_way_and_print_with_a_qr_code() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let (_, id) = published(&app, &mut admin, c.county, "社区义诊进万家").await;
    let mut reader = app.client();
    // The front page: dates, summaries, the works library; the logo leads to reading.
    let front = reader.get("/read").await;
    assert!(
        front.body.contains("href=\"/read/works\""),
        "the works library is linked"
    );
    assert!(
        front.body.contains("class=\"summary\">摘要"),
        "summaries are shown"
    );
    let today = chrono::Utc::now().format("%Y-").to_string();
    assert!(
        front.body.contains(&format!("<span class=\"num\">{today}")),
        "dates are shown"
    );
    assert!(front.body.contains("class=\"brand\" href=\"/read\""));
    // The login page has a way back.
    let login = reader.get("/login").await;
    assert!(login.body.contains("id=\"back-to-reading\" href=\"/read\""));
    // Reporting a comment asks first.
    let page = reader.get(&format!("/read/{id}")).await;
    assert!(page.body.contains("id=\"read-aloud\""));
    let aloud = page.body.find("id=\"read-aloud\"").unwrap();
    assert!(
        aloud < page.body.find("class=\"article-body\"").unwrap(),
        "read-aloud is at the top"
    );
    assert!(page.body.contains("id=\"read-speed\""), "with a speed");
    // The print view: the text, a QR code of the article's address, no comments; not a read.
    let reads = app
        .scalar(&format!("SELECT read_count FROM articles WHERE id = {id}"))
        .await;
    let print = reader.get(&format!("/read/{id}/print")).await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.body.contains("社区义诊进万家") && print.body.contains("<svg"));
    assert!(print.body.contains(&format!("/read/{id}</span>")));
    assert!(!print.body.contains("id=\"comments\""));
    assert_eq!(
        app.scalar(&format!("SELECT read_count FROM articles WHERE id = {id}"))
            .await,
        reads
    );
    assert_eq!(
        reader.get("/read/999999/print").await.status,
        StatusCode::NOT_FOUND
    );
}
