//! Contact rounds in the JSON API.

use super::model::{Attempt, AttemptInput, NewRound, RoundId, RoundInput, RoundState};
use super::pages::{RoundQuery, View};
use super::repo::{Listing, RoundCoverage, RoundMember, RoundRow};
use super::service;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The rounds the caller reaches, newest first, with their people counted by state.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "care",
    responses((status = 200, body = Vec<RoundRow>), (status = 403)))]
pub async fn list_rounds(
    AxState(state): AxState<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<RoundRow>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::list(&mut tx, &v).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct StartParams {
    /// Only count who the round would take in; start nothing.
    pub dry_run: Option<bool>,
}

/// How many a round would take in.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoundReach {
    pub people: i64,
}

/// Starts a contact round over a unit's subtree (or, with `dry_run=true`, counts its people).
#[utoipa::path(post, path = "/api/v1/rounds", tag = "care", params(StartParams),
    request_body = RoundInput,
    responses((status = 201, body = Created), (status = 200, body = RoundReach), (status = 404), (status = 422)))]
pub async fn start_round(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(p): Query<StartParams>,
    Json(raw): Json<RoundInput>,
) -> AppResult<Response> {
    let r = NewRound::parse(&raw, crate::i18n::china_today())?;
    if p.dry_run == Some(true) {
        let mut tx = state.db.read().await?;
        let people = service::reach(&mut tx, &v, &r).await?;
        return Ok(Json(RoundReach { people }).into_response());
    }
    let mut tx = state.db.write().await?;
    let (id, _) = service::start(&mut tx, &v, &r).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// A round with its coverage at a unit (`unit`, default: where the caller stands in it).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoundDetail {
    pub round: RoundRow,
    /// The unit looked from, with its subtree's counts.
    pub total: RoundCoverage,
    /// Each unit right below it.
    pub units: Vec<RoundCoverage>,
}

#[utoipa::path(get, path = "/api/v1/rounds/{id}", tag = "care", params(("id" = i64, Path), RoundQuery),
    responses((status = 200, body = RoundDetail), (status = 404)))]
pub async fn show_round(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
    Query(q): Query<RoundQuery>,
) -> AppResult<Json<RoundDetail>> {
    let view = View::parse(&q)?;
    let mut tx = state.db.read().await?;
    let round = service::get(&mut tx, &v, id).await?;
    let (at, _) = service::viewpoint(&mut tx, &v, &round, view.unit).await?;
    let (total, units) = service::coverage(&mut tx, id, at).await?;
    Ok(Json(RoundDetail {
        round,
        total,
        units,
    }))
}

/// People of a round in one state (`state`, default pending), 50 a page, as the caller may
/// see them (mobiles masked); `mine=1` for those paired with the caller.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/people", tag = "care", params(("id" = i64, Path), RoundQuery),
    responses((status = 200, body = Vec<RoundMember>), (status = 404), (status = 422)))]
pub async fn round_people(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
    Query(q): Query<RoundQuery>,
) -> AppResult<Json<Vec<RoundMember>>> {
    let view = View::parse(&q)?;
    let mut tx = state.db.read().await?;
    let round = service::get(&mut tx, &v, id).await?;
    let (_, path) = service::viewpoint(&mut tx, &v, &round, view.unit).await?;
    let l = Listing {
        state: view.state,
        staff: view.mine.then_some(v.p.id),
        under: &path,
    };
    let people = service::members(&mut tx, &v, id, &l, 50, (view.page - 1) * 50).await?;
    Ok(Json(people))
}

/// A person's state after an attempt.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AttemptResult {
    pub state: RoundState,
}

/// Records an attempt to reach a person of an open round.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/attempts", tag = "care", params(("id" = i64, Path)),
    request_body = AttemptInput,
    responses((status = 201, body = AttemptResult), (status = 404), (status = 409), (status = 422)))]
pub async fn record_attempt(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
    Json(raw): Json<AttemptInput>,
) -> AppResult<Response> {
    let person = super::model::attempt_person(&raw)?;
    let a = Attempt::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let state = service::record(&mut tx, &v, id, person, &a).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(AttemptResult { state })).into_response())
}

/// How many were added.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Added {
    pub added: u64,
}

/// Adds to an open round the people its filter takes in now and it lacks.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/add", tag = "care", params(("id" = i64, Path)),
    responses((status = 200, body = Added), (status = 404), (status = 409)))]
pub async fn add_new(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
) -> AppResult<Json<Added>> {
    let mut tx = state.db.write().await?;
    let added = service::add_new(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(Json(Added { added }))
}

/// Closes a round; refused (409) while anyone is still pending.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/close", tag = "care", params(("id" = i64, Path)),
    responses((status = 204), (status = 404), (status = 409)))]
pub async fn close_round(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::close(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
