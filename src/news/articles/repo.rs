//! SQL for articles and their saved versions, import origins and cover images. Staff
//! listings filter by scope in SQL.

use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::{AccountId, ArticleId, ColumnId, FileId, UnitId};
use crate::news::model::State;
use crate::on_tx;
use chrono::{DateTime, Utc};

/// An article as staff and readers see it.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Article {
    pub id: ArticleId,
    pub column_id: ColumnId,
    pub column_name: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub summary: Option<String>,
    pub body_md: String,
    pub body_html: String,
    /// Comma-separated.
    pub tags: String,
    pub source: Option<String>,
    /// The writer's name as printed (作者署名), when it is given.
    pub byline: Option<String>,
    pub author_id: AccountId,
    pub author_name: String,
    pub correspondent_id: Option<AccountId>,
    pub correspondent_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub version: i32,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub first_reviewer: Option<AccountId>,
    pub withdrawn_reason: Option<String>,
    pub read_count: i64,
    pub like_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! article_cols {
    () => {
        "a.id, a.column_id, c.name AS column_name, a.unit_id, u.name AS unit_name, a.title, a.summary,
    a.body_md, a.body_html, a.tags, a.source, a.byline, a.author_id, au.display_name AS author_name, a.correspondent_id,
    co.display_name AS correspondent_name, a.state, a.version, a.publish_at, a.published_at, a.first_reviewer,
    a.withdrawn_reason, a.read_count, a.like_count, a.created_at, a.updated_at"
    };
}
macro_rules! article_joins {
    () => {
        " JOIN columns c ON c.id = a.column_id JOIN units u ON u.id = a.unit_id
    JOIN accounts au ON au.id = a.author_id LEFT JOIN accounts co ON co.id = a.correspondent_id"
    };
}
/// The columns of [`Article`] (aliases `a`, `c`, `u`, `au`, `co`) and the joins they need.
pub(in crate::news) const ARTICLE_COLS: &str = article_cols!();
pub(in crate::news) const ARTICLE_JOINS: &str = article_joins!();
pub(in crate::news) const ARTICLE_FROM: &str = concat!(
    "SELECT ",
    article_cols!(),
    " FROM articles a",
    article_joins!()
);

/// The text of an article as written (one version).
pub struct Text<'a> {
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub tags: &'a str,
    pub source: Option<&'a str>,
    pub byline: Option<&'a str>,
    pub correspondent_id: Option<AccountId>,
}

pub async fn insert_article(
    tx: &mut Tx,
    column: ColumnId,
    unit: UnitId,
    author: AccountId,
    t: &Text<'_>,
) -> Result<ArticleId, sqlx::Error> {
    let at = now();
    let id: ArticleId = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO articles (column_id, unit_id, title, summary, body_md, body_html, tags, source, author_id,
             correspondent_id, state, version, created_at, updated_at, byline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', 1, $11, $11, $12) RETURNING id")
        .bind(column).bind(unit).bind(t.title).bind(t.summary).bind(t.body_md).bind(t.body_html).bind(t.tags)
        .bind(t.source).bind(author).bind(t.correspondent_id).bind(at).bind(t.byline).fetch_one(c).await)?;
    insert_version(tx, id, 1, t, author, at).await?;
    Ok(id)
}

/// Saves a new version of an editable article; false when it is no longer editable (it
/// was submitted meanwhile).
pub async fn update_text(
    tx: &mut Tx,
    id: ArticleId,
    column: ColumnId,
    by: AccountId,
    t: &Text<'_>,
) -> Result<bool, sqlx::Error> {
    let at = now();
    let version: Option<i32> = on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE articles SET column_id = $2, title = $3, summary = $4, body_md = $5, body_html = $6, tags = $7,
             source = $8, correspondent_id = $9, version = version + 1, updated_at = $10, byline = $11
         WHERE id = $1 AND state IN ('draft', 'rejected') RETURNING version")
        .bind(id).bind(column).bind(t.title).bind(t.summary).bind(t.body_md).bind(t.body_html).bind(t.tags)
        .bind(t.source).bind(t.correspondent_id).bind(at).bind(t.byline).fetch_optional(c).await)?;
    let Some(v) = version else { return Ok(false) };
    insert_version(tx, id, v, t, by, at).await?;
    Ok(true)
}

async fn insert_version(
    tx: &mut Tx,
    id: ArticleId,
    version: i32,
    t: &Text<'_>,
    by: AccountId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO article_versions (article_id, version, title, summary, body_md, tags, saved_by, saved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id).bind(version).bind(t.title).bind(t.summary).bind(t.body_md).bind(t.tags).bind(by).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Any article by id (callers check who may see it).
pub async fn get(tx: &mut Tx, id: ArticleId) -> Result<Option<Article>, sqlx::Error> {
    let sql = format!("{ARTICLE_FROM} WHERE a.id = $1");
    on_tx!(tx, c => sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id).fetch_optional(c).await)
}

