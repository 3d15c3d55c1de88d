//! Units: scope on pages and API, create/rename/move/deactivate, escaping, validation.

use crate::fixtures::{self, county};
use crate::helpers::{TestApp, bearer};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

#[tokio::test]
async fn sibling_town_is_404_on_pages_and_api() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut a = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;

    let own = a.get(&format!("/units/{}", c.village_a)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("杨柳村"));

    let sibling = a.get(&format!("/units/{}", c.town_b)).await;
    assert_eq!(sibling.status, StatusCode::NOT_FOUND);
    assert!(
        !sibling.body.contains("东湖镇"),
        "a 404 must not leak the name"
    );
    let below_sibling = a.get(&format!("/units/{}", c.village_b)).await;
    assert_eq!(below_sibling.status, StatusCode::NOT_FOUND);
    let parent = a.get(&format!("/units/{}", c.county)).await;
    assert_eq!(
        parent.status,
        StatusCode::NOT_FOUND,
        "a role covers its subtree, not what is above"
    );

    let tree = a.get("/units").await;
    assert!(tree.body.contains("城关镇") && tree.body.contains("杨柳村"));
    assert!(!tree.body.contains("东湖镇") && !tree.body.contains("桃源村"));

    // The same through the API with a token made by this user.
    let page = a.post("/tokens", &[("name", "script")]).await;
    let token = page.element_text("new-token").expect("token shown once");
    let r = bearer(
        &app,
        "GET",
        &format!("/api/v1/units/{}", c.town_b),
        &token,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"], "not_found");
    let r = bearer(&app, "GET", "/api/v1/units", &token, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&c.town_a) && ids.contains(&c.village_a));
    assert!(!ids.contains(&c.town_b) && !ids.contains(&c.village_b) && !ids.contains(&c.county));

    // Refused looks are in the audit trail.
    let mut tx = app.db().read().await.unwrap();
    let f = yinyao::audit::Filter {
        action: Some("access.denied".into()),
        ..Default::default()
    };
    assert!(yinyao::audit::count(&mut tx, &f).await.unwrap() >= 4);
}

