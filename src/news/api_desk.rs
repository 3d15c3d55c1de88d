//! Staff JSON API for an article's history, files, review settings, the sensitive-word list
//! and replies to readers, under `/api/v1`: what the desk pages do, for scripts.

use super::history::{self, Comparison};
use super::repo::{Event, Version};
use super::{attachments, comments, service};
use crate::error::AppResult;
use crate::files::Attachment;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;

/// Every saved version of an article, newest first.
#[utoipa::path(get, path = "/api/v1/articles/{id}/versions", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Version>), (status = 404)))]
pub async fn list_versions(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Version>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(history::versions(&mut tx, &v, id).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct CompareParams {
    /// The older version number.
    pub from: i32,
    /// The newer version number.
    pub to: i32,
}

/// Two versions compared line by line.
#[utoipa::path(get, path = "/api/v1/articles/{id}/compare", tag = "news",
    params(("id" = i64, Path), CompareParams),
    responses((status = 200, body = Comparison), (status = 404)))]
pub async fn compare_versions(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<CompareParams>,
) -> AppResult<Json<Comparison>> {
    let mut tx = state.db.read().await?;
    Ok(Json(history::compare(&mut tx, &v, id, q.from, q.to).await?))
}

/// The review trail: who submitted, approved, rejected, published or withdrew, when, with
/// what comment; oldest first.
#[utoipa::path(get, path = "/api/v1/articles/{id}/events", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>), (status = 404)))]
pub async fn list_events(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Event>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(history::trail(&mut tx, &v, id).await?))
}

/// An imported article's original text, kept beside the repaired draft, and the repair
/// report (kind, count, examples); 404 for an article not imported.
#[utoipa::path(get, path = "/api/v1/articles/{id}/import-origin", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = history::ImportOrigin), (status = 404)))]
pub async fn import_origin(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<history::ImportOrigin>> {
    let mut tx = state.db.read().await?;
    Ok(Json(history::import_origin(&mut tx, &v, id).await?))
}

/// Words of the sensitive-word list found in the article, for a reviewer or its author.
#[utoipa::path(get, path = "/api/v1/articles/{id}/sensitive-hits", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<String>), (status = 403), (status = 404)))]
pub async fn sensitive_hits(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<String>>> {
    let mut tx = state.db.read().await?;
    let a = service::load(&mut tx, &v, id).await?;
    Ok(Json(service::hits_for(&mut tx, &v, &a).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Files {
    pub files: Vec<Attachment>,
    /// The attachment shown as cover and share image.
    pub cover_id: Option<i64>,
}

/// The files attached to an article.
#[utoipa::path(get, path = "/api/v1/articles/{id}/attachments", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Files), (status = 404)))]
pub async fn list_attachments(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<Files>> {
    let mut tx = state.db.read().await?;
    let (files, cover_id) = attachments::of_article(&mut tx, &v, id).await?;
    Ok(Json(Files { files, cover_id }))
}

/// Attaches a file (multipart field `file`): an image, audio or video recognised by its
/// content (10, 50 and 200 MB at most), to a draft or rejected article.
#[utoipa::path(post, path = "/api/v1/articles/{id}/attachments", tag = "news", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::web::apidoc::FileUpload),
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = super::pages::upload_attachment(&state, &v, id, mp).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct CoverInput {
    pub attachment_id: i64,
}

/// Makes one of the article's images its cover and share image.
#[utoipa::path(put, path = "/api/v1/articles/{id}/cover", tag = "news", params(("id" = i64, Path)),
    request_body = CoverInput, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_cover(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Json(input): Json<CoverInput>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    attachments::choose_cover(&mut tx, &v, id, input.attachment_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
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
    Path(unit): Path<i64>,
) -> AppResult<Json<ReviewSteps>> {
    let mut tx = state.db.read().await?;
    Ok(Json(ReviewSteps {
        steps: service::review_steps(&mut tx, &v, unit).await?,
    }))
}

/// Sets a unit's review steps (unit admins over the unit).
#[utoipa::path(put, path = "/api/v1/units/{id}/review-steps", tag = "news", params(("id" = i64, Path)),
    request_body = ReviewSteps, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_review_steps(
    State(state): State<AppState>,
    v: Viewer,
    Path(unit): Path<i64>,
    Json(input): Json<ReviewSteps>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::set_review_steps(&mut tx, &v, unit, input.steps).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The sensitive-word list (city and county news managers).
#[utoipa::path(get, path = "/api/v1/sensitive-words", tag = "news",
    responses((status = 200, body = Vec<String>), (status = 403)))]
pub async fn list_words(State(state): State<AppState>, v: Viewer) -> AppResult<Json<Vec<String>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::sensitive_words(&mut tx, &v).await?))
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
    let mut tx = state.db.write().await?;
    service::add_sensitive_word(&mut tx, &v, &input.word).await?;
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
    service::remove_sensitive_word(&mut tx, &v, &input.word).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ReplyInput {
    pub body: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Replied {
    /// The article the reply appears under.
    pub article_id: i64,
}

/// An editor's or reviewer's reply under an approved comment, shown at once.
#[utoipa::path(post, path = "/api/v1/comments/{id}/replies", tag = "news", params(("id" = i64, Path)),
    request_body = ReplyInput,
    responses((status = 201, body = Replied), (status = 403), (status = 404), (status = 422)))]
pub async fn reply_comment(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Json(input): Json<ReplyInput>,
) -> AppResult<(StatusCode, Json<Replied>)> {
    let mut tx = state.db.write().await?;
    let article_id = comments::reply(&mut tx, &v, id, &input.body).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Replied { article_id })))
}
