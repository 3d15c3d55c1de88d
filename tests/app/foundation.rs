//! The foundation under every module: SQLite settings and concurrent writers, `yinyao admin
//! init`, the 500 page, and text sizes in the style sheet.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use std::time::Duration;
use yinyao::accounts::model::UnitRole;
use yinyao::db::Db;
use yinyao::units::model::UnitKind;
use yinyao::units::{bulk as units, service as units_read};

/// Opens a write transaction, adds a unit under `parent`, holds the transaction for `hold`,
/// then commits.
async fn add_unit_slowly(
    app: &TestApp,
    parent: i64,
    name: &str,
    hold: Duration,
) -> Result<(), String> {
    let mut tx = app.db().write().await.map_err(|e| e.to_string())?;
    let all = yinyao::access::Scope::EVERYTHING;
    let parent = units_read::get_in_scope(&mut tx, &all, yinyao::units::model::UnitId(parent))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no parent")?;
    units::insert(&mut tx, Some(&parent), name, UnitKind::Village)
        .await
        .map_err(|e| e.to_string())?;
    tokio::time::sleep(hold).await;
    tx.commit().await.map_err(|e| e.to_string())
}

#[tokio::test]
async fn database_settings_hold_on_every_connection_and_concurrent_writers_both_commit() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    if !app.is_postgres() {
        let Db::Sqlite(pool) = app.db() else {
            panic!("not SQLite")
        };
        // Several connections at once, so the settings are shown to hold for each pooled
        // connection, not only the one that ran the migrations.
        let mut conns = Vec::new();
        for _ in 0..3 {
            conns.push(pool.acquire().await.unwrap());
        }
        for conn in &mut conns {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert_eq!(mode, "wal");
            for (pragma, want) in [
                ("synchronous", 2),
                ("foreign_keys", 1),
                ("secure_delete", 1),
            ] {
                let got: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("PRAGMA {pragma}")))
                    .fetch_one(&mut **conn)
                    .await
                    .unwrap();
                assert_eq!(got, want, "PRAGMA {pragma}");
            }
            let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert!(
                busy >= 1000,
                "writers wait for the lock instead of failing: {busy} ms"
            );
        }
    }
    // Foreign keys are enforced on both backends: a unit cannot hang under a missing parent.
    let orphan = app
        .exec_owned(format!(
            "UPDATE units SET parent_id = 987654 WHERE id = {}",
            c.village_a
        ))
        .await;
    assert!(orphan.is_err(), "foreign key refused");

    // Two writers at the same moment: the second waits for the first (SQLite's single
    // writer) or runs alongside it (PostgreSQL); neither fails.
    let (first, second) = tokio::join!(
        add_unit_slowly(&app, c.town_a, "甲村", Duration::from_millis(300)),
        add_unit_slowly(&app, c.town_b, "乙村", Duration::ZERO),
    );
    assert_eq!(first, Ok(()));
    assert_eq!(second, Ok(()));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM units WHERE name IN ('甲村', '乙村')")
            .await,
        2,
        "both writes are stored"
    );
}

/// Logs an admin from `admin init` in with the one-time password and passes the
/// authenticator enrolment; returns where the login leads next.
async fn first_login(app: &TestApp, username: &str, password: &str) -> String {
    let mut cl = app.client();
    cl.get("/login").await;
    let r = cl
        .post("/login", &[("login", username), ("password", password)])
        .await;
    assert_eq!(r.location(), "/login/totp", "{username}: {}", r.body);
    let secret = cl
        .get("/login/totp")
        .await
        .element_text("totp-secret")
        .expect("enrolment shows the secret");
    let r = cl
        .post("/login/totp", &[("code", &fixtures::totp_code(&secret))])
        .await;
    r.location().to_string()
}

async fn password_hashes(app: &TestApp) -> Vec<String> {
    let mut tx = app.db().read().await.unwrap();
    yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT password_hash FROM accounts ORDER BY id").fetch_all(c).await).unwrap()
}

#[tokio::test]
async fn admin_init_creates_the_three_admins_once() {
    let app = TestApp::new().await;
    let created = yinyao::cli::admin::init(app.db())
        .await
        .unwrap()
        .expect("a fresh database gets its admins");
    let roles: Vec<(&str, &str)> = created
        .iter()
        .map(|a| (a.username, a.role.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("sysadmin", "system"),
            ("secadmin", "security"),
            ("auditadmin", "audit")
        ]
    );
    let passwords: std::collections::HashSet<&str> =
        created.iter().map(|a| a.password.as_str()).collect();
    assert_eq!(passwords.len(), 3, "each admin has their own password");
    for a in &created {
        let stored = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM accounts WHERE username = '{}' AND platform_role = '{}' \
                 AND must_change_password = TRUE AND unit_id IS NULL",
                a.username,
                a.role.as_str()
            ))
            .await;
        assert_eq!(
            stored, 1,
            "{} stored with its role and a forced change",
            a.username
        );
        assert!(
            yinyao::accounts::model::check_password(
                &yinyao::config::PasswordPolicy::default(),
                &a.password,
                a.username
            )
            .is_ok(),
            "the one-time password meets the policy"
        );
        // The one-time password leads through the authenticator to a forced change.
        assert_eq!(
            first_login(&app, a.username, &a.password).await,
            "/account/password"
        );
    }

    // A second run refuses and changes nothing: no new accounts, no new passwords.
    let before = app.scalar("SELECT COUNT(*) FROM accounts").await;
    let hashes_before = password_hashes(&app).await;
    assert!(yinyao::cli::admin::init(app.db()).await.unwrap().is_none());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yinyao"))
        .args(["--config", "/nonexistent/config.toml", "admin", "init"])
        .env("DATABASE_URL", &app.url)
        .env("RUST_LOG", "error")
        .output()
        .expect("run yinyao");
    assert_ne!(
        out.status.code(),
        Some(0),
        "the command fails the second time"
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("already exist"), "{said}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts").await, before);
    assert_eq!(password_hashes(&app).await, hashes_before);
    for a in &created {
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains(&a.password),
            "no password printed again"
        );
    }
}

