//! The access matrix: every `{id}` GET route of the API (read from the OpenAPI document, which
//! is generated from the router's handlers, so a new route joins the matrix by itself) and every
//! `{id}` page, for every kind of caller, against subjects in the caller's own unit, a sibling
//! unit and the parent unit, adult and minor. The expected answers stand in one table below.
//! A refusal must be a 403 or 404, must not show the subject, and must be in the audit trail.

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::{PlatformRole, UnitRole};
use yinyao::units::model::{UnitId, UnitKind};

/// What a route reads, which decides who may read it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Group {
    /// A person file: adult (staff, unit admins) or minor (youth care), by subtree.
    Person,
    /// A unit itself: any unit role in its subtree, the system and security admins.
    UnitView,
    /// A unit's care figures and rules: the people keepers of its subtree.
    UnitCare,
    /// A unit's review steps: news writers of its subtree.
    UnitNews,
    /// An account: unit admins and staff over its unit, the system and security admins.
    Account,
    /// A draft article: the newsroom of its column's unit.
    Article,
    /// A contact round over the county: whoever keeps files at or below it (their part).
    Round,
    /// A members-only event the county organises for town A: its organisers, staff over or
    /// under its audience, members filed in it.
    Event,
    /// The same event's desk (registrations, check-in, changes): its organisers only.
    EventDesk,
    /// A video of town A for its subtree: any role over or under town A.
    Video,
    /// Town A's seniors' university term, and a section of it: any role over or under town A,
    /// members filed below it.
    Term,
    Section,
    /// The term's desk (its figures) and a class session's check-in: its organisers.
    TermDesk,
    Session,
}

/// The `{id}` routes and pages outside the matrix, and why.
const OUTSIDE: [(&str, &str); 9] = [
    (
        "/api/v1/public/",
        "public reading: anyone may read published articles",
    ),
    (
        "/api/v1/campaigns/",
        "campaigns: calls are public; judging is tested in campaigns.rs",
    ),
    ("/campaigns/", "campaigns: as above"),
    ("/read/", "public reading"),
    ("/files/", "files follow their article or work: refusals.rs"),
    (
        "/api/v1/people/{id}/reveal/",
        "two parameters: people.rs tests reveals by role",
    ),
    (
        "/events/registrations/",
        "a registration's ticket: events.rs tests who may print it",
    ),
    ("/events/units/", "a unit's feed of its public events"),
    (
        "/university/materials/",
        "a course's materials: university.rs tests who may open them",
    ),
];

fn group_of(path: &str) -> Option<Group> {
    let p = path.trim_start_matches("/api/v1");
    Some(match p {
        _ if p.starts_with("/people/{id}") => Group::Person,
        // The must-visit rules are the unit's policy, not anyone's data.
        "/units/{id}" | "/units/{id}/care-rules" => Group::UnitView,
        "/units/{id}/care" | "/units/{id}/coverage" | "/units/{id}/overdue-tasks" => {
            Group::UnitCare
        }
        "/units/{id}/review-steps" => Group::UnitNews,
        _ if p.starts_with("/accounts/{id}") => Group::Account,
        _ if p.starts_with("/articles/{id}") || p.starts_with("/news/{id}") => Group::Article,
        _ if p.starts_with("/rounds/{id}") => Group::Round,
        "/events/{id}" => Group::Event,
        _ if p.starts_with("/events/{id}/") => Group::EventDesk,
        _ if p.starts_with("/videos/{id}") => Group::Video,
        "/university/terms/{id}" => Group::Term,
        _ if p.starts_with("/university/terms/{id}/") => Group::TermDesk,
        _ if p.starts_with("/university/sections/{id}") => Group::Section,
        _ if p.starts_with("/university/sessions/{id}") => Group::Session,
        _ => return None,
    })
}

