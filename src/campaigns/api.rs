//! Campaign JSON API under `/api/v1`.

use super::library;
use super::model::{
    Call, CampaignEdit, CampaignInput, NewCampaign, Score, ScoreInput, WorkDraft, WorkInput,
    WorkVerdict,
};
use super::repo::{BlindWork, Campaign, Contribution, LibraryWork, RankedWork};
use super::service;
use crate::error::AppResult;
use crate::ids::{CampaignId, UnitId, WorkId};
use crate::state::AppState;
use crate::web::Created;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", responses((status = 200, body = Vec<Campaign>)))]
pub async fn list(State(state): State<AppState>, v: Viewer) -> AppResult<Json<Vec<Campaign>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::list(&mut tx, &v).await?))
}

/// Calls a campaign (news managers over the unit).
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignInput,
    responses((status = 201, body = Created), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<CampaignInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let campaign = NewCampaign::parse(&input);
    let mut tx = state.db.write().await?;
    let id = service::create(&mut tx, &v, campaign).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// Changes an open campaign's call (its organisers): title, theme, rules, dates, open units.
#[utoipa::path(put, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)), request_body = CampaignEdit,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
    Json(input): Json<CampaignEdit>,
) -> AppResult<StatusCode> {
    let call = Call::parse(&input);
    let mut tx = state.db.write().await?;
    service::update(&mut tx, &v, id, call).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submits a work (members of the campaign's units, while it is open; consent required).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/works", tag = "campaigns", params(("id" = i64, Path)), request_body = WorkInput,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn submit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
    Json(input): Json<WorkInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let work = WorkDraft::parse(&input)?;
    let mut tx = state.db.write().await?;
    let id = service::submit(&mut tx, &v, id, &work).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// The works for a judge, without authors.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/judging", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<BlindWork>), (status = 403)))]
pub async fn judging(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<Json<Vec<BlindWork>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::judging(&mut tx, &v, id).await?))
}

#[utoipa::path(put, path = "/api/v1/works/{id}/score", tag = "campaigns", params(("id" = i64, Path)), request_body = ScoreInput,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn score(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<WorkId>,
    Json(input): Json<ScoreInput>,
) -> AppResult<StatusCode> {
    let score = Score::parse(&input)?;
    let mut tx = state.db.write().await?;
    service::score(&mut tx, &v, id, &score).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Works by average score, with authors (organisers, after submissions close).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/ranking", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RankedWork>), (status = 403), (status = 422)))]
pub async fn ranking(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<Json<Vec<RankedWork>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::ranking(&mut tx, &v, id).await?))
}

/// A campaign with its counts, and what the caller is to it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    pub campaign: Campaign,
    /// The caller's unit under the campaign's, when they are a member who may submit.
    pub member_unit_id: Option<UnitId>,
    pub judge: bool,
    pub organiser: bool,
}

/// One campaign (its members, judges and organisers).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignView), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<Json<CampaignView>> {
    let mut tx = state.db.read().await?;
    let (campaign, member_unit_id, judge, organiser) = service::show(&mut tx, &v, id).await?;
    Ok(Json(CampaignView {
        campaign,
        member_unit_id,
        judge,
        organiser,
    }))
}

/// Closes submissions early (organisers); judging goes on.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/close", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn close(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::close(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends judging (organisers): the ranking shows authors, and works can be shortlisted and
/// chosen.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/finish", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn finish(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::finish(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct WorkDecision {
    /// shortlist, or choose (the work goes to the campaign's column through review).
    pub action: String,
}

/// Shortlists or chooses a work of a finished campaign (organisers).
#[utoipa::path(post, path = "/api/v1/works/{id}/decision", tag = "campaigns", params(("id" = i64, Path)),
    request_body = WorkDecision,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<WorkId>,
    Json(input): Json<WorkDecision>,
) -> AppResult<StatusCode> {
    let verdict = WorkVerdict::parse_action(&input.action)?;
    let mut tx = state.db.write().await?;
    service::decide(&mut tx, &v, id, verdict).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a file (multipart field `file`: image, audio or video, checked by content) to the
/// caller's own work while it can still change.
#[utoipa::path(post, path = "/api/v1/works/{id}/files", tag = "campaigns", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::web::apidoc::FileUpload),
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn add_file(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<WorkId>,
    mp: Multipart,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = super::pages::add_file(&state, &v, id, mp).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// Offers a work to the library outside any campaign (consent required).
#[utoipa::path(post, path = "/api/v1/works", tag = "campaigns", request_body = WorkInput,
    responses((status = 201, body = Created), (status = 403), (status = 422)))]
pub async fn contribute(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<WorkInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let work = WorkDraft::parse(&input)?;
    let mut tx = state.db.write().await?;
    let id = library::contribute(&mut tx, &v, &work).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// Offers waiting for an editor over the caller's units.
#[utoipa::path(get, path = "/api/v1/works/offered", tag = "campaigns",
    responses((status = 200, body = Vec<Contribution>), (status = 403)))]
pub async fn offered(
    State(state): State<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<Contribution>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(library::pending(&mut tx, &v).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct AcceptInput {
    pub column_id: i64,
}

/// An editor over the member's unit takes an offered work into a column; it is submitted
/// for the usual review. Returns the article.
#[utoipa::path(post, path = "/api/v1/works/{id}/accept", tag = "campaigns", params(("id" = i64, Path)),
    request_body = AcceptInput,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn accept(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<WorkId>,
    Json(input): Json<AcceptInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let column = library::parse_column(input.column_id)?;
    let mut tx = state.db.write().await?;
    let id = library::accept(&mut tx, &v, id, column).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LibraryPage {
    pub works: Vec<LibraryWork>,
    /// Another page follows.
    pub has_more: bool,
}

/// The works library, for anyone: chosen works whose article is published, newest first.
#[utoipa::path(get, path = "/api/v1/public/works", tag = "campaigns", params(PageParams),
    responses((status = 200, body = LibraryPage)))]
pub async fn library_works(
    State(state): State<AppState>,
    Query(p): Query<PageParams>,
) -> AppResult<Json<LibraryPage>> {
    let mut tx = state.db.read().await?;
    let (works, has_more) = library::works(&mut tx, &p).await?;
    Ok(Json(LibraryPage { works, has_more }))
}
