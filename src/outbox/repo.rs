//! SQL of the outbox: writing events, reading them in commit order, consumers' cursors.

use super::{DomainEvent, Stored};
use crate::db::{Tx, now};
use crate::on_tx;

pub async fn insert(tx: &mut Tx, e: &DomainEvent) -> Result<(), sqlx::Error> {
    let payload = if e.payload.is_null() {
        "{}".to_string()
    } else {
        e.payload.to_string()
    };
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO domain_events (at, kind, unit_id, actor_id, subject, payload) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(now()).bind(e.kind.as_str()).bind(e.unit_id).bind(e.actor_id).bind(&e.subject).bind(&payload)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The consumer's cursor, created at 0 the first time, and locked for the transaction on
/// PostgreSQL (SQLite's write transaction already excludes other writers).
pub async fn lock_cursor(tx: &mut Tx, consumer: &str) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO event_cursors (consumer, position) VALUES ($1, 0) ON CONFLICT (consumer) DO NOTHING")
        .bind(consumer).execute(c).await.map(|r| r.rows_affected()))?;
    match tx {
        Tx::Sqlite(c) => {
            sqlx::query_scalar("SELECT position FROM event_cursors WHERE consumer = $1")
                .bind(consumer)
                .fetch_one(&mut **c)
                .await
        }
        Tx::Postgres(c) => {
            sqlx::query_scalar("SELECT position FROM event_cursors WHERE consumer = $1 FOR UPDATE")
                .bind(consumer)
                .fetch_one(&mut **c)
                .await
        }
    }
}

pub async fn set_cursor(tx: &mut Tx, consumer: &str, position: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE event_cursors SET position = $2 WHERE consumer = $1")
        .bind(consumer).bind(position).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Up to about `limit` events after `position`, in commit order, whole transactions only.
///
/// The dialects differ because the order does: SQLite has one writer at a time, so row ids
/// commit in order. On PostgreSQL two transactions can commit in the other order than they
/// drew their ids, so events are ordered by their transaction's id and read only below
/// `pg_snapshot_xmin`: every transaction under it has finished, so none can still add an
/// event behind the cursor.
pub async fn after(tx: &mut Tx, position: i64, limit: i64) -> Result<Vec<Stored>, sqlx::Error> {
    match tx {
        Tx::Sqlite(c) => {
            sqlx::query_as::<_, Stored>(
                "SELECT id, at, kind, unit_id, actor_id, subject, payload, id AS position
                 FROM domain_events WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(position)
            .bind(limit)
            .fetch_all(&mut **c)
            .await
        }
        Tx::Postgres(c) => {
            const SELECT: &str =
                "SELECT id, at, kind, unit_id, actor_id, subject, payload, txid AS position
                 FROM domain_events ";
            let mut events: Vec<Stored> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE txid > $1 AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                 ORDER BY txid, id LIMIT $2"
            )))
            .bind(position)
            .bind(limit)
            .fetch_all(&mut **c)
            .await?;
            if events.len() as i64 == limit {
                let last = events.last().map(|e| e.position).unwrap_or(position);
                if events.first().map(|e| e.position) == Some(last) {
                    // One transaction wrote more than a batch: take all of it.
                    events = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "{SELECT} WHERE txid = $1 ORDER BY id"
                    )))
                    .bind(last)
                    .fetch_all(&mut **c)
                    .await?;
                } else {
                    // Leave the last transaction, perhaps cut, for the next batch.
                    events.retain(|e| e.position != last);
                }
            }
            Ok(events)
        }
    }
}

/// Events the consumer has not taken yet (committed or not yet readable).
pub async fn pending(tx: &mut Tx, consumer: &str) -> Result<i64, sqlx::Error> {
    let at: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT position FROM event_cursors WHERE consumer = $1")
        .bind(consumer).fetch_optional(c).await)?;
    let at = at.unwrap_or(0);
    match tx {
        Tx::Sqlite(c) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM domain_events WHERE id > $1")
                .bind(at)
                .fetch_one(&mut **c)
                .await
        }
        Tx::Postgres(c) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM domain_events WHERE txid > $1")
                .bind(at)
                .fetch_one(&mut **c)
                .await
        }
    }
}

/// The consumer's cursor, if it has one.
pub async fn cursor(tx: &mut Tx, consumer: &str) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT position FROM event_cursors WHERE consumer = $1")
        .bind(consumer).fetch_optional(c).await)
}

/// PostgreSQL: whether stored events carry transaction ids above this cluster's current one
/// (the database was restored into another cluster, whose ids start lower). Never on SQLite.
pub async fn foreign_txids(tx: &mut Tx) -> Result<bool, sqlx::Error> {
    match tx {
        Tx::Sqlite(_) => Ok(false),
        Tx::Postgres(c) => sqlx::query_scalar(
            "SELECT COALESCE(MAX(txid), 0) > pg_current_xact_id()::text::bigint FROM domain_events",
        )
        .fetch_one(&mut **c)
        .await,
    }
}

/// Sets every stored event's order to 0 (all of them are then behind the cursor).
pub async fn clear_txids(tx: &mut Tx) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE domain_events SET txid = 0").execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves a consumer's cursor past every event written so far (after its figures were
/// recomputed from the records in the same transaction).
pub async fn skip_to_end(tx: &mut Tx, consumer: &str) -> Result<(), sqlx::Error> {
    let position: i64 = match tx {
        Tx::Sqlite(c) => {
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM domain_events")
                .fetch_one(&mut **c)
                .await?
        }
        Tx::Postgres(c) => {
            sqlx::query_scalar("SELECT COALESCE(MAX(txid), 0) FROM domain_events")
                .fetch_one(&mut **c)
                .await?
        }
    };
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO event_cursors (consumer, position) VALUES ($1, $2)
         ON CONFLICT (consumer) DO UPDATE SET position = excluded.position")
        .bind(consumer).bind(position)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets every cursor but `keep` to the start (after events were set behind: see `prepare`).
pub async fn reset_other_cursors(tx: &mut Tx, keep: &[&str]) -> Result<(), sqlx::Error> {
    let names: Vec<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT consumer FROM event_cursors")
        .fetch_all(c).await)?;
    for n in names.iter().filter(|n| !keep.contains(&n.as_str())) {
        set_cursor(tx, n, 0).await?;
    }
    Ok(())
}
