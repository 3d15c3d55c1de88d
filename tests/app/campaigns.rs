//! Essay campaigns: submissions with consent in the window, blind judging, ranking after
//! close, chosen works through review into the column and the works library.

use crate::fixtures::{self, County, county};
use crate::helpers::{Client, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

#[tokio::test]
async fn a_campaign_runs_from_call_to_library_with_blind_judging() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "银龄风采").await;
    fixtures::account(&app, "judge1", Some(c.county), Some(UnitRole::Member)).await;
    fixtures::account(&app, "judge2", Some(c.county), Some(UnitRole::Member)).await;
    let today = chrono::Utc::now().date_naive();
    let call = |judges: &str| {
        json!({ "unit_id": c.town_a, "column_id": col, "title": "重阳征文", "theme": "我的晚年生活",
                "opens_on": (today - chrono::Duration::days(1)).to_string(),
                "closes_on": (today + chrono::Duration::days(10)).to_string(), "judges": judges })
    };
    let r = admin
        .json("POST", "/api/v1/campaigns", call("judge1, nobody"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown judge");
    let r = admin
        .json("POST", "/api/v1/campaigns", call("judge1, judge2"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();

    let mut poet = fixtures::user_client(&app, "poet", c.village_a, UnitRole::Member).await;
    let work = |title: &str, consent: bool| json!({ "kind": "poem", "title": title, "body": "九月九日望乡台", "consent": consent });
    let r = poet
        .json(
            "POST",
            &format!("/api/v1/campaigns/{id}/works"),
            work("无同意", false),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "consent is required"
    );
    let first = poet
        .json(
            "POST",
            &format!("/api/v1/campaigns/{id}/works"),
            work("登高", true),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = poet
        .post(
            &format!("/campaigns/{id}/works"),
            &[
                ("kind", "essay"),
                ("title", "晚晴"),
                ("body", "夕阳无限好"),
                ("consent", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut outsider = fixtures::user_client(&app, "outsider", c.village_b, UnitRole::Member).await;
    let r = outsider
        .json(
            "POST",
            &format!("/api/v1/campaigns/{id}/works"),
            work("外镇", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not open to another town");

    // The poet adds a photo of the manuscript; it travels with the work.
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::new(20, 20))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let boundary = "yinyaoWorkFile";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"poet-manuscript.png\"\r\n\r\n").as_bytes());
    body.extend(png.into_inner());
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = poet
        .request("POST", &format!("/works/{first}/files?csrf={}", poet.csrf))
        .header(
            axum::http::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header(axum::http::header::ORIGIN, "http://localhost")
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Judges see the works without their authors, and score them.
    let mut j1 = app.client();
    j1.login("judge1", crate::fixtures::PASSWORD).await;
    let list = j1
        .json(
            "GET",
            &format!("/api/v1/campaigns/{id}/judging"),
            json!(null),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json().as_array().unwrap().len(), 2);
    assert!(
        !list.body.contains("poet")
            && !list.body.contains("杨柳村")
            && !list.body.contains("author")
    );
    let page = j1.get(&format!("/campaigns/{id}/judging")).await;
    let file: i64 = page
        .body
        .split("/files/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("the judge sees the file");
    let r = j1.get(&format!("/files/{file}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("poet"),
        "no author in the file name"
    );
    assert_eq!(
        outsider.get(&format!("/files/{file}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!page.body.contains("poet"), "the page is blind too");
    assert_eq!(
        j1.json(
            "PUT",
            &format!("/api/v1/works/{first}/score"),
            json!({ "score": 101 })
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        j1.json(
            "PUT",
            &format!("/api/v1/works/{first}/score"),
            json!({ "score": 90, "comment": "意境好" })
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let mut j2 = app.client();
    j2.login("judge2", crate::fixtures::PASSWORD).await;
    j2.json(
        "PUT",
        &format!("/api/v1/works/{first}/score"),
        json!({ "score": 80 }),
    )
    .await;
    assert_eq!(
        poet.json(
            "PUT",
            &format!("/api/v1/works/{first}/score"),
            json!({ "score": 100 })
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "authors are no judges"
    );

    // No ranking while open; after closing, authors and averages for the organiser.
    assert_eq!(
        admin
            .json(
                "GET",
                &format!("/api/v1/campaigns/{id}/ranking"),
                json!(null)
            )
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        admin
            .post(&format!("/campaigns/{id}/close"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let r = poet
        .json(
            "POST",
            &format!("/api/v1/campaigns/{id}/works"),
            work("迟到", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "closed");
    assert_eq!(
        admin
            .json(
                "GET",
                &format!("/api/v1/campaigns/{id}/ranking"),
                json!(null)
            )
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no ranking while judges score"
    );
    assert_eq!(
        j2.json(
            "PUT",
            &format!("/api/v1/works/{first}/score"),
            json!({ "score": 80 })
        )
        .await
        .status,
        StatusCode::NO_CONTENT,
        "judges score after submissions close"
    );
    assert_eq!(
        admin
            .post(&format!("/campaigns/{id}/finish"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        j2.json(
            "PUT",
            &format!("/api/v1/works/{first}/score"),
            json!({ "score": 10 })
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "scores are final"
    );
    let ranking = admin
        .json(
            "GET",
            &format!("/api/v1/campaigns/{id}/ranking"),
            json!(null),
        )
        .await
        .json();
    assert_eq!(ranking[0]["id"], first);
    assert_eq!(ranking[0]["average"], 85.0);
    assert_eq!(ranking[0]["author_name"], "poet");

    // Chosen: an article goes to review; once published it is in the library.
    let r = admin
        .post(&format!("/works/{first}/decision"), &[("action", "choose")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let ranking = admin
        .json(
            "GET",
            &format!("/api/v1/campaigns/{id}/ranking"),
            json!(null),
        )
        .await
        .json();
    let article = ranking[0]["article_id"].as_i64().expect("an article");
    let a = admin
        .json("GET", &format!("/api/v1/articles/{article}"), json!(null))
        .await
        .json();
    assert_eq!(a["state"], "submitted");
    assert_eq!(a["column_id"], col);
    let mut public = app.client();
    assert!(!public.get("/read/works").await.body.contains("登高"));
    let r = admin
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/decision"),
            json!({ "action": "approve" }),
        )
        .await;
    assert_eq!(r.json()["state"], "published", "{}", r.body);
    assert!(public.get("/read/works").await.body.contains("登高"));
    assert_eq!(
        public.get(&format!("/files/{file}")).await.status,
        StatusCode::OK,
        "the file went with the work"
    );
    let c = admin
        .json("GET", "/api/v1/campaigns", json!(null))
        .await
        .json();
    assert_eq!(
        (c[0]["received"].as_i64(), c[0]["published"].as_i64()),
        (Some(2), Some(1))
    );
}

#[tokio::test]
async fn members_offer_works_to_the_library_and_editors_take_them_into_review() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut admin = fixtures::user_client(&app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "作品选登").await;
    let mut poet = fixtures::user_client(&app, "poet", c.village_a, UnitRole::Member).await;
    let r = poet
        .post(
            "/works/contribute",
            &[
                ("kind", "poem"),
                ("title", "秋思"),
                ("body", "枯藤老树昏鸦"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "consent is required"
    );
    let r = poet
        .post(
            "/works/contribute",
            &[
                ("kind", "poem"),
                ("title", "秋思"),
                ("body", "枯藤老树昏鸦"),
                ("consent", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // An editor of another town neither sees nor takes it.
    let mut other = fixtures::user_client(&app, "ed_b", c.town_b, UnitRole::Editor).await;
    let page = other.get("/works/contribute").await;
    assert!(!page.body.contains("秋思"));
    let page = admin.get("/works/contribute").await;
    assert!(page.body.contains("秋思") && page.body.contains("id=\"contributions\""));
    let work: i64 = page
        .body
        .split("/works/")
        .filter_map(|s| s.split('/').next()?.parse().ok())
        .next()
        .expect("the work is listed");
    let r = other
        .post(
            &format!("/works/{work}/accept"),
            &[("column_id", &col.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = admin
        .post(
            &format!("/works/{work}/accept"),
            &[("column_id", &col.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let article: i64 = r.location().trim_start_matches("/news/").parse().unwrap();
    let mut public = app.client();
    assert!(
        !public.get("/read/works").await.body.contains("秋思"),
        "not before review"
    );
    let r = admin
        .json(
            "POST",
            &format!("/api/v1/articles/{article}/decision"),
            json!({ "action": "approve" }),
        )
        .await;
    assert_eq!(r.json()["state"], "published", "{}", r.body);
    assert!(public.get("/read/works").await.body.contains("秋思"));
}

/// The county tree, its admin's client, a one-step column of the county and a judge
/// (`judge1`).
async fn newsroom(app: &TestApp) -> (County, Client<'_>, i64) {
    let c = county(app).await;
    let mut admin = fixtures::user_client(app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, "银龄风采").await;
    fixtures::account(app, "judge1", Some(c.county), Some(UnitRole::Member)).await;
    (c, admin, col)
}

#[tokio::test]
async fn a_campaign_is_open_to_the_units_chosen_and_no_others() {
    let app = TestApp::new().await;
    let (c, mut admin, col) = newsroom(&app).await;
    let today = chrono::Utc::now().date_naive();
    let opens = (today - chrono::Duration::days(1)).to_string();
    let closes = (today + chrono::Duration::days(10)).to_string();
    let call = |open: serde_json::Value| {
        json!({ "unit_id": c.county, "open_unit_ids": open, "column_id": col, "title": "重阳征文",
                "theme": "我的晚年生活", "opens_on": opens, "closes_on": closes, "judges": "judge1" })
    };
    let before = app.scalar("SELECT COUNT(*) FROM campaigns").await;
    // Only the organising unit and units below it; the city is above the county.
    let r = admin
        .json("POST", "/api/v1/campaigns", call(json!([c.town_a, c.city])))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["fields"][0]["field"], "open_unit_ids");
    assert!(
        r.json()["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("主办单位"),
        "{}",
        r.body
    );
    let many: Vec<i64> = (1000..1051).collect();
    let r = admin
        .json("POST", "/api/v1/campaigns", call(json!(many)))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["fields"][0]["field"], "open_unit_ids");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM campaigns").await,
        before,
        "nothing is written on refusal"
    );

    // The call form sends the units of a multiple select as repeated fields.
    let (town_a, village_b, county_id, column) = (
        c.town_a.to_string(),
        c.village_b.to_string(),
        c.county.to_string(),
        col.to_string(),
    );
    let r = admin
        .post(
            "/campaigns",
            &[
                ("title", "重阳征文"),
                ("theme", "我的晚年生活"),
                ("unit_id", &county_id),
                ("open_unit_ids", &town_a),
                ("open_unit_ids", &village_b),
                ("column_id", &column),
                ("opens_on", &opens),
                ("closes_on", &closes),
                ("judges", "judge1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = app.scalar("SELECT MAX(id) FROM campaigns").await;
    let r = admin.get(&format!("/api/v1/campaigns/{id}")).await;
    let names: Vec<String> = r.json()["campaign"]["open_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["城关镇", "桃源村"], "{}", r.body);
    let page = admin.get(&format!("/campaigns/{id}")).await;
    assert!(page.body.contains("城关镇、桃源村"), "{}", page.body);
    // The list carries each campaign's open units too.
    let listed = admin.get("/api/v1/campaigns").await.json();
    let k = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .unwrap();
    assert_eq!(k["open_units"].as_array().unwrap().len(), 2, "{k}");
    assert_eq!(k["open_units"][1]["name"], "桃源村");

    let work =
        json!({ "kind": "poem", "title": "登高", "body": "九月九日望乡台", "consent": true });
    // Whether a member sees the campaign in their list, and what submitting answers.
    let try_member = async |name: &str, unit: i64| {
        let mut m = fixtures::user_client(&app, name, unit, UnitRole::Member).await;
        let listed = m
            .get("/api/v1/campaigns")
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["id"] == id);
        let r = m
            .json(
                "POST",
                &format!("/api/v1/campaigns/{id}/works"),
                work.clone(),
            )
            .await;
        (listed, r.status)
    };
    // A member below an open unit, and one at an open unit, may submit.
    assert_eq!(
        try_member("poet_a", c.village_a).await,
        (true, StatusCode::CREATED)
    );
    assert_eq!(
        try_member("poet_b", c.village_b).await,
        (true, StatusCode::CREATED)
    );
    // Town B holds village B but is not itself open: its member neither sees nor submits.
    assert_eq!(
        try_member("town_b", c.town_b).await,
        (false, StatusCode::NOT_FOUND)
    );
    // Staff at the organising unit who do not run news do not see it either.
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let listed = staff.get("/api/v1/campaigns").await.json();
    assert!(
        !listed.as_array().unwrap().iter().any(|k| k["id"] == id),
        "{listed}"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM works WHERE campaign_id = {id}"
        ))
        .await,
        2
    );

    // Without a choice the campaign is open to the organising unit's whole subtree.
    let r = admin
        .json("POST", "/api/v1/campaigns", call(json!([])))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let whole = r.json()["id"].as_i64().unwrap();
    let mut other = app.client();
    other.login("town_b", fixtures::PASSWORD).await;
    let r = other
        .json("POST", &format!("/api/v1/campaigns/{whole}/works"), work)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn organisers_change_an_open_call_and_nobody_else_can() {
    let app = TestApp::new().await;
    let (c, mut admin, col) = newsroom(&app).await;
    let today = chrono::Utc::now().date_naive();
    let day = |d: i64| (today + chrono::Duration::days(d)).to_string();
    let r = admin
        .json(
            "POST",
            "/api/v1/campaigns",
            json!({ "unit_id": c.county, "open_unit_ids": [c.town_a], "column_id": col,
                    "title": "重阳征文", "theme": "我的晚年生活", "opens_on": day(-1),
                    "closes_on": day(5), "judges": "judge1" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/campaigns/{id}");
    let edit = |title: &str, closes: String, open: serde_json::Value| {
        json!({ "title": title, "theme": "我的晚年生活", "rules": "不超过两千字",
                "opens_on": day(-1), "closes_on": closes, "open_unit_ids": open })
    };

    // Bad input is refused and changes nothing.
    let r = admin
        .json("PUT", &path, edit("", day(-3), json!([c.city])))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<String> = r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    for f in ["title", "closes_on", "open_unit_ids"] {
        assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
    }
    let k = admin.get(&path).await.json();
    assert_eq!(k["campaign"]["title"], "重阳征文");
    assert_eq!(k["campaign"]["open_units"].as_array().unwrap().len(), 1);

    // A member may not change it; the organiser extends the deadline and opens town B too.
    let mut poet = fixtures::user_client(&app, "poet", c.village_a, UnitRole::Member).await;
    let r = poet
        .json("PUT", &path, edit("改名", day(20), json!([])))
        .await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
        "{}",
        r.status
    );
    // Nor may an editor of another town, through the API or the form.
    let mut editor_b = fixtures::user_client(&app, "editor_b", c.town_b, UnitRole::Editor).await;
    let r = editor_b
        .json("PUT", &path, edit("改名", day(20), json!([c.town_b])))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = editor_b
        .post(
            &format!("/campaigns/{id}/edit"),
            &[
                ("title", "改名"),
                ("theme", "x"),
                ("opens_on", &day(-1)),
                ("closes_on", &day(20)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = admin
        .json(
            "PUT",
            &path,
            edit("重阳征文（延期）", day(20), json!([c.town_a, c.town_b])),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let k = admin.get(&path).await.json();
    assert_eq!(k["campaign"]["title"], "重阳征文（延期）");
    assert_eq!(k["campaign"]["closes_on"], day(20));
    assert_eq!(k["campaign"]["rules"], "不超过两千字");
    assert_eq!(k["campaign"]["open_units"].as_array().unwrap().len(), 2);
    let mut east = fixtures::user_client(&app, "east", c.village_b, UnitRole::Member).await;
    let r = east
        .json(
            "POST",
            &format!("/api/v1/campaigns/{id}/works"),
            json!({ "kind": "poem", "title": "登高", "body": "九月九日望乡台", "consent": true }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "town B now takes part: {}",
        r.body
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.update' AND target = 'campaign:{id}'"
        ))
        .await,
        1
    );
    let detail = app
        .text(&format!(
            "SELECT detail FROM audit_log WHERE action = 'campaign.update' AND target = 'campaign:{id}'"
        ))
        .await;
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["before"]["title"], "重阳征文");
    assert_eq!(detail["before"]["closes_on"], day(5));
    assert_eq!(detail["after"]["title"], "重阳征文（延期）");
    assert_eq!(
        detail["after"]["open_unit_ids"],
        json!([c.town_a, c.town_b])
    );

    // The page form does the same; once submissions close the call stays as it is.
    let page = admin.get(&format!("/campaigns/{id}")).await;
    assert!(page.body.contains("id=\"edit-call\""), "{}", page.body);
    let (town_a, closes) = (c.town_a.to_string(), day(25));
    let r = admin
        .post(
            &format!("/campaigns/{id}/edit"),
            &[
                ("title", "重阳征文"),
                ("theme", "我的晚年生活"),
                ("opens_on", &day(-1)),
                ("closes_on", &closes),
                ("open_unit_ids", &town_a),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let k = admin.get(&path).await.json();
    assert_eq!(k["campaign"]["closes_on"], closes);
    assert_eq!(k["campaign"]["open_units"].as_array().unwrap().len(), 1);
    let r = admin
        .json("POST", &format!("/api/v1/campaigns/{id}/close"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = admin
        .json("PUT", &path, edit("太晚了", day(30), json!([])))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        admin.get(&path).await.json()["campaign"]["title"],
        "重阳征文"
    );
}
