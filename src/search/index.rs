//! SQL of the full-text index: one entry per document `(kind, doc_id)`, written in the
//! caller's transaction, so a document and its index entry commit (or roll back) together.
//!
//! SQLite keeps the tokens in the contentless FTS5 table `search_fts` (ranked with `bm25`),
//! keyed by the id of the `search_docs` row that names the document. PostgreSQL keeps them in
//! `search_docs.tokens`, a `tsvector` with a GIN index (ranked with `ts_rank`). The SQL
//! differs per backend, so each function matches on [`Tx`].
//!
//! # Joining the index to your own table
//!
//! [`search_hits!`](crate::search_hits) expands to a subquery of the matches of one kind,
//! with columns `doc_id` and `score` (higher is better on both backends). Join it to your
//! table, filter visibility in the same statement, and order by `score DESC`. The match
//! string comes from [`match_query`](super::text::match_query) for the backend in hand; an
//! empty query (`None`) has no results, so skip the statement.
//!
//! ```ignore
//! use yinyao::search_hits;
//! let Some(q) = match_query(input, Backend::of(tx)) else {
//!     return Ok(Vec::new()); // nothing to search for
//! };
//! match tx {
//!     // Explicit match: the search SQL differs per backend.
//!     Tx::Sqlite(c) => sqlx::query_as(concat!(
//!         "SELECT a.id, a.title, h.score FROM ", search_hits!(sqlite, "$1", "'article'"),
//!         " h JOIN articles a ON a.id = h.doc_id",
//!         " WHERE a.state = 'published' ORDER BY h.score DESC, a.id DESC LIMIT $2"))
//!         .bind(q).bind(20).fetch_all(&mut **c).await,
//!     Tx::Postgres(c) => /* the same with search_hits!(postgres, "$1", "'article'") */,
//! }
//! ```
//!
//! A one-character query can match a large share of all documents, and ranking every match
//! costs time in proportion to their number (60 ms for the 56,000 poems with 月 on SQLite).
//! So the subquery ranks only the [`CANDIDATES`] (200) most recent matches (highest
//! `search_docs.id` on SQLite, highest `doc_id` on PostgreSQL); a query with fewer matches is
//! ranked in full. On 311,000 poems the SQL of a two-character query took about 0.35 ms with 200
//! candidates, 0.8 ms with 500 and 2 ms with 2,000 (SQLite); 200 is ten pages of 20. A fourth
//! argument sets another cut: `search_hits!(sqlite, "$1", "$2", 1000)`.
//!
//! A filter joined inside the subquery applies before that cut, so a caller whose filter
//! drops most documents of a kind (a town editor's scope in a province) still gets its own
//! most recent matches: the fifth and sixth arguments are joins (to `s.doc_id`; on SQLite
//! write them as `CROSS JOIN` so that the FTS table stays the outer loop) and a condition,
//! as in `search_hits!(sqlite, "$4", "'article'", 200, " CROSS JOIN articles sa ON sa.id =
//! s.doc_id", "sa.author_id = $2")`. Filters outside the subquery (the public search's
//! `state = 'published'`, true of nearly every indexed article) come after the cut.
//!
//! A query of one frequent token of one to three characters is answered from that token's
//! recent-match list instead ([`super::lists`], [`list_hits!`](crate::list_hits)): the same
//! candidates in the same order, without walking the full-text index. [`find`] and the
//! public article search choose it themselves; a caller of `search_hits!` that wants it asks
//! [`listed_token`] first.
//!
//! PostgreSQL keeps word positions up to 16,383 and at most 256 per lexeme, and a run of
//! CJK characters takes about two positions per character (its trigrams and characters;
//! the bigrams come after all runs). So in a text longer than about 8,000 characters, a query
//! of four or more characters (a phrase) may miss an occurrence near the end on PostgreSQL;
//! queries of one to three characters are single tokens and are not affected. SQLite has no
//! such limit.
//!
//! On SQLite the FTS5 table must be the outer loop (`CROSS JOIN` fixes the order): with
//! `search_docs` outside, SQLite re-runs the `MATCH` once per document of the kind, which
//! took 111 s instead of milliseconds for one query over 311,000 poems.

use super::text::{Backend, TEXT_TOKENS_VERSION, index_tokens, match_query, single_token};
use crate::db::Tx;

pub use super::CANDIDATES;

