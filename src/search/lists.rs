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

/// What one refresh (`jobs::search_lists::refresh`) did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refresh {
    /// Lists made (new frequent tokens, and lists rebuilt after removals).
    pub created: u64,
    /// Lists trimmed back to [`KEEP`] entries.
    pub trimmed: u64,
    /// Lists that had fallen under [`CANDIDATES`] entries above their floor and were rebuilt
    /// (counted in `created` too).
    pub rebuilt: u64,
    /// Kinds skipped because some of their documents wait to be indexed again.
    pub skipped_kinds: u64,
}

/// The kinds of documents indexed.
pub async fn kinds(tx: &mut Tx) -> Result<Vec<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT DISTINCT kind FROM search_docs ORDER BY kind")
        .fetch_all(c).await)
}

/// What a refresh has to do for one kind of document.
#[derive(Debug, Default, Clone)]
pub struct Work {
    /// Frequent tokens without a list yet.
    pub fresh: Vec<String>,
    /// On PostgreSQL, the last write looked at, to record once the lists are made.
    pub upto: Option<i64>,
    /// Lists that removals left short: dropped and built again.
    pub short: Vec<String>,
    /// Lists longer than [`TRIM_AT`]: trimmed.
    pub long: Vec<String>,
}

/// The work for one kind, or `None` while some of its documents wait to be indexed again.
pub async fn plan(tx: &mut Tx, kind: &str) -> Result<Option<Work>, sqlx::Error> {
    if !super::stale(tx, kind, 1).await?.is_empty() {
        return Ok(None);
    }
    let (fresh, upto) = frequent_unlisted(tx, kind).await?;
    let short: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT l.token FROM search_lists l WHERE l.kind = $1 AND l.floor_id > 0
           AND (SELECT COUNT(*) FROM (SELECT 1 FROM search_recent r
                WHERE r.list = l.id LIMIT $2) x) < $2
         ORDER BY l.token")
        .bind(kind).bind(CANDIDATES).fetch_all(c).await)?;
    let long: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT l.token FROM search_recent r JOIN search_lists l ON l.id = r.list
         WHERE l.kind = $1 GROUP BY l.token HAVING COUNT(*) > $2 ORDER BY l.token")
        .bind(kind).bind(TRIM_AT).fetch_all(c).await)?;
    Ok(Some(Work {
        fresh,
        upto,
        short,
        long,
    }))
}

