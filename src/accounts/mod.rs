//! Accounts, logins, sessions' front door, unit roles and API tokens.

pub mod api;
mod grants;
pub mod login;
pub mod model;
pub mod pages;
pub mod password;
pub mod prefs;
mod repo;
mod scope;
pub mod service;
mod tokens;
pub mod totp;

pub use repo::{Account, AccountRow, GrantRow, NewAccount, SealedPhone, TokenRow};

/// For the command line (the generators, `admin`, `rekey`), which writes many records in one
/// transaction and audits the run once: the account writers without the service's checks.
pub mod bulk {
    pub use super::repo::{
        any_platform_admin, find_by_login, insert, insert_grant, phones_batch, reseal_phone,
        set_password, set_totp_secret,
    };
}

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::login_form).post(login::login))
        .route("/login/totp", get(totp::totp_form).post(totp::verify_totp))
        .route("/logout", post(login::logout))
        .route(
            "/account/password",
            get(password::password_form).post(password::change_password),
        )
        .route("/session/keepalive", post(prefs::keepalive))
        .route("/prefs", post(prefs::set_prefs))
        .route(
            "/accounts",
            get(pages::list_accounts).post(pages::create_account),
        )
        .route("/accounts/{id}", get(pages::show_account))
        .route("/accounts/{id}/grants", post(pages::grant_role))
        .route("/accounts/{id}/reset-password", post(pages::reset_password))
        .route("/accounts/{id}/disable", post(pages::disable_account))
        .route("/accounts/{id}/enable", post(pages::enable_account))
        .route("/accounts/{id}/unlock", post(pages::unlock_account))
        .route("/grants/{id}/revoke", post(pages::revoke_grant))
        .route("/tokens", get(pages::list_tokens).post(pages::create_token))
        .route("/tokens/{id}/revoke", post(pages::revoke_token))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::me))
        .routes(routes!(api::list_accounts, api::create_account))
        .routes(routes!(api::show_account))
        .routes(routes!(api::list_grants))
        .routes(routes!(api::create_grant))
        .routes(routes!(api::revoke_grant))
        .routes(routes!(api::list_tokens, api::create_token))
        .routes(routes!(api::revoke_token))
}
