//! SQL for a mobile party member's online branch (网络党支部), a unit of kind
//! `online_branch` named on the file.

use crate::db::Tx;
use crate::ids::{PersonId, UnitId};
use crate::on_tx;

/// The online branch of a mobile party member, with its name.
pub async fn online_branch(
    tx: &mut Tx,
    person: PersonId,
) -> Result<Option<(UnitId, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT u.id, u.name FROM people p JOIN units u ON u.id = p.online_branch_id WHERE p.id = $1")
        .bind(person.0).fetch_optional(c).await)
}

pub async fn set_online_branch(
    tx: &mut Tx,
    person: PersonId,
    branch: Option<UnitId>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE people SET online_branch_id = $2 WHERE id = $1")
        .bind(person.0).bind(branch).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether a unit is an active online branch (网络党支部).
pub async fn is_online_branch(tx: &mut Tx, unit: UnitId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM units WHERE id = $1 AND kind = 'online_branch' AND active = TRUE")
        .bind(unit).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Active online branches, for the person form's choice.
pub async fn online_branches(tx: &mut Tx) -> Result<Vec<(UnitId, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name FROM units WHERE kind = 'online_branch' AND active = TRUE ORDER BY name, id")
        .fetch_all(c).await)
}
