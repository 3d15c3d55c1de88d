//! SQL for roster imports: the files kept (encrypted) between the check and the commit, and
//! the look-up of ID numbers already on file.

use crate::db::Tx;
use crate::ids::{AccountId, UnitId, UploadId};
use crate::on_tx;
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// A kept upload as stored: `data` is the sealed (encrypted) file.
#[derive(Debug, sqlx::FromRow)]
pub struct StoredUpload {
    pub unit_id: UnitId,
    pub filename: String,
    pub data: Vec<u8>,
}

/// Keeps a sealed file for its owner; returns its id.
pub async fn insert_upload(
    tx: &mut Tx,
    account: AccountId,
    unit: UnitId,
    filename: &str,
    sealed: &[u8],
) -> Result<UploadId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO import_uploads (account_id, unit_id, filename, data, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(account).bind(unit).bind(filename).bind(sealed).bind(crate::db::now()).fetch_one(c).await)
}

/// The account's own upload, if it was kept after `since`.
pub async fn upload_of(
    tx: &mut Tx,
    account: AccountId,
    id: UploadId,
    since: DateTime<Utc>,
) -> Result<Option<StoredUpload>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, StoredUpload>(
        "SELECT unit_id, filename, data FROM import_uploads WHERE id = $1 AND account_id = $2 AND created_at > $3")
        .bind(id).bind(account).bind(since).fetch_optional(c).await)
}

/// Removes the account's upload; returns how many rows went (0 when already committed).
pub async fn delete_upload(
    tx: &mut Tx,
    account: AccountId,
    id: UploadId,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM import_uploads WHERE id = $1 AND account_id = $2")
        .bind(id).bind(account).execute(c).await.map(|r| r.rows_affected()))
}

/// Removes every upload kept since before `before` (checked but never committed).
pub async fn purge_uploads_before(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM import_uploads WHERE created_at < $1")
        .bind(before).execute(c).await.map(|r| r.rows_affected()))
}

/// Which of these blind indexes are already on file.
pub async fn existing_ids(tx: &mut Tx, all: Vec<String>) -> Result<HashSet<String>, sqlx::Error> {
    const PLACEHOLDERS: &str = "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33,$34,$35,$36,$37,$38,$39,$40,$41,$42,$43,$44,$45,$46,$47,$48,$49,$50";
    let sql = format!("SELECT id_number_idx FROM people WHERE id_number_idx IN ({PLACEHOLDERS})");
    let mut found = HashSet::new();
    for chunk in all.chunks(50) {
        let mut vals: Vec<&str> = chunk.iter().map(String::as_str).collect();
        vals.resize(50, "");
        // The statement is a constant list of placeholders; every value is bound.
        let rows: Vec<String> = on_tx!(tx, c => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for v in &vals {
                q = q.bind(*v);
            }
            q.fetch_all(c).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// The next `limit` kept uploads after `after` (by id), sealed, for `yinyao rekey`.
pub async fn uploads_batch(
    tx: &mut Tx,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("SELECT id, data FROM import_uploads WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after).bind(limit).fetch_all(c).await)
}

/// Replaces a kept upload's sealed bytes.
pub async fn reseal_upload(tx: &mut Tx, id: i64, data: &[u8]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE import_uploads SET data = $2 WHERE id = $1")
        .bind(id).bind(data).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
