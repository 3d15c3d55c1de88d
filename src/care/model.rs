//! Care's vocabulary: a care plan's attention tier, the kinds of visit and of life event,
//! and where a service item stands; the ids of care's records.

use crate::people::model::code_enum;
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

code_enum!(
    /// Why a visit task is due (the must-visit rules, 五必访).
    TaskReason, "reason" {
        Hospital => "hospital", Bereavement => "bereavement", Hardship => "hardship", Death => "death",
        Birthday => "birthday", Festival => "festival", Interval => "interval",
    }
);
code_enum!(
    /// Where a visit task stands: open until a visit closes it, or cancelled when the file is
    /// no longer active.
    TaskStatus, "task_status" { Open => "open", Done => "done", Cancelled => "cancelled" }
);

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
