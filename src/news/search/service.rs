//! Article search: readers find published articles, staff also their drafts in scope. The
//! query is folded (Traditional → Simplified) and matched through the full-text index; each
//! result carries a snippet with the matches marked.

use super::model::Search;
use super::repo;
use crate::access::Perm;
use crate::db::Tx;
use crate::error::AppResult;
use crate::news::Article;
use crate::search::text::highlight;
use crate::web::PageParams;
use crate::web::auth::Viewer;

/// One result: the article and a snippet as segments `(text, is_match)`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: crate::ids::ArticleId,
    pub title: String,
    pub column_name: String,
    pub unit_name: String,
    pub state: crate::news::model::State,
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
pub async fn public(tx: &mut Tx, q: &Search) -> AppResult<PublicResults> {
    let Some(text) = q.text.clone() else {
        return Ok(PublicResults {
            q: None,
            hits: Vec::new(),
            more: false,
            capped: false,
        });
    };
    let paging = q.paging;
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
pub async fn staff(tx: &mut Tx, v: &Viewer, q: &Search) -> AppResult<(Option<String>, Vec<Hit>)> {
    let s = v.scope(Perm::ReadDrafts)?;
    let Some(text) = q.text.clone() else {
        return Ok((None, Vec::new()));
    };
    let found = repo::for_staff(tx, &s, &text, 100).await?;
    Ok((
        Some(text.clone()),
        found.into_iter().map(|a| hit(a, &text)).collect(),
    ))
}

/// Re-indexes one batch (at most `limit`) of the articles indexed by an older tokenizer
/// (after a search upgrade); returns how many it took, 0 when none is left. The caller
/// (start-up) runs batches until none is left, each batch its own transaction.
pub async fn reindex_stale_batch(tx: &mut Tx, limit: i64) -> Result<usize, sqlx::Error> {
    let ids = crate::search::index::stale(tx, "article", limit).await?;
    for id in &ids {
        if let Some(a) = crate::news::articles::repo::get(tx, crate::ids::ArticleId(*id)).await? {
            repo::index(
                tx,
                a.id,
                &a.title,
                a.summary.as_deref(),
                &a.body_html,
                &a.tags,
            )
            .await?;
        } else {
            crate::search::index::remove(tx, "article", *id).await?;
        }
    }
    Ok(ids.len())
}
