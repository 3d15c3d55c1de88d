//! Bulk loading for the command line's generators (`yinyao demo`, the province data set):
//! columns, articles with their search entry, workflow steps, back-dated publishing and
//! comments, written as they stand after the workflow, without its checks or audit entries.
//! Never called by a request. The generators' ids come as numbers or typed ids (`impl Into`),
//! their states and actions as codes, parsed here.

use super::articles::repo;
pub use super::articles::repo::Text;
use super::comments::repo as comments_repo;
pub use super::comments::repo::NewComment;
use super::model::{Action, State};
use crate::db::Tx;
use crate::ids::{AccountId, ArticleId, ColumnId, CommentId, UnitId};
use chrono::{DateTime, Utc};

pub async fn column(
    tx: &mut Tx,
    unit: impl Into<UnitId>,
    name: &str,
    kind: &str,
    description: Option<&str>,
) -> Result<ColumnId, sqlx::Error> {
    super::columns::repo::insert_column(tx, unit.into(), name, kind, description).await
}

/// A draft (version 1) and its search entry.
pub async fn article(
    tx: &mut Tx,
    column: impl Into<ColumnId>,
    unit: impl Into<UnitId>,
    author: impl Into<AccountId>,
    t: &Text<'_>,
) -> Result<ArticleId, sqlx::Error> {
    let id = repo::insert_article(tx, column.into(), unit.into(), author.into(), t).await?;
    super::search::repo::index(tx, id, t.title, t.summary, t.body_html, t.tags).await?;
    Ok(id)
}

/// A new version of a draft, and its search entry again.
pub async fn revise(
    tx: &mut Tx,
    id: ArticleId,
    column: impl Into<ColumnId>,
    by: impl Into<AccountId>,
    t: &Text<'_>,
) -> Result<bool, sqlx::Error> {
    let changed = repo::update_text(tx, id, column.into(), by.into(), t).await?;
    super::search::repo::index(tx, id, t.title, t.summary, t.body_html, t.tags).await?;
    Ok(changed)
}

/// A state's code as the generators write it.
fn state(code: &str) -> Result<State, sqlx::Error> {
    State::parse(code).ok_or_else(|| sqlx::Error::Protocol(format!("no article state {code}")))
}

/// Moves an article from one state to another (see `review::repo::set_state`).
#[allow(clippy::too_many_arguments)]
pub async fn set_state(
    tx: &mut Tx,
    id: ArticleId,
    from: &str,
    to: &str,
    first_reviewer: Option<AccountId>,
    publish_at: Option<DateTime<Utc>>,
    withdrawn_reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    super::review::repo::set_state(
        tx,
        id,
        state(from)?,
        state(to)?,
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
    id: ArticleId,
    action: &str,
    from: &str,
    to: &str,
    actor: Option<impl Into<AccountId>>,
    comment: Option<&str>,
    version: i32,
) -> Result<(), sqlx::Error> {
    let action = match action {
        "publish" => Action::PublishDue,
        other => Action::parse(other)
            .ok_or_else(|| sqlx::Error::Protocol(format!("no article action {other}")))?,
    };
    super::review::repo::insert_event(
        tx,
        id,
        action,
        state(from)?,
        state(to)?,
        actor.map(Into::into),
        comment,
        version,
    )
    .await
}

/// Dates a published article's history back to `published_at`, with `reads` reads.
pub async fn backdate(
    tx: &mut Tx,
    id: ArticleId,
    published_at: DateTime<Utc>,
    reads: i64,
) -> Result<(), sqlx::Error> {
    repo::backdate(tx, id, published_at, reads).await
}

/// A reader's comment or an official reply, in the state given.
pub async fn comment(tx: &mut Tx, c: &NewComment<'_>) -> Result<CommentId, sqlx::Error> {
    comments_repo::insert(tx, c).await
}
