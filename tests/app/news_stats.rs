//! Correspondents' quarterly figures: ranking, export, printable report, scope.

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

async fn publish(
    writer: &mut Client<'_>,
    admin: &mut Client<'_>,
    col: i64,
    title: &str,
    credit: Option<i64>,
) -> i64 {
    fixtures::publish(
        writer,
        admin,
        json!({ "column_id": col, "title": title, "body": "正文", "correspondent_id": credit }),
    )
    .await
}

#[tokio::test]
async fn correspondents_are_ranked_per_quarter_and_exported() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "基层动态").await;
    let mut a = fixtures::user_client(&app, "corr_a", c.village_a, UnitRole::Correspondent).await;
    let mut b = fixtures::user_client(&app, "corr_b", c.village_b, UnitRole::Correspondent).await;
    publish(&mut a, &mut admin, col, "杨柳村一", None).await;
    publish(&mut a, &mut admin, col, "杨柳村二", None).await;
    // A third, published and then withdrawn: it no longer counts as published.
    let gone = publish(&mut a, &mut admin, col, "杨柳村三", None).await;
    let r = admin
        .json(
            "POST",
            &format!("/api/v1/articles/{gone}/decision"),
            json!({ "action": "withdraw", "comment": "数据有误" }),
        )
        .await;
    assert_eq!(r.json()["state"], "withdrawn", "{}", r.body);
    let read = publish(&mut b, &mut admin, col, "桃源村一", None).await;
    // An editor's own article counts for no correspondent, and the editor is not ranked.
    let mut editor = fixtures::user_client(&app, "editor", c.county, UnitRole::Editor).await;
    publish(&mut editor, &mut admin, col, "县里的通知", None).await;
    // One more submitted by b but not yet published.
    let r = b
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": "桃源村二", "body": "x" }),
        )
        .await;
    let pending = r.json()["id"].as_i64().unwrap();
    b.json(
        "POST",
        &format!("/api/v1/articles/{pending}/decision"),
        json!({ "action": "submit" }),
    )
    .await;
    app.client().get(&format!("/read/{read}")).await;

    let r = admin
        .json(
            "GET",
            &format!("/api/v1/correspondents?unit={}", c.county),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.json()["rows"].clone();
    let got: Vec<(String, i64, i64, i64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["unit_name"].as_str().unwrap().to_string(),
                f["submitted"].as_i64().unwrap(),
                f["published"].as_i64().unwrap(),
                f["reads"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("杨柳村".to_string(), 3, 2, 0),
            ("桃源村".to_string(), 2, 1, 1)
        ]
    );

    // A town sees its own villages only; a sibling's unit is out of reach.
    let mut town = fixtures::user_client(&app, "ed_town", c.town_a, UnitRole::Editor).await;
    let r = town
        .json("GET", "/api/v1/correspondents", json!(null))
        .await;
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 1);
    let r = town
        .json(
            "GET",
            &format!("/api/v1/correspondents?unit={}", c.town_b),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = town
        .json("GET", "/api/v1/correspondents?quarter=2026Q9", json!(null))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = town
        .json("GET", "/api/v1/correspondents?quarter=2020Q1", json!(null))
        .await;
    assert!(
        r.json()["rows"].as_array().unwrap().is_empty(),
        "another quarter"
    );

    let page = admin
        .get(&format!("/news/correspondents?unit={}", c.county))
        .await;
    assert!(page.body.contains("id=\"top-ten\"") && page.body.contains("杨柳村"));
    let print = admin
        .get(&format!("/news/correspondents/print?unit={}", c.county))
        .await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(
        !print.body.contains("correspondents.xlsx"),
        "no buttons on paper"
    );

    let cells = |bytes: &[u8]| -> Vec<String> {
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        sheet
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect()
    };
    let x = admin
        .get(&format!("/news/correspondents.xlsx?unit={}", c.county))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let page_cells = cells(&x.bytes);
    assert!(page_cells.iter().any(|c| c == "杨柳村") && page_cells.iter().any(|c| c == "桃源村"));

    // The same workbook through the API; a sibling town's figures stay out of reach.
    let x = admin
        .json(
            "GET",
            &format!("/api/v1/correspondents/export?unit={}", c.county),
            json!(null),
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(
        x.headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(cells(&x.bytes), page_cells);
    let r = town
        .json(
            "GET",
            &format!("/api/v1/correspondents/export?unit={}", c.town_b),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_correspondents_in_scope_can_be_credited() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut editor = fixtures::user_client(&app, "ed", c.town_a, UnitRole::Editor).await;
    let col = editor
        .json(
            "POST",
            "/api/v1/columns",
            json!({ "unit_id": c.town_a, "name": "城关", "kind": "column" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let inside = fixtures::account(
        &app,
        "corr_in",
        Some(c.village_a),
        Some(UnitRole::Correspondent),
    )
    .await
    .0;
    let outside = fixtures::account(
        &app,
        "corr_out",
        Some(c.village_b),
        Some(UnitRole::Correspondent),
    )
    .await
    .0;
    let r = editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": "t", "body": "b", "correspondent_id": outside }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": "t", "body": "b", "correspondent_id": inside }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let form = editor.get("/news/new").await;
    assert!(form.body.contains("corr_in") || form.body.contains(&format!("value=\"{inside}\"")));
    // The form's blank choice means nobody is credited.
    let r = editor
        .post(
            "/news",
            &[
                ("column_id", &col.to_string()),
                ("unit_id", "0"),
                ("title", "表单"),
                ("body", "正文"),
                ("correspondent_id", ""),
                ("publish_at", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
