//! Essay campaigns (征文) and the works library (作品库): a call open to a unit's members for a
//! period, submissions with consent, blind judging with scores, a ranking once submissions
//! close, chosen works sent through the usual review to the campaign's column, and the
//! library of published works.

pub mod api;
pub mod library;
pub mod model;
pub mod pages;
mod repo;
pub mod seed;
pub mod service;
pub mod states;
mod work_files;

// The repo is private: other modules use these types and `service`, never the SQL.
pub use repo::{BlindWork, Campaign, Contribution, LibraryWork, RankedWork, Work};

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/works/{id}/files", post(pages::add_work_file))
        .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD + (1 << 20)));
    Router::new()
        .merge(uploads)
        .route(
            "/campaigns",
            get(pages::list_campaigns).post(pages::create_campaign),
        )
        .route("/campaigns/{id}", get(pages::show_campaign))
        // Article and work files alike: only here are both owners' rules known.
        .route("/files/{id}", get(pages::serve_file))
        .route("/campaigns/{id}/works", post(pages::submit_work))
        .route("/campaigns/{id}/judging", get(pages::judging_page))
        .route("/campaigns/{id}/close", post(pages::close_campaign))
        .route("/campaigns/{id}/edit", post(pages::edit_campaign))
        .route("/campaigns/{id}/finish", post(pages::finish_campaign))
        .route("/works/{id}/score", post(pages::score_work))
        .route("/works/{id}/decision", post(pages::decide_work))
        .route("/read/works", get(pages::library))
        .route(
            "/works/contribute",
            get(library::contribute_page).post(library::contribute_form),
        )
        .route("/works/{id}/accept", post(library::accept_form))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::submit))
        .routes(routes!(api::judging))
        .routes(routes!(api::score))
        .routes(routes!(api::ranking))
        .routes(routes!(api::show, api::update))
        .routes(routes!(api::close))
        .routes(routes!(api::finish))
        .routes(routes!(api::decide))
        .routes(routes!(api::contribute))
        .routes(routes!(api::offered))
        .routes(routes!(api::accept))
        .routes(routes!(api::library_works))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(api::add_file))
                .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD + (1 << 20))),
        )
}
