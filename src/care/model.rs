//! Care's vocabulary: a care plan's attention tier, the kinds of visit and of life event,
//! and where a service item stands; the ids of care's records.

use super::rules::{Rules, parse_ages};
use crate::error::{AppResult, FieldError};
use crate::people::model::code_enum;
use crate::web::form::Fields;
use serde::{Deserialize, Serialize};

pub use crate::ids::{AidId, CareItemId, LifeEventId, TaskId, VisitId};

code_enum!(
    /// Attention tier of a care plan.
    Tier, "tier" { Key => "key", Regular => "regular", Routine => "routine" }
);
code_enum!(
    /// Where a care-plan service item stands.
    ItemStatus, "item_status" { Planned => "planned", Active => "active", Paused => "paused", Done => "done" }
);
code_enum!(VisitKind, "visit_kind" { Home => "home", Phone => "phone", Video => "video", Hospital => "hospital" });
code_enum!(
    /// What happened in a person's life that care records; some call for a visit, a death or
    /// a move changes the file's status.
    LifeEventKind, "event" {
        Hospitalised => "hospitalised", Discharged => "discharged", Bereavement => "bereavement",
        Hardship => "hardship", Moved => "moved", Died => "died",
    }
);

/// The must-visit rules form of a unit's care page: numbers arrive as text.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RulesForm {
    pub key_days: String,
    pub regular_days: String,
    pub routine_days: String,
    pub hospital_days: String,
    pub bereavement_days: String,
    pub death_days: String,
    pub yearly_from_age: String,
    pub festival_window_days: String,
    /// `70, 80, 90`.
    pub milestone_ages: String,
}

impl RulesForm {
    /// Parses the form into rules in range; one answer names every bad field.
    pub fn parse(&self) -> AppResult<Rules> {
        let mut f = Fields::new();
        let mut num = |k: &'static str, v: &str| -> i32 {
            v.trim().parse().unwrap_or_else(|_| {
                f.add(FieldError::new(k, "validation.rule_range"));
                0
            })
        };
        let rules = Rules {
            key_days: num("key_days", &self.key_days),
            regular_days: num("regular_days", &self.regular_days),
            routine_days: num("routine_days", &self.routine_days),
            hospital_days: num("hospital_days", &self.hospital_days),
            bereavement_days: num("bereavement_days", &self.bereavement_days),
            death_days: num("death_days", &self.death_days),
            yearly_from_age: num("yearly_from_age", &self.yearly_from_age),
            festival_window_days: num("festival_window_days", &self.festival_window_days),
            milestone_ages: parse_ages(&self.milestone_ages).unwrap_or_default(),
        };
        rules.check_into(&mut f);
        f.done(Some(rules))
    }
}

impl Tier {
    /// Default contact interval in days (configurable per unit later).
    pub fn default_interval_days(self) -> i32 {
        match self {
            Tier::Key => 30,
            Tier::Regular => 90,
            Tier::Routine => 365,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.as_str()), Some(*t));
        }
        assert_eq!(Tier::Key.default_interval_days(), 30);
        for k in LifeEventKind::ALL {
            assert_eq!(LifeEventKind::parse(k.as_str()), Some(*k));
        }
    }
}
