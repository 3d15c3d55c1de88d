//! Review JSON API under `/api/v1`: decisions, the queue, sensitive-word hits, review steps
//! and the word list.

use super::model::{Decision, DecisionInput, parse_word};
use crate::error::AppResult;
use crate::ids::{ArticleId, UnitId};
use crate::news::Article;
use crate::news::model::State as ArticleState;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Decided {
    pub state: ArticleState,
}

/// Submit, approve, reject (with a comment) or withdraw (with a reason).
#[utoipa::path(post, path = "/api/v1/articles/{id}/decision", tag = "news", params(("id" = i64, Path)),
    request_body = DecisionInput,
    responses((status = 200, body = Decided), (status = 403), (status = 404), (status = 422)))]
pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
    Json(input): Json<DecisionInput>,
) -> AppResult<Json<Decided>> {
    let decision = Decision::parse(&input)?;
    let mut tx = state.db.write().await?;
    let to = super::service::decide(&mut tx, &v, id, &decision).await?;
    tx.commit().await?;
    Ok(Json(Decided { state: to }))
}

/// What waits for the caller's review, oldest first.
#[utoipa::path(get, path = "/api/v1/review-queue", tag = "news",
    responses((status = 200, body = Vec<Article>), (status = 403)))]
pub async fn review_queue(
    State(state): State<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<Article>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(super::service::queue(&mut tx, &v).await?))
}

/// Words of the sensitive-word list found in the article, for a reviewer or its author.
#[utoipa::path(get, path = "/api/v1/articles/{id}/sensitive-hits", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<String>), (status = 403), (status = 404)))]
pub async fn sensitive_hits(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
) -> AppResult<Json<Vec<String>>> {
    let mut tx = state.db.read().await?;
    let a = crate::news::articles::service::load(&mut tx, &v, id).await?;
    Ok(Json(super::service::hits_for(&mut tx, &v, &a).await?))
}

#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ReviewSteps {
    /// 1 (one review) or 2 (first review, then final approval).
    pub steps: u8,
}

/// How many review steps a unit's articles take.
#[utoipa::path(get, path = "/api/v1/units/{id}/review-steps", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = ReviewSteps), (status = 404)))]
pub async fn review_steps(
    State(state): State<AppState>,
    v: Viewer,
    Path(unit): Path<UnitId>,
) -> AppResult<Json<ReviewSteps>> {
    let mut tx = state.db.read().await?;
    Ok(Json(ReviewSteps {
        steps: super::service::review_steps(&mut tx, &v, unit).await?,
    }))
}

/// Sets a unit's review steps (unit admins over the unit).
#[utoipa::path(put, path = "/api/v1/units/{id}/review-steps", tag = "news", params(("id" = i64, Path)),
    request_body = ReviewSteps, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_review_steps(
    State(state): State<AppState>,
    v: Viewer,
    Path(unit): Path<UnitId>,
    Json(input): Json<ReviewSteps>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    super::service::set_review_steps(&mut tx, &v, unit, input.steps).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The sensitive-word list (city and county news managers).
#[utoipa::path(get, path = "/api/v1/sensitive-words", tag = "news",
    responses((status = 200, body = Vec<String>), (status = 403)))]
pub async fn list_words(State(state): State<AppState>, v: Viewer) -> AppResult<Json<Vec<String>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(super::service::sensitive_words(&mut tx, &v).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct WordInput {
    /// At most 20 characters.
    pub word: String,
}

/// Adds a word to the list (nothing changes if it is there already).
#[utoipa::path(post, path = "/api/v1/sensitive-words", tag = "news", request_body = WordInput,
    responses((status = 204), (status = 403), (status = 422)))]
pub async fn add_word(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<WordInput>,
) -> AppResult<StatusCode> {
    let word = parse_word(&input.word)?;
    let mut tx = state.db.write().await?;
    super::service::add_sensitive_word(&mut tx, &v, &word).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a word from the list.
#[utoipa::path(delete, path = "/api/v1/sensitive-words", tag = "news", request_body = WordInput,
    responses((status = 204), (status = 403)))]
pub async fn remove_word(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<WordInput>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    super::service::remove_sensitive_word(&mut tx, &v, &input.word).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
