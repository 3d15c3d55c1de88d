//! Service-item forms on the person file page.

use super::model::{ItemChanges, ItemInput, NewItem};
use super::service::{add, update};
use crate::care::model::CareItemId;
use crate::error::AppResult;
use crate::people::model::PersonId;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// Page: adds a service item from the form on the file.
pub async fn add_item(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> AppResult<Response> {
    let item = NewItem::parse(&form::<ItemInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    add(&mut tx, &v, id, &item).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}#care-items")).into_response())
}

/// Page: changes an item's status and note.
pub async fn change_item(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, item)): Path<(PersonId, CareItemId)>,
    body: Bytes,
) -> AppResult<Response> {
    let changes = ItemChanges::parse(&form::<ItemInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    update(&mut tx, &v, id, item, &changes).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}#care-items")).into_response())
}
