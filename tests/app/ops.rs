//! Operations endpoints, the OpenAPI document, migrations kept in step.

use crate::helpers::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};

async fn get(app: &TestApp, path: &str) -> crate::helpers::Resp {
    app.send(
        Request::get(path)
            .header("host", "localhost")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
    let r = get(&app, "/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut tx = app.db().read().await.unwrap();
    let n: i64 = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM node_heartbeats").fetch_one(c).await).unwrap();
    assert_eq!(n, 1, "readiness proves a write");
}

/// Every answer has its required description; every operation documents the error answers
/// with the one error body; `{"id": n}` answers are not confused with the account-creation
/// answer; operation ids are unique.
#[tokio::test]
async fn the_openapi_document_describes_every_answer_and_error() {
    let doc = serde_json::to_value(yinyao::openapi()).unwrap();
    let mut ids = std::collections::HashSet::new();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            let id = op["operationId"].as_str().unwrap().to_string();
            assert!(ids.insert(id.clone()), "{id} twice");
            let answers = op["responses"].as_object().unwrap();
            for code in ["400", "401", "403", "404", "422", "429"] {
                assert!(answers.contains_key(code), "{method} {path}: no {code}");
            }
            for (code, answer) in answers {
                let d = answer["description"].as_str().unwrap_or("");
                assert!(!d.is_empty(), "{method} {path} {code}: no description");
                if code.starts_with('4') {
                    assert_eq!(
                        answer["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {code}"
                    );
                }
            }
        }
    }
    assert!(operations > 80, "{operations}");
    let created = &doc["paths"]["/api/v1/people"]["post"]["responses"]["201"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(created, "#/components/schemas/Created");
    assert_eq!(
        doc["components"]["schemas"]["Created"]["required"],
        serde_json::json!(["id"])
    );
    let account = &doc["paths"]["/api/v1/accounts"]["post"]["responses"]["201"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(account, "#/components/schemas/CreatedAccount");
}

#[tokio::test]
async fn openapi_document_and_reader_are_generated_from_the_code() {
    let app = TestApp::new().await;
    let r = get(&app, "/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    for path in [
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/accounts",
        "/api/v1/grants",
        "/api/v1/tokens",
        "/api/v1/audit",
        "/api/v1/me",
        "/api/v1/people",
        "/api/v1/people/{id}",
        "/api/v1/people/{id}/reveal/{field}",
        "/api/v1/people/{id}/visits",
        "/api/v1/people/{id}/care-plan",
        "/api/v1/people/{id}/care-items",
        "/api/v1/people/{id}/care-items/{item}",
        "/api/v1/people/{id}/photo",
        "/api/v1/people/import",
        "/api/v1/talent",
        "/api/v1/tasks",
        "/api/v1/units/{id}/overdue-tasks",
        "/api/v1/units/{id}/coverage",
        "/api/v1/units/{id}/care-rules",
        "/api/v1/people/{id}/events",
        "/api/v1/people/{id}/aid",
        // Publishing.
        "/api/v1/columns",
        "/api/v1/articles",
        "/api/v1/articles/{id}",
        "/api/v1/articles/{id}/decision",
        "/api/v1/articles/{id}/versions",
        "/api/v1/articles/{id}/compare",
        "/api/v1/articles/{id}/events",
        "/api/v1/articles/{id}/import-origin",
        "/api/v1/articles/{id}/sensitive-hits",
        "/api/v1/articles/{id}/attachments",
        "/api/v1/articles/{id}/cover",
        "/api/v1/articles/search",
        "/api/v1/review-queue",
        "/api/v1/units/{id}/review-steps",
        "/api/v1/sensitive-words",
        "/api/v1/comments/pending",
        "/api/v1/comments/{id}/moderation",
        "/api/v1/comments/{id}/replies",
        "/api/v1/correspondents",
        "/api/v1/correspondents/export",
        "/api/v1/public/articles/{id}",
        "/api/v1/public/articles/{id}/comments",
        "/api/v1/public/articles/{id}/like",
        "/api/v1/public/comments/{id}/report",
        "/api/v1/public/columns",
        "/api/v1/public/columns/{id}/articles",
        "/api/v1/public/search",
        // Campaigns and the works library.
        "/api/v1/campaigns",
        "/api/v1/campaigns/{id}",
        "/api/v1/campaigns/{id}/works",
        "/api/v1/campaigns/{id}/judging",
        "/api/v1/campaigns/{id}/close",
        "/api/v1/campaigns/{id}/finish",
        "/api/v1/campaigns/{id}/ranking",
        "/api/v1/works",
        "/api/v1/works/offered",
        "/api/v1/works/{id}/score",
        "/api/v1/works/{id}/decision",
        "/api/v1/works/{id}/files",
        "/api/v1/works/{id}/accept",
        "/api/v1/public/works",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    // A campaign's call is changed with PUT on the campaign itself.
    assert!(doc["paths"]["/api/v1/campaigns/{id}"]["put"].is_object());
    assert!(doc["components"]["schemas"]["CampaignEdit"].is_object());
    assert!(doc["components"]["schemas"]["Unit"].is_object());
    let docs = get(&app, "/api/docs").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.body.contains("/api/v1/grants") && docs.body.contains("NewUnit"));
}

#[tokio::test]
async fn unknown_paths_get_a_localised_404_with_a_reference() {
    let app = TestApp::new().await;
    let r = get(&app, "/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("页面不存在") && r.body.contains("参考编号"));
    let r = get(&app, "/api/v1/nothing").await;
    assert_eq!(r.json()["error"], "not_found");
    assert!(r.json()["reference"].as_str().unwrap().len() >= 8);
}

#[test]
fn migration_folders_hold_the_same_file_names() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    let (s, p) = (names("sqlite"), names("postgres"));
    assert!(!s.is_empty());
    assert_eq!(
        s, p,
        "migrations/sqlite and migrations/postgres must have the same file names"
    );
}

#[tokio::test]
async fn backup_copies_a_live_sqlite_database() {
    let app = TestApp::new().await;
    if app.is_postgres() {
        // PostgreSQL is backed up with pg_dump (docs/OPERATIONS.md); the command refuses it.
        let dest = tempfile::tempdir().unwrap();
        assert!(
            yinyao::db::backup_sqlite(app.db(), &dest.path().join("b.db"))
                .await
                .is_err()
        );
        return;
    }
    crate::fixtures::county(&app).await;
    let dest = tempfile::tempdir().unwrap();
    let file = dest.path().join("copy.db");
    yinyao::db::backup_sqlite(app.db(), &file).await.unwrap();
    let copy = yinyao::db::Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let mut tx = copy.read().await.unwrap();
    let n: i64 = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM units").fetch_one(c).await).unwrap();
    assert_eq!(n, 6);
}

#[tokio::test]
async fn configuration_changes_are_audited_with_before_and_after() {
    let app = TestApp::new().await;
    let mut cfg = yinyao::config::Config::default();
    assert!(record_config(&app, &cfg).await);
    assert!(
        !record_config(&app, &cfg).await,
        "unchanged: nothing recorded"
    );
    cfg.security.lockout_failures = 6;
    cfg.database_url = Some("postgres://user:secret@db/yinyao".into());
    assert!(record_config(&app, &cfg).await);
    let mut tx = app.db().read().await.unwrap();
    let f = yinyao::audit::Filter {
        action: Some("config.change".into()),
        ..Default::default()
    };
    let entries = yinyao::audit::search(&mut tx, &f, 10, 0).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries[0].detail.contains("\"lockout_failures\":5")
            && entries[0].detail.contains("\"lockout_failures\":6")
    );
    assert!(
        !entries[0].detail.contains("user:secret"),
        "the database URL never enters the trail"
    );
}

/// Records the configuration as start-up does.
async fn record_config(app: &TestApp, cfg: &yinyao::config::Config) -> bool {
    let mut tx = app.db().write().await.unwrap();
    let changed = yinyao::ops::record_config(&mut tx, cfg).await.unwrap();
    tx.commit().await.unwrap();
    changed
}
