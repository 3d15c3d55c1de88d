//! The roles: the three platform roles (三员) and the roles granted at a unit, and sets of
//! the latter as SQL binds them.

use serde::{Deserialize, Serialize};

/// The three platform roles (三员). One account holds at most one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformRole {
    /// System admin: configuration, units and accounts; no role grants, no audit trail.
    System,
    /// Security admin: grants and revokes roles; no business data.
    Security,
    /// Audit admin: reads and exports the audit trail only.
    Audit,
}

impl PlatformRole {
    pub const ALL: [PlatformRole; 3] = [
        PlatformRole::System,
        PlatformRole::Security,
        PlatformRole::Audit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlatformRole::System => "system",
            PlatformRole::Security => "security",
            PlatformRole::Audit => "audit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            PlatformRole::System => "role.system",
            PlatformRole::Security => "role.security",
            PlatformRole::Audit => "role.audit",
        }
    }
}

/// Roles granted at a unit; each covers the unit's whole subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitRole {
    UnitAdmin,
    Staff,
    /// Youth-care (关工委) staff: the only role that sees minors' files.
    YouthCare,
    Editor,
    Reviewer,
    Correspondent,
    Member,
}

impl UnitRole {
    pub const ALL: [UnitRole; 7] = [
        UnitRole::UnitAdmin,
        UnitRole::Staff,
        UnitRole::YouthCare,
        UnitRole::Editor,
        UnitRole::Reviewer,
        UnitRole::Correspondent,
        UnitRole::Member,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitRole::UnitAdmin => "unit_admin",
            UnitRole::Staff => "staff",
            UnitRole::YouthCare => "youth_care",
            UnitRole::Editor => "editor",
            UnitRole::Reviewer => "reviewer",
            UnitRole::Correspondent => "correspondent",
            UnitRole::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role's bit in a [`RoleSet`] (and in `role_in!`'s SQL).
    pub const fn bit(self) -> i64 {
        1 << (self as u32)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            UnitRole::UnitAdmin => "role.unit_admin",
            UnitRole::Staff => "role.staff",
            UnitRole::YouthCare => "role.youth_care",
            UnitRole::Editor => "role.editor",
            UnitRole::Reviewer => "role.reviewer",
            UnitRole::Correspondent => "role.correspondent",
            UnitRole::Member => "role.member",
        }
    }
}

/// A set of unit roles, bound in SQL as its bits (see `role_in!`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, sqlx::Type)]
#[sqlx(transparent)]
pub struct RoleSet(i64);

impl RoleSet {
    pub const EMPTY: RoleSet = RoleSet(0);
    /// Every unit role.
    pub const ALL: RoleSet = RoleSet::of(&UnitRole::ALL);

    /// The set of these roles.
    pub const fn of(roles: &[UnitRole]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < roles.len() {
            bits |= roles[i].bit();
            i += 1;
        }
        RoleSet(bits)
    }

    pub fn contains(self, role: UnitRole) -> bool {
        self.0 & role.bit() != 0
    }

    /// Whether the set holds the role stored as `name` (unknown names are not held).
    pub fn contains_name(self, name: &str) -> bool {
        UnitRole::parse(name).is_some_and(|r| self.contains(r))
    }
}
