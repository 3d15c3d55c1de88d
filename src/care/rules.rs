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
mod tests {
    use super::*;
    use crate::error::AppError;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn festivals_follow_the_lunar_calendar() {
        assert_eq!(
            festivals(2026),
            vec![
                ("spring", d("2026-02-17")),
                ("double_ninth", d("2026-10-18"))
            ]
        );
        assert_eq!(festivals(2027)[0], ("spring", d("2027-02-06")));
    }

    #[test]
    fn hospitalisation_is_due_within_three_days_and_old_events_are_ignored() {
        let f = Facts {
            active: true,
            events: vec![
                (LifeEventId(5), LifeEventKind::Hospitalised, d("2026-11-20")),
                (LifeEventId(6), LifeEventKind::Hospitalised, d("2026-09-01")),
            ],
            ..Facts::default()
        };
        let tasks = due(&Rules::default(), &f, d("2026-11-22"), &[]);
        assert_eq!(
            tasks,
            vec![Due {
                reason: TaskReason::Hospital,
                key: "event:5".into(),
                window_start: d("2026-11-20"),
                due_on: d("2026-11-23")
            }]
        );
    }

    #[test]
    fn milestone_birthdays_and_every_year_from_ninety() {
        let r = Rules::default();
        let eighty = Facts {
            active: true,
            birth: Some(d("1946-12-01")),
            ..Facts::default()
        };
        let t = due(&r, &eighty, d("2026-11-22"), &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].reason, t[0].due_on),
            (TaskReason::Birthday, d("2026-12-04"))
        );
        let eighty_one = Facts {
            active: true,
            birth: Some(d("1945-12-01")),
            ..Facts::default()
        };
        assert!(due(&r, &eighty_one, d("2026-11-22"), &[]).is_empty());
        let ninety_three = Facts {
            active: true,
            birth: Some(d("1933-11-25")),
            ..Facts::default()
        };
        assert_eq!(due(&r, &ninety_three, d("2026-11-22"), &[]).len(), 1);
        let leap = Facts {
            active: true,
            birth: Some(d("1936-02-29")),
            ..Facts::default()
        };
        assert_eq!(
            due(&r, &leap, d("2026-02-20"), &[])[0].due_on,
            d("2026-03-03")
        );
    }

    #[test]
    fn key_tier_people_are_visited_for_festivals() {
        let f = Facts {
            active: true,
            tier: Some(Tier::Key),
            last_contact: Some(d("2026-10-01")),
            ..Facts::default()
        };
        let fest = festivals(2026);
        let t = due(&Rules::default(), &f, d("2026-10-05"), &fest);
        assert!(
            t.iter()
                .any(|t| t.key == "festival:double_ninth:2026" && t.due_on == d("2026-10-25"))
        );
        let regular = Facts {
            tier: Some(Tier::Regular),
            ..f
        };
        assert!(
            !due(&Rules::default(), &regular, d("2026-10-05"), &fest)
                .iter()
                .any(|t| t.reason == TaskReason::Festival)
        );
    }

    #[test]
    fn interval_tasks_follow_the_last_contact() {
        let f = Facts {
            active: true,
            tier: Some(Tier::Key),
            last_contact: Some(d("2026-11-01")),
            ..Facts::default()
        };
        let t = due(&Rules::default(), &f, d("2026-11-22"), &[]);
        assert_eq!(
            t,
            vec![Due {
                reason: TaskReason::Interval,
                key: "interval:2026-12-01".into(),
                window_start: d("2026-11-02"),
                due_on: d("2026-12-01")
            }]
        );
        assert!(
            due(&Rules::default(), &f, d("2026-11-10"), &[]).is_empty(),
            "not yet within the lead time"
        );
        let never = Facts {
            last_contact: None,
            ..f
        };
        assert_eq!(
            due(&Rules::default(), &never, d("2026-11-22"), &[])[0].key,
            "interval:first"
        );
    }

    #[test]
    fn the_dead_get_only_the_condolence_visit() {
        let f = Facts {
            active: false,
            tier: Some(Tier::Key),
            birth: Some(d("1946-12-01")),
            events: vec![(LifeEventId(9), LifeEventKind::Died, d("2026-11-21"))],
            ..Facts::default()
        };
        let t = due(&Rules::default(), &f, d("2026-11-22"), &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].reason, t[0].due_on),
            (TaskReason::Death, d("2026-11-24"))
        );
    }

    #[test]
    fn ages_parse_and_rules_validate() {
        assert_eq!(parse_ages("90，70、80 80"), Some(vec![70, 80, 90]));
        assert_eq!(parse_ages("七十"), None);
        let bad = Rules {
            hospital_days: 0,
            milestone_ages: vec![],
            ..Rules::default()
        };
        match bad.check() {
            Err(AppError::Validation(e)) => assert_eq!(
                e.iter().map(|e| e.field).collect::<Vec<_>>(),
                vec!["hospital_days", "milestone_ages"]
            ),
            other => panic!("{other:?}"),
        }
    }
}
