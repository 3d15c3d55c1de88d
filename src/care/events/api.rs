//! Life event and hardship aid JSON API under `/api/v1/people/{id}`.

use super::model::{AidInput, EventInput, NewAid, NewLifeEvent};
use super::repo::{Aid, LifeEvent};
use super::service;
use crate::error::AppResult;
use crate::people::model::PersonId;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/people/{id}/events", tag = "care", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LifeEvent>), (status = 404)))]
pub async fn list_events(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Json<Vec<LifeEvent>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::events(&mut tx, &v, id).await?))
}

/// Records a life event; the visit tasks it calls for are created at once.
#[utoipa::path(post, path = "/api/v1/people/{id}/events", tag = "care", params(("id" = i64, Path)), request_body = EventInput,
    responses((status = 201, body = Created), (status = 404), (status = 422)))]
pub async fn record_event(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    Json(e): Json<EventInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let event = NewLifeEvent::parse(&e)?;
    let mut tx = state.db.write().await?;
    let id = service::record_event(&mut tx, &v, id, &event).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/aid", tag = "care", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Aid>), (status = 404)))]
pub async fn list_aid(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Json<Vec<Aid>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::aid(&mut tx, &v, id).await?))
}

#[utoipa::path(post, path = "/api/v1/people/{id}/aid", tag = "care", params(("id" = i64, Path)), request_body = AidInput,
    responses((status = 201, body = Created), (status = 404), (status = 422)))]
pub async fn record_aid(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    Json(a): Json<AidInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let aid = NewAid::parse(&a)?;
    let mut tx = state.db.write().await?;
    let id = service::record_aid(&mut tx, &v, id, &aid).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}
