//! Contact rounds (排查台账): the roster snapshotted by filter at the start (those filed later
//! added only by the button), attempts ending each person safe / needing help (a care item) /
//! unreachable after the set number of attempts (a visit task), coverage per unit, staff
//! below the round's unit working their part only, closing only when nobody is pending, the
//! ledger as XLSX and print, and the deadline reminder sent once.

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

async fn file(
    c: &mut Client<'_>,
    unit: i64,
    name: &str,
    cat: &str,
    living: &str,
    born: &str,
) -> i64 {
    let r = c
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": unit, "name": name, "categories": [cat], "living": living,
                    "birth_date": born, "mobile": "13912345678" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

fn deadline(days: i64) -> String {
    (yinyao::i18n::china_today() + chrono::Duration::days(days)).to_string()
}

fn heat(unit: i64) -> serde_json::Value {
    json!({ "unit_id": unit, "reason": "heat", "title": "高温独居老人排查",
            "categories": ["tuixiu"], "living_alone": true, "age_min": "60",
            "deadline": deadline(2) })
}

async fn start(c: &mut Client<'_>, body: serde_json::Value) -> i64 {
    let r = c.json("POST", "/api/v1/rounds", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn attempt(c: &mut Client<'_>, round: i64, body: serde_json::Value) -> (StatusCode, String) {
    let r = c
        .json("POST", &format!("/api/v1/rounds/{round}/attempts"), body)
        .await;
    let state = r.json()["state"].as_str().unwrap_or("").to_string();
    (r.status, state)
}

#[tokio::test]
async fn a_round_takes_in_whom_its_filter_names_as_of_its_start() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let mut town_b = fixtures::user_client(&app, "b_staff", c.town_b, UnitRole::Staff).await;
    file(
        &mut staff,
        c.village_a,
        "王桂兰",
        "tuixiu",
        "alone",
        "1940-01-01",
    )
    .await;
    file(
        &mut staff,
        c.village_a,
        "李德明",
        "lixiu",
        "alone",
        "1941-02-02",
    )
    .await;
    file(
        &mut staff,
        c.village_a,
        "赵建国",
        "tuixiu",
        "with_family",
        "1942-03-03",
    )
    .await;
    file(
        &mut staff,
        c.village_a,
        "钱小红",
        "tuixiu",
        "alone",
        "1990-04-04",
    )
    .await;
    file(
        &mut staff,
        c.village_b,
        "孙玉珍",
        "tuixiu",
        "alone",
        "1938-05-05",
    )
    .await;

    let r = staff
        .json("POST", "/api/v1/rounds?dry_run=true", heat(c.county))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["people"], 2, "retired, alone, 60 or older");

    // Outside one's reach: 404, nothing written.
    for unit in [c.town_a, c.county] {
        let r = town_b.json("POST", "/api/v1/rounds", heat(unit)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    // Bad input: named, nothing written.
    for bad in [
        json!({ "deadline": deadline(-1) }),
        json!({ "age_min": "90", "age_max": "80" }),
        json!({ "reason": "picnic" }),
        json!({ "age_min": "120" }),
    ] {
        let mut body = heat(c.county);
        for (k, v) in bad.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = staff.json("POST", "/api/v1/rounds", body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM rounds").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM round_people").await, 0);

    let id = start(&mut staff, heat(c.county)).await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM round_people WHERE round_id = {id}"
        ))
        .await,
        2
    );
    // Filed after the start: not in the round until the button adds them, once.
    file(
        &mut staff,
        c.village_b,
        "周秀英",
        "tuixiu",
        "alone",
        "1936-06-06",
    )
    .await;
    let detail = staff
        .json("GET", &format!("/api/v1/rounds/{id}"), json!(null))
        .await;
    assert_eq!(detail.json()["total"]["pending"], 2, "{}", detail.body);
    let add = format!("/api/v1/rounds/{id}/add");
    assert_eq!(
        staff.json("POST", &add, json!(null)).await.json()["added"],
        1
    );
    assert_eq!(
        staff.json("POST", &add, json!(null)).await.json()["added"],
        0
    );
    let detail = staff
        .json("GET", &format!("/api/v1/rounds/{id}"), json!(null))
        .await
        .json();
    assert_eq!(detail["total"]["pending"], 3);
    assert_eq!(
        detail["round"]["people"],
        serde_json::Value::Null,
        "counts by state only"
    );
    let towns: Vec<(String, i64)> = detail["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit_name"].as_str().unwrap().to_string(),
                u["pending"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        towns,
        [("城关镇".to_string(), 1), ("东湖镇".to_string(), 2)]
    );
    // The other town's staff see the county's round from their town, not the rest.
    let theirs = town_b
        .json("GET", &format!("/api/v1/rounds/{id}"), json!(null))
        .await
        .json();
    assert_eq!(theirs["total"]["unit_name"], "东湖镇", "{theirs}");
    assert_eq!(theirs["total"]["pending"], 2);
    let people = town_b
        .json("GET", &format!("/api/v1/rounds/{id}/people"), json!(null))
        .await
        .json();
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["孙玉珍", "周秀英"]);
    assert!(
        people[0]["mobile_mask"].as_str().unwrap().contains('*'),
        "masked"
    );
    let peek = town_b
        .json(
            "GET",
            &format!("/api/v1/rounds/{id}?unit={}", c.town_a),
            json!(null),
        )
        .await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND, "a sibling town's part");
}

