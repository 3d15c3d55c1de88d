//! Roster import (check, then all-or-nothing commit) and export (masked, audited).

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::people::transfer::{COLUMNS, write_xlsx};

async fn people_count(app: &TestApp) -> i64 {
    let mut tx = app.db().read().await.unwrap();
    yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(c).await).unwrap()
}

fn row(name: &str, id: &str, mobile: &str, cats: &str) -> Vec<String> {
    let mut r = vec![String::new(); COLUMNS.len()];
    r[0] = name.into();
    r[1] = "男".into();
    r[3] = id.into();
    r[4] = mobile.into();
    r[13] = cats.into();
    r
}

#[tokio::test]
async fn a_bad_file_is_reported_row_by_row_and_writes_nothing() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let csv = "姓名,性别,身份证号,手机号,人员类别\n张三,男,11010519491231002X,13812345678,退休\n李四,女,110105194912310021,13812345679,党员\n王五,男,11010519491231002X,,外星人\n";
    let unit = c.village_a.to_string();
    let r = staff
        .upload(
            "/people/import",
            "名册.csv",
            csv.as_bytes(),
            &[("unit_id", &unit)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.element_text("rows").as_deref(), Some("3"));
    assert_eq!(r.element_text("valid-rows").as_deref(), Some("1"));
    assert!(r.body.contains("校验码不正确"), "row 3: checksum");
    assert!(
        r.body.contains("身份证号重复"),
        "row 4: duplicate in the file"
    );
    assert!(r.body.contains("请从列表中选择"), "row 4: unknown category");
    assert!(
        !r.body.contains("确认导入"),
        "no commit button while there are problems"
    );
    // The API refuses to commit it too.
    let r = staff
        .upload(
            "/api/v1/people/import?commit=true",
            "名册.csv",
            csv.as_bytes(),
            &[("unit_id", &unit)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["imported"], 0);
    assert_eq!(r.json()["report"]["problems"][0]["row"], 3);
    assert_eq!(
        people_count(&app).await,
        0,
        "a bad file leaves no partial data"
    );
    // Without the token in the upload URL the request is refused.
    let r = staff
        .upload(
            "/people/import?csrf=forged",
            "名册.csv",
            csv.as_bytes(),
            &[("unit_id", &unit)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_good_xlsx_is_checked_then_committed_in_one_go() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let template = staff.get("/people/import/template.xlsx").await;
    assert_eq!(template.status, StatusCode::OK);
    let mut rows = vec![
        row("张三", "11010519491231002X", "13812345678", "退休、党员"),
        row("李秀英", "", "13900001111", "离休"),
    ];
    rows[1][15] = "是".into();
    let xlsx = write_xlsx(&rows).unwrap();
    let unit = c.village_a.to_string();
    let r = staff
        .upload(
            "/people/import",
            "roster.xlsx",
            &xlsx,
            &[("unit_id", &unit)],
        )
        .await;
    assert_eq!(
        r.element_text("problem-count").as_deref(),
        Some("0"),
        "{}",
        r.body
    );
    assert_eq!(people_count(&app).await, 0, "the check writes nothing");
    let action = r
        .body
        .split("action=\"/people/import/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let r = staff
        .post(&format!("/people/import/{action}/commit"), &[])
        .await;
    assert_eq!(
        r.element_text("imported").as_deref(),
        Some("已导入人数： 2")
    );
    assert_eq!(people_count(&app).await, 2);
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "新来的" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "ids reserved by the bulk import do not collide: {}",
        r.body
    );
    let found = staff
        .json("GET", "/api/v1/people?q=lxy", json!(null))
        .await
        .json();
    assert_eq!(found[0]["mobile_mask"], "139****1111");
    assert_eq!(found[0]["willing_to_serve"], true);
    // Importing the same file again reports the duplicates instead of merging them.
    let r = staff
        .upload(
            "/people/import",
            "roster.xlsx",
            &xlsx,
            &[("unit_id", &unit)],
        )
        .await;
    assert!(r.body.contains("已有档案使用这个身份证号"));
    let mut tx = app.db().read().await.unwrap();
    let f = yinyao::audit::repo::Filter {
        action: Some("person.import".into()),
        ..Default::default()
    };
    assert_eq!(yinyao::audit::repo::count(&mut tx, &f).await.unwrap(), 1);
}

#[tokio::test]
async fn a_commit_rechecks_and_stays_all_or_nothing() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let xlsx = write_xlsx(&[
        row("甲", "", "", ""),
        row("乙", "11010519491231002X", "", ""),
    ])
    .unwrap();
    let unit = c.village_a.to_string();
    let r = staff
        .upload(
            "/people/import",
            "roster.xlsx",
            &xlsx,
            &[("unit_id", &unit)],
        )
        .await;
    let action = r
        .body
        .split("action=\"/people/import/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    // Meanwhile someone files the same ID number by hand.
    staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "丙", "id_number": "11010519491231002X" }),
        )
        .await;
    let r = staff
        .post(&format!("/people/import/{action}/commit"), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        people_count(&app).await,
        1,
        "neither imported row was written"
    );
}

#[tokio::test]
async fn exports_are_masked_unless_a_unit_admin_asks_and_always_audited() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    staff.json("POST", "/api/v1/people", json!({ "unit_id": c.village_a, "name": "张三", "id_number": "11010519491231002X", "mobile": "13812345678", "address": "杨柳村 1 号" })).await;
    let csv = staff.get("/people/export/csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("110***********002X")
            && csv.body.contains("138****5678")
            && csv.body.contains("（已隐藏）")
    );
    assert!(!csv.body.contains("11010519491231002X") && !csv.body.contains("杨柳村 1 号"));
    let xlsx = staff.get("/people/export/xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        staff.get("/people/export/csv?unmasked=1").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    let clear = admin.get("/people/export/csv?unmasked=1").await;
    assert!(clear.body.contains("11010519491231002X") && clear.body.contains("杨柳村 1 号"));
    let mut tx = app.db().read().await.unwrap();
    for (action, n) in [("person.export_unmasked", 1), ("person.export", 2)] {
        let f = yinyao::audit::repo::Filter {
            action: Some(action.into()),
            ..Default::default()
        };
        assert!(
            yinyao::audit::repo::count(&mut tx, &f).await.unwrap() >= n,
            "{action}"
        );
    }
    // Another town sees none of it.
    let mut b = fixtures::user_client(&app, "staff_b", c.town_b, UnitRole::Staff).await;
    assert!(!b.get("/people/export/csv").await.body.contains("张三"));
}
