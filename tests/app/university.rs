//! The seniors' university: a term's catalogue, enrolment within the window and the per-term
//! limit, returning students first in the priority window, waiting lists promoted in order,
//! the timetable, class sessions from the weekly time with attendance recorded once, the
//! term's figures as XLSX, and a town's terms out of another town's reach.

use crate::fixtures::{self, County, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

fn t(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339()
}

fn day(days: i64) -> String {
    (yinyao::i18n::china_today() + chrono::Duration::days(days)).to_string()
}

async fn open_term(c: &mut Client<'_>, unit: i64, body: serde_json::Value) -> i64 {
    let mut term = json!({ "unit_id": unit, "name": "2027年春季学期", "starts_on": day(10),
                           "ends_on": day(80), "enrol_opens_at": t(-1), "enrol_closes_at": t(240),
                           "course_limit": "2" });
    for (k, v) in body.as_object().unwrap() {
        term[k] = v.clone();
    }
    let r = c.json("POST", "/api/v1/university/terms", term).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn course(c: &mut Client<'_>, term: i64, subject: &str, weekday: u8, capacity: &str) -> i64 {
    let r = c
        .json(
            "POST",
            &format!("/api/v1/university/terms/{term}/courses"),
            json!({ "subject": subject, "fee": "120", "teacher": "王老师", "weekday": weekday.to_string(),
                    "starts_time": "09:00", "ends_time": "10:30", "place": "老年大学二楼",
                    "capacity": capacity }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// A member with a file at `unit`, linked to their account.
async fn member<'a>(
    app: &'a TestApp,
    staff: &mut Client<'_>,
    unit: i64,
    login: &str,
) -> (Client<'a>, i64) {
    fixtures::member_with_file(app, staff, unit, login, "tuixiu").await
}

async fn enrol(c: &mut Client<'_>, section: i64) -> (StatusCode, serde_json::Value) {
    let r = c
        .json(
            "POST",
            &format!("/api/v1/university/sections/{section}/enrolments"),
            json!({}),
        )
        .await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(json!(null)),
    )
}

#[tokio::test]
async fn a_member_enrols_in_two_courses_within_the_limit_and_sees_the_timetable() {
    let app = TestApp::new().await;
    let c: County = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let term = open_term(&mut staff, c.county, json!({})).await;
    let calligraphy = course(&mut staff, term, "书法", 1, "30").await;
    let taiji = course(&mut staff, term, "太极拳", 3, "30").await;
    let choir = course(&mut staff, term, "合唱", 5, "1").await;
    let (mut m, _) = member(&app, &mut staff, c.village_a, "zhang").await;
    for s in [taiji, calligraphy] {
        let (st, body) = enrol(&mut m, s).await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        assert_eq!(body["state"], "enrolled");
    }
    // Twice, and over the limit: named, nothing written.
    let (st, body) = enrol(&mut m, taiji).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (st, body) = enrol(&mut m, choir).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("上限"), "{body}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM enrolments").await, 2);
    // The timetable: Monday first.
    let r = m.json("GET", "/api/v1/me/timetable", json!(null)).await;
    let subjects: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["subject"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(subjects, ["书法", "太极拳"]);
    let page = m.get("/university/timetable").await;
    assert!(
        page.body.contains("周一") && page.body.contains("周三"),
        "{}",
        page.body
    );
    // The weekly time gave a session each week of the term.
    let sessions = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM class_sessions WHERE section_id = {calligraphy}"
        ))
        .await;
    assert!((9..=11).contains(&sessions), "{sessions}");

    // One place: the next waits, and gets it when the first leaves, and is told.
    let (mut a, _) = member(&app, &mut staff, c.village_a, "li").await;
    let (mut b, _) = member(&app, &mut staff, c.village_a, "wang").await;
    let (_, first) = enrol(&mut a, choir).await;
    let (_, second) = enrol(&mut b, choir).await;
    assert_eq!(
        (first["state"].as_str(), second["state"].as_str()),
        (Some("enrolled"), Some("waiting"))
    );
    let id = first["id"].as_i64().unwrap();
    let r = a
        .json(
            "POST",
            &format!("/api/v1/university/enrolments/{id}/cancel"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.text(&format!(
            "SELECT state FROM enrolments WHERE id = {}",
            second["id"]
        ))
        .await,
        "enrolled"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT enrolled FROM course_sections WHERE id = {choir}"
        ))
        .await,
        1
    );
    fixtures::notify_all(&app).await;
    let inbox = b.json("GET", "/api/v1/notifications", json!(null)).await;
    assert!(inbox.body.contains("course_place"), "{}", inbox.body);
    // A member without a file is told what to do.
    let mut nofile = fixtures::user_client(&app, "nofile", c.village_a, UnitRole::Member).await;
    let (st, body) = enrol(&mut nofile, taiji).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(body.to_string().contains("档案"), "{body}");
}