/// Pages with an `{id}` (the router does not list its pages; a page added without a line here
/// is untested by the matrix, so keep this list with `src/*/mod.rs`).
const PAGES: [&str; 22] = [
    "/people/{id}",
    "/people/{id}/edit",
    "/people/{id}/photo.jpg",
    "/units/{id}",
    "/units/{id}/care",
    "/accounts/{id}",
    "/news/{id}",
    "/news/{id}/edit",
    "/news/{id}/compare",
    "/rounds/{id}",
    "/rounds/{id}/print",
    "/rounds/{id}/ledger.xlsx",
    "/events/{id}",
    "/events/{id}/edit",
    "/events/{id}/people",
    "/events/{id}/checkin",
    "/videos/{id}",
    "/videos/{id}/file",
    "/university/terms/{id}",
    "/university/terms/{id}/figures.xlsx",
    "/university/sections/{id}",
    "/university/sessions/{id}/checkin",
];

/// Who may read what. Columns: person (adult in village A, minor in a school of the
/// youth-care committee) · unit, care, news (town A, town B, the county) · account (in village
/// A, in town B) · draft article of town A · contact round over the county · the county's
/// event for town A and its desk · a video of town A · town A's university term (and a
/// section) and its desk (figures, a session's check-in). Y may, N may not.
/// A caller and its columns.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const EXPECTED: [Row; 12] = [
    // caller       person  unit   care   news   account article round event desk video term tdesk
    (
        "staff_a", "YN", "YNN", "YNN", "NNN", "YN", "N", "Y", "Y", "N", "Y", "Y", "Y",
    ),
    (
        "staff_b", "NN", "NYN", "NYN", "NNN", "NY", "N", "Y", "N", "N", "N", "N", "N",
    ),
    (
        "staff_county",
        "YN",
        "YYY",
        "YYY",
        "NNN",
        "YY",
        "N",
        "Y",
        "Y",
        "Y",
        "Y",
        "Y",
        "Y",
    ),
    (
        "youth", "NY", "NNN", "NNN", "NNN", "NN", "N", "Y", "N", "N", "N", "N", "N",
    ),
    (
        "admin_a", "YN", "YNN", "YNN", "YNN", "YN", "Y", "Y", "Y", "N", "Y", "Y", "Y",
    ),
    (
        "editor_a", "NN", "YNN", "NNN", "YNN", "NN", "Y", "N", "N", "N", "Y", "Y", "N",
    ),
    (
        "editor_b", "NN", "NYN", "NNN", "NYN", "NN", "N", "N", "N", "N", "N", "N", "N",
    ),
    (
        "member_a", "NN", "NNN", "NNN", "NNN", "NN", "N", "N", "N", "N", "Y", "Y", "N",
    ),
    (
        "sys", "NN", "YYY", "NNN", "NNN", "YY", "N", "N", "N", "N", "N", "N", "N",
    ),
    (
        "sec", "NN", "YYY", "NNN", "NNN", "YY", "N", "N", "N", "N", "N", "N", "N",
    ),
    (
        "aud", "NN", "NNN", "NNN", "NNN", "NN", "N", "N", "N", "N", "N", "N", "N",
    ),
    (
        "anonymous",
        "NN",
        "NNN",
        "NNN",
        "NNN",
        "NN",
        "N",
        "N",
        "N",
        "N",
        "N",
        "N",
        "N",
    ),
];

async fn denied(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied'")
        .await
}

