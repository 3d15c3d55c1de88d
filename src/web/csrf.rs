//! CSRF defence for every state-changing request: the browser's own `Sec-Fetch-Site` and
//! `Origin` must say same-site, and a per-session token must come back in the form field
//! `csrf` or the `X-CSRF-Token` header (htmx sends it from `hx-headers`).

use crate::error::AppError;
use crate::web::same_secret;
use crate::web::session::Ctx;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Form bodies are read whole to find the token; larger posts are refused.
const MAX_FORM_BYTES: usize = 1 << 20;

pub async fn protect(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
        return AppError::Forbidden.into_response();
    };
    if ctx.csrf == "bearer" {
        return next.run(req).await;
    }
    if !same_site(&req) {
        return AppError::Forbidden.into_response();
    }
    if let Some(t) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if same_secret(t, &ctx.csrf) {
            next.run(req).await
        } else {
            AppError::Forbidden.into_response()
        };
    }
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        // File uploads are not buffered here; their form puts the token in its action URL.
        let token = req
            .uri()
            .query()
            .and_then(|q| form_urlencoded_value(q.as_bytes(), "csrf"));
        return if token.is_some_and(|t| same_secret(&t, &ctx.csrf)) {
            next.run(req).await
        } else {
            AppError::Forbidden.into_response()
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return AppError::Forbidden.into_response();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return AppError::field("csrf", "validation.too_large").into_response();
    };
    let token = form_urlencoded_value(&bytes, "csrf");
    if !token.is_some_and(|t| same_secret(&t, &ctx.csrf)) {
        return AppError::Forbidden.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn same_site(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        return origin_host == Some(host);
    }
    true
}

fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}
