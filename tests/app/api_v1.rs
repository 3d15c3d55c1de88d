//! The JSON API called for real: accounts, grants, the audit trail and unit deactivation,
//! each kept to the caller's scope (a sibling town is 404).

use crate::fixtures::{self, county};
use crate::helpers::{TestApp, bearer};
use axum::http::StatusCode;
use serde_json::{Value, json};
use yinyao::accounts::model::{PlatformRole, UnitRole};

fn usernames(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|a| a["username"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn accounts_are_created_and_listed_through_the_api_within_scope() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    fixtures::account(&app, "dong_clerk", Some(c.village_b), Some(UnitRole::Staff)).await;
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;

    let r = admin
        .json(
            "POST",
            "/api/v1/accounts",
            json!({ "username": "LiMing", "display_name": "李明", "phone": "139 0000 2222", "unit_id": c.village_a }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.json();
    assert_eq!(created["account"]["username"], "liming");
    assert_eq!(created["account"]["unit_id"], c.village_a);
    assert_eq!(created["account"]["unit_name"], "杨柳村");
    let otp = created["one_time_password"].as_str().unwrap().to_string();
    assert!(otp.len() >= 12);

    let r = admin
        .json(
            "POST",
            "/api/v1/accounts",
            json!({ "username": "zhao", "display_name": "赵", "unit_id": c.village_b }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a sibling town's unit");
    let r = admin
        .json(
            "POST",
            "/api/v1/accounts",
            json!({ "username": "9zhao", "display_name": "赵", "phone": "123", "unit_id": c.village_a }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.json();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"username") && fields.contains(&"phone"),
        "{fields:?}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE username IN ('zhao', '9zhao')")
            .await,
        0
    );

    let list = admin.json("GET", "/api/v1/accounts", json!(null)).await;
    assert_eq!(list.status, StatusCode::OK);
    let names = usernames(&list.json());
    assert!(names.contains(&"admin_a".into()) && names.contains(&"liming".into()));
    assert!(!names.contains(&"dong_clerk".into()), "{names:?}");
    let found = admin
        .json("GET", "/api/v1/accounts?q=%E6%9D%8E", json!(null))
        .await;
    assert_eq!(usernames(&found.json()), ["liming"]);

    // Staff may look but not create.
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff
        .json(
            "POST",
            "/api/v1/accounts",
            json!({ "username": "wang", "display_name": "王", "unit_id": c.village_a }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The new person logs in by mobile number with the one-time password and must change it.
    let mut li = app.client();
    li.get("/login").await;
    let r = li
        .post("/login", &[("login", "13900002222"), ("password", &otp)])
        .await;
    assert_eq!(r.location(), "/account/password");
}

#[tokio::test]
async fn grants_are_given_and_taken_back_through_the_api_within_scope() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let other =
        fixtures::account(&app, "dong_clerk", Some(c.village_b), Some(UnitRole::Staff)).await;
    let clerk = fixtures::account(&app, "yang_clerk", Some(c.village_a), None).await;
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;

    let grant = |account: i64, unit: i64, role: &str| json!({ "account_id": account, "unit_id": unit, "role": role });
    let r = admin
        .json(
            "POST",
            "/api/v1/grants",
            grant(clerk.0, c.village_a, "correspondent"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["role"], "correspondent");
    assert_eq!(r.json()["unit_name"], "杨柳村");
    let gid = r.json()["id"].as_i64().unwrap();

    let refused = [
        (
            grant(clerk.0, c.village_a, "correspondent"),
            StatusCode::CONFLICT,
        ),
        (grant(clerk.0, c.village_b, "staff"), StatusCode::NOT_FOUND),
        (grant(clerk.0, c.county, "staff"), StatusCode::NOT_FOUND),
        (grant(other.0, c.village_a, "staff"), StatusCode::NOT_FOUND),
        (
            grant(clerk.0, c.village_a, "emperor"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, status) in refused {
        let r = admin.json("POST", "/api/v1/grants", body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
    }
    let held = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM role_grants WHERE account_id = {} AND revoked_at IS NULL",
            clerk.0
        ))
        .await;
    assert_eq!(held, 1, "only the first grant was stored");

    // The role works at once: the clerk now sees the village.
    let mut yang = app.client();
    yang.login("yang_clerk", fixtures::PASSWORD).await;
    let seen = yang.json("GET", "/api/v1/units", json!(null)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json()[0]["id"], c.village_a);

    // A sibling town's grant cannot be revoked (or even confirmed to exist).
    let other_gid = app
        .scalar(&format!(
            "SELECT id FROM role_grants WHERE account_id = {}",
            other.0
        ))
        .await;
    let r = admin
        .json(
            "DELETE",
            &format!("/api/v1/grants/{other_gid}"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM role_grants WHERE id = {other_gid} AND revoked_at IS NULL"
        ))
        .await,
        1
    );

    let r = admin
        .json("DELETE", &format!("/api/v1/grants/{gid}"), json!(null))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = admin
        .json("DELETE", &format!("/api/v1/grants/{gid}"), json!(null))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "already revoked");
    let grants = admin
        .json(
            "GET",
            &format!("/api/v1/accounts/{}/grants", clerk.0),
            json!(null),
        )
        .await;
    assert!(grants.json().as_array().unwrap().is_empty());
    let r = yang.json("GET", "/api/v1/units", json!(null)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the role is gone at once");

    // A staff member's token cannot grant.
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let token = staff
        .json("POST", "/api/v1/tokens", json!({ "name": "t" }))
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = bearer(
        &app,
        "POST",
        "/api/v1/grants",
        &token,
        Some(grant(clerk.0, c.village_a, "staff")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn only_the_audit_admin_reads_the_audit_api() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let mut unit_admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let mut sys = fixtures::admin_client(&app, "sys", PlatformRole::System).await;
    let mut sec = fixtures::admin_client(&app, "sec", PlatformRole::Security).await;
    for (who, cl) in [
        ("staff_a", &mut staff),
        ("county_admin", &mut unit_admin),
        ("sys", &mut sys),
        ("sec", &mut sec),
    ] {
        let r = cl.json("GET", "/api/v1/audit", json!(null)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        assert!(r.json().get("entries").is_none(), "{who} sees no entries");
    }
    let token = unit_admin
        .json("POST", "/api/v1/tokens", json!({ "name": "t" }))
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = bearer(&app, "GET", "/api/v1/audit", &token, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut aud = fixtures::admin_client(&app, "aud", PlatformRole::Audit).await;
    let r = aud.json("GET", "/api/v1/audit", json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["total"].as_i64().unwrap() > 5);
    // The refused reads are themselves in the trail, with who tried.
    let r = aud
        .json("GET", "/api/v1/audit?action=access.denied", json!(null))
        .await;
    let body = r.json();
    let who: Vec<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == "GET /api/v1/audit")
        .map(|e| e["actor_name"].as_str().unwrap())
        .collect();
    for name in ["staff_a", "county_admin", "sys", "sec"] {
        assert!(who.contains(&name), "{name} refused and recorded: {who:?}");
    }
}

#[tokio::test]
async fn units_are_deactivated_through_the_api_within_scope() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    let r = admin
        .json(
            "POST",
            "/api/v1/units",
            json!({ "parent_id": c.village_a, "name": "杨柳村党支部", "kind": "party_branch" }),
        )
        .await;
    let branch = r.json()["id"].as_i64().unwrap();

    for unit in [c.village_b, c.town_b, c.county] {
        let r = admin
            .json(
                "POST",
                &format!("/api/v1/units/{unit}/deactivate"),
                json!(null),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "unit {unit}");
        assert!(!r.body.contains("桃源村") && !r.body.contains("东湖镇"));
    }
    let r = admin
        .json(
            "POST",
            &format!("/api/v1/units/{}/deactivate", c.town_a),
            json!(null),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "not the unit one administers"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM units WHERE active = TRUE")
            .await,
        7,
        "nothing deactivated yet"
    );

    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/units/{}/deactivate", c.village_a),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = admin
        .json(
            "POST",
            &format!("/api/v1/units/{}/deactivate", c.village_a),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["deactivated"], 2, "the village and its branch");
    let listed = admin.json("GET", "/api/v1/units", json!(null)).await.json();
    let ids: Vec<i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [c.town_a]);
    let all = admin
        .json("GET", "/api/v1/units?include_inactive=true", json!(null))
        .await
        .json();
    let inactive: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["active"] == false)
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(inactive, [c.village_a, branch], "kept, never deleted");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM units WHERE id = {} AND active = TRUE",
            c.village_b
        ))
        .await,
        1,
        "the sibling town's village is untouched"
    );
}
