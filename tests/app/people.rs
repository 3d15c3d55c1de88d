//! Person files: masking everywhere, audited reveals, validation, scope, minors, search,
//! visits and care plans.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::ids::UnitId;

// 11010519491231002X is GB 11643's published example; 110105194912310029 is not valid.
const ID: &str = "11010519491231002X";
const MOBILE: &str = "13812345678";

type EncRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn zhang(unit: i64) -> serde_json::Value {
    json!({
        "unit_id": unit, "name": "张三", "gender": "male", "id_number": ID, "mobile": MOBILE,
        "address": "城关镇杨柳村 3 组 12 号", "health": "高血压，需按时服药", "emergency": "张小明 13900001111",
        "former_employer": "县水利局", "living": "alone", "categories": ["tuixiu", "party_member"], "skills": "书法"
    })
}

async fn count_people(app: &TestApp) -> i64 {
    let mut tx = app.db().read().await.unwrap();
    yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(c).await).unwrap()
}

#[tokio::test]
async fn sensitive_fields_are_encrypted_masked_and_revealed_with_an_audit_entry() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();

    let file = staff
        .json("GET", &format!("/api/v1/people/{id}"), json!(null))
        .await;
    assert_eq!(file.json()["id_number_mask"], "110***********002X");
    assert_eq!(file.json()["mobile_mask"], "138****5678");
    assert_eq!(
        file.json()["birth_date"],
        "1949-12-31",
        "taken from the ID number"
    );
    let page = staff.get(&format!("/people/{id}")).await;
    let list = staff.get("/people").await;
    for body in [&file.body, &page.body, &list.body] {
        assert!(
            !body.contains(ID) && !body.contains(MOBILE) && !body.contains("高血压"),
            "clear text leaked"
        );
    }
    assert!(page.body.contains("110***********002X"));

    // Nothing in the database holds the clear values either.
    let mut tx = app.db().read().await.unwrap();
    let rows: Vec<EncRow> = yinyao::on_tx!(&mut tx, c => sqlx::query_as(
        "SELECT id_number_enc, mobile_enc, health_enc, mobile_idx FROM people").fetch_all(c).await)
    .unwrap();
    let dump = format!("{rows:?}");
    assert!(!dump.contains(ID) && !dump.contains(MOBILE) && !dump.contains("高血压"));
    let audit_text: Vec<String> = yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT detail FROM audit_log").fetch_all(c).await).unwrap();
    assert!(
        !audit_text.concat().contains(ID) && !audit_text.concat().contains(MOBILE),
        "the audit trail holds masks only"
    );
    drop(tx);

    let shown = staff
        .post(&format!("/people/{id}/reveal/id_number"), &[])
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(
        shown.element_text("revealed-id_number").as_deref(),
        Some(ID)
    );
    assert!(!shown.body.contains(MOBILE), "one value at a time");
    let api = staff
        .json(
            "POST",
            &format!("/api/v1/people/{id}/reveal/health"),
            json!(null),
        )
        .await;
    assert_eq!(api.json()["value"], "高血压，需按时服药");

    let mut tx = app.db().read().await.unwrap();
    let f = yinyao::audit::Filter {
        action: Some("person.reveal".into()),
        ..Default::default()
    };
    let entries = yinyao::audit::search(&mut tx, &f, 10, 0).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .any(|e| e.detail.contains("\"field\":\"id_number\"") && e.actor_name == "staff_a")
    );
}

