//! SQL for the audit trail.

use super::chain::{ChainCheck, Verdict, chain_hash};
use super::model::{Actor, Entry, Event};
use crate::db::{Tx, now};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// Appends one entry inside `tx`. Updating the head row first locks it on both backends,
/// so concurrent appends queue up and the chain stays linear.
pub async fn record(tx: &mut Tx, actor: &Actor, event: Event) -> Result<i64, sqlx::Error> {
    let (last_id, last_hash, algo): (i64, String, String) = on_tx!(tx, c => sqlx::query_as(
        "UPDATE audit_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id - 1, last_hash, hash_algo")
        .fetch_one(c).await)?;
    let id = last_id + 1;
    let at = now();
    let detail = if event.detail.is_null() {
        "{}".to_string()
    } else {
        event.detail.to_string()
    };
    let ua: String = actor.user_agent.chars().take(300).collect();
    let hash = chain_hash(
        super::model::HashAlgo::parse(&algo),
        id,
        &at,
        actor.id,
        &actor.name,
        &actor.ip,
        &ua,
        event.action,
        event.outcome.as_str(),
        event.unit_id,
        &event.target,
        &detail,
        &last_hash,
    );
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, ip, user_agent, action, outcome, unit_id, target, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
        .bind(id).bind(at).bind(actor.id).bind(&actor.name).bind(&actor.ip).bind(&ua)
        .bind(event.action).bind(event.outcome.as_str()).bind(event.unit_id).bind(&event.target)
        .bind(&detail).bind(&last_hash).bind(&hash)
        .execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Filters for searching the trail; every field optional.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Matches the actor's recorded name or account id.
    pub actor: Option<String>,
    /// Matches actions that start with this text (`login` finds `login.ok`, `login.failed`).
    pub action: Option<String>,
    /// Entries about this unit or any unit below it.
    pub unit_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only entries with a smaller id (keyset paging for exports).
    pub before_id: Option<i64>,
}

const SEARCH_WHERE: &str = concat!(
    "
    ($1 IS NULL OR a.actor_name = $1 OR CAST(a.actor_id AS TEXT) = $1)
        AND ($2 IS NULL OR a.action LIKE $2 || '%' ESCAPE '\\')
    AND ($3 IS NULL OR a.unit_id IN (SELECT s.id FROM units s, units r WHERE r.id = $3 AND ",
    crate::under!("s.path", "r.path"),
    "))
    AND ($4 IS NULL OR a.at >= $4)
        AND ($5 IS NULL OR a.at < $5)
    AND ($8 IS NULL OR a.id < $8)"
);

/// One page of matching entries, newest first, and whether more follow.
pub async fn search(
    tx: &mut Tx,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = concat_where(
        "SELECT a.* FROM audit_log a WHERE ",
        " ORDER BY a.id DESC LIMIT $6 OFFSET $7",
    );
    let action = f.action.as_deref().map(crate::search::like_escape);
    on_tx!(tx, c => sqlx::query_as::<_, Entry>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&f.actor).bind(&action).bind(f.unit_id).bind(f.from).bind(f.to)
                .bind(limit).bind(offset).bind(f.before_id)
        .fetch_all(c).await)
}

/// Number of matching entries.
pub async fn count(tx: &mut Tx, f: &Filter) -> Result<i64, sqlx::Error> {
    let sql = concat_where(
        "SELECT COUNT(*) FROM audit_log a WHERE ",
        " AND $6 IS NULL AND $7 IS NULL",
    );
    let action = f.action.as_deref().map(crate::search::like_escape);
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&f.actor).bind(&action).bind(f.unit_id).bind(f.from).bind(f.to)
        .bind(None::<i64>).bind(None::<i64>).bind(f.before_id)
        .fetch_one(c).await)
}

// The statement is assembled only from the constant fragments above; every value is bound.
fn concat_where(head: &str, tail: &str) -> String {
    format!("{head}{SEARCH_WHERE}{tail}")
}

/// Entries recorded since `since` (for the audit admin's home figures).
pub async fn count_since(tx: &mut Tx, since: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE at >= $1")
        .bind(since).fetch_one(c).await)
}

