//! SQL for unit role grants.

use super::super::model::AccountId;
use super::super::model::UnitRole;
use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::{GrantId, UnitId};
use crate::{in_scope, on_tx};
use chrono::{DateTime, Utc};

/// A role grant as listed on account pages and in the API.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct GrantRow {
    pub id: GrantId,
    pub account_id: AccountId,
    pub username: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub role: String,
    pub granted_at: DateTime<Utc>,
}

pub async fn grants_of(
    tx: &mut Tx,
    s: &Scope,
    account: AccountId,
) -> Result<Vec<GrantRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, GrantRow>(concat!(
        "SELECT g.id, g.account_id, a.username, g.unit_id, u.name AS unit_name, g.role, g.granted_at
         FROM role_grants g JOIN units u ON u.id = g.unit_id JOIN accounts a ON a.id = g.account_id
         WHERE g.account_id = $4 AND g.revoked_at IS NULL AND ", in_scope!("u"), " ORDER BY u.path, g.role"))
        .bind(s.all).bind(s.account).bind(s.roles).bind(account.0).fetch_all(c).await)
}

pub async fn grant_in_scope(
    tx: &mut Tx,
    s: &Scope,
    grant_id: GrantId,
) -> Result<Option<GrantRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, GrantRow>(concat!(
        "SELECT g.id, g.account_id, a.username, g.unit_id, u.name AS unit_name, g.role, g.granted_at
         FROM role_grants g JOIN units u ON u.id = g.unit_id JOIN accounts a ON a.id = g.account_id
         WHERE g.id = $4 AND g.revoked_at IS NULL AND ", in_scope!("u")))
        .bind(s.all).bind(s.account).bind(s.roles).bind(grant_id.0).fetch_optional(c).await)
}

pub async fn insert_grant(
    tx: &mut Tx,
    account: AccountId,
    unit: UnitId,
    role: UnitRole,
    by: Option<AccountId>,
) -> Result<GrantId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO role_grants (account_id, unit_id, role, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(account.0).bind(unit.0).bind(role.as_str()).bind(by.map(|a| a.0)).bind(now())
        .fetch_one(c).await)
}

pub async fn revoke_grant(
    tx: &mut Tx,
    grant_id: GrantId,
    by: AccountId,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE role_grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(now()).bind(by.0).bind(grant_id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether an active grant with this id exists, in anyone's scope.
pub async fn grant_exists(tx: &mut Tx, id: GrantId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM role_grants WHERE id = $1 AND revoked_at IS NULL")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}
