//! A visit and a care plan as submitted (the raw bodies serde reads) and their parse, at the
//! edge, into typed values: [`NewVisit`] and [`PlanChoice`].

use crate::care::model::{Tier, VisitKind};
use crate::error::{AppResult, FieldError};
use crate::ids::AccountId;
use crate::people::model::parse_past_date;
use crate::web::form::Fields;
use chrono::{NaiveDate, Utc};

/// A visit as submitted from the quick mobile form or the API.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VisitInput {
    /// `YYYY-MM-DD`, not in the future; today when empty.
    pub visited_on: Option<String>,
    /// home, phone, video or hospital.
    pub kind: String,
    /// Who went; the recording staff member when empty.
    pub visitors: Option<String>,
    pub findings: String,
    pub needs: Option<String>,
    pub follow_up: Option<String>,
}

/// A visit parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct NewVisit {
    pub visited_on: NaiveDate,
    pub kind: VisitKind,
    /// `None`: the recording staff member went.
    pub visitors: Option<String>,
    pub findings: String,
    pub needs: Option<String>,
    pub follow_up: Option<String>,
}

impl NewVisit {
    /// Parses a submitted visit; one answer names every bad field.
    pub fn parse(raw: &VisitInput) -> AppResult<Self> {
        let today = Utc::now().date_naive();
        let mut f = Fields::new();
        let visited_on = match raw
            .visited_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(d) => f.take(parse_past_date("visited_on", d, today)),
            None => Some(today),
        };
        let kind = f.choice("kind", Some(&raw.kind), VisitKind::parse);
        let findings = f.required_text("findings", Some(&raw.findings), 2000);
        let visitors = f.text("visitors", raw.visitors.as_deref(), 200).flatten();
        let needs = f.text("needs", raw.needs.as_deref(), 1000).flatten();
        let follow_up = f
            .text("follow_up", raw.follow_up.as_deref(), 1000)
            .flatten();
        let (Some(visited_on), Some(kind), Some(findings)) = (visited_on, kind, findings) else {
            return Err(f.failed());
        };
        f.done(Some(NewVisit {
            visited_on,
            kind,
            visitors,
            findings,
            needs,
            follow_up,
        }))
    }
}

/// A care plan as submitted through the API.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CarePlanInput {
    /// key, regular or routine.
    pub tier: String,
    /// Days between contacts; the tier's default (30, 90, 365) when absent.
    pub interval_days: Option<i32>,
    /// Account id of the paired staff member (一人一卡), who must keep files at this unit.
    pub paired_staff: Option<i64>,
    pub notes: Option<String>,
}

/// The care plan form on the file page: numbers arrive as text.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub tier: String,
    pub interval_days: Option<String>,
    pub paired_staff: Option<String>,
    pub notes: Option<String>,
}

/// A care plan parsed. Whether the paired staff member may be paired at the person's unit is
/// the service's check (it needs the database).
#[derive(Clone, Debug, PartialEq)]
pub struct PlanChoice {
    pub tier: Tier,
    /// `None`: the tier's interval in force at the person's unit.
    pub interval_days: Option<i32>,
    pub paired_staff: Option<AccountId>,
    pub notes: Option<String>,
}

/// The longest contact interval a plan may set, in days.
const MAX_INTERVAL: i32 = 3650;

impl PlanChoice {
    /// Parses the API's body.
    pub fn parse(raw: &CarePlanInput) -> AppResult<Self> {
        Self::build(
            Fields::new(),
            &raw.tier,
            raw.interval_days.map(i64::from),
            raw.paired_staff.map(AccountId),
            raw.notes.as_deref(),
        )
    }

    /// Parses the page's form: a number that is not one is a field error.
    pub fn parse_form(raw: &PlanForm) -> AppResult<Self> {
        let mut f = Fields::new();
        let mut number = |field, s: &Option<String>| match s.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(n) => f.int(field, n, i64::MIN..=i64::MAX).map(Some),
        };
        let interval = number("interval_days", &raw.interval_days);
        let staff = number("paired_staff", &raw.paired_staff);
        let (Some(interval), Some(staff)) = (interval, staff) else {
            return Err(f.failed());
        };
        Self::build(
            f,
            &raw.tier,
            interval,
            staff.map(AccountId),
            raw.notes.as_deref(),
        )
    }

    fn build(
        mut f: Fields,
        tier: &str,
        interval: Option<i64>,
        paired_staff: Option<AccountId>,
        notes: Option<&str>,
    ) -> AppResult<Self> {
        let tier = f.choice("tier", Some(tier), Tier::parse);
        let notes = f.text("notes", notes, 1000).flatten();
        let interval_days = match interval {
            Some(n) if (1..=i64::from(MAX_INTERVAL)).contains(&n) => Some(n as i32),
            Some(_) => {
                f.add(FieldError::new("interval_days", "validation.interval"));
                None
            }
            None => None,
        };
        f.done(tier.map(|tier| PlanChoice {
            tier,
            interval_days,
            paired_staff,
            notes,
        }))
    }
}

/// Whether an interval taken from the unit's rules is one a plan may keep.
pub fn interval_in_range(days: i32) -> bool {
    (1..=MAX_INTERVAL).contains(&days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    fn keys<T: std::fmt::Debug>(r: AppResult<T>) -> Vec<(&'static str, &'static str)> {
        match r {
            Err(AppError::Validation(e)) => e.iter().map(|e| (e.field, e.key)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_visit_defaults_to_today_and_names_every_bad_field() {
        let v = NewVisit::parse(&VisitInput {
            kind: " phone ".into(),
            findings: " 身体好 ".into(),
            ..VisitInput::default()
        })
        .unwrap();
        assert_eq!((v.kind, v.findings.as_str()), (VisitKind::Phone, "身体好"));
        assert_eq!(v.visited_on, Utc::now().date_naive());
        let bad = NewVisit::parse(&VisitInput {
            visited_on: Some("2999-01-01".into()),
            kind: "letter".into(),
            ..VisitInput::default()
        });
        assert_eq!(
            keys(bad),
            vec![
                ("visited_on", "validation.date_future"),
                ("kind", "validation.choice"),
                ("findings", "validation.required"),
            ]
        );
    }

    #[test]
    fn a_plan_from_the_form_checks_its_numbers() {
        let p = PlanChoice::parse_form(&PlanForm {
            tier: "key".into(),
            interval_days: Some(" ".into()),
            paired_staff: Some("12".into()),
            ..PlanForm::default()
        })
        .unwrap();
        assert_eq!(
            (p.tier, p.interval_days, p.paired_staff),
            (Tier::Key, None, Some(AccountId(12)))
        );
        let bad = PlanChoice::parse_form(&PlanForm {
            tier: "key".into(),
            interval_days: Some("x".into()),
            ..PlanForm::default()
        });
        assert_eq!(keys(bad), vec![("interval_days", "validation.number")]);
        let far = PlanChoice::parse(&CarePlanInput {
            tier: "gold".into(),
            interval_days: Some(5000),
            ..CarePlanInput::default()
        });
        assert_eq!(
            keys(far),
            vec![
                ("tier", "validation.choice"),
                ("interval_days", "validation.interval")
            ]
        );
    }
}
