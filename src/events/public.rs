//! Public event pages under `/read/events` (no personal data, the reading pages' large type)
//! and the iCalendar feeds: a unit's public events, and one's own behind a keyed link.

use super::model::EventId;
use super::repo::EventRow;
use super::service;
use crate::crypto::FieldCrypto;
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, UnitId};
use crate::state::AppState;
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "events/public_list.html")]
struct PublicList {
    page: Page,
    events: Vec<EventRow>,
}

impl PublicList {
    fn when(&self, e: &EventRow) -> String {
        super::model::when(&e.starts_at, &e.ends_at)
    }
}

pub async fn public_events(AxState(state): AxState<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let from = crate::db::now() - chrono::Duration::hours(12);
    let events = service::public(&mut tx, from, "").await?;
    html(&PublicList {
        page: Page::new(&ctx, "/read"),
        events,
    })
}

#[derive(Template)]
#[template(path = "events/public_show.html")]
struct PublicShow {
    page: Page,
    e: EventRow,
    signed_in: bool,
}

impl PublicShow {
    fn when(&self) -> String {
        super::model::when(&self.e.starts_at, &self.e.ends_at)
    }
    fn is_cancelled(&self) -> bool {
        self.e.status == super::model::EventStatus::Cancelled
    }
}

pub async fn public_event(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Path(id): Path<EventId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let e = service::get_public(&mut tx, id).await?;
    html(&PublicShow {
        signed_in: ctx.full_principal().is_some(),
        page: Page::new(&ctx, "/read"),
        e,
    })
}

fn ics(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// A unit's public events as an iCalendar feed (any reader; a calendar app subscribes).
pub async fn unit_feed(
    AxState(state): AxState<AppState>,
    headers: HeaderMap,
    Path(id): Path<UnitId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (name, events) = service::feed_of_unit(&mut tx, id).await?;
    let base = crate::web::base_url(&state.config, &headers);
    Ok(ics(super::calendar::feed(&name, &events, &base)))
}

fn feed_account(crypto: &FieldCrypto, token: &str) -> AppResult<AccountId> {
    let account = token
        .split_once('.')
        .and_then(|(a, _)| a.parse::<i64>().ok())
        .map(AccountId)
        .ok_or(AppError::NotFound)?;
    if service::feed_token(crypto, account) != token {
        return Err(AppError::NotFound);
    }
    Ok(account)
}

/// One's own events (registered, waiting, pending) as an iCalendar feed behind a keyed link.
pub async fn own_feed(
    AxState(state): AxState<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let account = feed_account(&state.crypto, &token)?;
    let mut tx = state.db.read().await?;
    let who = service::feed_key(&mut tx, account).await?;
    let events = service::feed_of(&mut tx, &who).await?;
    let base = crate::web::base_url(&state.config, &headers);
    Ok(ics(super::calendar::feed(
        "银耀 · 我的活动",
        &events,
        &base,
    )))
}
