//! Public reading pages, made for phones in WeChat's browser: the front page, column pages
//! with pagination, and the article page with large type, read-aloud, a share preview and a
//! read count. Only published articles are shown; no login needed.

use super::repo;
use super::service::*;
use crate::error::{AppError, AppResult};
use crate::ids::{ArticleId, ColumnId, FileId};
use crate::news::{Article, Column};
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "read/index.html")]
struct FrontPage {
    page: Page,
    latest: Vec<Article>,
    columns: Vec<Column>,
}

impl FrontPage {
    fn day(&self, a: &Article) -> String {
        day_of(a)
    }
}

/// The day an article was published, in China's time.
fn day_of(a: &Article) -> String {
    a.published_at
        .map(|t| {
            t.with_timezone(&crate::news::articles::model::china())
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_default()
}

pub async fn front(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let latest = repo::latest_published(&mut tx, 20).await?;
    let columns = crate::news::columns::repo::public_columns(&mut tx).await?;
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
        day_of(a)
    }
}

pub async fn column(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ColumnId>,
    Query(p): Query<PageParams>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (column, articles, has_more) = column_articles(&mut tx, id, &p).await?;
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
    comments: Vec<crate::news::comments::repo::Comment>,
    /// What became of the reader's last comment: pending, posted or reported.
    notice: Option<String>,
    signed_in: bool,
    /// Editors and reviewers may reply under a comment (the service checks the unit).
    can_reply: bool,
    files: Vec<crate::files::Attachment>,
    cover: Option<FileId>,
    /// Absolute address of the cover, for the share preview.
    og_image: Option<String>,
    /// Whether this reader has liked the article.
    liked: bool,
}

impl ArticlePage {
    /// Top-level comments, each with its replies.
    fn threads(
        &self,
    ) -> Vec<(
        &crate::news::comments::repo::Comment,
        Vec<&crate::news::comments::repo::Comment>,
    )> {
        self.comments
            .iter()
            .filter(|c| c.parent_id.is_none())
            .map(|c| {
                let replies = self
                    .comments
                    .iter()
                    .filter(|r| r.parent_id == Some(c.id))
                    .collect();
                (c, replies)
            })
            .collect()
    }
}

impl ArticlePage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::news::articles::pages::local_time(t)
    }
}

#[derive(serde::Deserialize)]
pub struct ArticleQuery {
    comment: Option<String>,
}

