//! Public reading pages, made for phones in WeChat's browser: the front page, column pages
//! with pagination, and the article page with large type, read-aloud, a share preview and a
//! read count. Only published articles are shown; no login needed.

use super::repo::{self, Article, Column};
use super::service;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use sha2::{Digest, Sha256};

#[derive(Template)]
#[template(path = "read/index.html")]
struct FrontPage {
    page: Page,
    latest: Vec<Article>,
    columns: Vec<Column>,
}

pub async fn front(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let latest = repo::latest_published(&mut tx, 20).await?;
    let columns = repo::public_columns(&mut tx).await?;
    html(&FrontPage {
        page: Page::new(&ctx, "/read"),
        latest,
        columns,
    })
}

#[derive(Template)]
#[template(path = "read/column.html")]
struct ColumnPage {
    page: Page,
    column: Column,
    articles: Vec<Article>,
    page_no: i64,
    has_more: bool,
}

impl ColumnPage {
    fn day(&self, a: &Article) -> String {
        a.published_at
            .map(|t| {
                t.with_timezone(&service::china())
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default()
    }
}

pub async fn column(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<PageParams>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let column = repo::column(&mut tx, id)
        .await?
        .filter(|c| c.active)
        .ok_or(AppError::NotFound)?;
    let mut articles =
        repo::published_in_column(&mut tx, id, PageParams::SIZE + 1, p.offset()).await?;
    let has_more = articles.len() as i64 > PageParams::SIZE;
    articles.truncate(PageParams::SIZE as usize);
    html(&ColumnPage {
        page: Page::new(&ctx, "/read"),
        column,
        articles,
        page_no: p.page(),
        has_more,
    })
}

#[derive(Template)]
#[template(path = "read/article.html")]
struct ArticlePage {
    page: Page,
    a: Article,
    published: String,
    tags: Vec<String>,
}

/// Who is reading, for "one read per visitor per day": the browser's anonymous cookie when
/// it already had one, else address and browser. Only a hash is stored.
fn visitor(ctx: &Ctx) -> String {
    let basis = if ctx.new_pre_cookie {
        format!("{}|{}", ctx.ip, ctx.user_agent)
    } else {
        ctx.csrf.clone()
    };
    hex::encode(&Sha256::digest(basis.as_bytes())[..16])
}

pub async fn article(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let a = service::read(&state, id, Some(&visitor(&ctx))).await?;
    let published = a
        .published_at
        .map(|t| super::pages::local_time(&t))
        .unwrap_or_default();
    let tags = a
        .tags
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    html(&ArticlePage {
        page: Page::new(&ctx, "/read"),
        a,
        published,
        tags,
    })
}
