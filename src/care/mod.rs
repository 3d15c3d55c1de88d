//! Precision care (一人一策, 五必访): must-visit rules per unit, visit tasks made from them by
//! a scheduled job, "my tasks", overdue tasks and the coverage figure, life events and
//! hardship aid. Visits and care plans themselves live with the person file (`people`).

pub mod api;
pub mod pages;
pub mod repo;
pub mod rules;
pub mod service;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(pages::my_tasks))
        .route("/units/{id}/care", get(pages::unit_care))
        .route("/units/{id}/care/rules", post(pages::set_rules))
        .route("/people/{id}/events", post(pages::record_event))
        .route("/people/{id}/aid", post(pages::record_aid))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::my_tasks))
        .routes(routes!(api::overdue_tasks))
        .routes(routes!(api::coverage))
        .routes(routes!(api::get_rules, api::set_rules))
        .routes(routes!(api::list_events, api::record_event))
        .routes(routes!(api::list_aid, api::record_aid))
}