#[tokio::test]
async fn unit_admin_creates_renames_moves_and_deactivates_in_scope() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;

    let r = admin
        .post(
            "/units",
            &[
                ("parent_id", &c.town_a.to_string()),
                ("name", "  新华社区 "),
                ("kind", "village"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let new_id: i64 = r.location_id();
    // The unit's page says what was just done, once.
    let page = admin.get(r.location()).await;
    assert_eq!(page.element_text("flash").as_deref(), Some("已创建。"));
    let page = admin.get(&format!("/units/{new_id}")).await;
    assert!(page.element_text("flash").is_none());
    assert_eq!(page.element_text("unit-name").as_deref(), Some("新华社区"));

    // A unit below the new one, then move the new one (with its child) to town B.
    let r = admin
        .post(
            "/units",
            &[
                ("parent_id", &new_id.to_string()),
                ("name", "新华社区党支部"),
                ("kind", "party_branch"),
            ],
        )
        .await;
    let child_id: i64 = r.location_id();
    let r = admin
        .post(
            &format!("/units/{new_id}"),
            &[("parent_id", &c.town_b.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let api = admin
        .json("GET", &format!("/api/v1/units/{child_id}"), json!(null))
        .await
        .json();
    assert_eq!(
        api["path"],
        format!(
            "/{}/{}/{}/{}/{}/",
            c.city, c.county, c.town_b, new_id, child_id
        )
    );
    assert_eq!(api["depth"], 4);

    // Moving a unit under its own child is refused.
    let r = admin
        .json(
            "PATCH",
            &format!("/api/v1/units/{new_id}"),
            json!({ "parent_id": child_id }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["field"], "parent_id");

    let r = admin
        .json(
            "PATCH",
            &format!("/api/v1/units/{new_id}"),
            json!({ "name": "新华社区（改）" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["name"], "新华社区（改）");

    // One tap does not deactivate: it leads to a confirmation naming what is affected.
    let unit_page = admin.get(&format!("/units/{new_id}")).await;
    assert!(
        unit_page
            .body
            .contains(&format!("href=\"/units/{new_id}/deactivate\""))
    );
    assert!(
        !unit_page
            .body
            .contains(&format!("action=\"/units/{new_id}/deactivate\""))
    );
    let r = admin
        .post(&format!("/units/{new_id}/deactivate"), &[])
        .await;
    assert_eq!(
        r.location(),
        format!("/units/{new_id}/deactivate"),
        "unconfirmed"
    );
    let still = admin
        .json("GET", &format!("/api/v1/units/{new_id}"), json!(null))
        .await
        .json();
    assert_eq!(
        still["active"], true,
        "nothing changed without the confirmation"
    );
    let confirm = admin.get(&format!("/units/{new_id}/deactivate")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("id=\"impact-children\""));
    assert!(
        confirm.body.contains("新华社区党支部"),
        "the units below are named"
    );
    assert!(confirm.body.contains("name=\"confirm\""));
    let r = admin
        .post(
            &format!("/units/{new_id}/deactivate"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("/units/{new_id}?done=deactivated"));
    let child = admin
        .json("GET", &format!("/api/v1/units/{child_id}"), json!(null))
        .await
        .json();
    assert_eq!(child["active"], false, "the subtree follows");
    let tree = admin.get("/units").await;
    assert!(
        !tree.body.contains("新华社区党支部"),
        "deactivated units leave the tree"
    );
    let tree = admin.get("/units?inactive=1").await;
    assert!(tree.body.contains("新华社区党支部"), "but are kept");

    // The branch cannot come back while its parent is deactivated; the parent can, with it.
    let r = admin
        .post(&format!("/units/{child_id}/reactivate"), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("上级单位已停用"));
    let page = admin.get(&format!("/units/{new_id}")).await;
    assert!(
        page.body
            .contains(&format!("action=\"/units/{new_id}/reactivate\""))
    );
    let r = admin
        .post(&format!("/units/{new_id}/reactivate"), &[])
        .await;
    assert_eq!(r.location(), format!("/units/{new_id}?done=reactivated"));
    let child = admin
        .json("GET", &format!("/api/v1/units/{child_id}"), json!(null))
        .await
        .json();
    assert_eq!(child["active"], true, "the subtree comes back");
    let n = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'unit.reactivate' AND target = 'unit:{new_id}'"
        ))
        .await;
    assert_eq!(n, 1, "reactivation is audited");

    // A new unit's kind defaults to what fits under its parent: a village under a town.
    let town = admin.get(&format!("/units/{}", c.town_a)).await;
    assert!(
        town.body.contains("<option value=\"village\" selected>"),
        "village under a town"
    );

    // The confirmation counts the person files and accounts the subtree holds.
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "韩素梅" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The fixture writes accounts directly (no domain event): count everything afresh.
    let mut tx = app.db().write().await.unwrap();
    yinyao::outbox::rebuild_all(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    let confirm = admin.get(&format!("/units/{}/deactivate", c.town_a)).await;
    let figure = |id: &str| -> i64 {
        let at = confirm.body.find(&format!("id=\"{id}\"")).unwrap();
        let rest = &confirm.body[at..];
        let s = rest.find("<strong class=\"num\">").unwrap() + 20;
        rest[s..s + rest[s..].find('<').unwrap()].parse().unwrap()
    };
    assert_eq!(figure("impact-people"), 1);
    assert_eq!(figure("impact-accounts"), 1, "staff_a");

    // Each change is audited with before and after.
    let mut tx = app.db().read().await.unwrap();
    let f = yinyao::audit::Filter {
        action: Some("unit.update".into()),
        ..Default::default()
    };
    let entries = yinyao::audit::search(&mut tx, &f, 10, 0).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.detail.contains("\"before\"") && e.detail.contains("新华社区（改）"))
    );
}

#[tokio::test]
async fn staff_cannot_manage_units_and_admin_cannot_reach_outside_subtree() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff
        .post(
            "/units",
            &[
                ("parent_id", &c.town_a.to_string()),
                ("name", "x"),
                ("kind", "village"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut admin_a = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
    let r = admin_a
        .post(
            "/units",
            &[
                ("parent_id", &c.town_b.to_string()),
                ("name", "x"),
                ("kind", "village"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = admin_a
        .post(
            &format!("/units/{}", c.village_a),
            &[("parent_id", &c.town_b.to_string())],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "cannot move a unit out of one's subtree"
    );
    let r = admin_a
        .post(&format!("/units/{}/deactivate", c.town_b), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unit_names_are_escaped() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let evil = "<script>alert(1)</script>";
    let r = admin
        .post(
            "/units",
            &[
                ("parent_id", &c.county.to_string()),
                ("name", evil),
                ("kind", "town"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for path in ["/units".to_string(), r.location().to_string()] {
        let page = admin.get(&path).await;
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path} shows the name escaped"
        );
        assert!(
            !page.body.contains(evil),
            "{path} must not contain the raw script"
        );
    }
}

#[tokio::test]
async fn api_validation_errors_name_fields_in_the_users_language() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin =
        fixtures::user_client(&app, "county_admin", c.county, UnitRole::UnitAdmin).await;
    let r = admin
        .json(
            "POST",
            "/api/v1/units",
            json!({ "parent_id": c.county, "name": "  ", "kind": "planet" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    let fields: Vec<&str> = j["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "kind"]);
    assert!(j["message"].as_str().unwrap().contains("填写的内容有误"));

    admin.extra.push(("accept-language", "en".into()));
    let r = admin
        .json(
            "POST",
            "/api/v1/units",
            json!({ "parent_id": c.county, "name": "", "kind": "town" }),
        )
        .await;
    // The account's remembered language (zh-CN) wins over the browser header once logged in.
    assert!(r.json()["message"].as_str().unwrap().contains("填写"));
    admin.post("/prefs", &[("locale", "en")]).await;
    let r = admin
        .json(
            "POST",
            "/api/v1/units",
            json!({ "parent_id": c.county, "name": "", "kind": "town" }),
        )
        .await;
    assert_eq!(
        r.json()["fields"][0]["message"],
        "A unit name of 1 to 60 characters."
    );

    // Nothing was written by the refused requests.
    let list = admin.json("GET", "/api/v1/units", json!(null)).await.json();
    assert_eq!(list.as_array().unwrap().len(), 5);
}
