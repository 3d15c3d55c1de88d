//! Keeping the lists: making them for tokens that became frequent, trimming long ones by
//! raising their floor, rebuilding those whose documents were removed
//! (`jobs::search_lists::refresh`).

use super::*;

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
    if !crate::search::stale(tx, kind, 1).await?.is_empty() {
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
