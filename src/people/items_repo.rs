//! SQL for what hangs off a person file besides visits: the care plan's service items, the
//! photo, and a mobile party member's online branch. Callers check scope first.

use super::model::PersonId;
use crate::db::{Tx, now};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// One service item of a care plan.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct CareItem {
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    /// planned, active, paused or done.
    pub status: String,
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
pub async fn item(tx: &mut Tx, person: PersonId, id: i64) -> Result<Option<CareItem>, sqlx::Error> {
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
    by: i64,
) -> Result<i64, sqlx::Error> {
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
    id: i64,
    status: &str,
    note: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE care_items SET status = $3, note = $4, updated_at = $5 WHERE person_id = $1 AND id = $2")
        .bind(person.0).bind(id).bind(status).bind(note).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A stored photo: JPEG bytes and when they were set.
pub struct Photo {
    pub jpeg: Vec<u8>,
    pub updated_at: DateTime<Utc>,
}

pub async fn photo(tx: &mut Tx, person: PersonId) -> Result<Option<Photo>, sqlx::Error> {
    let row: Option<(Vec<u8>, DateTime<Utc>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT jpeg, updated_at FROM person_photos WHERE person_id = $1")
        .bind(person.0).fetch_optional(c).await)?;
    Ok(row.map(|(jpeg, updated_at)| Photo { jpeg, updated_at }))
}

pub async fn has_photo(tx: &mut Tx, person: PersonId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM person_photos WHERE person_id = $1")
        .bind(person.0).fetch_one(c).await)?;
    Ok(n > 0)
}

pub async fn set_photo(
    tx: &mut Tx,
    person: PersonId,
    jpeg: &[u8],
    width: u32,
    height: u32,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO person_photos (person_id, jpeg, width, height, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (person_id) DO UPDATE SET jpeg = excluded.jpeg, width = excluded.width,
             height = excluded.height, updated_at = excluded.updated_at")
        .bind(person.0).bind(jpeg).bind(i64::from(width)).bind(i64::from(height)).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes the photo; false when there was none.
pub async fn delete_photo(tx: &mut Tx, person: PersonId) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM person_photos WHERE person_id = $1")
        .bind(person.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The online branch of a mobile party member, with its name.
pub async fn online_branch(
    tx: &mut Tx,
    person: PersonId,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT u.id, u.name FROM people p JOIN units u ON u.id = p.online_branch_id WHERE p.id = $1")
        .bind(person.0).fetch_optional(c).await)
}

pub async fn set_online_branch(
    tx: &mut Tx,
    person: PersonId,
    branch: Option<i64>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE people SET online_branch_id = $2 WHERE id = $1")
        .bind(person.0).bind(branch).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether a unit is an active online branch (网络党支部).
pub async fn is_online_branch(tx: &mut Tx, unit: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM units WHERE id = $1 AND kind = 'online_branch' AND active = TRUE")
        .bind(unit).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Active online branches, for the person form's choice.
pub async fn online_branches(tx: &mut Tx) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name FROM units WHERE kind = 'online_branch' AND active = TRUE ORDER BY name, id")
        .fetch_all(c).await)
}

/// Staff who may be paired with people at a unit (staff, unit admins and youth-care staff
/// of the unit or above it), for the care plan's choice.
pub async fn pairable_staff(tx: &mut Tx, unit: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        concat!("SELECT DISTINCT a.id, a.display_name FROM role_grants g JOIN units gu ON gu.id = g.unit_id
         JOIN units u ON u.id = $1 JOIN accounts a ON a.id = g.account_id
         WHERE g.revoked_at IS NULL AND a.active = TRUE AND ", crate::under!("u.path", "gu.path"), "
           AND g.role IN ('unit_admin', 'staff', 'youth_care')
         ORDER BY a.display_name, a.id LIMIT 500"))
        .bind(unit).fetch_all(c).await)
}
