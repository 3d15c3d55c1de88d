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

/// Queues a notice by SMS to a person in the registry without an account, not before
/// `next_at`; the address names the person, whose mobile the sender decrypts.
pub async fn queue_person(
    tx: &mut Tx,
    notice: crate::ids::NoticeId,
    person: crate::ids::PersonId,
    next_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO deliveries (notice_id, person_id, channel, address, next_at, created_at)
         VALUES ($1, $2, 'sms', $3, $4, $5) ON CONFLICT (notice_id, person_id, channel) DO NOTHING")
        .bind(notice).bind(person).bind(format!("person:{}", person.0)).bind(next_at).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether an account has a mobile to send SMS to: its own, or its person file's.
pub async fn has_mobile(tx: &mut Tx, account: AccountId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts a WHERE a.id = $1 AND (a.phone_enc IS NOT NULL
            OR EXISTS (SELECT 1 FROM people p WHERE p.account_id = a.id AND p.mobile_enc IS NOT NULL))")
        .bind(account).fetch_one(c).await)?;
    Ok(n > 0)
}

/// An account's own choice for a kind, `(email, sms, wechat)`, when it made one.
pub async fn pref(
    tx: &mut Tx,
    account: AccountId,
    kind: NoticeKind,
) -> Result<Option<(bool, bool, bool)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT email, sms, wechat FROM notify_prefs WHERE account_id = $1 AND kind = $2")
        .bind(account).bind(kind.as_str()).fetch_optional(c).await)
}

/// An account's choices: kind, email, sms, wechat.
pub async fn prefs(
    tx: &mut Tx,
    account: AccountId,
) -> Result<Vec<(String, bool, bool, bool)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT kind, email, sms, wechat FROM notify_prefs WHERE account_id = $1")
        .bind(account).fetch_all(c).await)
}

pub async fn set_pref(
    tx: &mut Tx,
    account: AccountId,
    kind: NoticeKind,
    (email, sms, wechat): (bool, bool, bool),
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO notify_prefs (account_id, kind, email, sms, wechat) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id, kind) DO UPDATE SET email = excluded.email, sms = excluded.sms,
             wechat = excluded.wechat")
        .bind(account).bind(kind.as_str()).bind(email).bind(sms).bind(wechat)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The openid of the account's WeChat follow, when it bound one.
pub async fn openid_of(tx: &mut Tx, account: AccountId) -> Result<Option<String>, sqlx::Error> {
    let v: Option<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT wechat_openid FROM notify_addresses WHERE account_id = $1")
        .bind(account).fetch_optional(c).await)?;
    Ok(v.flatten())
}

