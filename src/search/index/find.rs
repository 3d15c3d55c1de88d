//! Reading the index: the best matches of a query, ranked among its most recent ones, from a
//! recent-match list when the query is one listed token.

use super::*;

/// The best `limit` documents of `kind` for the user's query `q`, as `(doc_id, score)`,
/// best first (ranked among the most recent [`CANDIDATES`] matches). Empty when `q` has
/// nothing to search for.
pub async fn find(
    tx: &mut Tx,
    kind: &str,
    q: &str,
    limit: i64,
) -> Result<Vec<(i64, f64)>, sqlx::Error> {
    find_planned(tx, kind, q, limit, true).await
}

/// [`find`], answering from a recent-match list (`search::lists`) only when `lists` is true
/// (tests compare the two; the answers are the same).
pub async fn find_planned(
    tx: &mut Tx,
    kind: &str,
    q: &str,
    limit: i64,
    lists: bool,
) -> Result<Vec<(i64, f64)>, sqlx::Error> {
    let Some(m) = match_query(q, Backend::of(tx)) else {
        return Ok(Vec::new());
    };
    // A single frequent token: its list, in one statement that also checks that the list
    // can answer. No rows means it cannot (or nothing matches): the full-text query answers.
    if lists && let Some(token) = single_token(q) {
        // Explicit match: the list's ranking differs per backend.
        let rows: Vec<(i64, f64)> = match tx {
            Tx::Sqlite(t) => {
                sqlx::query_as(concat!(
                    "SELECT h.doc_id, h.score FROM ",
                    crate::list_hits!(sqlite, "$1", "$2"),
                    " h ORDER BY h.score DESC, h.doc_id DESC LIMIT $3"
                ))
                .bind(token)
                .bind(kind)
                .bind(limit)
                .fetch_all(&mut **t)
                .await?
            }
            Tx::Postgres(t) => {
                sqlx::query_as(concat!(
                    "SELECT h.doc_id, h.score FROM ",
                    crate::list_hits!(postgres, "$1", "$2"),
                    " h ORDER BY h.score DESC, h.doc_id DESC LIMIT $3"
                ))
                .bind(token)
                .bind(kind)
                .bind(limit)
                .fetch_all(&mut **t)
                .await?
            }
        };
        if !rows.is_empty() {
            return Ok(rows);
        }
    }
    match tx {
        // Explicit match: the search SQL differs per backend.
        Tx::Sqlite(t) => {
            sqlx::query_as(concat!(
                "SELECT h.doc_id, h.score FROM ",
                crate::search_hits!(sqlite, "$1", "$2"),
                " h ORDER BY h.score DESC, h.doc_id DESC LIMIT $3"
            ))
            .bind(m)
            .bind(kind)
            .bind(limit)
            .fetch_all(&mut **t)
            .await
        }
        Tx::Postgres(t) => {
            sqlx::query_as(concat!(
                "SELECT h.doc_id, h.score FROM ",
                crate::search_hits!(postgres, "$1", "$2"),
                " h ORDER BY h.score DESC, h.doc_id DESC LIMIT $3"
            ))
            .bind(m)
            .bind(kind)
            .bind(limit)
            .fetch_all(&mut **t)
            .await
        }
    }
}

/// The token of `q` when it is a single term of one to three characters whose recent-match list
/// in `kind` can answer it ([`lists::usable`](crate::search::lists::usable)).
pub async fn listed_token(tx: &mut Tx, kind: &str, q: &str) -> Result<Option<String>, sqlx::Error> {
    let Some(token) = single_token(q) else {
        return Ok(None);
    };
    Ok(crate::search::lists::usable(tx, kind, &token)
        .await?
        .then_some(token))
}

/// Every document of `kind` matching `q`, unranked and without the [`CANDIDATES`] cut (for
/// counts and checks; it can be long).
pub async fn find_all(tx: &mut Tx, kind: &str, q: &str) -> Result<Vec<i64>, sqlx::Error> {
    let Some(m) = match_query(q, Backend::of(tx)) else {
        return Ok(Vec::new());
    };
    match tx {
        // Explicit match: the search SQL differs per backend.
        Tx::Sqlite(t) => sqlx::query_scalar(
            "SELECT s.doc_id FROM search_fts CROSS JOIN search_docs s ON s.id = search_fts.rowid
                 WHERE search_fts MATCH $1 AND s.kind = $2",
        )
        .bind(m)
        .bind(kind)
        .fetch_all(&mut **t)
        .await,
        Tx::Postgres(t) => {
            sqlx::query_scalar(
                "SELECT doc_id FROM search_docs
                 WHERE kind = $2 AND tokens @@ to_tsquery('simple', $1)",
            )
            .bind(m)
            .bind(kind)
            .fetch_all(&mut **t)
            .await
        }
    }
}

/// Whether more than `n` documents of `kind` match `q` (reads at most `n + 1` matches):
/// tells a reader when the ranked cut of the [`CANDIDATES`] most recent matches left older
/// ones out.
pub async fn more_than(tx: &mut Tx, kind: &str, q: &str, n: i64) -> Result<bool, sqlx::Error> {
    let Some(m) = match_query(q, Backend::of(tx)) else {
        return Ok(false);
    };
    if n <= CANDIDATES
        && let Some(token) = single_token(q)
        && let Some(known) = crate::search::lists::more_than(tx, kind, &token, n).await?
    {
        return Ok(known);
    }
    let found: i64 = match tx {
        // Explicit match: the search SQL differs per backend.
        Tx::Sqlite(t) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM search_fts CROSS JOIN search_docs s ON s.id = search_fts.rowid
                 WHERE search_fts MATCH $1 AND s.kind = $2 LIMIT $3)",
            )
            .bind(m)
            .bind(kind)
            .bind(n + 1)
            .fetch_one(&mut **t)
            .await?
        }
        Tx::Postgres(t) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM search_docs
                 WHERE kind = $2 AND tokens @@ to_tsquery('simple', $1) LIMIT $3) x",
            )
            .bind(m)
            .bind(kind)
            .bind(n + 1)
            .fetch_one(&mut **t)
            .await?
        }
    };
    Ok(found > n)
}
