//! SQL for what readers see: published articles by column, the latest, and read counts.

use crate::db::Tx;
use crate::ids::{ArticleId, ColumnId};
use crate::news::articles::repo::{ARTICLE_FROM, Article};
use crate::on_tx;

/// Published articles of a column, newest first.
pub async fn published_in_column(
    tx: &mut Tx,
    column: ColumnId,
    limit: i64,
    offset: i64,
) -> Result<Vec<Article>, sqlx::Error> {
    let sql = format!(
        "{ARTICLE_FROM} WHERE a.column_id = $1 AND a.state = 'published'
         ORDER BY a.published_at DESC, a.id DESC LIMIT $2 OFFSET $3"
    );
    on_tx!(tx, c => sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(column).bind(limit).bind(offset).fetch_all(c).await)
}

/// The newest published articles across columns.
pub async fn latest_published(tx: &mut Tx, limit: i64) -> Result<Vec<Article>, sqlx::Error> {
    let sql = format!(
        "{ARTICLE_FROM} WHERE a.state = 'published' ORDER BY a.published_at DESC, a.id DESC LIMIT $1"
    );
    on_tx!(tx, c => sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(limit).fetch_all(c).await)
}

/// Counts one read per visitor per day; true when this read was new. `also` is recorded
/// for the same read without counting it (the cookie set on a reader's first visit).
pub async fn record_read(
    tx: &mut Tx,
    id: ArticleId,
    day: &str,
    visitor: &str,
    also: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let mut new = false;
    for (key, counts) in [(Some(visitor), true), (also, false)] {
        let Some(key) = key else { continue };
        let n = on_tx!(tx, c => sqlx::query(
            "INSERT INTO article_reads (article_id, day, visitor) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(id).bind(day).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
        new |= counts && n == 1;
    }
    if new {
        on_tx!(tx, c => sqlx::query("UPDATE articles SET read_count = read_count + 1 WHERE id = $1")
            .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(new)
}
