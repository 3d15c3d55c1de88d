//! Domain events and the first consumer: after random writes (people filed by hand and by
//! import, moved, visited; articles published), the per-unit daily counts summed over any
//! subtree equal a direct count of the records; the consumer counts each event once however
//! often it runs, also two at once; and a rebuild from the records gives the same counts.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::outbox::rollup::{self, Metric};

/// Direct count of a metric over the subtree of the unit with path `path`.
async fn direct(app: &TestApp, path: &str, m: Metric) -> i64 {
    let sub = format!("u.path >= '{path}' AND u.path < '{path}' || '~'");
    let sql = match m {
        Metric::People => {
            format!("SELECT COUNT(*) FROM people p JOIN units u ON u.id = p.unit_id WHERE {sub}")
        }
        Metric::Visits => format!(
            "SELECT COUNT(*) FROM visits v JOIN people p ON p.id = v.person_id JOIN units u ON u.id = p.unit_id WHERE {sub}"
        ),
        Metric::TasksDone => format!(
            "SELECT COUNT(*) FROM visit_tasks t JOIN people p ON p.id = t.person_id JOIN units u ON u.id = p.unit_id WHERE t.status = 'done' AND {sub}"
        ),
        Metric::ArticlesPublished => format!(
            "SELECT COUNT(*) FROM articles a JOIN units u ON u.id = a.unit_id WHERE a.state = 'published' AND {sub}"
        ),
    };
    app.scalar(&sql).await
}

