//! SQL for columns (栏目) and special issues (专题).

use super::model::ColumnKind;
use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::{ColumnId, UnitId};
use crate::on_tx;

/// A column (栏目) or special issue (专题) of a unit.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Column {
    pub id: ColumnId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: ColumnKind,
    pub description: Option<String>,
    pub active: bool,
}

const COLUMN_COLS: &str =
    "c.id, c.unit_id, u.name AS unit_name, c.name, c.kind, c.description, c.active";

pub async fn insert_column(
    tx: &mut Tx,
    unit: UnitId,
    name: &str,
    kind: &str,
    description: Option<&str>,
) -> Result<ColumnId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO columns (unit_id, name, kind, description, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(unit).bind(name).bind(kind).bind(description).bind(now()).fetch_one(c).await)
}

/// Columns a member of news staff may write in: those of units in scope, and those of the
/// units above their own (a village correspondent reports to the county's columns).
pub async fn columns_for_writer(tx: &mut Tx, s: &Scope) -> Result<Vec<Column>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMN_COLS} FROM columns c JOIN units u ON u.id = c.unit_id
         WHERE ($1 OR EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id
             WHERE g.account_id = $2 AND g.revoked_at IS NULL AND {role}
               AND ({sub1} OR {sub2})))
         ORDER BY u.path, c.name LIMIT 500",
        role = crate::role_in!("g.role", "$3"),
        sub1 = crate::under!("u.path", "gu.path"),
        sub2 = crate::under!("gu.path", "u.path")
    );
    on_tx!(tx, c => sqlx::query_as::<_, Column>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(s.all).bind(s.account).bind(s.roles).fetch_all(c).await)
}

/// One column, whoever asks (public pages show active columns only).
pub async fn column(tx: &mut Tx, id: ColumnId) -> Result<Option<Column>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMN_COLS} FROM columns c JOIN units u ON u.id = c.unit_id WHERE c.id = $1"
    );
    on_tx!(tx, c => sqlx::query_as::<_, Column>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id).fetch_optional(c).await)
}

/// Active columns with at least one published article, for the public front page.
pub async fn public_columns(tx: &mut Tx) -> Result<Vec<Column>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMN_COLS} FROM columns c JOIN units u ON u.id = c.unit_id
         WHERE c.active = TRUE AND EXISTS (SELECT 1 FROM articles a WHERE a.column_id = c.id AND a.state = 'published')
         ORDER BY u.path, c.name LIMIT 200"
    );
    on_tx!(tx, c => sqlx::query_as::<_, Column>(sqlx::AssertSqlSafe(sql.clone())).fetch_all(c).await)
}
