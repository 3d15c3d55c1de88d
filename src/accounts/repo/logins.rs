//! SQL for counting failed logins, per account and per address, across nodes.

use super::super::model::AccountId;
use crate::db::{Tx, now};
use crate::on_tx;
use chrono::Duration;

/// What a failed password or code did to the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The account was locked already; nothing was counted.
    AlreadyLocked,
    Counted,
    /// This failure reached the limit and locked the account.
    NowLocked,
}

/// Counts a failure atomically: the increment happens only while the account is unlocked,
/// and the row lock it takes serialises parallel attempts on PostgreSQL (SQLite writers are
/// serialised by `BEGIN IMMEDIATE`).
pub async fn record_failure(
    tx: &mut Tx,
    id: AccountId,
    limit: i64,
    lock_minutes: i64,
) -> Result<Failure, sqlx::Error> {
    let t = now();
    let failures: Option<i32> = on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE accounts SET failed_logins = failed_logins + 1
         WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING failed_logins")
        .bind(id.0).bind(t).fetch_optional(c).await)?;
    let Some(failures) = failures else {
        return Ok(Failure::AlreadyLocked);
    };
    if i64::from(failures) >= limit {
        on_tx!(tx, c => sqlx::query("UPDATE accounts SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(t + Duration::minutes(lock_minutes)).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
        return Ok(Failure::NowLocked);
    }
    Ok(Failure::Counted)
}

/// Whether the account is not locked now.
pub async fn unlocked(tx: &mut Tx, id: AccountId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)")
        .bind(id.0).bind(now()).fetch_one(c).await)?;
    Ok(n == 1)
}

pub async fn clear_failures(tx: &mut Tx, id: AccountId) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Failed logins from one address inside the current window (the window restarts when old).
pub async fn ip_failures(tx: &mut Tx, ip: &str, window_minutes: i64) -> Result<i64, sqlx::Error> {
    let since = now() - Duration::minutes(window_minutes);
    let n: Option<i32> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT failures FROM ip_attempts WHERE ip = $1 AND window_start >= $2")
        .bind(ip).bind(since).fetch_optional(c).await)?;
    Ok(n.map(i64::from).unwrap_or(0))
}

pub async fn record_ip_failure(
    tx: &mut Tx,
    ip: &str,
    window_minutes: i64,
) -> Result<(), sqlx::Error> {
    let t = now();
    let since = t - Duration::minutes(window_minutes);
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO ip_attempts (ip, window_start, failures) VALUES ($1, $2, 1)
         ON CONFLICT (ip) DO UPDATE SET
           failures = CASE WHEN ip_attempts.window_start < $3 THEN 1 ELSE ip_attempts.failures + 1 END,
           window_start = CASE WHEN ip_attempts.window_start < $3 THEN $2 ELSE ip_attempts.window_start END")
        .bind(ip).bind(t).bind(since).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a device an account logged in from; returns whether it was new, and how many the
/// account had before.
pub async fn note_device(
    tx: &mut Tx,
    id: AccountId,
    device: &str,
) -> Result<(bool, i64), sqlx::Error> {
    let before: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM account_devices WHERE account_id = $1")
        .bind(id.0).fetch_one(c).await)?;
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO account_devices (account_id, device, first_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id, device) DO NOTHING")
        .bind(id.0).bind(device).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok((n == 1, before))
}
