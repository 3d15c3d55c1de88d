//! Moving a database to the Chinese commercial suite (SM4-GCM, HMAC-SM3, an SM3 audit chain)
//! and a new key with `yinyao rekey`, while the server keeps reading: values under the old key
//! are read and found during the move, everything is under the new key after it, and the
//! audit chain verifies across the switch of hash.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::accounts::model::UnitRole;
use yinyao::crypto::Suite;

const ID: &str = "11010519491231002X";
const MOBILE: &str = "13812345678";

fn rekey_binary(app: &TestApp, new_key: &str, old_key: &str) -> (i32, String) {
    crate::helpers::run_binary(
        &app.url,
        new_key,
        &["rekey"],
        &[
            ("YINYAO_CRYPTO_SUITE", "sm"),
            ("YINYAO_PREVIOUS_FIELD_KEY", old_key),
            ("YINYAO_PREVIOUS_CRYPTO_SUITE", "aes"),
        ],
    )
}

#[tokio::test]
async fn a_database_moves_to_sm4_and_a_new_key_while_it_is_read() {
    let mut app = TestApp::new().await;
    let c = county(&app).await;
    let old_key = app.state.config.security.field_key.clone().unwrap();
    let new_key = yinyao::web::random_token(32);
    let (person, upload) = {
        let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
        let r = staff
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": c.village_a, "name": "张三", "id_number": ID, "mobile": MOBILE,
                        "address": "杨柳村 3 组", "health": "高血压" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let person = r.json()["id"].as_i64().unwrap();
        let mut admin = fixtures::user_client(&app, "admin_a", c.town_a, UnitRole::UnitAdmin).await;
        let r = admin
            .post(
                "/accounts",
                &[
                    ("username", "liming"),
                    ("display_name", "李明"),
                    ("phone", "13900001111"),
                    ("unit_id", &c.village_a.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let csv = "姓名,身份证号\n李四,110105195001011234\n";
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
        let upload = r
            .body
            .split("action=\"/people/import/")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap()
            .to_string();
        (person, upload)
    };

    // Every node restarts with the new key and suite, and the old key as the previous one.
    let (nk, ok) = (new_key.clone(), old_key.clone());
    app.reconfigure(move |cfg| {
        cfg.security.field_key = Some(nk);
        cfg.crypto.suite = Suite::Sm;
        cfg.crypto.previous_field_key = Some(ok);
        cfg.crypto.previous_suite = Suite::Aes;
    });
    let second = {
        let mut staff = app.client();
        staff.login("staff_a", fixtures::PASSWORD).await;
        let r = staff
            .json(
                "POST",
                &format!("/api/v1/people/{person}/reveal/id_number"),
                json!(null),
            )
            .await;
        assert_eq!(
            r.json()["value"],
            ID,
            "read under the old key during the move: {}",
            r.body
        );
        let r = staff
            .json("GET", &format!("/api/v1/people?q={ID}"), json!(null))
            .await;
        assert_eq!(
            r.json().as_array().unwrap().len(),
            1,
            "found by the old index: {}",
            r.body
        );
        let mut li = app.client();
        li.get("/login").await;
        let r = li
            .post(
                "/login",
                &[("login", "13900001111"), ("password", "wrong-Password-1")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "a refusal, not an error"
        );
        let r = staff
            .json(
                "POST",
                "/api/v1/people",
                json!({ "unit_id": c.village_a, "name": "王五", "mobile": "13700007777" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    };

    let (code, text) = rekey_binary(&app, &new_key, &old_key);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("1 person files, 1 staff mobiles, 1 kept uploads moved; 1 already current"),
        "{text}"
    );
    let (code, text) = rekey_binary(&app, &new_key, &old_key);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("0 person files, 0 staff mobiles, 0 kept uploads moved"),
        "{text}"
    );

    // The old key is gone from the configuration: everything still reads.
    let nk = new_key.clone();
    app.reconfigure(move |cfg| {
        cfg.security.field_key = Some(nk);
        cfg.crypto.suite = Suite::Sm;
        cfg.crypto.previous_field_key = None;
    });
    let mut staff = app.client();
    staff.login("staff_a", fixtures::PASSWORD).await;
    for (id, field, value) in [
        (person, "id_number", ID),
        (person, "mobile", MOBILE),
        (second, "mobile", "13700007777"),
    ] {
        let r = staff
            .json(
                "POST",
                &format!("/api/v1/people/{id}/reveal/{field}"),
                json!(null),
            )
            .await;
        assert_eq!(r.json()["value"], value, "{}", r.body);
    }
    let r = staff
        .json("GET", &format!("/api/v1/people?q={ID}"), json!(null))
        .await;
    assert_eq!(
        r.json().as_array().unwrap().len(),
        1,
        "found by the new index"
    );
    let r = staff
        .post(&format!("/people/import/{upload}/commit"), &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the kept upload opens under the new key: {}",
        r.body
    );
    let mut li = app.client();
    li.get("/login").await;
    let r = li
        .post(
            "/login",
            &[("login", "13900001111"), ("password", "wrong-Password-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.scalar("SELECT CAST(failed_logins AS BIGINT) FROM accounts WHERE username = 'liming'")
            .await,
        2,
        "the mobile found the account before and after the move"
    );

    // The chain switched to SM3 with the rekey's own entry, and verifies across the switch.
    assert_eq!(
        app.text("SELECT hash_algo FROM audit_head WHERE id = 1")
            .await,
        "sm3"
    );
    let newest = app
        .text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .await;
    assert!(newest.starts_with("sm3:"), "{newest}");
    let mut tx = app.db().read().await.unwrap();
    assert!(matches!(
        yinyao::audit::verify(&mut tx).await.unwrap(),
        yinyao::audit::chain::Verdict::Intact { .. }
    ));
}

/// A deployment that starts on the SM suite works like the default one.
#[tokio::test]
async fn a_new_deployment_on_the_sm_suite_encrypts_finds_and_reveals() {
    let app = TestApp::with_config(|cfg| cfg.crypto.suite = Suite::Sm).await;
    assert_eq!(app.state.crypto.suite(), Suite::Sm);
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let r = staff
        .json(
            "POST",
            "/api/v1/people",
            json!({ "unit_id": c.village_a, "name": "张三", "id_number": ID, "mobile": MOBILE }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let stored = app
        .text(&format!("SELECT id_number_enc FROM people WHERE id = {id}"))
        .await;
    assert!(
        yinyao::crypto::FieldCrypto::from_hex(
            app.state.config.security.field_key.as_deref().unwrap()
        )
        .unwrap()
        .decrypt(&stored)
        .is_err(),
        "not AES-GCM"
    );
    assert!(app.state.crypto.decrypt(&stored).is_ok());
    let r = staff
        .json("GET", &format!("/api/v1/people?q={MOBILE}"), json!(null))
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/people/{id}/reveal/id_number"),
            json!(null),
        )
        .await;
    assert_eq!(r.json()["value"], ID);
}
