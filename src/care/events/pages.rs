//! The life event and hardship aid forms on the person file page.

use super::service::{self, AidInput, EventInput};
use crate::care::pages::{form, get};
use crate::error::AppResult;
use crate::people::model::PersonId;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn record_event(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = form(&body)?;
    let input = EventInput {
        kind: get(&f, "kind").to_string(),
        occurred_on: get(&f, "occurred_on").to_string(),
        note: Some(get(&f, "note").to_string()),
    };
    let mut tx = state.db.write().await?;
    service::record_event(&mut tx, &v, PersonId(id), &input).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}#events")).into_response())
}

pub async fn record_aid(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f = form(&body)?;
    let input = AidInput {
        kind: get(&f, "kind").to_string(),
        amount: get(&f, "amount").to_string(),
        approved_by: get(&f, "approved_by").to_string(),
        granted_on: get(&f, "granted_on").to_string(),
        note: Some(get(&f, "note").to_string()),
    };
    let mut tx = state.db.write().await?;
    service::record_aid(&mut tx, &v, PersonId(id), &input).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}#aid")).into_response())
}