/// Makes the write transaction `tx` one in which no document is indexed until it ends
/// (SQLite has one writer; PostgreSQL takes `search_docs` in `SHARE ROW EXCLUSIVE` mode,
/// which waits for writers in progress and for another node's refresh). Call it first.
pub async fn hold_writers(tx: &mut Tx) -> Result<(), sqlx::Error> {
    if let Tx::Postgres(c) = tx {
        sqlx::query("LOCK TABLE search_docs IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **c)
            .await?;
    }
    Ok(())
}

/// Builds lists of these tokens (dropping a short one first when `again`); returns how many
/// were made.
pub async fn make(
    tx: &mut Tx,
    kind: &str,
    tokens: &[String],
    again: bool,
) -> Result<u64, sqlx::Error> {
    let mut made = 0;
    for token in tokens {
        if again {
            drop_list(tx, kind, token).await?;
        }
        if build(tx, kind, token).await? {
            made += 1;
        }
    }
    Ok(made)
}

/// Trims the lists of these tokens back to [`KEEP`] entries.
pub async fn trim_all(tx: &mut Tx, kind: &str, tokens: &[String]) -> Result<u64, sqlx::Error> {
    for token in tokens {
        trim(tx, kind, token).await?;
    }
    Ok(tokens.len() as u64)
}

/// Listable tokens in at least [`MIN_DOCS`] documents that have no list yet, and on
/// PostgreSQL the last write looked at (`search_docs.seq`, recorded once the lists are made).
///
/// SQLite reads FTS5's vocabulary (document counts of every token, of any kind: [`build`]
/// checks the kind; 3.6 s over 311,855 poems). PostgreSQL counts the lexemes of every
/// document of the kind the first time, then only those of documents newer than the last
/// run (new or indexed again: `search_docs.seq`), each counted in the index (up to
/// [`MIN_DOCS`] matches), so that a province's daily run reads a day's articles rather than
/// all of them. (A write committed just after a run read the newest `seq`, with a lower one,
/// is not looked at: its tokens wait for the next document that holds them, searched the
/// full-text way meanwhile.)
async fn frequent_unlisted(
    tx: &mut Tx,
    kind: &str,
) -> Result<(Vec<String>, Option<i64>), sqlx::Error> {
    let (tokens, upto): (Vec<String>, Option<i64>) = match tx {
        // Explicit match: FTS5's vocabulary table against the tsvector's lexemes.
        Tx::Sqlite(c) => (
            sqlx::query_scalar(
                "SELECT v.term FROM search_vocab v WHERE v.doc >= $2
                   AND NOT EXISTS (SELECT 1 FROM search_lists l WHERE l.kind = $1 AND l.token = v.term)",
            )
            .bind(kind)
            .bind(MIN_DOCS)
            .fetch_all(&mut **c)
            .await?,
            None,
        ),
        Tx::Postgres(c) => {
            let newest: Option<i64> =
                sqlx::query_scalar("SELECT MAX(seq) FROM search_docs WHERE kind = $1")
                    .bind(kind)
                    .fetch_one(&mut **c)
                    .await?;
            let seen: Option<i64> =
                sqlx::query_scalar("SELECT upto FROM search_list_scans WHERE kind = $1")
                    .bind(kind)
                    .fetch_optional(&mut **c)
                    .await?;
            let tokens = match seen {
                None => {
                    sqlx::query_scalar(
                        "SELECT f.token FROM (SELECT t AS token FROM search_docs s
                             CROSS JOIN LATERAL unnest(tsvector_to_array(s.tokens)) AS t
                             WHERE s.kind = $1 AND char_length(t) <= $3
                             GROUP BY t HAVING COUNT(*) >= $2) f
                         WHERE NOT EXISTS (SELECT 1 FROM search_lists l
                                           WHERE l.kind = $1 AND l.token = f.token)",
                    )
                    .bind(kind)
                    .bind(MIN_DOCS)
                    .bind(MAX_GRAM_CHARS as i32)
                    .fetch_all(&mut **c)
                    .await?
                }
                Some(seen) => {
                    let fresh: Vec<String> = sqlx::query_scalar(
                        "SELECT DISTINCT t FROM search_docs s
                             CROSS JOIN LATERAL unnest(tsvector_to_array(s.tokens)) AS t
                         WHERE s.kind = $1 AND s.seq > $2 AND char_length(t) <= $3
                           AND NOT EXISTS (SELECT 1 FROM search_lists l WHERE l.kind = $1 AND l.token = t)",
                    )
                    .bind(kind)
                    .bind(seen)
                    .bind(MAX_GRAM_CHARS as i32)
                    .fetch_all(&mut **c)
                    .await?;
                    let mut frequent = Vec::new();
                    for t in fresh.into_iter().filter(|t| listable(t)) {
                        let Some(m) = match_query(&t, Backend::Postgres) else {
                            continue;
                        };
                        let n: i64 = sqlx::query_scalar(
                            "SELECT COUNT(*) FROM (SELECT 1 FROM search_docs WHERE kind = $1
                               AND tokens @@ to_tsquery('simple', $2) LIMIT $3) x",
                        )
                        .bind(kind)
                        .bind(&m)
                        .bind(MIN_DOCS)
                        .fetch_one(&mut **c)
                        .await?;
                        if n >= MIN_DOCS {
                            frequent.push(t);
                        }
                    }
                    frequent
                }
            };
            (tokens, newest)
        }
    };
    let mut tokens: Vec<String> = tokens.into_iter().filter(|t| listable(t)).collect();
    tokens.sort();
    Ok((tokens, upto))
}

/// PostgreSQL: records that the tokens of writes up to `upto` have been looked at.
pub async fn record_scan(tx: &mut Tx, kind: &str, upto: i64) -> Result<(), sqlx::Error> {
    if let Tx::Postgres(c) = tx {
        sqlx::query(
            "INSERT INTO search_list_scans (kind, upto) VALUES ($1, $2)
             ON CONFLICT (kind) DO UPDATE SET upto = excluded.upto",
        )
        .bind(kind)
        .bind(upto)
        .execute(&mut **c)
        .await?;
    }
    Ok(())
}

