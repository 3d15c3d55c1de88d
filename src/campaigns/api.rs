//! Campaign JSON API under `/api/v1`.

use super::repo::{BlindWork, Campaign, RankedWork};
use super::service::{self, CampaignInput, ScoreInput, WorkInput};
use crate::error::AppResult;
use crate::people::api::Created;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", responses((status = 200, body = Vec<Campaign>)))]
pub async fn list(State(state): State<AppState>, v: Viewer) -> AppResult<Json<Vec<Campaign>>> {
    Ok(Json(service::list(&state, &v).await?))
}

/// Calls a campaign (news managers over the unit).
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignInput,
    responses((status = 201, body = Created), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<CampaignInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: service::create(&state, &v, &input).await?,
        }),
    ))
}

/// Submits a work (members of the campaign's units, while it is open; consent required).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/works", tag = "campaigns", params(("id" = i64, Path)), request_body = WorkInput,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn submit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Json(input): Json<WorkInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: service::submit(&state, &v, id, &input).await?,
        }),
    ))
}

/// The works for a judge, without authors.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/judging", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<BlindWork>), (status = 403)))]
pub async fn judging(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<BlindWork>>> {
    Ok(Json(service::judging(&state, &v, id).await?))
}

#[utoipa::path(put, path = "/api/v1/works/{id}/score", tag = "campaigns", params(("id" = i64, Path)), request_body = ScoreInput,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn score(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Json(input): Json<ScoreInput>,
) -> AppResult<StatusCode> {
    service::score(&state, &v, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Works by average score, with authors (organisers, after submissions close).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/ranking", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RankedWork>), (status = 403), (status = 422)))]
pub async fn ranking(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<RankedWork>>> {
    Ok(Json(service::ranking(&state, &v, id).await?))
}
