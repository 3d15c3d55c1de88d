//! People and precision care (一人一档, 一人一策): person files with encrypted sensitive
//! fields, masking and audited reveals, care plans and visit records.

pub mod api;
pub mod export;
pub mod import;
pub mod import_repo;
pub mod items;
pub mod items_repo;
pub mod model;
pub mod own;
pub mod pages;
pub mod repo;
pub mod roster;
pub mod service;
pub mod talent;
pub mod transfer;
pub mod visits;

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
        .route("/people/{id}/photo", post(items::upload_photo))
        .layer(DefaultBodyLimit::max(items::MAX_PHOTO_BYTES + (1 << 20)));
    Router::new()
        .merge(uploads)
        .merge(photos)
        .route("/people/{id}/photo/delete", post(items::delete_photo))
        .route("/people/{id}/photo.jpg", get(items::show_photo))
        .route("/people/{id}/care-items", post(items::add_item))
        .route("/people/{id}/care-items/{item}", post(items::change_item))
        .route(
            "/people",
            get(pages::list_people).post(pages::create_person),
        )
        .route("/people/new", get(pages::new_person))
        .route("/talent", get(talent::talent_page))
        .route("/me/file", get(own::own_file).post(own::correct_own))
        .route("/me/file.json", get(own::download_own))
        .route("/people/{id}/link", post(own::link_account))
        .route("/people/import/template.xlsx", get(roster::template))
        .route("/people/import/{id}/commit", post(roster::commit_import))
        .route("/people/export/{format}", get(export::export_people))
        .route(
            "/people/{id}",
            get(pages::show_person).post(pages::update_person),
        )
        .route("/people/{id}/edit", get(pages::edit_person))
        .route("/people/{id}/reveal/{field}", post(pages::reveal_field))
        .route("/people/{id}/visits", post(pages::record_visit))
        .route("/people/{id}/care-plan", post(pages::set_care_plan))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_people, api::create_person))
        .routes(routes!(api::show_person, api::update_person))
        .routes(routes!(api::reveal_field))
        .routes(routes!(api::list_visits, api::record_visit))
        .routes(routes!(api::set_care_plan))
        .routes(routes!(talent::api_talent))
        .routes(routes!(items::api_list_items, items::api_add_item))
        .routes(routes!(items::api_update_item))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(
                    items::show_photo,
                    items::api_set_photo,
                    items::api_delete_photo
                ))
                .layer(DefaultBodyLimit::max(items::MAX_PHOTO_BYTES + (1 << 20))),
        )
        .routes(routes!(export::api_export))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(roster::api_import))
                .layer(upload_limit()),
        )
}
