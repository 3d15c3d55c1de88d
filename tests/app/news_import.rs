//! Article import: scraped files become drafts, repaired, with the original kept and every
//! repair reported.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;

#[tokio::test]
async fn scraped_files_become_repaired_drafts_with_the_original_kept() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut editor = fixtures::user_client(&app, "editor", c.county, UnitRole::Editor).await;
    let r = editor
        .json(
            "POST",
            "/api/v1/columns",
            json!({ "unit_id": c.county, "name": "转载", "kind": "column" }),
        )
        .await;
    let col = r.json()["id"].as_i64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("01.txt"),
        "县老幹部局召開會(huì)議\n\n會(huì)議強調,,要做好設(shè)計工作，。\n（资料图）\n关键词：\n[举报]\n老人们\u{FFFD}\u{FFFD}很满意。\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("02.html"),
        "<html><head><title>页面标题</title></head><body><h1>重阳节敬老活动</h1>\n    <p>活动现场:大家很开心!</p>\n    <p>举报</p><script>alert(1)</script><p>老人们&amp;志愿者合影。</p></body></html>",
    )
    .unwrap();
    std::fs::write(dir.path().join("03.txt"), "\n\n").unwrap();
    // An older site's page in GBK, not UTF-8.
    let (gbk, _, bad) =
        encoding_rs::GBK.encode("敬老院新春慰问\n\n社区干部为老人送去年货.大家很高兴.\n");
    assert!(!bad);
    std::fs::write(dir.path().join("04.txt"), &gbk).unwrap();
    // The same with a last character cut in half: still read as GBK, the rest marked.
    let mut cut = gbk.to_vec();
    cut.extend_from_slice(&encoding_rs::GBK.encode("好").0[..1]);
    std::fs::write(dir.path().join("05.txt"), &cut).unwrap();
    std::fs::write(dir.path().join("notes.doc"), "ignored").unwrap();
    // Too large to be an article: reported, not read.
    let big = std::fs::File::create(dir.path().join("06.txt")).unwrap();
    big.set_len(yinyao::news::import::MAX_ARTICLE_FILE_BYTES + 1)
        .unwrap();

    let results = yinyao::cli::import_articles::import_dir(app.db(), dir.path(), col, None)
        .await
        .unwrap();
    assert_eq!(results.len(), 6, "only .txt and .html files");
    assert!(results[5].article.is_none());
    assert!(
        results[5]
            .problem
            .as_deref()
            .unwrap()
            .contains("larger than 4 MB"),
        "{:?}",
        results[5].problem
    );
    let first = &results[0];
    let id = first.article.expect("imported");
    assert_eq!(first.title, "县老幹部局召開會議");
    let kinds: Vec<&str> = first.repairs.iter().map(|r| r.kind.as_str()).collect();
    for k in [
        "pinyin_gloss",
        "doubled_punctuation",
        "halfwidth_punctuation",
        "page_furniture",
        "replacement_chars",
    ] {
        assert!(kinds.contains(&k), "{k} reported: {kinds:?}");
    }
    assert!(results[2].article.is_none() && results[2].problem.is_some());

    let a = editor
        .json("GET", &format!("/api/v1/articles/{id}"), json!(null))
        .await
        .json();
    assert_eq!(a["state"], "draft");
    let body = a["body_md"].as_str().unwrap();
    assert!(body.starts_with("會議強調，要做好設計工作。"), "{body}");
    assert!(!body.contains("资料图") && !body.contains("举报") && !body.contains("关键词"));
    assert!(body.contains(yinyao::news::repair::CHECK_MARK));
    let page = editor.get(&format!("/news/{id}")).await;
    assert!(page.body.contains("id=\"import-report\""));
    assert!(
        page.body.contains("會(huì)議強調,,"),
        "the original is kept"
    );
    let origin = editor
        .json(
            "GET",
            &format!("/api/v1/articles/{id}/import-origin"),
            json!(null),
        )
        .await;
    assert_eq!(origin.status, StatusCode::OK);
    let origin = origin.json();
    assert!(
        origin["original_text"]
            .as_str()
            .unwrap()
            .contains("會(huì)議強調,,")
    );
    let gloss = origin["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "pinyin_gloss")
        .expect("the report says what was repaired");
    assert!(gloss["count"].as_i64().unwrap() >= 2, "{gloss}");
    // A staff member of a sibling town does not see the draft, nor where it came from.
    let mut sibling = fixtures::user_client(&app, "ed_b", c.town_b, UnitRole::Editor).await;
    let r = sibling
        .json(
            "GET",
            &format!("/api/v1/articles/{id}/import-origin"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let html = results[1].article.expect("html imported");
    let a = editor
        .json("GET", &format!("/api/v1/articles/{html}"), json!(null))
        .await
        .json();
    assert_eq!(a["title"], "重阳节敬老活动");
    let shown = a["body_html"].as_str().unwrap();
    assert!(
        shown.contains("活动现场：大家很开心！") && !shown.contains("<script"),
        "{shown}"
    );
    assert!(
        !shown.contains("重阳节敬老活动"),
        "the heading is the title only: {shown}"
    );
    assert_eq!(
        a["body_md"], "活动现场：大家很开心！\n\n老人们&志愿者合影。",
        "an HTML page becomes plain paragraphs for the editor"
    );

    let gbk = &results[3];
    assert_eq!(gbk.title, "敬老院新春慰问");
    assert_eq!(gbk.repairs[0].kind, "decoded_gb18030");
    let a = editor
        .json(
            "GET",
            &format!("/api/v1/articles/{}", gbk.article.unwrap()),
            json!(null),
        )
        .await
        .json();
    assert_eq!(
        a["body_md"].as_str().unwrap().trim(),
        "社区干部为老人送去年货。大家很高兴。"
    );
    let cut = &results[4];
    assert_eq!(
        cut.title, "敬老院新春慰问",
        "a damaged GBK file is still GBK"
    );
    let kinds: Vec<&str> = cut.repairs.iter().map(|r| r.kind.as_str()).collect();
    assert!(
        kinds.contains(&"decoded_gb18030") && kinds.contains(&"replacement_chars"),
        "{kinds:?}"
    );

    // A column that does not exist imports nothing.
    assert!(
        yinyao::cli::import_articles::import_dir(app.db(), dir.path(), 9999, None)
            .await
            .is_err()
    );
    let list = editor.json("GET", "/api/v1/articles", json!(null)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json().as_array().unwrap().len(), 4);
    let written = editor
        .json(
            "POST",
            "/api/v1/articles",
            json!({ "column_id": col, "title": "本地撰写", "body": "正文" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = editor
        .json(
            "GET",
            &format!("/api/v1/articles/{written}/import-origin"),
            json!(null),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "written here, not imported"
    );
}

#[tokio::test]
async fn reposts_give_their_source_and_byline_and_a_provisional_title() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut editor = fixtures::user_client(&app, "editor", c.county, UnitRole::Editor).await;
    let col = editor
        .json(
            "POST",
            "/api/v1/columns",
            json!({ "unit_id": c.county, "name": "转载", "kind": "column" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Page furniture, a source line, the writer's name, then the text: no title line.
    std::fs::write(
        dir.path().join("太行山下的老党员.txt"),
        "(资料图)\n本文转自:人民日报客户端\n朱巨耀\n\n我的家乡在太行山下，那里的老党员们几十年如一日为乡亲们办实事。\n\n他们说，只要还走得动，就要为村里出力。\n",
    )
    .unwrap();
    // A byline set off by marks, then the text.
    std::fs::write(
        dir.path().join("忻州.txt"),
        "□ 忻州市委组织部副部长… 王志荣\n\n初冬时节，走进忻州的村落，处处可见老党员的身影。\n",
    )
    .unwrap();
    // Another mark, then a title line.
    std::fs::write(
        dir.path().join("宣讲.txt"),
        "〉〉〉〉〉 黄欢\n老干部宣讲团走进校园\n\n十月的一天，宣讲团来到第三中学。\n",
    )
    .unwrap();
    let results = yinyao::cli::import_articles::import_dir(app.db(), dir.path(), col, None)
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    let by_file = |f: &str| results.iter().find(|r| r.file.contains(f)).unwrap();
    let kinds = |r: &yinyao::news::import::Imported| -> Vec<String> {
        r.repairs.iter().map(|x| x.kind.clone()).collect()
    };

    let repost = by_file("太行山下");
    let id = repost.article.expect("imported, not refused");
    assert_eq!(repost.title, "太行山下的老党员", "the file name stands in");
    assert!(kinds(repost).contains(&"provisional_title".to_string()));
    assert!(kinds(repost).contains(&"page_furniture".to_string()));
    let a = editor
        .json("GET", &format!("/api/v1/articles/{id}"), json!(null))
        .await
        .json();
    assert_eq!(a["source"], "人民日报客户端");
    assert_eq!(a["byline"], "朱巨耀");
    let body = a["body_md"].as_str().unwrap();
    assert!(
        body.starts_with("我的家乡") && !body.contains("资料图") && !body.contains("朱巨耀"),
        "{body}"
    );

    let marked = by_file("忻州");
    assert_eq!(marked.title, "忻州");
    let a = editor
        .json(
            "GET",
            &format!("/api/v1/articles/{}", marked.article.unwrap()),
            json!(null),
        )
        .await
        .json();
    assert_eq!(a["byline"], "忻州市委组织部副部长… 王志荣");

    let titled = by_file("宣讲");
    assert_eq!(titled.title, "老干部宣讲团走进校园");
    assert!(!kinds(titled).contains(&"provisional_title".to_string()));
    let a = editor
        .json(
            "GET",
            &format!("/api/v1/articles/{}", titled.article.unwrap()),
            json!(null),
        )
        .await
        .json();
    assert_eq!(a["byline"], "黄欢");
    // The editor sees what to replace on the draft's page.
    let page = editor.get(&format!("/news/{id}")).await;
    assert!(
        page.body.contains("暂以文件名为标题"),
        "the provisional title is marked"
    );
    assert_eq!(page.status, StatusCode::OK);
}
