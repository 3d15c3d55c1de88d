//! A contact round's vocabulary: why it runs, the filter of who is in it, the states a person
//! ends in, an attempt and the needs found; their parse at the edge, and the rule of what an
//! attempt does to a person's state.

use crate::care::model::Tier;
use crate::error::{AppResult, FieldError};
use crate::ids::{PersonId, UnitId};
use crate::people::model::{Category, code_enum};
use crate::web::form::Fields;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub use crate::ids::RoundId;

code_enum!(
    /// Why a round runs.
    RoundReason, "round_reason" {
        Epidemic => "epidemic", Heat => "heat", Cold => "cold", Flood => "flood",
        Festival => "festival", Other => "other",
    }
);
code_enum!(
    /// Where a person of a round stands: not yet reached, or one of the three final states.
    RoundState, "round_state" {
        Pending => "pending", Safe => "safe", NeedsHelp => "needs_help", Unreachable => "unreachable",
    }
);
code_enum!(
    /// How an attempt was made.
    RoundChannel, "round_channel" {
        Phone => "phone", Visit => "visit", Video => "video", Message => "message", Family => "family",
    }
);
code_enum!(
    /// What an attempt found.
    RoundOutcome, "round_outcome" { Safe => "safe", NeedsHelp => "needs_help", NoAnswer => "no_answer" }
);
code_enum!(
    /// What a person reached needs.
    RoundNeed, "round_need" {
        Medicine => "medicine", Food => "food", Medical => "medical", Ride => "ride",
        HomeVisit => "home_visit", Other => "other",
    }
);
code_enum!(
    /// Open while people are being reached; closed once every person has a final state.
    RoundStatus, "round_status" { Open => "open", Closed => "closed" }
);

/// The default number of unanswered attempts after which a person is unreachable.
pub const DEFAULT_ATTEMPTS: i64 = 2;

/// Who a round takes in, below its unit: people of any of these categories (none: all), of
/// any of these tiers (none: all), living alone only, and within an age band.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoundFilter {
    pub categories: Vec<Category>,
    pub tiers: Vec<Tier>,
    pub living_alone: bool,
    pub age_min: Option<i64>,
    pub age_max: Option<i64>,
}

impl RoundFilter {
    /// The birth dates the age band admits on `today`: born on or before the first (old
    /// enough) and after the second (not too old), as `YYYY-MM-DD` ("" when unbounded).
    pub fn birth_bounds(&self, today: NaiveDate) -> (String, String) {
        let years_ago = |n: i64| {
            let y = today.year() - n as i32;
            NaiveDate::from_ymd_opt(y, today.month(), today.day())
                .or_else(|| NaiveDate::from_ymd_opt(y, today.month(), today.day() - 1))
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        (
            self.age_min.map(years_ago).unwrap_or_default(),
            self.age_max.map(|m| years_ago(m + 1)).unwrap_or_default(),
        )
    }

    /// The categories as the statement takes them: codes joined by commas ("" for all).
    pub fn category_list(&self) -> String {
        let v: Vec<&str> = self.categories.iter().map(|c| c.as_str()).collect();
        v.join(",")
    }

    pub fn tier_list(&self) -> String {
        let v: Vec<&str> = self.tiers.iter().map(|t| t.as_str()).collect();
        v.join(",")
    }
}

/// A round as the form or the API sends it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundInput {
    /// The unit whose subtree the round covers.
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub unit_id: Option<i64>,
    /// epidemic, heat, cold, flood, festival or other.
    pub reason: String,
    /// A name for the round, such as 高温天气独居老人排查 (at most 40 characters).
    pub title: String,
    pub categories: Vec<String>,
    /// key, regular, routine (none: every tier).
    pub tiers: Vec<String>,
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub living_alone: bool,
    pub age_min: Option<String>,
    pub age_max: Option<String>,
    /// The last day, `YYYY-MM-DD`.
    pub deadline: String,
    /// Unanswered attempts before a person counts as unreachable (1 to 9; 2 when empty).
    pub max_attempts: Option<String>,
}

/// A round as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRound {
    pub unit: UnitId,
    pub reason: RoundReason,
    pub title: String,
    pub filter: RoundFilter,
    pub deadline: NaiveDate,
    pub max_attempts: i64,
}

