//! Events: registration with a waiting list (a cancellation promotes the next in order, in the
//! same transaction, and they are told; a lower capacity removes no one; 1,000 concurrent
//! registrations and cancellations never exceed the capacity), staff registering people of
//! their own part only, bad input refused with nothing written, check-in recorded once,
//! walk-ins, reminders once, changes and cancellation told, public pages and iCalendar feeds.

use crate::fixtures::{self, County, county};
use crate::helpers::{Client, TestApp};
use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::json;
use yinyao::accounts::model::UnitRole;

fn at(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339()
}

fn lecture(unit: i64, capacity: i64) -> serde_json::Value {
    json!({ "unit_id": unit, "title": "重阳节健康讲座", "kind": "lecture",
            "starts_at": at(72), "ends_at": at(74), "place": "县老干部活动中心",
            "capacity": capacity.to_string() })
}

async fn organise(c: &mut Client<'_>, body: serde_json::Value) -> i64 {
    let r = c.json("POST", "/api/v1/events", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// A person filed at `unit` by `staff` (no account).
async fn person(app: &TestApp, staff: &mut Client<'_>, unit: i64, name: &str, cat: &str) -> i64 {
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": unit, "name": name, "categories": [cat] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let _ = app;
    r.json()["id"].as_i64().unwrap()
}

async fn member<'a>(
    app: &'a TestApp,
    staff: &mut Client<'_>,
    unit: i64,
    login: &str,
    cat: &str,
) -> (Client<'a>, i64) {
    fixtures::member_with_file(app, staff, unit, login, cat).await
}

async fn register(c: &mut Client<'_>, event: i64) -> (StatusCode, serde_json::Value) {
    let r = c
        .json(
            "POST",
            &format!("/api/v1/events/{event}/registrations"),
            json!({}),
        )
        .await;
    let body = serde_json::from_str(&r.body).unwrap_or(json!(null));
    (r.status, body)
}

async fn counts(app: &TestApp, event: i64) -> (i64, i64, i64) {
    let q = |s: &str| {
        format!(
            "SELECT COUNT(*) FROM event_registrations WHERE event_id = {event} AND state = '{s}'"
        )
    };
    let direct = (
        app.scalar(&q("registered")).await,
        app.scalar(&q("waiting")).await,
        app.scalar(&format!(
            "SELECT COUNT(*) FROM event_registrations WHERE event_id = {event} AND checked_in_at IS NOT NULL"
        ))
        .await,
    );
    let kept = (
        app.scalar(&format!("SELECT registered FROM events WHERE id = {event}"))
            .await,
        app.scalar(&format!("SELECT waiting FROM events WHERE id = {event}"))
            .await,
        app.scalar(&format!("SELECT attended FROM events WHERE id = {event}"))
            .await,
    );
    assert_eq!(direct, kept, "the event row's counts equal a direct count");
    direct
}

async fn inbox_kinds(c: &mut Client<'_>) -> Vec<String> {
    let r = c
        .json("GET", "/api/v1/notifications", serde_json::Value::Null)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    let items = v["notifications"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter_map(|n| n["kind"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_full_event_waits_and_a_cancellation_promotes_the_next_in_order() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let event = organise(&mut staff, lecture(c.county, 2)).await;
    let mut members = Vec::new();
    for login in ["zhang", "li", "wang", "zhao"] {
        members.push(member(&app, &mut staff, c.village_a, login, "tuixiu").await);
    }
    let mut states = Vec::new();
    for (m, _) in members.iter_mut() {
        let (s, body) = register(m, event).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        states.push(body["state"].as_str().unwrap().to_string());
    }
    assert_eq!(states, ["registered", "registered", "waiting", "waiting"]);
    assert_eq!(counts(&app, event).await, (2, 2, 0));

    // Registering twice: a clear refusal, nothing written.
    let before = app.scalar("SELECT COUNT(*) FROM event_registrations").await;
    let (s, body) = register(&mut members[0].0, event).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(
        body.to_string().contains("activity.already_registered")
            || body.to_string().contains("已经报过名"),
        "{body}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM event_registrations").await,
        before
    );

    // The first cancels: the third (the first waiting) gets the place in the same
    // transaction, and is told.
    let mine = members[0]
        .0
        .json("GET", &format!("/api/v1/events/{event}"), json!(null))
        .await;
    let reg = mine.json()["mine"]["id"].as_i64().unwrap();
    let r = members[0]
        .0
        .json(
            "POST",
            &format!("/api/v1/events/registrations/{reg}/cancel"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(counts(&app, event).await, (2, 1, 0));
    let promoted = app
        .text(&format!(
            "SELECT p.name FROM event_registrations r JOIN people p ON p.id = r.person_id
             WHERE r.event_id = {event} AND r.promoted_at IS NOT NULL"
        ))
        .await;
    assert_eq!(promoted, "wang");
    fixtures::notify_all(&app).await;
    assert!(
        inbox_kinds(&mut members[2].0)
            .await
            .contains(&"event_place".to_string())
    );
    assert!(
        !inbox_kinds(&mut members[3].0)
            .await
            .contains(&"event_place".to_string())
    );
    // The organiser sees who was promoted and when.
    let page = staff.get(&format!("/events/{event}/people")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("class=\"pair-item promoted\""),
        "{}",
        page.body
    );

    // A lower capacity removes no one; a higher one gives the next their place.
    let mut changed = lecture(c.county, 1);
    let detail = staff
        .json("GET", &format!("/api/v1/events/{event}"), json!(null))
        .await;
    let e = detail.json()["event"].clone();
    changed["starts_at"] = e["starts_at"].clone();
    changed["ends_at"] = e["ends_at"].clone();
    let r = staff
        .json("PUT", &format!("/api/v1/events/{event}"), changed.clone())
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(counts(&app, event).await, (2, 1, 0), "nobody removed");
    changed["capacity"] = json!("3");
    let r = staff
        .json("PUT", &format!("/api/v1/events/{event}"), changed)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(counts(&app, event).await, (3, 0, 0));
    fixtures::notify_all(&app).await;
    assert!(
        inbox_kinds(&mut members[3].0)
            .await
            .contains(&"event_place".to_string())
    );
    // The same time and place: nobody is told of a change.
    assert!(
        !inbox_kinds(&mut members[1].0)
            .await
            .contains(&"event_changed".to_string())
    );
    // Audited: each registration, the cancellation, the changes.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'event.register'")
            .await,
        4
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'event.unregister'")
            .await,
        1
    );
}

#[tokio::test]
async fn bad_input_and_broken_rules_are_named_and_write_nothing() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let before = app.scalar("SELECT COUNT(*) FROM events").await;
    for (body, field) in [
        (json!({ "capacity": "-1" }), "capacity"),
        (json!({ "ends_at": at(70) }), "ends_at"),
        (json!({ "place": "", "online_url": "" }), "place"),
        (json!({ "online_url": "javascript:alert(1)" }), "online_url"),
        (json!({ "starts_at": "明天上午" }), "starts_at"),
        (json!({ "closes_at": at(80) }), "closes_at"),
    ] {
        let mut e = lecture(c.county, 10);
        for (k, v) in body.as_object().unwrap() {
            e[k] = v.clone();
        }
        let r = staff.json("POST", "/api/v1/events", e).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
        assert!(r.body.contains(field), "{field}: {}", r.body);
    }
    // In Chinese by default, in English when asked.
    let mut e = lecture(c.county, 10);
    e["capacity"] = json!("-5");
    let r = staff.json("POST", "/api/v1/events", e.clone()).await;
    assert!(r.body.contains("名额不能小于 0"), "{}", r.body);
    staff.post("/prefs", &[("locale", "en")]).await;
    let r = staff.json("POST", "/api/v1/events", e).await;
    assert!(r.body.contains("Places cannot be below 0"), "{}", r.body);
    staff.post("/prefs", &[("locale", "zh-CN")]).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM events").await, before);

    // Outside the window: not yet open, or closed.
    let mut later = lecture(c.county, 10);
    later["opens_at"] = json!(at(24));
    let not_yet = organise(&mut staff, later).await;
    let mut closed = lecture(c.county, 10);
    closed["closes_at"] = json!(at(-1));
    let shut = organise(&mut staff, closed).await;
    let (mut m, _) = member(&app, &mut staff, c.village_a, "zhang", "tuixiu").await;
    let (s, body) = register(&mut m, not_yet).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("报名还没开始"), "{body}");
    let (s, _) = register(&mut m, shut).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Outside the audience: a party members' meeting for town A.
    let mut party = lecture(c.county, 10);
    party["audience"] = json!([c.town_a.to_string()]);
    party["categories"] = json!(["party_member"]);
    let meeting = organise(&mut staff, party).await;
    let (s, body) = register(&mut m, meeting).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("不面向"), "{body}");
    // A member of town B does not see it at all.
    let (mut b, _) = member(&app, &mut staff, c.village_b, "sun", "party_member").await;
    let (s, _) = register(&mut b, meeting).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = b.get(&format!("/events/{meeting}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // An audience outside the organiser's unit is refused.
    let mut town = fixtures::user_client(&app, "a_staff", c.town_a, UnitRole::Staff).await;
    let mut wide = lecture(c.town_a, 10);
    wide["audience"] = json!([c.village_b.to_string()]);
    let r = town.json("POST", "/api/v1/events", wide).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM event_registrations").await,
        0
    );
}

#[tokio::test]
async fn staff_register_people_of_their_own_part_only() {
    let app = TestApp::new().await;
    let c: County = county(&app).await;
    let mut county_staff =
        fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let mut a = fixtures::user_client(&app, "a_staff", c.town_a, UnitRole::Staff).await;
    let mut b = fixtures::user_client(&app, "b_staff", c.town_b, UnitRole::Staff).await;
    let mut for_a = lecture(c.county, 10);
    for_a["audience"] = json!([c.town_a.to_string()]);
    let event = organise(&mut county_staff, for_a).await;
    let elder = person(&app, &mut a, c.village_a, "王秀英", "tuixiu").await;
    let other = person(&app, &mut b, c.village_b, "孙玉珍", "tuixiu").await;

    // Town B's staff see neither the event (not for them) nor town A's elder: 404.
    let r = b.get(&format!("/events/{event}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = b
        .json(
            "POST",
            &format!("/api/v1/events/{event}/registrations"),
            json!({ "person_id": elder }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // Town A's staff register their elder, who has no account: recorded as by staff, and the
    // staff member is the one told.
    let r = a
        .json(
            "POST",
            &format!("/api/v1/events/{event}/registrations"),
            json!({ "person_id": elder }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a_id = a.my_id().await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT by_account FROM event_registrations WHERE person_id = {elder}"
        ))
        .await,
        a_id
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT account_id FROM event_registrations WHERE person_id = {elder}"
        ))
        .await,
        a_id
    );
    // Town A's staff cannot register town B's person (not theirs: 404), nor a person outside
    // the audience through the county.
    let r = a
        .json(
            "POST",
            &format!("/api/v1/events/{event}/registrations"),
            json!({ "person_id": other }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = county_staff
        .json(
            "POST",
            &format!("/api/v1/events/{event}/registrations"),
            json!({ "person_id": other }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // The event page lists what town A's staff made, with a printable ticket.
    let page = a.get(&format!("/events/{event}")).await;
    assert!(page.body.contains("王秀英"), "{}", page.body);
    let reg = app
        .scalar(&format!(
            "SELECT id FROM event_registrations WHERE person_id = {elder}"
        ))
        .await;
    let ticket = a.get(&format!("/events/registrations/{reg}/ticket")).await;
    assert_eq!(ticket.status, StatusCode::OK);
    assert!(ticket.body.contains("<svg"), "a QR code");
    // Only the organiser sees the whole list.
    let r = a.get(&format!("/events/{event}/people")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b.get(&format!("/events/registrations/{reg}/ticket")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_code_checks_in_once_and_walk_ins_are_added() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let event = organise(&mut staff, lecture(c.county, 1)).await;
    let (mut m1, p1) = member(&app, &mut staff, c.village_a, "zhang", "tuixiu").await;
    let (mut m2, _) = member(&app, &mut staff, c.village_a, "li", "tuixiu").await;
    register(&mut m1, event).await;
    register(&mut m2, event).await;
    let code = |v: serde_json::Value| v["mine"]["code"].as_str().unwrap().to_string();
    let c1 = code(
        m1.json("GET", &format!("/api/v1/events/{event}"), json!(null))
            .await
            .json(),
    );
    let c2 = code(
        m2.json("GET", &format!("/api/v1/events/{event}"), json!(null))
            .await
            .json(),
    );
    // The person's page shows the QR code and the code.
    let page = m1.get(&format!("/events/{event}")).await;
    assert!(page.body.contains("<svg") && page.body.contains(&c1));

    let url = format!("/api/v1/events/{event}/checkins");
    let r = staff
        .json("POST", &url, json!({ "code": c1.to_lowercase() }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["first"], true);
    let r = staff.json("POST", &url, json!({ "code": c1 })).await;
    assert_eq!(r.json()["first"], false, "a second scan is recorded once");
    assert_eq!(counts(&app, event).await.2, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'event.check_in'")
            .await,
        1
    );
    // Checked in: no longer cancelled, by the person or the organiser.
    let reg1 = app
        .scalar(&format!(
            "SELECT id FROM event_registrations WHERE person_id = {p1}"
        ))
        .await;
    let r = m1
        .json(
            "POST",
            &format!("/api/v1/events/registrations/{reg1}/cancel"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // The one waiting has no place; a made-up code is not this event's; a member cannot check in.
    let r = staff.json("POST", &url, json!({ "code": c2 })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = staff
        .json("POST", &url, json!({ "code": "ABCDEFGH" }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = m1.json("POST", &url, json!({ "code": c1 })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The check-in page by form: the result names the person.
    let r = staff
        .post(&format!("/events/{event}/checkin"), &[("code", &c1)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = staff.get(r.location()).await;
    assert!(
        page.element_text("checkin-result").is_some(),
        "{}",
        page.body
    );
    assert!(page.body.contains("已经签到过了"), "{}", page.body);
    // The check-in page alone may use the camera.
    assert!(
        page.headers["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("camera=(self)")
    );
    let other = staff.get(&format!("/events/{event}")).await;
    assert!(
        other.headers["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("camera=()")
    );
    // A walk-in: the one waiting comes anyway, and a person on file without registering.
    let walk = person(&app, &mut staff, c.village_b, "周大爷", "tuixiu").await;
    let p2 = app.scalar("SELECT id FROM people WHERE name = 'li'").await;
    for p in [p2, walk] {
        let r = staff
            .post(
                &format!("/events/{event}/register-for"),
                &[
                    ("person_id", &p.to_string()),
                    ("walk_in", "1"),
                    ("back", "checkin"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    assert_eq!(counts(&app, event).await, (3, 0, 3));
    // The person file shows the attendance.
    let file = staff.get(&format!("/people/{p1}")).await;
    assert!(file.body.contains("id=\"file-events\""), "{}", file.body);
    assert!(file.body.contains("重阳节健康讲座"));
}

#[tokio::test]
async fn reminders_go_once_a_day_and_once_an_hour_before() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let mut soon = lecture(c.county, 10);
    soon["starts_at"] = json!(at(20));
    soon["ends_at"] = json!(at(22));
    let event = organise(&mut staff, soon).await;
    let (mut m, _) = member(&app, &mut staff, c.village_a, "zhang", "tuixiu").await;
    register(&mut m, event).await;
    let now = chrono::Utc::now();
    let run = |t: chrono::DateTime<chrono::Utc>| {
        let db = app.db().clone();
        async move {
            let mut tx = db.write().await.unwrap();
            let n = yinyao::jobs::remind_events(&mut tx, t).await.unwrap();
            tx.commit().await.unwrap();
            n
        }
    };
    assert_eq!(run(now).await, 1, "the day before");
    assert_eq!(run(now).await, 0, "once");
    assert_eq!(
        run(now + chrono::Duration::hours(19) + chrono::Duration::minutes(30)).await,
        1,
        "an hour before"
    );
    assert_eq!(
        run(now + chrono::Duration::hours(19) + chrono::Duration::minutes(40)).await,
        0
    );
    assert_eq!(
        inbox_kinds(&mut m)
            .await
            .iter()
            .filter(|k| *k == "event_reminder")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_change_of_time_and_a_cancellation_are_told_to_everyone_registered() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let event = organise(&mut staff, lecture(c.county, 1)).await;
    let (mut m1, _) = member(&app, &mut staff, c.village_a, "zhang", "tuixiu").await;
    let (mut m2, _) = member(&app, &mut staff, c.village_a, "li", "tuixiu").await;
    register(&mut m1, event).await;
    register(&mut m2, event).await;
    let mut later = lecture(c.county, 1);
    later["starts_at"] = json!(at(96));
    later["ends_at"] = json!(at(98));
    let r = staff
        .json("PUT", &format!("/api/v1/events/{event}"), later)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/events/{event}/cancel"),
            json!({ "reason": "" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/events/{event}/cancel"),
            json!({ "reason": "暴雨预警" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    fixtures::notify_all(&app).await;
    for m in [&mut m1, &mut m2] {
        let kinds = inbox_kinds(m).await;
        assert!(kinds.contains(&"event_changed".to_string()), "{kinds:?}");
        assert!(kinds.contains(&"event_cancelled".to_string()), "{kinds:?}");
    }
    let (mut m3, _) = member(&app, &mut staff, c.village_a, "wang", "tuixiu").await;
    let (s, _) = register(&mut m3, event).await;
    assert_eq!(s, StatusCode::CONFLICT, "a cancelled event takes no one");
    let page = m1.get(&format!("/events/{event}")).await;
    assert!(page.body.contains("暴雨预警"));
}

#[tokio::test]
async fn public_events_are_read_without_an_account_and_the_feeds_parse_back() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let mut open = lecture(c.county, 10);
    open["public"] = json!(true);
    open["title"] = json!("云课堂：智能手机防诈骗");
    open["online_url"] = json!("https://meeting.tencent.com/dm/abc");
    let public = organise(&mut staff, open).await;
    let members_only = organise(&mut staff, lecture(c.county, 10)).await;
    let mut reader = app.client();
    let list = reader.get("/read/events").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("智能手机防诈骗"));
    assert!(
        !list.body.contains("重阳节健康讲座"),
        "members only stays inside"
    );
    assert_eq!(
        reader.get(&format!("/read/events/{public}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        reader
            .get(&format!("/read/events/{members_only}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The unit's feed: its public events.
    let r = reader
        .get(&format!("/events/units/{}/events.ics", c.county))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let cal: icalendar::Calendar = r.body.parse().expect("an iCalendar feed");
    let titles: Vec<String> = cal
        .events()
        .filter_map(|e| icalendar::Component::get_summary(e).map(str::to_string))
        .collect();
    assert_eq!(titles, ["云课堂：智能手机防诈骗"]);
    // One's own feed, behind the link on the list page: the events one registered for.
    let (mut m, _) = member(&app, &mut staff, c.village_a, "zhang", "tuixiu").await;
    register(&mut m, members_only).await;
    let page = m.get("/events").await;
    let start = page.body.find("/events/calendar/").unwrap();
    let link = &page.body[start..start + page.body[start..].find('"').unwrap()];
    let r = reader.get(link).await;
    assert_eq!(r.status, StatusCode::OK, "{link}");
    let cal: icalendar::Calendar = r.body.parse().unwrap();
    let titles: Vec<String> = cal
        .events()
        .filter_map(|e| icalendar::Component::get_summary(e).map(str::to_string))
        .collect();
    assert_eq!(titles, ["重阳节健康讲座"]);
    let forged = link.replace("/calendar/", "/calendar/9").to_string();
    assert_eq!(reader.get(&forged).await.status, StatusCode::NOT_FOUND);
}

/// 1,000 registrations and cancellations of 120 people at once against one event of 10
/// places: the places are never over-filled (sampled while they run and at the end), the
/// counts kept on the event equal a direct count, nobody waits while a place is free, and
/// everyone promoted came before everyone still waiting.
#[tokio::test]
async fn a_thousand_concurrent_registrations_and_cancellations_keep_the_capacity_and_the_order() {
    use futures_util::stream::{self, StreamExt};
    use rand::{Rng, SeedableRng};
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let event = organise(&mut staff, lecture(c.county, 10)).await;
    let mut people = Vec::new();
    for i in 0..120 {
        people.push(
            person(
                &app,
                &mut staff,
                c.village_a,
                &format!("老同志{i}"),
                "tuixiu",
            )
            .await,
        );
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261207);
    let ops: Vec<(i64, bool)> = (0..1000)
        .map(|_| {
            (
                people[rng.random_range(0..people.len())],
                rng.random_bool(0.6),
            )
        })
        .collect();
    let staff = &staff;
    let app_ref = &app;
    let send = |person: i64, register: bool| async move {
        let (method, path, body) = if register {
            (
                "POST",
                format!("/api/v1/events/{event}/registrations"),
                json!({ "person_id": person }).to_string(),
            )
        } else {
            let reg = app_ref
                .scalar(&format!(
                    "SELECT COALESCE(MAX(id), 0) FROM event_registrations WHERE person_id = {person}"
                ))
                .await;
            (
                "POST",
                format!("/api/v1/events/registrations/{reg}/cancel"),
                String::new(),
            )
        };
        let req = staff
            .request(method, &path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", staff.csrf.clone())
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let r = app_ref.send(req).await;
        assert!(
            matches!(r.status.as_u16(), 201 | 204 | 404 | 409),
            "{} {path}: {}",
            r.status,
            r.body
        );
        r.status
    };
    let sample = || async {
        app_ref
            .scalar(&format!(
                "SELECT COUNT(*) FROM event_registrations WHERE event_id = {event} AND state = 'registered'"
            ))
            .await
    };
    // The operations, 16 at a time, and beside them a sampler of the places taken.
    let finished = std::cell::Cell::new(false);
    let run = async {
        let mut stream =
            stream::iter(ops.into_iter().map(|(p, r)| send(p, r))).buffer_unordered(16);
        while stream.next().await.is_some() {}
        finished.set(true);
    };
    let watch = async {
        let mut most = 0;
        while !finished.get() {
            most = most.max(sample().await);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        most
    };
    let ((), most) = futures_util::future::join(run, watch).await;
    assert!(most <= 10, "at most 10 places while running: {most}");
    let (registered, waiting, _) = counts(&app, event).await;
    assert!(registered <= 10);
    if waiting > 0 {
        assert_eq!(registered, 10, "nobody waits while a place is free");
    }
    let promoted_max = app
        .scalar(&format!(
            "SELECT COALESCE(MAX(position), 0) FROM event_registrations
             WHERE event_id = {event} AND state = 'registered' AND promoted_at IS NOT NULL"
        ))
        .await;
    let waiting_min = app
        .scalar(&format!(
            "SELECT COALESCE(MIN(position), 1000000) FROM event_registrations
             WHERE event_id = {event} AND state = 'waiting'"
        ))
        .await;
    assert!(
        promoted_max < waiting_min,
        "promotions keep the waiting order"
    );
    assert!(
        app.scalar(&format!("SELECT COUNT(*) FROM event_registrations WHERE event_id = {event} AND promoted_at IS NOT NULL")).await > 0,
        "the run promoted people"
    );
}

#[tokio::test]
async fn staff_approve_or_refuse_registrations_when_the_event_asks_for_it() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let mut e = lecture(c.county, 1);
    e["approval"] = json!(true);
    let event = organise(&mut staff, e).await;
    let (mut m1, _) = member(&app, &mut staff, c.village_a, "zhang", "tuixiu").await;
    let (mut m2, _) = member(&app, &mut staff, c.village_a, "li", "tuixiu").await;
    let (mut m3, _) = member(&app, &mut staff, c.village_a, "wang", "tuixiu").await;
    let mut regs = Vec::new();
    for m in [&mut m1, &mut m2, &mut m3] {
        let (s, body) = register(m, event).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["state"], "pending");
        regs.push(body["id"].as_i64().unwrap());
    }
    let page = staff
        .get(&format!("/events/{event}/people?state=pending"))
        .await;
    assert!(
        page.body.contains(&format!("approve-{}", regs[0])),
        "{}",
        page.body
    );
    let decide = |id: i64| format!("/events/registrations/{id}/decision");
    assert_eq!(
        staff
            .post(&decide(regs[0]), &[("approve", "1")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        staff
            .post(&decide(regs[1]), &[("approve", "0")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // Approved with no place left: the waiting list.
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/events/registrations/{}/decision", regs[2]),
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(r.json()["state"], "waiting", "{}", r.body);
    // Decided once.
    assert_eq!(
        staff
            .post(&decide(regs[1]), &[("approve", "1")])
            .await
            .status,
        StatusCode::CONFLICT
    );
    // A member cannot decide on another's registration: not theirs to see.
    let r = m1
        .json(
            "POST",
            &format!("/api/v1/events/registrations/{}/decision", regs[1]),
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    fixtures::notify_all(&app).await;
    assert!(
        inbox_kinds(&mut m1)
            .await
            .contains(&"event_place".to_string())
    );
    assert!(
        inbox_kinds(&mut m2)
            .await
            .contains(&"event_refused".to_string())
    );
    assert_eq!(counts(&app, event).await, (1, 1, 0));
    // The one holding the place cancels: the approved one waiting gets it.
    let r = m1
        .json(
            "POST",
            &format!("/api/v1/events/registrations/{}/cancel", regs[0]),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(counts(&app, event).await, (1, 0, 0));
    assert_eq!(
        app.text(&format!(
            "SELECT state FROM event_registrations WHERE id = {}",
            regs[2]
        ))
        .await,
        "registered"
    );
}
