//! The video library in the JSON API (links; files are uploaded on the page).

use super::model::{NewVideo, VideoForm, VideoId};
use super::repo::VideoRow;
use super::service;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct VideoParams {
    /// Only videos of this unit's subtree.
    pub unit: Option<i64>,
    pub page: Option<i64>,
}

/// The videos the caller sees, newest first (30 a page).
#[utoipa::path(get, path = "/api/v1/videos", tag = "events", params(VideoParams),
    responses((status = 200, body = Vec<VideoRow>), (status = 404)))]
pub async fn list_videos(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<VideoParams>,
) -> AppResult<Json<Vec<VideoRow>>> {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut tx = state.db.read().await?;
    let unit = q.unit.map(crate::ids::UnitId);
    Ok(Json(
        service::list(&mut tx, &v, unit, 30, (page - 1) * 30).await?,
    ))
}

/// Adds a video by its link (an upload goes through the page).
#[utoipa::path(post, path = "/api/v1/videos", tag = "events", request_body = VideoForm,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn add_video(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Json(raw): Json<VideoForm>,
) -> AppResult<Response> {
    let new = NewVideo::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let id = service::create(&mut tx, &v, &new, None).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// A video, its view counted once for the caller today.
#[utoipa::path(get, path = "/api/v1/videos/{id}", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = VideoRow), (status = 404)))]
pub async fn show_video(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<VideoId>,
) -> AppResult<Json<VideoRow>> {
    let who = format!("account:{}", v.p.id);
    let mut tx = state.db.write().await?;
    let video = service::watch(&mut tx, &v.ctx, id, (&who, None)).await?;
    tx.commit().await?;
    Ok(Json(video))
}
