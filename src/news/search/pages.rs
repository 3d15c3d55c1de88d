//! Search pages: the public search and the staff search.

use super::model::{Search, SearchQuery};
use super::service::*;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
/// The staff search with PostgreSQL's narrow plan taken for scopes of up to a given number
/// of units (tests compare the two plans).

#[derive(Template)]
#[template(path = "read/search.html")]
struct SearchPage {
    page: Page,
    q: Option<String>,
    hits: Vec<Hit>,
    staff: bool,
    page_no: i64,
    has_more: bool,
    /// Older matches beyond the ranked cut were left out (public search, last page).
    capped: bool,
}

/// Public search page (`/read/search?q=`).
pub async fn public_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let q = Search::parse(&q)?;
    let mut tx = state.db.read().await?;
    let r = public(&mut tx, &q).await?;
    html(&SearchPage {
        page: Page::new(&ctx, "/read"),
        q: r.q,
        hits: r.hits,
        staff: false,
        page_no: q.paging.page(),
        has_more: r.more,
        capped: r.capped,
    })
}

/// Staff search page (`/news/search?q=`), drafts in scope included.
pub async fn staff_page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let q = Search::parse(&q)?;
    let mut tx = state.db.read().await?;
    let (text, hits) = staff(&mut tx, &v, &q).await?;
    html(&SearchPage {
        page: Page::new(&v.ctx, "/news"),
        q: text,
        hits,
        staff: true,
        page_no: 1,
        has_more: false,
        capped: false,
    })
}
