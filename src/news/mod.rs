//! Publishing (新闻发布): columns and special issues per unit, articles with every version
//! kept, a one- or two-step review workflow with scheduled publishing and withdrawal, the
//! reviewer's queue, sensitive-word hints, readers' comments, search, correspondents' figures,
//! article import, and the public reading pages. Sub-slices of one shape: `columns`,
//! `articles`, `review`, `reading`, `comments`, `search`, `stats`, `import`.

mod articles;
mod columns;
mod comments;
pub mod import;
pub mod model;
mod reading;
mod review;
pub mod search;
pub mod seed;
pub mod service;
mod stats;

pub use import::repair;

// The repos are private: other modules use these types and `service`, never the SQL.
pub use articles::repo::{Article, Version};
pub use columns::repo::Column;
pub use comments::repo::Comment;
pub use review::repo::Event;
pub use stats::repo::Figures;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/news/{id}/attachments", post(articles::pages::upload_page))
        .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD + (1 << 20)));
    Router::new()
        .merge(uploads)
        .route(
            "/news/{id}/attachments/{file}/cover",
            post(articles::pages::set_cover_page),
        )
        .route(
            "/news",
            get(articles::pages::desk).post(articles::pages::create_article),
        )
        .route("/news/new", get(articles::pages::new_article))
        .route("/news/review", get(review::pages::review_queue))
        .route(
            "/news/columns",
            get(columns::pages::columns_page).post(columns::pages::create_column),
        )
        .route("/news/review-steps", post(review::pages::set_review_steps))
        .route("/news/sensitive-words", post(review::pages::change_words))
        .route(
            "/news/{id}",
            get(articles::pages::show_article).post(articles::pages::update_article),
        )
        .route("/news/{id}/edit", get(articles::pages::edit_article))
        .route("/news/{id}/compare", get(articles::pages::compare_versions))
        .route("/news/{id}/decision", post(review::pages::decide))
        .route("/news/comments", get(comments::pages::moderation_queue))
        .route("/news/correspondents", get(stats::pages::report_page))
        .route("/news/correspondents.xlsx", get(stats::api::export_xlsx))
        .route("/news/correspondents/print", get(stats::pages::print_page))
        .route(
            "/news/comments/{id}",
            post(comments::pages::moderate_comment),
        )
        .route("/read/{id}/comments", post(comments::pages::post_comment))
        .route("/read/{id}/like", post(comments::pages::like_article))
        .route(
            "/read/comments/{id}/report",
            post(comments::pages::report_comment),
        )
        .route("/news/search", get(search::pages::staff_page))
        .route("/read/search", get(search::pages::public_page))
        .route("/read", get(reading::pages::front))
        .route("/read/columns/{id}", get(reading::pages::column))
        .route("/read/columns/{id}/{format}", get(reading::pages::feed))
        .route("/read/{id}", get(reading::pages::article))
        .route("/read/{id}/print", get(reading::pages::print_article))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            columns::api::list_columns,
            columns::api::create_column
        ))
        .routes(routes!(
            articles::api::list_articles,
            articles::api::create_article
        ))
        .routes(routes!(
            articles::api::show_article,
            articles::api::update_article
        ))
        .routes(routes!(review::api::decide))
        .routes(routes!(review::api::review_queue))
        .routes(routes!(reading::api::public_article))
        .routes(routes!(comments::api::post_comment))
        .routes(routes!(comments::api::pending_comments))
        .routes(routes!(comments::api::moderate_comment))
        .routes(routes!(stats::api::api_report))
        .routes(routes!(stats::api::export_xlsx))
        .routes(routes!(search::api::api_public))
        .routes(routes!(search::api::api_staff))
        .routes(routes!(articles::api::list_versions))
        .routes(routes!(articles::api::compare_versions))
        .routes(routes!(articles::api::list_events))
        .routes(routes!(articles::api::import_origin))
        .routes(routes!(review::api::sensitive_hits))
        .routes(routes!(articles::api::set_cover))
        .routes(routes!(
            review::api::review_steps,
            review::api::set_review_steps
        ))
        .routes(routes!(
            review::api::list_words,
            review::api::add_word,
            review::api::remove_word
        ))
        .routes(routes!(comments::api::reply_comment))
        .routes(routes!(reading::api::list_columns))
        .routes(routes!(reading::api::column_articles))
        .routes(routes!(comments::api::list_comments))
        .routes(routes!(comments::api::like_article))
        .routes(routes!(comments::api::report_comment))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(
                    articles::api::list_attachments,
                    articles::api::upload_attachment
                ))
                .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD + (1 << 20))),
        )
}
