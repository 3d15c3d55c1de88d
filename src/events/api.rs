//! Events in the JSON API.

use super::model::{EventForm, EventId, NewEvent, RegistrationId, RegistrationState};
use super::pages::SpanQuery;
use super::repo::{EventRow, MyRegistration, RegistrationRow};
use super::service;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The events the caller sees in a month or a week (this month by default).
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(SpanQuery),
    responses((status = 200, body = Vec<EventRow>), (status = 422)))]
pub async fn browse_events(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<SpanQuery>,
) -> AppResult<Json<Vec<EventRow>>> {
    let (span, unit) = q.parse()?;
    let mut tx = state.db.read().await?;
    Ok(Json(service::list(&mut tx, &v, span.range(), unit).await?))
}

/// Organises an event at a unit.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = EventForm,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn organise_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Json(raw): Json<EventForm>,
) -> AppResult<Response> {
    let e = NewEvent::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let id = service::create(&mut tx, &v, &e).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// An event, the units it is for and the caller's own registration.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EventDetail {
    pub event: EventRow,
    /// The ids of the units whose subtrees it is for.
    pub audience: Vec<i64>,
    pub mine: Option<OwnRegistration>,
}

/// One's own registration, with the check-in code its QR code carries.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct OwnRegistration {
    pub id: RegistrationId,
    pub state: RegistrationState,
    pub code: String,
    pub checked_in_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = EventDetail), (status = 404)))]
pub async fn show_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
) -> AppResult<Json<EventDetail>> {
    let mut tx = state.db.read().await?;
    let event = service::get(&mut tx, &v, id).await?;
    let audience = service::audience_of(&mut tx, id).await?;
    let mine = service::my_registration(&mut tx, &v, id).await?;
    Ok(Json(EventDetail {
        event,
        audience: audience.into_iter().map(|(u, _, _)| u.0).collect(),
        mine: mine.map(|r| OwnRegistration {
            id: r.id,
            state: r.state,
            code: r.code,
            checked_in_at: r.checked_in_at,
        }),
    }))
}

/// Changes an event (its organiser stays). Everyone registered is told of a new time or
/// place; a higher capacity gives places to those waiting; a lower one removes no one.
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events", params(("id" = i64, Path)),
    request_body = EventForm,
    responses((status = 204), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn change_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    Json(raw): Json<EventForm>,
) -> AppResult<StatusCode> {
    let e = NewEvent::parse(&raw)?;
    let mut tx = state.db.write().await?;
    service::update(&mut tx, &v, id, &e).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why an event is cancelled.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct EventCancellation {
    /// Everyone registered reads it (at most 200 characters).
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/cancel", tag = "events", params(("id" = i64, Path)),
    request_body = EventCancellation,
    responses((status = 204), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn call_off_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    Json(raw): Json<EventCancellation>,
) -> AppResult<StatusCode> {
    let reason = super::model::cancel_reason(&raw.reason)?;
    let mut tx = state.db.write().await?;
    service::cancel(&mut tx, &v, id, &reason).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whom to register: nobody named is the caller; a person on file is registered by staff.
#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegistrationRequest {
    pub person_id: Option<i64>,
    /// Organisers at the door: a place whatever the capacity, checked in at once.
    pub walk_in: bool,
}

/// Where a registration went.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Placed {
    pub id: RegistrationId,
    pub state: RegistrationState,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/registrations", tag = "events",
    params(("id" = i64, Path)), request_body = RegistrationRequest,
    responses((status = 201, body = Placed), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn register_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    Json(raw): Json<RegistrationRequest>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let (reg, st) = match raw.person_id {
        Some(p) => {
            let person = crate::web::form::id("person_id", &p.to_string())
                .map_err(|e| crate::error::AppError::Validation(vec![e]))?;
            service::register_for(&mut tx, &v, id, person, raw.walk_in).await?
        }
        None => service::register_self(&mut tx, &v, id).await?,
    };
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Placed { id: reg, state: st })).into_response())
}

#[derive(Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct RegistrationParams {
    /// pending, registered, waiting, cancelled or refused (none: all).
    pub state: Option<String>,
    pub page: Option<i64>,
}

/// An event's registrations in the order people came (its organisers).
#[utoipa::path(get, path = "/api/v1/events/{id}/registrations", tag = "events",
    params(("id" = i64, Path), RegistrationParams),
    responses((status = 200, body = Vec<RegistrationRow>), (status = 403), (status = 404), (status = 422)))]
pub async fn event_registrations(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    Query(q): Query<RegistrationParams>,
) -> AppResult<Json<Vec<RegistrationRow>>> {
    let mut f = crate::web::form::Fields::new();
    let st = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        s => f.choice("state", s, RegistrationState::parse).map(Some),
    };
    let st = f.done(st)?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut tx = state.db.read().await?;
    let e = service::get(&mut tx, &v, id).await?;
    Ok(Json(
        service::registrations(&mut tx, &v, &e, st, 200, (page - 1) * 200).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/events/registrations/{id}/cancel", tag = "events",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404), (status = 409)))]
pub async fn withdraw_registration(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RegistrationId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::cancel_registration(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organiser's answer to a registration waiting for approval.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct RegistrationDecision {
    pub approve: bool,
}

#[utoipa::path(post, path = "/api/v1/events/registrations/{id}/decision", tag = "events",
    params(("id" = i64, Path)), request_body = RegistrationDecision,
    responses((status = 200, body = Placed), (status = 403), (status = 404), (status = 409)))]
pub async fn decide_registration(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RegistrationId>,
    Json(raw): Json<RegistrationDecision>,
) -> AppResult<Json<Placed>> {
    let mut tx = state.db.write().await?;
    let st = service::decide(&mut tx, &v, id, raw.approve).await?;
    tx.commit().await?;
    Ok(Json(Placed { id, state: st }))
}

/// A code read at the door.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct CheckinCode {
    /// The 8 characters of the QR code (spaces and dashes ignored).
    pub code: String,
}

/// Who was checked in, and whether this scan did it (false: already checked in; nothing
/// written).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CheckinResult {
    pub registration: RegistrationRow,
    pub first: bool,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/checkins", tag = "events",
    params(("id" = i64, Path)), request_body = CheckinCode,
    responses((status = 200, body = CheckinResult), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn check_in(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    Json(raw): Json<CheckinCode>,
) -> AppResult<Json<CheckinResult>> {
    let mut tx = state.db.write().await?;
    let c = service::check_in(&mut tx, &v, id, &raw.code).await?;
    tx.commit().await?;
    Ok(Json(CheckinResult {
        registration: c.registration,
        first: c.first,
    }))
}

/// The caller's registrations for events not yet over.
#[utoipa::path(get, path = "/api/v1/me/events", tag = "events",
    responses((status = 200, body = Vec<MyRegistration>)))]
pub async fn my_events(
    AxState(state): AxState<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<MyRegistration>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::mine(&mut tx, &v).await?))
}
