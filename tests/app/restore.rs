//! The restore drill of docs/OPERATIONS.md, run as written: a realistic database (the demo
//! county) is backed up (`yinyao backup` on SQLite, `pg_dump -Fc` on PostgreSQL) and restored
//! (`pg_restore` into a new database); every table has the same rows, `yinyao audit verify`
//! passes on the copy, and a checkpoint taken before the backup matches it.

use crate::helpers::TestApp;
use std::process::Command;

fn yinyao(url: &str, key: &str, args: &[&str]) -> (i32, String) {
    crate::helpers::run_binary(url, key, args, &[])
}

/// Every table's row count, by name.
async fn counts(db: &yinyao::db::Db) -> Vec<(String, i64)> {
    let mut tx = db.read().await.unwrap();
    let tables: Vec<String> = match db {
        yinyao::db::Db::Sqlite(_) => yinyao::on_tx!(&mut tx, c => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
            .fetch_all(c).await),
        yinyao::db::Db::Postgres(_) => yinyao::on_tx!(&mut tx, c => sqlx::query_scalar(
            "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            .fetch_all(c).await),
    }
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{t}\"")))
            .fetch_one(c).await)
        .unwrap();
        out.push((t, n));
    }
    out
}

#[tokio::test]
async fn a_backup_restores_exactly_and_its_audit_trail_verifies() {
    let app = TestApp::new().await;
    yinyao::cli::demo::run(app.db(), &app.state.config, 7)
        .await
        .expect("demo");
    let key = app.state.config.security.field_key.clone().unwrap();
    let (code, checkpoint) = yinyao(&app.url, &key, &["audit", "checkpoint"]);
    assert_eq!(code, 0, "{checkpoint}");
    let before = counts(app.db()).await;
    assert!(before.iter().any(|(t, n)| t == "people" && *n > 1000));
    let dir = tempfile::tempdir().unwrap();

    let restored_url = if app.is_postgres() {
        let bin = std::env::var("PG_BIN").unwrap_or("/usr/lib/postgresql/15/bin".into());
        let dump = dir.path().join("yinyao.dump");
        let out = Command::new(format!("{bin}/pg_dump"))
            .args(["-Fc", "-f", dump.to_str().unwrap(), &app.url])
            .output()
            .expect("pg_dump");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let admin = std::env::var("TEST_DATABASE_URL").unwrap();
        let target = crate::helpers::fresh_postgres(&admin).await;
        let out = Command::new(format!("{bin}/pg_restore"))
            .args(["--no-owner", "-d", &target, dump.to_str().unwrap()])
            .output()
            .expect("pg_restore");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        target
    } else {
        let copy = dir.path().join("backup.db");
        let (code, text) = yinyao(&app.url, &key, &["backup", copy.to_str().unwrap()]);
        assert_eq!(code, 0, "{text}");
        // Restored as OPERATIONS.md says: the copy put in place as the database file.
        let live = dir.path().join("yinyao.db");
        std::fs::rename(&copy, &live).unwrap();
        format!("sqlite://{}", live.display())
    };
    let restored = yinyao::db::Db::connect(&restored_url).await.unwrap();
    assert_eq!(counts(&restored).await, before, "every table, row for row");
    let (code, text) = yinyao(&restored_url, &key, &["audit", "verify"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = yinyao(
        &restored_url,
        &key,
        &["audit", "verify", "--checkpoint", checkpoint.trim()],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("matches"), "{text}");
    restored.close().await;
    if app.is_postgres() {
        // The restored database is dropped like a test's own.
        let admin = std::env::var("TEST_DATABASE_URL").unwrap();
        let name = restored_url.rsplit_once('/').unwrap().1.to_string();
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
    }
}
