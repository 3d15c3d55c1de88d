//! Unit roles granted and revoked: a role granted at a unit covers its subtree.

use super::model::{AccountId, UnitRole};
use super::repo::{self, GrantRow};
use super::scope::{account_in, unit_in};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::{GrantId, UnitId};
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use serde_json::json;

/// A role grant as submitted.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewGrant {
    pub account_id: AccountId,
    pub unit_id: UnitId,
    /// One of unit_admin, staff, youth_care (the only role that sees minors' files), editor,
    /// reviewer, correspondent, member.
    pub role: String,
}

impl NewGrant {
    /// The grant with its role parsed.
    pub fn parse(&self) -> AppResult<Grant> {
        let mut f = Fields::new();
        let role = f.take(
            UnitRole::parse(self.role.trim()).ok_or(FieldError::new("role", "validation.role")),
        );
        f.done(role.map(|role| Grant {
            account: self.account_id,
            unit: self.unit_id,
            role,
        }))
    }
}

/// A role grant, parsed.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    pub account: AccountId,
    pub unit: UnitId,
    pub role: UnitRole,
}

pub async fn grants_of(tx: &mut Tx, v: &Viewer, id: AccountId) -> AppResult<Vec<GrantRow>> {
    let view = v.scope(Perm::ViewAccounts)?;
    account_in(tx, &view, id).await?;
    Ok(repo::grants_of(tx, &view, id).await?)
}

pub async fn grant(tx: &mut Tx, v: &Viewer, g: Grant) -> AppResult<GrantRow> {
    let scope = v.scope(Perm::GrantRoles)?;
    let role = g.role;
    let account = account_in(tx, &scope, g.account).await?;
    if account.platform_role.is_some() {
        return Err(AppError::Conflict("error.platform_account_roles"));
    }
    if g.account == v.p.id {
        return Err(AppError::Conflict("error.self_grant"));
    }
    let unit = unit_in(tx, &scope, g.unit).await?;
    let id = repo::insert_grant(tx, g.account, unit.id, role, Some(v.p.id))
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Conflict("error.grant_exists"),
            other => other,
        })?;
    let granted = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::RoleGranted,
        format!("account:{}", g.account),
    )
    .unit(unit.id)
    .actor(Some(v.p.id.0))
    .payload(json!({ "role": role.as_str(), "account_id": g.account, "unit_name": unit.name }));
    crate::outbox::emit(tx, granted).await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("role.grant", format!("account:{}", g.account))
            .unit(unit.id)
            .detail(
                json!({ "after": { "grant_id": id, "role": role.as_str(), "unit_id": unit.id } }),
            ),
    )
    .await?;
    let row = repo::grant_in_scope(tx, &scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(row)
}

pub async fn revoke(tx: &mut Tx, v: &Viewer, grant_id: GrantId) -> AppResult<GrantRow> {
    let scope = v.scope(Perm::GrantRoles)?;
    let Some(g) = repo::grant_in_scope(tx, &scope, grant_id).await? else {
        return Err(if repo::grant_exists(tx, grant_id).await? {
            AppError::OutOfScope
        } else {
            AppError::NotFound
        });
    };
    if g.account_id == v.p.id {
        return Err(AppError::Conflict("error.self_grant"));
    }
    repo::revoke_grant(tx, grant_id, v.p.id).await?;
    let revoked = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::RoleRevoked,
        format!("account:{}", g.account_id),
    )
    .actor(Some(v.p.id.0))
    .payload(json!({ "role": g.role, "account_id": g.account_id, "unit_name": g.unit_name }));
    crate::outbox::emit(tx, revoked).await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("role.revoke", format!("account:{}", g.account_id))
            .unit(g.unit_id.0)
            .detail(
                json!({ "before": { "grant_id": g.id, "role": g.role, "unit_id": g.unit_id } }),
            ),
    )
    .await?;
    Ok(g)
}
