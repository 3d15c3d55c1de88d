//! SQL for the review workflow: states, the review trail, review steps per unit, scheduled
//! publishing and the sensitive-word list.

use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::{AccountId, ArticleId, UnitId};
use crate::news::articles::repo::{ARTICLE_FROM, Article};
use crate::news::model::{Action, State};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// Review steps in force at a unit: its own setting, the nearest configured ancestor's,
/// else two.
pub async fn review_steps(tx: &mut Tx, unit: UnitId) -> Result<u8, sqlx::Error> {
    let steps: Option<i32> = on_tx!(tx, c => sqlx::query_scalar(
        concat!("SELECT r.steps FROM review_settings r JOIN units ru ON ru.id = r.unit_id JOIN units u ON u.id = $1
         WHERE ", crate::under!("u.path", "ru.path"), " ORDER BY LENGTH(ru.path) DESC LIMIT 1"))
        .bind(unit).fetch_optional(c).await)?;
    Ok(steps.map_or(2, |s| if s == 1 { 1 } else { 2 }))
}

/// The units in scope with a review setting of their own, by path, and their steps; the
/// others follow the nearest of these above them, else two steps.
pub async fn configured_steps(tx: &mut Tx, s: &Scope) -> Result<Vec<(String, i32)>, sqlx::Error> {
    let sql = format!(
        "SELECT u.name, r.steps FROM review_settings r JOIN units u ON u.id = r.unit_id
         WHERE u.id IN {} ORDER BY u.path LIMIT 500",
        crate::scope_units!()
    );
    on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(s.all).bind(s.account).bind(s.roles).fetch_all(c).await)
}

pub async fn set_review_steps(tx: &mut Tx, unit: UnitId, steps: u8) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO review_settings (unit_id, steps) VALUES ($1, $2) ON CONFLICT (unit_id) DO UPDATE SET steps = excluded.steps")
        .bind(unit).bind(i32::from(steps)).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What waits for this reviewer, oldest first: articles in review in scope, not their own,
/// and for a second step not the ones they passed at the first.
pub async fn review_queue(tx: &mut Tx, s: &Scope, limit: i64) -> Result<Vec<Article>, sqlx::Error> {
    // First steps are for reviewers over the source unit or the column's unit; the final
    // step for reviewers over the column's unit (`cu`), the publisher.
    let sql = format!(
        "{ARTICLE_FROM} JOIN units cu ON cu.id = c.unit_id
         WHERE a.state IN ('submitted', 'first_approved') AND a.author_id <> $2
           AND (a.first_reviewer IS NULL OR a.first_reviewer <> $2 OR a.state = 'submitted')
           AND ((a.state = 'submitted' AND ({} OR {})) OR (a.state = 'first_approved' AND {}))
         ORDER BY a.updated_at, a.id LIMIT $4",
        crate::in_scope!("u"),
        crate::in_scope!("cu"),
        crate::in_scope!("cu")
    );
    on_tx!(tx, c => sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(s.all).bind(s.account).bind(s.roles).bind(limit).fetch_all(c).await)
}

/// Moves an article from `from` to `to`; false when it was no longer in `from` (another
/// reviewer was quicker), so a double click cannot act twice.
#[allow(clippy::too_many_arguments)]
pub async fn set_state(
    tx: &mut Tx,
    id: ArticleId,
    from: State,
    to: State,
    first_reviewer: Option<AccountId>,
    publish_at: Option<DateTime<Utc>>,
    withdrawn_reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let at = now();
    let published_at = (to == State::Published).then_some(at);
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE articles SET state = $3, updated_at = $4,
             first_reviewer = CASE WHEN $3 = 'first_approved' THEN $5 WHEN $3 IN ('rejected', 'submitted') THEN NULL ELSE first_reviewer END,
             publish_at = CASE WHEN $3 IN ('approved', 'published') THEN COALESCE($6, publish_at) ELSE publish_at END,
             published_at = COALESCE($7, published_at),
             withdrawn_reason = CASE WHEN $3 = 'withdrawn' THEN $8 ELSE withdrawn_reason END
         WHERE id = $1 AND state = $2")
        .bind(id).bind(from.as_str()).bind(to.as_str()).bind(at).bind(first_reviewer).bind(publish_at).bind(published_at)
        .bind(withdrawn_reason).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// One entry of an article's review trail.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Event {
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub actor_name: Option<String>,
    pub comment: Option<String>,
    pub version: i32,
    pub at: DateTime<Utc>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_event(
    tx: &mut Tx,
    id: ArticleId,
    action: Action,
    from: State,
    to: State,
    actor: Option<AccountId>,
    comment: Option<&str>,
    version: i32,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO article_events (article_id, action, from_state, to_state, actor_id, comment, version, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id).bind(action.as_str()).bind(from.as_str()).bind(to.as_str()).bind(actor).bind(comment).bind(version).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn events(tx: &mut Tx, id: ArticleId) -> Result<Vec<Event>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Event>(
        "SELECT e.action, e.from_state, e.to_state, a.display_name AS actor_name, e.comment, e.version, e.at
         FROM article_events e LEFT JOIN accounts a ON a.id = e.actor_id WHERE e.article_id = $1 ORDER BY e.id")
        .bind(id).fetch_all(c).await)
}

/// Approved articles whose time has come become published, once, whichever node runs
/// this; returns their ids.
pub async fn publish_due(tx: &mut Tx, at: DateTime<Utc>) -> Result<Vec<ArticleId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE articles SET state = 'published', published_at = $1, updated_at = $1
         WHERE state = 'approved' AND (publish_at IS NULL OR publish_at <= $1) RETURNING id")
        .bind(at).fetch_all(c).await)
}

pub async fn sensitive_words(tx: &mut Tx) -> Result<Vec<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT word FROM sensitive_words ORDER BY word").fetch_all(c).await)
}

pub async fn add_sensitive_word(
    tx: &mut Tx,
    word: &str,
    by: AccountId,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO sensitive_words (word, added_by, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(word).bind(by).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn remove_sensitive_word(tx: &mut Tx, word: &str) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM sensitive_words WHERE word = $1")
        .bind(word).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
