//! Unit JSON API under `/api/v1/units`.

use super::model::UnitId;
use super::repo::{self, Unit};
use super::service::{self, NewUnit, UnitChanges};
use crate::access::Perm;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Include deactivated units.
    pub include_inactive: Option<bool>,
    /// At most this many units (default 1000, at most 10000).
    pub limit: Option<i64>,
}

/// Units in the caller's scope, in tree order.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(ListParams),
    responses((status = 200, body = Vec<Unit>), (status = 401), (status = 403)))]
pub async fn list_units(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListParams>,
) -> AppResult<Json<Vec<Unit>>> {
    let scope = v.scope(Perm::ViewUnits)?;
    let mut tx = state.db.read().await?;
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    Ok(Json(
        repo::list(&mut tx, &scope, q.include_inactive.unwrap_or(false), limit).await?,
    ))
}

/// One unit; 404 when it does not exist or lies outside the caller's scope.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = Unit), (status = 404)))]
pub async fn show_unit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Json<Unit>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::load(&mut tx, &v, Perm::ViewUnits, id).await?))
}

/// Creates a unit under a parent in the caller's scope.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = NewUnit,
    responses((status = 201, body = Unit), (status = 422, description = "validation errors with field names")))]
pub async fn create_unit(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<NewUnit>,
) -> AppResult<(StatusCode, Json<Unit>)> {
    let input = input.parse()?;
    let mut tx = state.db.write().await?;
    let unit = service::create(&mut tx, &v, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

/// Renames, retypes or moves a unit; a move carries the whole subtree.
#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = UnitChanges,
    responses((status = 200, body = Unit), (status = 404), (status = 422)))]
pub async fn update_unit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
    Json(ch): Json<UnitChanges>,
) -> AppResult<Json<Unit>> {
    let ch = ch.parse()?;
    let mut tx = state.db.write().await?;
    let unit = service::update(&mut tx, &v, id, &ch).await?;
    tx.commit().await?;
    Ok(Json(unit))
}

/// Deactivates a unit and its subtree (units are never deleted).
#[utoipa::path(post, path = "/api/v1/units/{id}/deactivate", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404)))]
pub async fn deactivate_unit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Json<serde_json::Value>> {
    let mut tx = state.db.write().await?;
    let n = service::deactivate(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(Json(serde_json::json!({ "deactivated": n })))
}

/// Reactivates a unit and its subtree (its parent must be active).
#[utoipa::path(post, path = "/api/v1/units/{id}/reactivate", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404), (status = 409)))]
pub async fn reactivate_unit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Json<serde_json::Value>> {
    let mut tx = state.db.write().await?;
    let n = service::reactivate(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(Json(serde_json::json!({ "reactivated": n })))
}
