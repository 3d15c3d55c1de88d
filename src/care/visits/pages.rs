//! Visit and care-plan forms on the person file page.

use super::model::{NewVisit, PlanChoice, PlanForm, VisitInput};
use super::service as visits;
use crate::error::AppResult;
use crate::people::model::PersonId;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn record_visit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> AppResult<Response> {
    let visit = NewVisit::parse(&form::<VisitInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    let (_, closed) = visits::record(&mut tx, &v, id, &visit).await?;
    tx.commit().await?;
    // The file says what the visit completed and offers the next task.
    Ok(flash::redirect(&format!("/people/{id}?closed={closed}"), Flash::Visited).into_response())
}

pub async fn set_care_plan(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> AppResult<Response> {
    let plan = PlanChoice::parse_form(&form::<PlanForm>(&body)?)?;
    let mut tx = state.db.write().await?;
    visits::set_plan(&mut tx, &v, id, &plan).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}
