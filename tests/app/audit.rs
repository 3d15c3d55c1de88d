//! The audit trail: append-only, hash-chained, tampering detected by `yinyao audit verify`.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use yinyao::accounts::model::UnitRole;
use yinyao::audit as repo;
use yinyao::audit::chain::Verdict;

async fn verdict(app: &TestApp) -> Verdict {
    let mut tx = app.db().read().await.unwrap();
    repo::verify(&mut tx).await.unwrap()
}

/// Runs the real binary's `audit verify` against the test database.
fn cli_verify(app: &TestApp) -> (i32, String) {
    cli_verify_with(app, &[])
}

/// `audit verify` with more arguments, under the test app's field key.
fn cli_verify_with(app: &TestApp, more: &[&str]) -> (i32, String) {
    let key = app.state.config.security.field_key.clone().unwrap();
    let mut args = vec!["audit", "verify"];
    args.extend(more);
    crate::helpers::run_binary(&app.url, &key, &args, &[])
}

async fn some_history(app: &TestApp) {
    let c = county(app).await;
    let mut admin = fixtures::user_client(app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    for name in ["甲村", "乙村", "丙村"] {
        admin
            .post(
                "/units",
                &[
                    ("parent_id", &c.town_a.to_string()),
                    ("name", name),
                    ("kind", "village"),
                ],
            )
            .await;
    }
}

#[tokio::test]
async fn intact_chain_verifies() {
    let app = TestApp::new().await;
    some_history(&app).await;
    match verdict(&app).await {
        Verdict::Intact { entries } => {
            assert!(entries >= 4, "login and three creations: {entries}")
        }
        v => panic!("expected intact, got {v:?}"),
    }
    let (code, text) = cli_verify(&app);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("intact"));
}

#[tokio::test]
async fn entries_cannot_be_changed_through_the_database_either() {
    let app = TestApp::new().await;
    some_history(&app).await;
    assert!(
        app.exec("UPDATE audit_log SET target = 'x' WHERE id = 2")
            .await
            .is_err(),
        "append-only trigger"
    );
    assert!(
        app.exec("DELETE FROM audit_log WHERE id = 2")
            .await
            .is_err(),
        "append-only trigger"
    );
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    let app = TestApp::new().await;
    some_history(&app).await;
    // An attacker with database access first removes the guard, then edits.
    app.exec(if app.is_postgres() {
        "DROP TRIGGER audit_log_append_only ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_update"
    })
    .await
    .unwrap();
    app.exec("UPDATE audit_log SET actor_name = 'someone-else' WHERE id = 3")
        .await
        .unwrap();
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken {
            id: 3,
            reason: "edited"
        }
    );
    let (code, text) = cli_verify(&app);
    assert_eq!(code, 1);
    assert!(text.contains("entry 3"), "{text}");
}

#[tokio::test]
async fn a_removed_entry_is_named() {
    let app = TestApp::new().await;
    some_history(&app).await;
    app.exec(if app.is_postgres() {
        "DROP TRIGGER audit_log_append_only ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_delete"
    })
    .await
    .unwrap();
    app.exec("DELETE FROM audit_log WHERE id = 2")
        .await
        .unwrap();
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken {
            id: 2,
            reason: "missing"
        }
    );
    let (code, _) = cli_verify(&app);
    assert_eq!(code, 1);
}

