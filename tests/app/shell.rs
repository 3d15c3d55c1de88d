//! The page shell: security headers, language, large type, skip link, static files.

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::{StatusCode, header};
use yinyao::accounts::model::UnitRole;

#[tokio::test]
async fn pages_carry_security_headers_and_no_inline_script() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut cl = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    for path in ["/login", "/", "/units", &format!("/units/{}", c.town_a)] {
        let r = cl.get(path).await;
        let csp = r
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
                && csp.contains("frame-ancestors 'none'")
        );
        assert_eq!(
            r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        assert!(
            !r.body.contains("<script>") && !r.body.contains("onclick="),
            "{path} has inline script"
        );
        assert!(
            r.body.contains("class=\"skip-link\" href=\"#main\""),
            "{path} has a skip link"
        );
    }
}

#[tokio::test]
async fn cookies_are_http_only_and_same_site_lax() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    fixtures::account(&app, "staff_a", Some(c.town_a), Some(UnitRole::Staff)).await;
    let mut cl = app.client();
    cl.get("/login").await;
    let r = cl
        .post(
            "/login",
            &[("login", "staff_a"), ("password", fixtures::PASSWORD)],
        )
        .await;
    let sid = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("yy_sid="))
        .unwrap();
    assert!(
        sid.contains("HttpOnly") && sid.contains("SameSite=Lax"),
        "{sid}"
    );
}

#[tokio::test]
async fn static_files_are_served_from_the_binary() {
    let app = TestApp::new().await;
    let mut cl = app.client();
    let js = cl.get("/static/js/htmx.min.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("htmx") && js.body.contains("2.0."));
    let css = cl.get("/static/css/app.css").await;
    assert!(css.body.contains("font-size: 112.5%"), "18 px body text");
    assert_eq!(
        cl.get("/static/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn anonymous_visitors_get_english_from_the_switch() {
    let app = TestApp::new().await;
    let mut cl = app.client();
    let page = cl.get("/login").await;
    assert!(page.body.contains("登录") && page.body.contains("大字模式"));
    cl.post("/prefs", &[("locale", "en"), ("large", "1")]).await;
    let page = cl.get("/login").await;
    assert!(page.body.contains("Log in") && page.body.contains("class=\"large\""));
}
