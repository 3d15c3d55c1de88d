//! Authorisation in one place: the [`Viewer`] extractor (a logged-in account whose login
//! is complete) and [`Perm`] → [`Scope`], which every listing query filters by in SQL.
//! Deny by default: a permission not listed for a role is refused.

use crate::accounts::model::PlatformRole;
use crate::error::AppError;
use crate::web::session::{Ctx, Principal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// What a request wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perm {
    ViewUnits,
    ManageUnits,
    ViewAccounts,
    ManageAccounts,
    GrantRoles,
    ReadAudit,
    UseTokens,
    /// Read and keep person files, care plans and visits.
    People,
    /// Ask for an export of person files with sensitive fields in clear (unit admins;
    /// audited). Holding `unit_admin` anywhere lets a caller ask; what the export may hold is
    /// narrowed to the subtrees of those grants in SQL (`people::export`).
    ExportUnmasked,
    /// Keep the system settings (security policy): the system admin alone.
    ManageSettings,
    /// Write articles and submit them for review (editors, correspondents, unit admins).
    WriteNews,
    /// Review articles: approve, reject, withdraw (reviewers, unit admins).
    ReviewNews,
    /// Set up columns, review steps and the sensitive-word list (editors, unit admins).
    ManageNews,
    /// See unpublished articles in scope (everyone who writes, reviews or manages news).
    ReadDrafts,
}

/// Where a permission reaches: everywhere (`all`), or the subtrees of the account's grants
/// whose role is listed in `roles` (a `,a,b,` string matched in SQL with `LIKE`).
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub all: bool,
    pub account: i64,
    pub roles: &'static str,
}

/// SQL condition: the unit aliased `$alias` lies in the scope bound as `$1, $2, $3`
/// (`Scope::all`, `Scope::account`, `Scope::roles`). Checked row by row: for one unit or a
/// few. Lists and counts over many units use [`scope_units!`](crate::scope_units).
///
/// A subtree is a range of paths: every descendant's path starts with its ancestor's, and
/// paths hold only digits and `/`, which sort before `~`; so `path >= p AND path < p || '~'`
/// is "starts with p", and an index on the path serves it (PostgreSQL: collation "C",
/// migration 0008).
#[macro_export]
macro_rules! in_scope {
    ($alias:literal) => {
        concat!(
            "($1 OR EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id ",
            "WHERE g.account_id = $2 AND g.revoked_at IS NULL AND $3 LIKE '%,' || g.role || ',%' AND ",
            $alias,
            ".path >= gu.path AND ",
            $alias,
            ".path < gu.path || '~'))"
        )
    };
}

/// SQL subquery: the ids of the units in the scope bound as `$1, $2, $3` (as
/// [`in_scope!`](crate::in_scope)), found from the grants through the path index, for
/// `u.id IN (…)` in lists and counts. A town's staff member's scope is a few dozen units,
/// which this reads directly instead of testing all 40,000 units of a province one by one
/// (23 ms to 0.01 ms for the home page's unit count, docs/PERFORMANCE.md).
#[macro_export]
macro_rules! scope_units {
    () => {
        concat!(
            "(SELECT s.id FROM units s WHERE $1 UNION ALL ",
            "SELECT s.id FROM role_grants g JOIN units gu ON gu.id = g.unit_id ",
            "JOIN units s ON s.path >= gu.path AND s.path < gu.path || '~' ",
            "WHERE NOT $1 AND g.account_id = $2 AND g.revoked_at IS NULL AND $3 LIKE '%,' || g.role || ',%')"
        )
    };
}

const ANY_UNIT_ROLE: &str = ",unit_admin,staff,youth_care,editor,reviewer,correspondent,member,";
const UNIT_ADMIN: &str = ",unit_admin,";
const ACCOUNT_VIEWERS: &str = ",unit_admin,staff,";
/// Roles that keep person files; which files each sees is decided per file in SQL
/// (minors' files only for youth care).
const PEOPLE_KEEPERS: &str = ",unit_admin,staff,youth_care,";
const NEWS_WRITERS: &str = ",unit_admin,editor,correspondent,";
const NEWS_REVIEWERS: &str = ",unit_admin,reviewer,";
const NEWS_MANAGERS: &str = ",unit_admin,editor,";
const NEWS_STAFF: &str = ",unit_admin,editor,reviewer,correspondent,";

