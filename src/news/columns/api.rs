//! Columns JSON API under `/api/v1`.

use super::model::{ColumnInput, NewColumn};
use crate::error::AppResult;
use crate::news::Column;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/columns", tag = "news",
    responses((status = 200, body = Vec<Column>), (status = 403)))]
pub async fn list_columns(
    State(state): State<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<Column>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(super::service::columns(&mut tx, &v).await?))
}

#[utoipa::path(post, path = "/api/v1/columns", tag = "news", request_body = ColumnInput,
    responses((status = 201, body = Created), (status = 403), (status = 422)))]
pub async fn create_column(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<ColumnInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let column = NewColumn::parse(&input)?;
    let mut tx = state.db.write().await?;
    let id = super::service::create_column(&mut tx, &v, &column).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}
