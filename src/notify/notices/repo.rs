//! SQL of notices and their figures.

use super::model::NoticeId;
use crate::db::{Tx, now};
use crate::ids::{AccountId, UnitId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// A notice with its figures: how many it reached, read it, and by email.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct NoticeRow {
    pub id: NoticeId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub author_name: String,
    pub title: String,
    pub body: String,
    /// Accounts it reached (in the inbox).
    pub recipients: i64,
    /// People in the registry without an account it went to by SMS.
    pub registry: i64,
    pub sms: bool,
    pub must_reach: bool,
    pub escalated_at: Option<DateTime<Utc>>,
    pub tasked_at: Option<DateTime<Utc>>,
    pub read: i64,
    pub emails_sent: i64,
    pub emails_waiting: i64,
    pub emails_failed: i64,
    pub sms_sent: i64,
    pub sms_waiting: i64,
    pub sms_failed: i64,
    pub wechat_sent: i64,
    pub wechat_waiting: i64,
    pub wechat_failed: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(
    tx: &mut Tx,
    d: &super::model::NoticeDraft,
    author: AccountId,
    audience: &str,
    recipients: i64,
    registry: i64,
) -> Result<NoticeId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO notices (unit_id, author_id, title, body, audience, recipients, sms, registry,
                              must_reach, fallback_hours, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
        .bind(d.unit).bind(author).bind(&d.title).bind(&d.body).bind(audience).bind(recipients)
        .bind(d.sms).bind(registry as i32).bind(d.must_reach.is_some()).bind(d.must_reach).bind(now())
        .fetch_one(c).await)
}

/// The deliveries of a notice `n` by one channel in some states: to its accounts (their
/// notifications carry the notice's key) and to people of the registry (named directly).
macro_rules! notice_deliveries {
    ($channel:literal, $states:literal) => {
        concat!(
            "(SELECT COUNT(*) FROM notifications x JOIN deliveries d ON d.notification_id = x.id
               WHERE x.once_key = 'notice:' || n.id AND d.channel = '",
            $channel,
            "' AND d.status IN (",
            $states,
            "))
             + (SELECT COUNT(*) FROM deliveries d WHERE d.notice_id = n.id AND d.channel = '",
            $channel,
            "' AND d.status IN (",
            $states,
            "))"
        )
    };
}

macro_rules! notice_select {
    ($where:expr) => {
        concat!(
            "SELECT n.id, n.unit_id, u.name AS unit_name, a.display_name AS author_name, n.title, n.body,
                    CAST(n.recipients AS BIGINT) AS recipients, CAST(n.registry AS BIGINT) AS registry, n.sms,
                    n.must_reach, n.escalated_at, n.tasked_at,
                    (SELECT COUNT(*) FROM notifications x WHERE x.once_key = 'notice:' || n.id AND x.read_at IS NOT NULL) AS read,
                    ", notice_deliveries!("email", "'sent'"), " AS emails_sent,
                    ", notice_deliveries!("email", "'queued', 'sending'"), " AS emails_waiting,
                    ", notice_deliveries!("email", "'failed'"), " AS emails_failed,
                    ", notice_deliveries!("sms", "'sent'"), " AS sms_sent,
                    ", notice_deliveries!("sms", "'queued', 'sending'"), " AS sms_waiting,
                    ", notice_deliveries!("sms", "'failed'"), " AS sms_failed,
                    ", notice_deliveries!("wechat", "'sent'"), " AS wechat_sent,
                    ", notice_deliveries!("wechat", "'queued', 'sending'"), " AS wechat_waiting,
                    ", notice_deliveries!("wechat", "'failed'"), " AS wechat_failed,
                    n.created_at
             FROM notices n JOIN units u ON u.id = n.unit_id JOIN accounts a ON a.id = n.author_id
             WHERE ",
            $where
        )
    };
}

/// The notices sent to units at or below the units whose paths are in scope of `$1..$3`,
/// newest first.
pub async fn in_scope(
    tx: &mut Tx,
    s: &crate::access::Scope,
    limit: i64,
) -> Result<Vec<NoticeRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, NoticeRow>(concat!(
        notice_select!(crate::in_scope!("u")), " ORDER BY n.id DESC LIMIT $4"))
        .bind(s.all).bind(s.account).bind(s.roles).bind(limit).fetch_all(c).await)
}

/// One notice, if its unit is in scope.
pub async fn get_in_scope(
    tx: &mut Tx,
    s: &crate::access::Scope,
    id: NoticeId,
) -> Result<Option<NoticeRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, NoticeRow>(concat!(
        notice_select!(crate::in_scope!("u")), " AND n.id = $4"))
        .bind(s.all).bind(s.account).bind(s.roles).bind(id).fetch_optional(c).await)
}

pub async fn exists(tx: &mut Tx, id: NoticeId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE id = $1")
        .bind(id).fetch_one(c).await)?;
    Ok(n > 0)
}

/// A must-reach notice waiting for its next step: id, author, hours, and when it was sent
/// (step one) or escalated (step two).
pub async fn must_reach_waiting(
    tx: &mut Tx,
    escalated: bool,
) -> Result<Vec<(NoticeId, AccountId, i32, DateTime<Utc>)>, sqlx::Error> {
    let sql = if escalated {
        "SELECT id, author_id, fallback_hours, escalated_at FROM notices
         WHERE must_reach AND escalated_at IS NOT NULL AND tasked_at IS NULL"
    } else {
        "SELECT id, author_id, fallback_hours, created_at FROM notices
         WHERE must_reach AND escalated_at IS NULL"
    };
    on_tx!(tx, c => sqlx::query_as(sql).fetch_all(c).await)
}

/// Claims a step of a must-reach notice (once across nodes): true when this caller did.
pub async fn claim_step(tx: &mut Tx, id: NoticeId, escalated: bool) -> Result<bool, sqlx::Error> {
    let sql = if escalated {
        "UPDATE notices SET tasked_at = $2 WHERE id = $1 AND tasked_at IS NULL"
    } else {
        "UPDATE notices SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL"
    };
    let n = on_tx!(tx, c => sqlx::query(sql).bind(id).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The notice's notifications still unread: notification and account.
pub async fn unread(
    tx: &mut Tx,
    id: NoticeId,
) -> Result<Vec<(crate::ids::NotificationId, AccountId)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, account_id FROM notifications WHERE once_key = 'notice:' || $1 AND read_at IS NULL")
        .bind(id.0.to_string()).fetch_all(c).await)
}

/// The people of the registry whose SMS of the notice failed.
pub async fn registry_failed(
    tx: &mut Tx,
    id: NoticeId,
) -> Result<Vec<crate::ids::PersonId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT person_id FROM deliveries WHERE notice_id = $1 AND status = 'failed'")
        .bind(id).fetch_all(c).await)
}