impl Principal {
    /// Decides whether this account may do `perm`, and where.
    pub fn scope(&self, perm: Perm) -> Result<Scope, AppError> {
        let account = self.id.0;
        let all = Scope {
            all: true,
            account,
            roles: "",
        };
        let grants = |roles: &'static str| {
            let held = self
                .grants
                .iter()
                .any(|g| roles.contains(&format!(",{},", g.role)));
            if held {
                Ok(Scope {
                    all: false,
                    account,
                    roles,
                })
            } else {
                Err(AppError::Forbidden)
            }
        };
        match (self.platform_role, perm) {
            (
                Some(PlatformRole::System),
                Perm::ViewUnits
                | Perm::ManageUnits
                | Perm::ViewAccounts
                | Perm::ManageAccounts
                | Perm::ManageSettings,
            ) => Ok(all),
            (
                Some(PlatformRole::Security),
                Perm::ViewUnits | Perm::ViewAccounts | Perm::GrantRoles,
            ) => Ok(all),
            (Some(PlatformRole::Audit), Perm::ReadAudit) => Ok(all),
            (Some(_), _) => Err(AppError::Forbidden),
            (None, Perm::ViewUnits) => grants(ANY_UNIT_ROLE),
            (None, Perm::ManageUnits | Perm::ManageAccounts | Perm::GrantRoles) => {
                grants(UNIT_ADMIN)
            }
            (None, Perm::ViewAccounts) => grants(ACCOUNT_VIEWERS),
            (None, Perm::UseTokens) => Ok(Scope {
                all: false,
                account,
                roles: "",
            }),
            (None, Perm::ReadAudit) => Err(AppError::Forbidden),
            (None, Perm::People) => grants(PEOPLE_KEEPERS),
            // Only whether to ask: the export itself reaches the unit_admin subtrees alone.
            (None, Perm::ExportUnmasked) => grants(UNIT_ADMIN),
            (None, Perm::ManageSettings) => Err(AppError::Forbidden),
            (None, Perm::WriteNews) => grants(NEWS_WRITERS),
            (None, Perm::ReviewNews) => grants(NEWS_REVIEWERS),
            (None, Perm::ManageNews) => grants(NEWS_MANAGERS),
            (None, Perm::ReadDrafts) => grants(NEWS_STAFF),
        }
    }

    pub fn can(&self, perm: Perm) -> bool {
        self.scope(perm).is_ok()
    }
}

/// A logged-in account with a complete login, and the request context.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub ctx: Ctx,
    pub p: Principal,
}

impl Viewer {
    pub fn scope(&self, perm: Perm) -> Result<Scope, AppError> {
        self.p.scope(perm)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session layer missing")))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let p = ctx
            .full_principal()
            .cloned()
            .ok_or(AppError::Unauthorized)?;
        Ok(Viewer { ctx, p })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::model::AccountId;
    use crate::web::session::Grant;

    fn principal(role: Option<PlatformRole>, unit_roles: &[&str]) -> Principal {
        Principal {
            id: AccountId(1),
            username: "u".into(),
            display_name: "U".into(),
            platform_role: role,
            grants: unit_roles
                .iter()
                .map(|r| Grant {
                    id: 1,
                    role: r.to_string(),
                    unit_id: 1,
                    unit_name: "x".into(),
                    unit_path: "/1/".into(),
                })
                .collect(),
            via_token: false,
            locale: crate::i18n::Locale::ZhCn,
            large_type: false,
        }
    }

    #[test]
    fn three_admins_are_separated() {
        let sys = principal(Some(PlatformRole::System), &[]);
        let sec = principal(Some(PlatformRole::Security), &[]);
        let aud = principal(Some(PlatformRole::Audit), &[]);
        assert!(
            sys.can(Perm::ManageUnits) && !sys.can(Perm::GrantRoles) && !sys.can(Perm::ReadAudit)
        );
        assert!(
            sec.can(Perm::GrantRoles) && !sec.can(Perm::ManageUnits) && !sec.can(Perm::ReadAudit)
        );
        assert!(
            aud.can(Perm::ReadAudit) && !aud.can(Perm::ViewUnits) && !aud.can(Perm::GrantRoles)
        );
        assert!(
            !sys.can(Perm::UseTokens),
            "admins must not bypass TOTP with tokens"
        );
    }

    #[test]
    fn unit_roles_are_denied_by_default() {
        let staff = principal(None, &["staff"]);
        assert!(staff.can(Perm::ViewUnits) && staff.can(Perm::ViewAccounts));
        assert!(
            !staff.can(Perm::ManageUnits)
                && !staff.can(Perm::GrantRoles)
                && !staff.can(Perm::ReadAudit)
        );
        let nobody = principal(None, &[]);
        assert!(!nobody.can(Perm::ViewUnits));
        let admin = principal(None, &["unit_admin"]);
        assert!(admin.can(Perm::ManageUnits) && admin.can(Perm::GrantRoles));
    }
}
