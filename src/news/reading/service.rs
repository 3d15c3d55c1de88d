//! Reading: a published article (counting the read), the public columns and their pages.

use super::repo;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::{ArticleId, ColumnId};
use crate::news::articles::model::china;
use crate::news::{Article, Column};
use crate::web::PageParams;
use chrono::Utc;

/// A published article for any reader; counts one read per visitor per day.
/// `visitor` is the reader's key and another to record without counting (see
/// `web::readers::reader_keys`).
pub async fn read(
    tx: &mut Tx,
    id: ArticleId,
    visitor: Option<(&str, Option<&str>)>,
) -> AppResult<Article> {
    let mut a = crate::news::articles::repo::get(tx, id)
        .await?
        .filter(|a| a.state.is_published())
        .ok_or(AppError::NotFound)?;
    if let Some((who, alias)) = visitor {
        let day = Utc::now().with_timezone(&china()).date_naive().to_string();
        if repo::record_read(tx, id, &day, who, alias).await? {
            a.read_count += 1;
        }
    }
    Ok(a)
}

/// An active column and one page of its published articles, newest first, and whether
/// another page follows.
pub async fn column_articles(
    tx: &mut Tx,
    id: ColumnId,
    p: &PageParams,
) -> AppResult<(Column, Vec<Article>, bool)> {
    let column = crate::news::columns::repo::column(tx, id)
        .await?
        .filter(|c| c.active)
        .ok_or(AppError::NotFound)?;
    let mut articles = repo::published_in_column(tx, id, PageParams::SIZE + 1, p.offset()).await?;
    let has_more = articles.len() as i64 > PageParams::SIZE;
    articles.truncate(PageParams::SIZE as usize);
    Ok((column, articles, has_more))
}

/// The columns readers can open.
pub async fn columns(tx: &mut Tx) -> AppResult<Vec<Column>> {
    Ok(crate::news::columns::repo::public_columns(tx).await?)
}
