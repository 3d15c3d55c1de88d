//! The unit tree (组织单位): city bureau → county bureau → towns → villages and communities,
//! plus party committees and branches, online branches, youth-care units, schools and teams.

pub mod api;
pub mod model;
pub mod pages;
mod repo;
pub mod service;

pub use model::{UnitId, UnitKind};
pub use repo::Unit;

/// For the command line's generators (demo, province, bench), which write many records in one
/// transaction and audit the run once: the unit writer without the service's checks.
pub mod bulk {
    pub use super::repo::insert;
}

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

/// HTML routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units", get(pages::list_units).post(pages::create_unit))
        .route(
            "/units/{id}",
            get(pages::show_unit).post(pages::update_unit),
        )
        .route(
            "/units/{id}/deactivate",
            get(pages::confirm_deactivate).post(pages::deactivate_unit),
        )
        .route("/units/{id}/reactivate", post(pages::reactivate_unit))
}

/// JSON routes, documented in the OpenAPI description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_units, api::create_unit))
        .routes(routes!(api::show_unit, api::update_unit))
        .routes(routes!(api::deactivate_unit))
        .routes(routes!(api::reactivate_unit))
}
