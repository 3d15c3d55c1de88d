//! "My tasks" at volume: the most urgent first (by kind, then by how long overdue), filters by
//! kind, village and overdue, paging, the printed sheet (masked, or revealed and audited), and
//! the person file opened from a task ("saved; tasks done; next task →").

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;
use yinyao::accounts::model::UnitRole;

/// Files a person at `unit` (with a mobile) and gives `account` a task for them.
async fn person_with_task(
    app: &TestApp,
    staff: &mut crate::helpers::Client<'_>,
    unit: i64,
    name: &str,
    mobile: &str,
    account: i64,
    (reason, due_in_days): (&str, i64),
) -> (i64, i64) {
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": unit, "name": name, "mobile": mobile, "address": format!("{name}家 1 号") }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let person = r.json()["id"].as_i64().unwrap();
    let today = Utc::now().date_naive();
    let due = today + Duration::days(due_in_days);
    let start = due - Duration::days(7);
    app.exec_owned(format!(
        "INSERT INTO visit_tasks (person_id, reason, reason_key, window_start, due_on, assigned_to, status, created_at)
         VALUES ({person}, '{reason}', '{reason}:{due}', '{start}', '{due}', {account}, 'open', '{now}')",
        now = Utc::now().to_rfc3339()
    ))
    .await
    .unwrap();
    let task = app
        .scalar(&format!(
            "SELECT id FROM visit_tasks WHERE person_id = {person}"
        ))
        .await;
    (person, task)
}