/// Checks the whole chain, reading it in batches, and names the first entry that does not fit.
pub async fn verify(tx: &mut Tx) -> Result<Verdict, sqlx::Error> {
    let (last_id, last_hash, purged_upto, purged_hash): (i64, String, i64, String) = on_tx!(tx, c => sqlx::query_as(
        "SELECT last_id, last_hash, purged_upto, purged_hash FROM audit_head WHERE id = 1")
        .fetch_one(c).await)?;
    if purged_upto > 0 {
        let pattern = format!("%\"cut_hash\":\"{purged_hash}\"%");
        let recorded: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'audit.purge' AND id > $1 AND detail LIKE $2")
            .bind(purged_upto).bind(&pattern).fetch_one(c).await)?;
        if recorded == 0 {
            return Ok(Verdict::Broken {
                id: purged_upto,
                reason: "purge mark moved",
            });
        }
    }
    let mut check = ChainCheck::starting_after(purged_upto, &purged_hash);
    let mut after = purged_upto;
    loop {
        let batch: Vec<Entry> = on_tx!(tx, c => sqlx::query_as(
                        "SELECT * FROM audit_log WHERE id > $1 AND id <= $2 ORDER BY id LIMIT 5000")
            .bind(after).bind(last_id).fetch_all(c).await)?;
        if batch.is_empty() {
            break;
        }
        for e in &batch {
            if let Err(v) = check.push(e) {
                return Ok(v);
            }
        }
        after = batch.last().map(|e| e.id).unwrap_or(after);
    }
    Ok(check.finish(last_id, &last_hash))
}

/// The hash algorithm new entries are written with.
pub async fn hash_algo(tx: &mut Tx) -> Result<super::model::HashAlgo, sqlx::Error> {
    let algo: String = on_tx!(tx, c => sqlx::query_scalar("SELECT hash_algo FROM audit_head WHERE id = 1")
        .fetch_one(c).await)?;
    Ok(super::model::HashAlgo::parse(&algo))
}

/// Switches the algorithm of the entries written from now on (`yinyao rekey`).
pub async fn set_hash_algo(tx: &mut Tx, algo: super::model::HashAlgo) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE audit_head SET hash_algo = $1 WHERE id = 1")
        .bind(algo.as_str()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The head of the chain now, for a checkpoint.
pub async fn checkpoint(tx: &mut Tx) -> Result<super::chain::Checkpoint, sqlx::Error> {
    let (last_id, last_hash): (i64, String) = on_tx!(tx, c => sqlx::query_as(
        "SELECT last_id, last_hash FROM audit_head WHERE id = 1")
        .fetch_one(c).await)?;
    Ok(super::chain::Checkpoint {
        last_id,
        last_hash,
        at: now(),
    })
}

/// Checks the chain, then a kept checkpoint against it.
pub async fn verify_with(
    tx: &mut Tx,
    cp: &super::chain::Checkpoint,
    retention_days: i64,
) -> Result<Verdict, sqlx::Error> {
    let verdict = verify(tx).await?;
    if matches!(verdict, Verdict::Broken { .. }) {
        return Ok(verdict);
    }
    let (last_id, purged_upto): (i64, i64) = on_tx!(tx, c => sqlx::query_as(
        "SELECT last_id, purged_upto FROM audit_head WHERE id = 1")
        .fetch_one(c).await)?;
    let hash: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT hash FROM audit_log WHERE id = $1")
        .bind(cp.last_id).fetch_optional(c).await)?;
    let purgeable_before = now() - chrono::Duration::days(retention_days);
    Ok(
        match cp.check(last_id, hash.as_deref(), purged_upto, purgeable_before) {
            Ok(()) => verdict,
            Err(broken) => broken,
        },
    )
}

/// Removes entries older than `before`, recording where the kept chain starts. Returns how many.
pub async fn purge_before(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let cut: Option<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, hash FROM audit_log WHERE at < $1 ORDER BY id DESC LIMIT 1")
        .bind(before).fetch_optional(c).await)?;
    let Some((cut_id, cut_hash)) = cut else {
        return Ok(0);
    };
    on_tx!(tx, c => sqlx::query("UPDATE audit_head SET purged_upto = $1, purged_hash = $2 WHERE id = 1")
        .bind(cut_id).bind(&cut_hash).execute(c).await.map(|r| r.rows_affected()))?;
    let done = on_tx!(tx, c => sqlx::query("DELETE FROM audit_log WHERE id <= $1")
        .bind(cut_id).execute(c).await.map(|r| r.rows_affected()))?;
    // The purge itself enters the chain with where it cut, so that moving the cut mark by
    // hand (to hide deleted entries) is caught by `verify`.
    let event = super::model::Event::ok("audit.purge", "audit_log")
        .detail(serde_json::json!({ "cut_hash": cut_hash, "cut_id": cut_id, "removed": done, "before": before.to_rfc3339() }));
    record(tx, &super::model::Actor::system("audit_retention"), event).await?;
    Ok(done)
}
