//! SQL for accounts, role grants, API tokens and login throttling.

mod grants;
mod logins;
mod tokens;

pub use grants::*;
pub use logins::*;
pub use tokens::*;

use super::model::{AccountId, PlatformRole};
use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::UnitId;
use crate::{in_scope, on_tx, scope_units};
use chrono::{DateTime, Utc};

/// A stored account (the password hash and TOTP secret never leave the server).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Account {
    pub id: AccountId,
    pub username: String,
    /// The mobile as the screens show it (`138****5678`); the number itself is encrypted.
    pub phone_mask: Option<String>,
    pub display_name: String,
    pub unit_id: Option<UnitId>,
    pub password_hash: String,
    pub password_changed_at: DateTime<Utc>,
    pub must_change_password: bool,
    pub platform_role: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub totp_confirmed: bool,
    pub locale: String,
    pub large_type: bool,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn find(tx: &mut Tx, id: AccountId) -> Result<Option<Account>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Account>(
        "SELECT id, username, phone_mask, display_name, unit_id, password_hash, password_changed_at,
                must_change_password, platform_role, totp_secret, totp_last_step, totp_confirmed, locale, large_type,
                failed_logins, locked_until, active, created_at
         FROM accounts WHERE id = $1")
        .bind(id.0).fetch_optional(c).await)
}

/// Looks an account up by user name or, with `phone_idx` (the blind indexes of a mobile, see
/// `service::phone_key`), by mobile number.
pub async fn find_by_login(
    tx: &mut Tx,
    login: &str,
    phone_idx: &[String],
) -> Result<Option<Account>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Account>(
        "SELECT id, username, phone_mask, display_name, unit_id, password_hash, password_changed_at,
                must_change_password, platform_role, totp_secret, totp_last_step, totp_confirmed, locale, large_type,
                failed_logins, locked_until, active, created_at
         FROM accounts WHERE username = $1 OR phone_idx = $2 OR phone_idx = $3")
        .bind(login).bind(phone_idx.first()).bind(phone_idx.get(1)).fetch_optional(c).await)
}

/// A staff mobile as stored: encrypted, its blind index and its mask.
#[derive(Clone, Debug)]
pub struct SealedPhone {
    pub enc: String,
    pub idx: String,
    pub mask: String,
}

/// Accounts whose mobile is still stored in clear (from before migration 0014).
pub async fn clear_phones(tx: &mut Tx) -> Result<Vec<(AccountId, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("SELECT id, phone FROM accounts WHERE phone IS NOT NULL")
        .fetch_all(c).await)
}

/// Replaces a clear mobile by its sealed form; does nothing when another node did it first.
pub async fn seal_phone(tx: &mut Tx, id: AccountId, p: &SealedPhone) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE accounts SET phone = NULL, phone_enc = $1, phone_idx = $2, phone_mask = $3
         WHERE id = $4 AND phone IS NOT NULL")
        .bind(&p.enc).bind(&p.idx).bind(&p.mask).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The next `limit` accounts after `after` (by id) with a sealed mobile, for `yinyao rekey`.
pub async fn phones_batch(
    tx: &mut Tx,
    after: AccountId,
    limit: i64,
) -> Result<Vec<(AccountId, String)>, sqlx::Error> {
    const SQL: &str = "SELECT id, phone_enc FROM accounts WHERE id > $1 AND phone_enc IS NOT NULL ORDER BY id LIMIT $2";
    match tx {
        Tx::Sqlite(c) => {
            sqlx::query_as(SQL)
                .bind(after.0)
                .bind(limit)
                .fetch_all(&mut **c)
                .await
        }
        // Locked until written back (see people::repo::sealed_batch).
        Tx::Postgres(c) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SQL} FOR UPDATE")))
                .bind(after.0)
                .bind(limit)
                .fetch_all(&mut **c)
                .await
        }
    }
}

/// Writes an account's mobile sealed under the new key, with its new blind index.
pub async fn reseal_phone(
    tx: &mut Tx,
    id: AccountId,
    enc: &str,
    idx: &str,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE accounts SET phone_enc = $2, phone_idx = $3 WHERE id = $1")
        .bind(id.0).bind(enc).bind(idx).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The fields of a new account.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub phone: Option<&'a SealedPhone>,
    pub display_name: &'a str,
    pub unit_id: Option<UnitId>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub platform_role: Option<PlatformRole>,
}

pub async fn insert(tx: &mut Tx, a: &NewAccount<'_>) -> Result<AccountId, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO accounts (username, phone_enc, phone_idx, phone_mask, display_name, unit_id, password_hash,
                               password_changed_at, must_change_password, platform_role, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8, $8) RETURNING id")
        .bind(a.username).bind(a.phone.map(|p| &p.enc)).bind(a.phone.map(|p| &p.idx)).bind(a.phone.map(|p| &p.mask))
        .bind(a.display_name).bind(a.unit_id).bind(a.password_hash)
        .bind(t).bind(a.must_change_password).bind(a.platform_role.map(|r| r.as_str()))
        .fetch_one(c).await)?;
    Ok(AccountId(id))
}

