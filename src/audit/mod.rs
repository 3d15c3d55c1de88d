//! The audit trail: append-only, hash-chained entries of every change, login decision,
//! refused access and reveal; searchable and exportable by the audit admin only.

pub mod api;
pub mod model;
pub mod pages;
pub mod repo;
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
