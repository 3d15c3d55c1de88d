//! Visit and care-plan JSON API under `/api/v1/people/{id}` (tagged with the person API).

use super::model::{CarePlanInput, NewVisit, PlanChoice, VisitInput};
use super::repo::{CarePlan, Visit};
use super::service as visits;
use crate::error::AppResult;
use crate::people::model::PersonId;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/people/{id}/visits", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Visit>), (status = 404)))]
pub async fn list_visits(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Json<Vec<Visit>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(visits::list(&mut tx, &v, id).await?))
}

#[utoipa::path(post, path = "/api/v1/people/{id}/visits", tag = "people", params(("id" = i64, Path)), request_body = VisitInput,
    responses((status = 201, body = Created), (status = 404), (status = 422)))]
pub async fn record_visit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    Json(input): Json<VisitInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let visit = NewVisit::parse(&input)?;
    let mut tx = state.db.write().await?;
    let (visit, _) = visits::record(&mut tx, &v, id, &visit).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: visit.0 })))
}

#[utoipa::path(put, path = "/api/v1/people/{id}/care-plan", tag = "people", params(("id" = i64, Path)), request_body = CarePlanInput,
    responses((status = 200, body = CarePlan), (status = 404), (status = 422)))]
pub async fn set_care_plan(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    Json(input): Json<CarePlanInput>,
) -> AppResult<Json<CarePlan>> {
    let plan = PlanChoice::parse(&input)?;
    let mut tx = state.db.write().await?;
    let plan = visits::set_plan(&mut tx, &v, id, &plan).await?;
    tx.commit().await?;
    Ok(Json(plan))
}
