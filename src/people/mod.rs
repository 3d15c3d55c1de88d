//! Person files (一人一档): files with encrypted sensitive fields, masking and audited
//! reveals, search, the talent pool, rosters in and out, photos and a person's own file.
//! Care (plans, visits, service items and the file page that shows them) builds on this
//! module in `care`; nothing here uses care.

pub mod api;
pub(crate) mod bulk;
pub mod export;
pub mod import;
mod import_repo;
mod input;
pub mod model;
pub mod own;
pub mod pages;
pub mod photo;
mod photo_repo;
mod record;
mod repo;
pub mod roster;
mod search;
pub mod service;
pub mod talent;
pub mod transfer;

pub use repo::{PersonRecord, PersonRow, Search};

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Roster uploads may be larger than axum's default body limit.
fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(import::MAX_FILE_BYTES + (1 << 20))
}

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route(
            "/people/import",
            get(roster::import_form).post(roster::preview_import),
        )
        .layer(upload_limit());
    let photos = Router::new()
        .route("/people/{id}/photo", post(photo::upload_photo))
        .layer(DefaultBodyLimit::max(photo::MAX_PHOTO_BYTES + (1 << 20)));
    Router::new()
        .merge(uploads)
        .merge(photos)
        .route("/people/{id}/photo/delete", post(photo::delete_photo))
        .route("/people/{id}/photo.jpg", get(photo::show_photo))
        .route(
            "/people",
            get(pages::list_people).post(pages::create_person),
        )
        .route("/people/new", get(pages::new_person))
        .route("/talent", get(talent::talent_page))
        .route("/me/file", get(own::own_file).post(own::correct_own))
        .route("/people/{id}/link", post(own::link_account))
        .route("/people/import/template.xlsx", get(roster::template))
        .route("/people/import/{id}/commit", post(roster::commit_import))
        .route("/people/export/{format}", get(export::export_people))
        .route("/people/{id}/edit", get(pages::edit_person))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_people, api::create_person))
        .routes(routes!(api::reveal_field))
        .routes(routes!(talent::api_talent))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(
                    photo::show_photo,
                    photo::api_set_photo,
                    photo::api_delete_photo
                ))
                .layer(DefaultBodyLimit::max(photo::MAX_PHOTO_BYTES + (1 << 20))),
        )
        .routes(routes!(export::api_export))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(roster::api_import))
                .layer(upload_limit()),
        )
}
