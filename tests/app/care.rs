//! Must-visit rules and visit tasks: created once, assigned, closed by a visit; coverage;
//! life events; hardship aid; per-unit rules.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::jobs::visit_tasks::generate as generate_tasks;

async fn open_tasks(app: &TestApp) -> Vec<(i64, String, String)> {
    let mut tx = app.db().read().await.unwrap();
    yinyao::on_tx!(&mut tx, c => sqlx::query_as("SELECT person_id, reason, due_on FROM visit_tasks WHERE status = 'open' ORDER BY id").fetch_all(c).await).unwrap()
}

#[tokio::test]
async fn rules_make_each_task_once_and_a_visit_closes_it() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let me = staff.my_id().await;
    let today = Utc::now().date_naive();
    // Turning 80 in five days.
    let in_five = today + Duration::days(5);
    let birth = in_five
        .with_year(in_five.year() - 80)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(in_five.year() - 80, 2, 28).unwrap());
    let id = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "周德明", "birth_date": birth.to_string() }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    staff
        .json(
            "PUT",
            &format!("/api/v1/people/{id}/care-plan"),
            json!({ "tier": "key", "paired_staff": me }),
        )
        .await;

    assert!(
        generate_tasks(app.db(), today, None).await.unwrap() >= 2,
        "birthday and first contact"
    );
    assert_eq!(
        generate_tasks(app.db(), today, None).await.unwrap(),
        0,
        "running again creates nothing"
    );
    let (a, b) = tokio::join!(
        generate_tasks(app.db(), today, None),
        generate_tasks(app.db(), today, None)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 0, "nor do two nodes at once");
    let tasks = open_tasks(&app).await;
    assert!(tasks.iter().any(|t| t.1 == "birthday"), "{tasks:?}");
    assert!(tasks.iter().any(|t| t.1 == "interval"));

    let mine = staff.json("GET", "/api/v1/tasks", json!(null)).await.json();
    assert_eq!(
        mine.as_array().unwrap().len(),
        tasks.len(),
        "assigned to the paired staff member"
    );
    let page = staff.get("/tasks").await;
    assert!(page.body.contains("周德明") && page.body.contains("逢十生日"));

    // The hospitalisation makes a task at once, due in three days.
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/people/{id}/events"),
            json!({ "kind": "hospitalised", "occurred_on": today.to_string() }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let tasks = open_tasks(&app).await;
    let hospital = tasks
        .iter()
        .find(|t| t.1 == "hospital")
        .expect("hospital task");
    assert_eq!(hospital.2, (today + Duration::days(3)).to_string());

    // A visit today closes the tasks whose window has begun (the birthday's has not yet).
    staff.get(&format!("/people/{id}")).await;
    staff
        .post(
            &format!("/people/{id}/visits"),
            &[
                ("visited_on", &today.to_string()),
                ("kind", "hospital"),
                ("findings", "恢复良好"),
            ],
        )
        .await;
    let left: Vec<String> = open_tasks(&app).await.into_iter().map(|t| t.1).collect();
    assert!(
        !left.contains(&"hospital".to_string()) && !left.contains(&"interval".to_string()),
        "{left:?}"
    );
    assert!(
        left.contains(&"birthday".to_string()),
        "a visit before the birthday week does not count for it"
    );
    assert_eq!(
        generate_tasks(app.db(), today, None).await.unwrap(),
        0,
        "the closed tasks are not made again"
    );
}

