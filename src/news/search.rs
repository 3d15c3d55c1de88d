//! Article search: readers find published articles, staff also their drafts in scope. The
//! query is folded (Traditional → Simplified) and matched through the full-text index; each
//! result carries a snippet with the matches marked.

use super::repo::Article;
use super::search_repo as repo;
use crate::access::Perm;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::search::text::highlight;
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;

/// The staff search with PostgreSQL's narrow plan taken for scopes of up to a given number
/// of units (tests compare the two plans).
pub use super::search_repo::for_staff_planned;

/// Longest query accepted, in characters.
const MAX_QUERY: usize = 100;

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// What to look for: words or characters, Simplified or Traditional.
    pub q: Option<String>,
    pub page: Option<i64>,
}

/// One result: the article and a snippet as segments `(text, is_match)`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: i64,
    pub title: String,
    pub column_name: String,
    pub unit_name: String,
    pub state: String,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `[text, is_match]` pairs.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub title_marks: Vec<(String, bool)>,
    /// `[text, is_match]` pairs.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub snippet: Vec<(String, bool)>,
}

fn hit(a: Article, q: &str) -> Hit {
    let body_text = format!(
        "{} {}",
        a.summary.as_deref().unwrap_or(""),
        crate::search::html::text_of(&a.body_html)
    );
    Hit {
        title_marks: highlight(&a.title, q, 80),
        snippet: highlight(&body_text, q, 90),
        id: a.id,
        title: a.title,
        column_name: a.column_name,
        unit_name: a.unit_name,
        state: a.state,
        published_at: a.published_at,
    }
}

fn query_of(q: &SearchQuery) -> AppResult<Option<String>> {
    match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > MAX_QUERY => {
            Err(AppError::field("q", "validation.too_long"))
        }
        Some(s) => Ok(Some(s.to_string())),
    }
}

/// One page of published articles for anyone.
pub struct PublicResults {
    pub q: Option<String>,
    pub hits: Vec<Hit>,
    /// Another page follows.
    pub more: bool,
    /// The last page, and older matches were left out: only the most recent
    /// [`CANDIDATES`](crate::search::index::CANDIDATES) matches are ranked.
    pub capped: bool,
}

/// Published articles for anyone.
pub async fn public(tx: &mut Tx, q: &SearchQuery) -> AppResult<PublicResults> {
    let Some(text) = query_of(q)? else {
        return Ok(PublicResults {
            q: None,
            hits: Vec::new(),
            more: false,
            capped: false,
        });
    };
    let paging = PageParams { page: q.page };
    let mut found = repo::published(tx, &text, PageParams::SIZE + 1, paging.offset()).await?;
    let more = found.len() as i64 > PageParams::SIZE;
    found.truncate(PageParams::SIZE as usize);
    let cap = crate::search::index::CANDIDATES;
    // Drafts and withdrawn articles take places in the cut too, so the last page may come
    // before the cut's size: ask the index, on the last page only.
    let capped = !more && crate::search::index::more_than(tx, "article", &text, cap).await?;
    Ok(PublicResults {
        hits: found.into_iter().map(|a| hit(a, &text)).collect(),
        q: Some(text),
        more,
        capped,
    })
}

/// Everything the caller may see as staff, drafts included.
pub async fn staff(
    tx: &mut Tx,
    v: &Viewer,
    q: &SearchQuery,
) -> AppResult<(Option<String>, Vec<Hit>)> {
    let s = v.scope(Perm::ReadDrafts)?;
    let Some(text) = query_of(q)? else {
        return Ok((None, Vec::new()));
    };
    let found = repo::for_staff(tx, &s, &text, 100).await?;
    Ok((
        Some(text.clone()),
        found.into_iter().map(|a| hit(a, &text)).collect(),
    ))
}

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
    let mut tx = state.db.read().await?;
    let r = public(&mut tx, &q).await?;
    html(&SearchPage {
        page: Page::new(&ctx, "/read"),
        q: r.q,
        hits: r.hits,
        staff: false,
        page_no: PageParams { page: q.page }.page(),
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

/// Published articles matching `q`, best first, with marked snippets.
#[utoipa::path(get, path = "/api/v1/public/search", tag = "news", params(SearchQuery),
    responses((status = 200, body = Vec<Hit>), (status = 422)))]
pub async fn api_public(
    State(state): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<Vec<Hit>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(public(&mut tx, &q).await?.hits))
}

/// Articles the caller may see as staff matching `q` (drafts in scope included).
#[utoipa::path(get, path = "/api/v1/articles/search", tag = "news", params(SearchQuery),
    responses((status = 200, body = Vec<Hit>), (status = 403), (status = 422)))]
pub async fn api_staff(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<Vec<Hit>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(staff(&mut tx, &v, &q).await?.1))
}