pub async fn article(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ctx: Ctx,
    Path(id): Path<ArticleId>,
    Query(q): Query<ArticleQuery>,
) -> AppResult<Response> {
    let (who, also) = crate::web::readers::reader_keys(&ctx);
    // A write: the read is counted.
    let mut tx = state.db.write().await?;
    let a = super::service::read(&mut tx, id, Some((&who, also.as_deref()))).await?;
    let comments = crate::news::comments::service::for_article(&mut tx, id).await?;
    let files = crate::files::service::of_article(&mut tx, id).await?;
    let cover = crate::news::articles::repo::cover_of(&mut tx, id).await?;
    let liked = crate::news::comments::service::has_liked(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    let og_image = cover.map(|c| format!("{}/files/{c}", base_url(&state, &headers)));
    let notice = q
        .comment
        .filter(|c| matches!(c.as_str(), "pending" | "posted" | "reported"));
    let published = a
        .published_at
        .map(|t| crate::news::articles::pages::local_time(&t))
        .unwrap_or_default();
    let tags = a
        .tags
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    html(&ArticlePage {
        page: Page::new(&ctx, "/read"),
        signed_in: ctx.full_principal().is_some(),
        can_reply: ctx.full_principal().is_some_and(|p| {
            p.can(crate::web::auth::Perm::ReviewNews) || p.can(crate::web::auth::Perm::ManageNews)
        }),
        a,
        published,
        tags,
        comments,
        notice,
        files,
        cover,
        og_image,
        liked,
    })
}

#[derive(Template)]
#[template(path = "read/print.html")]
struct PrintPage {
    page: Page,
    a: Article,
    published: String,
    /// The article's address, and its QR code (SVG) for a notice board.
    link: String,
    qr: String,
}

/// An article for paper: large type, no comments, a QR code that opens it on a phone (to
/// read it aloud or pass it on). Not counted as a read.
pub async fn print_article(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ctx: Ctx,
    Path(id): Path<ArticleId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let a = super::service::read(&mut tx, id, None).await?;
    drop(tx);
    let link = format!("{}/read/{id}", base_url(&state, &headers));
    let qr = crate::web::qr::svg(&link, 160)?;
    let published = a
        .published_at
        .map(|t| crate::news::articles::pages::local_time(&t))
        .unwrap_or_default();
    html(&PrintPage {
        page: Page::new(&ctx, "/read"),
        a,
        published,
        link,
        qr,
    })
}

/// One entry of a feed.
struct FeedItem {
    id: ArticleId,
    title: String,
    summary: String,
    rfc2822: String,
    rfc3339: String,
}

#[derive(Template)]
#[template(path = "read/rss.xml")]
struct RssFeed {
    base: String,
    column: Column,
    items: Vec<FeedItem>,
}

#[derive(Template)]
#[template(path = "read/atom.xml")]
struct AtomFeed {
    base: String,
    column: Column,
    items: Vec<FeedItem>,
    updated: String,
}

/// The site's address for absolute links (`web::base_url`).
fn base_url(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    crate::web::base_url(&state.config, headers)
}

#[derive(serde::Deserialize)]
pub struct FeedPath {
    id: ColumnId,
    format: String,
}

/// The feeds a column offers, by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FeedFormat {
    /// `rss.xml`, RSS 2.0.
    Rss,
    /// `atom.xml`.
    Atom,
}

impl FeedFormat {
    fn parse(s: &str) -> Option<FeedFormat> {
        match s {
            "rss.xml" => Some(FeedFormat::Rss),
            "atom.xml" => Some(FeedFormat::Atom),
            _ => None,
        }
    }
}

/// RSS 2.0 (`rss.xml`) or Atom (`atom.xml`) feed of a column's 30 newest articles.
pub async fn feed(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(p): Path<FeedPath>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let format = FeedFormat::parse(&p.format).ok_or(AppError::NotFound)?;
    let mut tx = state.db.read().await?;
    let column = crate::news::columns::repo::column(&mut tx, p.id)
        .await?
        .filter(|c| c.active)
        .ok_or(AppError::NotFound)?;
    let articles = repo::published_in_column(&mut tx, p.id, 30, 0).await?;
    drop(tx);
    let items: Vec<FeedItem> = articles
        .iter()
        .map(|a| {
            let at = a.published_at.unwrap_or(a.updated_at);
            FeedItem {
                id: a.id,
                title: a.title.clone(),
                summary: a.summary.clone().unwrap_or_default(),
                rfc2822: at.to_rfc2822(),
                rfc3339: at.to_rfc3339(),
            }
        })
        .collect();
    let base = base_url(&state, &headers);
    let (body, ctype) = match format {
        FeedFormat::Rss => (
            RssFeed {
                base,
                column,
                items,
            }
            .render(),
            "application/rss+xml; charset=utf-8",
        ),
        FeedFormat::Atom => {
            let updated = items
                .first()
                .map(|i| i.rfc3339.clone())
                .unwrap_or_else(|| chrono::Utc::now().to_rfc3339());
            (
                AtomFeed {
                    base,
                    column,
                    items,
                    updated,
                }
                .render(),
                "application/atom+xml; charset=utf-8",
            )
        }
    };
    let body = body.map_err(|e| AppError::Internal(e.into()))?;
    Ok(([(axum::http::header::CONTENT_TYPE, ctype)], body).into_response())
}
