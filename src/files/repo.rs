//! SQL for uploaded files (the `attachments` table).

use super::model::{Attachment, NewAttachment};
use crate::db::{Tx, now};
use crate::ids::{ArticleId, FileId, WorkId};
use crate::on_tx;

pub async fn insert(tx: &mut Tx, a: &NewAttachment<'_>) -> Result<FileId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO attachments (article_id, kind, content_type, size_bytes, sha256, storage_key, original_name, uploaded_by, created_at, work_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(a.article).bind(a.kind).bind(a.content_type).bind(a.size).bind(a.sha256).bind(a.storage_key)
        .bind(a.original_name).bind(a.by).bind(now()).bind(a.work).fetch_one(c).await)
}

const COLS: &str =
    "id, article_id, work_id, kind, content_type, size_bytes, original_name, storage_key";

pub async fn of_article(tx: &mut Tx, article: ArticleId) -> Result<Vec<Attachment>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM attachments WHERE article_id = $1 ORDER BY id");
    on_tx!(tx, c => sqlx::query_as::<_, Attachment>(sqlx::AssertSqlSafe(sql.clone())).bind(article).fetch_all(c).await)
}

pub async fn get(tx: &mut Tx, id: FileId) -> Result<Option<Attachment>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM attachments WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as::<_, Attachment>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await)
}

pub async fn of_work(tx: &mut Tx, work: WorkId) -> Result<Vec<Attachment>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM attachments WHERE work_id = $1 ORDER BY id");
    on_tx!(tx, c => sqlx::query_as::<_, Attachment>(sqlx::AssertSqlSafe(sql.clone())).bind(work).fetch_all(c).await)
}

/// A chosen work's files become its article's.
pub async fn move_to_article(
    tx: &mut Tx,
    work: WorkId,
    article: ArticleId,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE attachments SET article_id = $2 WHERE work_id = $1")
        .bind(work).bind(article).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