/// Subquery `(doc_id, score)` of the documents of kind `$kind` matching `$q` (SQL
/// placeholders or literals, as string literals), the most recent
/// [`CANDIDATES`](crate::search::index::CANDIDATES) of them (or `$cap`), with their
/// relevance (higher is better). See the [module documentation](crate::search::index) for
/// the join pattern.
#[macro_export]
macro_rules! search_hits {
    ($backend:ident, $q:literal, $kind:literal) => {
        $crate::search_hits!($backend, $q, $kind, 200)
    };
    ($backend:ident, $q:literal, $kind:literal, $cap:literal) => {
        $crate::search_hits!($backend, $q, $kind, $cap, "", "TRUE")
    };
    (sqlite, $q:literal, $kind:literal, $cap:literal, $join:expr, $filter:expr) => {
        concat!(
            "(SELECT s.doc_id AS doc_id, -bm25(search_fts) AS score ",
            "FROM search_fts CROSS JOIN search_docs s ON s.id = search_fts.rowid",
            $join,
            " WHERE search_fts MATCH ",
            $q,
            " AND s.kind = ",
            $kind,
            " AND ",
            $filter,
            " ORDER BY search_fts.rowid DESC LIMIT ",
            $cap,
            ")"
        )
    };
    (postgres, $q:literal, $kind:literal, $cap:literal, $join:expr, $filter:expr) => {
        concat!(
            "(SELECT c.doc_id AS doc_id, ",
            "ts_rank(c.tokens, to_tsquery('simple', ",
            $q,
            "))::float8 AS score FROM (SELECT s.doc_id, s.tokens FROM search_docs s",
            $join,
            " WHERE s.kind = ",
            $kind,
            " AND s.tokens @@ to_tsquery('simple', ",
            $q,
            ") AND ",
            $filter,
            " ORDER BY s.doc_id DESC LIMIT ",
            $cap,
            ") c)"
        )
    };
}

/// Indexes `text` as document `(kind, doc_id)`, replacing what was indexed for it before.
pub async fn put(tx: &mut Tx, kind: &str, doc_id: i64, text: &str) -> Result<(), sqlx::Error> {
    put_tokens(tx, kind, doc_id, &index_tokens(text)).await
}

