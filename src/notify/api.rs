//! Notifications in the JSON API: the caller's, newest first, and marking them read.

use super::model::NotificationId;
use super::repo::Notification;
use super::service;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

/// The caller's notifications and how many are unread.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unread: i64,
    pub notifications: Vec<Notification>,
}

/// The caller's notifications, newest first, 50 a page.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(("page" = Option<i64>, Query, description = "Page number, from 1")),
    responses((status = 200, body = Inbox), (status = 401)))]
pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    Query(p): Query<PageParams>,
) -> AppResult<Json<Inbox>> {
    let mut tx = state.db.read().await?;
    let (notifications, unread) = service::inbox(&mut tx, &v, PageParams::SIZE, p.offset()).await?;
    Ok(Json(Inbox {
        unread,
        notifications,
    }))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
pub async fn mark_read(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<NotificationId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::open(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 204), (status = 401)))]
pub async fn mark_all_read(State(state): State<AppState>, v: Viewer) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::read_all(&mut tx, &v).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
