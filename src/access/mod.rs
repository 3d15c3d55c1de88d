//! Who may do what, and where: typed roles ([`UnitRole`], [`PlatformRole`]), an account's
//! [`Grant`]s, the [`Scope`] a [`Perm`]ission reaches (decided by [`decide`], deny by
//! default), and the SQL predicates every query uses for it: one subtree test ([`under!`]),
//! a unit in a scope ([`in_scope!`]) and the units of a scope ([`scope_units!`]). It knows no
//! HTTP: `web` turns a session or token into a principal and asks here.

mod principal;
mod proofs;
mod repo;
mod roles;

pub use principal::Principal;
pub use proofs::{Visible, person};
pub use repo::{grants_of, holders, principal as load_principal};
pub use roles::{PlatformRole, RoleSet, UnitRole};

use crate::error::AppError;
use crate::ids::UnitId;

/// SQL condition: the path `$x` lies in the subtree whose root has path `$root` (the root
/// included). A subtree is a range of paths: every descendant's path starts with its
/// ancestor's, and paths hold only digits and `/`, which sort before `~`; so
/// `x >= root AND x < root || '~'` is "starts with root", and an index on the path serves it
/// (PostgreSQL: collation "C", migration 0008). The one subtree test of the code base.
#[macro_export]
macro_rules! under {
    ($x:expr, $root:expr) => {
        concat!(
            "(", $x, " >= ", $root, " AND ", $x, " < ", $root, " || '~')"
        )
    };
}

/// SQL condition: the role in `$col` is one of the set bound at `$param` (a [`RoleSet`],
/// bound as its bits). The roles' bits are written here once; a unit test keeps them equal
/// to [`UnitRole::bit`].
#[macro_export]
macro_rules! role_in {
    ($col:expr, $param:expr) => {
        concat!(
            "((CASE ",
            $col,
            " WHEN 'unit_admin' THEN 1 WHEN 'staff' THEN 2 WHEN 'youth_care' THEN 4",
            " WHEN 'editor' THEN 8 WHEN 'reviewer' THEN 16 WHEN 'correspondent' THEN 32",
            " WHEN 'member' THEN 64 ELSE 0 END) & ",
            $param,
            " <> 0)"
        )
    };
}

/// SQL condition: the unit aliased `$alias` lies in the scope bound as `$1, $2, $3`
/// (`Scope::all`, `Scope::account`, `Scope::roles`). Checked row by row: for one unit or a
/// few. Lists and counts over many units use [`scope_units!`](crate::scope_units).
#[macro_export]
macro_rules! in_scope {
    ($alias:literal) => {
        concat!(
            "($1 OR EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id ",
            "WHERE g.account_id = $2 AND g.revoked_at IS NULL AND ",
            $crate::role_in!("g.role", "$3"),
            " AND ",
            $crate::under!(concat!($alias, ".path"), "gu.path"),
            "))"
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
            "JOIN units s ON ",
            $crate::under!("s.path", "gu.path"),
            " WHERE NOT $1 AND g.account_id = $2 AND g.revoked_at IS NULL AND ",
            $crate::role_in!("g.role", "$3"),
            ")"
        )
    };
}

/// SQL condition: the person file aliased `p` (its unit aliased `u`) is visible to the
/// account bound at `$account`: an adult's file to unit admins and staff of an enclosing
/// unit, a minor's file to youth-care staff only. The one statement of that rule; lists
/// narrow by `people::repo::keeping_units!` first and then apply it row by row.
#[macro_export]
macro_rules! person_visible {
    ($account:expr) => {
        concat!(
            "EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id WHERE g.account_id = ",
            $account,
            " AND g.revoked_at IS NULL AND ",
            $crate::under!("u.path", "gu.path"),
            " AND ((p.is_minor AND g.role = 'youth_care') OR (NOT p.is_minor AND g.role IN ('unit_admin', 'staff'))))"
        )
    };
}

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
    /// Organise events and register people on file for them (unit admins, staff, youth care).
    Events,
}

/// Where a permission reaches: everywhere (`all`), or the subtrees of the account's grants
/// whose role is in `roles`. Bound in SQL as `$1, $2, $3` for [`in_scope!`] and
/// [`scope_units!`].
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub all: bool,
    pub account: i64,
    pub roles: RoleSet,
}

impl Scope {
    /// Everything: for the server's own work (the command line, jobs, the demo).
    pub const EVERYTHING: Scope = Scope {
        all: true,
        account: 0,
        roles: RoleSet::EMPTY,
    };

    /// The subtrees of `account`'s grants of these roles.
    pub fn of(account: i64, roles: RoleSet) -> Self {
        Scope {
            all: false,
            account,
            roles,
        }
    }
}

/// A role held at a unit, with the unit's path so scope can be judged without a query.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Grant {
    pub id: i64,
    pub role: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
}

impl Grant {
    /// The role, typed; `None` for a value this build does not know.
    pub fn unit_role(&self) -> Option<UnitRole> {
        UnitRole::parse(&self.role)
    }
}

