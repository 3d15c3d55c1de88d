//! The language and large-type switches (remembered on the account once logged in, in a
//! cookie before), and the keep-alive behind the idle-timeout warning.

use super::repo;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::state::AppState;
use crate::web::render::safe_next;
use crate::web::session::{Ctx, PREFS_COOKIE, Stage, set_cookie};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

pub fn prefs_cookie(locale: &str, large: bool, secure: bool) -> HeaderValue {
    let v = format!(
        "{}.{}",
        Locale::parse(locale).unwrap_or_default().as_str(),
        u8::from(large)
    );
    set_cookie(PREFS_COOKIE, &v, Some(400 * 24 * 3600), secure)
}

/// The page to return to after a switch: the same-site Referer path, else home.
fn back(headers: &HeaderMap) -> String {
    let r = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/");
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let path = ["http://", "https://"]
        .iter()
        .find_map(|s| r.strip_prefix(s).and_then(|rest| rest.strip_prefix(host)))
        .unwrap_or(r);
    safe_next(Some(path))
}

#[derive(serde::Deserialize)]
pub struct PrefsForm {
    locale: Option<String>,
    large: Option<String>,
}

pub async fn set_prefs(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<PrefsForm>,
) -> AppResult<Response> {
    let locale = match f.locale.as_deref() {
        Some(l) => Locale::parse(l).ok_or(AppError::field("locale", "validation.locale"))?,
        None => ctx.locale,
    };
    let large = match f.large.as_deref() {
        Some("1") => true,
        Some("0") => false,
        Some(_) => return Err(AppError::field("large", "validation.large")),
        None => ctx.large_type,
    };
    // Only a completed login writes to the account; before that the cookie remembers.
    if let Some(p) = ctx.full_principal() {
        let mut tx = state.db.write().await?;
        repo::set_prefs(&mut tx, p.id, locale.as_str(), large).await?;
        tx.commit().await?;
    }
    let mut resp = Redirect::to(&back(&headers)).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        prefs_cookie(locale.as_str(), large, ctx.secure_cookies),
    );
    Ok(resp)
}

/// Keeps a complete session alive (the idle-warning button).
pub async fn keepalive(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (Some(h), Some(Stage::Full)) = (&ctx.session_hash, ctx.stage) else {
        return Err(AppError::Unauthorized);
    };
    let mut tx = state.db.write().await?;
    repo::touch_session(&mut tx, h).await?;
    tx.commit().await?;
    if headers.contains_key("x-csrf-token") {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Redirect::to(&back(&headers)).into_response())
}