#[tokio::test]
async fn most_urgent_first_with_filters_paging_and_a_sheet() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let me = staff.my_id().await;
    // A routine contact overdue for 300 days, a festival visit overdue for 10, a birthday and
    // a hospital visit not yet due: the hospital visit comes first all the same.
    let mut made = std::collections::HashMap::new();
    for (unit, name, mobile, task) in [
        (c.village_a, "常规甲", "13800000001", ("interval", -300)),
        (c.town_a, "节日乙", "13800000002", ("festival", -10)),
        (c.village_a, "生日丙", "13800000003", ("birthday", 5)),
        (c.village_a, "住院丁", "13800000004", ("hospital", 3)),
        (c.town_a, "丧亲戊", "13800000005", ("bereavement", -2)),
    ] {
        made.insert(
            name,
            person_with_task(&app, &mut staff, unit, name, mobile, me, task).await,
        );
    }
    let (hospital, hospital_task) = made["住院丁"];

    let list = staff.json("GET", "/api/v1/tasks", json!(null)).await.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["person_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["住院丁", "丧亲戊", "生日丙", "节日乙", "常规甲"]);
    assert_eq!(list[0]["unit_id"].as_i64(), Some(c.village_a));
    assert_eq!(list[0]["mobile_mask"].as_str(), Some("138****0004"));

    // Filters: by kind, by village, overdue; bad values are refused with the field named.
    for (q, want) in [
        ("kind=interval".to_string(), vec!["常规甲"]),
        (
            format!("unit={}", c.village_a),
            vec!["住院丁", "生日丙", "常规甲"],
        ),
        ("overdue=1".to_string(), vec!["丧亲戊", "节日乙", "常规甲"]),
        (
            format!("overdue=1&unit={}", c.town_a),
            vec!["丧亲戊", "节日乙"],
        ),
    ] {
        let got = staff
            .json("GET", &format!("/api/v1/tasks?{q}"), json!(null))
            .await
            .json();
        let got: Vec<&str> = got
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["person_name"].as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{q}");
    }
    let bad = staff
        .json("GET", "/api/v1/tasks?kind=party", json!(null))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("kind"), "{}", bad.body);

    // The page: counts, the filters' counts, the overdue mark, the link into the file.
    let page = staff.get("/tasks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<strong class=\"num\">5</strong>"),
        "all five counted"
    );
    assert!(
        page.body
            .contains("<strong class=\"num late-count\">3</strong>"),
        "three overdue"
    );
    assert_eq!(page.body.matches("class=\"task overdue\"").count(), 3);
    assert!(
        page.body
            .contains("已逾期 <span class=\"num\">300</span> 天")
    );
    assert!(
        page.body
            .contains(&format!("/people/{hospital}?task={hospital_task}\""))
    );
    assert!(
        page.body.contains("住院探望 (1)"),
        "kind counts in the filter"
    );
    let filtered = staff
        .get(&format!("/tasks?overdue=1&unit={}", c.town_a))
        .await;
    assert!(filtered.body.contains("丧亲戊") && !filtered.body.contains("常规甲"));
    assert!(
        filtered
            .body
            .contains(&format!("/tasks/sheet?unit={}&#38;overdue=1", c.town_a)),
        "the sheet keeps the filter"
    );

    // Paging: 50 a page; the 51st task is on page 2.
    for i in 0..48 {
        person_with_task(
            &app,
            &mut staff,
            c.village_a,
            &format!("日常{i:02}"),
            &format!("139000000{i:02}"),
            me,
            ("interval", 30 + i),
        )
        .await;
    }
    let first = staff.get("/tasks").await;
    assert!(first.body.contains("page=2") && !first.body.contains("日常47"));
    let second = staff.get("/tasks?page=2").await;
    assert!(second.body.contains("日常47") && !second.body.contains("住院丁"));

    // The sheet: masked until revealed; the reveal is audited once a person.
    let sheet = staff.get("/tasks/sheet?kind=hospital").await;
    assert!(sheet.body.contains("138****0004") && !sheet.body.contains("13800000004"));
    assert!(!sheet.body.contains("住院丁家"), "the address is hidden");
    let before = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'person.reveal'")
        .await;
    let shown = staff.post("/tasks/sheet", &[("kind", "hospital")]).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("tel:13800000004") && shown.body.contains("住院丁家 1 号"));
    let after = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'person.reveal'")
        .await;
    assert_eq!(after - before, 1, "one reveal, one entry");

    // Opened from the task: the reason above the visit form, open, a hospital visit chosen.
    let file = staff
        .get(&format!("/people/{hospital}?task={hospital_task}"))
        .await;
    assert!(file.body.contains("id=\"task-context\""));
    assert!(
        file.body
            .contains("<details class=\"section panel\" id=\"visit-form\" open>")
    );
    assert!(file.body.contains("<option value=\"hospital\" selected>"));
    assert!(file.body.contains("id=\"summary\"") && file.body.contains("138****0004"));
    // Saved: the tasks done and the next task (the bereavement visit, now the most urgent).
    let today = Utc::now().date_naive().to_string();
    let saved = staff
        .post(
            &format!("/people/{hospital}/visits"),
            &[
                ("visited_on", &today),
                ("kind", "hospital"),
                ("findings", "已出院，恢复良好"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location(),
        format!("/people/{hospital}?closed=1&done=visited")
    );
    let after_visit = staff.get(saved.location()).await;
    assert!(after_visit.body.contains("走访已保存"));
    assert!(after_visit.body.contains("id=\"next-task\"") && after_visit.body.contains("丧亲戊"));
}

#[tokio::test]
async fn the_file_prints_masked_and_a_visit_sheet_prints_blank() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let me = staff.my_id().await;
    let (person, _) = person_with_task(
        &app,
        &mut staff,
        c.village_a,
        "印刷甲",
        "13800000009",
        me,
        ("birthday", 5),
    )
    .await;
    let file = staff.get(&format!("/people/{person}/print")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.contains("138****0009") && !file.body.contains("13800000009"));
    assert!(!file.body.contains("印刷甲家"), "the address stays hidden");
    assert!(file.body.contains("逢十生日"), "open tasks are listed");
    let sheet = staff.get(&format!("/people/{person}/visit-sheet")).await;
    assert!(sheet.body.contains("id=\"visit-sheet\"") && sheet.body.contains("write-in"));
    // Outside the caller's reach: not found, as the file itself.
    let mut other = fixtures::user_client(&app, "staff_b", c.town_b, UnitRole::Staff).await;
    assert_eq!(
        other.get(&format!("/people/{person}/print")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/people/{person}/visit-sheet"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
