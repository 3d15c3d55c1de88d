//! Who is asking: an account, its platform role and its grants, loaded once per request (the
//! web layer finds the account from a session or a token and asks `repo::principal`).

use super::{Grant, Perm, PlatformRole, Scope, decide};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ids::AccountId;

/// The logged-in account behind a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub id: AccountId,
    pub username: String,
    pub display_name: String,
    pub platform_role: Option<PlatformRole>,
    pub grants: Vec<Grant>,
    pub via_token: bool,
    pub locale: Locale,
    pub large_type: bool,
}

impl Principal {
    /// Decides whether this account may do `perm`, and where ([`decide`]).
    pub fn scope(&self, perm: Perm) -> Result<Scope, AppError> {
        decide(self.id.0, self.platform_role, &self.grants, perm)
    }

    pub fn can(&self, perm: Perm) -> bool {
        self.scope(perm).is_ok()
    }
}
