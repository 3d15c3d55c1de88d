//! Publishing (新闻发布): columns and special issues per unit, articles with every version
//! kept, a one- or two-step review workflow with scheduled publishing and withdrawal, the
//! reviewer's queue, sensitive-word hints, and the public reading pages.

pub mod api;
pub mod api_desk;
pub mod api_reading;
mod attachments;
pub mod comments;
mod comments_repo;
pub mod history;
pub mod import;
pub mod model;
pub mod pages;
mod readers;
pub mod reading;
pub mod repair;
mod repo;
pub mod search;
mod search_repo;
pub mod seed;
pub mod service;
pub mod stats;
mod stats_repo;

// The repos are private: other modules use these types and `service`, never the SQL.
pub use comments_repo::Comment;
pub use repo::{Article, Column, Event, Version};
pub use stats_repo::Figures;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/news/{id}/attachments", post(pages::upload_page))
        .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD + (1 << 20)));
    Router::new()
        .merge(uploads)
        .route(
            "/news/{id}/attachments/{file}/cover",
            post(pages::set_cover_page),
        )
        .route("/news", get(pages::desk).post(pages::create_article))
        .route("/news/new", get(pages::new_article))
        .route("/news/review", get(pages::review_queue))
        .route(
            "/news/columns",
            get(pages::columns_page).post(pages::create_column),
        )
        .route("/news/review-steps", post(pages::set_review_steps))
        .route("/news/sensitive-words", post(pages::change_words))
        .route(
            "/news/{id}",
            get(pages::show_article).post(pages::update_article),
        )
        .route("/news/{id}/edit", get(pages::edit_article))
        .route("/news/{id}/compare", get(pages::compare_versions))
        .route("/news/{id}/decision", post(pages::decide))
        .route("/news/comments", get(comments::moderation_queue))
        .route("/news/correspondents", get(stats::report_page))
        .route("/news/correspondents.xlsx", get(stats::export_xlsx))
        .route("/news/correspondents/print", get(stats::print_page))
        .route("/news/comments/{id}", post(comments::moderate_comment))
        .route("/read/{id}/comments", post(comments::post_comment))
        .route("/read/{id}/like", post(comments::like_article))
        .route("/read/comments/{id}/report", post(comments::report_comment))
        .route("/news/search", get(search::staff_page))
        .route("/read/search", get(search::public_page))
        .route("/read", get(reading::front))
        .route("/read/columns/{id}", get(reading::column))
        .route("/read/columns/{id}/{format}", get(reading::feed))
        .route("/read/{id}", get(reading::article))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_columns, api::create_column))
        .routes(routes!(api::list_articles, api::create_article))
        .routes(routes!(api::show_article, api::update_article))
        .routes(routes!(api::decide))
        .routes(routes!(api::review_queue))
        .routes(routes!(api::public_article))
        .routes(routes!(api::post_comment))
        .routes(routes!(api::pending_comments))
        .routes(routes!(api::moderate_comment))
        .routes(routes!(stats::api_report))
        .routes(routes!(stats::export_xlsx))
        .routes(routes!(search::api_public))
        .routes(routes!(search::api_staff))
        .routes(routes!(api_desk::list_versions))
        .routes(routes!(api_desk::compare_versions))
        .routes(routes!(api_desk::list_events))
        .routes(routes!(api_desk::import_origin))
        .routes(routes!(api_desk::sensitive_hits))
        .routes(routes!(api_desk::set_cover))
        .routes(routes!(api_desk::review_steps, api_desk::set_review_steps))
        .routes(routes!(
            api_desk::list_words,
            api_desk::add_word,
            api_desk::remove_word
        ))
        .routes(routes!(api_desk::reply_comment))
        .routes(routes!(api_reading::list_columns))
        .routes(routes!(api_reading::column_articles))
        .routes(routes!(api_reading::list_comments))
        .routes(routes!(api_reading::like_article))
        .routes(routes!(api_reading::report_comment))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(
                    api_desk::list_attachments,
                    api_desk::upload_attachment
                ))
                .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD + (1 << 20))),
        )
}
