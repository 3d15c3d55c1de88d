//! `yinyao demo`: the generated county a new user tries first has everything the publishing
//! pages show: columns, a few hundred articles in every review state (some scheduled, some
//! with a second version), comments waiting and answered, and an open essay campaign.

use crate::helpers::TestApp;

#[tokio::test]
async fn the_demo_county_has_a_newsroom_in_every_state() {
    let app = TestApp::new().await;
    yinyao::cli::demo::run(app.db(), &app.state.config, 2026)
        .await
        .expect("demo");
    assert!(app.scalar("SELECT COUNT(*) FROM columns").await >= 4);
    // Events: past ones attended and recorded, an upcoming one full with people waiting; the
    // seniors' university with a class full and returning students; members linked to files.
    assert!(
        app.scalar("SELECT COUNT(*) FROM events WHERE attended > 0")
            .await
            >= 2
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM events WHERE waiting > 0 AND registered = capacity")
            .await
            >= 1
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM videos WHERE event_id IS NOT NULL")
            .await
            >= 2
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM course_sections WHERE waiting > 0")
            .await
            >= 1
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM enrolments WHERE is_returning")
            .await
            >= 1
    );
    assert!(app.scalar("SELECT COUNT(*) FROM session_attendance").await > 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM people WHERE account_id IS NOT NULL")
            .await,
        6,
        "one member a town, linked to a file"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM articles").await, 300);
    for state in [
        "draft",
        "submitted",
        "first_approved",
        "approved",
        "published",
        "rejected",
        "withdrawn",
    ] {
        let count = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM articles WHERE state = '{state}'"
            ))
            .await;
        assert!(count > 0, "some articles {state}");
    }
    assert!(
        app.scalar("SELECT COUNT(*) FROM articles WHERE state = 'published'")
            .await
            >= 150
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM articles WHERE state = 'approved' AND publish_at IS NULL")
            .await,
        0,
        "approved articles wait for a time to come"
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM articles WHERE version > 1")
            .await
            > 0,
        "second versions"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM articles a WHERE a.version <> (SELECT COUNT(*) FROM article_versions v WHERE v.article_id = a.id)").await,
        0,
        "every version kept"
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM article_events e JOIN articles a ON a.id = e.article_id
           WHERE a.state = 'published' AND e.at > a.published_at"
        )
        .await,
        0,
        "the trail of a backdated article lies before its publication"
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM article_comments WHERE state = 'pending'")
            .await
            > 0
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM article_comments WHERE parent_id IS NOT NULL")
            .await
            > 0,
        "replies"
    );
    assert!(app.scalar("SELECT COUNT(*) FROM campaigns").await >= 1);
    assert!(
        app.scalar("SELECT COUNT(*) FROM works WHERE campaign_id IS NOT NULL")
            .await
            > 0
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM search_docs WHERE kind = 'article'")
            .await
            >= 300
    );
    // A contact round under way: people in every state, its counts kept, its consequences.
    for state in ["pending", "safe", "needs_help", "unreachable"] {
        let n = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM round_people WHERE state = '{state}'"
            ))
            .await;
        assert!(n > 0, "someone {state} in the demo round");
        let kept = app
            .scalar(&format!(
                "SELECT CAST(COALESCE(SUM({state}), 0) AS BIGINT) FROM round_units"
            ))
            .await;
        assert_eq!(kept, n, "round_units agrees on {state}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM visit_tasks WHERE reason = 'round'")
            .await,
        app.scalar("SELECT COUNT(*) FROM round_people WHERE state = 'unreachable'")
            .await
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM care_items WHERE name LIKE '排查需求%'")
            .await
            > 0
    );
}

/// The demo shows what youth-care work looks like: its worker holds `youth_care`, the children
/// are filed under the committee's schools, and only that worker sees them.
#[tokio::test]
async fn the_demo_youth_care_worker_sees_the_children_and_no_one_else_does() {
    let app = TestApp::new().await;
    yinyao::cli::demo::run(app.db(), &app.state.config, 2026)
        .await
        .expect("demo");
    let minors = app
        .scalar("SELECT COUNT(*) FROM people WHERE is_minor = TRUE")
        .await;
    assert!(minors > 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM people p JOIN units u ON u.id = p.unit_id WHERE p.is_minor = TRUE AND u.kind = 'school'")
            .await,
        minors,
        "every child is filed under a school"
    );
    let worker = app
        .text("SELECT a.username FROM accounts a JOIN role_grants g ON g.account_id = a.id WHERE g.role = 'youth_care'")
        .await;
    let town_staff = app
        .text("SELECT MIN(a.username) FROM accounts a JOIN role_grants g ON g.account_id = a.id JOIN units u ON u.id = g.unit_id WHERE g.role = 'staff' AND u.kind = 'town'")
        .await;
    let hash = yinyao::accounts::model::hash_password(crate::fixtures::PASSWORD).unwrap();
    app.exec_owned(format!("UPDATE accounts SET password_hash = '{hash}'"))
        .await
        .unwrap();
    let mut youth = app.client();
    youth.login(&worker, crate::fixtures::PASSWORD).await;
    let seen = youth
        .json(
            "GET",
            "/api/v1/people?category=youth",
            serde_json::json!(null),
        )
        .await;
    assert_eq!(seen.status, axum::http::StatusCode::OK, "{}", seen.body);
    assert!(!seen.json().as_array().unwrap().is_empty(), "{}", seen.body);
    let mut staff = app.client();
    staff.login(&town_staff, crate::fixtures::PASSWORD).await;
    let seen = staff
        .json(
            "GET",
            "/api/v1/people?category=youth",
            serde_json::json!(null),
        )
        .await;
    assert_eq!(seen.json().as_array().unwrap().len(), 0, "{}", seen.body);
}
