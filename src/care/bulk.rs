//! Bulk loading for the command line's generators (`yinyao demo`, the bench and province
//! generators): care plans, visits, service items, life events, aid and contact dates written
//! without a caller, in the generator's transaction. Requests never use these: they go
//! through the services, which check scope and audit.

use super::visits::repo as visits;
use crate::db::Tx;
use crate::ids::{AccountId, PersonId, VisitId};

pub use super::repo::Task;
pub use super::visits::repo::{NewVisitRecord, PlanRow};

/// Sets (or replaces) a person's care plan.
pub async fn upsert_care_plan(
    tx: &mut Tx,
    id: PersonId,
    tier: &str,
    interval: i32,
    paired: Option<i64>,
    notes: Option<&str>,
) -> Result<(), sqlx::Error> {
    visits::upsert_care_plan(tx, id, tier, interval, paired.map(AccountId), notes).await
}

/// Records a visit (without closing tasks; see [`set_contact`]).
pub async fn insert_visit(
    tx: &mut Tx,
    id: PersonId,
    v: &NewVisitRecord<'_>,
) -> Result<VisitId, sqlx::Error> {
    visits::insert_visit(tx, id, v).await
}

/// Inserts care plans for people who have none, in one statement per 5,000.
pub async fn insert_care_plans_many(tx: &mut Tx, rows: &[PlanRow<'_>]) -> Result<(), sqlx::Error> {
    visits::insert_care_plans_many(tx, rows).await
}

/// Inserts visits `(person, visit)` in one statement per 5,000 (the caller sets the plans'
/// contact dates to match).
pub async fn insert_visits_many(
    tx: &mut Tx,
    rows: &[(i64, NewVisitRecord<'_>)],
) -> Result<(), sqlx::Error> {
    visits::insert_visits_many(tx, rows).await
}

/// Sets a plan's last contact and next due date (when it is not older than the stored one).
pub async fn set_contact(
    tx: &mut Tx,
    person: i64,
    last: &str,
    next_due: Option<&str>,
) -> Result<(), sqlx::Error> {
    super::repo::set_contact(tx, PersonId(person), last, next_due).await
}

/// Adds a service item to a person's plan.
pub async fn insert_item(
    tx: &mut Tx,
    person: PersonId,
    name: &str,
    status: &str,
    note: Option<&str>,
    by: i64,
) -> Result<i64, sqlx::Error> {
    super::items::repo::insert_item(tx, person, name, status, note, AccountId(by))
        .await
        .map(|id| id.0)
}

/// Records a life event (without its tasks; the generator runs afterwards).
pub async fn insert_event(
    tx: &mut Tx,
    person: i64,
    kind: &str,
    on: &str,
    note: Option<&str>,
    by: i64,
) -> Result<i64, sqlx::Error> {
    super::events::repo::insert_event(tx, PersonId(person), kind, on, note, AccountId(by))
        .await
        .map(|id| id.0)
}

/// Records hardship aid.
#[allow(clippy::too_many_arguments)]
pub async fn insert_aid(
    tx: &mut Tx,
    person: i64,
    kind: &str,
    fen: i64,
    approved_by: &str,
    on: &str,
    note: Option<&str>,
    by: i64,
) -> Result<i64, sqlx::Error> {
    let (person, by) = (PersonId(person), AccountId(by));
    super::events::repo::insert_aid(tx, person, kind, fen, approved_by, on, note, by)
        .await
        .map(|id| id.0)
}

/// An account's open tasks, as "my tasks" lists them (the bench measures this statement).
pub async fn my_tasks(tx: &mut Tx, account: i64, limit: i64) -> Result<Vec<Task>, sqlx::Error> {
    let today = chrono::Utc::now().date_naive().to_string();
    let all = super::model::TaskFilter::default();
    super::repo::my_tasks(tx, AccountId(account), &all, &today, limit, 0).await
}
