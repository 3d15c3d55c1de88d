//! Unit types and rules: ids, kinds, names and the materialised path of the unit tree.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

pub use crate::ids::UnitId;

/// What kind of organisation a unit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    CityBureau,
    CountyBureau,
    Town,
    Village,
    PartyCommittee,
    PartyBranch,
    OnlineBranch,
    YouthCare,
    School,
    VolunteerTeam,
}

impl UnitKind {
    pub const ALL: [UnitKind; 10] = [
        UnitKind::CityBureau,
        UnitKind::CountyBureau,
        UnitKind::Town,
        UnitKind::Village,
        UnitKind::PartyCommittee,
        UnitKind::PartyBranch,
        UnitKind::OnlineBranch,
        UnitKind::YouthCare,
        UnitKind::School,
        UnitKind::VolunteerTeam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::CityBureau => "city_bureau",
            UnitKind::CountyBureau => "county_bureau",
            UnitKind::Town => "town",
            UnitKind::Village => "village",
            UnitKind::PartyCommittee => "party_committee",
            UnitKind::PartyBranch => "party_branch",
            UnitKind::OnlineBranch => "online_branch",
            UnitKind::YouthCare => "youth_care",
            UnitKind::School => "school",
            UnitKind::VolunteerTeam => "volunteer_team",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The message key of the kind's name.
    pub fn label_key(self) -> String {
        format!("unit_kind.{}", self.as_str())
    }

    /// The kind a new unit under one of this kind most often has (the form's default): a
    /// county bureau under a city bureau, a town under a county, a village under a town.
    pub fn child_default(self) -> UnitKind {
        match self {
            UnitKind::CityBureau => UnitKind::CountyBureau,
            UnitKind::CountyBureau => UnitKind::Town,
            UnitKind::Town => UnitKind::Village,
            UnitKind::Village | UnitKind::PartyCommittee | UnitKind::PartyBranch => {
                UnitKind::PartyBranch
            }
            UnitKind::OnlineBranch => UnitKind::OnlineBranch,
            UnitKind::YouthCare | UnitKind::School => UnitKind::School,
            UnitKind::VolunteerTeam => UnitKind::VolunteerTeam,
        }
    }
}

/// A unit name: 1–60 characters after trimming, no control characters.
pub fn parse_name(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if (1..=60).contains(&s.chars().count()) && !s.chars().any(char::is_control) {
        Ok(s.to_string())
    } else {
        Err(FieldError::new("name", "validation.unit_name"))
    }
}

/// The materialised path of a unit under `parent_path` (`/1/14/` + `203` → `/1/14/203/`).
pub fn child_path(parent_path: Option<&str>, id: UnitId) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), id.0)
}

/// Whether `path` lies inside the subtree rooted at `root` (including `root` itself).
pub fn within(path: &str, root: &str) -> bool {
    path.starts_with(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest() {
        let root = child_path(None, UnitId(1));
        assert_eq!(root, "/1/");
        let town = child_path(Some(&root), UnitId(14));
        assert_eq!(town, "/1/14/");
        assert!(within(&town, &root));
        assert!(!within(&root, &town));
        // "/1/" must not claim "/14/": the trailing slash keeps prefixes honest.
        assert!(!within("/14/", "/1/"));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  城关镇 ").unwrap(), "城关镇");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"长".repeat(61)).is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(UnitKind::parse("planet"), None);
    }
}