/// Runs the consumers until none has anything left (on PostgreSQL an event waits for every
/// older writing transaction of the cluster, other tests' among them, to end).
async fn catch_up(app: &TestApp) -> usize {
    let mut taken = 0;
    for _ in 0..200 {
        taken += yinyao::outbox::run_all(app.db()).await.unwrap();
        if yinyao::outbox::pending(app.db(), yinyao::outbox::Consumer::UnitDaily)
            .await
            .unwrap()
            == 0
        {
            return taken;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the consumer did not catch up in 10 s");
}

async fn assert_counts_match(app: &TestApp, units: &[i64], when: &str) {
    for unit in units {
        let path = app
            .text(&format!("SELECT path FROM units WHERE id = {unit}"))
            .await;
        for m in Metric::ALL {
            let mut tx = app.db().read().await.unwrap();
            let rolled = rollup::total(&mut tx, &path, m, None, None).await.unwrap();
            drop(tx);
            assert_eq!(
                rolled,
                direct(app, &path, m).await,
                "{when}: {m:?} under {path}"
            );
        }
    }
}

#[tokio::test]
async fn rollups_equal_direct_counts_after_random_writes() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let units = [c.county, c.town_a, c.town_b, c.village_a, c.village_b];
    let mut rng = StdRng::seed_from_u64(2026);
    let mut staff = fixtures::user_client(&app, "staff_c", c.county, UnitRole::Staff).await;
    let mut admin = fixtures::user_client(&app, "admin_c", c.county, UnitRole::UnitAdmin).await;
    let mut editor = fixtures::user_client(&app, "editor_c", c.county, UnitRole::Editor).await;
    let column = fixtures::one_step_column(&mut admin, c.county, "要闻").await;
    let today = chrono::Utc::now().date_naive();
    let mut people = Vec::new();
    for round in 0..3 {
        for i in 0..8 {
            let village = if rng.random_bool(0.5) {
                c.village_a
            } else {
                c.village_b
            };
            let r = staff
                .json(
                    "POST",
                    "/api/v1/people",
                    json!({ "unit_id": village, "name": format!("测试{round}{i}"), "gender": "female" }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let id = r.json()["id"].as_i64().unwrap();
            // Some move before anyone visits them (visits count where the person was).
            if rng.random_bool(0.3) {
                let to = if village == c.village_a {
                    c.village_b
                } else {
                    c.village_a
                };
                let r = staff
                    .json(
                        "PUT",
                        &format!("/api/v1/people/{id}"),
                        json!({ "unit_id": to, "name": format!("测试{round}{i}"), "gender": "female" }),
                    )
                    .await;
                assert!(r.status.is_success(), "{}", r.body);
            }
            people.push(id);
        }
        for _ in 0..10 {
            let id = people[rng.random_range(0..people.len())];
            let r = staff
                .json(
                    "POST",
                    &format!("/api/v1/people/{id}/visits"),
                    json!({ "kind": "phone", "findings": "好", "visited_on": today.to_string() }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        if rng.random_bool(0.7) {
            fixtures::publish(
                &mut editor,
                &mut admin,
                json!({ "column_id": column, "title": format!("第{round}条"), "body": "正文" }),
            )
            .await;
        }
        let csv = format!("姓名\n导入甲{round}\n导入乙{round}\n");
        let r = staff
            .upload(
                "/api/v1/people/import?commit=true",
                "名册.csv",
                csv.as_bytes(),
                &[("unit_id", &c.village_a.to_string())],
            )
            .await;
        assert_eq!(r.json()["imported"], 2, "{}", r.body);
        // The consumer runs between rounds, as the job runner would.
        assert!(catch_up(&app).await > 0);
        assert_counts_match(&app, &units, &format!("round {round}")).await;
    }
    assert!(
        direct(
            &app,
            &app.text("SELECT path FROM units WHERE id = 1").await,
            Metric::Visits
        )
        .await
            >= 30
    );
    // Once more, and two at once: nothing counted twice.
    assert_eq!(yinyao::outbox::run_all(app.db()).await.unwrap(), 0);
    let (a, b) = tokio::join!(
        yinyao::outbox::run_all(app.db()),
        yinyao::outbox::run_all(app.db())
    );
    assert_eq!(a.unwrap() + b.unwrap(), 0);
    assert_counts_match(&app, &units, "after repeated runs").await;
    // A rebuild from the records agrees, and leaves nothing for the consumer.
    let before: i64 = app
        .scalar("SELECT CAST(SUM(value) AS BIGINT) FROM unit_daily")
        .await;
    {
        let mut tx = app.db().write().await.unwrap();
        rollup::rebuild(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        app.scalar("SELECT CAST(SUM(value) AS BIGINT) FROM unit_daily")
            .await,
        before
    );
    assert_counts_match(&app, &units, "after a rebuild").await;
    assert_eq!(yinyao::outbox::run_all(app.db()).await.unwrap(), 0);
    let newcomer = fixtures::account(&app, "newcomer", Some(c.village_a), None).await;
    let r = admin
        .json(
            "POST",
            "/api/v1/grants",
            json!({ "account_id": newcomer.0, "unit_id": c.village_a, "role": "member" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Every significant write left its event, in the same transaction.
    for kind in [
        "people.filed",
        "person.moved",
        "visit.recorded",
        "article.published",
        "role.granted",
    ] {
        assert!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM domain_events WHERE kind = '{kind}'"
            ))
            .await
                > 0,
            "{kind}"
        );
    }
}

/// At start-up a database without counts (upgraded, or loaded in bulk) gets them from its
/// records; on PostgreSQL, events whose transaction ids came from another cluster (a restore)
/// are set behind the cursor so that new events are not stuck behind them.
#[tokio::test]
async fn start_up_prepares_the_counts_of_an_upgraded_or_restored_database() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let units = [c.county, c.town_a, c.village_a];
    let mut staff = fixtures::user_client(&app, "staff_c", c.county, UnitRole::Staff).await;
    let file = async |staff: &mut crate::helpers::Client<'_>, name: &str| {
        let r = staff
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": c.village_a, "name": name }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    };
    file(&mut staff, "甲").await;
    file(&mut staff, "乙").await;
    // As after an upgrade: records, events, but no counts and no cursor yet.
    app.exec("DELETE FROM event_cursors").await.unwrap();
    yinyao::outbox::prepare(app.db()).await.unwrap();
    assert_counts_match(&app, &units, "prepared from the records").await;
    assert_eq!(catch_up(&app).await, 0, "the events are behind the cursor");
    if app.is_postgres() {
        // As after a restore into another cluster: stored ids far above the current ones.
        app.exec("UPDATE domain_events SET txid = txid + 1000000000000")
            .await
            .unwrap();
        app.exec("UPDATE event_cursors SET position = position + 1000000000000")
            .await
            .unwrap();
        yinyao::outbox::prepare(app.db()).await.unwrap();
    }
    file(&mut staff, "丙").await;
    assert_eq!(
        catch_up(&app).await,
        yinyao::outbox::Consumer::ALL.len(),
        "a new event is taken, once by each consumer"
    );
    assert_counts_match(&app, &units, "after a new event").await;
}
