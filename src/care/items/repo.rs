//! SQL for the care plan's service items. Callers check scope first.

use crate::care::model::ItemStatus;
use crate::db::{Tx, now};
use crate::ids::{AccountId, CareItemId, PersonId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// One service item of a care plan.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct CareItem {
    pub id: CareItemId,
    pub person_id: PersonId,
    pub name: String,
    /// planned, active, paused or done.
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
    pub note: Option<String>,
    pub created_by_name: String,
    pub updated_at: DateTime<Utc>,
}

const ITEM_COLS: &str =
    "i.id, i.person_id, i.name, i.status, i.note, a.display_name AS created_by_name, i.updated_at";

pub async fn items(tx: &mut Tx, person: PersonId) -> Result<Vec<CareItem>, sqlx::Error> {
    let sql = format!(
        "SELECT {ITEM_COLS} FROM care_items i JOIN accounts a ON a.id = i.created_by
         WHERE i.person_id = $1 ORDER BY i.id"
    );
    on_tx!(tx, c => sqlx::query_as::<_, CareItem>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(person.0).fetch_all(c).await)
}

/// One item of this person's plan, if it exists.
pub async fn item(
    tx: &mut Tx,
    person: PersonId,
    id: CareItemId,
) -> Result<Option<CareItem>, sqlx::Error> {
    let sql = format!(
        "SELECT {ITEM_COLS} FROM care_items i JOIN accounts a ON a.id = i.created_by
         WHERE i.person_id = $1 AND i.id = $2"
    );
    on_tx!(tx, c => sqlx::query_as::<_, CareItem>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(person.0).bind(id).fetch_optional(c).await)
}

pub async fn insert_item(
    tx: &mut Tx,
    person: PersonId,
    name: &str,
    status: &str,
    note: Option<&str>,
    by: AccountId,
) -> Result<CareItemId, sqlx::Error> {
    let t = now();
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO care_items (person_id, name, status, note, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
        .bind(person.0).bind(name).bind(status).bind(note).bind(by).bind(t).fetch_one(c).await)
}

/// Sets an item's status and note; false when the item is not on this person's plan.
pub async fn update_item(
    tx: &mut Tx,
    person: PersonId,
    id: CareItemId,
    status: &str,
    note: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE care_items SET status = $3, note = $4, updated_at = $5 WHERE person_id = $1 AND id = $2")
        .bind(person.0).bind(id).bind(status).bind(note).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
