//! The video library: a recording of an event or a micro-lesson, a file uploaded (checked by
//! content) or a link, seen by the unit's subtree or by anyone when public; views counted once
//! per viewer and day, readers without an account too, and shown beside the attendance.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

/// The first bytes of an MP4 file (an `ftyp` box), enough for the content check.
fn mp4() -> Vec<u8> {
    let mut v = vec![0, 0, 0, 0x18];
    v.extend(b"ftypmp42\0\0\0\0mp42isom");
    v.extend(vec![0u8; 2048]);
    v
}

#[tokio::test]
async fn views_are_counted_once_a_day_per_viewer_and_videos_stay_in_their_subtree() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "a_staff", c.town_a, UnitRole::Staff).await;
    let mut a = fixtures::user_client(&app, "a_member", c.village_a, UnitRole::Member).await;
    let mut b = fixtures::user_client(&app, "b_member", c.town_b, UnitRole::Member).await;
    let r = staff
        .json(
            "POST",
            "/api/v1/videos",
            json!({ "unit_id": c.town_a, "title": "微党课：红色家书", "kind": "micro_lesson",
                    "url": "https://channels.weixin.qq.com/abc" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inside = r.json()["id"].as_i64().unwrap();
    for _ in 0..2 {
        let r = a
            .json("GET", &format!("/api/v1/videos/{inside}"), json!(null))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = staff
        .json("GET", &format!("/api/v1/videos/{inside}"), json!(null))
        .await;
    assert_eq!(r.json()["views"], 2, "two viewers, once each today");
    // Town B's member and a reader without an account do not see it.
    assert_eq!(
        b.get(&format!("/videos/{inside}")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut reader = app.client();
    assert_eq!(
        reader.get(&format!("/videos/{inside}")).await.status,
        StatusCode::NOT_FOUND
    );
    // A public one: a reader without an account counts once however often they come back.
    let r = staff
        .json(
            "POST",
            "/api/v1/videos",
            json!({ "unit_id": c.town_a, "title": "智能手机课第一讲", "kind": "micro_video",
                    "url": "https://v.qq.com/x/abc", "public": true }),
        )
        .await;
    let open = r.json()["id"].as_i64().unwrap();
    for _ in 0..3 {
        let r = reader.get(&format!("/videos/{open}")).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = b.get(&format!("/videos/{open}")).await;
    assert_eq!(r.element_text("video-views").as_deref(), Some("2"));
    let list = reader.get("/read/videos").await;
    assert!(list.body.contains("智能手机课第一讲") && !list.body.contains("红色家书"));
    // Nothing to watch: refused, nothing written.
    let r = staff
        .json(
            "POST",
            "/api/v1/videos",
            json!({ "unit_id": c.town_a, "title": "空", "kind": "micro_video" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM videos").await, 2);
    // Members do not add videos.
    let r = a
        .json(
            "POST",
            "/api/v1/videos",
            json!({ "unit_id": c.village_a, "title": "我的视频", "kind": "micro_video", "url": "https://x.cn/v" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn an_events_recording_is_uploaded_and_its_views_stand_beside_the_attendance() {
    let app = TestApp::with_uploads().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "county_staff", c.county, UnitRole::Staff).await;
    let starts = chrono::Utc::now() + chrono::Duration::days(2);
    let r = staff
        .json(
            "POST",
            "/api/v1/events",
            json!({ "unit_id": c.county, "title": "云课堂：防范养老诈骗", "kind": "class",
                    "starts_at": starts.to_rfc3339(),
                    "ends_at": (starts + chrono::Duration::hours(1)).to_rfc3339(),
                    "online_url": "https://meeting.tencent.com/dm/xyz" }),
        )
        .await;
    let event = r.json()["id"].as_i64().unwrap();
    // Not a video: refused by content, nothing kept.
    let r = staff
        .upload(
            "/videos",
            "a.mp4",
            &fixtures::png(),
            &[
                ("event_id", &event.to_string()),
                ("kind", "recording"),
                ("title", "录像"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM videos").await, 0);
    let r = staff
        .upload(
            "/videos",
            "lesson.mp4",
            &mp4(),
            &[
                ("event_id", &event.to_string()),
                ("kind", "recording"),
                ("title", "防范养老诈骗（录像）"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let video = r.location_id();
    let watch = staff.get(&format!("/videos/{video}")).await;
    assert_eq!(watch.status, StatusCode::OK);
    assert!(watch.body.contains(&format!("/videos/{video}/file")));
    let file = staff.get(&format!("/videos/{video}/file")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers["content-type"], "video/mp4");
    let page = staff.get(&format!("/events/{event}")).await;
    assert_eq!(page.element_text("fig-views").as_deref(), Some("1"));
    assert_eq!(page.element_text("fig-attended").as_deref(), Some("0"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'video.create'")
            .await,
        1
    );
}
