//! SQL for the unit tree. Subtrees are found by materialised path prefix.

use super::model::{UnitId, UnitKind, child_path};
use crate::access::Scope;
use crate::db::{Tx, now};
use crate::{in_scope, on_tx, scope_units};
use chrono::{DateTime, Utc};

/// A unit as shown in the tree, on its page and in the API.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub path: String,
    pub depth: i32,
    pub name: String,
    pub kind: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Unit {
    pub fn kind_label_key(&self) -> String {
        format!("unit_kind.{}", self.kind)
    }
}

/// Serialises changes to the tree for the rest of the transaction. SQLite writers are
/// serialised already (`BEGIN IMMEDIATE`); PostgreSQL needs an explicit lock, or two
/// concurrent moves could each pass the cycle check and corrupt the paths.
pub async fn lock_tree(tx: &mut Tx) -> Result<(), sqlx::Error> {
    match tx {
        Tx::Sqlite(_) => Ok(()),
        Tx::Postgres(t) => {
            sqlx::query("SELECT pg_advisory_xact_lock(7170001)")
                .execute(&mut **t)
                .await?;
            Ok(())
        }
    }
}

/// Units in scope, in tree order (by path), optionally only active ones.
pub async fn list(
    tx: &mut Tx,
    s: &Scope,
    include_inactive: bool,
    limit: i64,
) -> Result<Vec<Unit>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Unit>(concat!(
        "SELECT u.* FROM units u WHERE u.id IN ", scope_units!(), " AND ($4 OR u.active = TRUE) ORDER BY u.path LIMIT $5"))
        .bind(s.all).bind(s.account).bind(s.roles).bind(include_inactive).bind(limit)
        .fetch_all(c).await)
}

/// One unit if it lies in scope.
pub async fn get_in_scope(tx: &mut Tx, s: &Scope, id: UnitId) -> Result<Option<Unit>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Unit>(concat!(
        "SELECT u.* FROM units u WHERE u.id = $4 AND ", in_scope!("u")))
        .bind(s.all).bind(s.account).bind(s.roles).bind(id.0)
        .fetch_optional(c).await)
}

/// The active units at or below `id`, in tree order, at most `limit`.
pub async fn subtree(tx: &mut Tx, id: UnitId, limit: i64) -> Result<Vec<Unit>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Unit>(
        concat!("SELECT u.* FROM units r JOIN units u ON ", crate::under!("u.path", "r.path"), "
         WHERE r.id = $1 AND u.active = TRUE ORDER BY u.path LIMIT $2"))
        .bind(id.0).bind(limit).fetch_all(c).await)
}

/// A unit by id, whoever asks (the caller has checked the scope of what it is read for).
pub async fn get(tx: &mut Tx, id: UnitId) -> Result<Option<Unit>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Unit>("SELECT * FROM units WHERE id = $1")
        .bind(id.0).fetch_optional(c).await)
}

pub async fn exists(tx: &mut Tx, id: UnitId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE id = $1")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

pub async fn children(tx: &mut Tx, id: UnitId) -> Result<Vec<Unit>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Unit>("SELECT * FROM units WHERE parent_id = $1 ORDER BY name")
        .bind(id.0).fetch_all(c).await)
}

/// The ancestors of a unit, root first (for breadcrumbs).
pub async fn ancestors(tx: &mut Tx, unit: &Unit) -> Result<Vec<Unit>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Unit>(
        concat!("SELECT * FROM units WHERE ", crate::under!("$1", "path"), " AND id <> $2 ORDER BY depth"))
        .bind(&unit.path).bind(unit.id).fetch_all(c).await)
}

/// Creates a unit under `parent` (or a root when `None`) and returns it.
pub async fn insert(
    tx: &mut Tx,
    parent: Option<&Unit>,
    name: &str,
    kind: UnitKind,
) -> Result<Unit, sqlx::Error> {
    let t = now();
    // The path holds the unit's own id, known only after the insert: write a unique
    // placeholder, then set the real path in the same transaction.
    let placeholder = format!("/pending/{}/", crate::crypto::random_token(8));
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO units (parent_id, path, depth, name, kind, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING id")
        .bind(parent.map(|p| p.id)).bind(&placeholder).bind(parent.map(|p| p.depth + 1).unwrap_or(0))
        .bind(name).bind(kind.as_str()).bind(t)
        .fetch_one(c).await)?;
    let path = child_path(parent.map(|p| p.path.as_str()), UnitId(id));
    on_tx!(tx, c => sqlx::query_as::<_, Unit>("UPDATE units SET path = $1 WHERE id = $2 RETURNING *")
        .bind(&path).bind(id).fetch_one(c).await)
}

pub async fn rename(
    tx: &mut Tx,
    id: UnitId,
    name: &str,
    kind: UnitKind,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE units SET name = $1, kind = $2, updated_at = $3 WHERE id = $4")
        .bind(name).bind(kind.as_str()).bind(now()).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves `unit` under `new_parent`; every unit below it follows (paths and depths rewritten).
pub async fn move_under(tx: &mut Tx, unit: &Unit, new_parent: &Unit) -> Result<(), sqlx::Error> {
    let new_path = child_path(Some(&new_parent.path), unit.id);
    let depth_shift: i32 = new_parent.depth + 1 - unit.depth;
    let old_len = i32::try_from(unit.path.len()).unwrap_or(i32::MAX);
    on_tx!(tx, c => sqlx::query(
        concat!("UPDATE units SET path = $1 || SUBSTR(path, $2), depth = depth + $3, updated_at = $4
         WHERE ", crate::under!("path", "$5"), ""))
        .bind(&new_path).bind(old_len + 1).bind(depth_shift).bind(now()).bind(&unit.path)
        .execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2")
        .bind(new_parent.id).bind(unit.id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reactivates a unit and everything below it.
pub async fn reactivate_subtree(tx: &mut Tx, unit: &Unit) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(concat!("UPDATE units SET active = TRUE, updated_at = $1 WHERE ", crate::under!("path", "$2"), " AND active = FALSE"))
        .bind(now()).bind(&unit.path).execute(c).await.map(|r| r.rows_affected()))
}

/// How many units lie below a unit (not counting it), active or not.
pub async fn count_below(tx: &mut Tx, unit: &Unit, active: bool) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(concat!("SELECT COUNT(*) FROM units WHERE ", crate::under!("path", "$1"), " AND id <> $2 AND active = $3"))
        .bind(&unit.path).bind(unit.id).bind(active).fetch_one(c).await)
}

/// Deactivates a unit and everything below it; nothing is deleted.
pub async fn deactivate_subtree(tx: &mut Tx, unit: &Unit) -> Result<u64, sqlx::Error> {
    let r = on_tx!(tx, c => sqlx::query(concat!("UPDATE units SET active = FALSE, updated_at = $1 WHERE ", crate::under!("path", "$2"), " AND active = TRUE"))
        .bind(now()).bind(&unit.path).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(r)
}
