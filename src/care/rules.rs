//! Must-visit rules (五必访) as pure functions: given a unit's rules, one person's facts and
//! today's date, which visit tasks are due. The scheduled job stores them idempotently.

use super::model::{LifeEventId, LifeEventKind, TaskReason, Tier};
use crate::error::{AppResult, FieldError};
use crate::web::form::Fields;
use chinese_lunisolar_calendar::LunisolarDate;
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// A unit's rules. The defaults follow common county practice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rules {
    pub key_days: i32,
    pub regular_days: i32,
    pub routine_days: i32,
    /// Visit within this many days of a hospitalisation.
    pub hospital_days: i32,
    /// … of a bereavement or family hardship.
    pub bereavement_days: i32,
    /// Condolence visit within this many days of a death.
    pub death_days: i32,
    /// Birthdays that call for a visit…
    pub milestone_ages: Vec<i32>,
    /// …and every birthday from this age.
    pub yearly_from_age: i32,
    /// Key-tier people are visited within this many days either side of Spring Festival and
    /// the Double Ninth festival (重阳).
    pub festival_window_days: i32,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            key_days: 30,
            regular_days: 90,
            routine_days: 365,
            hospital_days: 3,
            bereavement_days: 7,
            death_days: 3,
            milestone_ages: vec![70, 80, 90],
            yearly_from_age: 90,
            festival_window_days: 7,
        }
    }
}

impl Rules {
    pub fn interval_for(&self, tier: Tier) -> i32 {
        match tier {
            Tier::Key => self.key_days,
            Tier::Regular => self.regular_days,
            Tier::Routine => self.routine_days,
        }
    }

    /// Checks ranges: each field out of range is a field error.
    pub fn check(&self) -> AppResult<()> {
        let mut f = Fields::new();
        self.check_into(&mut f);
        f.check()
    }

    /// Records the fields out of range, skipping those already in error (not numbers).
    pub fn check_into(&self, f: &mut Fields) {
        for (name, v, max) in [
            ("key_days", self.key_days, 3650),
            ("regular_days", self.regular_days, 3650),
            ("routine_days", self.routine_days, 3650),
            ("hospital_days", self.hospital_days, 60),
            ("bereavement_days", self.bereavement_days, 60),
            ("death_days", self.death_days, 60),
            ("yearly_from_age", self.yearly_from_age, 150),
            ("festival_window_days", self.festival_window_days, 30),
        ] {
            if !(1..=max).contains(&v) && !f.has(name) {
                f.add(FieldError::new(name, "validation.rule_range"));
            }
        }
        if self.milestone_ages.is_empty()
            || self.milestone_ages.iter().any(|a| !(1..=150).contains(a))
        {
            f.add(FieldError::new("milestone_ages", "validation.rule_range"));
        }
    }
}

/// Parses `70, 80, 90` (commas, spaces or Chinese commas).
pub fn parse_ages(s: &str) -> Option<Vec<i32>> {
    let mut ages: Vec<i32> = s
        .split([',', '，', '、', ' '])
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.trim().parse().ok())
        .collect::<Option<Vec<i32>>>()?;
    ages.sort_unstable();
    ages.dedup();
    Some(ages)
}

/// What the rules need to know about one person.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub birth: Option<NaiveDate>,
    pub active: bool,
    pub tier: Option<Tier>,
    pub interval_days: Option<i32>,
    pub last_contact: Option<NaiveDate>,
    /// Recent life events: (event id, kind, date).
    pub events: Vec<(LifeEventId, LifeEventKind, NaiveDate)>,
}

/// A task the rules call for. `key` makes it unique per person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub reason: TaskReason,
    pub key: String,
    /// A visit on or after this date satisfies the task.
    pub window_start: NaiveDate,
    pub due_on: NaiveDate,
}

