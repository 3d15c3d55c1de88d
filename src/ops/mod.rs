//! Operations endpoints: liveness, readiness, Prometheus metrics, the OpenAPI document and
//! its reader.

mod repo;

pub use repo::record_config;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use utoipa::openapi::OpenApi;

pub fn routes(doc: Arc<OpenApi>) -> Router<AppState> {
    let json_doc = doc.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .route(
            "/api/openapi.json",
            get(move || {
                let d = json_doc.clone();
                async move { axum::Json((*d).clone()) }
            }),
        )
        .route(
            "/api/docs",
            get(move |ctx: Ctx| {
                let d = doc.clone();
                async move { api_docs(ctx, &d) }
            }),
        )
}

/// Ready when the database answers a read and accepts a write.
async fn ready(State(state): State<AppState>) -> Response {
    let check = async {
        let mut tx = state.db.write().await?;
        crate::db::heartbeat(&mut tx, &state.node).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    };
    match check.await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(h) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            h.render(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics disabled").into_response(),
    }
}

/// One operation of the API, as the reader shows it.
pub struct DocOp {
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub params: Vec<String>,
    pub body: Option<String>,
    pub responses: Vec<String>,
}

#[derive(Template)]
#[template(path = "ops/api_docs.html")]
struct DocsPage {
    page: Page,
    title: String,
    version: String,
    ops: Vec<DocOp>,
    schemas: Vec<(String, String)>,
}

fn api_docs(ctx: Ctx, doc: &OpenApi) -> AppResult<Response> {
    let v = serde_json::to_value(doc).map_err(|e| AppError::Internal(e.into()))?;
    let mut ops = Vec::new();
    if let Some(paths) = v["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let op = &item[method];
                if op.is_null() {
                    continue;
                }
                let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
                ops.push(DocOp {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    tag: op["tags"][0].as_str().unwrap_or("").to_string(),
                    summary: [text(&op["summary"]), text(&op["description"])]
                        .join(" ")
                        .trim()
                        .to_string(),
                    params: op["parameters"]
                        .as_array()
                        .map(|ps| {
                            ps.iter()
                                .map(|p| {
                                    format!(
                                        "{} ({}): {}",
                                        text(&p["name"]),
                                        text(&p["in"]),
                                        text(&p["description"])
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    body: op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                        .as_str()
                        .map(|r| r.rsplit('/').next().unwrap_or(r).to_string()),
                    responses: op["responses"]
                        .as_object()
                        .map(|rs| {
                            rs.iter()
                                .map(|(code, r)| format!("{code} {}", text(&r["description"])))
                                .collect()
                        })
                        .unwrap_or_default(),
                });
            }
        }
    }
    ops.sort_by(|a, b| (&a.tag, &a.path).cmp(&(&b.tag, &b.path)));
    let schemas = v["components"]["schemas"]
        .as_object()
        .map(|s| {
            s.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        serde_json::to_string_pretty(v).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    html(&DocsPage {
        page: Page::new(&ctx, "/api/docs"),
        title: v["info"]["title"]
            .as_str()
            .unwrap_or("Yinyao API")
            .to_string(),
        version: v["info"]["version"].as_str().unwrap_or("").to_string(),
        ops,
        schemas,
    })
}
