//! Notifications: what the system tells an account (a review waiting, an article approved or
//! sent back with the reviewer's comment, a role granted or revoked, the morning digest of
//! visit tasks). The kinds are registered in one place (`model::NoticeKind`); a consumer of
//! the domain events writes them (`service::consume`), and the inbox shows them newest first
//! with an unread count in the page header. Beyond the inbox a message goes by email (SMTP,
//! `mail`) and SMS (`sms`: a webhook or Tencent Cloud) as the account chose (`prefs`);
//! notices to a subtree are `notices`.

pub mod api;
pub mod mail;
pub mod model;
pub mod notices;
pub mod pages;
pub mod prefs;
mod repo;
pub mod service;
pub mod sms;
pub mod wechat;

pub use model::{NoticeKind, NotificationId};
pub use repo::{Notification, Outgoing};

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(pages::inbox))
        .route("/inbox/badge", get(pages::badge))
        .route("/inbox/read-all", post(pages::read_all))
        .route("/inbox/email", post(pages::set_email))
        .route(
            "/inbox/settings",
            get(prefs::pages::settings).post(prefs::pages::save_settings),
        )
        .route("/inbox/wechat/unbind", post(prefs::pages::unbind_wechat))
        .route("/wechat/bind", get(prefs::pages::bind_wechat))
        .route("/wechat/callback", get(prefs::pages::wechat_callback))
        .route(
            "/unsubscribe",
            get(prefs::pages::unsubscribe_page).post(prefs::pages::unsubscribe),
        )
        .route("/inbox/{id}", post(pages::open))
        .route(
            "/notices",
            get(notices::pages::notices).post(notices::pages::send_notice),
        )
        .route("/notices/check", post(notices::pages::check_notice))
        .route("/notices/{id}", get(notices::pages::show_notice))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(routes!(api::mark_read))
        .routes(routes!(api::mark_all_read))
        .routes(routes!(notices::api::list, notices::api::send))
}
