//! Comments JSON API under `/api/v1`: posting, moderating, replying; the public list, likes
//! and reports.

use super::model::{CommentDraft, CommentInput, Verdict, parse_reply};
use super::repo;
use super::service;
use crate::error::AppResult;
use crate::ids::{ArticleId, CommentId};
use crate::news::Comment;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use crate::web::session::Ctx;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// Posts a comment on a published article: from the public it waits for moderation, from
/// a signed-in account it appears at once. `parent_id` answers a shown comment (threads are
/// one level deep: answering a reply answers its thread). At most 20 an hour from one network
/// address.
#[utoipa::path(post, path = "/api/v1/public/articles/{id}/comments", tag = "news", params(("id" = i64, Path)),
    request_body = CommentInput,
    responses((status = 201, body = Posted), (status = 404), (status = 422), (status = 429)))]
pub async fn post_comment(
    State(state): State<AppState>,
    ctx: crate::web::session::Ctx,
    Path(id): Path<ArticleId>,
    Json(input): Json<CommentInput>,
) -> AppResult<(StatusCode, Json<Posted>)> {
    let comment = CommentDraft::parse(&input, ctx.full_principal().is_some())?;
    let mut tx = state.db.write().await?;
    let pending = service::post(&mut tx, &ctx, id, &comment).await?;
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
    responses((status = 200, body = Vec<repo::Comment>), (status = 403)))]
pub async fn pending_comments(
    State(state): State<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<repo::Comment>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::pending(&mut tx, &v).await?))
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
    Path(id): Path<CommentId>,
    Json(m): Json<Moderation>,
) -> AppResult<StatusCode> {
    let mut f = Fields::new();
    let verdict = f.choice("action", Some(&m.action), Verdict::parse);
    let verdict = f.done(verdict)?;
    let mut tx = state.db.write().await?;
    service::moderate(&mut tx, &v, id, verdict).await?;
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
    pub article_id: ArticleId,
}

/// An editor's or reviewer's reply under an approved comment, shown at once.
#[utoipa::path(post, path = "/api/v1/comments/{id}/replies", tag = "news", params(("id" = i64, Path)),
    request_body = ReplyInput,
    responses((status = 201, body = Replied), (status = 403), (status = 404), (status = 422)))]
pub async fn reply_comment(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CommentId>,
    Json(input): Json<ReplyInput>,
) -> AppResult<(StatusCode, Json<Replied>)> {
    let body = parse_reply(Some(&input.body))?;
    let mut tx = state.db.write().await?;
    let article_id = service::reply(&mut tx, &v, id, &body).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Replied { article_id })))
}

/// The approved comments of a published article, with replies, oldest first.
#[utoipa::path(get, path = "/api/v1/public/articles/{id}/comments", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Comment>), (status = 404)))]
pub async fn list_comments(
    State(state): State<AppState>,
    Path(id): Path<ArticleId>,
) -> AppResult<Json<Vec<Comment>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::public_of(&mut tx, id).await?))
}

/// Likes a published article (once per reader; liking again changes nothing).
#[utoipa::path(post, path = "/api/v1/public/articles/{id}/like", tag = "news", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn like_article(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ArticleId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::like(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reports an approved comment; three readers' reports send it back to moderation.
#[utoipa::path(post, path = "/api/v1/public/comments/{id}/report", tag = "news", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn report_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<CommentId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::report(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
