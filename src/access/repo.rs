//! SQL of the access module: who an account is and which roles it holds where.

use super::{Grant, PlatformRole, Principal};
use crate::db::Tx;
use crate::i18n::Locale;
use crate::ids::AccountId;
use crate::on_tx;

#[derive(sqlx::FromRow)]
struct Row {
    username: String,
    display_name: String,
    platform_role: Option<String>,
    locale: String,
    large_type: bool,
}

/// The principal of an active account with its live grants; `None` for an account that is
/// missing or disabled.
pub async fn principal(
    tx: &mut Tx,
    id: AccountId,
    via_token: bool,
) -> Result<Option<Principal>, sqlx::Error> {
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT username, display_name, platform_role, locale, large_type
         FROM accounts WHERE id = $1 AND active = TRUE")
        .bind(id.0).fetch_optional(c).await)?;
    let Some(a) = row else {
        return Ok(None);
    };
    let grants = grants_of(tx, id).await?;
    Ok(Some(Principal {
        id,
        username: a.username,
        display_name: a.display_name,
        platform_role: a.platform_role.as_deref().and_then(PlatformRole::parse),
        grants,
        via_token,
        locale: Locale::parse(&a.locale).unwrap_or_default(),
        large_type: a.large_type,
    }))
}

/// An account's live grants, with their units' paths, in path order.
pub async fn grants_of(tx: &mut Tx, id: AccountId) -> Result<Vec<Grant>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Grant>(
        "SELECT g.id, g.role, g.unit_id, u.name AS unit_name, u.path AS unit_path
         FROM role_grants g JOIN units u ON u.id = g.unit_id
         WHERE g.account_id = $1 AND g.revoked_at IS NULL ORDER BY u.path, g.role")
        .bind(id.0).fetch_all(c).await)
}

/// The active accounts holding one of `roles` at the unit `unit` or above it: who covers it
/// (the reviewers of its news, its unit admins).
pub async fn holders(
    tx: &mut Tx,
    unit: crate::ids::UnitId,
    roles: super::RoleSet,
) -> Result<Vec<AccountId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT DISTINCT g.account_id FROM units u
         JOIN role_grants g ON g.revoked_at IS NULL AND ", crate::role_in!("g.role", "$2"), "
         JOIN units gu ON gu.id = g.unit_id AND ", crate::under!("u.path", "gu.path"), "
         JOIN accounts a ON a.id = g.account_id AND a.active = TRUE
         WHERE u.id = $1 ORDER BY g.account_id"))
        .bind(unit.0).bind(roles).fetch_all(c).await)
}