/// [`put`] with tokens already made by [`index_tokens`], for callers that tokenize before
/// taking the write lock.
pub async fn put_tokens(
    tx: &mut Tx,
    kind: &str,
    doc_id: i64,
    tokens: &str,
) -> Result<(), sqlx::Error> {
    match tx {
        // A replaced document keeps its FTS rowid. Deleting only rows that exist matters:
        // a contentless-delete FTS5 table records a tombstone for every DELETE.
        Tx::Sqlite(t) => {
            let len = super::lists::doc_len(tokens);
            let existing: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT id, len FROM search_docs WHERE kind = $1 AND doc_id = $2")
                    .bind(kind)
                    .bind(doc_id)
                    .fetch_optional(&mut **t)
                    .await?;
            // search_stats counts what FTS5's own totals count (bm25's average length): every
            // row inserted, never decremented, since a contentless-delete table keeps its
            // totals when a row is deleted (measured with SQLite 3.50.4: rows 3, tokens 6
            // before and after deleting a row of two tokens).
            let (id, docs_added, tokens_added) = match existing {
                Some((id, _)) => {
                    sqlx::query("UPDATE search_docs SET version = $2, len = $3 WHERE id = $1")
                        .bind(id)
                        .bind(TEXT_TOKENS_VERSION)
                        .bind(len)
                        .execute(&mut **t)
                        .await?;
                    sqlx::query("DELETE FROM search_fts WHERE rowid = $1")
                        .bind(id)
                        .execute(&mut **t)
                        .await?;
                    sqlx::query("DELETE FROM search_recent WHERE sid = $1")
                        .bind(id)
                        .execute(&mut **t)
                        .await?;
                    (id, 1, len)
                }
                None => {
                    let id = sqlx::query_scalar(
                        "INSERT INTO search_docs (kind, doc_id, version, len) VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(kind)
                    .bind(doc_id)
                    .bind(TEXT_TOKENS_VERSION)
                    .bind(len)
                    .fetch_one(&mut **t)
                    .await?;
                    (id, 1, len)
                }
            };
            sqlx::query("INSERT INTO search_fts (rowid, tokens) VALUES ($1, $2)")
                .bind(id)
                .bind(tokens)
                .execute(&mut **t)
                .await?;
            sqlx::query(
                "UPDATE search_stats SET docs = docs + $1, tokens = tokens + $2 WHERE id = 1",
            )
            .bind(docs_added)
            .bind(tokens_added)
            .execute(&mut **t)
            .await?;
            super::lists::sqlite_add(t, kind, id, doc_id, tokens).await?;
        }
        // The old version's list entries go first (found through its lexemes); the new
        // version's ranks come from the tsvector just written. Each lexeme is looked up in
        // `search_lists` (`OFFSET 0` keeps the planner from joining all lists instead).
        Tx::Postgres(t) => {
            sqlx::query(
                "DELETE FROM search_recent r USING search_docs d
                 CROSS JOIN LATERAL unnest(tsvector_to_array(d.tokens)) AS o(token)
                 CROSS JOIN LATERAL (SELECT l.id FROM search_lists l
                                     WHERE l.kind = d.kind AND l.token = o.token OFFSET 0) l
                 WHERE d.kind = $1 AND d.doc_id = $2 AND r.list = l.id AND r.doc_id = $2",
            )
            .bind(kind)
            .bind(doc_id)
            .execute(&mut **t)
            .await?;
            sqlx::query(
                "WITH d AS (INSERT INTO search_docs (kind, doc_id, version, tokens)
                 VALUES ($1, $2, $3, to_tsvector('simple', $4))
                 ON CONFLICT (kind, doc_id)
                 DO UPDATE SET version = excluded.version, tokens = excluded.tokens,
                               seq = nextval('search_docs_seq')
                 RETURNING kind, doc_id, tokens)
                 INSERT INTO search_recent (list, doc_id, score)
                 SELECT l.id, d.doc_id,
                        ts_rank(d.tokens, to_tsquery('simple', quote_literal(l.token)))
                 FROM d CROSS JOIN LATERAL unnest(tsvector_to_array(d.tokens)) AS n(token)
                 CROSS JOIN LATERAL (SELECT l.id, l.token FROM search_lists l
                                     WHERE l.kind = d.kind AND l.token = n.token
                                       AND d.doc_id >= l.floor_id OFFSET 0) l",
            )
            .bind(kind)
            .bind(doc_id)
            .bind(TEXT_TOKENS_VERSION)
            .bind(tokens)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

/// Removes document `(kind, doc_id)` from the index (nothing happens if it is not there).
pub async fn remove(tx: &mut Tx, kind: &str, doc_id: i64) -> Result<(), sqlx::Error> {
    match tx {
        // Two tables on SQLite: the FTS row goes with its mapping row.
        Tx::Sqlite(t) => {
            let row: Option<(i64, Option<i64>)> = sqlx::query_as(
                "DELETE FROM search_docs WHERE kind = $1 AND doc_id = $2 RETURNING id, len",
            )
            .bind(kind)
            .bind(doc_id)
            .fetch_optional(&mut **t)
            .await?;
            if let Some((id, _)) = row {
                sqlx::query("DELETE FROM search_fts WHERE rowid = $1")
                    .bind(id)
                    .execute(&mut **t)
                    .await?;
                sqlx::query("DELETE FROM search_recent WHERE sid = $1")
                    .bind(id)
                    .execute(&mut **t)
                    .await?;
                // FTS5 keeps its totals on a contentless delete, and so does search_stats.
            }
        }
        // The list entries are found through the removed row's lexemes.
        Tx::Postgres(t) => {
            sqlx::query(
                "WITH d AS (DELETE FROM search_docs WHERE kind = $1 AND doc_id = $2
                 RETURNING kind, doc_id, tokens)
                 DELETE FROM search_recent r USING d
                 CROSS JOIN LATERAL unnest(tsvector_to_array(d.tokens)) AS o(token)
                 CROSS JOIN LATERAL (SELECT l.id FROM search_lists l
                                     WHERE l.kind = d.kind AND l.token = o.token OFFSET 0) l
                 WHERE r.list = l.id AND r.doc_id = d.doc_id",
            )
            .bind(kind)
            .bind(doc_id)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

mod find;
pub use find::*;

pub use super::stale;

#[cfg(test)]
mod tests {
    use super::CANDIDATES;

    #[test]
    fn the_subqueries_cut_at_candidates() {
        let cut = format!("LIMIT {CANDIDATES})");
        assert!(search_hits!(sqlite, "$1", "$2").ends_with(&cut));
        assert!(search_hits!(postgres, "$1", "$2").ends_with(&format!("{cut} c)")));
        assert!(search_hits!(sqlite, "$1", "$2", 1000).ends_with("LIMIT 1000)"));
    }
}
