//! SQL for life events and hardship aid. Callers check scope first.

use crate::care::model::LifeEventKind;
use crate::db::{Tx, now};
use crate::ids::{AccountId, AidId, LifeEventId, PersonId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// A life event as listed.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct LifeEvent {
    pub id: LifeEventId,
    #[sqlx(try_from = "String")]
    pub kind: LifeEventKind,
    pub occurred_on: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_event(
    tx: &mut Tx,
    person: PersonId,
    kind: &str,
    on: &str,
    note: Option<&str>,
    by: AccountId,
) -> Result<LifeEventId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO life_events (person_id, kind, occurred_on, note, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(person).bind(kind).bind(on).bind(note).bind(by).bind(now()).fetch_one(c).await)
}

pub async fn events_of(tx: &mut Tx, person: PersonId) -> Result<Vec<LifeEvent>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, LifeEvent>(
        "SELECT id, kind, occurred_on, note, created_at FROM life_events WHERE person_id = $1 ORDER BY occurred_on DESC, id DESC")
        .bind(person).fetch_all(c).await)
}

/// Hardship aid as listed.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Aid {
    pub id: AidId,
    pub kind: String,
    pub amount_fen: i64,
    pub approved_by: String,
    pub granted_on: String,
    pub note: Option<String>,
}

impl Aid {
    /// `1234.50` from fen.
    pub fn yuan(&self) -> String {
        format!("{}.{:02}", self.amount_fen / 100, self.amount_fen % 100)
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_aid(
    tx: &mut Tx,
    person: PersonId,
    kind: &str,
    fen: i64,
    approved_by: &str,
    on: &str,
    note: Option<&str>,
    by: AccountId,
) -> Result<AidId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO hardship_aid (person_id, kind, amount_fen, approved_by, granted_on, note, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(person).bind(kind).bind(fen).bind(approved_by).bind(on).bind(note).bind(by).bind(now())
        .fetch_one(c).await)
}

pub async fn aid_of(tx: &mut Tx, person: PersonId) -> Result<Vec<Aid>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Aid>(
        "SELECT id, kind, amount_fen, approved_by, granted_on, note FROM hardship_aid WHERE person_id = $1 ORDER BY granted_on DESC, id DESC")
        .bind(person).fetch_all(c).await)
}
