//! Bulk loading for the command line's generators (`yinyao demo`, the province data set):
//! columns, articles with their search entry, workflow steps, back-dated publishing and
//! comments, written as they stand after the workflow, without its checks or audit entries.
//! Never called by a request.

use super::articles::repo;
pub use super::articles::repo::Text;
use super::comments::repo as comments_repo;
pub use super::comments::repo::NewComment;
use crate::db::Tx;
use chrono::{DateTime, Utc};

pub async fn column(
    tx: &mut Tx,
    unit: i64,
    name: &str,
    kind: &str,
    description: Option<&str>,
) -> Result<i64, sqlx::Error> {
    super::columns::repo::insert_column(tx, unit, name, kind, description).await
}

/// A draft (version 1) and its search entry.
pub async fn article(
    tx: &mut Tx,
    column: i64,
    unit: i64,
    author: i64,
    t: &Text<'_>,
) -> Result<i64, sqlx::Error> {
    let id = repo::insert_article(tx, column, unit, author, t).await?;
    super::search::repo::index(tx, id, t.title, t.summary, t.body_html, t.tags).await?;
    Ok(id)
}

/// A new version of a draft, and its search entry again.
pub async fn revise(
    tx: &mut Tx,
    id: i64,
    column: i64,
    by: i64,
    t: &Text<'_>,
) -> Result<bool, sqlx::Error> {
    let changed = repo::update_text(tx, id, column, by, t).await?;
    super::search::repo::index(tx, id, t.title, t.summary, t.body_html, t.tags).await?;
    Ok(changed)
}

/// Moves an article from one state to another (see `review::repo::set_state`).
#[allow(clippy::too_many_arguments)]
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    first_reviewer: Option<i64>,
    publish_at: Option<DateTime<Utc>>,
    withdrawn_reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    super::review::repo::set_state(
        tx,
        id,
        from,
        to,
        first_reviewer,
        publish_at,
        withdrawn_reason,
    )
    .await
}

/// One entry of the review trail.
#[allow(clippy::too_many_arguments)]
pub async fn trail_step(
    tx: &mut Tx,
    id: i64,
    action: &str,
    from: &str,
    to: &str,
    actor: Option<i64>,
    comment: Option<&str>,
    version: i32,
) -> Result<(), sqlx::Error> {
    super::review::repo::insert_event(tx, id, action, from, to, actor, comment, version).await
}

/// Dates a published article's history back to `published_at`, with `reads` reads.
pub async fn backdate(
    tx: &mut Tx,
    id: i64,
    published_at: DateTime<Utc>,
    reads: i64,
) -> Result<(), sqlx::Error> {
    repo::backdate(tx, id, published_at, reads).await
}

/// A reader's comment or an official reply, in the state given.
pub async fn comment(tx: &mut Tx, c: &NewComment<'_>) -> Result<i64, sqlx::Error> {
    comments_repo::insert(tx, c).await
}
