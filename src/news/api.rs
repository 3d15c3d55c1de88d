//! Publishing JSON API under `/api/v1`: columns, articles, decisions, the review queue and
//! public reads.

use super::model::State as ArticleState;
use super::repo::{Article, Column};
use super::service::{self, ArticleInput, ColumnInput, DecisionInput};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Created;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/columns", tag = "news",
    responses((status = 200, body = Vec<Column>), (status = 403)))]
pub async fn list_columns(
    State(state): State<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<Column>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::columns(&mut tx, &v).await?))
}

#[utoipa::path(post, path = "/api/v1/columns", tag = "news", request_body = ColumnInput,
    responses((status = 201, body = Created), (status = 403), (status = 422)))]
pub async fn create_column(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<ColumnInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = state.db.write().await?;
    let id = service::create_column(&mut tx, &v, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

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
    let mut tx = state.db.read().await?;
    Ok(Json(
        service::desk(
            &mut tx,
            &v,
            q.state.as_deref(),
            PageParams::SIZE,
            paging.offset(),
        )
        .await?,
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
    let mut tx = state.db.write().await?;
    let id = service::create_article(&mut tx, &v, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Article), (status = 404)))]
pub async fn show_article(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<Article>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::load(&mut tx, &v, id).await?))
}

/// Saves a new version of a draft or rejected article.
#[utoipa::path(put, path = "/api/v1/articles/{id}", tag = "news", params(("id" = i64, Path)),
    request_body = ArticleInput, responses((status = 204), (status = 404), (status = 422)))]
pub async fn update_article(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Json(input): Json<ArticleInput>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::update_article(&mut tx, &v, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    Path(id): Path<i64>,
    Json(input): Json<DecisionInput>,
) -> AppResult<Json<Decided>> {
    let mut tx = state.db.write().await?;
    let to = service::decide(&mut tx, &v, id, &input).await?;
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
    Ok(Json(service::queue(&mut tx, &v).await?))
}

/// What anyone may read of a published article (no staff fields).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PublicArticle {
    pub id: i64,
    pub column_id: i64,
    pub column_name: String,
    pub unit_name: String,
    pub title: String,
    pub summary: Option<String>,
    /// Sanitised HTML.
    pub body_html: String,
    pub tags: String,
    pub source: Option<String>,
    pub correspondent_name: Option<String>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub read_count: i64,
    pub like_count: i64,
}

/// A published article, for anyone.
#[utoipa::path(get, path = "/api/v1/public/articles/{id}", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = PublicArticle), (status = 404)))]
pub async fn public_article(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<PublicArticle>> {
    let mut tx = state.db.write().await?;
    let a = service::read(&mut tx, id, None).await?;
    tx.commit().await?;
    Ok(Json(a.into()))
}

impl From<Article> for PublicArticle {
    fn from(a: Article) -> Self {
        PublicArticle {
            id: a.id,
            column_id: a.column_id,
            column_name: a.column_name,
            unit_name: a.unit_name,
            title: a.title,
            summary: a.summary,
            body_html: a.body_html,
            tags: a.tags,
            source: a.source,
            correspondent_name: a.correspondent_name,
            published_at: a.published_at,
            read_count: a.read_count,
            like_count: a.like_count,
        }
    }
}

/// Posts a comment on a published article: from the public it waits for moderation, from
/// a signed-in account it appears at once. `parent_id` answers a shown comment (threads are
/// one level deep: answering a reply answers its thread). At most 20 an hour from one network
/// address.
#[utoipa::path(post, path = "/api/v1/public/articles/{id}/comments", tag = "news", params(("id" = i64, Path)),
    request_body = super::comments::CommentInput,
    responses((status = 201, body = Posted), (status = 404), (status = 422), (status = 429)))]
pub async fn post_comment(
    State(state): State<AppState>,
    ctx: crate::web::session::Ctx,
    Path(id): Path<i64>,
    Json(input): Json<super::comments::CommentInput>,
) -> AppResult<(StatusCode, Json<Posted>)> {
    let mut tx = state.db.write().await?;
    let pending = super::comments::post(&mut tx, &ctx, id, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Posted { pending })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Posted {
    /// The comment waits for moderation.
    pub pending: bool,
}

/// Comments waiting for the caller's moderation, oldest first.
#[utoipa::path(get, path = "/api/v1/comments/pending", tag = "news",
    responses((status = 200, body = Vec<super::comments_repo::Comment>), (status = 403)))]
pub async fn pending_comments(
    State(state): State<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<super::comments_repo::Comment>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(super::comments::pending(&mut tx, &v).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Moderation {
    /// approve or reject.
    pub action: String,
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/moderation", tag = "news", params(("id" = i64, Path)),
    request_body = Moderation, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn moderate_comment(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Json(m): Json<Moderation>,
) -> AppResult<StatusCode> {
    let approve = match m.action.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(crate::error::AppError::field("action", "validation.choice")),
    };
    let mut tx = state.db.write().await?;
    super::comments::moderate(&mut tx, &v, id, approve).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
