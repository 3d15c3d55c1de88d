//! Public JSON API of the reading side under `/api/v1/public`: published articles and the
//! columns with their articles. No account needed.

use super::service;
use crate::error::AppResult;
use crate::ids::{ArticleId, ColumnId};
use crate::news::{Article, Column};
use crate::state::AppState;
use crate::web::PageParams;
use axum::Json;
use axum::extract::{Path, Query, State};

/// What anyone may read of a published article (no staff fields).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PublicArticle {
    pub id: ArticleId,
    pub column_id: ColumnId,
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
    Path(id): Path<ArticleId>,
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

/// The columns readers can open.
#[utoipa::path(get, path = "/api/v1/public/columns", tag = "news",
    responses((status = 200, body = Vec<Column>)))]
pub async fn list_columns(State(state): State<AppState>) -> AppResult<Json<Vec<Column>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::columns(&mut tx).await?))
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
    Path(id): Path<ColumnId>,
    Query(p): Query<PageParams>,
) -> AppResult<Json<ColumnArticles>> {
    let mut tx = state.db.read().await?;
    let (column, articles, has_more) = service::column_articles(&mut tx, id, &p).await?;
    Ok(Json(ColumnArticles {
        column,
        articles: articles.into_iter().map(PublicArticle::from).collect(),
        has_more,
    }))
}
