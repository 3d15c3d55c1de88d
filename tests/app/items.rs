//! Care-plan service items, person photos, mobile members' online branches and tier
//! intervals configured per unit.

use crate::fixtures::{self, county};
use crate::helpers::{Client, Resp, TestApp};
use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::units::model::UnitKind;

async fn person(staff: &mut Client<'_>, unit: i64, name: &str) -> i64 {
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": unit, "name": name, "categories": ["tuixiu"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let mut tx = app.db().read().await.unwrap();
    yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action).fetch_one(c).await)
    .unwrap()
}

/// Posts a multipart upload with one `photo` part, as the photo form does.
async fn upload_photo(client: &mut Client<'_>, id: i64, data: &[u8]) -> Resp {
    let boundary = "yinyaoPhotoBoundary";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
    body.extend(data);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = client
        .request("POST", &format!("/people/{id}/photo?csrf={}", client.csrf))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, "http://localhost")
        .body(Body::from(body))
        .unwrap();
    client.app.send(req).await
}

/// A JPEG with a comment segment carrying `marker`, as camera metadata would.
fn jpeg_with_marker(marker: &str) -> Vec<u8> {
    let img = image::RgbImage::from_fn(900, 1200, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    let plain = out.into_inner();
    let len = (marker.len() + 2) as u16;
    let mut with = vec![0xFF, 0xD8, 0xFF, 0xFE];
    with.extend(len.to_be_bytes());
    with.extend(marker.as_bytes());
    with.extend(&plain[2..]);
    with
}

#[tokio::test]
async fn service_items_are_added_changed_validated_and_audited() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = person(&mut staff, c.village_a, "王秀兰").await;

    let r = staff
        .post(
            &format!("/people/{id}/care-items"),
            &[
                ("name", "家庭医生签约"),
                ("status", "active"),
                ("note", "每季度随访"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/people/{id}/care-items"),
            json!({ "name": "送药上门" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let second = r.json()["id"].as_i64().unwrap();

    // Bad input changes nothing and names the field.
    for (body, field) in [
        (json!({ "name": "" }), "name"),
        (json!({ "name": "助".repeat(61) }), "name"),
        (json!({ "name": "助餐", "status": "finished" }), "status"),
    ] {
        let r = staff
            .json("POST", &format!("/api/v1/people/{id}/care-items"), body)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(field), "{}", r.body);
    }
    let r = staff
        .json(
            "PUT",
            &format!("/api/v1/people/{id}/care-items/{second}"),
            json!({ "status": "done", "note": "已送到" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "done");

    let list = staff
        .json(
            "GET",
            &format!("/api/v1/people/{id}/care-items"),
            json!(null),
        )
        .await
        .json();
    let items: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_string(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        items,
        vec![
            ("家庭医生签约".to_string(), "active".to_string()),
            ("送药上门".to_string(), "done".to_string())
        ]
    );
    let page = staff.get(&format!("/people/{id}")).await;
    assert!(page.body.contains("家庭医生签约") && page.body.contains("每季度随访"));
    assert_eq!(audit_count(&app, "care_item.create").await, 2);
    assert_eq!(audit_count(&app, "care_item.update").await, 1);

    // An item id of another person's plan is not reachable through this one.
    let other = person(&mut staff, c.village_a, "李四").await;
    let r = staff
        .json(
            "PUT",
            &format!("/api/v1/people/{other}/care-items/{second}"),
            json!({ "status": "paused" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A sibling town's staff sees nothing and changes nothing.
    let mut sibling = fixtures::user_client(&app, "staff_b", c.town_b, UnitRole::Staff).await;
    let r = sibling
        .json(
            "GET",
            &format!("/api/v1/people/{id}/care-items"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = sibling
        .json(
            "PUT",
            &format!("/api/v1/people/{id}/care-items/{second}"),
            json!({ "status": "paused" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = staff
        .json(
            "GET",
            &format!("/api/v1/people/{id}/care-items"),
            json!(null),
        )
        .await
        .json();
    assert_eq!(list[1]["status"], "done");
}

#[tokio::test]
async fn photos_are_reencoded_without_metadata_and_served_only_in_scope() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let id = person(&mut staff, c.village_a, "赵德明").await;

    let r = upload_photo(&mut staff, id, b"<html><script>alert(1)</script></html>").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("JPG"), "the error says which formats work");
    let r = staff.get(&format!("/people/{id}/photo.jpg")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nothing stored");

    // A tiny PNG that claims an 11,000 × 11,000 canvas is refused before it is allocated.
    let r = upload_photo(
        &mut staff,
        id,
        &yinyao::images::png_claiming(11_000, 11_000),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("图片像素太多"), "{}", r.body);
    let r = upload_photo(&mut staff, id, &jpeg_with_marker("GPS 31.2304N 121.4737E")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = staff.get(&format!("/people/{id}")).await;
    assert!(page.body.contains(&format!("/people/{id}/photo.jpg")));
    let r = staff.get(&format!("/people/{id}/photo.jpg")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(
        r.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let stored: Vec<u8> = {
        let mut tx = app.db().read().await.unwrap();
        yinyao::on_tx!(&mut tx, c => sqlx::query_scalar("SELECT jpeg FROM person_photos WHERE person_id = $1")
            .bind(id).fetch_one(c).await)
        .unwrap()
    };
    assert_eq!(&stored[..2], &[0xFF, 0xD8]);
    let found = stored.windows(3).any(|w| w == b"GPS");
    assert!(!found, "camera metadata is not kept");
    let img = image::load_from_memory(&stored).unwrap();
    assert_eq!((img.width(), img.height()), (480, 640), "shrunk to fit");
    assert_eq!(audit_count(&app, "person.photo_set").await, 1);

    let mut sibling = fixtures::user_client(&app, "staff_b", c.town_b, UnitRole::Staff).await;
    assert_eq!(
        sibling.get(&format!("/people/{id}/photo.jpg")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sibling
            .json("GET", &format!("/api/v1/people/{id}/photo"), json!(null))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = upload_photo(&mut sibling, id, &jpeg_with_marker("x")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = staff.post(&format!("/people/{id}/photo/delete"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        staff.get(&format!("/people/{id}/photo.jpg")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(audit_count(&app, "person.photo_remove").await, 1);
}

#[tokio::test]
async fn mobile_members_link_to_an_online_branch() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let branch = {
        let mut tx = app.db().write().await.unwrap();
        let county_id = c.county;
        let parent: yinyao::units::Unit =
            yinyao::on_tx!(&mut tx, conn => sqlx::query_as("SELECT * FROM units WHERE id = $1")
            .bind(county_id).fetch_one(conn).await)
            .unwrap();
        let b = yinyao::units::bulk::insert(
            &mut tx,
            Some(&parent),
            "清江县流动党员网络党支部",
            UnitKind::OnlineBranch,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        b.id.0
    };
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let body = |cats: serde_json::Value, b: i64| json!({ "unit_id": c.village_a, "name": "孙志强", "categories": cats, "online_branch_id": b });
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            body(json!(["party_member"]), branch),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("online_branch_id"));
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            body(json!(["mobile_member"]), c.town_b),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a town is no branch"
    );
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            body(json!(["mobile_member"]), branch),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let file = staff
        .json("GET", &format!("/api/v1/people/{id}"), json!(null))
        .await
        .json();
    assert_eq!(file["online_branch_id"], branch);
    let page = staff.get(&format!("/people/{id}")).await;
    assert_eq!(
        page.element_text("online-branch").as_deref(),
        Some("清江县流动党员网络党支部")
    );
    let form = staff.get(&format!("/people/{id}/edit")).await;
    assert!(form.body.contains(&format!("value=\"{branch}\" selected")));
}

#[tokio::test]
async fn a_plan_without_its_own_interval_takes_the_units_tier_interval() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let mut rules = admin
        .json(
            "GET",
            &format!("/api/v1/units/{}/care-rules", c.town_a),
            json!(null),
        )
        .await
        .json();
    rules["key_days"] = json!(14);
    let r = admin
        .json(
            "PUT",
            &format!("/api/v1/units/{}/care-rules", c.town_a),
            rules,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let here = person(&mut admin, c.village_a, "钱文华").await;
    let there = person(&mut admin, c.village_b, "吴桂芳").await;
    for (id, want) in [(here, 14), (there, 30)] {
        let r = admin
            .json(
                "PUT",
                &format!("/api/v1/people/{id}/care-plan"),
                json!({ "tier": "key" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["interval_days"], want);
    }
    let page = admin.get(&format!("/people/{here}")).await;
    assert!(
        page.body.contains("(14 天)"),
        "the form shows the unit's interval"
    );
}
