//! Article search: Traditional and Simplified alike, one- and two-character queries,
//! highlighted snippets, published only for the public, drafts in scope for staff.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

#[tokio::test]
async fn search_folds_scripts_finds_short_queries_and_respects_visibility() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "动态").await;
    let mut editor = fixtures::user_client(&app, "editor", c.town_a, UnitRole::Editor).await;
    let mut publish = async |title: &str, body: &str| {
        let r = editor
            .json(
                "POST",
                "/api/v1/articles",
                json!({ "column_id": col, "title": title, "body": body }),
            )
            .await;
        let id = r.json()["id"].as_i64().unwrap();
        editor
            .json(
                "POST",
                &format!("/api/v1/articles/{id}/decision"),
                json!({ "action": "submit" }),
            )
            .await;
        id
    };
    let a = publish(
        "县老幹部局召開重陽座談會",
        "離退休幹部歡聚一堂，共話長安街見聞。",
    )
    .await;
    let b = publish("城关镇开展党员志愿服务", "党员们走进社区，为老人理发。").await;
    for id in [a, b] {
        let r = admin
            .json(
                "POST",
                &format!("/api/v1/articles/{id}/decision"),
                json!({ "action": "approve" }),
            )
            .await;
        assert_eq!(r.json()["state"], "published");
    }
    let draft = editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": "老干部活动草稿", "body": "尚未提交" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let mut public = app.client();
    let ids = |r: &crate::helpers::Resp| -> Vec<i64> {
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect()
    };
    let find = |q: &str| {
        format!(
            "/api/v1/public/search?q={}",
            yinyao::web::render::urlencode(q)
        )
    };
    for (q, want) in [
        ("老干部", vec![a]),
        ("老幹部", vec![a]),
        ("重阳", vec![a]),
        ("长安", vec![a]),
        ("党", vec![b]),
        ("理发", vec![b]),
        ("\"OR* -(", vec![]),
    ] {
        let r = public.get(&find(q)).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        assert_eq!(ids(&r), want, "query {q}");
    }
    let page = public
        .get("/read/search?q=%E8%80%81%E5%B9%B2%E9%83%A8")
        .await;
    assert!(
        page.body.contains("<mark>老幹部</mark>"),
        "marks the original text: {}",
        page.body
    );
    assert!(!page.body.contains("草稿"), "drafts are not public");

    // Staff find their drafts; a sibling town's editor does not.
    let r = editor
        .json(
            "GET",
            "/api/v1/articles/search?q=%E8%80%81%E5%B9%B2%E9%83%A8",
            json!(null),
        )
        .await;
    let mut found = ids(&r);
    found.sort();
    assert_eq!(found, vec![a, draft]);
    let mut other = fixtures::user_client(&app, "editor_b", c.town_b, UnitRole::Editor).await;
    let r = other
        .json(
            "GET",
            "/api/v1/articles/search?q=%E8%8D%89%E7%A8%BF",
            json!(null),
        )
        .await;
    assert!(ids(&r).is_empty());
    // What is indexed and shown is the text a reader sees: no Markdown marks, no tags.
    let marked = fixtures::publish(
        &mut editor,
        &mut admin,
        json!({ "column_id": col, "title": "书画展", "body": "**书画**展览<br>开幕 [详情](https://example.org/strong)" }),
    )
    .await;
    let r = public.get(&find("书画展览")).await;
    let hits = r.json();
    assert_eq!(hits[0]["id"], marked, "{}", r.body);
    let snippet: String = hits[0]["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|seg| seg[0].as_str().unwrap())
        .collect();
    assert!(
        !snippet.contains("**") && !snippet.contains("<br") && !snippet.contains("https"),
        "{snippet}"
    );
    assert!(snippet.contains("详情"), "{snippet}");
    for q in ["strong", "br", "https"] {
        assert_eq!(
            ids(&public.get(&find(q)).await),
            Vec::<i64>::new(),
            "{q} is markup, not text"
        );
    }
    let too_long = "长".repeat(101);
    assert_eq!(
        public.get(&find(&too_long)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// The scope of the staff search for an account's grants.
async fn news_scope(app: &TestApp, username: &str) -> yinyao::access::Scope {
    let account = app
        .scalar(&format!(
            "SELECT id FROM accounts WHERE username = '{username}'"
        ))
        .await;
    yinyao::access::Scope {
        all: false,
        account,
        roles: yinyao::access::RoleSet::of(&[
            yinyao::access::UnitRole::UnitAdmin,
            yinyao::access::UnitRole::Editor,
            yinyao::access::UnitRole::Reviewer,
            yinyao::access::UnitRole::Correspondent,
        ]),
    }
}

/// The staff search ranks the most recent matches *in the caller's scope*: a town editor
/// finds their own draft even when more than a whole candidate cut (200) of newer matches
/// sit in a sibling town they cannot see.
#[tokio::test]
async fn staff_find_their_drafts_behind_many_newer_matches_elsewhere() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "动态").await;
    let mut mine = fixtures::user_client(&app, "editor_a", c.town_a, UnitRole::Editor).await;
    let mut other = fixtures::user_client(&app, "editor_b", c.town_b, UnitRole::Editor).await;
    let draft = |title: String| json!({ "column_id": col, "title": title, "body": "敬老月走访" });
    let r = mine
        .json("POST", "/api/v1/articles", draft("杨柳村敬老草稿".into()))
        .await;
    let own = r.json()["id"].as_i64().unwrap();
    for i in 0..210 {
        let r = other
            .json(
                "POST",
                "/api/v1/articles",
                draft(format!("桃源村敬老草稿{i}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let q = yinyao::web::render::urlencode("敬老");
    let r = mine
        .json(
            "GET",
            &format!("/api/v1/articles/search?q={q}"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let found: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(found, vec![own]);
    let r = other
        .json(
            "GET",
            &format!("/api/v1/articles/search?q={q}"),
            json!(null),
        )
        .await;
    assert_eq!(
        r.json().as_array().unwrap().len(),
        100,
        "a full list of their own"
    );

    // PostgreSQL plans a narrow scope (up to 5,000 units) from its articles, and a wide one
    // from the 200 most recent matches before testing the scope. Where the scope holds those
    // matches both plans find the same articles in the same order (SQLite has one plan).
    for name in ["editor_b", "admin"] {
        let scope = news_scope(&app, name).await;
        let mut tx = app.db().read().await.unwrap();
        let mut plans = Vec::new();
        for narrow in [0, 5_000] {
            let hits =
                yinyao::news::search::for_staff_planned(&mut tx, &scope, "敬老", 300, narrow)
                    .await
                    .unwrap();
            plans.push(hits.iter().map(|a| a.id).collect::<Vec<_>>());
        }
        assert_eq!(plans[0], plans[1], "{name}");
        assert_eq!(plans[0].len(), 200, "{name}");
    }
    // The wide plan still shows nothing outside the scope.
    let scope = news_scope(&app, "editor_a").await;
    let mut tx = app.db().read().await.unwrap();
    let wide = yinyao::news::search::for_staff_planned(&mut tx, &scope, "敬老", 300, 0)
        .await
        .unwrap();
    let wide: Vec<i64> = wide.iter().map(|a| a.id.0).collect();
    if app.is_postgres() {
        // Their draft is older than the 200 most recent matches, all in town B.
        assert!(wide.is_empty(), "{wide:?}");
    } else {
        assert_eq!(wide, vec![own], "SQLite has one plan");
    }
}

/// The public search ranks the 200 most recent matches; on its last page a reader is told
/// that older articles were left out, and how to find them.
#[tokio::test]
async fn readers_are_told_when_older_matches_are_left_out() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "动态").await;
    let mut editor = fixtures::user_client(&app, "editor", c.town_a, UnitRole::Editor).await;
    for i in 0..205 {
        fixtures::publish(
            &mut editor,
            &mut admin,
            json!({ "column_id": col, "title": format!("敬老活动第{i}期"), "body": "走访慰问" }),
        )
        .await;
    }
    let mut public = app.client();
    let q = yinyao::web::render::urlencode("敬老");
    let page = |n: i64| format!("/read/search?q={q}&page={n}");
    // Pages of 50: the 200 ranked matches fill four.
    let third = public.get(&page(3)).await;
    assert!(third.body.contains("page=4"), "a next page");
    assert!(!third.body.contains("id=\"search-capped\""));
    let fourth = public.get(&page(4)).await;
    assert_eq!(
        fourth.body.matches("</mark>活动第").count(),
        50,
        "a full last page"
    );
    assert!(!fourth.body.contains("page=5"), "the ranked cut ends here");
    assert!(
        fourth.body.contains("id=\"search-capped\""),
        "{}",
        fourth.body
    );
    // Once the daily job has made the list of 敬老, the list answers: the same pages.
    let mut before = Vec::new();
    for n in 1..=4 {
        before.push(public.get(&page(n)).await.body);
    }
    let made = yinyao::jobs::search_lists::refresh(app.db()).await.unwrap();
    assert!(made.created >= 1, "{made:?}");
    let mut tx = app.db().read().await.unwrap();
    assert!(
        yinyao::search::index::listed_token(&mut tx, "article", "敬老")
            .await
            .unwrap()
            .is_some()
    );
    drop(tx);
    for n in 1..=4 {
        assert_eq!(
            public.get(&page(n)).await.body,
            before[n as usize - 1],
            "page {n}"
        );
    }
    // The column pages through all 205, 50 a page, newest first.
    let first = public.get(&format!("/read/columns/{col}")).await;
    assert!(
        first.body.contains(&format!("/read/columns/{col}?page=2")),
        "a next page"
    );
    assert!(first.body.contains("敬老活动第204期"), "newest first");
    let last = public.get(&format!("/read/columns/{col}?page=5")).await;
    assert_eq!(last.body.matches("敬老活动第").count(), 5, "the last five");
    assert!(last.body.contains("敬老活动第0期"));
    let api = public
        .get(&format!("/api/v1/public/columns/{col}/articles?page=5"))
        .await
        .json();
    assert_eq!(api["articles"].as_array().unwrap().len(), 5);
    // Newer drafts take places in the cut: the public's last page comes sooner, and still
    // says that older matches were left out.
    for i in 0..60 {
        let r = editor
            .json(
                "POST",
                "/api/v1/articles",
                json!({ "column_id": col, "title": format!("敬老草稿{i}"), "body": "未发布" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let third = public.get(&page(3)).await;
    assert_eq!(
        third.body.matches("</mark>活动第").count(),
        40,
        "140 published in the cut"
    );
    assert!(!third.body.contains("page=4"));
    assert!(
        third.body.contains("id=\"search-capped\""),
        "{}",
        third.body
    );
    let few = public
        .get(&format!(
            "/read/search?q={}&page=1",
            yinyao::web::render::urlencode("第3期")
        ))
        .await;
    assert!(
        !few.body.contains("id=\"search-capped\""),
        "few matches: nothing left out"
    );
}
