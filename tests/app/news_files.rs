//! Attachments: checked by content, kept out of sight until the article is public, served
//! with their type and byte ranges, and a cover for the share preview.

use crate::fixtures::{self, county};
use crate::helpers::{Client, TestApp};
use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::json;
use yinyao::accounts::model::UnitRole;

async fn upload(c: &mut Client<'_>, article: i64, name: &str, data: &[u8]) -> crate::helpers::Resp {
    let boundary = "yinyaoFileBoundary";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend(data);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = c
        .request(
            "POST",
            &format!("/news/{article}/attachments?csrf={}", c.csrf),
        )
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, "http://localhost")
        .body(Body::from(body))
        .unwrap();
    c.app.send(req).await
}

/// A county admin and a town editor with a draft `title` in a new one-step column `column`
/// of the county: (county, admin, editor, article).
async fn draft<'a>(
    app: &'a TestApp,
    column: &str,
    title: &str,
) -> (fixtures::County, Client<'a>, Client<'a>, i64) {
    let c = county(app).await;
    let mut admin = fixtures::user_client(app, "admin", c.county, UnitRole::UnitAdmin).await;
    let col = fixtures::one_step_column(&mut admin, c.county, column).await;
    let mut editor = fixtures::user_client(app, "editor", c.town_a, UnitRole::Editor).await;
    let id = editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": title, "body": "展出作品一百余件。" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    (c, admin, editor, id)
}

#[tokio::test]
async fn attachments_are_checked_hidden_until_published_and_served_with_ranges() {
    let app = TestApp::with_uploads().await;
    let dir = app.state.config.upload_dir.clone().expect("upload dir");
    let (c, mut admin, mut editor, id) = draft(&app, "图片新闻", "老年书画展开幕").await;

    let r = upload(
        &mut editor,
        id,
        "bomb.png",
        &yinyao::images::png_claiming(11_000, 11_000),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("图片像素太多"), "{}", r.body);
    let r = upload(
        &mut editor,
        id,
        "photo.jpg",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a page named .jpg is no image"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing left behind"
    );
    let image = fixtures::png();
    let r = upload(&mut editor, id, "展览.png", &image).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = editor.get(&format!("/news/{id}")).await;
    let file: i64 = page
        .body
        .split("/files/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("the file is listed");
    let r = editor
        .post(&format!("/news/{id}/attachments/{file}/cover"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let r = editor.get(&format!("/files/{file}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/png");
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let served = image::load_from_memory(&r.bytes).unwrap();
    assert_eq!((served.width(), served.height()), (64, 48));

    // A camera photo's metadata is not kept.
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::new(40, 30))
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    let plain = jpeg.into_inner();
    let marker = b"GPS 31.2304N 121.4737E";
    let mut tagged = vec![0xFF, 0xD8, 0xFF, 0xFE];
    tagged.extend(((marker.len() + 2) as u16).to_be_bytes());
    tagged.extend(marker);
    tagged.extend(&plain[2..]);
    let r = upload(&mut editor, id, "camera.jpg", &tagged).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let stored: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(stored.len(), 2);
    assert!(
        stored.iter().all(|b| !b.windows(3).any(|w| w == b"GPS")),
        "no camera metadata kept"
    );
    let mut anon = app.client();
    assert_eq!(
        anon.get(&format!("/files/{file}")).await.status,
        StatusCode::NOT_FOUND,
        "a draft's file"
    );
    let mut sibling = fixtures::user_client(&app, "ed_b", c.town_b, UnitRole::Editor).await;
    assert_eq!(
        sibling.get(&format!("/files/{file}")).await.status,
        StatusCode::NOT_FOUND
    );

    editor
        .json(
            "POST",
            &format!("/api/v1/articles/{id}/decision"),
            json!({ "action": "submit" }),
        )
        .await;
    let r = upload(&mut editor, id, "more.png", &image).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no changes under review"
    );
    admin
        .json(
            "POST",
            &format!("/api/v1/articles/{id}/decision"),
            json!({ "action": "approve" }),
        )
        .await;

    let r = anon.get(&format!("/files/{file}")).await;
    assert_eq!(r.status, StatusCode::OK, "public once published");
    let req = anon
        .request("GET", &format!("/files/{file}"))
        .header(header::RANGE, "bytes=0-7")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.bytes, image[..8].to_vec());
    let page = anon.get(&format!("/read/{id}")).await;
    assert!(page.body.contains(&format!(
        "og:image\" content=\"http://localhost/files/{file}\""
    )));
    assert!(page.body.contains("id=\"cover\""));
}

/// Each kind has its own limit (images 10 MB, audio 50 MB, video 200 MB): a file over its
/// kind's limit is refused with the limits named and leaves nothing behind, and a recording
/// larger than a roster upload still gets through the server's overall body limit.
#[tokio::test]
async fn uploads_are_held_to_their_kind_s_size_limit() {
    let app = TestApp::with_uploads().await;
    let dir = app.state.config.upload_dir.clone().expect("upload dir");
    let (_, _, mut editor, id) = draft(&app, "视频新闻", "老年合唱团演出").await;
    let padded = |head: &[u8], size: usize| {
        let mut v = head.to_vec();
        v.resize(size, 0);
        v
    };

    let image = padded(&fixtures::png(), (10 << 20) + 1);
    let r = upload(&mut editor, id, "大图.png", &image).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("10 MB"), "{}", r.body);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing left behind"
    );

    // An MP4 of 40 MB: over the 34 MB a roster may have, within video's 200 MB.
    let mp4_head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom";
    let video = padded(mp4_head, 40 << 20);
    let r = upload(&mut editor, id, "演出.mp4", &video).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let files = editor
        .json(
            "GET",
            &format!("/api/v1/articles/{id}/attachments"),
            json!(null),
        )
        .await
        .json();
    assert_eq!(files["files"][0]["kind"], "video", "{files}");
    assert_eq!(files["files"][0]["size_bytes"], 40 << 20);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}
