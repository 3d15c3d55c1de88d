//! The audit trail as the audit admin reads it (审计): searches, the CSV export and signed
//! checkpoints, each itself recorded. The trail is written by the `audit` library below.

pub mod api;
pub mod pages;
pub mod service;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(pages::list_audit))
        .route("/audit/export.csv", get(pages::export_audit))
        .route("/audit/checkpoint.txt", get(pages::download_checkpoint))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::search_audit))
        .routes(routes!(api::audit_checkpoint))
}
