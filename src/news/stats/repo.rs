//! SQL for correspondents' figures per quarter.

use crate::db::Tx;
use crate::ids::AccountId;
use crate::on_tx;
use chrono::{DateTime, Utc};

/// One correspondent's figures for a period.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub account_id: AccountId,
    pub name: String,
    /// The unit of their correspondent grant (the nearest one under the report's unit).
    pub unit_name: String,
    /// Articles first submitted in the period.
    pub submitted: i64,
    /// Articles published in the period and not withdrawn since.
    pub published: i64,
    /// Reads so far of the articles published in the period (and not withdrawn).
    pub reads: i64,
}

/// Figures of every correspondent credited with articles of units under `unit_path`, in
/// `[from, to)`: the credited correspondent, else the author when the author is one.
/// Correspondents are accounts that hold (or held: past quarters keep their figures) a
/// correspondent grant under the unit or above it; an editor's own articles do not rank
/// them. (Correspondent grants are few: read once, not per account.) Ranked
/// by published, then reads, then submitted.
pub async fn figures(
    tx: &mut Tx,
    unit_path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Figures>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Figures>(
        concat!("WITH correspondents AS (
             SELECT DISTINCT cg.account_id FROM role_grants cg JOIN units cu ON cu.id = cg.unit_id
             WHERE cg.role = 'correspondent' AND (", crate::under!("cu.path", "$1"), concat!(" OR ", crate::under!("$1", "cu.path"), concat!(")
         ),
         credited AS (
             SELECT a.id, COALESCE(a.correspondent_id, a.author_id) AS who, a.state, a.published_at, a.read_count,
                    (SELECT MIN(e.at) FROM article_events e WHERE e.article_id = a.id AND e.action = 'submit') AS first_submit
             FROM articles a JOIN units u ON u.id = a.unit_id
             WHERE ", crate::under!("u.path", "$1"), concat!("
         ),
         per AS (
             SELECT who,
                    SUM(CASE WHEN first_submit >= $2 AND first_submit < $3 THEN 1 ELSE 0 END) AS submitted,
                    SUM(CASE WHEN state = 'published' AND published_at >= $2 AND published_at < $3 THEN 1 ELSE 0 END) AS published,
                    SUM(CASE WHEN state = 'published' AND published_at >= $2 AND published_at < $3 THEN read_count ELSE 0 END) AS reads
             FROM credited GROUP BY who
         )
         SELECT p.who AS account_id, ac.display_name AS name,
                COALESCE((SELECT gu.name FROM role_grants g JOIN units gu ON gu.id = g.unit_id
                          WHERE g.account_id = p.who AND g.revoked_at IS NULL AND ", crate::under!("gu.path", "$1"), "
                          ORDER BY (g.role = 'correspondent') DESC, LENGTH(gu.path) DESC LIMIT 1), '') AS unit_name,
                CAST(p.submitted AS BIGINT) AS submitted, CAST(p.published AS BIGINT) AS published,
                CAST(p.reads AS BIGINT) AS reads
         FROM per p JOIN accounts ac ON ac.id = p.who JOIN correspondents k ON k.account_id = p.who
         WHERE p.submitted > 0 OR p.published > 0
         ORDER BY p.published DESC, p.reads DESC, p.submitted DESC, ac.display_name
         LIMIT 1000")))))
        .bind(unit_path).bind(from).bind(to).fetch_all(c).await)
}

/// Accounts holding a correspondent grant in a unit under `unit_path`, for the credit choice.
pub async fn correspondents_under(
    tx: &mut Tx,
    unit_path: &str,
) -> Result<Vec<(AccountId, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        concat!("SELECT DISTINCT a.id, a.display_name FROM role_grants g JOIN units gu ON gu.id = g.unit_id
         JOIN accounts a ON a.id = g.account_id
         WHERE g.role = 'correspondent' AND g.revoked_at IS NULL AND a.active = TRUE AND ", crate::under!("gu.path", "$1"), "
         ORDER BY a.display_name, a.id LIMIT 500"))
        .bind(unit_path).fetch_all(c).await)
}

/// Whether an account holds a correspondent grant in a unit within a scope.
pub async fn is_correspondent_in(
    tx: &mut Tx,
    s: &crate::access::Scope,
    account: AccountId,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM role_grants cg JOIN units u ON u.id = cg.unit_id
         WHERE cg.account_id = $4 AND cg.role = 'correspondent' AND cg.revoked_at IS NULL AND {}",
        crate::in_scope!("u")
    );
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
        .bind(s.all).bind(s.account).bind(s.roles).bind(account).fetch_one(c).await)?;
    Ok(n > 0)
}