pub async fn set_password(
    tx: &mut Tx,
    id: AccountId,
    hash: &str,
    must_change: bool,
) -> Result<(), sqlx::Error> {
    let t = now();
    on_tx!(tx, c => sqlx::query(
        "UPDATE accounts SET password_hash = $1, password_changed_at = $2, must_change_password = $3,
                failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $4")
        .bind(hash).bind(t).bind(must_change).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores a new, not yet confirmed TOTP secret (or clears it for re-enrolment).
pub async fn set_totp_secret(
    tx: &mut Tx,
    id: AccountId,
    secret: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE accounts SET totp_secret = $1, totp_last_step = NULL, totp_confirmed = FALSE, updated_at = $2 WHERE id = $3")
        .bind(secret).bind(now()).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records the TOTP time step just used, so the same code cannot be replayed.
pub async fn set_totp_step(tx: &mut Tx, id: AccountId, step: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE accounts SET totp_last_step = $1, totp_confirmed = TRUE WHERE id = $2")
        .bind(step).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_prefs(
    tx: &mut Tx,
    id: AccountId,
    locale: &str,
    large: bool,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE accounts SET locale = $1, large_type = $2 WHERE id = $3")
        .bind(locale).bind(large).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every API token of an account (password change, reset, disable).
pub async fn revoke_all_tokens(tx: &mut Tx, id: AccountId) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL")
        .bind(now()).bind(id.0).execute(c).await.map(|r| r.rows_affected()))
}

/// Whether the account holds an active role at a unit outside `s` (so a caller with scope
/// `s` must not take the account over by resetting or re-enabling it).
pub async fn holds_roles_outside(
    tx: &mut Tx,
    s: &Scope,
    id: AccountId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM role_grants r JOIN units u ON u.id = r.unit_id
         WHERE r.account_id = $4 AND r.revoked_at IS NULL AND NOT ", in_scope!("u")))
        .bind(s.all).bind(s.account).bind(s.roles).bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Whether a person file is linked to the account (its holder reads it in clear).
pub async fn linked_to_file(tx: &mut Tx, id: AccountId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE account_id = $1")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Whether the account holds any active unit role.
pub async fn holds_any_role(tx: &mut Tx, id: AccountId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM role_grants WHERE account_id = $1 AND revoked_at IS NULL")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Whether the account holds an active role other than member (a role that reads or keeps
/// others' data).
pub async fn holds_staff_role(tx: &mut Tx, id: AccountId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM role_grants WHERE account_id = $1 AND revoked_at IS NULL AND role <> 'member'")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Whether the account administers any unit.
pub async fn is_unit_admin(tx: &mut Tx, id: AccountId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM role_grants WHERE account_id = $1 AND revoked_at IS NULL AND role = 'unit_admin'")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

/// A row of the account list.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AccountRow {
    pub id: AccountId,
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub platform_role: Option<String>,
    pub active: bool,
    pub locked: bool,
}

// Accounts without a unit (the platform admins) are visible to a global scope only.
const LIST_ACCOUNTS: &str = concat!(
    "SELECT a.id, a.username, a.display_name, a.unit_id, u.name AS unit_name, a.platform_role, a.active,
            (a.locked_until IS NOT NULL AND a.locked_until > $4) AS locked
     FROM accounts a LEFT JOIN units u ON u.id = a.unit_id
     WHERE (u.id IS NULL AND $1 OR u.id IS NOT NULL AND u.id IN ", scope_units!(), ")
              AND ($5 IS NULL OR LOWER(a.username) LIKE '%' || $5 || '%' ESCAPE '\\' OR LOWER(a.display_name) LIKE '%' || $5 || '%' ESCAPE '\\')
     ORDER BY a.id LIMIT $6 OFFSET $7");

pub async fn list(
    tx: &mut Tx,
    s: &Scope,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<AccountRow>, sqlx::Error> {
    let q = q.map(|q| crate::search::like_escape(&q.to_lowercase()));
    on_tx!(tx, c => sqlx::query_as::<_, AccountRow>(LIST_ACCOUNTS)
        .bind(s.all).bind(s.account).bind(s.roles).bind(now()).bind(&q).bind(limit).bind(offset)
        .fetch_all(c).await)
}

/// One account if it lies in scope.
pub async fn get_in_scope(
    tx: &mut Tx,
    s: &Scope,
    id: AccountId,
) -> Result<Option<AccountRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, AccountRow>(concat!(
        "SELECT a.id, a.username, a.display_name, a.unit_id, u.name AS unit_name, a.platform_role, a.active,
                (a.locked_until IS NOT NULL AND a.locked_until > $4) AS locked
         FROM accounts a LEFT JOIN units u ON u.id = a.unit_id
         WHERE a.id = $5 AND (u.id IS NULL AND $1 OR u.id IS NOT NULL AND ", in_scope!("u"), ")"))
        .bind(s.all).bind(s.account).bind(s.roles).bind(now()).bind(id.0)
        .fetch_optional(c).await)
}

/// Whether an account has a mobile with this blind index.
pub async fn phone_in_use(tx: &mut Tx, idx: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE phone_idx = $1")
        .bind(idx).fetch_one(c).await)?;
    Ok(n > 0)
}

pub async fn exists(tx: &mut Tx, id: AccountId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE id = $1")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Active accounts that belong to no unit (the platform admins).
pub async fn count_without_unit(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE unit_id IS NULL AND active = TRUE")
        .fetch_one(c).await)
}

pub async fn count_locked(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE locked_until > $1")
        .bind(now()).fetch_one(c).await)
}

pub async fn set_active(tx: &mut Tx, id: AccountId, active: bool) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE accounts SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(active).bind(now()).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn any_platform_admin(tx: &mut Tx) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE platform_role IS NOT NULL")
        .fetch_one(c).await)?;
    Ok(n > 0)
}

/// Marks a session as used now (the keep-alive button).
pub async fn touch_session(tx: &mut Tx, hash: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now()).bind(hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The active accounts whose unit is at or below the unit with `path` (staff of a subtree).
pub async fn active_under(tx: &mut Tx, path: &str) -> Result<Vec<AccountId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id
         WHERE a.active = TRUE AND ", crate::under!("u.path", "$1"), " ORDER BY a.id"))
        .bind(path).fetch_all(c).await)
}
