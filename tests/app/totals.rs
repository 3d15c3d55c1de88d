//! The subtree totals (`outbox::totals`) from which the home page and the coverage figure
//! read: after random writes — people filed by hand and by import, edited, moved, put under
//! key attention, visited, recorded as deceased; a village moved to another town; a unit
//! deactivated; articles published and withdrawn — every unit's totals equal a direct count of
//! the records, however the consumer's runs fall between the writes, and equal a rebuild.

use crate::fixtures::{self, catch_up, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::outbox::totals;

/// `(metric, bucket) → value` counted straight from the records under `path`, independently
/// of the consumer's statements.
async fn direct(app: &TestApp, path: &str) -> Vec<(String, String, i64)> {
    let sub = format!("u.path >= '{path}' AND u.path < '{path}' || '~'");
    let aud = "CASE WHEN p.is_minor THEN 'minor' ELSE 'adult' END";
    let month = |col: &str| {
        if app.is_postgres() {
            format!("TO_CHAR({col} AT TIME ZONE 'UTC', 'YYYY-MM')")
        } else {
            format!("SUBSTR({col}, 1, 7)")
        }
    };
    let cut = totals::month_cutoff();
    let recent = |col: &str, m: &str| format!("CASE WHEN {col} >= '{cut}' THEN {m} ELSE '' END");
    let queries = [
        format!("SELECT 'units', u.kind, COUNT(*) FROM units u WHERE u.active = TRUE AND {sub} GROUP BY u.kind"),
        format!("SELECT 'people:' || {aud}, '', COUNT(*) FROM people p JOIN units u ON u.id = p.unit_id
                 WHERE p.status = 'active' AND {sub} GROUP BY p.is_minor"),
        format!("SELECT 'category:' || {aud}, c.category, COUNT(*) FROM people p JOIN units u ON u.id = p.unit_id
                 JOIN person_categories c ON c.person_id = p.id WHERE p.status = 'active' AND {sub}
                 GROUP BY p.is_minor, c.category"),
        format!("SELECT 'key_due:' || {aud}, COALESCE(cp.next_due_on, ''), COUNT(*) FROM people p
                 JOIN units u ON u.id = p.unit_id JOIN care_plans cp ON cp.person_id = p.id
                 WHERE p.status = 'active' AND cp.tier = 'key' AND {sub}
                 GROUP BY p.is_minor, COALESCE(cp.next_due_on, '')"),
        format!("SELECT 'visits:' || {aud}, {b}, COUNT(*) FROM visits v
                 JOIN people p ON p.id = v.person_id JOIN units u ON u.id = p.unit_id WHERE {sub}
                 GROUP BY p.is_minor, {b}",
                 b = recent("v.visited_on", "SUBSTR(v.visited_on, 1, 7)")),
        format!("SELECT 'tasks_done:' || {aud}, {b}, COUNT(*) FROM visit_tasks t
                 JOIN people p ON p.id = t.person_id JOIN units u ON u.id = p.unit_id
                 WHERE t.status = 'done' AND t.closed_at IS NOT NULL AND {sub} GROUP BY p.is_minor, {b}",
                 b = recent("t.closed_at", &month("t.closed_at"))),
        format!("SELECT 'accounts', '', COUNT(*) FROM accounts a JOIN units u ON u.id = a.unit_id
                 WHERE a.active = TRUE AND {sub} HAVING COUNT(*) > 0"),
        format!("SELECT 'articles', {m}, COUNT(*) FROM articles a JOIN units u ON u.id = a.unit_id
                 WHERE a.state = 'published' AND a.published_at IS NOT NULL AND {sub} GROUP BY {m}",
                 m = month("a.published_at")),
    ];
    let mut out = Vec::new();
    for q in queries {
        out.extend(app.rows3(&q).await);
    }
    out.sort();
    out
}

/// Every unit's totals against the direct count.
async fn assert_totals_match(app: &TestApp, when: &str) {
    let units: Vec<(i64, String)> = app.pairs("SELECT id, path FROM units ORDER BY id").await;
    let kept: Vec<(i64, String, String, i64)> = app
        .rows4("SELECT unit_id, metric, bucket, value FROM unit_totals ORDER BY unit_id, metric, bucket")
        .await;
    for (id, path) in &units {
        let mut rolled: Vec<(String, String, i64)> = kept
            .iter()
            .filter(|r| r.0 == *id)
            .map(|r| (r.1.clone(), r.2.clone(), r.3))
            .collect();
        rolled.sort();
        assert_eq!(
            rolled,
            direct(app, path).await,
            "{when}: unit {id} at {path}"
        );
    }
}

#[tokio::test]
async fn totals_equal_direct_counts_after_random_writes() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut rng = StdRng::seed_from_u64(17);
    let mut staff = fixtures::user_client(&app, "staff_t", c.county, UnitRole::Staff).await;
    let mut admin = fixtures::user_client(&app, "admin_t", c.county, UnitRole::UnitAdmin).await;
    let mut editor = fixtures::user_client(&app, "editor_t", c.county, UnitRole::Editor).await;
    let column = fixtures::one_step_column(&mut admin, c.county, "要闻").await;
    let today = chrono::Utc::now().date_naive();
    let long_ago = today - chrono::Duration::days(400);
    let cats = ["tuixiu", "party_member", "lixiu", "wulao"];
    let mut people: Vec<(i64, i64, String)> = Vec::new();
    let mut articles = Vec::new();
    let spare = {
        let r = admin
            .json(
                "POST",
                "/api/v1/units",
                json!({ "parent_id": c.town_b, "name": "新村", "kind": "village" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };
    let mut villages = vec![c.village_a, c.village_b, spare];
    for round in 0..4 {
        for i in 0..6 {
            let unit = villages[rng.random_range(0..villages.len())];
            let name = format!("统计{round}{i}");
            let cat = cats[rng.random_range(0..cats.len())];
            let r = staff
                .json(
                    "POST",
                    "/api/v1/people",
                    json!({ "unit_id": unit, "name": name, "gender": "male", "categories": [cat] }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let id = r.json()["id"].as_i64().unwrap();
            people.push((id, unit, name));
            if rng.random_bool(0.6) {
                let tier = ["key", "regular"][rng.random_range(0..2)];
                let r = staff
                    .json(
                        "PUT",
                        &format!("/api/v1/people/{id}/care-plan"),
                        json!({ "tier": tier }),
                    )
                    .await;
                assert!(r.status.is_success(), "{}", r.body);
            }
        }
        for _ in 0..8 {
            let (id, _, _) = people[rng.random_range(0..people.len())];
            let on = if rng.random_bool(0.5) {
                today
            } else {
                long_ago
            };
            let r = staff
                .json(
                    "POST",
                    &format!("/api/v1/people/{id}/visits"),
                    json!({ "kind": "home", "findings": "好", "visited_on": on.to_string() }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        // Edits: another category, another village, or a death.
        for _ in 0..3 {
            let k = rng.random_range(0..people.len());
            let (id, unit, name) = people[k].clone();
            // A file in the deactivated village is kept only by moving it out.
            let unit = if villages.contains(&unit) {
                unit
            } else {
                villages[0]
            };
            let (to, body) = match rng.random_range(0..3) {
                0 => (
                    unit,
                    json!({ "unit_id": unit, "name": name, "gender": "male", "categories": ["volunteer", "tuixiu"] }),
                ),
                1 => {
                    let to = villages[rng.random_range(0..villages.len())];
                    (
                        to,
                        json!({ "unit_id": to, "name": name, "gender": "male", "categories": ["tuixiu"] }),
                    )
                }
                _ => (
                    unit,
                    json!({ "unit_id": unit, "name": name, "gender": "male", "categories": ["tuixiu"],
                                    "status": "deceased", "died_on": today.to_string() }),
                ),
            };
            let r = staff
                .json("PUT", &format!("/api/v1/people/{id}"), body)
                .await;
            assert!(r.status.is_success(), "{}", r.body);
            people[k].1 = to;
        }
        let csv = format!("姓名,人员类别\n导入甲{round},退休\n导入乙{round},党员\n");
        let r = staff
            .upload(
                "/api/v1/people/import?commit=true",
                "名册.csv",
                csv.as_bytes(),
                &[("unit_id", &c.village_b.to_string())],
            )
            .await;
        assert_eq!(r.json()["imported"], 2, "{}", r.body);
        articles.push(
            fixtures::publish(
                &mut editor,
                &mut admin,
                json!({ "column_id": column, "title": format!("第{round}条"), "body": "正文" }),
            )
            .await,
        );
        if round == 1 {
            // A village moves to the other town, with its people and their visits.
            let r = admin
                .json(
                    "PATCH",
                    &format!("/api/v1/units/{}", c.village_b),
                    json!({ "parent_id": c.town_a }),
                )
                .await;
            assert!(r.status.is_success(), "{}", r.body);
            let r = admin
                .json(
                    "POST",
                    &format!("/api/v1/articles/{}/decision", articles[0]),
                    json!({ "action": "withdraw", "comment": "撤回" }),
                )
                .await;
            assert!(r.status.is_success(), "{}", r.body);
        }
        if round == 2 {
            let r = admin
                .json(
                    "POST",
                    &format!("/api/v1/units/{spare}/deactivate"),
                    json!({}),
                )
                .await;
            assert!(r.status.is_success(), "{}", r.body);
            villages.retain(|v| *v != spare);
        }
        // The consumers run between some rounds only, as a late job runner would.
        if rng.random_bool(0.5) || round == 3 {
            catch_up(&app).await;
            assert_totals_match(&app, &format!("round {round}")).await;
        }
    }
    assert!(app.scalar("SELECT COUNT(*) FROM unit_totals").await > 20);
    // An account disabled alone (it was written in bulk, without an event: the recount of
    // its unit counts it as it stands).
    let clerk = fixtures::account(&app, "clerk_t", Some(c.village_a), None).await;
    let r = admin
        .post(&format!("/accounts/{}/disable", clerk.0), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    catch_up(&app).await;
    assert_totals_match(&app, "after an account disabled alone").await;
    // Each kind of write alone, with nothing else in the consumer's batch to recount its unit.
    let (id, unit, name) = people
        .iter()
        .find(|p| villages.contains(&p.1))
        .cloned()
        .unwrap();
    let alone = [
        (
            "PUT",
            format!("/api/v1/people/{id}/care-plan"),
            json!({ "tier": "key" }),
        ),
        (
            "PUT",
            format!("/api/v1/people/{id}/care-plan"),
            json!({ "tier": "routine" }),
        ),
        (
            "PUT",
            format!("/api/v1/people/{id}"),
            json!({ "unit_id": unit, "name": name, "gender": "male", "categories": ["wulao"] }),
        ),
        (
            "PUT",
            format!("/api/v1/people/{id}"),
            json!({ "unit_id": unit, "name": name, "gender": "male", "categories": ["wulao"],
                 "status": "deceased", "died_on": today.to_string() }),
        ),
        (
            "POST",
            format!("/api/v1/articles/{}/decision", articles[1]),
            json!({ "action": "withdraw", "comment": "撤回" }),
        ),
    ];
    for (method, path, body) in alone {
        let r = admin.json(method, &path, body).await;
        assert!(r.status.is_success(), "{path}: {}", r.body);
        catch_up(&app).await;
        assert_totals_match(&app, &format!("after {method} {path} alone")).await;
    }
    // The home page reads them: the county's staff see the county's adults.
    let page = staff.get("/").await;
    let county_path = app
        .text(&format!("SELECT path FROM units WHERE id = {}", c.county))
        .await;
    let people_in_scope = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM people p JOIN units u ON u.id = p.unit_id WHERE p.status = 'active'
             AND NOT p.is_minor AND u.path >= '{county_path}' AND u.path < '{county_path}' || '~'"
        ))
        .await;
    assert!(
        page.body
            .contains(&format!("id=\"figure-people_in_scope\">{people_in_scope}<")),
        "{people_in_scope} people in {}",
        page.body
    );
    // A rebuild from the records computes the same.
    let before = app
        .rows4("SELECT unit_id, metric, bucket, value FROM unit_totals ORDER BY unit_id, metric, bucket")
        .await;
    {
        let mut tx = app.db().write().await.unwrap();
        totals::rebuild(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        app.rows4("SELECT unit_id, metric, bucket, value FROM unit_totals ORDER BY unit_id, metric, bucket")
            .await,
        before
    );
    assert_eq!(yinyao::outbox::run_all(app.db()).await.unwrap(), 0);
}
