//! Care JSON API: tasks, coverage and rules.

use super::model::{TaskFilter, TaskQuery};
use super::repo::Task;
use super::rules::Rules;
use super::service::{self, Coverage};
use crate::error::AppResult;
use crate::state::AppState;
use crate::units::model::UnitId;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;

/// The caller's open visit tasks, most urgent first (by kind: hospital, bereavement,
/// hardship, condolence, birthday, festival, routine; then the longest overdue), narrowed by
/// kind, the persons' unit and overdue; 100 a page.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "care", params(TaskQuery),
    responses((status = 200, body = Vec<Task>), (status = 403), (status = 422)))]
pub async fn my_tasks(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<TaskQuery>,
) -> AppResult<Json<Vec<Task>>> {
    let f = TaskFilter::parse(&q)?;
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let today = Utc::now().date_naive();
    let mut tx = state.db.read().await?;
    let list = service::my_tasks(&mut tx, &v, &f, today, API_PAGE, (page - 1) * API_PAGE).await?;
    Ok(Json(list.tasks))
}

const API_PAGE: i64 = 100;

/// Overdue tasks in a unit's subtree.
#[utoipa::path(get, path = "/api/v1/units/{id}/overdue-tasks", tag = "care", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Task>), (status = 404)))]
pub async fn overdue_tasks(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Json<Vec<Task>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::overdue_at(&mut tx, &v, id).await?))
}

/// Share of key-tier people in the subtree contacted within their interval.
#[utoipa::path(get, path = "/api/v1/units/{id}/coverage", tag = "care", params(("id" = i64, Path)),
    responses((status = 200, body = Coverage), (status = 404)))]
pub async fn coverage(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Json<Coverage>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::coverage(&mut tx, &v, id).await?))
}

/// The must-visit rules in force at a unit (its own or inherited from above).
#[utoipa::path(get, path = "/api/v1/units/{id}/care-rules", tag = "care", params(("id" = i64, Path)),
    responses((status = 200, body = Rules), (status = 404)))]
pub async fn get_rules(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Json<Rules>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::rules_at(&mut tx, &v, id).await?.0))
}

/// Sets a unit's own rules (unit admins); units below inherit them.
#[utoipa::path(put, path = "/api/v1/units/{id}/care-rules", tag = "care", params(("id" = i64, Path)), request_body = Rules,
    responses((status = 204), (status = 403), (status = 422)))]
pub async fn set_rules(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
    Json(r): Json<Rules>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::set_rules(&mut tx, &v, id, &r).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