#[tokio::test]
async fn coverage_counts_key_people_contacted_within_their_interval() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let today = Utc::now().date_naive();
    let mut ids = Vec::new();
    for name in ["甲", "乙", "丙", "丁"] {
        let id = staff
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": c.village_a, "name": format!("王{name}") }),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        staff
            .json(
                "PUT",
                &format!("/api/v1/people/{id}/care-plan"),
                json!({ "tier": "key" }),
            )
            .await;
        ids.push(id);
    }
    // One visited recently, one visited 40 days ago (interval 30), two never.
    staff.json("POST", &format!("/api/v1/people/{}/visits", ids[0]), json!({ "kind": "phone", "findings": "好", "visited_on": (today - Duration::days(3)).to_string() })).await;
    staff.json("POST", &format!("/api/v1/people/{}/visits", ids[1]), json!({ "kind": "home", "findings": "好", "visited_on": (today - Duration::days(40)).to_string() })).await;
    // The figure is read from the totals the consumers keep (every few seconds on a server).
    crate::fixtures::catch_up(&app).await;
    let cov = staff
        .json(
            "GET",
            &format!("/api/v1/units/{}/coverage", c.town_a),
            json!(null),
        )
        .await
        .json();
    assert_eq!(
        (
            cov["key_people"].as_i64(),
            cov["contacted_in_time"].as_i64(),
            cov["percent"].as_f64()
        ),
        (Some(4), Some(1), Some(25.0))
    );
    let other = staff
        .json(
            "GET",
            &format!("/api/v1/units/{}/coverage", c.town_b),
            json!(null),
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::NOT_FOUND,
        "no coverage figure outside one's scope"
    );
    generate_tasks(app.db(), today, None).await.unwrap();
    let overdue = staff
        .json(
            "GET",
            &format!("/api/v1/units/{}/overdue-tasks", c.town_a),
            json!(null),
        )
        .await
        .json();
    assert_eq!(
        overdue.as_array().unwrap().len(),
        1,
        "the one contacted 40 days ago is overdue: {overdue}"
    );
    let page = staff.get(&format!("/units/{}/care", c.town_a)).await;
    assert_eq!(page.element_text("coverage").as_deref(), Some("25%"));
}

#[tokio::test]
async fn a_recorded_death_changes_the_file_and_leaves_only_the_condolence_visit() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "钱老" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    staff
        .json(
            "PUT",
            &format!("/api/v1/people/{id}/care-plan"),
            json!({ "tier": "key" }),
        )
        .await;
    let today = Utc::now().date_naive();
    generate_tasks(app.db(), today, None).await.unwrap();
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/people/{id}/events"),
            json!({ "kind": "died", "occurred_on": today.to_string() }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let file = staff
        .json("GET", &format!("/api/v1/people/{id}"), json!(null))
        .await
        .json();
    assert_eq!(
        (file["status"].as_str(), file["died_on"].as_str()),
        (Some("deceased"), Some(today.to_string().as_str()))
    );
    let reasons: Vec<String> = open_tasks(&app).await.into_iter().map(|t| t.1).collect();
    assert_eq!(reasons, vec!["death".to_string()]);
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/people/{id}/events"),
            json!({ "kind": "abducted", "occurred_on": "2999-01-01" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn hardship_aid_is_kept_in_fen() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "孙大爷" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    staff.get(&format!("/people/{id}")).await;
    let r = staff
        .post(
            &format!("/people/{id}/aid"),
            &[
                ("kind", "临时救助"),
                ("amount", "1200.50"),
                ("approved_by", "县局"),
                ("granted_on", "2026-01-10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = staff
        .post(
            &format!("/people/{id}/aid"),
            &[
                ("kind", "临时救助"),
                ("amount", "12.345"),
                ("approved_by", "县局"),
                ("granted_on", "2026-01-10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let aid = staff
        .json("GET", &format!("/api/v1/people/{id}/aid"), json!(null))
        .await
        .json();
    assert_eq!(aid[0]["amount_fen"], 120050);
    assert!(
        staff
            .get(&format!("/people/{id}"))
            .await
            .body
            .contains("¥1200.50")
    );
}

#[tokio::test]
async fn rules_are_set_per_unit_and_inherited_below() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let mut rules = admin
        .json(
            "GET",
            &format!("/api/v1/units/{}/care-rules", c.village_a),
            json!(null),
        )
        .await
        .json();
    assert_eq!(rules["hospital_days"], 3, "defaults");
    rules["hospital_days"] = json!(2);
    rules["milestone_ages"] = json!([60, 70, 80]);
    let r = admin
        .json(
            "PUT",
            &format!("/api/v1/units/{}/care-rules", c.town_a),
            rules.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let below = admin
        .json(
            "GET",
            &format!("/api/v1/units/{}/care-rules", c.village_a),
            json!(null),
        )
        .await
        .json();
    assert_eq!(below["hospital_days"], 2, "a village follows its town");
    let sibling = admin
        .json(
            "GET",
            &format!("/api/v1/units/{}/care-rules", c.village_b),
            json!(null),
        )
        .await
        .json();
    assert_eq!(sibling["hospital_days"], 3);
    rules["hospital_days"] = json!(0);
    let r = admin
        .json(
            "PUT",
            &format!("/api/v1/units/{}/care-rules", c.town_a),
            rules,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff
        .json(
            "PUT",
            &format!("/api/v1/units/{}/care-rules", c.town_a),
            below,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "staff do not change the rules"
    );
}