#[tokio::test]
async fn sibling_town_files_are_404_and_unlisted() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut a = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = a
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut b = fixtures::user_client(&app, "staff_b", c.town_b, UnitRole::Staff).await;
    assert_eq!(
        b.get(&format!("/people/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.json("GET", &format!("/api/v1/people/{id}"), json!(null))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.post(&format!("/people/{id}/reveal/mobile"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = b.json("GET", "/api/v1/people", json!(null)).await;
    assert_eq!(list.json().as_array().unwrap().len(), 0);
    let r = b.json("POST", "/api/v1/people", zhang(c.village_a)).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot file a person in another town"
    );
    // An editor at the same town keeps no person files.
    let mut editor = fixtures::user_client(&app, "editor_a", c.town_a, UnitRole::Editor).await;
    assert_eq!(
        editor.get(&format!("/people/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let cases = [
        (
            json!({ "id_number": "110105194912310029" }),
            "id_number",
            "校验码",
        ),
        (json!({ "id_number": "12345" }), "id_number", "18 位"),
        (
            json!({ "birth_date": "1950-01-01" }),
            "birth_date",
            "不一致",
        ),
        (
            json!({ "id_number": null, "birth_date": "2999-01-01" }),
            "birth_date",
            "晚于今天",
        ),
        (json!({ "mobile": "1381234567" }), "mobile", "11 位"),
        (json!({ "status": "deceased" }), "died_on", "去世日期"),
        (json!({ "categories": ["astronaut"] }), "categories", "选择"),
    ];
    for (patch, field, text) in cases {
        let mut body = zhang(c.village_a);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = staff.json("POST", "/api/v1/people", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}");
        let fields = r.json()["fields"].as_array().unwrap().clone();
        assert!(
            fields
                .iter()
                .any(|f| f["field"] == field && f["message"].as_str().unwrap().contains(text)),
            "{patch}: {fields:?}"
        );
    }
    assert_eq!(count_people(&app).await, 0);

    // The same refusal in English for a reader who chose English.
    staff.post("/prefs", &[("locale", "en")]).await;
    let mut body = zhang(c.village_a);
    body["id_number"] = json!("110105194912310029");
    let r = staff.json("POST", "/api/v1/people", body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("check character of the ID number"),
        "{}",
        r.body
    );
    staff.post("/prefs", &[("locale", "zh-CN")]).await;
    assert_eq!(count_people(&app).await, 0);

    staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await;
    let r = staff.json("POST", "/api/v1/people", zhang(c.town_a)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["fields"][0]["field"],
        "id_number",
        "duplicates by ID number are reported"
    );
    assert_eq!(count_people(&app).await, 1);
}

#[tokio::test]
async fn minors_files_are_for_youth_care_staff_only() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let child = json!({ "unit_id": c.village_a, "name": "王小雨", "birth_date": "2014-05-01", "categories": ["youth"] });
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff.json("POST", "/api/v1/people", child.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut yc = fixtures::user_client(&app, "youth_a", c.town_a, UnitRole::YouthCare).await;
    let r = yc.json("POST", "/api/v1/people", child).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        yc.json("GET", &format!("/api/v1/people/{id}"), json!(null))
            .await
            .json()["is_minor"],
        true
    );
    assert_eq!(
        staff.get(&format!("/people/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        staff
            .json("GET", "/api/v1/people", json!(null))
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    // And the youth-care role does not open adults' files.
    let adult = staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        yc.get(&format!("/people/{adult}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn names_are_found_by_part_pinyin_initials_traditional_id_and_mobile() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await;
    staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "李秀英", "categories": ["lixiu"] }),
        )
        .await;
    staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.town_a, "name": "赵建国" }),
        )
        .await;
    let names = |r: &crate::helpers::Resp| -> Vec<String> {
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    for (q, want) in [
        ("zs", "张三"),
        ("zhan", "张三"),
        ("zhang", "张三"),
        ("ZS", "张三"),
        ("zhangsan", "张三"),
        ("張三", "张三"),
        ("秀", "李秀英"),
        ("lxy", "李秀英"),
        (ID, "张三"),
        ("138 1234 5678", "张三"),
    ] {
        let r = staff
            .json(
                "GET",
                &format!("/api/v1/people?q={}", yinyao::web::render::urlencode(q)),
                json!(null),
            )
            .await;
        assert_eq!(names(&r), vec![want.to_string()], "query {q}");
    }
    let r = staff
        .json("GET", "/api/v1/people?category=lixiu", json!(null))
        .await;
    assert_eq!(names(&r), vec!["李秀英".to_string()]);
    let r = staff
        .json(
            "GET",
            &format!("/api/v1/people?unit={}", c.village_a),
            json!(null),
        )
        .await;
    assert_eq!(names(&r).len(), 2);
    let r = staff.json("GET", "/api/v1/people?q=%25", json!(null)).await;
    assert!(names(&r).is_empty(), "LIKE wildcards are escaped");
    let page = staff.get("/people?q=zs").await;
    assert!(page.body.contains("张三") && !page.body.contains("李秀英"));
}

#[tokio::test]
async fn long_names_match_any_fragment_and_a_stale_name_index_is_rebuilt() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    for name in ["欧阳建国华", "欧阳修", "司马建国"] {
        staff
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": c.village_a, "name": name }),
            )
            .await;
    }
    let find = |q: &str| format!("/api/v1/people?q={}", yinyao::web::render::urlencode(q));
    let names = |r: &crate::helpers::Resp| -> Vec<String> {
        let mut v: Vec<String> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let expect = [
        ("欧阳", vec!["欧阳修", "欧阳建国华"]),
        ("建国", vec!["司马建国", "欧阳建国华"]),
        ("阳建国华", vec!["欧阳建国华"]),
        ("欧阳建国华", vec!["欧阳建国华"]),
        ("歐陽建國", vec!["欧阳建国华"]),
        ("建国华人", vec![]),
        ("oyjgh", vec!["欧阳建国华"]),
    ];
    for (q, want) in &expect {
        let r = staff.json("GET", &find(q), json!(null)).await;
        assert_eq!(names(&r), *want, "query {q}");
    }

    // An index written by an older token scheme is rebuilt at the next start.
    {
        let mut tx = app.db().write().await.unwrap();
        yinyao::on_tx!(&mut tx, c => sqlx::query("DELETE FROM person_search").execute(c).await.map(|r| r.rows_affected())).unwrap();
        yinyao::on_tx!(&mut tx, c => sqlx::query("UPDATE settings SET value = 'old' WHERE key = 'person_search_version'").execute(c).await.map(|r| r.rows_affected())).unwrap();
        tx.commit().await.unwrap();
    }
    let r = staff.json("GET", &find("建国"), json!(null)).await;
    assert!(names(&r).is_empty(), "the index was emptied");
    yinyao::prepare_database(app.db()).await.unwrap();
    for (q, want) in &expect {
        let r = staff.json("GET", &find(q), json!(null)).await;
        assert_eq!(names(&r), *want, "query {q} after the rebuild");
    }

    // A renamed file is found by its new name only.
    let r = staff.json("GET", &find("欧阳修"), json!(null)).await;
    let id = r.json()[0]["id"].as_i64().unwrap();
    let r = staff
        .json(
            "PUT",
            &format!("/api/v1/people/{id}"),
            json!({ "unit_id": c.village_a, "name": "欧阳询" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    for (q, want) in [
        ("修", vec![]),
        ("欧阳修", vec![]),
        ("询", vec!["欧阳询"]),
        ("oyx", vec!["欧阳询"]),
        ("欧阳", vec!["欧阳建国华", "欧阳询"]),
    ] {
        let r = staff.json("GET", &find(q), json!(null)).await;
        assert_eq!(names(&r), want, "query {q} after the rename");
    }
    let n: i64 = {
        let mut tx = app.db().read().await.unwrap();
        yinyao::on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT COUNT(*) FROM person_search WHERE person_id = $1")
            .bind(id).fetch_one(conn).await)
        .unwrap()
    };
    assert_eq!(
        n, 9,
        "the old name's tokens are gone: 6 fragments and 3 initials of 欧阳询"
    );
}

#[tokio::test]
async fn visits_and_care_plans_are_recorded_on_the_file() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    staff.get(&format!("/people/{id}")).await;
    let r = staff
        .post(
            &format!("/people/{id}/visits"),
            &[
                ("visited_on", "2026-01-05"),
                ("kind", "home"),
                ("findings", "身体尚好，血压偏高"),
                ("needs", "希望有人送药"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = staff
        .post(
            &format!("/people/{id}/visits"),
            &[
                ("visited_on", "2999-01-01"),
                ("kind", "home"),
                ("findings", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = staff
        .post(
            &format!("/people/{id}/visits"),
            &[("kind", "teleport"), ("findings", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = staff.get(&format!("/people/{id}")).await;
    assert!(page.body.contains("身体尚好，血压偏高") && page.body.contains("希望有人送药"));
    let visits = staff
        .json("GET", &format!("/api/v1/people/{id}/visits"), json!(null))
        .await
        .json();
    assert_eq!(visits.as_array().unwrap().len(), 1);
    assert_eq!(
        visits[0]["visitors"], "staff_a",
        "the recorder went, unless others are named"
    );

    let me: i64 = staff.json("GET", "/api/v1/me", json!(null)).await.json()["id"]
        .as_i64()
        .unwrap();
    let r = staff
        .json(
            "PUT",
            &format!("/api/v1/people/{id}/care-plan"),
            json!({ "tier": "key", "paired_staff": me }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["interval_days"],
        30,
        "key tier: every 30 days by default"
    );
    let other = fixtures::account(&app, "staff_b", Some(c.town_b), Some(UnitRole::Staff)).await;
    let r = staff
        .json(
            "PUT",
            &format!("/api/v1/people/{id}/care-plan"),
            json!({ "tier": "key", "paired_staff": other.0 }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "paired staff must cover the person's unit"
    );
    let file = staff
        .json("GET", &format!("/api/v1/people/{id}"), json!(null))
        .await
        .json();
    assert_eq!(file["care_plan"]["paired_staff"], me);
}

#[tokio::test]
async fn editing_keeps_sensitive_values_unless_replaced() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let form = staff.get(&format!("/people/{id}/edit")).await;
    assert!(!form.body.contains(ID) && form.body.contains("110***********002X"));
    let r = staff
        .post(
            &format!("/people/{id}"),
            &[
                ("unit_id", &c.village_a.to_string()),
                ("name", "张三"),
                ("mobile", "13900002222"),
                ("category", "tuixiu"),
                ("category", "wulao"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let file = staff
        .json("GET", &format!("/api/v1/people/{id}"), json!(null))
        .await
        .json();
    assert_eq!(file["id_number_mask"], "110***********002X", "kept");
    assert_eq!(file["mobile_mask"], "139****2222", "replaced");
    assert_eq!(file["categories"], json!(["tuixiu", "wulao"]));
    let revealed = staff
        .json(
            "POST",
            &format!("/api/v1/people/{id}/reveal/address"),
            json!(null),
        )
        .await
        .json();
    assert_eq!(revealed["value"], "城关镇杨柳村 3 组 12 号");
}

#[tokio::test]
async fn the_talent_pool_finds_skills_by_willingness_category_and_age() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    for (name, birth, skills, willing, cat) in [
        ("书法甲", "1950-03-01", "书法、国画", true, "tuixiu"),
        ("书法乙", "1935-03-01", "书法", false, "lixiu"),
        ("二胡丙", "1950-03-01", "二胡", true, "tuixiu"),
    ] {
        let r = staff.json("POST", "/api/v1/people", json!({ "unit_id": c.village_a, "name": name, "birth_date": birth, "skills": skills, "willing_to_serve": willing, "categories": [cat] })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let names = |r: crate::helpers::Resp| -> Vec<String> {
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let q = |s: &str| format!("/api/v1/talent?{s}");
    assert_eq!(
        names(
            staff
                .json("GET", &q("skill=%E4%B9%A6%E6%B3%95"), json!(null))
                .await
        )
        .len(),
        2,
        "书法"
    );
    assert_eq!(
        names(
            staff
                .json("GET", &q("skill=%E4%B9%A6%E6%B3%95&willing=1"), json!(null))
                .await
        ),
        vec!["书法甲".to_string()]
    );
    assert_eq!(
        names(staff.json("GET", &q("category=lixiu"), json!(null)).await),
        vec!["书法乙".to_string()]
    );
    let young = names(staff.json("GET", &q("age_max=85"), json!(null)).await);
    assert!(young.contains(&"书法甲".to_string()) && !young.contains(&"书法乙".to_string()));
    assert_eq!(
        staff
            .json("GET", &q("age_min=-3"), json!(null))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let page = staff.get("/talent?skill=%E4%BA%8C%E8%83%A1").await;
    assert!(page.body.contains("二胡丙") && !page.body.contains("书法甲"));
}

#[tokio::test]
async fn the_talent_pool_page_filters_by_unit_like_the_api() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    for (name, unit) in [("书法东", c.village_a), ("书法西", c.village_b)] {
        let r = staff
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": unit, "name": name, "skills": "书法" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let page = staff.get("/talent").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("<option value=\"{}\">城关镇</option>", c.town_a)),
        "the filter offers the units in scope: {}",
        page.body
    );
    // The form as a browser sends it: every field, the blank ones empty.
    let all = staff
        .get("/talent?skill=%E4%B9%A6%E6%B3%95&category=&unit=&age_min=&age_max=")
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("书法东") && all.body.contains("书法西"));
    let east = staff
        .get(&format!(
            "/talent?skill=%E4%B9%A6%E6%B3%95&category=&unit={}&age_min=&age_max=",
            c.town_a
        ))
        .await;
    assert_eq!(east.status, StatusCode::OK, "{}", east.body);
    assert!(east.body.contains("书法东") && !east.body.contains("书法西"));
    assert!(east.body.contains(&format!(
        "<option value=\"{}\" selected>城关镇</option>",
        c.town_a
    )));
    let api = staff
        .json(
            "GET",
            &format!("/api/v1/talent?unit={}", c.town_b),
            json!(null),
        )
        .await
        .json();
    assert_eq!(api.as_array().unwrap().len(), 1);
    assert_eq!(api[0]["name"], "书法西");
}

#[tokio::test]
async fn a_retiree_sees_corrects_and_downloads_their_own_file() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    fixtures::account(&app, "zhangsan", Some(c.village_a), Some(UnitRole::Member)).await;
    fixtures::account(&app, "stranger", Some(c.village_b), Some(UnitRole::Member)).await;
    staff.get(&format!("/people/{id}")).await;
    let r = staff
        .post(&format!("/people/{id}/link"), &[("username", "stranger")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an account outside the staff's scope"
    );
    let r = staff
        .post(&format!("/people/{id}/link"), &[("username", "zhangsan")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let mut me = app.client();
    me.login("zhangsan", fixtures::PASSWORD).await;
    assert!(me.get("/").await.body.contains("own-file-link"));
    let page = me.get("/me/file").await;
    assert_eq!(page.element_text("own-name").as_deref(), Some("张三"));
    assert!(
        !page.body.contains(ID) && !page.body.contains(MOBILE),
        "masked for the owner too"
    );
    let r = me
        .post(
            "/me/file",
            &[
                ("mobile", "13700007777"),
                ("skills", "书法、京剧"),
                ("willing_to_serve", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = me.post("/me/file", &[("mobile", "123")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let copy = me.get("/me/file.json").await;
    let j = copy.json();
    assert_eq!(
        (
            j["id_number"].as_str(),
            j["mobile"].as_str(),
            j["skills"].as_str()
        ),
        (Some(ID), Some("13700007777"), Some("书法、京剧"))
    );
    assert_eq!(
        j["address"], "城关镇杨柳村 3 组 12 号",
        "untouched fields are kept"
    );
    // The member role gives no access to anyone else's file.
    assert_eq!(
        me.get(&format!("/people/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    let mut tx = app.db().read().await.unwrap();
    for action in [
        "person.link_account",
        "person.self_update",
        "person.self_export",
    ] {
        let f = yinyao::audit::Filter {
            action: Some(action.into()),
            ..Default::default()
        };
        assert_eq!(
            yinyao::audit::count(&mut tx, &f).await.unwrap(),
            1,
            "{action}"
        );
    }
}

/// The audit admin reads who changed which file and which fields, never the values: no name,
/// birth date, employer, address or note appears in the trail, and the ID number and mobile
/// only masked.
#[tokio::test]
async fn audit_entries_name_the_fields_not_the_personal_data() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut changed = zhang(c.village_a);
    changed["former_employer"] = json!("县财政局");
    changed["skills"] = json!("京剧");
    changed["mobile"] = json!("13911112222");
    let r = staff
        .json("PUT", &format!("/api/v1/people/{id}"), changed)
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let trail: Vec<String> = {
        let mut tx = app.db().read().await.unwrap();
        yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT CAST(detail AS TEXT) FROM audit_log")
            .fetch_all(c).await)
        .unwrap()
    };
    let trail = trail.join(" ");
    for secret in [
        "张三",
        "县水利局",
        "县财政局",
        "1949",
        "杨柳村",
        "高血压",
        "张小明",
        "书法",
        "京剧",
        ID,
        MOBILE,
        "13911112222",
    ] {
        assert!(
            !trail.contains(secret),
            "{secret} is in the audit trail: {trail}"
        );
    }
    let update = app
        .text("SELECT CAST(detail AS TEXT) FROM audit_log WHERE action = 'person.update'")
        .await;
    let j: serde_json::Value = serde_json::from_str(&update).unwrap();
    let fields: Vec<&str> = j["change"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(fields, ["former_employer", "skills", "mobile"]);
    assert_eq!(j["change"]["mobile"], "139****2222");
}

/// A linked account reads its file in clear, so staff cannot link a file to themselves, and a
/// staff account gets a file only from an administrator of the person's unit, with a reason;
/// the download audits each field it reveals.
#[tokio::test]
async fn staff_cannot_reveal_a_file_by_linking_it_to_themselves() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = staff
        .json("POST", "/api/v1/people", zhang(c.village_a))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    fixtures::account(&app, "colleague", Some(c.village_a), Some(UnitRole::Staff)).await;
    staff.get(&format!("/people/{id}")).await;
    for (who, reason) in [
        ("staff_a", ""),
        ("staff_a", "本人档案"),
        ("colleague", "本人档案"),
    ] {
        let r = staff
            .post(
                &format!("/people/{id}/link"),
                &[("username", who), ("reason", reason)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{who}");
    }
    assert_eq!(
        staff.get("/me/file.json").await.status,
        StatusCode::NOT_FOUND,
        "nothing linked"
    );
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    admin.get(&format!("/people/{id}")).await;
    let r = admin
        .post(
            &format!("/people/{id}/link"),
            &[("username", "colleague"), ("reason", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    assert!(r.body.contains("理由"), "{}", r.body);
    let r = admin
        .post(
            &format!("/people/{id}/link"),
            &[
                ("username", "colleague"),
                ("reason", "本人退休后返聘为村工作人员"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = app
        .text("SELECT CAST(detail AS TEXT) FROM audit_log WHERE action = 'person.link_account'")
        .await;
    assert!(detail.contains("本人退休后返聘为村工作人员"), "{detail}");

    let mut me = app.client();
    me.login("colleague", fixtures::PASSWORD).await;
    let copy = me.get("/me/file.json").await;
    assert_eq!(copy.json()["id_number"], ID);
    let reveals = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'person.reveal'")
        .await;
    assert_eq!(
        reveals, 5,
        "each sensitive field in the copy is audited as a reveal"
    );
}

/// Subtrees are ranges of unit paths: town 3 (`/1/2/3/`) must not reach its siblings 30–36
/// (`/1/2/30/` …), whose paths start with the same characters.
#[tokio::test]
async fn a_scope_never_reaches_siblings_whose_ids_start_alike() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    assert_eq!(c.town_a, 3, "the fixture's first town is unit 3");
    let mut tx = app.db().write().await.unwrap();
    let everything = yinyao::access::Scope::EVERYTHING;
    let county_unit = yinyao::units::service::get_in_scope(
        &mut tx,
        &everything,
        yinyao::units::model::UnitId(c.county),
    )
    .await
    .unwrap()
    .unwrap();
    let mut thirty = 0;
    for n in 0..30 {
        let t = yinyao::units::bulk::insert(
            &mut tx,
            Some(&county_unit),
            &format!("第{n}镇"),
            yinyao::units::model::UnitKind::Town,
        )
        .await
        .unwrap();
        if t.id.0 == 30 {
            thirty = t.id.0;
        }
    }
    tx.commit().await.unwrap();
    assert_eq!(thirty, 30);
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let far = admin.json("POST", "/api/v1/people", zhang(30)).await;
    assert_eq!(far.status, StatusCode::CREATED, "{}", far.body);
    let mut a = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let near = a
        .json(
            "POST",
            "/api/v1/people",
            json!({"unit_id": c.village_a, "name": "李四", "categories": ["tuixiu"]}),
        )
        .await;
    assert_eq!(near.status, StatusCode::CREATED, "{}", near.body);
    let list = a.json("GET", "/api/v1/people", json!(null)).await.json();
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![near.json()["id"].as_i64().unwrap()]);
    let far_id = far.json()["id"].as_i64().unwrap();
    assert_eq!(
        a.get(&format!("/people/{far_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Filtering by the town lists only its own files, for the county admin too.
    let by_town = admin
        .json(
            "GET",
            &format!("/api/v1/people?unit={}", c.town_a),
            json!(null),
        )
        .await
        .json();
    assert_eq!(by_town.as_array().unwrap().len(), 1);
    // The town's unit count and tree hold the town and its village only.
    let units = a.json("GET", "/api/v1/units", json!(null)).await.json();
    let unit_ids: Vec<i64> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(unit_ids, vec![c.town_a, c.village_a]);
}

/// The person list has two plans: a narrow scope starts from its units, a broad one walks
/// the files in name order. Test databases are always narrow, so both plans are run here on
/// the same searches and must give the same rows in the same order.
#[tokio::test]
async fn narrow_and_broad_person_lists_agree() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let names = [
        "王建国",
        "王秀英",
        "王建华",
        "李秀兰",
        "李秀英",
        "张三",
        "张三丰",
        "張三豐",
        "赵桂兰",
        "王一",
        "周建国",
        "吴秀英",
        "郑建",
        "王建",
        "李四",
        "张伟",
        "張偉",
        "刘洋",
        "陈静",
        "杨帆",
    ];
    for (n, name) in names.iter().enumerate() {
        let unit = [c.village_a, c.village_b, c.town_a, c.town_b][n % 4];
        let cats = if n % 3 == 0 {
            json!(["tuixiu", "party_member"])
        } else {
            json!(["lixiu"])
        };
        let r = admin
            .json(
                "POST",
                "/api/v1/people",
                json!({"unit_id": unit, "name": name, "categories": cats}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let account: i64 = app
        .scalar("SELECT id FROM accounts WHERE username = 'county_admin'")
        .await;
    let town_staff =
        fixtures::account(&app, "town_staff", Some(c.town_a), Some(UnitRole::Staff)).await;
    // Overlapping grants (the town, and admin of one of its villages) must not list anyone twice.
    {
        let mut tx = app.db().write().await.unwrap();
        yinyao::accounts::bulk::insert_grant(
            &mut tx,
            town_staff,
            UnitId(c.village_a),
            UnitRole::UnitAdmin,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let mut compared = 0;
    for who in [account, town_staff.0] {
        for q in [
            "",
            "王",
            "王建",
            "秀英",
            "張三",
            "zs",
            "wjg",
            "zhang",
            "wang",
            "不存在",
        ] {
            for (unit, category) in [
                (None, None),
                (Some(c.town_a), None),
                (None, Some("party_member")),
                (Some(c.county), Some("party_member")),
            ] {
                let mut s = yinyao::people::Search {
                    status: Some("active".into()),
                    unit_id: unit.map(yinyao::ids::UnitId),
                    category: category.map(str::to_string),
                    ..Default::default()
                };
                if !q.is_empty() {
                    yinyao::people::service::name_query(&app.state.crypto, q, &mut s);
                }
                for (limit, offset) in [(50, 0), (3, 2)] {
                    let mut tx = app.db().read().await.unwrap();
                    let ids = |rows: Vec<yinyao::people::PersonRow>| {
                        rows.into_iter().map(|p| p.id.0).collect::<Vec<_>>()
                    };
                    let search = yinyao::people::service::search_planned;
                    let narrow = ids(search(
                        &mut tx,
                        yinyao::ids::AccountId(who),
                        &s,
                        limit,
                        offset,
                        true,
                    )
                    .await
                    .unwrap());
                    let broad = ids(search(
                        &mut tx,
                        yinyao::ids::AccountId(who),
                        &s,
                        limit,
                        offset,
                        false,
                    )
                    .await
                    .unwrap());
                    assert_eq!(
                        narrow, broad,
                        "{q:?} unit {unit:?} category {category:?} as {who}"
                    );
                    let mut unique = narrow.clone();
                    unique.sort_unstable();
                    unique.dedup();
                    assert_eq!(unique.len(), narrow.len(), "nobody twice: {narrow:?}");
                    compared += usize::from(!narrow.is_empty());
                }
            }
        }
    }
    assert!(compared > 40, "only {compared} searches found anyone");
}
