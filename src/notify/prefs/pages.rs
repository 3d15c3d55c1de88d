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
}

impl SettingsPage {
    fn is_from(&self, h: &u32) -> bool {
        self.prefs.quiet.is_some_and(|q| q.0 == *h)
    }
    fn is_until(&self, h: &u32) -> bool {
        self.prefs.quiet.is_some_and(|q| q.1 == *h)
    }
}

pub async fn settings(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let prefs = service::of(&mut tx, v.p.id).await?;
    let has_email = crate::notify::service::email(&mut tx, &v).await?.is_some();
    drop(tx);
    html(&SettingsPage {
        page: Page::new(&v.ctx, "/inbox"),
        prefs,
        hours: (0..24).collect(),
        has_email,
    })
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
