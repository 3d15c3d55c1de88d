//! The must-visit task generator over every file, in batches of its own transactions.

use crate::care::service::{cancel_for_inactive, task_batch, task_plan};
use crate::db::Db;
use crate::ids::PersonId;
use chrono::NaiveDate;

/// Creates the visit tasks due on `today` for everyone (or one person). Idempotent: each
/// (person, reason) task is stored once however often or on however many nodes this runs.
/// Batches of 1,000 people, each in its own transaction, so that a province-wide run never
/// holds the write lock for long (a request uses `care::service::generate_tasks_for` in its
/// own transaction instead).
pub async fn generate(
    db: &Db,
    today: NaiveDate,
    only: Option<PersonId>,
) -> Result<u64, sqlx::Error> {
    let plan = {
        let mut tx = db.read().await?;
        task_plan(&mut tx, today).await?
    };
    let mut created = 0;
    let mut after = PersonId(0);
    loop {
        let mut tx = db.write().await?;
        let Some((last, n)) = task_batch(&mut tx, &plan, after, only).await? else {
            break;
        };
        created += n;
        after = last;
        tx.commit().await?;
    }
    let mut tx = db.write().await?;
    cancel_for_inactive(&mut tx).await?;
    tx.commit().await?;
    Ok(created)
}
