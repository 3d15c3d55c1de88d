//! SQL of article search: the full-text index joined to articles, visibility filtered in
//! the same statement (published for the public; the caller's scope or own for staff).

use crate::access::Scope;
use crate::db::Tx;
use crate::news::Article;
use crate::news::articles::repo::{ARTICLE_COLS, ARTICLE_JOINS};
use crate::search::text::{Backend, match_query};

/// The text of an article that search sees: title, summary, tags and the text a reader sees
/// of the body (from its sanitised HTML, so no Markdown marks or tags are indexed).
pub fn indexed_text(title: &str, summary: Option<&str>, body_html: &str, tags: &str) -> String {
    format!(
        "{title}\n{}\n{tags}\n{}",
        summary.unwrap_or(""),
        crate::search::html::text_of(body_html)
    )
}

/// Indexes an article (same transaction as the article itself); `body_html` is the body as
/// rendered and sanitised (`model::render_body`).
pub async fn index(
    tx: &mut Tx,
    id: crate::ids::ArticleId,
    title: &str,
    summary: Option<&str>,
    body_html: &str,
    tags: &str,
) -> Result<(), sqlx::Error> {
    crate::search::index::put(
        tx,
        "article",
        id.0,
        &indexed_text(title, summary, body_html, tags),
    )
    .await
}

/// Published articles matching `q`, best first, ranked among the most recent
/// [`CANDIDATES`](crate::search::index::CANDIDATES) matches (ten pages; nearly every
/// indexed article is published). With 1,000 candidates the public search of a frequent
/// word over 200,000 articles served 35 requests a second on PostgreSQL (docs/PERFORMANCE.md).
pub async fn published(
    tx: &mut Tx,
    q: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Article>, sqlx::Error> {
    let Some(m) = match_query(q, Backend::of(tx)) else {
        return Ok(Vec::new());
    };
    let tail = " WHERE a.state = 'published' ORDER BY h.score DESC, a.id DESC LIMIT $2 OFFSET $3";
    // A frequent query of one to three characters is answered from its recent-match list (the
    // same candidates and ranking, without the full-text index's reads; `search::lists`).
    let listed = crate::search::index::listed_token(tx, "article", q).await?;
    let (term, hits) = match (&listed, &*tx) {
        (Some(token), Tx::Sqlite(_)) => {
            (token.clone(), crate::list_hits!(sqlite, "$1", "'article'"))
        }
        (Some(token), Tx::Postgres(_)) => (
            token.clone(),
            crate::list_hits!(postgres, "$1", "'article'"),
        ),
        (None, Tx::Sqlite(_)) => (m, crate::search_hits!(sqlite, "$1", "'article'")),
        (None, Tx::Postgres(_)) => (m, crate::search_hits!(postgres, "$1", "'article'")),
    };
    let sql = format!(
        "SELECT {ARTICLE_COLS} FROM {hits} h JOIN articles a ON a.id = h.doc_id{ARTICLE_JOINS}{tail}"
    );
    crate::on_tx!(tx, c => sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql))
        .bind(term).bind(limit).bind(offset).fetch_all(c).await)
}

/// The staff search's condition inside the candidate cut: the caller's own articles and those
/// of the units in scope, read once as a set (a county's few thousand articles) through the
/// grants, then tested per match. Testing the scope row by row instead took 120–300 ms for a
/// county editor over a province's 200,000 articles (docs/PERFORMANCE.md).
macro_rules! staff_filter {
    () => {
        concat!(
            "s.doc_id IN (SELECT sa.id FROM articles sa WHERE sa.unit_id IN ",
            crate::scope_units!(),
            " UNION SELECT sa.id FROM articles sa WHERE sa.author_id = $2)"
        )
    };
}

/// Units in scope up to which PostgreSQL's staff search starts from the scope's articles
/// (a county has about 340, a city about 2,900, the province 40,000).
const NARROW_SCOPE_UNITS: i64 = 5_000;

/// Whether the scope reaches at most `narrow` units (counted with a cap).
async fn narrow_scope(
    t: &mut sqlx::PgConnection,
    s: &Scope,
    narrow: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM ",
        crate::scope_units!(),
        " su LIMIT $4) x"
    ))
    .bind(s.all)
    .bind(s.account)
    .bind(s.roles)
    .bind(narrow + 1)
    .fetch_one(t)
    .await?;
    Ok(n <= narrow)
}