#[tokio::test]
async fn removing_the_newest_entry_is_detected() {
    let app = TestApp::new().await;
    some_history(&app).await;
    app.exec(if app.is_postgres() {
        "DROP TRIGGER audit_log_append_only ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_delete"
    })
    .await
    .unwrap();
    app.exec("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
        .await
        .unwrap();
    assert!(matches!(
        verdict(&app).await,
        Verdict::Broken {
            reason: "missing",
            ..
        }
    ));
}

#[tokio::test]
async fn retention_keeps_the_chain_verifiable_and_never_under_180_days() {
    let app = TestApp::new().await;
    some_history(&app).await;
    // Age the first two entries past the retention; the trigger allows only purges below the mark.
    app.exec("DROP TRIGGER IF EXISTS audit_log_no_update")
        .await
        .ok();
    if app.is_postgres() {
        app.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            .await
            .unwrap();
        app.exec("UPDATE audit_log SET at = at - INTERVAL '200 days' WHERE id <= 2")
            .await
            .unwrap();
        app.exec("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
            .await
            .unwrap();
    } else {
        app.exec("UPDATE audit_log SET at = '2020-01-01T00:00:00+00:00' WHERE id <= 2")
            .await
            .unwrap();
    }
    // The aged entries' hashes no longer match their fields; retention removes them, and the
    // kept chain starts from the recorded hash of the last removed entry.
    assert!(yinyao::jobs::daily_housekeeping(&app.state).await.unwrap());
    assert!(
        !yinyao::jobs::daily_housekeeping(&app.state).await.unwrap(),
        "one run per day, across nodes"
    );
    let mut tx = app.db().read().await.unwrap();
    let min_id: i64 = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT MIN(id) FROM audit_log").fetch_one(c).await).unwrap();
    assert_eq!(
        min_id, 3,
        "entries older than 180 days are gone, the rest kept"
    );
    drop(tx);
    assert!(matches!(verdict(&app).await, Verdict::Intact { .. }));
}

#[tokio::test]
async fn moving_the_purge_mark_by_hand_is_detected() {
    let app = TestApp::new().await;
    some_history(&app).await;
    // Someone deletes the oldest entries and moves the mark so the chain seems to start later.
    let (id, hash): (i64, String) = {
        let mut tx = app.db().read().await.unwrap();
        yinyao::on_tx!(&mut tx, c => sqlx::query_as("SELECT id, hash FROM audit_log WHERE id = 2").fetch_one(c).await).unwrap()
    };
    assert_eq!(id, 2);
    let sql = format!("UPDATE audit_head SET purged_upto = 2, purged_hash = '{hash}'");
    match app.db() {
        yinyao::db::Db::Sqlite(p) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await
            .map(|_| ()),
        yinyao::db::Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await
            .map(|_| ()),
    }
    .unwrap();
    app.exec("DELETE FROM audit_log WHERE id <= 2")
        .await
        .unwrap();
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken {
            id: 2,
            reason: "purge mark moved"
        }
    );
}

#[tokio::test]
async fn exported_cells_cannot_run_as_formulas() {
    let app = TestApp::new().await;
    county(&app).await;
    let mut cl = app.client();
    cl.extra
        .push(("user-agent", "=HYPERLINK(\"http://evil.example\")".into()));
    cl.get("/login").await;
    cl.post("/login", &[("login", "nobody"), ("password", "x")])
        .await;
    let mut aud =
        fixtures::admin_client(&app, "aud", yinyao::accounts::model::PlatformRole::Audit).await;
    let csv = aud.get("/audit/export.csv?action=login.failed").await;
    assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);
}

/// Deleting the end of the chain and setting its head back leaves a chain that verifies; a
/// checkpoint kept outside the database shows the cut.
#[tokio::test]
async fn a_cut_tail_is_found_against_a_kept_checkpoint() {
    let app = TestApp::new().await;
    some_history(&app).await;
    let keep = app.scalar("SELECT MAX(id) FROM audit_log").await - 2;
    let mut auditor = fixtures::admin_client(
        &app,
        "auditor",
        yinyao::accounts::model::PlatformRole::Audit,
    )
    .await;
    let r = auditor
        .json("GET", "/api/v1/audit/checkpoint", serde_json::json!(null))
        .await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
    let line = r.json()["line"].as_str().unwrap().to_string();
    let page = auditor.get("/audit/checkpoint.txt").await;
    assert!(
        page.body.starts_with("yinyao-audit-checkpoint-v1 "),
        "{}",
        page.body
    );
    // Others may not have one.
    let c2 = app.scalar("SELECT MIN(id) FROM units").await;
    let mut staff = fixtures::user_client(&app, "staff_x", c2, UnitRole::UnitAdmin).await;
    let r = staff
        .json("GET", "/api/v1/audit/checkpoint", serde_json::json!(null))
        .await;
    assert_eq!(r.status, axum::http::StatusCode::FORBIDDEN);

    let (code, text) = cli_verify_with(&app, &["--checkpoint", &line]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("matches"), "{text}");
    let id = line.split(' ').nth(1).unwrap();
    let forged = line.replacen(&format!(" {id} "), " 1 ", 1);
    assert_ne!(forged, line);
    let (code, text) = cli_verify_with(&app, &["--checkpoint", &forged]);
    assert_eq!(code, 1, "an edited checkpoint is refused: {text}");

    // The attacker removes the newest entries and sets the head back.
    app.exec(if app.is_postgres() {
        "DROP TRIGGER audit_log_append_only ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_delete"
    })
    .await
    .unwrap();
    app.exec_owned(format!("DELETE FROM audit_log WHERE id > {keep}"))
        .await
        .unwrap();
    app.exec_owned(format!(
        "UPDATE audit_head SET last_id = {keep}, last_hash = (SELECT hash FROM audit_log WHERE id = {keep}) WHERE id = 1"
    ))
    .await
    .unwrap();
    assert!(
        matches!(verdict(&app).await, Verdict::Intact { .. }),
        "the chain alone cannot see it"
    );
    let (code, text) = cli_verify_with(&app, &["--checkpoint", &line]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("end of the trail is missing"), "{text}");
    // A file holding the line works the same.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("cp-{keep}.txt"));
    std::fs::write(&file, format!("kept on paper\n{line}\n")).unwrap();
    let (code, _) = cli_verify_with(&app, &["--checkpoint", file.to_str().unwrap()]);
    assert_eq!(code, 1);
}
