//! The publishing API beyond writing and deciding: versions and their comparison, the review
//! trail, sensitive words, review steps, attachments and the cover, and the public reading
//! side (columns, comments, likes, reports, replies).

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};
use yinyao::accounts::model::UnitRole;

async fn get(c: &mut Client<'_>, path: &str) -> crate::helpers::Resp {
    c.json("GET", path, json!(null)).await
}

#[tokio::test]
async fn history_words_and_review_steps_through_the_api() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "通知公告").await;
    let mut editor = fixtures::user_client(&app, "editor", c.county, UnitRole::Editor).await;
    let id = fixtures::draft(&mut editor, col, "重阳节通知", "第一行\n第二行").await;
    let r = editor
        .json(
            "PUT",
            &format!("/api/v1/articles/{id}"),
            json!({ "column_id": col, "title": "重阳节通知", "body": "第一行\n第三行" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    let versions = get(&mut editor, &format!("/api/v1/articles/{id}/versions")).await;
    assert_eq!(versions.status, StatusCode::OK, "{}", versions.body);
    let numbers: Vec<i64> = versions
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 1], "newest first");
    let cmp = get(
        &mut editor,
        &format!("/api/v1/articles/{id}/compare?from=1&to=2"),
    )
    .await;
    let lines: Vec<(String, String)> = cmp.json()["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["tag"] != " ")
        .map(|l| {
            (
                l["tag"].as_str().unwrap().to_string(),
                l["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("-".to_string(), "第二行".to_string()),
            ("+".to_string(), "第三行".to_string())
        ]
    );
    let missing = get(
        &mut editor,
        &format!("/api/v1/articles/{id}/compare?from=1&to=9"),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The trail names who did what.
    fixtures::decide(&mut editor, id, "submit", None).await;
    let r = fixtures::decide(&mut admin, id, "reject", Some("日期写错了")).await;
    assert_eq!(r.json()["state"], "rejected", "{}", r.body);
    let trail = get(&mut editor, &format!("/api/v1/articles/{id}/events"))
        .await
        .json();
    let steps: Vec<(&str, &str)> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(steps, vec![("submit", "editor"), ("reject", "admin")]);
    assert_eq!(trail[1]["comment"], "日期写错了");

    // Someone outside the county sees none of it.
    let mut outsider = fixtures::user_client(&app, "town_b_ed", c.town_b, UnitRole::Editor).await;
    for path in [
        format!("/api/v1/articles/{id}/versions"),
        format!("/api/v1/articles/{id}/events"),
    ] {
        assert_eq!(
            get(&mut outsider, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // The sensitive-word list: kept by county news managers, pointed out to reviewers.
    let r = editor
        .json(
            "POST",
            "/api/v1/sensitive-words",
            json!({ "word": "第三行" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let words = get(&mut editor, "/api/v1/sensitive-words").await.json();
    assert_eq!(words, json!(["第三行"]));
    let hits = get(&mut admin, &format!("/api/v1/articles/{id}/sensitive-hits")).await;
    assert_eq!(hits.json(), json!(["第三行"]));
    let mut corr = fixtures::user_client(&app, "corr", c.county, UnitRole::Correspondent).await;
    let r = get(&mut corr, &format!("/api/v1/articles/{id}/sensitive-hits")).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "not the reviewer, not the author"
    );
    let r = outsider
        .json("POST", "/api/v1/sensitive-words", json!({ "word": "别的" }))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a town's editor does not keep the list"
    );
    let r = editor
        .json("POST", "/api/v1/sensitive-words", json!({ "word": "" }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = editor
        .json(
            "DELETE",
            "/api/v1/sensitive-words",
            json!({ "word": "第三行" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        get(&mut editor, "/api/v1/sensitive-words").await.json(),
        json!([])
    );

    // Review steps: read by writers, set by unit admins, only 1 or 2. The town inherits the
    // county's one step until it sets its own.
    let path = format!("/api/v1/units/{}/review-steps", c.town_a);
    assert_eq!(get(&mut admin, &path).await.json()["steps"], 1);
    let r = admin.json("PUT", &path, json!({ "steps": 3 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = editor.json("PUT", &path, json!({ "steps": 2 })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "editors do not set it");
    let r = admin.json("PUT", &path, json!({ "steps": 2 })).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(get(&mut editor, &path).await.json()["steps"], 2);
    // The columns page shows the settings in force to unit admins only, and the word list
    // to those who keep it.
    let page = admin.get("/news/columns").await;
    assert_eq!(page.status, StatusCode::OK);
    let at = page
        .body
        .find("id=\"steps-now\"")
        .expect("settings in force");
    let now = &page.body[at..at + page.body[at..].find("</ul>").expect("a list")];
    assert!(
        now.contains("城关镇") && now.contains("县"),
        "both settings listed: {now}"
    );
    let page = editor.get("/news/columns").await;
    assert!(
        !page.body.contains("id=\"steps\""),
        "editors do not set review steps"
    );
    assert!(page.body.contains("id=\"words\""));
    let page = outsider.get("/news/columns").await;
    assert!(!page.body.contains("id=\"words\"") && !page.body.contains("id=\"steps\""));
    let sibling = format!("/api/v1/units/{}/review-steps", c.county + 1000);
    assert_eq!(
        get(&mut admin, &sibling).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn files_cover_and_the_public_reading_api() {
    let app = TestApp::with_uploads().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "图片新闻").await;
    let mut editor = fixtures::user_client(&app, "editor", c.town_a, UnitRole::Editor).await;
    let id = fixtures::draft(&mut editor, col, "书画展开幕", "展出作品一百余件。").await;
    let files = format!("/api/v1/articles/{id}/attachments");
    let r = editor
        .upload(&files, "x.png", b"not an image at all", &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = editor
        .upload(&files, "展厅.png", &fixtures::png(), &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let file = r.json()["id"].as_i64().unwrap();
    let list = get(&mut editor, &files).await.json();
    assert_eq!(list["files"][0]["kind"], "image");
    assert_eq!(list["cover_id"], Value::Null);
    let cover = format!("/api/v1/articles/{id}/cover");
    let r = editor
        .json("PUT", &cover, json!({ "attachment_id": file + 99 }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not its file");
    let r = editor
        .json("PUT", &cover, json!({ "attachment_id": file }))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(get(&mut editor, &files).await.json()["cover_id"], file);

    // A draft is nowhere on the public side.
    let mut public = app.client();
    public.get("/read").await;
    let comments = format!("/api/v1/public/articles/{id}/comments");
    assert_eq!(
        get(&mut public, &comments).await.status,
        StatusCode::NOT_FOUND
    );
    let column = format!("/api/v1/public/columns/{col}/articles");
    assert_eq!(
        get(&mut public, &column).await.json()["articles"],
        json!([])
    );

    fixtures::decide(&mut editor, id, "submit", None).await;
    let r = fixtures::decide(&mut admin, id, "approve", None).await;
    assert_eq!(r.json()["state"], "published", "{}", r.body);
    let cols = get(&mut public, "/api/v1/public/columns").await.json();
    assert!(cols.as_array().unwrap().iter().any(|x| x["id"] == col));
    let page = get(&mut public, &column).await.json();
    assert_eq!(page["articles"][0]["id"], id);
    assert_eq!(page["has_more"], false);
    assert!(
        page["articles"][0].get("author_id").is_none(),
        "public fields only"
    );

    // Likes count once per reader.
    let like = format!("/api/v1/public/articles/{id}/like");
    for _ in 0..2 {
        let r = public.json("POST", &like, json!(null)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    let a = get(&mut public, &format!("/api/v1/public/articles/{id}"))
        .await
        .json();
    assert_eq!(a["like_count"], 1);
    // Scripts with API tokens like as their accounts: two accounts, two likes.
    for who in ["reader_a", "reader_b"] {
        let mut c2 = fixtures::user_client(&app, who, c.village_a, UnitRole::Member).await;
        let r = c2
            .json("POST", "/api/v1/tokens", json!({ "name": "script" }))
            .await;
        let token = r.json()["token"].as_str().unwrap().to_string();
        for _ in 0..2 {
            let r = crate::helpers::bearer(&app, "POST", &like, &token, None).await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        }
    }
    let a = get(&mut public, &format!("/api/v1/public/articles/{id}"))
        .await
        .json();
    assert_eq!(a["like_count"], 3);

    // A signed-in reader's comment shows at once; a reviewer replies; readers report.
    let mut member = fixtures::user_client(&app, "member", c.village_a, UnitRole::Member).await;
    let r = member
        .json(
            "POST",
            &format!("/api/v1/public/articles/{id}/comments"),
            json!({ "body": "展览很精彩" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = get(&mut public, &comments).await.json();
    let comment = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["body"], "展览很精彩");
    let reply = format!("/api/v1/comments/{comment}/replies");
    let r = member
        .json("POST", &reply, json!({ "body": "我来回复" }))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "readers do not answer as the bureau"
    );
    let r = admin
        .json("POST", &reply, json!({ "body": "谢谢关注" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["article_id"], id);
    let list = get(&mut public, &comments).await.json();
    assert!(list.to_string().contains("谢谢关注"), "{list}");
    // Answering the reply joins the same thread, where the reading page shows it.
    let first_reply = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["parent_id"] == comment)
        .expect("the reply")["id"]
        .as_i64()
        .unwrap();
    let r = admin
        .json(
            "POST",
            &format!("/api/v1/comments/{first_reply}/replies"),
            json!({ "body": "活动照片已更新" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let page = public.get(&format!("/read/{id}")).await;
    assert!(
        page.body.contains("活动照片已更新"),
        "shown under the thread"
    );
    let r = public
        .json(
            "POST",
            &format!("/api/v1/public/comments/{comment}/report"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = public
        .json("POST", "/api/v1/public/comments/999999/report", json!(null))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A writer over several units says which one the news comes from; a unit outside their
/// scope is refused.
#[tokio::test]
async fn writers_choose_the_source_unit_within_their_scope() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "基层动态").await;
    let mut editor = fixtures::user_client(&app, "editor", c.town_a, UnitRole::Editor).await;
    let page = editor.get("/news/new").await;
    assert!(
        page.body.contains("id=\"unit_id\"") && page.body.contains("杨柳村"),
        "a choice of units"
    );
    assert!(!page.body.contains("桃源村"), "only units in scope");
    let r = editor
        .post(
            "/news",
            &[
                ("column_id", &col.to_string()),
                ("unit_id", &c.village_a.to_string()),
                ("title", "杨柳村敬老饭堂开张"),
                ("body", "村里的老人有了吃饭的地方。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location_id();
    let a = get(&mut editor, &format!("/api/v1/articles/{id}"))
        .await
        .json();
    assert_eq!(a["unit_id"], c.village_a);
    let r = editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "unit_id": c.village_b, "title": "越界", "body": "x" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut corr = fixtures::user_client(&app, "corr", c.village_a, UnitRole::Correspondent).await;
    let page = corr.get("/news/new").await;
    assert!(
        !page.body.contains("id=\"unit_id\""),
        "one unit: nothing to choose"
    );
}