#[tokio::test]
async fn every_id_route_answers_every_caller_as_the_table_says() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let (committee, school) = {
        let mut tx = app.db().write().await.unwrap();
        let all = yinyao::access::Scope::EVERYTHING;
        let parent = yinyao::units::service::get_in_scope(&mut tx, &all, UnitId(c.county))
            .await
            .unwrap()
            .unwrap();
        let committee = yinyao::units::bulk::insert(
            &mut tx,
            Some(&parent),
            "清江县关工委",
            UnitKind::YouthCare,
        )
        .await
        .unwrap();
        let school =
            yinyao::units::bulk::insert(&mut tx, Some(&committee), "实验小学", UnitKind::School)
                .await
                .unwrap();
        tx.commit().await.unwrap();
        (committee.id.0, school.id.0)
    };

    // The callers.
    let mut clients: Vec<(&str, Client<'_>)> = Vec::new();
    for (name, unit, role) in [
        ("staff_a", c.town_a, UnitRole::Staff),
        ("staff_b", c.town_b, UnitRole::Staff),
        ("staff_county", c.county, UnitRole::Staff),
        ("youth", committee, UnitRole::YouthCare),
        ("admin_a", c.town_a, UnitRole::UnitAdmin),
        ("editor_a", c.town_a, UnitRole::Editor),
        ("editor_b", c.town_b, UnitRole::Editor),
        ("member_a", c.village_a, UnitRole::Member),
    ] {
        clients.push((name, fixtures::user_client(&app, name, unit, role).await));
    }
    for (name, role) in [
        ("sys", PlatformRole::System),
        ("sec", PlatformRole::Security),
        ("aud", PlatformRole::Audit),
    ] {
        clients.push((name, fixtures::admin_client(&app, name, role).await));
    }
    clients.push(("anonymous", app.client()));

    // The subjects.
    let adult = {
        let staff = &mut clients[0].1;
        let r = staff
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": c.village_a, "name": "柳成荫", "gender": "male" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };
    let minor = {
        let youth = &mut clients[3].1;
        let r = youth
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": school, "name": "苗新芽", "birth_date": "2015-03-01", "categories": ["youth"] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };
    let acc_a = fixtures::account(
        &app,
        "villager_acc",
        Some(c.village_a),
        Some(UnitRole::Member),
    )
    .await;
    let acc_b =
        fixtures::account(&app, "eastlake_acc", Some(c.town_b), Some(UnitRole::Member)).await;
    let article = {
        let admin = &mut clients[4].1;
        let column = fixtures::one_step_column(admin, c.town_a, "城关动态").await;
        let editor = &mut clients[5].1;
        fixtures::draft(editor, column, "草稿标题甲乙", "正文").await
    };
    let round = {
        let staff = &mut clients[2].1;
        let r = staff
            .json(
                "POST",
                "/api/v1/rounds",
                json!({ "unit_id": c.county, "reason": "heat", "title": "高温排查丙丁",
                        "deadline": (yinyao::i18n::china_today() + chrono::Duration::days(2)).to_string() }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };
    let event = {
        let staff = &mut clients[2].1;
        let starts = chrono::Utc::now() + chrono::Duration::days(3);
        let r = staff
            .json(
                "POST",
                "/api/v1/events",
                json!({ "unit_id": c.county, "title": "城关党课戊己", "kind": "class",
                        "starts_at": starts.to_rfc3339(),
                        "ends_at": (starts + chrono::Duration::hours(2)).to_rfc3339(),
                        "place": "城关镇会议室", "audience": [c.town_a.to_string()] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };
    let video = {
        let staff = &mut clients[0].1;
        let r = staff
            .json(
                "POST",
                "/api/v1/videos",
                json!({ "unit_id": c.town_a, "title": "微党课庚辛", "kind": "micro_lesson",
                        "url": "https://v.qq.com/x/matrix" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };
    let (term, section, session) = {
        let staff = &mut clients[0].1;
        let day = |d: i64| (yinyao::i18n::china_today() + chrono::Duration::days(d)).to_string();
        let at = |h: i64| (chrono::Utc::now() + chrono::Duration::hours(h)).to_rfc3339();
        let r = staff
            .json(
                "POST",
                "/api/v1/university/terms",
                json!({ "unit_id": c.town_a, "name": "城关老年大学壬癸", "starts_on": day(7),
                        "ends_on": day(60), "enrol_opens_at": at(-1), "enrol_closes_at": at(100) }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let term = r.json()["id"].as_i64().unwrap();
        let r = staff
            .json(
                "POST",
                &format!("/api/v1/university/terms/{term}/courses"),
                json!({ "subject": "书法子丑", "teacher": "王老师", "weekday": "2",
                        "starts_time": "09:00", "ends_time": "10:00", "place": "活动室" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let section = r.json()["id"].as_i64().unwrap();
        let session = app
            .scalar(&format!(
                "SELECT MIN(id) FROM class_sessions WHERE section_id = {section}"
            ))
            .await;
        (term, section, session)
    };
    let subjects = |g: Group| -> Vec<(i64, &'static str)> {
        match g {
            Group::Person => vec![(adult, "柳成荫"), (minor, "苗新芽")],
            Group::UnitView | Group::UnitCare | Group::UnitNews => {
                vec![
                    (c.town_a, "城关镇"),
                    (c.town_b, "东湖镇"),
                    (c.county, "清江县委"),
                ]
            }
            Group::Account => vec![(acc_a.0, "villager_acc"), (acc_b.0, "eastlake_acc")],
            Group::Article => vec![(article, "草稿标题甲乙")],
            Group::Round => vec![(round, "高温排查丙丁")],
            Group::Event | Group::EventDesk => vec![(event, "城关党课戊己")],
            Group::Video => vec![(video, "微党课庚辛")],
            Group::Term | Group::TermDesk => vec![(term, "城关老年大学壬癸")],
            Group::Section => vec![(section, "书法子丑")],
            Group::Session => vec![(session, "书法子丑")],
        }
    };

    // The routes: the API's from the document, the pages from the list above.
    let doc = serde_json::to_value(yinyao::openapi()).unwrap();
    let mut routes: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, item)| p.contains("{id}") && item.get("get").is_some())
        .map(|(p, _)| p.clone())
        .collect();
    routes.extend(PAGES.iter().map(|p| p.to_string()));
    let mut checked = 0;
    let mut failures = Vec::new();
    for route in &routes {
        let Some(group) = group_of(route) else {
            assert!(
                OUTSIDE.iter().any(|(prefix, _)| route.starts_with(prefix)),
                "{route} is neither in the matrix nor listed outside it"
            );
            continue;
        };
        for (caller, row) in EXPECTED.iter().map(|e| (e.0, e)) {
            let column = match group {
                Group::Person => row.1,
                Group::UnitView => row.2,
                Group::UnitCare => row.3,
                Group::UnitNews => row.4,
                Group::Account => row.5,
                Group::Article => row.6,
                Group::Round => row.7,
                Group::Event => row.8,
                Group::EventDesk => row.9,
                Group::Video => row.10,
                Group::Term | Group::Section => row.11,
                Group::TermDesk | Group::Session => row.12,
            };
            let client = &mut clients.iter_mut().find(|(n, _)| *n == caller).unwrap().1;
            for ((id, shown), may) in subjects(group).into_iter().zip(column.chars()) {
                let mut path = route.replace("{id}", &id.to_string());
                if path.ends_with("/compare") {
                    path.push_str("?from=1&to=1");
                }
                let before = denied(&app).await;
                let r = if path.starts_with("/api/") {
                    client.json("GET", &path, serde_json::Value::Null).await
                } else {
                    client.get(&path).await
                };
                let audited = denied(&app).await - before;
                checked += 1;
                let ok = if may == 'Y' {
                    // Allowed: an answer, or a sub-resource that is simply absent (no photo,
                    // not imported) or needs parameters — never a refusal.
                    r.status.is_success()
                        || r.status == StatusCode::SEE_OTHER
                        || ((r.status == StatusCode::NOT_FOUND
                            || r.status == StatusCode::UNPROCESSABLE_ENTITY)
                            && audited == 0)
                } else if caller == "anonymous" {
                    matches!(
                        r.status,
                        StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER | StatusCode::NOT_FOUND
                    ) && !r.body.contains(shown)
                } else {
                    matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
                        && audited >= 1
                        && !r.body.contains(shown)
                };
                if !ok {
                    failures.push(format!(
                        "{caller} GET {path} ({group:?}, expected {may}): {} audited {audited}",
                        r.status
                    ));
                }
            }
        }
    }
    assert!(checked > 500, "{checked} requests");
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