/// Binds (or with `None` unbinds) an account's WeChat openid; an openid bound to another
/// account moves here (one phone, one person).
pub async fn set_openid(
    tx: &mut Tx,
    account: AccountId,
    openid: Option<&str>,
) -> Result<(), sqlx::Error> {
    if let Some(o) = openid {
        on_tx!(tx, c => sqlx::query(
            "UPDATE notify_addresses SET wechat_openid = NULL WHERE wechat_openid = $1 AND account_id <> $2")
            .bind(o).bind(account).execute(c).await.map(|r| r.rows_affected()))?;
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO notify_addresses (account_id, wechat_openid, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET wechat_openid = excluded.wechat_openid,
             updated_at = excluded.updated_at")
        .bind(account).bind(openid).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The official account's access token kept for all nodes, with when it expires.
pub async fn wechat_token(tx: &mut Tx) -> Result<Option<(String, DateTime<Utc>)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("SELECT token, expires_at FROM wechat_tokens WHERE id = 1")
        .fetch_optional(c).await)
}

pub async fn set_wechat_token(
    tx: &mut Tx,
    token: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO wechat_tokens (id, token, expires_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at")
        .bind(token).bind(expires_at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether the account chose one email a day.
pub async fn digest_of(tx: &mut Tx, account: AccountId) -> Result<bool, sqlx::Error> {
    let v: Option<bool> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT digest FROM notify_addresses WHERE account_id = $1")
        .bind(account).fetch_optional(c).await)?;
    Ok(v.unwrap_or(false))
}

pub async fn set_digest(tx: &mut Tx, account: AccountId, digest: bool) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO notify_addresses (account_id, digest, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at")
        .bind(account).bind(digest).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// An account's quiet hours (China time), when it set its own.
pub async fn quiet_hours(
    tx: &mut Tx,
    account: AccountId,
) -> Result<Option<(i32, i32)>, sqlx::Error> {
    let v: Option<(Option<i32>, Option<i32>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT quiet_from, quiet_until FROM notify_addresses WHERE account_id = $1")
        .bind(account).fetch_optional(c).await)?;
    Ok(v.and_then(|(f, u)| f.zip(u)))
}

pub async fn set_quiet_hours(
    tx: &mut Tx,
    account: AccountId,
    hours: Option<(i32, i32)>,
) -> Result<(), sqlx::Error> {
    let (from, until) = (hours.map(|h| h.0), hours.map(|h| h.1));
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO notify_addresses (account_id, quiet_from, quiet_until, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id) DO UPDATE SET quiet_from = excluded.quiet_from,
             quiet_until = excluded.quiet_until, updated_at = excluded.updated_at")
        .bind(account).bind(from).bind(until).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Messages of a channel to an address sent since `since`, or being sent now (the
/// per-recipient limit).
pub async fn recent_to(
    tx: &mut Tx,
    channel: Channel,
    address: &str,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliveries WHERE address = $1 AND channel = $2
           AND (status = 'sending' OR (status = 'sent' AND sent_at > $3))")
        .bind(address).bind(channel.as_str()).bind(since).fetch_one(c).await)
}

/// Puts a queued message off until `at` (over its recipient's hourly limit); no attempt counts.
pub async fn postpone(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE deliveries SET next_at = $2 WHERE id = $1 AND status = 'queued'")
        .bind(id).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A message claimed for sending, with what it says and the recipient's language; for an SMS,
/// the recipient's mobile as stored (sealed), which only the sender opens.
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
    pub sealed: Option<String>,
    /// The account it is to (none for a person of the registry).
    pub account_id: Option<i64>,
    /// For WeChat, the follower's openid.
    pub openid: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Claims up to `limit` queued messages of `channel` due at `at` for this node: they become
/// `sending`, so no other node takes them. With `per_hour`, a message whose address had that
/// many within the hour is put off an hour instead.
pub async fn claim(
    tx: &mut Tx,
    channel: Channel,
    at: DateTime<Utc>,
    limit: i64,
    per_hour: Option<i64>,
) -> Result<Vec<Outgoing>, sqlx::Error> {
    // PostgreSQL: several nodes claim at once, each skipping the rows another holds.
    // SQLite: one writer at a time, so the plain update cannot overlap.
    let lock = match tx {
        Tx::Sqlite(_) => "",
        Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
    };
    let due: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, address FROM deliveries WHERE status = 'queued' AND channel = $1 AND next_at <= $2
         ORDER BY next_at, id LIMIT $3{lock}")))
        .bind(channel.as_str()).bind(at).bind(limit).fetch_all(c).await)?;
    let mut out = Vec::with_capacity(due.len());
    for (id, address) in due {
        if let Some(max) = per_hour
            && recent_to(tx, channel, &address, at - chrono::Duration::hours(1)).await? >= max
        {
            postpone(tx, id, at + chrono::Duration::hours(1)).await?;
            continue;
        }
        on_tx!(tx, c => sqlx::query(
            "UPDATE deliveries SET status = 'sending', claimed_at = $2 WHERE id = $1")
            .bind(id).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
        let o: Outgoing = on_tx!(tx, c => sqlx::query_as(
            "SELECT d.id, d.address, d.attempts, COALESCE(n.kind, 'notice') AS kind,
                    COALESCE(n.subject, x.title) AS subject, COALESCE(n.note, x.body) AS note, n.link,
                    COALESCE(a.locale, 'zh-CN') AS locale,
                    CASE WHEN d.channel = 'sms' THEN COALESCE(a.phone_enc,
                        (SELECT ap.mobile_enc FROM people ap WHERE ap.account_id = a.id), pp.mobile_enc) END AS sealed,
                    n.account_id,
                    (SELECT na.wechat_openid FROM notify_addresses na WHERE na.account_id = a.id) AS openid,
                    d.created_at
             FROM deliveries d LEFT JOIN notifications n ON n.id = d.notification_id
             LEFT JOIN accounts a ON a.id = n.account_id
             LEFT JOIN notices x ON x.id = d.notice_id LEFT JOIN people pp ON pp.id = d.person_id
             WHERE d.id = $1")
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
