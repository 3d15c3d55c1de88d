//! One rule for every route: a request for something that exists outside the caller's reach
//! is answered as not found (or forbidden) and written to the audit trail as refused, whatever
//! the route and whatever was sent.

use crate::fixtures::{self, county};
use crate::helpers::{Client, Resp, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

async fn denied(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied'")
        .await
}

/// Sends a request and checks it is refused (404 or 403) and audited as refused.
async fn refused(app: &TestApp, what: &str, send: impl AsyncFnOnce() -> Resp) {
    let before = denied(app).await;
    let r = send().await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{what}: {} {}",
        r.status,
        r.body
    );
    assert_eq!(
        denied(app).await,
        before + 1,
        "{what} is audited as refused"
    );
}

async fn token_of(c: &mut Client<'_>) -> i64 {
    c.json("POST", "/api/v1/tokens", json!({ "name": "script" }))
        .await
        .json()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn refusals_are_audited_on_every_route() {
    let app = TestApp::with_uploads().await;
    let c = county(&app).await;
    let mut admin_a = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    let mut admin_b = fixtures::user_client(&app, "admin_b", c.town_b, UnitRole::UnitAdmin).await;
    let mut editor_a = fixtures::user_client(&app, "editor_a", c.town_a, UnitRole::Editor).await;
    let mut editor_b = fixtures::user_client(&app, "editor_b", c.town_b, UnitRole::Editor).await;

    // A draft's file in town A.
    let column = fixtures::one_step_column(&mut admin_a, c.town_a, "镇动态").await;
    let article = fixtures::draft(&mut editor_a, column, "草稿", "正文").await;
    let r = editor_a
        .upload(
            &format!("/api/v1/articles/{article}/attachments"),
            "a.png",
            &fixtures::png(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let file = r.json()["id"].as_i64().unwrap();
    refused(&app, "GET /files/{id}", async || {
        editor_b.get(&format!("/files/{file}")).await
    })
    .await;

    // Review steps of another town, read and written (even with a bad value).
    refused(&app, "GET review-steps", async || {
        editor_b
            .json(
                "GET",
                &format!("/api/v1/units/{}/review-steps", c.town_a),
                json!(null),
            )
            .await
    })
    .await;
    for steps in [1, 5] {
        refused(&app, "PUT review-steps", async || {
            admin_b
                .json(
                    "PUT",
                    &format!("/api/v1/units/{}/review-steps", c.town_a),
                    json!({ "steps": steps }),
                )
                .await
        })
        .await;
    }

    // A grant in town A, revoked from town B by the API and the page.
    let grant = app
        .scalar("SELECT MIN(g.id) FROM role_grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'editor_a'")
        .await;
    refused(&app, "DELETE /api/v1/grants/{id}", async || {
        admin_b
            .json("DELETE", &format!("/api/v1/grants/{grant}"), json!(null))
            .await
    })
    .await;
    refused(&app, "POST /grants/{id}/revoke", async || {
        admin_b.post(&format!("/grants/{grant}/revoke"), &[]).await
    })
    .await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM role_grants WHERE id = {grant} AND revoked_at IS NULL"
        ))
        .await,
        1
    );

    // Another user's token.
    let token = token_of(&mut editor_a).await;
    refused(&app, "DELETE another's token", async || {
        editor_b
            .json("DELETE", &format!("/api/v1/tokens/{token}"), json!(null))
            .await
    })
    .await;

    // Another member's work.
    let mut poet = fixtures::user_client(&app, "poet", c.village_a, UnitRole::Member).await;
    let mut other = fixtures::user_client(&app, "other", c.village_a, UnitRole::Member).await;
    let work = poet
        .json(
            "POST",
            "/api/v1/works",
            json!({ "kind": "poem", "title": "秋", "body": "秋风", "consent": true }),
        )
        .await;
    assert_eq!(work.status, StatusCode::CREATED, "{}", work.body);
    let work = work.json()["id"].as_i64().unwrap();
    refused(&app, "POST /api/v1/works/{id}/files", async || {
        other
            .upload(
                &format!("/api/v1/works/{work}/files"),
                "a.png",
                &fixtures::png(),
                &[],
            )
            .await
    })
    .await;

    // The settings, by someone who may not change them, with nonsense in the body.
    refused(&app, "PUT settings (bad JSON)", async || {
        admin_a
            .json(
                "PUT",
                "/api/v1/settings/policy",
                json!({ "nonsense": true }),
            )
            .await
    })
    .await;
    refused(&app, "POST /settings (bad form)", async || {
        admin_a
            .post("/settings", &[("password_min_length", "x")])
            .await
    })
    .await;
}

/// Rejections made by the framework before a handler (body not JSON, wrong content type,
/// wrong method) have the JSON error shape in the caller's language.
#[tokio::test]
async fn framework_rejections_have_the_error_shape() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    let r = admin
        .json("POST", "/api/v1/units", json!("not an object"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"], "validation", "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("填写"));
    let req = admin
        .request("POST", "/api/v1/units")
        .header("content-type", "text/plain")
        .header("x-csrf-token", admin.csrf.clone())
        .body(axum::body::Body::from("x"))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["error"], "unsupported_media_type", "{}", r.body);
    let req = admin
        .request("POST", "/api/v1/units")
        .header("content-type", "application/json")
        .header("x-csrf-token", admin.csrf.clone())
        .body(axum::body::Body::from("{"))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "bad_request", "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("格式"));
    let r = admin.json("PATCH", "/api/v1/units", json!({})).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["error"], "method_not_allowed", "{}", r.body);
    assert!(
        r.headers.contains_key(axum::http::header::ALLOW),
        "the methods it takes"
    );
}