/// An article staff may see: its unit in scope, or written by them.
pub async fn get_for_staff(
    tx: &mut Tx,
    s: &Scope,
    id: ArticleId,
) -> Result<Option<Article>, sqlx::Error> {
    let sql = format!(
        "{ARTICLE_FROM} WHERE a.id = $4 AND (a.author_id = $2 OR {})",
        crate::in_scope!("u")
    );
    on_tx!(tx, c => sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(s.all).bind(s.account).bind(s.roles).bind(id).fetch_optional(c).await)
}

/// Articles staff may see, newest change first, optionally in one state.
pub async fn list_for_staff(
    tx: &mut Tx,
    s: &Scope,
    state: Option<State>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Article>, sqlx::Error> {
    let sql = format!(
        "{ARTICLE_FROM} WHERE (a.author_id = $2 OR {}) AND ($4 IS NULL OR a.state = $4)
         ORDER BY a.updated_at DESC, a.id DESC LIMIT $5 OFFSET $6",
        crate::in_scope!("u")
    );
    on_tx!(tx, c => sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(s.all).bind(s.account).bind(s.roles).bind(state.map(State::as_str)).bind(limit).bind(offset)
        .fetch_all(c).await)
}

/// Sets when an article should go out (an author's wish, applied at final approval).
pub async fn set_publish_at(
    tx: &mut Tx,
    id: ArticleId,
    at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE articles SET publish_at = $2 WHERE id = $1 AND state IN ('draft', 'rejected', 'submitted', 'first_approved')")
        .bind(id).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A saved version of an article.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Version {
    pub version: i32,
    pub title: String,
    pub summary: Option<String>,
    pub body_md: String,
    pub tags: String,
    pub saved_by_name: String,
    pub saved_at: DateTime<Utc>,
}

pub async fn versions(tx: &mut Tx, id: ArticleId) -> Result<Vec<Version>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Version>(
        "SELECT v.version, v.title, v.summary, v.body_md, v.tags, a.display_name AS saved_by_name, v.saved_at
         FROM article_versions v JOIN accounts a ON a.id = v.saved_by WHERE v.article_id = $1 ORDER BY v.version DESC")
        .bind(id).fetch_all(c).await)
}

/// Keeps an imported article's original text and the repairs made to it.
pub async fn set_import_origin(
    tx: &mut Tx,
    id: ArticleId,
    original: &str,
    repairs_json: &str,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE articles SET original_text = $2, repairs = $3 WHERE id = $1")
        .bind(id).bind(original).bind(repairs_json).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// An imported article's original text and repairs, if it was imported.
pub async fn import_origin(
    tx: &mut Tx,
    id: ArticleId,
) -> Result<Option<(String, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT original_text, repairs FROM articles WHERE id = $1 AND original_text IS NOT NULL")
        .bind(id).fetch_optional(c).await)
}

/// Accounts that may write in a column's unit (for an import without a named author).
pub async fn default_author(tx: &mut Tx, unit: UnitId) -> Result<Option<AccountId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        concat!("SELECT g.account_id FROM role_grants g JOIN units gu ON gu.id = g.unit_id JOIN units u ON u.id = $1
         JOIN accounts a ON a.id = g.account_id
         WHERE g.revoked_at IS NULL AND a.active = TRUE AND g.role IN ('editor', 'unit_admin')
           AND ", crate::under!("u.path", "gu.path"), "
         ORDER BY LENGTH(gu.path) DESC, g.role, g.account_id LIMIT 1"))
        .bind(unit).fetch_optional(c).await)
}

/// Demo and import of history: sets when an article went out and how often it was read.
pub async fn backdate(
    tx: &mut Tx,
    id: ArticleId,
    published_at: DateTime<Utc>,
    reads: i64,
) -> Result<(), sqlx::Error> {
    // Written two days before, submitted the day before, decided on the day.
    let at = chrono::SubsecRound::trunc_subsecs(published_at, 6);
    let (written, submitted) = (
        at - chrono::Duration::days(2),
        at - chrono::Duration::days(1),
    );
    on_tx!(tx, c => sqlx::query(
        "UPDATE articles SET published_at = $2, publish_at = $2, updated_at = $2, created_at = $3, read_count = $4 WHERE id = $1")
        .bind(id).bind(at).bind(written).bind(reads)
        .execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("UPDATE article_versions SET saved_at = $2 WHERE article_id = $1")
        .bind(id).bind(written).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE article_events SET at = CASE WHEN action = 'submit' THEN $3 ELSE $2 END WHERE article_id = $1")
        .bind(id).bind(at).bind(submitted)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes an image of the article its cover; false when the attachment is not such an image.
pub async fn set_cover(
    tx: &mut Tx,
    article: ArticleId,
    attachment: FileId,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE articles SET cover_id = $2 WHERE id = $1
           AND EXISTS (SELECT 1 FROM attachments t WHERE t.id = $2 AND t.article_id = $1 AND t.kind = 'image')")
        .bind(article).bind(attachment).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn cover_of(tx: &mut Tx, article: ArticleId) -> Result<Option<FileId>, sqlx::Error> {
    let v: Option<Option<FileId>> = on_tx!(tx, c => sqlx::query_scalar("SELECT cover_id FROM articles WHERE id = $1")
        .bind(article).fetch_optional(c).await)?;
    Ok(v.flatten())
}
