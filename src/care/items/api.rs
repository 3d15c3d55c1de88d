//! Service-item JSON API under `/api/v1/people/{id}/care-items` (tagged with the person API).

use super::model::{ItemChanges, ItemInput, NewItem};
use super::repo::CareItem;
use super::service::{add, list, update};
use crate::care::model::CareItemId;
use crate::error::AppResult;
use crate::people::model::PersonId;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/people/{id}/care-items", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CareItem>), (status = 404)))]
pub async fn api_list_items(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Json<Vec<CareItem>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(list(&mut tx, &v, id).await?))
}

#[utoipa::path(post, path = "/api/v1/people/{id}/care-items", tag = "people", params(("id" = i64, Path)),
    request_body = ItemInput, responses((status = 201, body = crate::web::Created), (status = 404), (status = 422)))]
pub async fn api_add_item(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    Json(input): Json<ItemInput>,
) -> AppResult<(StatusCode, Json<crate::web::Created>)> {
    let item = NewItem::parse(&input)?;
    let mut tx = state.db.write().await?;
    let item = add(&mut tx, &v, id, &item).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(crate::web::Created { id: item.0 }),
    ))
}

#[utoipa::path(put, path = "/api/v1/people/{id}/care-items/{item}", tag = "people",
    params(("id" = i64, Path), ("item" = i64, Path)), request_body = ItemInput,
    responses((status = 200, body = CareItem), (status = 404), (status = 422)))]
pub async fn api_update_item(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, item)): Path<(PersonId, CareItemId)>,
    Json(input): Json<ItemInput>,
) -> AppResult<Json<CareItem>> {
    let changes = ItemChanges::parse(&input)?;
    let mut tx = state.db.write().await?;
    let after = update(&mut tx, &v, id, item, &changes).await?;
    tx.commit().await?;
    Ok(Json(after))
}