/// Builds the list of `token` in `kind` from the full-text index: its [`KEEP`] most recent
/// matches, with a floor under them when there are more. False (nothing written) when fewer
/// than [`MIN_DOCS`] documents of the kind hold it.
async fn build(tx: &mut Tx, kind: &str, token: &str) -> Result<bool, sqlx::Error> {
    let Some(m) = match_query(token, Backend::of(tx)) else {
        return Ok(false);
    };
    // Another node's refresh may have made it since this one looked.
    let exists: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT floor_id FROM search_lists WHERE kind = $1 AND token = $2")
        .bind(kind).bind(token).fetch_optional(c).await)?;
    if exists.is_some() {
        return Ok(false);
    }
    let list: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO search_lists (kind, token, floor_id) VALUES ($1, $2, 0) RETURNING id")
        .bind(kind).bind(token).fetch_one(c).await)?;
    let (n, min): (i64, Option<i64>) = match tx {
        // Explicit match: the frequencies come from FTS5's occurrences on SQLite and the
        // ranks from the tsvector on PostgreSQL.
        Tx::Sqlite(c) => {
            sqlx::query(
                "INSERT INTO search_recent (list, sid, doc_id, tf, len)
                 SELECT $5, m.id, m.doc_id, o.tf, m.len
                 FROM (SELECT s.id, s.doc_id, s.len FROM search_fts
                       CROSS JOIN search_docs s ON s.id = search_fts.rowid
                       WHERE search_fts MATCH $3 AND s.kind = $2
                       ORDER BY search_fts.rowid DESC LIMIT $4) m
                 JOIN (SELECT doc, COUNT(*) AS tf FROM search_occurrences WHERE term = $1
                       GROUP BY doc) o ON o.doc = m.id",
            )
            .bind(token)
            .bind(kind)
            .bind(&m)
            .bind(KEEP)
            .bind(list)
            .execute(&mut **c)
            .await?;
            sqlx::query_as("SELECT COUNT(*), MIN(sid) FROM search_recent WHERE list = $1")
                .bind(list)
                .fetch_one(&mut **c)
                .await?
        }
        Tx::Postgres(c) => {
            sqlx::query(
                "INSERT INTO search_recent (list, doc_id, score)
                 SELECT $4, s.doc_id, ts_rank(s.tokens, to_tsquery('simple', $2))
                 FROM search_docs s WHERE s.kind = $1 AND s.tokens @@ to_tsquery('simple', $2)
                 ORDER BY s.doc_id DESC LIMIT $3",
            )
            .bind(kind)
            .bind(&m)
            .bind(KEEP)
            .bind(list)
            .execute(&mut **c)
            .await?;
            sqlx::query_as("SELECT COUNT(*), MIN(doc_id) FROM search_recent WHERE list = $1")
                .bind(list)
                .fetch_one(&mut **c)
                .await?
        }
    };
    if n < MIN_DOCS {
        drop_list(tx, kind, token).await?;
        return Ok(false);
    }
    let floor = if n >= KEEP { min.unwrap_or(0) } else { 0 };
    on_tx!(tx, c => sqlx::query("UPDATE search_lists SET floor_id = $2 WHERE id = $1")
        .bind(list).bind(floor).execute(c).await.map(|_| ()))?;
    Ok(true)
}

/// Removes the list of `token` in `kind`.
async fn drop_list(tx: &mut Tx, kind: &str, token: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "DELETE FROM search_recent WHERE list = (SELECT id FROM search_lists WHERE kind = $1 AND token = $2)")
        .bind(kind).bind(token).execute(c).await.map(|_| ()))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM search_lists WHERE kind = $1 AND token = $2")
        .bind(kind).bind(token).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Cuts the list of `token` in `kind` back to its [`KEEP`] most recent entries and raises
/// its floor to the oldest one kept.
async fn trim(tx: &mut Tx, kind: &str, token: &str) -> Result<(), sqlx::Error> {
    let list: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM search_lists WHERE kind = $1 AND token = $2")
        .bind(kind).bind(token).fetch_one(c).await)?;
    let floor: Option<i64> = match tx {
        // Explicit match: the recency key is `sid` on SQLite and `doc_id` on PostgreSQL.
        Tx::Sqlite(c) => {
            sqlx::query_scalar(
                "SELECT sid FROM search_recent WHERE list = $1 ORDER BY sid DESC LIMIT 1 OFFSET $2",
            )
            .bind(list)
            .bind(KEEP - 1)
            .fetch_optional(&mut **c)
            .await?
        }
        Tx::Postgres(c) => {
            sqlx::query_scalar(
                "SELECT doc_id FROM search_recent WHERE list = $1 ORDER BY doc_id DESC LIMIT 1 OFFSET $2",
            )
            .bind(list)
            .bind(KEEP - 1)
            .fetch_optional(&mut **c)
            .await?
        }
    };
    let Some(floor) = floor else {
        return Ok(());
    };
    match tx {
        // Explicit match: as above.
        Tx::Sqlite(c) => {
            sqlx::query("DELETE FROM search_recent WHERE list = $1 AND sid < $2")
                .bind(list)
                .bind(floor)
                .execute(&mut **c)
                .await?;
        }
        Tx::Postgres(c) => {
            sqlx::query("DELETE FROM search_recent WHERE list = $1 AND doc_id < $2")
                .bind(list)
                .bind(floor)
                .execute(&mut **c)
                .await?;
        }
    }
    on_tx!(tx, c => sqlx::query("UPDATE search_lists SET floor_id = $2 WHERE id = $1")
        .bind(list).bind(floor).execute(c).await.map(|_| ()))?;
    Ok(())
}
