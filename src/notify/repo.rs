//! SQL of notifications.

use super::model::{NewNotice, NoticeKind, NotificationId};
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

/// Writes a notification; false when one with the same `once_key` exists for the account.
pub async fn insert(tx: &mut Tx, n: &NewNotice) -> Result<bool, sqlx::Error> {
    let rows = on_tx!(tx, c => sqlx::query(
        "INSERT INTO notifications (account_id, kind, subject, note, link, once_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (account_id, once_key) WHERE once_key IS NOT NULL DO NOTHING")
        .bind(n.account).bind(n.kind.as_str()).bind(&n.subject).bind(n.note.as_deref())
        .bind(n.link.as_deref()).bind(n.once_key.as_deref()).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(rows == 1)
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
