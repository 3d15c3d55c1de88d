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
}
