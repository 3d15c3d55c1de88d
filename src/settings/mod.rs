//! System settings (系统配置) kept by the system admin: the security policy (password
//! rules, lockout, session times). The configuration file gives its starting values; what
//! the admin saves is stored in the database, audited, and in force on every node. The
//! policy itself (`crate::policy`) is ground that every node's state holds.

pub mod api;
pub mod pages;
mod repo;
pub mod service;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/settings",
        get(pages::show_settings).post(pages::save_settings),
    )
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_policy, api::set_policy))
}
