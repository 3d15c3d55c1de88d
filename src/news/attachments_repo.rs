//! SQL for article attachments and the cover image.

use crate::db::{Tx, now};
use crate::on_tx;

/// What is stored about an attached file.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    /// The article it belongs to; none while it belongs to a work not yet chosen.
    pub article_id: Option<i64>,
    #[serde(skip)]
    pub work_id: Option<i64>,
    /// image, audio or video.
    pub kind: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub original_name: String,
    #[serde(skip)]
    pub storage_key: String,
}

pub struct NewAttachment<'a> {
    pub article: Option<i64>,
    pub work: Option<i64>,
    pub kind: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub original_name: &'a str,
    pub by: i64,
}

pub async fn insert(tx: &mut Tx, a: &NewAttachment<'_>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO attachments (article_id, kind, content_type, size_bytes, sha256, storage_key, original_name, uploaded_by, created_at, work_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(a.article).bind(a.kind).bind(a.content_type).bind(a.size).bind(a.sha256).bind(a.storage_key)
        .bind(a.original_name).bind(a.by).bind(now()).bind(a.work).fetch_one(c).await)
}

const COLS: &str =
    "id, article_id, work_id, kind, content_type, size_bytes, original_name, storage_key";

pub async fn of_article(tx: &mut Tx, article: i64) -> Result<Vec<Attachment>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM attachments WHERE article_id = $1 ORDER BY id");
    on_tx!(tx, c => sqlx::query_as::<_, Attachment>(sqlx::AssertSqlSafe(sql.clone())).bind(article).fetch_all(c).await)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Attachment>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM attachments WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as::<_, Attachment>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await)
}

/// Makes an image of the article its cover; false when the attachment is not such an image.
pub async fn set_cover(tx: &mut Tx, article: i64, attachment: i64) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE articles SET cover_id = $2 WHERE id = $1
           AND EXISTS (SELECT 1 FROM attachments t WHERE t.id = $2 AND t.article_id = $1 AND t.kind = 'image')")
        .bind(article).bind(attachment).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn cover_of(tx: &mut Tx, article: i64) -> Result<Option<i64>, sqlx::Error> {
    let v: Option<Option<i64>> = on_tx!(tx, c => sqlx::query_scalar("SELECT cover_id FROM articles WHERE id = $1")
        .bind(article).fetch_optional(c).await)?;
    Ok(v.flatten())
}

pub async fn of_work(tx: &mut Tx, work: i64) -> Result<Vec<Attachment>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM attachments WHERE work_id = $1 ORDER BY id");
    on_tx!(tx, c => sqlx::query_as::<_, Attachment>(sqlx::AssertSqlSafe(sql.clone())).bind(work).fetch_all(c).await)
}

/// A chosen work's files become its article's.
pub async fn move_to_article(tx: &mut Tx, work: i64, article: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE attachments SET article_id = $2 WHERE work_id = $1")
        .bind(work).bind(article).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