fn optional_int(
    f: &mut Fields,
    field: &'static str,
    raw: Option<&str>,
    r: std::ops::RangeInclusive<i64>,
) -> Option<Option<i64>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => f.int(field, s, r).map(Some),
    }
}

impl NewRound {
    /// Parses a round; `today` (China) is the earliest deadline.
    pub fn parse(raw: &RoundInput, today: NaiveDate) -> AppResult<Self> {
        let mut f = Fields::new();
        let unit = f.id(
            "unit_id",
            &raw.unit_id.map(|n| n.to_string()).unwrap_or_default(),
        );
        let reason = f.choice("reason", Some(&raw.reason), RoundReason::parse);
        let title = f.required_text("title", Some(&raw.title), 40);
        let mut categories = Vec::new();
        for c in raw.categories.iter().filter(|c| !c.trim().is_empty()) {
            if let Some(c) = f.choice("categories", Some(c), Category::parse) {
                categories.push(c);
            }
        }
        let mut tiers = Vec::new();
        for t in raw.tiers.iter().filter(|t| !t.trim().is_empty()) {
            if let Some(t) = f.choice("tiers", Some(t), Tier::parse) {
                tiers.push(t);
            }
        }
        let age_min = optional_int(&mut f, "age_min", raw.age_min.as_deref(), 0..=120);
        let age_max = optional_int(&mut f, "age_max", raw.age_max.as_deref(), 0..=120);
        if let (Some(Some(lo)), Some(Some(hi))) = (age_min, age_max)
            && lo > hi
        {
            f.add(FieldError::new("age_max", "round.age_band"));
        }
        let deadline = f.date("deadline", Some(&raw.deadline));
        if deadline.is_some_and(|d| d < today) {
            f.add(FieldError::new("deadline", "round.deadline_past"));
        }
        let max_attempts = optional_int(&mut f, "max_attempts", raw.max_attempts.as_deref(), 1..=9);
        let value = (|| {
            Some(NewRound {
                unit: unit?,
                reason: reason?,
                title: title?,
                filter: RoundFilter {
                    categories,
                    tiers,
                    living_alone: raw.living_alone,
                    age_min: age_min?,
                    age_max: age_max?,
                },
                deadline: deadline?,
                max_attempts: max_attempts?.unwrap_or(DEFAULT_ATTEMPTS),
            })
        })();
        f.done(value)
    }
}

/// An attempt as the form or the API sends it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AttemptInput {
    /// The person (the API; the pages take it from the address).
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub person_id: Option<i64>,
    /// phone, visit, video, message or family.
    pub channel: String,
    /// safe, needs_help or no_answer.
    pub outcome: String,
    /// With needs_help, one or more of medicine, food, medical, ride, home_visit, other.
    pub needs: Vec<String>,
    /// What was found or needed, in words (at most 300 characters; required with `other`).
    pub note: Option<String>,
}

/// An attempt as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub channel: RoundChannel,
    pub outcome: RoundOutcome,
    pub needs: Vec<RoundNeed>,
    pub note: Option<String>,
}

impl Attempt {
    pub fn parse(raw: &AttemptInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let channel = f.choice("channel", Some(&raw.channel), RoundChannel::parse);
        let outcome = f.choice("outcome", Some(&raw.outcome), RoundOutcome::parse);
        let mut needs = Vec::new();
        for n in raw.needs.iter().filter(|n| !n.trim().is_empty()) {
            if let Some(n) = f.choice("needs", Some(n), RoundNeed::parse)
                && !needs.contains(&n)
            {
                needs.push(n);
            }
        }
        let note = f.text("note", raw.note.as_deref(), 300).flatten();
        match outcome {
            Some(RoundOutcome::NeedsHelp) if needs.is_empty() => {
                f.add(FieldError::new("needs", "round.needs_required"))
            }
            Some(RoundOutcome::NeedsHelp)
                if needs.contains(&RoundNeed::Other) && note.is_none() =>
            {
                f.add(FieldError::new("note", "round.other_note"))
            }
            Some(RoundOutcome::Safe | RoundOutcome::NoAnswer) if !needs.is_empty() => {
                f.add(FieldError::new("needs", "round.needs_only_with_help"))
            }
            _ => {}
        }
        let value = (|| {
            Some(Attempt {
                channel: channel?,
                outcome: outcome?,
                needs,
                note,
            })
        })();
        f.done(value)
    }

