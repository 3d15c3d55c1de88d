//! The audit admin searches the trail by person, unit and time, on the page and through the
//! API; entries say from where (IP address and browser).

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};
use yinyao::accounts::model::{PlatformRole, UnitRole};

const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) YinyaoTest/1.0";

/// Creates a unit through the page and returns its id.
async fn create_unit(cl: &mut Client<'_>, parent: i64, name: &str) -> i64 {
    let r = cl
        .post(
            "/units",
            &[
                ("parent_id", &parent.to_string()),
                ("name", name),
                ("kind", "village"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location_id()
}

async fn search(aud: &mut Client<'_>, query: &str) -> Value {
    let r = aud
        .json("GET", &format!("/api/v1/audit?{query}"), json!(null))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.json()
}

fn entries(page: &Value) -> &Vec<Value> {
    page["entries"].as_array().unwrap()
}

#[tokio::test]
async fn the_trail_is_searched_by_person_unit_and_time() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let county_admin = fixtures::account(
        &app,
        "county_admin",
        Some(c.county),
        Some(UnitRole::UnitAdmin),
    )
    .await;
    let mut ca = app.client();
    ca.peer = Some("203.0.113.7:40001".parse().unwrap());
    ca.extra.push(("user-agent", UA.into()));
    ca.login("county_admin", fixtures::PASSWORD).await;
    let in_a = create_unit(&mut ca, c.town_a, "甲村").await;
    let in_b = create_unit(&mut ca, c.town_b, "乙村").await;
    let mut admin_b = fixtures::user_client(&app, "admin_b", c.town_b, UnitRole::UnitAdmin).await;
    let in_b2 = create_unit(&mut admin_b, c.village_b, "丙组").await;
    let mut aud = fixtures::admin_client(&app, "aud", PlatformRole::Audit).await;

    // By person: by user name or by account number, only that person's entries.
    let by_name = search(&mut aud, "actor=county_admin").await;
    assert_eq!(by_name["total"], 3, "login and two new units: {by_name}");
    assert!(
        entries(&by_name)
            .iter()
            .all(|e| e["actor_name"] == "county_admin")
    );
    let by_id = search(&mut aud, &format!("actor={}", county_admin.0)).await;
    assert_eq!(by_id["total"], 3);
    let page = aud.get("/audit?actor=county_admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.element_text("audit-total").as_deref(), Some("3"));
    assert!(
        page.body.contains("value=\"county_admin\""),
        "the form keeps the filter"
    );
    assert!(
        !page.body.contains(">admin_b<"),
        "another person's entries are not listed"
    );

    // From where: the address and the browser of each entry.
    let login = search(&mut aud, "actor=county_admin&action=login.ok").await;
    let e = &entries(&login)[0];
    assert_eq!(e["ip"], "203.0.113.7");
    assert_eq!(e["user_agent"], UA);
    let created = search(&mut aud, "actor=county_admin&action=unit.create").await;
    assert!(
        entries(&created)
            .iter()
            .all(|e| e["ip"] == "203.0.113.7" && e["user_agent"] == UA)
    );
    assert!(page.body.contains("203.0.113.7") && page.body.contains("YinyaoTest/1.0"));

    // By unit: entries about a unit or anything below it.
    let unit_ids = |page: &Value| -> Vec<i64> {
        entries(page)
            .iter()
            .map(|e| e["unit_id"].as_i64().expect("entries about a unit"))
            .collect()
    };
    let town_a = search(&mut aud, &format!("unit={}", c.town_a)).await;
    assert_eq!(unit_ids(&town_a), [in_a]);
    let town_b = search(&mut aud, &format!("unit={}", c.town_b)).await;
    assert_eq!(
        unit_ids(&town_b),
        [in_b2, in_b],
        "newest first, below village B too"
    );
    let page = aud.get(&format!("/audit?unit={}", c.town_b)).await;
    assert_eq!(page.element_text("audit-total").as_deref(), Some("2"));
    let both = search(&mut aud, &format!("unit={}&actor=admin_b", c.town_b)).await;
    assert_eq!(unit_ids(&both), [in_b2]);

    // By time: move the county admin's login back to a day in 2020.
    let login_id = entries(&login)[0]["id"].as_i64().unwrap();
    if app.is_postgres() {
        app.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            .await
            .unwrap();
    } else {
        app.exec("DROP TRIGGER audit_log_no_update").await.unwrap();
    }
    app.exec_owned(format!(
        "UPDATE audit_log SET at = '2020-03-01T10:00:00+00:00' WHERE id = {login_id}"
    ))
    .await
    .unwrap();
    let ids = |page: &Value| -> Vec<i64> {
        entries(page)
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect()
    };
    let that_day = search(&mut aud, "from=2020-03-01&to=2020-03-01").await;
    assert_eq!(ids(&that_day), [login_id]);
    assert_eq!(ids(&search(&mut aud, "to=2020-03-01").await), [login_id]);
    assert!(entries(&search(&mut aud, "from=2020-02-01&to=2020-02-29").await).is_empty());
    let later = search(&mut aud, "actor=county_admin&from=2020-03-02").await;
    assert_eq!(
        later["total"], 2,
        "the two unit creations, not the old login"
    );
    let today = chrono::Utc::now().date_naive();
    let page = aud
        .get(&format!(
            "/audit?actor=county_admin&from={today}&to={today}"
        ))
        .await;
    assert_eq!(page.element_text("audit-total").as_deref(), Some("2"));

    // A date that is not one is refused with the field named.
    let r = aud
        .json("GET", "/api/v1/audit?from=2020-02-30", json!(null))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["field"], "from");
}