/// Life events older than this no longer make tasks (the job may have been down for a while).
pub const EVENT_LOOKBACK_DAYS: i64 = 30;
/// Birthday, festival and interval tasks appear this many days before their window.
pub const LEAD_DAYS: i64 = 14;

/// Spring Festival (lunar 1/1) and Double Ninth (lunar 9/9) in a Gregorian year.
pub fn festivals(year: i32) -> Vec<(&'static str, NaiveDate)> {
    let mut out = Vec::new();
    let lunar = |month: u8, day: u8| -> Option<NaiveDate> {
        let y = u16::try_from(year).ok()?;
        LunisolarDate::from_ymd(y, month, false, day)
            .ok()
            .map(LunisolarDate::to_naive_date)
    };
    if let Some(d) = lunar(1, 1) {
        out.push(("spring", d));
    }
    if let Some(d) = lunar(9, 9) {
        out.push(("double_ninth", d));
    }
    out
}

fn birthday_in(birth: NaiveDate, year: i32) -> Option<NaiveDate> {
    // 29 February birthdays fall on 28 February in common years.
    birth
        .with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
}

/// The tasks due for one person today.
pub fn due(
    rules: &Rules,
    f: &Facts,
    today: NaiveDate,
    festival_days: &[(&'static str, NaiveDate)],
) -> Vec<Due> {
    let mut out = Vec::new();
    for (id, kind, on) in &f.events {
        if today - *on > Duration::days(EVENT_LOOKBACK_DAYS) || *on > today {
            continue;
        }
        let (reason, days) = match kind {
            LifeEventKind::Hospitalised => (TaskReason::Hospital, rules.hospital_days),
            LifeEventKind::Bereavement => (TaskReason::Bereavement, rules.bereavement_days),
            LifeEventKind::Hardship => (TaskReason::Hardship, rules.bereavement_days),
            LifeEventKind::Died => (TaskReason::Death, rules.death_days),
            LifeEventKind::Discharged | LifeEventKind::Moved => continue,
        };
        out.push(Due {
            reason,
            key: format!("event:{id}"),
            window_start: *on,
            due_on: *on + Duration::days(i64::from(days)),
        });
    }
    if !f.active {
        return out;
    }
    if let Some(birth) = f.birth {
        for year in [today.year(), today.year() + 1] {
            let Some(bday) = birthday_in(birth, year) else {
                continue;
            };
            let age = year - birth.year();
            let milestone = rules.milestone_ages.contains(&age) || age >= rules.yearly_from_age;
            let (start, due_on) = (bday - Duration::days(3), bday + Duration::days(3));
            if milestone && today >= start - Duration::days(LEAD_DAYS) && today <= due_on {
                out.push(Due {
                    reason: TaskReason::Birthday,
                    key: format!("birthday:{year}"),
                    window_start: start,
                    due_on,
                });
            }
        }
    }
    if f.tier == Some(Tier::Key) {
        let w = Duration::days(i64::from(rules.festival_window_days));
        for (name, day) in festival_days {
            let (start, due_on) = (*day - w, *day + w);
            if today >= start - Duration::days(LEAD_DAYS) && today <= due_on {
                out.push(Due {
                    reason: TaskReason::Festival,
                    key: format!("festival:{name}:{}", day.year()),
                    window_start: start,
                    due_on,
                });
            }
        }
    }
    if let Some(tier) = f.tier {
        let interval = f.interval_days.unwrap_or_else(|| rules.interval_for(tier));
        match f.last_contact {
            Some(last) => {
                let next = last + Duration::days(i64::from(interval));
                if today >= next - Duration::days(LEAD_DAYS) {
                    out.push(Due {
                        reason: TaskReason::Interval,
                        key: format!("interval:{next}"),
                        window_start: last + Duration::days(1),
                        due_on: next,
                    });
                }
            }
            None => out.push(Due {
                reason: TaskReason::Interval,
                key: "interval:first".into(),
                window_start: NaiveDate::MIN,
                due_on: today,
            }),
        }
    }
    out
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