/// Where these roles reach: the units of the grants holding them, each kept only when no
/// other kept unit encloses it, so that a figure summed over them counts every unit once.
/// Pairs of unit id and path, in path order.
pub fn reach(grants: &[Grant], roles: RoleSet) -> Vec<(UnitId, String)> {
    let mut held: Vec<(UnitId, String)> = grants
        .iter()
        .filter(|g| roles.contains_name(&g.role))
        .map(|g| (g.unit_id, g.unit_path.clone()))
        .collect();
    // In path order a unit's subtree follows it without a gap.
    held.sort_by(|a, b| a.1.cmp(&b.1));
    let mut out: Vec<(UnitId, String)> = Vec::new();
    for (id, path) in held {
        if out
            .last()
            .is_none_or(|(_, p)| !path.starts_with(p.as_str()))
        {
            out.push((id, path));
        }
    }
    out
}

/// The part of a reach inside the unit `(id, path)`: the unit itself when a reached unit
/// encloses it, else the reached units below it (none when the reach misses it).
pub fn reach_within(reach: &[(UnitId, String)], id: UnitId, path: &str) -> Vec<UnitId> {
    if reach.iter().any(|(_, p)| path.starts_with(p.as_str())) {
        return vec![id];
    }
    reach
        .iter()
        .filter(|(_, p)| p.starts_with(path))
        .map(|(u, _)| *u)
        .collect()
}

/// Roles that keep person files; which files each sees is decided per file in SQL (minors'
/// files only for youth care, `people::repo::person_in_scope!`).
pub const PEOPLE_KEEPERS: RoleSet =
    RoleSet::of(&[UnitRole::UnitAdmin, UnitRole::Staff, UnitRole::YouthCare]);
/// Roles that keep adults' files.
pub const ADULT_KEEPERS: RoleSet = RoleSet::of(&[UnitRole::UnitAdmin, UnitRole::Staff]);
/// The role that keeps minors' files.
pub const MINOR_KEEPERS: RoleSet = RoleSet::of(&[UnitRole::YouthCare]);
const ACCOUNT_VIEWERS: RoleSet = RoleSet::of(&[UnitRole::UnitAdmin, UnitRole::Staff]);
const UNIT_ADMIN: RoleSet = RoleSet::of(&[UnitRole::UnitAdmin]);
const NEWS_WRITERS: RoleSet = RoleSet::of(&[
    UnitRole::UnitAdmin,
    UnitRole::Editor,
    UnitRole::Correspondent,
]);
pub const NEWS_REVIEWERS: RoleSet = RoleSet::of(&[UnitRole::UnitAdmin, UnitRole::Reviewer]);
const NEWS_MANAGERS: RoleSet = RoleSet::of(&[UnitRole::UnitAdmin, UnitRole::Editor]);
const NEWS_STAFF: RoleSet = RoleSet::of(&[
    UnitRole::UnitAdmin,
    UnitRole::Editor,
    UnitRole::Reviewer,
    UnitRole::Correspondent,
]);

/// Decides whether an account (its platform role, its grants) may do `perm`, and where.
/// Deny by default: a permission not listed for a role is refused. The three platform roles
/// are separated: none of them reads business data or holds another's power.
pub fn decide(
    account: i64,
    platform: Option<PlatformRole>,
    grants: &[Grant],
    perm: Perm,
) -> Result<Scope, AppError> {
    let all = Scope {
        all: true,
        account,
        roles: RoleSet::EMPTY,
    };
    let held = |roles: RoleSet| {
        if grants
            .iter()
            .any(|g| g.unit_role().is_some_and(|r| roles.contains(r)))
        {
            Ok(Scope::of(account, roles))
        } else {
            Err(AppError::Forbidden)
        }
    };
    match (platform, perm) {
        (
            Some(PlatformRole::System),
            Perm::ViewUnits
            | Perm::ManageUnits
            | Perm::ViewAccounts
            | Perm::ManageAccounts
            | Perm::ManageSettings,
        ) => Ok(all),
        (Some(PlatformRole::Security), Perm::ViewUnits | Perm::ViewAccounts | Perm::GrantRoles) => {
            Ok(all)
        }
        (Some(PlatformRole::Audit), Perm::ReadAudit) => Ok(all),
        (Some(_), _) => Err(AppError::Forbidden),
        (None, Perm::ViewUnits) => held(RoleSet::ALL),
        (None, Perm::ManageUnits | Perm::ManageAccounts | Perm::GrantRoles) => held(UNIT_ADMIN),
        (None, Perm::ViewAccounts) => held(ACCOUNT_VIEWERS),
        (None, Perm::UseTokens) => Ok(Scope::of(account, RoleSet::EMPTY)),
        (None, Perm::ReadAudit) => Err(AppError::Forbidden),
        (None, Perm::People) => held(PEOPLE_KEEPERS),
        // Only whether to ask: the export itself reaches the unit_admin subtrees alone.
        (None, Perm::ExportUnmasked) => held(UNIT_ADMIN),
        (None, Perm::ManageSettings) => Err(AppError::Forbidden),
        (None, Perm::WriteNews) => held(NEWS_WRITERS),
        (None, Perm::ReviewNews) => held(NEWS_REVIEWERS),
        (None, Perm::ManageNews) => held(NEWS_MANAGERS),
        (None, Perm::ReadDrafts) => held(NEWS_STAFF),
        (None, Perm::Events) => held(PEOPLE_KEEPERS),
    }
}

#[cfg(test)]
mod tests;
