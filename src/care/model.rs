//! Care's vocabulary: a care plan's attention tier, the kinds of visit and of life event,
//! and where a service item stands; the ids of care's records.

use crate::error::AppResult;
use crate::ids::UnitId;
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

code_enum!(
    /// Why a visit task is due (the must-visit rules, 五必访).
    TaskReason, "reason" {
        Hospital => "hospital", Bereavement => "bereavement", Hardship => "hardship", Death => "death",
        Birthday => "birthday", Festival => "festival", Interval => "interval", Round => "round", Notice => "notice",
    }
);
code_enum!(
    /// Where a visit task stands: open until a visit closes it, or cancelled when the file is
    /// no longer active.
    TaskStatus, "task_status" { Open => "open", Done => "done", Cancelled => "cancelled" }
);

impl TaskReason {
    /// How urgent a task of this kind is, most urgent first: a hospital stay, a person no call
    /// reached in a contact round (排查), a notice that must reach left unread, then a family's
    /// loss or hardship, then a condolence visit, a birthday, a festival and last the routine
    /// contact. "My tasks" lists by this, then by how long a task is overdue. The repo's
    /// `URGENCY` expression orders by the same ranks (a test checks them against each other).
    pub fn urgency(self) -> u8 {
        match self {
            TaskReason::Hospital => 1,
            TaskReason::Round => 2,
            TaskReason::Notice => 3,
            TaskReason::Bereavement => 4,
            TaskReason::Hardship => 5,
            TaskReason::Death => 6,
            TaskReason::Birthday => 7,
            TaskReason::Festival => 8,
            TaskReason::Interval => 9,
        }
    }
}

/// "My tasks" narrowed: by kind, by the person's village (unit) and to the overdue ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskFilter {
    pub kind: Option<TaskReason>,
    pub unit: Option<UnitId>,
    pub overdue: bool,
}

/// The filter as the list's query string (or the API's) sends it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct TaskQuery {
    /// A task kind: hospital, bereavement, hardship, death, birthday, festival, interval.
    pub kind: Option<String>,
    /// The id of the persons' unit (village or community).
    pub unit: Option<String>,
    /// `1` for overdue tasks only.
    pub overdue: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

impl TaskFilter {
    pub fn parse(q: &TaskQuery) -> AppResult<Self> {
        let mut f = Fields::new();
        let kind = match q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(k) => f.choice("kind", Some(k), TaskReason::parse).map(Some),
        };
        let unit = f.optional_id("unit_id", q.unit.as_deref());
        let overdue = matches!(
            q.overdue.as_deref().map(str::trim),
            Some("1" | "true" | "on")
        );
        f.done(kind.zip(unit).map(|(kind, unit)| TaskFilter {
            kind,
            unit,
            overdue,
        }))
    }

    /// The filter as a query string ending in `&`, for links that keep it (the pager, the
    /// sheet).
    pub fn query(&self) -> String {
        let mut q = String::new();
        if let Some(k) = self.kind {
            q.push_str(&format!("kind={}&", k.as_str()));
        }
        if let Some(u) = self.unit {
            q.push_str(&format!("unit={u}&"));
        }
        if self.overdue {
            q.push_str("overdue=1&");
        }
        q
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
        let mut ranks: Vec<u8> = TaskReason::ALL.iter().map(|r| r.urgency()).collect();
        ranks.dedup();
        assert_eq!(
            ranks.len(),
            TaskReason::ALL.len(),
            "each kind has its own rank"
        );
        for k in LifeEventKind::ALL {
            assert_eq!(LifeEventKind::parse(k.as_str()), Some(*k));
        }
    }

    #[test]
    fn task_filters_parse() {
        let q = TaskQuery {
            kind: Some("hospital".into()),
            unit: Some("12".into()),
            overdue: Some("1".into()),
            page: None,
        };
        let f = TaskFilter::parse(&q).unwrap();
        assert_eq!(f.kind, Some(TaskReason::Hospital));
        assert_eq!(f.unit, Some(UnitId(12)));
        assert!(f.overdue);
        assert_eq!(f.query(), "kind=hospital&unit=12&overdue=1&");
        assert_eq!(
            TaskFilter::parse(&TaskQuery::default()).unwrap(),
            TaskFilter::default()
        );
        let bad = TaskQuery {
            kind: Some("party".into()),
            unit: Some("x".into()),
            ..TaskQuery::default()
        };
        assert!(TaskFilter::parse(&bad).is_err());
    }
}
