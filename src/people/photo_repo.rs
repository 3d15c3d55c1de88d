//! SQL for the person's photo. Callers check scope first.

use super::model::PersonId;
use crate::db::{Tx, now};
use crate::on_tx;
use chrono::{DateTime, Utc};

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
