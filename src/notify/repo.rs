//! SQL of notifications.

use super::model::{Channel, NewNotice, NoticeKind, NotificationId};
use crate::db::{Tx, now};
use crate::ids::AccountId;
use crate::on_tx;
use chrono::{DateTime, Utc};

/// A notification as the inbox shows it.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: NotificationId,
    #[sqlx(try_from = "String")]
    pub kind: NoticeKind,
    /// What it is about (an article's title, a role and unit, a count of tasks).
    pub subject: String,
    /// A reviewer's comment, or other words that came with it.
    pub note: Option<String>,
    /// Where it leads.
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Writes a notification; `None` when one with the same `once_key` exists for the account.
pub async fn insert(tx: &mut Tx, n: &NewNotice) -> Result<Option<NotificationId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO notifications (account_id, kind, subject, note, link, once_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (account_id, once_key) WHERE once_key IS NOT NULL DO NOTHING RETURNING id")
        .bind(n.account).bind(n.kind.as_str()).bind(&n.subject).bind(n.note.as_deref())
        .bind(n.link.as_deref()).bind(n.once_key.as_deref()).bind(now())
        .fetch_optional(c).await)
}

/// The email address an account gave for notifications.
pub async fn email_of(tx: &mut Tx, account: AccountId) -> Result<Option<String>, sqlx::Error> {
    let v: Option<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT email FROM notify_addresses WHERE account_id = $1")
        .bind(account).fetch_optional(c).await)?;
    Ok(v.flatten())
}

/// Sets (or, with `None`, removes) an account's email address for notifications.
pub async fn set_email(
    tx: &mut Tx,
    account: AccountId,
    email: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO notify_addresses (account_id, email, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at")
        .bind(account).bind(email).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Queues a notification for a channel, not to go before `next_at`.
pub async fn queue(
    tx: &mut Tx,
    id: NotificationId,
    channel: Channel,
    address: &str,
    next_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO deliveries (notification_id, channel, address, next_at, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notification_id, channel) DO NOTHING")
        .bind(id).bind(channel.as_str()).bind(address).bind(next_at).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A message claimed for sending, with what it says and the recipient's language.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub address: String,
    pub attempts: i32,
    #[sqlx(try_from = "String")]
    pub kind: NoticeKind,
    pub subject: String,
    pub note: Option<String>,
    pub link: Option<String>,
    pub locale: String,
}

/// Claims up to `limit` queued messages of `channel` due at `at` for this node: they become
/// `sending`, so no other node takes them.
pub async fn claim(
    tx: &mut Tx,
    channel: Channel,
    at: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Outgoing>, sqlx::Error> {
    // PostgreSQL: several nodes claim at once, each skipping the rows another holds.
    // SQLite: one writer at a time, so the plain update cannot overlap.
    let lock = match tx {
        Tx::Sqlite(_) => "",
        Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
    };
    let ids: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM deliveries WHERE status = 'queued' AND channel = $1 AND next_at <= $2
         ORDER BY next_at, id LIMIT $3{lock}")))
        .bind(channel.as_str()).bind(at).bind(limit).fetch_all(c).await)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        on_tx!(tx, c => sqlx::query(
            "UPDATE deliveries SET status = 'sending', claimed_at = $2 WHERE id = $1")
            .bind(id).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
        let o: Outgoing = on_tx!(tx, c => sqlx::query_as(
            "SELECT d.id, d.address, d.attempts, n.kind, n.subject, n.note, n.link, a.locale
             FROM deliveries d JOIN notifications n ON n.id = d.notification_id
             JOIN accounts a ON a.id = n.account_id WHERE d.id = $1")
            .bind(id).fetch_one(c).await)?;
        out.push(o);
    }
    Ok(out)
}

/// What became of one message: sent, back in the queue until `retry_at`, or failed.
pub async fn settle(
    tx: &mut Tx,
    id: i64,
    sent: bool,
    retry_at: Option<DateTime<Utc>>,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    let (status, next) = match (sent, retry_at) {
        (true, _) => ("sent", None),
        (false, Some(at)) => ("queued", Some(at)),
        (false, None) => ("failed", None),
    };
    on_tx!(tx, c => sqlx::query(
        "UPDATE deliveries SET status = $2, attempts = attempts + 1, next_at = COALESCE($3, next_at),
             last_error = $4, sent_at = CASE WHEN $2 = 'sent' THEN $5 ELSE sent_at END
         WHERE id = $1 AND status = 'sending'")
        .bind(id).bind(status).bind(next).bind(error).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Messages claimed before `before` and never settled (their node stopped mid-send) end as
/// failed: they may have gone, and a message goes at most once.
pub async fn abandon_stuck(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE deliveries SET status = 'failed', last_error = 'interrupted while sending'
         WHERE status = 'sending' AND claimed_at < $1")
        .bind(before).execute(c).await.map(|r| r.rows_affected()))
}

/// Messages by status for one channel (for /metrics and the tests).
pub async fn counts(tx: &mut Tx, channel: Channel) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT status, COUNT(*) FROM deliveries WHERE channel = $1 GROUP BY status ORDER BY status")
        .bind(channel.as_str()).fetch_all(c).await)
}

/// An account's notifications, newest first.
pub async fn list(
    tx: &mut Tx,
    account: AccountId,
    limit: i64,
    offset: i64,
) -> Result<Vec<Notification>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Notification>(
        "SELECT id, kind, subject, note, link, created_at, read_at FROM notifications
         WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3")
        .bind(account).bind(limit).bind(offset).fetch_all(c).await)
}

/// How many of an account's notifications are unread.
pub async fn unread(tx: &mut Tx, account: AccountId) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL")
        .bind(account).fetch_one(c).await)
}

/// Marks one of the account's notifications read; its link, or `None` when the account has
/// no such notification.
pub async fn mark_read(
    tx: &mut Tx,
    account: AccountId,
    id: NotificationId,
) -> Result<Option<Option<String>>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE notifications SET read_at = COALESCE(read_at, $3)
         WHERE id = $1 AND account_id = $2 RETURNING link")
        .bind(id).bind(account).bind(now()).fetch_optional(c).await)
}

/// Marks all of an account's notifications read; how many were unread.
pub async fn mark_all_read(tx: &mut Tx, account: AccountId) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE account_id = $1 AND read_at IS NULL")
        .bind(account).bind(now()).execute(c).await.map(|r| r.rows_affected()))
}
