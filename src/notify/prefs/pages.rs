//! The preferences page (`/inbox/settings`) and the unsubscribe link's page.

use super::model::Prefs;
use super::service;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::ctx::Ctx;
use crate::web::flash::{self, Flash};
use crate::web::form_with_lists;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "notify/settings.html")]
struct SettingsPage {
    page: Page,
    prefs: Prefs,
    hours: Vec<u32>,
    has_email: bool,
    wechat_bound: bool,
    /// The binding code to scan (SVG), when WeChat is configured and not yet bound.
    wechat_qr: Option<String>,
}

impl SettingsPage {
    fn is_from(&self, h: &u32) -> bool {
        self.prefs.quiet.is_some_and(|q| q.0 == *h)
    }
    fn is_until(&self, h: &u32) -> bool {
        self.prefs.quiet.is_some_and(|q| q.1 == *h)
    }
}

pub async fn settings(
    State(state): State<AppState>,
    v: Viewer,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let prefs = service::of(&mut tx, v.p.id).await?;
    let has_email = crate::notify::service::email(&mut tx, &v).await?.is_some();
    let wechat_bound = crate::notify::service::wechat_bound(&mut tx, &v).await?;
    drop(tx);
    let wechat_qr = match state.config.wechat.appid.is_empty() || wechat_bound {
        true => None,
        false => {
            let base = crate::web::base_url(&state.config, &headers);
            let s = service::bind_state(&state.crypto, v.p.id.0, crate::db::now().timestamp());
            Some(crate::web::qr::svg(
                &format!("{base}/wechat/bind?s={s}"),
                200,
            )?)
        }
    };
    html(&SettingsPage {
        page: Page::new(&v.ctx, "/inbox"),
        prefs,
        hours: (0..24).collect(),
        has_email,
        wechat_bound,
        wechat_qr,
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct BindQuery {
    pub s: String,
}

/// What the binding code opens (in WeChat's browser): WeChat's OAuth page, which comes back
/// to `/wechat/callback` with a code and the same state.
pub async fn bind_wechat(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<BindQuery>,
) -> AppResult<Response> {
    service::check_bind_state(&state.crypto, &q.s, crate::db::now().timestamp())?;
    let w = crate::notify::wechat::Wechat::from_config(&state.config.wechat)
        .ok_or(crate::error::AppError::NotFound)?;
    let back = format!(
        "{}/wechat/callback",
        crate::web::base_url(&state.config, &headers)
    );
    Ok(axum::response::Redirect::to(&w.authorize_url(&back, &q.s)).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CallbackQuery {
    pub code: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "notify/wechat_bound.html")]
struct BoundPage {
    page: Page,
}

/// WeChat's return: the state names the account (checked), the code gives the openid
/// (asked of WeChat before any transaction opens), which is bound; audited.
pub async fn wechat_callback(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    let account = service::check_bind_state(&state.crypto, &q.state, crate::db::now().timestamp())?;
    let w = crate::notify::wechat::Wechat::from_config(&state.config.wechat)
        .ok_or(crate::error::AppError::NotFound)?;
    let openid = w.openid(&q.code).await.map_err(|e| {
        tracing::warn!(error = %e, "a WeChat code was refused");
        crate::error::AppError::field("code", "wechat.code_refused")
    })?;
    let mut tx = state.db.write().await?;
    crate::notify::service::bind_wechat(&mut tx, &ctx.actor(), account, &openid).await?;
    tx.commit().await?;
    html(&BoundPage {
        page: Page::new(&ctx, "/wechat"),
    })
}

pub async fn unbind_wechat(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    crate::notify::service::unbind_wechat(&mut tx, &v).await?;
    tx.commit().await?;
    Ok(flash::redirect("/inbox/settings", Flash::Saved).into_response())
}

pub async fn save_settings(
    State(state): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let fields: Vec<(String, String)> = form_with_lists(&body)?;
    let prefs = Prefs::parse(&fields)?;
    let mut tx = state.db.write().await?;
    service::save(&mut tx, &v, &prefs).await?;
    tx.commit().await?;
    Ok(flash::redirect("/inbox/settings", Flash::Saved).into_response())
}

/// The link in an email: account, kind, token.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Unsubscribe {
    pub a: i64,
    pub k: String,
    pub t: String,
}

#[derive(Template)]
#[template(path = "notify/unsubscribe.html")]
struct UnsubscribePage {
    page: Page,
    u: Unsubscribe,
    kind: crate::notify::NoticeKind,
    done: bool,
}

/// The page an email's unsubscribe link opens: which messages it stops, and a button (a
/// link alone must not change anything: mail scanners open links).
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(u): Query<Unsubscribe>,
) -> AppResult<Response> {
    let (_, kind) = service::check(&state.crypto, u.a, &u.k, &u.t)?;
    html(&UnsubscribePage {
        page: Page::new(&ctx, "/unsubscribe"),
        u,
        kind,
        done: false,
    })
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> AppResult<Response> {
    let u: Unsubscribe = form_with_lists(&body)?;
    let (account, kind) = service::check(&state.crypto, u.a, &u.k, &u.t)?;
    let mut tx = state.db.write().await?;
    service::unsubscribe(&mut tx, &ctx.actor(), account, kind).await?;
    tx.commit().await?;
    html(&UnsubscribePage {
        page: Page::new(&ctx, "/unsubscribe"),
        u,
        kind,
        done: true,
    })
}
