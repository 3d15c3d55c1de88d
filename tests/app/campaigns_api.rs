//! A campaign and a library contribution driven through the API alone: call, submissions
//! with a file, close, blind scores, finish, shortlist and choice, the public library.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

#[tokio::test]
async fn a_campaign_and_a_contribution_through_the_api() {
    let app = TestApp::with_uploads().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "银龄风采").await;
    let mut judge = fixtures::user_client(&app, "judge1", c.county, UnitRole::Member).await;
    let today = chrono::Utc::now().date_naive();
    let r = admin
        .json(
            "POST",
            "/api/v1/campaigns",
            json!({ "unit_id": c.town_a, "column_id": col, "title": "书法征集", "theme": "家风",
                    "opens_on": (today - chrono::Duration::days(1)).to_string(),
                    "closes_on": (today + chrono::Duration::days(10)).to_string(), "judges": "judge1" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();

    let mut poet = fixtures::user_client(&app, "poet", c.village_a, UnitRole::Member).await;
    let mut submit = async |title: &str| {
        let r = poet
            .json(
                "POST",
                &format!("/api/v1/campaigns/{id}/works"),
                json!({ "kind": "calligraphy", "title": title, "body": "耕读传家", "consent": true }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };
    let first = submit("家训一").await;
    let second = submit("家训二").await;
    let r = poet
        .upload(
            &format!("/api/v1/works/{second}/files"),
            "书法.png",
            &fixtures::png(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = poet
        .upload(
            &format!("/api/v1/works/{second}/files"),
            "bomb.png",
            &yinyao::images::png_claiming(11_000, 11_000),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("图片像素太多"), "{}", r.body);
    let r = poet
        .upload(
            &format!("/api/v1/works/{second}/files"),
            "说明.txt",
            b"plain text",
            &[],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "checked by content"
    );

    // What each one is to the campaign.
    let view = poet
        .json("GET", &format!("/api/v1/campaigns/{id}"), json!(null))
        .await
        .json();
    assert_eq!(
        (view["member_unit_id"].as_i64(), view["organiser"].as_bool()),
        (Some(c.village_a), Some(false))
    );
    let view = admin
        .json("GET", &format!("/api/v1/campaigns/{id}"), json!(null))
        .await
        .json();
    assert_eq!(view["organiser"], true);
    assert_eq!(view["campaign"]["received"], 2);
    let mut stranger = fixtures::user_client(&app, "stranger", c.village_b, UnitRole::Member).await;
    let r = stranger
        .json("GET", &format!("/api/v1/campaigns/{id}"), json!(null))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not open to town B");

    // Close, score, finish.
    let close = format!("/api/v1/campaigns/{id}/close");
    let r = poet.json("POST", &close, json!(null)).await;
    assert!(
        r.status.is_client_error(),
        "members do not close: {}",
        r.status
    );
    let r = admin.json("POST", &close, json!(null)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = poet
        .json(
            "POST",
            &format!("/api/v1/campaigns/{id}/works"),
            json!({ "kind": "poem", "title": "迟到", "body": "x", "consent": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "closed");
    for (work, score) in [(first, 70), (second, 90)] {
        let r = judge
            .json(
                "PUT",
                &format!("/api/v1/works/{work}/score"),
                json!({ "score": score }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    let decide = |work: i64| format!("/api/v1/works/{work}/decision");
    let r = admin
        .json("POST", &decide(second), json!({ "action": "choose" }))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not before judging ends"
    );
    let r = admin
        .json(
            "POST",
            &format!("/api/v1/campaigns/{id}/finish"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    // Shortlist one, choose the other.
    let r = admin
        .json("POST", &decide(first), json!({ "action": "publish" }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = poet
        .json("POST", &decide(first), json!({ "action": "choose" }))
        .await;
    assert!(
        r.status.is_client_error(),
        "authors do not choose: {}",
        r.status
    );
    let r = admin
        .json("POST", &decide(first), json!({ "action": "shortlist" }))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = admin
        .json("POST", &decide(second), json!({ "action": "choose" }))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let ranking = admin
        .json(
            "GET",
            &format!("/api/v1/campaigns/{id}/ranking"),
            json!(null),
        )
        .await
        .json();
    let states: Vec<(i64, &str)> = ranking
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["id"].as_i64().unwrap(), w["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, vec![(second, "chosen"), (first, "shortlisted")]);
    let article = ranking[0]["article_id"].as_i64().unwrap();
    // The author is told of each decision (the campaign result), in the inbox.
    fixtures::notify_all(&app).await;
    let inbox = poet
        .json("GET", "/api/v1/notifications", json!(null))
        .await
        .json();
    let results: Vec<(&str, &str)> = inbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "campaign_result")
        .map(|n| (n["subject"].as_str().unwrap(), n["note"].as_str().unwrap()))
        .collect();
    assert_eq!(results.len(), 2, "{inbox}");
    assert!(
        results
            .iter()
            .any(|(s, w)| s.starts_with("chosen/") && *w == "家训二"),
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .any(|(s, w)| s.starts_with("shortlisted/") && *w == "家训一"),
        "{results:?}"
    );
    let page = poet.get("/inbox").await;
    assert!(page.body.contains("您的作品入选"), "worded on the page");

    let mut public = app.client();
    let works = public
        .json("GET", "/api/v1/public/works", json!(null))
        .await;
    assert_eq!(
        works.json()["works"],
        json!([]),
        "not before it is published"
    );
    let r = admin
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/decision"),
            json!({ "action": "approve" }),
        )
        .await;
    assert_eq!(r.json()["state"], "published", "{}", r.body);
    let works = public
        .json("GET", "/api/v1/public/works", json!(null))
        .await
        .json();
    assert_eq!(works["works"][0]["title"], "家训二");
    assert_eq!(works["has_more"], false);

    // A member offers a work outside any campaign; an editor over their unit takes it in.
    let mut member = fixtures::user_client(&app, "member", c.village_a, UnitRole::Member).await;
    let offer = |consent: bool| json!({ "kind": "poem", "title": "晨练", "body": "太极拳打得好", "consent": consent });
    let r = member.json("POST", "/api/v1/works", offer(false)).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "consent is required"
    );
    let r = member.json("POST", "/api/v1/works", offer(true)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let offered = r.json()["id"].as_i64().unwrap();
    let mut editor = fixtures::user_client(&app, "editor", c.county, UnitRole::Editor).await;
    let list = editor
        .json("GET", "/api/v1/works/offered", json!(null))
        .await
        .json();
    assert_eq!(list[0]["id"], offered);
    let r = member
        .json("GET", "/api/v1/works/offered", json!(null))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = editor
        .json(
            "POST",
            &format!("/api/v1/works/{offered}/accept"),
            json!({ "column_id": col }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let taken = r.json()["id"].as_i64().unwrap();
    let a = editor
        .json("GET", &format!("/api/v1/articles/{taken}"), json!(null))
        .await
        .json();
    assert_eq!(
        (a["state"].as_str(), a["column_id"].as_i64()),
        (Some("submitted"), Some(col))
    );
}
