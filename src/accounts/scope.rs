//! An account or unit the caller names, looked up within the caller's scope: out of scope
//! is a refusal (audited, shown as 404), missing is 404, so ids cannot be probed.

use super::model::AccountId;
use super::repo::{self, AccountRow};
use crate::access::Scope;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::UnitId;
use crate::units::service as units;

/// The account, if in scope.
pub(super) async fn account_in(tx: &mut Tx, s: &Scope, id: AccountId) -> AppResult<AccountRow> {
    match repo::get_in_scope(tx, s, id).await? {
        Some(a) => Ok(a),
        None if repo::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

/// The unit, if in scope and active.
pub(super) async fn unit_in(tx: &mut Tx, s: &Scope, id: UnitId) -> AppResult<crate::units::Unit> {
    match units::get_in_scope(tx, s, id).await? {
        Some(u) if u.active => Ok(u),
        Some(_) => Err(AppError::field("unit_id", "validation.parent_inactive")),
        // The same answer whether the unit is elsewhere or nowhere: ids outside one's
        // scope must not be probeable.
        None if units::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}