    /// The needs as stored: codes joined by commas.
    pub fn need_list(&self) -> Option<String> {
        (!self.needs.is_empty()).then(|| {
            let v: Vec<&str> = self.needs.iter().map(|n| n.as_str()).collect();
            v.join(",")
        })
    }
}

/// The person of the API's attempt.
pub fn attempt_person(raw: &AttemptInput) -> AppResult<PersonId> {
    let mut f = Fields::new();
    let id = f.id(
        "person_id",
        &raw.person_id.map(|n| n.to_string()).unwrap_or_default(),
    );
    f.done(id)
}

/// A person's standing in a round before an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub state: RoundState,
    pub failures: i64,
}

/// What an attempt does to a person's state, given the round's limit: a reaching attempt sets
/// safe or needs help (whatever came before: a person unreachable yesterday may answer
/// today); an unanswered one counts, and the limit's last one makes a pending person
/// unreachable; an unanswered attempt never undoes a person reached.
pub fn next_state(before: Standing, outcome: RoundOutcome, max_attempts: i64) -> Standing {
    match outcome {
        RoundOutcome::Safe => Standing {
            state: RoundState::Safe,
            ..before
        },
        RoundOutcome::NeedsHelp => Standing {
            state: RoundState::NeedsHelp,
            ..before
        },
        RoundOutcome::NoAnswer => {
            let failures = before.failures + 1;
            let state = if before.state == RoundState::Pending && failures >= max_attempts {
                RoundState::Unreachable
            } else {
                before.state
            };
            Standing { state, failures }
        }
    }
}

/// What an attempt does to a person of a round, as the service and the generators both apply
/// it: the new standing, the needs and words kept, and whether a visit task (they just became
/// unreachable) or a care item (they need help, something new) follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    pub after: Standing,
    pub needs: Option<String>,
    pub note: Option<String>,
    pub task: bool,
    pub item: bool,
}

/// The [`Effect`] of `a` on a person standing `before` with `needs`/`note` recorded, under the
/// round's limit. A reaching attempt states the needs anew (safe clears them); an unanswered
/// one keeps what was found.
pub fn effect(
    before: Standing,
    (needs, note): (Option<&str>, Option<&str>),
    a: &Attempt,
    max_attempts: i64,
) -> Effect {
    let after = next_state(before, a.outcome, max_attempts);
    let had = needs_of(needs);
    let (needs, note) = match a.outcome {
        RoundOutcome::NeedsHelp => (a.need_list(), a.note.clone()),
        RoundOutcome::Safe => (None, None),
        RoundOutcome::NoAnswer => (needs.map(str::to_string), note.map(str::to_string)),
    };
    Effect {
        after,
        task: after.state == RoundState::Unreachable && before.state != RoundState::Unreachable,
        item: a.outcome == RoundOutcome::NeedsHelp && a.needs.iter().any(|n| !had.contains(n)),
        needs,
        note,
    }
}

