//! Articles JSON API under `/api/v1`: the desk, drafts, versions, the trail, import origins
//! and files.

use super::history::Comparison;
use super::model::{ArticleDraft, ArticleInput};
use crate::error::AppResult;
use crate::files::Attachment;
use crate::ids::{ArticleId, FileId};
use crate::news::{Article, Event, Version};
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::{Created, PageParams};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ArticleQuery {
    /// Only articles in this state (draft, submitted, first_approved, approved, published,
    /// rejected, withdrawn).
    pub state: Option<String>,
    pub page: Option<i64>,
}

/// Articles the caller may see as staff (their units' and their own), newest change first.
#[utoipa::path(get, path = "/api/v1/articles", tag = "news", params(ArticleQuery),
    responses((status = 200, body = Vec<Article>), (status = 403), (status = 422)))]
pub async fn list_articles(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ArticleQuery>,
) -> AppResult<Json<Vec<Article>>> {
    let paging = PageParams { page: q.page };
    let states = super::service::state_filter(q.state.as_deref())?;
    let mut tx = state.db.read().await?;
    Ok(Json(
        super::service::desk(&mut tx, &v, states, PageParams::SIZE, paging.offset()).await?,
    ))
}

/// Creates a draft (version 1).
#[utoipa::path(post, path = "/api/v1/articles", tag = "news", request_body = ArticleInput,
    responses((status = 201, body = Created), (status = 403), (status = 422)))]
pub async fn create_article(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<ArticleInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let draft = ArticleDraft::parse(&input)?;
    let mut tx = state.db.write().await?;
    let id = super::service::create_article(&mut tx, &v, &draft).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Article), (status = 404)))]
pub async fn show_article(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
) -> AppResult<Json<Article>> {
    let mut tx = state.db.read().await?;
    Ok(Json(super::service::load(&mut tx, &v, id).await?))
}

/// Saves a new version of a draft or rejected article.
#[utoipa::path(put, path = "/api/v1/articles/{id}", tag = "news", params(("id" = i64, Path)),
    request_body = ArticleInput, responses((status = 204), (status = 404), (status = 422)))]
pub async fn update_article(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
    Json(input): Json<ArticleInput>,
) -> AppResult<StatusCode> {
    let draft = ArticleDraft::parse(&input)?;
    let mut tx = state.db.write().await?;
    super::service::update_article(&mut tx, &v, id, &draft).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every saved version of an article, newest first.
#[utoipa::path(get, path = "/api/v1/articles/{id}/versions", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Version>), (status = 404)))]
pub async fn list_versions(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
) -> AppResult<Json<Vec<Version>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(super::history::versions(&mut tx, &v, id).await?))
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
    Path(id): Path<ArticleId>,
    Query(q): Query<CompareParams>,
) -> AppResult<Json<Comparison>> {
    let mut tx = state.db.read().await?;
    Ok(Json(
        super::history::compare(&mut tx, &v, id, q.from, q.to).await?,
    ))
}

/// The review trail: who submitted, approved, rejected, published or withdrew, when, with
/// what comment; oldest first.
#[utoipa::path(get, path = "/api/v1/articles/{id}/events", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>), (status = 404)))]
pub async fn list_events(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
) -> AppResult<Json<Vec<Event>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(super::history::trail(&mut tx, &v, id).await?))
}

/// An imported article's original text, kept beside the repaired draft, and the repair
/// report (kind, count, examples); 404 for an article not imported.
#[utoipa::path(get, path = "/api/v1/articles/{id}/import-origin", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = super::history::ImportOrigin), (status = 404)))]
pub async fn import_origin(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
) -> AppResult<Json<super::history::ImportOrigin>> {
    let mut tx = state.db.read().await?;
    Ok(Json(super::history::import_origin(&mut tx, &v, id).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Files {
    pub files: Vec<Attachment>,
    /// The attachment shown as cover and share image.
    pub cover_id: Option<FileId>,
}

/// The files attached to an article.
#[utoipa::path(get, path = "/api/v1/articles/{id}/attachments", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Files), (status = 404)))]
pub async fn list_attachments(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
) -> AppResult<Json<Files>> {
    let mut tx = state.db.read().await?;
    let (files, cover_id) = super::attachments::of_article(&mut tx, &v, id).await?;
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
    Path(id): Path<ArticleId>,
    mp: Multipart,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = super::pages::upload_attachment(&state, &v, id, mp).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct CoverInput {
    pub attachment_id: FileId,
}

/// Makes one of the article's images its cover and share image.
#[utoipa::path(put, path = "/api/v1/articles/{id}/cover", tag = "news", params(("id" = i64, Path)),
    request_body = CoverInput, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_cover(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
    Json(input): Json<CoverInput>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    super::attachments::choose_cover(&mut tx, &v, id, input.attachment_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
