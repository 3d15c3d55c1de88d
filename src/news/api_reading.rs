//! Public JSON API of the reading side under `/api/v1/public`: columns and their published
//! articles, an article's comments, likes and reports. No account needed.

use super::api::PublicArticle;
use super::comments;
use super::comments_repo::Comment;
use super::reading;
use super::repo::Column;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::session::Ctx;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

/// The columns readers can open.
#[utoipa::path(get, path = "/api/v1/public/columns", tag = "news",
    responses((status = 200, body = Vec<Column>)))]
pub async fn list_columns(State(state): State<AppState>) -> AppResult<Json<Vec<Column>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(reading::columns(&mut tx).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ColumnArticles {
    pub column: Column,
    pub articles: Vec<PublicArticle>,
    /// Another page follows.
    pub has_more: bool,
}

/// One page (20) of a column's published articles, newest first.
#[utoipa::path(get, path = "/api/v1/public/columns/{id}/articles", tag = "news",
    params(("id" = i64, Path), PageParams),
    responses((status = 200, body = ColumnArticles), (status = 404)))]
pub async fn column_articles(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(p): Query<PageParams>,
) -> AppResult<Json<ColumnArticles>> {
    let mut tx = state.db.read().await?;
    let (column, articles, has_more) = reading::column_articles(&mut tx, id, &p).await?;
    Ok(Json(ColumnArticles {
        column,
        articles: articles.into_iter().map(PublicArticle::from).collect(),
        has_more,
    }))
}

/// The approved comments of a published article, with replies, oldest first.
#[utoipa::path(get, path = "/api/v1/public/articles/{id}/comments", tag = "news", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Comment>), (status = 404)))]
pub async fn list_comments(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Comment>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(comments::public_of(&mut tx, id).await?))
}

/// Likes a published article (once per reader; liking again changes nothing).
#[utoipa::path(post, path = "/api/v1/public/articles/{id}/like", tag = "news", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn like_article(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    comments::like(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reports an approved comment; three readers' reports send it back to moderation.
#[utoipa::path(post, path = "/api/v1/public/comments/{id}/report", tag = "news", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn report_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    comments::report(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