#[tokio::test]
async fn attempts_end_each_person_in_a_final_state_and_the_round_closes_then() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut boss = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let mut a_staff = fixtures::user_client(&app, "a_staff", c.town_a, UnitRole::Staff).await;
    let mut b_staff = fixtures::user_client(&app, "b_staff", c.town_b, UnitRole::Staff).await;
    let b_id = b_staff.my_id().await;
    let a_id = a_staff.my_id().await;
    let wang = file(
        &mut boss,
        c.village_a,
        "王桂兰",
        "tuixiu",
        "alone",
        "1940-01-01",
    )
    .await;
    let li = file(
        &mut boss,
        c.village_a,
        "李德明",
        "tuixiu",
        "alone",
        "1941-02-02",
    )
    .await;
    let sun = file(
        &mut boss,
        c.village_b,
        "孙玉珍",
        "tuixiu",
        "alone",
        "1938-05-05",
    )
    .await;
    let r = b_staff
        .json(
            "PUT",
            &format!("/api/v1/people/{sun}/care-plan"),
            json!({ "tier": "key", "paired_staff": b_id }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = start(&mut boss, heat(c.county)).await;

    // The town's staff work the county's round for their town.
    let listed = a_staff
        .json("GET", "/api/v1/rounds", json!(null))
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let (s, state) = attempt(
        &mut a_staff,
        id,
        json!({ "person_id": wang, "channel": "phone", "outcome": "safe" }),
    )
    .await;
    assert_eq!((s, state.as_str()), (StatusCode::CREATED, "safe"));
    // Not the other town's people: 404, nothing written.
    let (s, _) = attempt(
        &mut a_staff,
        id,
        json!({ "person_id": sun, "channel": "phone", "outcome": "safe" }),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM round_attempts").await, 1);
    // Bad input changes nothing.
    let (s, _) = attempt(
        &mut a_staff,
        id,
        json!({ "person_id": li, "channel": "phone", "outcome": "needs_help" }),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "needs help names the needs"
    );
    let (s, _) = attempt(
        &mut a_staff,
        id,
        json!({ "person_id": li, "channel": "pigeon", "outcome": "safe" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM round_attempts").await, 1);

    // Two unanswered attempts: unreachable, and one visit task for the recorder.
    let (_, state) = attempt(
        &mut a_staff,
        id,
        json!({ "person_id": li, "channel": "phone", "outcome": "no_answer" }),
    )
    .await;
    assert_eq!(state, "pending");
    let close = format!("/api/v1/rounds/{id}/close");
    let r = boss.json("POST", &close, json!(null)).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "people still pending: {}",
        r.body
    );
    let (_, state) = attempt(
        &mut a_staff,
        id,
        json!({ "person_id": li, "channel": "visit", "outcome": "no_answer" }),
    )
    .await;
    assert_eq!(state, "unreachable");
    let task = app
        .rows3(&format!(
            "SELECT reason, status, assigned_to FROM visit_tasks WHERE person_id = {li}"
        ))
        .await;
    assert_eq!(task.len(), 1);
    assert_eq!((task[0].0.as_str(), task[0].1.as_str()), ("round", "open"));
    assert_eq!(task[0].2, a_id, "no paired staff: the recorder");
    let tasks = a_staff.json("GET", "/api/v1/tasks", json!(null)).await;
    assert!(tasks.body.contains("\"round\""), "{}", tasks.body);

    // Needs help: a care item for the needs, not twice for the same needs.
    let help = json!({ "person_id": sun, "channel": "family", "outcome": "needs_help",
                       "needs": ["medicine", "ride"], "note": "降压药快吃完了" });
    let (_, state) = attempt(&mut b_staff, id, help.clone()).await;
    assert_eq!(state, "needs_help");
    let (_, state) = attempt(&mut b_staff, id, help).await;
    assert_eq!(state, "needs_help");
    let items = app
        .pairs(&format!(
            "SELECT id, name FROM care_items WHERE person_id = {sun}"
        ))
        .await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        items[0].1.contains("药品") && items[0].1.contains("出行接送"),
        "{items:?}"
    );
    let detail = boss
        .json("GET", &format!("/api/v1/rounds/{id}"), json!(null))
        .await
        .json();
    let t = &detail["total"];
    assert_eq!(
        (
            t["safe"].as_i64(),
            t["needs_help"].as_i64(),
            t["unreachable"].as_i64(),
            t["pending"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(0)),
        "{detail}"
    );

    // Closing: not by staff below the round's unit; then by its own staff; then nothing more.
    assert_eq!(
        a_staff.json("POST", &close, json!(null)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        boss.json("POST", &close, json!(null)).await.status,
        StatusCode::NO_CONTENT
    );
    let (s, _) = attempt(
        &mut a_staff,
        id,
        json!({ "person_id": wang, "channel": "phone", "outcome": "safe" }),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "closed");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('round.start', 'round.attempt', 'round.close')").await,
        7,
        "start, five attempts, close"
    );

    // The ledger: one row a person, masked; and its print view.
    let x = boss.get(&format!("/rounds/{id}/ledger.xlsx")).await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.body);
    let rows = crate::roster::xlsx_cells(&x.bytes);
    let names: Vec<&str> = rows.iter().skip(4).map(|r| r[0].as_str()).collect();
    assert_eq!(names.len(), 3, "{rows:?}");
    assert!(names.contains(&"孙玉珍"), "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| !r.iter().any(|c| c.contains("13912345678"))),
        "masked"
    );
    let sun_row = rows.iter().find(|r| r[0] == "孙玉珍").unwrap();
    assert_eq!(sun_row[3], "需要帮助");
    assert!(sun_row[4].contains("降压药"), "{sun_row:?}");
    let p = boss.get(&format!("/rounds/{id}/print")).await;
    assert!(
        p.body.contains("李德明") && p.body.contains("联系不上"),
        "{}",
        p.body
    );
}

#[tokio::test]
async fn the_pages_record_from_the_list_and_from_the_person_file() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "town_staff", c.town_a, UnitRole::Staff).await;
    let wang = file(
        &mut staff,
        c.village_a,
        "王桂兰",
        "tuixiu",
        "alone",
        "1940-01-01",
    )
    .await;
    let li = file(
        &mut staff,
        c.village_a,
        "李德明",
        "tuixiu",
        "alone",
        "1941-02-02",
    )
    .await;
    // The form: check, then start.
    let deadline = deadline(1);
    let form = [
        ("unit_id", c.town_a.to_string()),
        ("reason", "flood".to_string()),
        ("title", "汛期排查".to_string()),
        ("categories", "tuixiu".to_string()),
        ("deadline", deadline.clone()),
        ("max_attempts", "2".to_string()),
    ];
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = staff.post("/rounds/check", &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.element_text("round-reach-n").as_deref(), Some("2"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM rounds").await,
        0,
        "a check starts nothing"
    );
    let r = staff.post("/rounds", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r.location_id();
    let page = staff.get(&format!("/rounds/{id}")).await;
    assert!(page.body.contains("王桂兰") && page.body.contains("李德明"));
    assert_eq!(page.element_text("fig-pending").as_deref(), Some("2"));

    // One tap from the list: back to the list, the person no longer pending.
    let back = format!("/rounds/{id}?state=pending&");
    let r = staff
        .post(
            &format!("/rounds/{id}/people/{wang}"),
            &[("channel", "phone"), ("outcome", "safe"), ("back", &back)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with(&back), "{}", r.location());
    let page = staff.get(&format!("/rounds/{id}")).await;
    assert_eq!(page.element_text("fig-safe").as_deref(), Some("1"));
    assert!(
        !page.body.contains(&format!("id=\"rp-{wang}\"")),
        "no longer in the pending list"
    );

    // From the person file: the round is there with its buttons; a foreign "back" is ignored.
    let f = staff.get(&format!("/people/{li}")).await;
    assert!(
        f.body.contains("id=\"file-rounds\"") && f.body.contains("汛期排查"),
        "{}",
        f.body
    );
    let r = staff
        .post(
            &format!("/rounds/{id}/people/{li}"),
            &[
                ("channel", "visit"),
                ("outcome", "needs_help"),
                ("needs", "food"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location()
            .starts_with(&format!("/rounds/{id}/people/{li}")),
        "{}",
        r.location()
    );
    let m = staff.get(&format!("/rounds/{id}/people/{li}")).await;
    assert!(m.body.contains("食物"), "{}", m.body);
    // Needs help without needs: the error, nothing written.
    let before = app.scalar("SELECT COUNT(*) FROM round_attempts").await;
    let r = staff
        .post(
            &format!("/rounds/{id}/people/{li}"),
            &[("channel", "visit"), ("outcome", "needs_help")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请选择需要什么帮助"), "{}", r.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM round_attempts").await,
        before
    );
    // Everyone has a final state: the close button works.
    let r = staff.post(&format!("/rounds/{id}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.text(&format!("SELECT status FROM rounds WHERE id = {id}"))
            .await,
        "closed"
    );
    let f = staff.get(&format!("/people/{li}")).await;
    assert!(
        !f.body.contains("id=\"file-rounds\""),
        "a closed round leaves the file"
    );
}

#[tokio::test]
async fn the_deadline_reminder_reaches_staff_with_people_pending_once() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut boss = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let mut paired = fixtures::user_client(&app, "b_staff", c.town_b, UnitRole::Staff).await;
    let mut idle = fixtures::user_client(&app, "a_staff", c.town_a, UnitRole::Staff).await;
    let paired_id = paired.my_id().await;
    let sun = file(
        &mut boss,
        c.village_b,
        "孙玉珍",
        "tuixiu",
        "alone",
        "1938-05-05",
    )
    .await;
    file(
        &mut boss,
        c.village_a,
        "王桂兰",
        "tuixiu",
        "alone",
        "1940-01-01",
    )
    .await;
    paired
        .json(
            "PUT",
            &format!("/api/v1/people/{sun}/care-plan"),
            json!({ "tier": "key", "paired_staff": paired_id }),
        )
        .await;
    let mut later = heat(c.county);
    later["deadline"] = json!(deadline(5));
    let far = start(&mut boss, later).await;
    let mut soon = heat(c.county);
    soon["deadline"] = json!(deadline(1));
    soon["title"] = json!("寒潮排查");
    let near = start(&mut boss, soon).await;
    let today = yinyao::i18n::china_today();
    let remind = || async {
        let mut tx = app.db().write().await.unwrap();
        let n = yinyao::jobs::remind_rounds(&mut tx, today).await.unwrap();
        tx.commit().await.unwrap();
        n
    };
    assert_eq!(remind().await, 2, "the paired staff member and the starter");
    assert_eq!(remind().await, 0, "once");
    let inbox = paired
        .json("GET", "/api/v1/notifications", json!(null))
        .await
        .json();
    let n = &inbox["notifications"][0];
    assert_eq!(n["kind"], "round_due", "{inbox}");
    assert_eq!(n["link"], format!("/rounds/{near}?mine=1"));
    assert_eq!(
        inbox["notifications"].as_array().unwrap().len(),
        1,
        "not the far round"
    );
    let boss_inbox = boss
        .json("GET", "/api/v1/notifications", json!(null))
        .await
        .json();
    assert_eq!(
        boss_inbox["notifications"][0]["link"],
        format!("/rounds/{near}")
    );
    let none = idle
        .json("GET", "/api/v1/notifications", json!(null))
        .await
        .json();
    assert_eq!(none["notifications"].as_array().unwrap().len(), 0);
    let _ = far;
}

#[tokio::test]
async fn two_staff_recording_the_same_person_at_once_count_both_attempts() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut one = fixtures::user_client(&app, "one", c.town_a, UnitRole::Staff).await;
    let mut two = fixtures::user_client(&app, "two", c.town_a, UnitRole::Staff).await;
    let wang = file(
        &mut one,
        c.village_a,
        "王桂兰",
        "tuixiu",
        "alone",
        "1940-01-01",
    )
    .await;
    let id = start(&mut one, heat(c.town_a)).await;
    let body = json!({ "person_id": wang, "channel": "phone", "outcome": "no_answer" });
    let (a, b) = tokio::join!(
        attempt(&mut one, id, body.clone()),
        attempt(&mut two, id, body)
    );
    assert_eq!((a.0, b.0), (StatusCode::CREATED, StatusCode::CREATED));
    let mut states = [a.1, b.1];
    states.sort();
    assert_eq!(states, ["pending".to_string(), "unreachable".to_string()]);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM visit_tasks WHERE person_id = {wang} AND reason = 'round'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT CAST(failures AS BIGINT) FROM round_people WHERE person_id = {wang}"
        ))
        .await,
        2
    );
}

#[tokio::test]
async fn the_list_pages_across_units_in_order_without_gaps_or_repeats() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let mut filed = Vec::new();
    for i in 0..53 {
        let unit = if i < 51 { c.village_a } else { c.village_b };
        filed.push(
            file(
                &mut staff,
                unit,
                &format!("老同志{i:02}"),
                "tuixiu",
                "alone",
                "1940-01-01",
            )
            .await,
        );
    }
    let id = start(&mut staff, heat(c.county)).await;
    // One in the first village reached: the pending list skips them.
    let (s, _) = attempt(
        &mut staff,
        id,
        json!({ "person_id": filed[3], "channel": "phone", "outcome": "safe" }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let page = |n: i64| format!("/api/v1/rounds/{id}/people?state=pending&page={n}");
    let one = staff.json("GET", &page(1), json!(null)).await.json();
    let two = staff.json("GET", &page(2), json!(null)).await.json();
    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["person_id"].as_i64().unwrap())
            .collect()
    };
    let (one, two) = (ids(&one), ids(&two));
    assert_eq!((one.len(), two.len()), (50, 2), "52 pending: 50, then 2");
    let mut all = one.clone();
    all.extend(&two);
    let mut expected: Vec<i64> = filed.iter().copied().filter(|p| *p != filed[3]).collect();
    expected.sort();
    assert_eq!(
        all, expected,
        "by unit, then file; none twice, none left out"
    );
    assert_eq!(
        two,
        [filed[51], filed[52]],
        "the second village's people last"
    );
    let safe = staff
        .json(
            "GET",
            &format!("/api/v1/rounds/{id}/people?state=safe"),
            json!(null),
        )
        .await
        .json();
    assert_eq!(ids(&safe), [filed[3]]);
}