/// PostgreSQL's candidate cut for a narrow scope: the scope's articles newest first (each
/// unit's through `articles_unit`, and the caller's own), each probed in the index until 200
/// match. The `OFFSET 0` fences keep the planner from flattening the probes into a merge with
/// a backward scan of every indexed article, which tested the tokens of all 200,000 articles
/// of a province for a county editor (about 1 s, docs/PERFORMANCE.md).
macro_rules! narrow_staff_hits {
    () => {
        concat!(
            "(SELECT c.doc_id, ts_rank(c.tokens, to_tsquery('simple', $4))::float8 AS score FROM (",
            "SELECT p.doc_id, p.tokens FROM (SELECT m.id FROM (",
            "SELECT sa.id FROM ",
            crate::scope_units!(),
            " su CROSS JOIN LATERAL (SELECT sa.id FROM articles sa WHERE sa.unit_id = su.id OFFSET 0) sa",
            " UNION SELECT sa.id FROM articles sa WHERE sa.author_id = $2) m ORDER BY m.id DESC) m",
            " CROSS JOIN LATERAL (SELECT s.doc_id, s.tokens FROM search_docs s WHERE s.kind = 'article'",
            " AND s.doc_id = m.id AND s.tokens @@ to_tsquery('simple', $4) OFFSET 0) p",
            " ORDER BY m.id DESC LIMIT 200) c)"
        )
    };
}

/// Articles matching `q` that staff may see (units in scope, or their own), in any state,
/// best first.
pub async fn for_staff(
    tx: &mut Tx,
    s: &Scope,
    q: &str,
    limit: i64,
) -> Result<Vec<Article>, sqlx::Error> {
    for_staff_planned(tx, s, q, limit, NARROW_SCOPE_UNITS).await
}

/// [`for_staff`], with PostgreSQL's narrow plan taken for scopes of up to `narrow_units`
/// units (tests compare the two plans; SQLite has one).
pub async fn for_staff_planned(
    tx: &mut Tx,
    s: &Scope,
    q: &str,
    limit: i64,
    narrow_units: i64,
) -> Result<Vec<Article>, sqlx::Error> {
    let Some(m) = match_query(q, Backend::of(tx)) else {
        return Ok(Vec::new());
    };
    // The scope takes $1–$3 as everywhere (see `in_scope!`); the match is $4. The scope is
    // tested inside the candidate cut (on PostgreSQL, for scopes of up to 5,000 units): a
    // town's editor in a province must find their own drafts even when thousands of newer
    // matches elsewhere come first. A wider scope on PostgreSQL is tested after the cut, so
    // matches older than the 200 most recent in the whole index are not found (the same as
    // the public search; for the province's own scope nothing else is lost).
    let tail = " ORDER BY h.score DESC, a.id DESC LIMIT $5";
    // PostgreSQL's wide scopes take the public search's candidates, from a recent-match list
    // when the query has one.
    let listed = match Backend::of(tx) {
        Backend::Postgres => crate::search::index::listed_token(tx, "article", q).await?,
        Backend::Sqlite => None,
    };
    match tx {
        Tx::Sqlite(t) => {
            let sql = format!(
                "SELECT {ARTICLE_COLS} FROM {} h JOIN articles a ON a.id = h.doc_id{ARTICLE_JOINS}{tail}",
                crate::search_hits!(sqlite, "$4", "'article'", 200, "", staff_filter!())
            );
            sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql))
                .bind(s.all)
                .bind(s.account)
                .bind(s.roles)
                .bind(m)
                .bind(limit)
                .fetch_all(&mut **t)
                .await
        }
        // PostgreSQL tests a match's tokens before its scope, so a narrow scope (a county's
        // 1,700 of a province's 200,000 articles) starts from the scope's articles instead.
        Tx::Postgres(t) => {
            let wide = concat!(" WHERE (a.author_id = $2 OR ", crate::in_scope!("u"), ")");
            let (hits, scope, term) = if narrow_scope(t, s, narrow_units).await? {
                (narrow_staff_hits!(), "", m)
            } else if let Some(token) = listed {
                (crate::list_hits!(postgres, "$4", "'article'"), wide, token)
            } else {
                // A wide scope holds most matches: the public search's plan, its 200 most
                // recent matches, then each tested against the grants. Inside the cut the
                // planner took a backward scan of every article for a rare word (0.5 s).
                (crate::search_hits!(postgres, "$4", "'article'"), wide, m)
            };
            let sql = format!(
                "SELECT {ARTICLE_COLS} FROM {hits} h JOIN articles a ON a.id = h.doc_id{ARTICLE_JOINS}{scope}{tail}"
            );
            sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql))
                .bind(s.all)
                .bind(s.account)
                .bind(s.roles)
                .bind(term)
                .bind(limit)
                .fetch_all(&mut **t)
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_narrow_plan_cuts_at_candidates() {
        let cut = format!("LIMIT {}) c)", crate::search::index::CANDIDATES);
        assert!(narrow_staff_hits!().ends_with(&cut));
    }
}