/// The text inside `<code>` after the reference label of an error page.
fn reference_of(body: &str, label: &str) -> String {
    let at = body
        .find(&format!("{label}: <code>"))
        .unwrap_or_else(|| panic!("no reference labelled {label}"));
    let rest = &body[at + label.len() + 8..];
    rest[..rest.find('<').unwrap()].to_string()
}

#[tokio::test]
async fn an_internal_error_shows_the_readers_language_and_a_reference_but_no_internals() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut cl = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    assert_eq!(cl.get("/").await.status, StatusCode::OK);
    // The database breaks under the running app: a table the home page reads is gone.
    // (PostgreSQL refuses while contact rounds refer to it; SQLite has no CASCADE.)
    let drop = if app.is_postgres() {
        "DROP TABLE visit_tasks CASCADE"
    } else {
        "DROP TABLE visit_tasks"
    };
    app.exec(drop).await.unwrap();
    let leaks = [
        "visit_tasks",
        "no such table",
        "does not exist",
        "sqlx",
        "SELECT",
        "error returned from database",
        "src/",
    ];

    let r = cl.get("/").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.body.contains("<html lang=\"zh-Hans\""));
    assert!(r.body.contains("系统错误") && r.body.contains("请把参考编号告诉管理员"));
    let zh_ref = reference_of(&r.body, "参考编号");
    assert!(
        zh_ref.len() >= 8 && zh_ref.chars().all(|c| c.is_ascii_hexdigit()),
        "{zh_ref}"
    );
    for leak in leaks {
        assert!(!r.body.contains(leak), "the page shows {leak:?}");
    }

    cl.post("/prefs", &[("locale", "en")]).await;
    let r = cl.get("/").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.body.contains("System error") && r.body.contains("give the reference"));
    let en_ref = reference_of(&r.body, "Reference");
    assert_ne!(en_ref, zh_ref, "each failure has its own reference");
    for leak in leaks {
        assert!(!r.body.contains(leak), "the page shows {leak:?}");
    }

    // Scripts get the same as JSON.
    let r = cl
        .json("GET", "/api/v1/tasks", serde_json::json!(null))
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.json()["error"], "internal");
    assert!(r.json()["reference"].as_str().unwrap().len() >= 8);
    for leak in leaks {
        assert!(!r.body.contains(leak), "the JSON shows {leak:?}");
    }

    // Even when the session itself cannot be read, the reader gets the same page, in the
    // language their preferences cookie remembers.
    app.exec("DROP TABLE sessions").await.unwrap();
    let r = cl.get("/units").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("<html lang=\"en\"") && r.body.contains("System error"));
    assert!(reference_of(&r.body, "Reference").len() >= 8);
    for leak in [
        "sessions",
        "no such table",
        "does not exist",
        "sqlx",
        "SELECT",
    ] {
        assert!(!r.body.contains(leak), "the page shows {leak:?}");
    }
    let r = cl
        .json("GET", "/api/v1/units", serde_json::json!(null))
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json()["error"], "internal");
    assert!(!r.body.contains("sessions"));
}

#[test]
fn no_text_is_set_below_the_18_px_body_size() {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/css/app.css"))
        .unwrap();
    // The root is 112.5 % of the browser's 16 px, so 1rem is 18 px; large type is 22 px.
    assert!(css.contains("font-size: 112.5%"));
    assert!(css.contains("html.large { font-size: 137.5%"));
    let mut sizes = 0;
    for (i, line) in css.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("font-size:") {
            rest = &rest[at + 10..];
            let value = rest.trim_start();
            let end = value.find([';', '}']).unwrap_or(value.len());
            let value = value[..end].trim();
            sizes += 1;
            if let Some(rem) = value.strip_suffix("rem") {
                let rem: f64 = rem.parse().unwrap();
                assert!(rem >= 1.0, "line {}: {value} is under 18 px", i + 1);
            } else {
                assert!(
                    value.ends_with('%') || value == "inherit",
                    "line {}: size {value} is not relative to the root",
                    i + 1
                );
            }
        }
    }
    assert!(sizes > 5);
    assert!(!css.contains("font-size: small") && !css.contains("font-size: smaller"));
}
