//! Account use cases shared by pages and API: create, reset, disable, unlock, grant and
//! revoke roles, API tokens. Each checks scope, writes, and audits in one transaction.

use super::model::{
    AccountId, UnitRole, generate_password, hash_password, mask_mobile, parse_display_name,
    parse_mobile, parse_username,
};
use super::repo::{self, AccountRow, GrantRow, NewAccount, SealedPhone, TokenRow};
use crate::access::{Perm, Scope};
use crate::audit::{model::Event, repo as audit};
use crate::crypto::FieldCrypto;
use crate::crypto::random_token;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::units::{model::UnitId, repo as units};
use crate::web::auth::Viewer;
use crate::web::{session, token_hash};
use serde_json::json;

/// A new account as submitted.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewAccountInput {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub unit_id: i64,
}

/// A created account and its one-time password (shown once; must be changed at first login).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedAccount {
    pub account: AccountRow,
    pub one_time_password: String,
}

async fn account_in(tx: &mut Tx, s: &Scope, id: AccountId) -> AppResult<AccountRow> {
    match repo::get_in_scope(tx, s, id).await? {
        Some(a) => Ok(a),
        None if repo::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

async fn unit_in(tx: &mut Tx, s: &Scope, id: i64) -> AppResult<units::Unit> {
    match units::get_in_scope(tx, s, UnitId(id)).await? {
        Some(u) if u.active => Ok(u),
        Some(_) => Err(AppError::field("unit_id", "validation.parent_inactive")),
        // The same answer whether the unit is elsewhere or nowhere: ids outside one's
        // scope must not be probeable.
        None if units::exists(tx, UnitId(id)).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

/// Loads an account the caller may manage: in scope, not a platform admin, holding no role
/// outside the caller's scope, and (for the system admin) not a unit admin, so that no one
/// can reset or re-enable an account that has more power than they have.
async fn manageable(tx: &mut Tx, v: &Viewer, s: &Scope, id: AccountId) -> AppResult<AccountRow> {
    let a = account_in(tx, s, id).await?;
    if id == v.p.id || a.platform_role.is_some() || repo::holds_roles_outside(tx, s, id).await? {
        return Err(AppError::Forbidden);
    }
    if s.all && repo::is_unit_admin(tx, id).await? {
        // Separation of duties: the system admin must not be able to become a unit admin
        // (who grants roles) by resetting their password.
        return Err(AppError::Forbidden);
    }
    Ok(a)
}

/// Whether a caller who may manage the account may also reset its password. A reset hands the
/// caller a one-time password, so the system admin (whose scope is everything but who must
/// never read business data) resets only accounts that hold no unit role and have no person
/// file linked to them; the others are reset by an administrator of their units.
pub async fn may_reset(tx: &mut Tx, s: &Scope, id: AccountId) -> AppResult<bool> {
    // A role reads others' data; a linked person file is the holder's own data in clear.
    Ok(!(s.all && (repo::holds_any_role(tx, id).await? || repo::linked_to_file(tx, id).await?)))
}

pub async fn get(state: &AppState, v: &Viewer, id: AccountId) -> AppResult<AccountRow> {
    let scope = v.scope(Perm::ViewAccounts)?;
    let mut tx = state.db.read().await?;
    account_in(&mut tx, &scope, id).await
}

pub async fn create(
    state: &AppState,
    v: &Viewer,
    input: &NewAccountInput,
) -> AppResult<CreatedAccount> {
    let scope = v.scope(Perm::ManageAccounts)?;
    let mut errors = Vec::new();
    let username = parse_username(&input.username)
        .map_err(|e| errors.push(e))
        .ok();
    let display = parse_display_name(&input.display_name)
        .map_err(|e| errors.push(e))
        .ok();
    let phone = input
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(parse_mobile)
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (Some(username), Some(display)) = (username, display) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let phone = phone.map(|p| seal_phone(&state.crypto, &p)).transpose()?;
    let mut tx = state.db.write().await?;
    let unit = unit_in(&mut tx, &scope, input.unit_id).await?;
    let password = generate_password();
    let id = repo::insert(
        &mut tx,
        &NewAccount {
            username: &username,
            phone: phone.as_ref(),
            display_name: &display,
            unit_id: Some(unit.id),
            password_hash: &hash_password(&password)?,
            must_change_password: true,
            platform_role: None,
        },
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::field("username", "validation.username_taken"),
        other => other,
    })?;
    let created = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::AccountCreated,
        format!("account:{}", id.0),
    )
    .unit(unit.id)
    .actor(Some(v.p.id.0));
    crate::outbox::emit(&mut tx, created).await?;
    audit::record(&mut tx, &v.ctx.actor(), Event::ok("account.create", format!("account:{}", id.0))
        .unit(unit.id)
        .detail(json!({ "after": { "username": username, "display_name": display, "unit_id": unit.id, "phone_set": phone.is_some() } })))
        .await?;
    let account = account_in(&mut tx, &Scope::EVERYTHING, id).await?;
    tx.commit().await?;
    Ok(CreatedAccount {
        account,
        one_time_password: password,
    })
}

/// The blind indexes a staff mobile may be found by (none when `login` is not a mobile
/// number; two while `yinyao rekey` runs).
pub fn phone_key(crypto: &FieldCrypto, login: &str) -> Vec<String> {
    parse_mobile(login)
        .ok()
        .map(|m| crypto.blind_indexes("account_phone", &m))
        .unwrap_or_default()
}

/// A valid mobile (as `parse_mobile` gives it) sealed for storage.
pub fn seal_phone(crypto: &FieldCrypto, mobile: &str) -> AppResult<SealedPhone> {
    Ok(SealedPhone {
        enc: crypto.encrypt(mobile).map_err(AppError::Internal)?,
        idx: crypto.blind_index("account_phone", mobile),
        mask: mask_mobile(mobile),
    })
}

/// Seals the mobiles stored in clear before migration 0014; run at start-up, safe on several
/// nodes at once. Returns how many it sealed. A number that no longer parses is kept sealed as
/// it was typed.
pub async fn seal_clear_phones(db: &crate::db::Db, crypto: &FieldCrypto) -> anyhow::Result<usize> {
    let mut tx = db.write().await?;
    let clear = repo::clear_phones(&mut tx).await?;
    for (id, phone) in &clear {
        let mobile = parse_mobile(phone).unwrap_or_else(|_| phone.clone());
        let sealed = seal_phone(crypto, &mobile).map_err(|e| anyhow::anyhow!("{e}"))?;
        repo::seal_phone(&mut tx, *id, &sealed).await?;
    }
    tx.commit().await?;
    Ok(clear.len())
}

/// Issues a new one-time password and ends the account's sessions.
pub async fn reset_password(state: &AppState, v: &Viewer, id: AccountId) -> AppResult<String> {
    let scope = v.scope(Perm::ManageAccounts)?;
    let mut tx = state.db.write().await?;
    // Platform admins are reset only from the server's command line.
    manageable(&mut tx, v, &scope, id).await?;
    if !may_reset(&mut tx, &scope, id).await? {
        return Err(AppError::Forbidden);
    }
    let password = generate_password();
    repo::set_password(&mut tx, id, &hash_password(&password)?, true).await?;
    session::delete_for_account(&mut tx, id).await?;
    repo::revoke_all_tokens(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &v.ctx.actor(),
        Event::ok("account.reset_password", format!("account:{}", id.0)),
    )
    .await?;
    tx.commit().await?;
    Ok(password)
}

/// Disables or re-enables an account; disabling ends its sessions at once.
pub async fn set_active(
    state: &AppState,
    v: &Viewer,
    id: AccountId,
    active: bool,
) -> AppResult<()> {
    let scope = v.scope(Perm::ManageAccounts)?;
    let mut tx = state.db.write().await?;
    let a = manageable(&mut tx, v, &scope, id).await?;
    repo::set_active(&mut tx, id, active).await?;
    if !active {
        session::delete_for_account(&mut tx, id).await?;
        repo::revoke_all_tokens(&mut tx, id).await?;
    }
    let action = if active {
        "account.enable"
    } else {
        "account.disable"
    };
    audit::record(
        &mut tx,
        &v.ctx.actor(),
        Event::ok(action, format!("account:{}", id.0))
            .detail(json!({ "before": { "active": a.active }, "after": { "active": active } })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unlock(state: &AppState, v: &Viewer, id: AccountId) -> AppResult<()> {
    let scope = v.scope(Perm::ManageAccounts)?;
    let mut tx = state.db.write().await?;
    manageable(&mut tx, v, &scope, id).await?;
    repo::clear_failures(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &v.ctx.actor(),
        Event::ok("account.unlock", format!("account:{}", id.0)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A role grant as submitted.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewGrant {
    pub account_id: i64,
    pub unit_id: i64,
    /// One of unit_admin, staff, youth_care (the only role that sees minors' files), editor,
    /// reviewer, correspondent, member.
    pub role: String,
}

pub async fn grants_of(state: &AppState, v: &Viewer, id: AccountId) -> AppResult<Vec<GrantRow>> {
    let view = v.scope(Perm::ViewAccounts)?;
    let mut tx = state.db.read().await?;
    account_in(&mut tx, &view, id).await?;
    Ok(repo::grants_of(&mut tx, &view, id).await?)
}

pub async fn grant(state: &AppState, v: &Viewer, g: &NewGrant) -> AppResult<GrantRow> {
    let scope = v.scope(Perm::GrantRoles)?;
    let role = UnitRole::parse(&g.role).ok_or(AppError::field("role", "validation.role"))?;
    let mut tx = state.db.write().await?;
    let account = account_in(&mut tx, &scope, AccountId(g.account_id)).await?;
    if account.platform_role.is_some() {
        return Err(AppError::Conflict("error.platform_account_roles"));
    }
    if AccountId(g.account_id) == v.p.id {
        return Err(AppError::Conflict("error.self_grant"));
    }
    let unit = unit_in(&mut tx, &scope, g.unit_id).await?;
    let id = repo::insert_grant(
        &mut tx,
        AccountId(g.account_id),
        unit.id,
        role,
        Some(v.p.id),
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict("error.grant_exists"),
        other => other,
    })?;
    let granted = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::RoleGranted,
        format!("account:{}", g.account_id),
    )
    .unit(unit.id)
    .actor(Some(v.p.id.0))
    .payload(json!({ "role": role.as_str() }));
    crate::outbox::emit(&mut tx, granted).await?;
    audit::record(
        &mut tx,
        &v.ctx.actor(),
        Event::ok("role.grant", format!("account:{}", g.account_id))
            .unit(unit.id)
            .detail(
                json!({ "after": { "grant_id": id, "role": role.as_str(), "unit_id": unit.id } }),
            ),
    )
    .await?;
    let row = repo::grant_in_scope(&mut tx, &scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

pub async fn revoke(state: &AppState, v: &Viewer, grant_id: i64) -> AppResult<GrantRow> {
    let scope = v.scope(Perm::GrantRoles)?;
    let mut tx = state.db.write().await?;
    let Some(g) = repo::grant_in_scope(&mut tx, &scope, grant_id).await? else {
        return Err(if repo::grant_exists(&mut tx, grant_id).await? {
            AppError::OutOfScope
        } else {
            AppError::NotFound
        });
    };
    if AccountId(g.account_id) == v.p.id {
        return Err(AppError::Conflict("error.self_grant"));
    }
    repo::revoke_grant(&mut tx, grant_id, v.p.id).await?;
    audit::record(
        &mut tx,
        &v.ctx.actor(),
        Event::ok("role.revoke", format!("account:{}", g.account_id))
            .unit(g.unit_id)
            .detail(
                json!({ "before": { "grant_id": g.id, "role": g.role, "unit_id": g.unit_id } }),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(g)
}

/// A new API token: shown once, then only its hash is kept.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    pub token: String,
}

pub async fn create_token(state: &AppState, v: &Viewer, name: &str) -> AppResult<NewToken> {
    v.scope(Perm::UseTokens)?;
    if v.p.via_token {
        // A token cannot mint more tokens: a stolen one must not multiply.
        return Err(AppError::Forbidden);
    }
    let name = name.trim();
    if !(1..=60).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(AppError::field("name", "validation.token_name"));
    }
    let token = format!("yy_{}", random_token(20));
    let prefix: String = token.chars().take(7).collect();
    let mut tx = state.db.write().await?;
    let id = repo::insert_token(&mut tx, v.p.id, name, &token_hash(&token), &prefix).await?;
    audit::record(
        &mut tx,
        &v.ctx.actor(),
        Event::ok("token.create", format!("token:{id}"))
            .detail(json!({ "after": { "name": name, "prefix": prefix } })),
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken {
        id,
        name: name.to_string(),
        token,
    })
}

pub async fn tokens(state: &AppState, v: &Viewer) -> AppResult<Vec<TokenRow>> {
    v.scope(Perm::UseTokens)?;
    let mut tx = state.db.read().await?;
    Ok(repo::tokens_of(&mut tx, v.p.id).await?)
}

pub async fn revoke_token(state: &AppState, v: &Viewer, id: i64) -> AppResult<()> {
    v.scope(Perm::UseTokens)?;
    let mut tx = state.db.write().await?;
    if !repo::revoke_token(&mut tx, v.p.id, id).await? {
        // Another account's token is a refusal (audited); a missing or revoked one is not found.
        return Err(if repo::live_token_of_other(&mut tx, v.p.id, id).await? {
            AppError::OutOfScope
        } else {
            AppError::NotFound
        });
    }
    audit::record(
        &mut tx,
        &v.ctx.actor(),
        Event::ok("token.revoke", format!("token:{id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
