//! Bulk work on person files for the command line: the generators (`yinyao demo`, the bench
//! and province generators) file people without a caller, and `yinyao rekey` moves the
//! encrypted fields and kept roster uploads to a new key, batch by batch in its own
//! transactions. Requests never use these: they go through the services, which check scope
//! and audit.

use super::model::PersonId;
use super::repo::{self, PersonRecord};
use crate::db::Tx;

pub use super::repo::{SealedFields, adults_under, link_first};

/// Inserts one validated record (`service::build`); returns its id.
pub async fn insert(tx: &mut Tx, r: &PersonRecord) -> Result<PersonId, sqlx::Error> {
    repo::insert(tx, r).await
}

/// Replaces a file's categories.
pub async fn set_categories(tx: &mut Tx, id: PersonId, cats: &[&str]) -> Result<(), sqlx::Error> {
    repo::set_categories(tx, id, cats).await
}

/// Inserts many validated records with their categories, in few statements.
pub async fn insert_many(
    tx: &mut Tx,
    records: &[(&PersonRecord, &[&'static str])],
) -> Result<Vec<PersonId>, sqlx::Error> {
    repo::insert_many(tx, records).await
}

/// The next `limit` files after `after` holding encrypted fields (locked on PostgreSQL until
/// written back), for `yinyao rekey`.
pub async fn sealed_batch(
    tx: &mut Tx,
    after: i64,
    limit: i64,
) -> Result<Vec<SealedFields>, sqlx::Error> {
    repo::sealed_batch(tx, after, limit).await
}

/// Writes a file's fields back under the new key, with their new blind indexes.
pub async fn reseal(
    tx: &mut Tx,
    f: &SealedFields,
    id_number_idx: Option<&str>,
    mobile_idx: Option<&str>,
) -> Result<(), sqlx::Error> {
    repo::reseal(tx, f, id_number_idx, mobile_idx).await
}

/// The next `limit` kept roster uploads after `after` (by id), sealed, for `yinyao rekey`.
pub async fn uploads_batch(
    tx: &mut Tx,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    super::import_repo::uploads_batch(tx, after, limit).await
}

/// Replaces a kept upload's sealed bytes.
pub async fn reseal_upload(tx: &mut Tx, id: i64, data: &[u8]) -> Result<(), sqlx::Error> {
    super::import_repo::reseal_upload(tx, id, data).await
}
