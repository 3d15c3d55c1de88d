//! Recent-match lists: for each frequent token of one to three characters of a kind, its most
//! recent documents with what ranking needs, kept in recency order. A query of one such token
//! (`党`, `春风`) then ranks its [`CANDIDATES`] most recent matches by reading one short
//! range of one index, instead of finding them through the full-text index and reading what
//! ranks them (docs/PERFORMANCE.md, "Recent-match lists").
//!
//! - SQLite keeps each entry's term frequency and document length, and computes FTS5's own
//!   `bm25` from them with the totals in `search_stats`; PostgreSQL keeps each entry's
//!   `ts_rank`. So a list ranks exactly as the full-text query it stands for (tested), less
//!   bm25's IDF factor, which is the same for every match of one token.
//! - **The invariant:** every document of the kind holding the token whose recency key
//!   (`search_docs.id` on SQLite, `doc_id` on PostgreSQL) is at least the list's `floor_id`
//!   is in the list. [`index::put`](super::index::put) and
//!   [`index::remove`](super::index::remove) keep it in the document's own transaction;
//!   `jobs::search_lists::refresh` creates lists, and trims long ones by raising the floor.
//! - A list answers a query only when it holds [`CANDIDATES`] entries or has never been
//!   trimmed ([`usable`]); otherwise (documents above the floor removed) the full-text query
//!   answers until the next `jobs::search_lists::refresh` rebuilds it. Either way the answer is the same.
//!
//! `jobs::search_lists::refresh` runs daily (`jobs`) and after `yinyao bench search` loads the poems; a token
//! that became frequent since is searched through the full-text index until then.

use super::CANDIDATES;
use super::text::{Backend, MAX_GRAM_CHARS, listable, listable_counts, match_query};
use crate::db::Tx;
use crate::on_tx;

/// Documents a token must be in (within its kind) to get a list. Below it the full-text
/// query is cheap enough: it ranks every match, and each costs about 3–4 µs on SQLite and
/// 6–8 µs on PostgreSQL (reading what ranks it) against about 0.4–0.5 ms for the whole of a
/// listed query (docs/PERFORMANCE.md), so a token in fewer than 32 documents is answered
/// within about 1.5 times a listed one. With 200 here, a trigram in 145 poems (黄鹤楼) took
/// 0.9 ms on SQLite, 91 times faster than `LIKE`.
pub const MIN_DOCS: i64 = 32;

/// Entries a list is built with and trimmed back to: some room above [`CANDIDATES`] for
/// documents removed between refreshes.
pub const KEEP: i64 = 216;

/// A list longer than this is trimmed back to [`KEEP`] by `jobs::search_lists::refresh`.
pub const TRIM_AT: i64 = 432;

/// Subquery `(doc_id, score)` of the [`CANDIDATES`] most recent documents of kind `$kind`
/// in the list of token `$token` (SQL placeholders or literals), like
/// [`search_hits!`](crate::search_hits) for a query of that one token. Empty when the list
/// cannot answer ([`usable`]): ask that first, in the same transaction, to tell "no list"
/// from "no match".
#[macro_export]
macro_rules! list_hits {
    (sqlite, $token:literal, $kind:literal) => {
        concat!(
            "(SELECT r.doc_id AS doc_id, (r.tf * (1.2 + 1.0)) / (r.tf + 1.2 * (1 - 0.75 + 0.75 * r.len / ",
            "(CAST(st.tokens AS REAL) / st.docs))) AS score FROM (SELECT doc_id, tf, len FROM search_recent ",
            "WHERE list = ",
            $crate::usable_list!($token, $kind),
            " ORDER BY sid DESC LIMIT 200) r CROSS JOIN search_stats st WHERE st.id = 1)"
        )
    };
    (postgres, $token:literal, $kind:literal) => {
        concat!(
            "(SELECT doc_id, score::float8 AS score FROM search_recent ",
            "WHERE list = ",
            $crate::usable_list!($token, $kind),
            " ORDER BY doc_id DESC LIMIT 200)"
        )
    };
}

/// SQL scalar subquery: the id of the list of token `$token` in kind `$kind` when it
/// answers a ranked query (see [`usable`]), else NULL. As the key of the list's index range
/// it is evaluated once; as a condition beside it (`WHERE EXISTS …`) SQLite evaluated it for
/// every row, 5 ms a query.
#[macro_export]
macro_rules! usable_list {
    ($token:literal, $kind:literal) => {
        concat!(
            "(SELECT ul.id FROM search_lists ul WHERE ul.kind = ",
            $kind,
            " AND ul.token = ",
            $token,
            " AND (ul.floor_id = 0 OR (SELECT COUNT(*) FROM (SELECT 1 FROM search_recent ur ",
            "WHERE ur.list = ul.id LIMIT 200) ux) >= 200))"
        )
    };
}

/// Whether the list of `token` in `kind` answers a ranked query: it exists, and holds at
/// least [`CANDIDATES`] entries or every match (never trimmed).
pub async fn usable(tx: &mut Tx, kind: &str, token: &str) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(concat!("SELECT ", crate::usable_list!("$2", "$1")))
        .bind(kind).bind(token).fetch_one(c).await)?;
    Ok(id.is_some())
}

/// Whether the list of `token` in `kind` says that more than `n` (at most [`CANDIDATES`])
/// documents match: `Some` only when the list knows (it exists and is usable).
pub async fn more_than(
    tx: &mut Tx,
    kind: &str,
    token: &str,
    n: i64,
) -> Result<Option<bool>, sqlx::Error> {
    let row: Option<(i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT l.floor_id, (SELECT COUNT(*) FROM (SELECT 1 FROM search_recent r
             WHERE r.list = l.id LIMIT $3) x)
         FROM search_lists l WHERE l.kind = $1 AND l.token = $2")
        .bind(kind).bind(token).bind(n + 1).fetch_optional(c).await)?;
    Ok(match row {
        Some((_, found)) if found > n => Some(true),
        Some((0, _)) => Some(false),
        _ => None,
    })
}

/// SQLite, in [`index::put`](super::index::put): adds document `sid` (its `search_docs.id`)
/// to the lists of its listed tokens. Its old entries must be gone already. The document's
/// tokens are the outer loop (`CROSS JOIN`), each looked up in `search_lists`: with the
/// lists outside, SQLite walked all 12,000 lists for every document (20,000 poems indexed
/// again took over five minutes instead of seconds).
pub(super) async fn sqlite_add(
    c: &mut sqlx::SqliteConnection,
    kind: &str,
    sid: i64,
    doc_id: i64,
    tokens: &str,
) -> Result<(), sqlx::Error> {
    let (len, counts) = listable_counts(tokens);
    if counts.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string(&counts).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO search_recent (list, sid, doc_id, tf, len)
         SELECT l.id, $2, $3, j.value ->> 1, $4
         FROM json_each($5) j CROSS JOIN search_lists l ON l.kind = $1 AND l.token = j.value ->> 0
         WHERE $2 >= l.floor_id",
    )
    .bind(kind)
    .bind(sid)
    .bind(doc_id)
    .bind(len)
    .bind(json)
    .execute(c)
    .await?;
    Ok(())
}

/// The number of tokens `search_fts` counts for `tokens` (bm25's document length).
/// Counts the tokens only: the listable ones are counted by [`sqlite_add`], on SQLite alone.
pub(super) fn doc_len(tokens: &str) -> i64 {
    tokens.split(' ').filter(|t| !t.is_empty()).count() as i64
}

mod refresh;
pub use refresh::*;