#[tokio::test]
async fn returning_students_enrol_first_in_the_priority_window() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let autumn = open_term(
        &mut staff,
        c.county,
        json!({ "name": "2026年秋季学期", "starts_on": day(-120), "ends_on": day(-30) }),
    )
    .await;
    let old = course(&mut staff, autumn, "书法", 1, "30").await;
    let (mut returning, _) = member(&app, &mut staff, c.village_a, "zhang").await;
    let (mut newcomer, _) = member(&app, &mut staff, c.village_a, "li").await;
    assert_eq!(enrol(&mut returning, old).await.0, StatusCode::CREATED);
    let spring = open_term(&mut staff, c.county, json!({ "priority_until": t(48) })).await;
    let again = course(&mut staff, spring, "书法", 1, "30").await;
    let (st, body) = enrol(&mut newcomer, again).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("老学员"), "{body}");
    let (st, body) = enrol(&mut returning, again).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM enrolments WHERE is_returning")
            .await,
        1
    );
    // Once the window has passed, first come.
    app.exec_owned(format!(
        "UPDATE terms SET priority_until = enrol_opens_at WHERE id = {spring}"
    ))
    .await
    .unwrap();
    let (st, body) = enrol(&mut newcomer, again).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    // Outside the enrolment window: refused.
    let closed = open_term(
        &mut staff,
        c.county,
        json!({ "enrol_opens_at": t(24), "enrol_closes_at": t(48) }),
    )
    .await;
    let later = course(&mut staff, closed, "太极拳", 2, "").await;
    let (st, body) = enrol(&mut newcomer, later).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn attendance_is_recorded_once_per_session_and_exported() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let term = open_term(&mut staff, c.county, json!({})).await;
    let section = course(&mut staff, term, "书法", 1, "30").await;
    let (mut m, _) = member(&app, &mut staff, c.village_a, "zhang").await;
    enrol(&mut m, section).await;
    let page = m.get(&format!("/university/sections/{section}")).await;
    let code = page
        .element_text("my-code")
        .expect("the code beside the QR code");
    assert!(page.body.contains("<svg"));
    let session = app
        .scalar(&format!(
            "SELECT MIN(id) FROM class_sessions WHERE section_id = {section}"
        ))
        .await;
    let url = format!("/api/v1/university/sessions/{session}/checkins");
    let r = staff.json("POST", &url, json!({ "code": code })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["first"], true);
    let r = staff.json("POST", &url, json!({ "code": code })).await;
    assert_eq!(r.json()["first"], false);
    assert_eq!(
        app.scalar(&format!(
            "SELECT attended FROM class_sessions WHERE id = {session}"
        ))
        .await,
        1
    );
    let r = m.json("POST", &url, json!({ "code": code })).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a student does not check in others"
    );
    // The check-in page by form.
    let r = staff
        .post(
            &format!("/university/sessions/{session}/checkin"),
            &[("code", &code)],
        )
        .await;
    let shown = staff.get(r.location()).await;
    assert!(shown.body.contains("已经签到过了"), "{}", shown.body);
    // The figures: one row per class, read back.
    let x = staff
        .get(&format!("/university/terms/{term}/figures.xlsx"))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let cells = crate::roster::xlsx_cells(&x.bytes);
    let row = cells
        .iter()
        .find(|r| r.first().map(String::as_str) == Some("书法"))
        .expect("a row for the course");
    assert_eq!(row[4], "1", "{row:?}");
    assert_eq!(row[8], "1", "{row:?}");
    assert_eq!(
        m.get(&format!("/university/terms/{term}/figures.xlsx"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_towns_university_is_out_of_another_towns_reach_and_bad_input_writes_nothing() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut a = fixtures::user_client(&app, "a_staff", c.town_a, UnitRole::Staff).await;
    let mut b = fixtures::user_client(&app, "b_staff", c.town_b, UnitRole::Staff).await;
    let term = open_term(&mut a, c.town_a, json!({})).await;
    let section = course(&mut a, term, "书法", 1, "30").await;
    let (mut bm, other) = member(&app, &mut b, c.village_b, "sun").await;
    assert_eq!(
        b.get(&format!("/university/terms/{term}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bm.get(&format!("/university/sections/{section}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (st, _) = enrol(&mut bm, section).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let r = a
        .json(
            "POST",
            &format!("/api/v1/university/sections/{section}/enrolments"),
            json!({ "person_id": other }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not their person");
    let before = app.scalar("SELECT COUNT(*) FROM terms").await;
    let r = a
        .json("POST", "/api/v1/university/terms", json!({ "unit_id": c.town_a, "name": "坏学期", "starts_on": day(10),
              "ends_on": day(5), "enrol_opens_at": t(-1), "enrol_closes_at": t(10), "priority_until": t(20) }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("ends_on") && r.body.contains("priority_until"),
        "{}",
        r.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM terms").await, before);
    let r = a
        .json(
            "POST",
            &format!("/api/v1/university/terms/{term}/courses"),
            json!({ "subject": "合唱", "teacher": "李老师", "weekday": "8", "starts_time": "10:00",
                      "ends_time": "09:00", "place": "礼堂", "capacity": "-1", "fee": "abc" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for f in ["weekday", "ends_time", "capacity", "fee"] {
        assert!(r.body.contains(f), "{f}: {}", r.body);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM courses").await, 1);
}

#[tokio::test]
async fn a_courses_materials_are_for_its_students_and_organisers() {
    let app = TestApp::with_uploads().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let term = open_term(&mut staff, c.county, json!({})).await;
    let section = course(&mut staff, term, "书法", 1, "30").await;
    let (mut student, _) = member(&app, &mut staff, c.village_a, "zhang").await;
    let (mut other, _) = member(&app, &mut staff, c.village_a, "li").await;
    enrol(&mut student, section).await;
    let r = staff
        .upload(
            &format!("/university/sections/{section}/materials"),
            "字帖.png",
            &fixtures::png(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let file = app.scalar("SELECT file_id FROM course_materials").await;
    assert_eq!(
        student
            .get(&format!("/university/materials/{file}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        staff
            .get(&format!("/university/materials/{file}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        other
            .get(&format!("/university/materials/{file}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = student
        .upload(
            &format!("/university/sections/{section}/materials"),
            "x.png",
            &fixtures::png(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = student
        .get(&format!("/university/sections/{section}"))
        .await;
    assert!(page.body.contains("字帖.png"));
}
