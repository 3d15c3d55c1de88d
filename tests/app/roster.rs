//! Roster import (check, then all-or-nothing commit) and export (masked, audited).

use crate::fixtures::{self, County, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::ids::UnitId;
use yinyao::people::transfer::{COLUMNS, write_xlsx};

const ID_A: &str = "11010519491231002X";
const MOBILE_A: &str = "13812345678";
const ID_B: &str = "110105195001011234";

async fn people_count(app: &TestApp) -> i64 {
    let mut tx = app.db().read().await.unwrap();
    yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(c).await).unwrap()
}

/// The kept uploads' stored bytes, oldest first.
async fn stored_uploads(app: &TestApp) -> Vec<Vec<u8>> {
    let mut tx = app.db().read().await.unwrap();
    yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT data FROM import_uploads ORDER BY id").fetch_all(c).await).unwrap()
}

/// Audit entries with exactly this action, newest first: `(unit_id, detail)`.
async fn audited(app: &TestApp, action: &str) -> Vec<(Option<i64>, serde_json::Value)> {
    let mut tx = app.db().read().await.unwrap();
    let rows: Vec<(Option<i64>, String)> = yinyao::on_tx!(&mut tx, c => sqlx::query_as(
        "SELECT unit_id, CAST(detail AS TEXT) FROM audit_log WHERE action = $1 ORDER BY id DESC")
        .bind(action).fetch_all(c).await)
    .unwrap();
    rows.into_iter()
        .map(|(u, d)| (u, serde_json::from_str(&d).unwrap()))
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The commit form's upload id on a report page.
fn commit_id(body: &str) -> String {
    body.split("action=\"/people/import/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no commit form: {body}"))
        .to_string()
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
    let f = yinyao::audit::Filter {
        action: Some("person.import".into()),
        ..Default::default()
    };
    assert_eq!(yinyao::audit::count(&mut tx, &f).await.unwrap(), 1);
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
async fn a_checked_file_is_kept_encrypted_and_goes_with_its_commit() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let csv = format!("姓名,身份证号,手机号,住址\n张三,{ID_A},{MOBILE_A},杨柳村 1 号\n");
    let unit = c.village_a.to_string();
    let r = staff
        .upload(
            "/people/import",
            "名册.csv",
            csv.as_bytes(),
            &[("unit_id", &unit)],
        )
        .await;
    assert_eq!(
        r.element_text("problem-count").as_deref(),
        Some("0"),
        "{}",
        r.body
    );
    let kept = stored_uploads(&app).await;
    assert_eq!(kept.len(), 1);
    for clear in [ID_A, MOBILE_A, "张三", "杨柳村", "姓名"] {
        assert!(
            !contains(&kept[0], clear),
            "{clear} lies in the database in clear"
        );
    }
    let id = commit_id(&r.body);
    let r = staff
        .post(&format!("/people/import/{id}/commit"), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        people_count(&app).await,
        1,
        "the kept file opens again for the commit"
    );
    assert!(
        stored_uploads(&app).await.is_empty(),
        "the commit removes the kept file"
    );
    let found = staff
        .json("GET", &format!("/api/v1/people?q={ID_A}"), json!(null))
        .await
        .json();
    assert_eq!(found[0]["mobile_mask"], "138****5678");
    // A second click on the same button imports nothing more.
    let r = staff
        .post(&format!("/people/import/{id}/commit"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(people_count(&app).await, 1);
}

#[tokio::test]
async fn housekeeping_removes_uploads_left_for_more_than_a_day() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let unit = c.village_a.to_string();
    let mut ids = Vec::new();
    for name in ["甲", "乙"] {
        let csv = format!("姓名\n{name}\n");
        let r = staff
            .upload(
                "/people/import",
                "a.csv",
                csv.as_bytes(),
                &[("unit_id", &unit)],
            )
            .await;
        ids.push(commit_id(&r.body));
    }
    // The first was checked two days ago and never committed.
    let aged = if app.is_postgres() {
        app.exec("UPDATE import_uploads SET created_at = created_at - INTERVAL '2 days' WHERE id = (SELECT MIN(id) FROM import_uploads)").await
    } else {
        app.exec("UPDATE import_uploads SET created_at = '2020-01-01T00:00:00+00:00' WHERE id = (SELECT MIN(id) FROM import_uploads)").await
    };
    assert_eq!(aged.unwrap(), 1);
    assert!(yinyao::jobs::daily_housekeeping(&app.state).await.unwrap());
    assert_eq!(
        stored_uploads(&app).await.len(),
        1,
        "only the old upload goes"
    );
    let runs = audited(&app, "job.daily_housekeeping").await;
    assert_eq!(runs[0].1["import_uploads_purged"], 1);
    let r = staff
        .post(&format!("/people/import/{}/commit", ids[0]), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = staff
        .post(&format!("/people/import/{}/commit", ids[1]), &[])
        .await;
    assert_eq!(
        r.element_text("imported").as_deref(),
        Some("已导入人数： 1")
    );
}

/// 张三 in village A (town A), 李四 in village B (town B), filed by county staff.
async fn two_towns(app: &TestApp, c: &County) {
    let mut staff = fixtures::user_client(app, "county_staff", c.county, UnitRole::Staff).await;
    for body in [
        json!({ "unit_id": c.village_a, "name": "张三", "id_number": ID_A, "mobile": MOBILE_A, "address": "杨柳村 1 号" }),
        json!({ "unit_id": c.village_b, "name": "李四", "id_number": ID_B, "mobile": "13900001111", "address": "桃源村 2 号" }),
    ] {
        let r = staff.json("POST", "/api/v1/people", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
}

/// Staff over the whole county who is unit admin of town A only.
async fn mixed_client<'a>(app: &'a TestApp, c: &County) -> Client<'a> {
    let id = fixtures::account(app, "mixed", Some(c.county), Some(UnitRole::Staff)).await;
    let mut tx = app.db().write().await.unwrap();
    yinyao::accounts::bulk::insert_grant(&mut tx, id, UnitId(c.town_a), UnitRole::UnitAdmin, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut client = app.client();
    client.login("mixed", fixtures::PASSWORD).await;
    client
}

/// The cells of the first sheet of an XLSX, read back with calamine.
pub(crate) fn xlsx_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX file");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn exports_are_masked_in_csv_and_xlsx_and_audited() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    two_towns(&app, &c).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let csv = staff.get("/people/export/csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("110***********002X")
            && csv.body.contains("138****5678")
            && csv.body.contains("（已隐藏）")
    );
    assert!(!csv.body.contains(ID_A) && !csv.body.contains("杨柳村 1 号"));
    assert!(!csv.body.contains("李四"), "another town's file");
    let xlsx = staff.get("/people/export/xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let cells = xlsx_cells(&xlsx.bytes);
    assert_eq!(cells[0][3], "身份证号");
    assert_eq!(cells.len(), 2, "header and 张三 only: {cells:?}");
    assert_eq!(cells[1][0], "张三");
    assert_eq!(cells[1][3], "110***********002X");
    assert_eq!(cells[1][4], "138****5678");
    assert_eq!(cells[1][5], "（已隐藏）");
    assert!(
        !cells
            .iter()
            .flatten()
            .any(|v| v.contains(ID_A) || v.contains(MOBILE_A) || v.contains("杨柳村 1 号")),
        "no clear value anywhere in the workbook"
    );
    // Staff may not ask for clear values, nor see the button.
    assert_eq!(
        staff.get("/people/export/csv?unmasked=1").await.status,
        StatusCode::FORBIDDEN
    );
    let page = staff.get("/people/import").await;
    assert!(!page.body.contains("unmasked-export") && !page.body.contains("unmasked=1"));
    // Unknown formats are refused before anything is audited.
    assert_eq!(
        staff.get("/people/export/pdf").await.status,
        StatusCode::NOT_FOUND
    );
    let exports = audited(&app, "person.export").await;
    assert_eq!(exports.len(), 2, "csv and xlsx, not the refused ones");
    assert_eq!(exports[0].1["format"], "xlsx");
    assert_eq!(exports[0].1["rows"], 1);
    assert!(audited(&app, "person.export_unmasked").await.is_empty());
}

#[tokio::test]
async fn an_unmasked_export_reaches_only_the_units_the_caller_administers() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    two_towns(&app, &c).await;
    let mut mixed = mixed_client(&app, &c).await;
    // Masked, the export covers everything the account keeps as staff.
    let masked = mixed.get("/people/export/csv").await;
    assert!(masked.body.contains("张三") && masked.body.contains("李四"));
    // Unmasked, only town A, where the account is unit admin.
    let clear = mixed.get("/people/export/csv?unmasked=1").await;
    assert_eq!(clear.status, StatusCode::OK);
    assert!(clear.body.contains(ID_A) && clear.body.contains("杨柳村 1 号"));
    assert!(
        !clear.body.contains("李四")
            && !clear.body.contains(ID_B)
            && !clear.body.contains("桃源村")
    );
    let xlsx = mixed
        .get(&format!(
            "/people/export/xlsx?unmasked=1&unit={}",
            c.village_a
        ))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let cells = xlsx_cells(&xlsx.bytes);
    assert_eq!(cells.len(), 2);
    assert_eq!(
        (cells[1][3].as_str(), cells[1][4].as_str()),
        (ID_A, MOBILE_A)
    );
    // A unit outside the administered subtree (or above it) is refused, not cut down.
    for unit in [c.town_b, c.county] {
        let r = mixed
            .get(&format!("/people/export/csv?unmasked=1&unit={unit}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "unit {unit}");
        assert!(!r.body.contains(ID_B));
    }
    let entries = audited(&app, "person.export_unmasked").await;
    assert_eq!(entries.len(), 2, "the two exports that went out");
    assert_eq!(entries[0].0, Some(c.village_a));
    assert_eq!(entries[0].1["rows"], 1);
    assert_eq!(entries[1].1["rows"], 1);
    // The page offers the unmasked export, with its warning, in both languages.
    let page = mixed.get("/people/import").await;
    assert!(page.body.contains("/people/export/xlsx?unmasked=1"));
    assert!(
        page.element_text("unmasked-warning")
            .unwrap()
            .contains("审计日志")
    );
    mixed.post("/prefs", &[("locale", "en")]).await;
    let page = mixed.get("/people/import").await;
    assert!(
        page.element_text("unmasked-warning")
            .unwrap()
            .contains("audit trail"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_api_exports_the_same_files_scoped_and_audited() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    two_towns(&app, &c).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff.get("/api/v1/people/export?format=csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(r.body.contains("110***********002X") && !r.body.contains(ID_A));
    assert!(!r.body.contains("李四"), "scoped like the page");
    let r = staff.get("/api/v1/people/export?format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(xlsx_cells(&r.bytes)[1][3], "110***********002X");
    for bad in ["format=pdf", "unit=1"] {
        let r = staff.get(&format!("/api/v1/people/export?{bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(r.json()["fields"][0]["field"], "format", "{}", r.body);
    }
    let r = staff
        .get("/api/v1/people/export?format=csv&unmasked=true")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(audited(&app, "person.export").await.len(), 2);
    let mut mixed = mixed_client(&app, &c).await;
    let r = mixed
        .get("/api/v1/people/export?format=csv&unmasked=true")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(ID_A) && !r.body.contains("李四"));
    let r = mixed
        .get(&format!(
            "/api/v1/people/export?format=csv&unmasked=true&unit={}",
            c.town_b
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = mixed
        .get(&format!(
            "/api/v1/people/export?format=csv&unit={}",
            c.town_b
        ))
        .await;
    assert!(
        r.body.contains("139****1111") && !r.body.contains("张三"),
        "masked, any unit kept"
    );
    assert_eq!(audited(&app, "person.export_unmasked").await.len(), 1);
    let doc = staff.get("/api/openapi.json").await.json();
    let op = &doc["paths"]["/api/v1/people/export"]["get"];
    assert!(
        op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "unmasked"),
        "{op}"
    );
}

#[tokio::test]
async fn the_report_names_values_units_and_keeps_the_chosen_unit() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let village = c.village_a.to_string();
    // A refused value is shown with what the column accepts; the unit stays chosen.
    let bad = "姓名,性别,出生日期\n张三,女士,1950-13-45\n";
    let r = staff
        .upload(
            "/people/import",
            "名册.csv",
            bad.as_bytes(),
            &[("unit_id", &village)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("<code>女士</code>") && r.body.contains("可填写： 男、女"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<code>1950-13-45</code>") && r.body.contains("日期，如 1950-01-02"));
    assert!(
        r.body
            .contains(&format!("<option value=\"{village}\" selected>")),
        "the chosen unit is kept after a failed check"
    );

    // A CSV saved by Excel on Chinese Windows (GBK), in the words staff write.
    let text = "姓名,性别,居住情况,人员类别,所属单位编号\n王桂英,女性,与子女同住,离退休,\n赵德胜,男性,独居老人,中共党员,{town}\n【示例】张桂兰,女,独居,退休,\n"
        .replace("{town}", &c.town_a.to_string());
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let r = staff
        .upload("/people/import", "名册.csv", &gbk, &[("unit_id", &village)])
        .await;
    assert_eq!(
        r.element_text("rows").as_deref(),
        Some("2"),
        "the example row is skipped"
    );
    assert_eq!(
        r.element_text("problem-count").as_deref(),
        Some("0"),
        "{}",
        r.body
    );
    // The confirmation names where each goes, and who.
    let dest = &r.body[r.body.find("id=\"destination\"").unwrap()..];
    assert!(
        !dest.contains("<strong>清江县委老干部局</strong>"),
        "not the county"
    );
    assert!(dest.contains("城关镇") && dest.contains("王桂英") && dest.contains("赵德胜"));
    let village_name = app
        .text(&format!(
            "SELECT name FROM units WHERE id = {}",
            c.village_a
        ))
        .await;
    assert!(dest.contains(&format!("<strong>{village_name}</strong>")));
    let api = staff
        .upload(
            "/api/v1/people/import",
            "名册.csv",
            &gbk,
            &[("unit_id", &village)],
        )
        .await
        .json();
    let per_unit = api["report"]["per_unit"].as_array().unwrap().clone();
    assert_eq!(per_unit.len(), 2);
    assert!(
        per_unit
            .iter()
            .all(|u| u["rows"] == 1 && !u["unit_name"].as_str().unwrap().is_empty())
    );
    assert_eq!(api["report"]["sample"], json!(["王桂英", "赵德胜"]));
    // Committed, the rows are filed where the confirmation said, with the synonyms read.
    let commit = &r.body[r.body.find("/people/import/").unwrap()..];
    let path = &commit[..commit.find('"').unwrap()];
    let done = staff.post(path, &[]).await;
    assert_eq!(
        done.element_text("imported").as_deref(),
        Some("已导入人数： 2")
    );
    let rows = app
        .rows3("SELECT name, COALESCE(living, ''), unit_id FROM people ORDER BY name")
        .await;
    assert_eq!(
        rows,
        vec![
            ("王桂英".to_string(), "with_family".to_string(), c.village_a),
            ("赵德胜".to_string(), "alone".to_string(), c.town_a),
        ]
    );
}

#[tokio::test]
async fn the_template_has_an_example_row_and_drop_down_lists() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff.get("/people/import/template.xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert_eq!(sheet.matches("<dataValidation ").count(), 4, "{sheet}");
    assert!(
        sheet.contains("&quot;男,女&quot;") || sheet.contains("\"男,女\""),
        "{sheet}"
    );
    // Uploaded unchanged, the template holds no one: the example row is never filed.
    let unit = c.village_a.to_string();
    let r = staff
        .upload(
            "/people/import",
            "模板.xlsx",
            &r.bytes,
            &[("unit_id", &unit)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(people_count(&app).await, 0);
}
