//! Account use cases shared by pages and API: create, reset, disable, unlock, grant and
//! revoke roles, API tokens. Each checks scope, writes, and audits in one transaction.

use super::model::{
    AccountId, generate_password, hash_password, mask_mobile, parse_display_name, parse_mobile,
    parse_username,
};
use super::repo::{self, AccountRow, NewAccount, SealedPhone};
use crate::access::{Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::units::model::UnitId;
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use crate::web::session;
use serde_json::json;

pub use super::grants::{Grant, NewGrant, grant, grants_of, revoke};
use super::scope::{account_in, unit_in};
pub use super::tokens::{NewToken, create_token, revoke_token, tokens};

/// Reads other modules use; each takes the caller's scope where it lists accounts.
pub use super::repo::{
    count_locked, count_without_unit, find_by_login, get_in_scope, holds_staff_role,
};

/// A new account as submitted.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewAccountInput {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub unit_id: UnitId,
}

/// A created account and its one-time password (shown once; must be changed at first login).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedAccount {
    pub account: AccountRow,
    pub one_time_password: String,
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

pub async fn get(tx: &mut Tx, v: &Viewer, id: AccountId) -> AppResult<AccountRow> {
    let scope = v.scope(Perm::ViewAccounts)?;
    account_in(tx, &scope, id).await
}

/// A new account parsed and ready to store: its mobile sealed and its one-time password
/// hashed before any transaction opens (argon2 takes a tenth of a second; SQLite has one
/// writer).
pub struct PreparedAccount {
    username: String,
    display: String,
    phone: Option<SealedPhone>,
    unit_id: UnitId,
    password: NewPassword,
}

/// A generated one-time password and its hash.
pub struct NewPassword {
    clear: String,
    hash: String,
}

impl NewPassword {
    pub fn generate() -> AppResult<Self> {
        let clear = generate_password();
        let hash = hash_password(&clear)?;
        Ok(Self { clear, hash })
    }
}

/// Parses a new account (field errors in one answer) and prepares what is stored.
pub fn prepare(
    crypto: &FieldCrypto,
    v: &Viewer,
    input: &NewAccountInput,
) -> AppResult<PreparedAccount> {
    v.scope(Perm::ManageAccounts)?;
    let mut f = Fields::new();
    let username = f.take(parse_username(&input.username));
    let display = f.take(parse_display_name(&input.display_name));
    let phone = f.take(
        input
            .phone
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(parse_mobile)
            .transpose(),
    );
    let (username, display, phone) = f.done(
        username
            .zip(display)
            .zip(phone)
            .map(|((u, d), p)| (u, d, p)),
    )?;
    Ok(PreparedAccount {
        username,
        display,
        phone: phone.map(|p| seal_phone(crypto, &p)).transpose()?,
        unit_id: input.unit_id,
        password: NewPassword::generate()?,
    })
}

pub async fn create(tx: &mut Tx, v: &Viewer, new: PreparedAccount) -> AppResult<CreatedAccount> {
    let scope = v.scope(Perm::ManageAccounts)?;
    let unit = unit_in(tx, &scope, new.unit_id).await?;
    // Two fields are unique; the mobile is asked first (by its blind index), so that the
    // refusal names the right one (after a failed insert PostgreSQL answers nothing more).
    if let Some(p) = &new.phone
        && repo::phone_in_use(tx, &p.idx).await?
    {
        return Err(AppError::field("phone", "validation.phone_taken"));
    }
    let id = repo::insert(
        tx,
        &NewAccount {
            username: &new.username,
            phone: new.phone.as_ref(),
            display_name: &new.display,
            unit_id: Some(unit.id),
            password_hash: &new.password.hash,
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
    crate::outbox::emit(tx, created).await?;
    audit::record(tx, &v.ctx.actor(), Event::ok("account.create", format!("account:{}", id.0))
        .unit(unit.id)
        .detail(json!({ "after": { "username": new.username, "display_name": new.display, "unit_id": unit.id, "phone_set": new.phone.is_some() } })))
        .await?;
    let account = account_in(tx, &Scope::EVERYTHING, id).await?;
    Ok(CreatedAccount {
        account,
        one_time_password: new.password.clear,
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
pub async fn seal_clear_phones(tx: &mut Tx, crypto: &FieldCrypto) -> anyhow::Result<usize> {
    let clear = repo::clear_phones(tx).await?;
    for (id, phone) in &clear {
        let mobile = parse_mobile(phone).unwrap_or_else(|_| phone.clone());
        let sealed = seal_phone(crypto, &mobile).map_err(|e| anyhow::anyhow!("{e}"))?;
        repo::seal_phone(tx, *id, &sealed).await?;
    }
    Ok(clear.len())
}

/// Issues a new one-time password and ends the account's sessions.
pub async fn reset_password(
    tx: &mut Tx,
    v: &Viewer,
    id: AccountId,
    password: NewPassword,
) -> AppResult<String> {
    let scope = v.scope(Perm::ManageAccounts)?;
    // Platform admins are reset only from the server's command line.
    manageable(tx, v, &scope, id).await?;
    if !may_reset(tx, &scope, id).await? {
        return Err(AppError::Forbidden);
    }
    repo::set_password(tx, id, &password.hash, true).await?;
    session::delete_for_account(tx, id).await?;
    repo::revoke_all_tokens(tx, id).await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("account.reset_password", format!("account:{}", id.0)),
    )
    .await?;
    Ok(password.clear)
}

/// Disables or re-enables an account; disabling ends its sessions at once.
pub async fn set_active(tx: &mut Tx, v: &Viewer, id: AccountId, active: bool) -> AppResult<()> {
    let scope = v.scope(Perm::ManageAccounts)?;
    let a = manageable(tx, v, &scope, id).await?;
    repo::set_active(tx, id, active).await?;
    if let Some(unit) = a.unit_id {
        crate::outbox::records_changed(tx, unit.0, Some(v.p.id.0), format!("account:{}", id.0))
            .await?;
    }
    if !active {
        session::delete_for_account(tx, id).await?;
        repo::revoke_all_tokens(tx, id).await?;
    }
    let action = if active {
        "account.enable"
    } else {
        "account.disable"
    };
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok(action, format!("account:{}", id.0))
            .detail(json!({ "before": { "active": a.active }, "after": { "active": active } })),
    )
    .await?;
    Ok(())
}

pub async fn unlock(tx: &mut Tx, v: &Viewer, id: AccountId) -> AppResult<()> {
    let scope = v.scope(Perm::ManageAccounts)?;
    manageable(tx, v, &scope, id).await?;
    repo::clear_failures(tx, id).await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("account.unlock", format!("account:{}", id.0)),
    )
    .await?;
    Ok(())
}

/// The active accounts at or below the unit with `path` (a notice to a subtree's staff).
pub async fn active_under(tx: &mut Tx, path: &str) -> AppResult<Vec<AccountId>> {
    Ok(repo::active_under(tx, path).await?)
}