/// The needs as stored, read back (unknown codes skipped).
pub fn needs_of(stored: Option<&str>) -> Vec<RoundNeed> {
    stored
        .unwrap_or("")
        .split(',')
        .filter_map(RoundNeed::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn unanswered_attempts_make_a_person_unreachable_at_the_limit_only() {
        let start = Standing {
            state: RoundState::Pending,
            failures: 0,
        };
        let one = next_state(start, RoundOutcome::NoAnswer, 2);
        assert_eq!((one.state, one.failures), (RoundState::Pending, 1));
        let two = next_state(one, RoundOutcome::NoAnswer, 2);
        assert_eq!((two.state, two.failures), (RoundState::Unreachable, 2));
        let later = next_state(two, RoundOutcome::Safe, 2);
        assert_eq!(later.state, RoundState::Safe, "reached after all");
        let missed = next_state(later, RoundOutcome::NoAnswer, 2);
        assert_eq!(
            missed.state,
            RoundState::Safe,
            "a missed call undoes nothing"
        );
        let first = next_state(start, RoundOutcome::NoAnswer, 1);
        assert_eq!(first.state, RoundState::Unreachable);
    }

    #[test]
    fn an_attempts_effect_keeps_what_was_found_and_asks_for_an_item_only_for_new_needs() {
        let pending = Standing {
            state: RoundState::Pending,
            failures: 0,
        };
        let help = Attempt {
            channel: RoundChannel::Phone,
            outcome: RoundOutcome::NeedsHelp,
            needs: vec![RoundNeed::Medicine],
            note: Some("降压药".into()),
        };
        let first = effect(pending, (None, None), &help, 2);
        assert!(first.item && !first.task);
        assert_eq!(first.needs.as_deref(), Some("medicine"));
        let again = effect(first.after, (Some("medicine"), Some("降压药")), &help, 2);
        assert!(!again.item, "the same needs: no second item");
        let missed = Attempt {
            outcome: RoundOutcome::NoAnswer,
            needs: vec![],
            note: None,
            ..help.clone()
        };
        let kept = effect(again.after, (Some("medicine"), Some("降压药")), &missed, 2);
        assert_eq!(
            (kept.needs.as_deref(), kept.note.as_deref()),
            (Some("medicine"), Some("降压药"))
        );
        let gone = effect(pending, (None, None), &missed, 1);
        assert!(gone.task && gone.after.state == RoundState::Unreachable);
        let later = effect(gone.after, (None, None), &missed, 1);
        assert!(!later.task, "one task, not one a missed call");
    }

    #[test]
    fn a_round_needs_a_deadline_from_today_and_a_sane_age_band() {
        let today = d("2026-07-10");
        let raw = RoundInput {
            unit_id: Some(3),
            reason: "heat".into(),
            title: "高温独居老人排查".into(),
            categories: vec!["tuixiu".into()],
            tiers: vec!["key".into()],
            living_alone: true,
            age_min: Some("80".into()),
            deadline: "2026-07-12".into(),
            ..RoundInput::default()
        };
        let r = NewRound::parse(&raw, today).unwrap();
        assert_eq!(r.max_attempts, DEFAULT_ATTEMPTS);
        assert_eq!(r.filter.tiers, vec![Tier::Key]);
        assert_eq!(
            r.filter.birth_bounds(today),
            ("1946-07-10".to_string(), String::new())
        );
        let past = RoundInput {
            deadline: "2026-07-09".into(),
            ..raw.clone()
        };
        assert!(NewRound::parse(&past, today).is_err());
        let band = RoundInput {
            age_min: Some("90".into()),
            age_max: Some("80".into()),
            ..raw.clone()
        };
        assert!(NewRound::parse(&band, today).is_err());
        let attempts = RoundInput {
            max_attempts: Some("0".into()),
            ..raw
        };
        assert!(NewRound::parse(&attempts, today).is_err());
    }

    #[test]
    fn age_bands_end_the_day_before_the_next_birthday() {
        let f = RoundFilter {
            age_min: Some(60),
            age_max: Some(69),
            ..RoundFilter::default()
        };
        // 60 to 69 on 2026-03-01: born 1956-03-01 or before, and after 1956-03-01 - 70 years.
        assert_eq!(
            f.birth_bounds(d("2026-03-01")),
            ("1966-03-01".to_string(), "1956-03-01".to_string())
        );
        // 29 February has no twin in a common year: the day before stands in.
        let leap = RoundFilter {
            age_min: Some(1),
            ..RoundFilter::default()
        };
        assert_eq!(leap.birth_bounds(d("2024-02-29")).0, "2023-02-28");
    }

    #[test]
    fn needing_help_names_the_needs() {
        let raw = AttemptInput {
            channel: "phone".into(),
            outcome: "needs_help".into(),
            ..AttemptInput::default()
        };
        assert!(Attempt::parse(&raw).is_err());
        let ok = AttemptInput {
            needs: vec!["medicine".into(), "ride".into(), "medicine".into()],
            ..raw.clone()
        };
        let a = Attempt::parse(&ok).unwrap();
        assert_eq!(a.need_list().as_deref(), Some("medicine,ride"));
        let other = AttemptInput {
            needs: vec!["other".into()],
            ..raw.clone()
        };
        assert!(Attempt::parse(&other).is_err(), "other needs words");
        let safe = AttemptInput {
            outcome: "safe".into(),
            needs: vec!["food".into()],
            ..raw
        };
        assert!(Attempt::parse(&safe).is_err());
        assert_eq!(
            needs_of(Some("food,bogus,ride")),
            vec![RoundNeed::Food, RoundNeed::Ride]
        );
    }
}
