//! Notices in the JSON API.

use super::model::{NoticeDraft, NoticeInput};
use super::repo::NoticeRow;
use super::service;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;

/// The notices to units in the caller's reach, newest first, with read and email figures.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notifications",
    responses((status = 200, body = Vec<NoticeRow>), (status = 403)))]
pub async fn list(State(state): State<AppState>, v: Viewer) -> AppResult<Json<Vec<NoticeRow>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::list(&mut tx, &v).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct SendParams {
    /// Only count the recipients; send nothing.
    pub dry_run: Option<bool>,
}

/// How many a notice reaches (`dry_run=true`): accounts, and people of the registry by SMS.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Reach {
    pub recipients: usize,
    pub registry: usize,
}

/// Sends a notice to a unit's subtree (or, with `dry_run=true`, counts its recipients).
#[utoipa::path(post, path = "/api/v1/notices", tag = "notifications", params(SendParams),
    request_body = NoticeInput,
    responses((status = 201, body = Created), (status = 200, body = Reach), (status = 404), (status = 422)))]
pub async fn send(
    State(state): State<AppState>,
    v: Viewer,
    Query(p): Query<SendParams>,
    Json(raw): Json<NoticeInput>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let draft = NoticeDraft::parse(&raw)?;
    if p.dry_run == Some(true) {
        let mut tx = state.db.read().await?;
        let r = service::recipients(&mut tx, &v, &draft).await?;
        return Ok(Json(Reach {
            recipients: r.accounts.len(),
            registry: r.registry.len(),
        })
        .into_response());
    }
    let mut tx = state.db.write().await?;
    let (id, _) = service::send(&mut tx, &v, &draft).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}
