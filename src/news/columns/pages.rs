//! The columns page: columns, review steps and the sensitive-word list, for news managers.

use super::model::{ColumnInput, NewColumn};
use super::service;
use crate::access::Perm;
use crate::error::{AppError, AppResult};
use crate::news::Column;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::form;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "news/columns.html")]
struct ColumnsPage {
    page: Page,
    columns: Vec<Column>,
    units: Vec<crate::units::Unit>,
    /// For unit admins: the units they may set review steps for.
    step_units: Option<Vec<crate::units::Unit>>,
    /// The review settings in force in their units.
    configured: Vec<(String, i32)>,
    /// For those who keep the sensitive-word list.
    words: Option<Vec<String>>,
}

pub async fn columns_page(AxState(state): AxState<AppState>, v: Viewer) -> AppResult<Response> {
    let s = v.scope(Perm::ManageNews)?;
    let mut tx = state.db.read().await?;
    let columns = service::columns(&mut tx, &v).await?;
    // The word list only for those who keep it; any other failure is an error.
    let words = match crate::news::review::service::sensitive_words(&mut tx, &v).await {
        Err(AppError::Forbidden) => None,
        other => Some(other?),
    };
    let units = crate::units::service::list(&mut tx, &s, false, 2000).await?;
    let (step_units, configured) = match v.scope(Perm::ManageUnits) {
        Ok(admin) => (
            Some(crate::units::service::list(&mut tx, &admin, false, 2000).await?),
            crate::news::review::repo::configured_steps(&mut tx, &admin).await?,
        ),
        Err(_) => (None, Vec::new()),
    };
    html(&ColumnsPage {
        page: Page::new(&v.ctx, "/news"),
        columns,
        units,
        step_units,
        configured,
        words,
    })
}

pub async fn create_column(
    AxState(state): AxState<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let column = NewColumn::parse(&form::<ColumnInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    service::create_column(&mut tx, &v, &column).await?;
    tx.commit().await?;
    Ok(Redirect::to("/news/columns").into_response())
}
