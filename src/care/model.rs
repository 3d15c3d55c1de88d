//! Care's vocabulary: a care plan's attention tier, the kinds of visit, and where a service
//! item stands.

use crate::people::model::code_enum;
use serde::{Deserialize, Serialize};

code_enum!(
    /// Attention tier of a care plan.
    Tier, "tier" { Key => "key", Regular => "regular", Routine => "routine" }
);
code_enum!(
    /// Where a care-plan service item stands.
    ItemStatus, "item_status" { Planned => "planned", Active => "active", Paused => "paused", Done => "done" }
);
code_enum!(VisitKind, "visit_kind" { Home => "home", Phone => "phone", Video => "video", Hospital => "hospital" });

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
    }
}
