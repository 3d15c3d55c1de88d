//! SQL for readers' comments and likes.

use super::model::CommentState;
use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::{AccountId, ArticleId, CommentId, UnitId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// A comment as shown.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: CommentId,
    pub article_id: ArticleId,
    pub article_title: String,
    pub parent_id: Option<CommentId>,
    pub author_name: String,
    /// Written by a signed-in account.
    pub signed: bool,
    /// A moderator's answer (editor or reviewer), shown as the official reply.
    pub official: bool,
    /// For a reply: the name shown on the comment it answers.
    pub reply_to: Option<String>,
    pub body: String,
    #[sqlx(try_from = "String")]
    pub state: CommentState,
    pub reports: i32,
    pub created_at: DateTime<Utc>,
}

const COMMENT_FROM: &str =
    "SELECT m.id, m.article_id, a.title AS article_title, m.parent_id, m.author_name,
    (m.account_id IS NOT NULL) AS signed, m.official, pm.author_name AS reply_to, m.body, m.state,
    m.reports, m.created_at
    FROM article_comments m JOIN articles a ON a.id = m.article_id
    LEFT JOIN article_comments pm ON pm.id = m.parent_id";

pub struct NewComment<'a> {
    pub article: ArticleId,
    pub parent: Option<CommentId>,
    pub account: Option<AccountId>,
    pub author_name: &'a str,
    pub body: &'a str,
    pub state: &'a str,
    pub visitor: &'a str,
    pub official: bool,
}

pub async fn insert(tx: &mut Tx, c: &NewComment<'_>) -> Result<CommentId, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO article_comments (article_id, parent_id, account_id, author_name, body, state, visitor, created_at, official)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(c.article).bind(c.parent).bind(c.account).bind(c.author_name).bind(c.body).bind(c.state)
        .bind(c.visitor).bind(now()).bind(c.official).fetch_one(conn).await)
}

/// How many comments a reader wrote since `since` (a limit against floods).
pub async fn count_since(
    tx: &mut Tx,
    visitor: &str,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM article_comments WHERE visitor = $1 AND created_at >= $2")
        .bind(visitor).bind(since).fetch_one(c).await)
}

/// Approved comments of an article, oldest first (replies follow their thread in the page).
pub async fn approved(tx: &mut Tx, article: ArticleId) -> Result<Vec<Comment>, sqlx::Error> {
    let sql = format!(
        "{COMMENT_FROM} WHERE m.article_id = $1 AND m.state = 'approved' ORDER BY m.id LIMIT 500"
    );
    on_tx!(tx, c => sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(article).fetch_all(c).await)
}

pub async fn get(tx: &mut Tx, id: CommentId) -> Result<Option<Comment>, sqlx::Error> {
    let sql = format!("{COMMENT_FROM} WHERE m.id = $1");
    on_tx!(tx, c => sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id).fetch_optional(c).await)
}

/// Comments waiting for moderation on articles of units in scope, oldest first.
pub async fn pending_in_scope(
    tx: &mut Tx,
    s: &Scope,
    limit: i64,
) -> Result<Vec<Comment>, sqlx::Error> {
    let sql = format!(
        "{COMMENT_FROM} JOIN units u ON u.id = a.unit_id WHERE m.state = 'pending' AND {} ORDER BY m.id LIMIT $4",
        crate::in_scope!("u")
    );
    on_tx!(tx, c => sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(s.all).bind(s.account).bind(s.roles).bind(limit).fetch_all(c).await)
}

/// The unit of a comment's article, for the moderator's scope check.
pub async fn unit_of(tx: &mut Tx, id: CommentId) -> Result<Option<UnitId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT a.unit_id FROM article_comments m JOIN articles a ON a.id = m.article_id WHERE m.id = $1")
        .bind(id).fetch_optional(c).await)
}

/// Moderates a comment; false when it was not pending any more.
pub async fn moderate(
    tx: &mut Tx,
    id: CommentId,
    to: CommentState,
    by: AccountId,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE article_comments SET state = $2, moderated_by = $3 WHERE id = $1 AND state = 'pending'")
        .bind(id).bind(to.as_str()).bind(by).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Counts a reader's report (once per reader); at `threshold` reports an approved comment
/// goes back to moderation. True when this report was new.
pub async fn report(
    tx: &mut Tx,
    id: CommentId,
    visitor: &str,
    threshold: i32,
) -> Result<bool, sqlx::Error> {
    let new = on_tx!(tx, c => sqlx::query(
        "INSERT INTO comment_reports (comment_id, visitor) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(id).bind(visitor).execute(c).await.map(|r| r.rows_affected()))?;
    if new == 0 {
        return Ok(false);
    }
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE article_comments SET reports = reports + 1,
             state = CASE WHEN state = 'approved' AND reports + 1 >= $2 THEN 'pending' ELSE state END
         WHERE id = $1 AND state = 'approved'")
        .bind(id).bind(threshold).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Whether `visitor` has liked the article.
pub async fn has_liked(
    tx: &mut Tx,
    article: ArticleId,
    visitor: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM article_likes WHERE article_id = $1 AND visitor = $2")
        .bind(article).bind(visitor).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Records a like; true when this reader had not liked the article before.
pub async fn like(tx: &mut Tx, article: ArticleId, visitor: &str) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO article_likes (article_id, visitor, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(article).bind(visitor).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 1 {
        on_tx!(tx, c => sqlx::query("UPDATE articles SET like_count = like_count + 1 WHERE id = $1")
            .bind(article).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(n == 1)
}

/// The account that wrote a comment, if one did.
pub async fn author_account(
    tx: &mut Tx,
    id: CommentId,
) -> Result<Option<crate::ids::AccountId>, sqlx::Error> {
    let v: Option<Option<crate::ids::AccountId>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT account_id FROM article_comments WHERE id = $1")
        .bind(id).fetch_optional(c).await)?;
    Ok(v.flatten())
}
