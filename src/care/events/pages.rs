//! The life event and hardship aid forms on the person file page.

use super::model::{AidInput, EventInput, NewAid, NewLifeEvent};
use super::service;
use crate::error::AppResult;
use crate::people::model::PersonId;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn record_event(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> AppResult<Response> {
    let event = NewLifeEvent::parse(&form::<EventInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    service::record_event(&mut tx, &v, id, &event).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}#events")).into_response())
}

pub async fn record_aid(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> AppResult<Response> {
    let aid = NewAid::parse(&form::<AidInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    service::record_aid(&mut tx, &v, id, &aid).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}#aid")).into_response())
}
