//! Settings JSON API under `/api/v1/settings` (system admin only).

use super::service;
use crate::error::{AppError, AppResult};
use crate::policy::Policy;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;

/// The security policy in force: password rules, lockout and session times.
#[utoipa::path(get, path = "/api/v1/settings/policy", tag = "settings",
    responses((status = 200, body = Policy), (status = 403)))]
pub async fn get_policy(State(state): State<AppState>, v: Viewer) -> AppResult<Json<Policy>> {
    Ok(Json(service::current(&state, &v)?))
}

/// Replaces the security policy on every node (within seconds); audited with before/after.
#[utoipa::path(put, path = "/api/v1/settings/policy", tag = "settings", request_body = Policy,
    responses((status = 200, body = Policy), (status = 403), (status = 422)))]
pub async fn set_policy(
    State(state): State<AppState>,
    v: Viewer,
    body: Result<Json<Policy>, JsonRejection>,
) -> AppResult<Json<Policy>> {
    // Permission before parsing: a refusal is audited whatever was sent.
    service::current(&state, &v)?;
    let Json(p) = body.map_err(|_| AppError::field("body", "validation.policy_range"))?;
    let mut tx = state.db.write().await?;
    let p = service::save(&mut tx, &state.config, &v, p).await?;
    tx.commit().await?;
    state.policy_cache.set(p.clone());
    Ok(Json(p))
}
