//! The seniors' university's vocabulary: a term (its dates, enrolment and priority windows,
//! the limit of courses a person takes), a course and its sections as the forms and the API
//! send them, parsed; an enrolment's states; the class sessions a weekly time gives over a
//! term.

use crate::error::{AppResult, FieldError};
use crate::ids::UnitId;
use crate::people::model::code_enum;
use crate::web::form::Fields;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

pub use crate::ids::{ClassSessionId, CourseId, EnrolmentId, SectionId, TermId};

code_enum!(
    /// Where an enrolment stands: a place, the waiting list, or cancelled.
    EnrolmentState, "enrolment_state" { Enrolled => "enrolled", Waiting => "waiting", Cancelled => "cancelled" }
);

impl EnrolmentState {
    pub fn active(self) -> bool {
        self != EnrolmentState::Cancelled
    }
}

/// The number of courses a person may take in a term unless the term says otherwise.
pub const DEFAULT_LIMIT: i64 = 3;

/// A term as the form or the API sends it (times China time).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TermForm {
    /// The unit that runs the university (a county's or city's bureau).
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub unit_id: Option<i64>,
    /// Such as 2027年春季学期 (at most 40 characters).
    pub name: String,
    /// The first and last day of classes, `YYYY-MM-DD`.
    pub starts_on: String,
    pub ends_on: String,
    /// The enrolment window.
    pub enrol_opens_at: String,
    pub enrol_closes_at: String,
    /// Until then only returning students of a course may enrol in it (empty: no priority).
    pub priority_until: String,
    /// How many courses one person may take (1 to 20; 3 when empty).
    pub course_limit: Option<String>,
}

/// A term as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTerm {
    pub unit: UnitId,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
    pub priority_until: Option<DateTime<Utc>>,
    pub course_limit: i64,
}

impl NewTerm {
    /// Parses a term: classes end on or after they start, enrolment closes after it opens,
    /// the priority window ends inside the enrolment window.
    pub fn parse(raw: &TermForm) -> AppResult<Self> {
        let mut f = Fields::new();
        let unit = f.id(
            "unit_id",
            &raw.unit_id.map(|n| n.to_string()).unwrap_or_default(),
        );
        let name = f.required_text("name", Some(&raw.name), 40);
        let starts_on = f.date("starts_on", Some(&raw.starts_on));
        let ends_on = f.date("ends_on", Some(&raw.ends_on));
        if let (Some(a), Some(b)) = (starts_on, ends_on)
            && b < a
        {
            f.add(FieldError::new("ends_on", "validation.date_order"));
        }
        for (field, d) in [("starts_on", starts_on), ("ends_on", ends_on)] {
            if d.is_some_and(|d| !(2000..=2100).contains(&d.year())) {
                f.add(FieldError::new(field, "activity.time_format"));
            }
        }
        let opens = crate::events::model::time(&mut f, "enrol_opens_at", &raw.enrol_opens_at, true)
            .flatten();
        let closes =
            crate::events::model::time(&mut f, "enrol_closes_at", &raw.enrol_closes_at, true)
                .flatten();
        if let (Some(o), Some(c)) = (opens, closes)
            && c <= o
        {
            f.add(FieldError::new("enrol_closes_at", "activity.window_order"));
        }
        let priority =
            crate::events::model::time(&mut f, "priority_until", &raw.priority_until, false);
        if let (Some(Some(p)), Some(o), Some(c)) = (priority, opens, closes)
            && (p <= o || p >= c)
        {
            f.add(FieldError::new(
                "priority_until",
                "university.priority_window",
            ));
        }
        let limit = match raw
            .course_limit
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(DEFAULT_LIMIT),
            Some(s) => f.int("course_limit", s, 1..=20),
        };
        let value = (|| {
            Some(NewTerm {
                unit: unit?,
                name: name?,
                starts_on: starts_on?,
                ends_on: ends_on?,
                opens: opens?,
                closes: closes?,
                priority_until: priority?,
                course_limit: limit?,
            })
        })();
        f.done(value)
    }
}

/// A section as the form or the API sends it: a class of a course with its teacher, weekly
/// time and place.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SectionForm {
    /// Such as 一班 (at most 20 characters; 一班 when empty).
    pub label: String,
    pub teacher: String,
    /// 1 (Monday) to 7 (Sunday).
    pub weekday: String,
    /// `HH:MM`, China time.
    pub starts_time: String,
    pub ends_time: String,
    pub place: String,
    pub online_url: String,
    /// Places (empty: no limit).
    pub capacity: Option<String>,
}

/// A section as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSection {
    pub label: String,
    pub teacher: String,
    pub weekday: i64,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
}

fn hour(f: &mut Fields, field: &'static str, raw: &str) -> Option<NaiveTime> {
    match NaiveTime::parse_from_str(raw.trim(), "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            f.add(FieldError::new(field, "university.time_format"));
            None
        }
    }
}

impl NewSection {
    fn parse_into(f: &mut Fields, raw: &SectionForm) -> Option<Self> {
        let label = f.text("label", Some(&raw.label), 20);
        let teacher = f.required_text("teacher", Some(&raw.teacher), 20);
        let weekday = f.int("weekday", &raw.weekday, 1..=7);
        let starts = hour(f, "starts_time", &raw.starts_time);
        let ends = hour(f, "ends_time", &raw.ends_time);
        if let (Some(a), Some(b)) = (starts, ends)
            && b <= a
        {
            f.add(FieldError::new("ends_time", "activity.end_before_start"));
        }
        let place = f.text("place", Some(&raw.place), 100);
        let online_url = f.text("online_url", Some(&raw.online_url), 300);
        if let Some(Some(u)) = &online_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            f.add(FieldError::new("online_url", "activity.url"));
        }
        if matches!((&place, &online_url), (Some(None), Some(None))) {
            f.add(FieldError::new("place", "activity.where_required"));
        }
        let capacity = crate::events::model::capacity(f, raw.capacity.as_deref(), 10_000);
        Some(NewSection {
            label: label?.unwrap_or_else(|| "一班".into()),
            teacher: teacher?,
            weekday: weekday?,
            starts: starts?,
            ends: ends?,
            place: place?,
            online_url: online_url?,
            capacity: capacity?,
        })
    }

    pub fn parse(raw: &SectionForm) -> AppResult<Self> {
        let mut f = Fields::new();
        let v = Self::parse_into(&mut f, raw);
        f.done(v)
    }
}

/// A course as the form or the API sends it, with its first section.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CourseForm {
    /// Such as 书法 (at most 30 characters).
    pub subject: String,
    pub description: String,
    /// The fee in yuan (`120`, `80.5`; empty or 0: free).
    pub fee: String,
    /// What one should know first, in words.
    pub prerequisites: String,
    #[serde(flatten)]
    pub section: SectionForm,
}

/// A course as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCourse {
    pub subject: String,
    pub description: String,
    pub fee_fen: i64,
    pub prerequisites: String,
    pub section: NewSection,
}

impl NewCourse {
    pub fn parse(raw: &CourseForm) -> AppResult<Self> {
        let mut f = Fields::new();
        let subject = f.required_text("subject", Some(&raw.subject), 30);
        let description = f.text("description", Some(&raw.description), 1000);
        let prerequisites = f.text("prerequisites", Some(&raw.prerequisites), 300);
        let fee = if raw.fee.trim().is_empty() {
            Some(0)
        } else {
            match crate::care::events::model::parse_yuan(&raw.fee) {
                Some(n) if n <= 10_000_000 => Some(n),
                _ => {
                    f.add(FieldError::new("fee", "university.fee_invalid"));
                    None
                }
            }
        };
        let section = NewSection::parse_into(&mut f, &raw.section);
        let value = (|| {
            Some(NewCourse {
                subject: subject?,
                description: description?.unwrap_or_default(),
                fee_fen: fee?,
                prerequisites: prerequisites?.unwrap_or_default(),
                section: section?,
            })
        })();
        f.done(value)
    }
}

/// The class sessions of a weekly time over a term: each `weekday` from `from` to `to`
/// (inclusive), from `starts` to `ends` China time.
pub fn sessions(
    (from, to): (NaiveDate, NaiveDate),
    weekday: i64,
    (starts, ends): (NaiveTime, NaiveTime),
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let china = crate::i18n::china();
    let at = |d: NaiveDate, t: NaiveTime| {
        china
            .from_local_datetime(&d.and_time(t))
            .single()
            .map(|x| x.with_timezone(&Utc))
    };
    let mut out = Vec::new();
    let mut d = from;
    while d <= to && out.len() < 60 {
        if i64::from(d.weekday().number_from_monday()) == weekday
            && let (Some(a), Some(b)) = (at(d, starts), at(d, ends))
        {
            out.push((a, b));
        }
        d += chrono::Duration::days(1);
    }
    out
}

/// Whether enrolment is open at `now`; the error is the message key saying why not.
pub fn window(
    now: DateTime<Utc>,
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
) -> Result<(), &'static str> {
    if now < opens {
        Err("university.not_open_yet")
    } else if now >= closes {
        Err("university.closed")
    } else {
        Ok(())
    }
}

/// Fen as yuan for the pages: `120`, `80.50`; free is 0.
pub fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_weekly_time_gives_one_session_each_week_of_the_term() {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        // 2027-03-01 is a Monday; a Wednesday class from 1 March to 31 March.
        let s = sessions(
            (d("2027-03-01"), d("2027-03-31")),
            3,
            (t("09:00"), t("10:30")),
        );
        assert_eq!(s.len(), 5);
        assert_eq!(s[0].0.to_rfc3339(), "2027-03-03T01:00:00+00:00");
        assert_eq!(s[4].1.to_rfc3339(), "2027-03-31T02:30:00+00:00");
    }

    #[test]
    fn a_term_needs_its_windows_in_order() {
        let raw = TermForm {
            unit_id: Some(2),
            name: "2027年春季学期".into(),
            starts_on: "2027-03-01".into(),
            ends_on: "2027-06-30".into(),
            enrol_opens_at: "2027-02-01T09:00".into(),
            enrol_closes_at: "2027-02-20T18:00".into(),
            priority_until: "2027-02-05T18:00".into(),
            course_limit: None,
        };
        let t = NewTerm::parse(&raw).unwrap();
        assert_eq!(t.course_limit, DEFAULT_LIMIT);
        let late = TermForm {
            priority_until: "2027-02-21T09:00".into(),
            ..raw.clone()
        };
        assert!(NewTerm::parse(&late).is_err());
        let backwards = TermForm {
            ends_on: "2027-02-28".into(),
            ..raw.clone()
        };
        assert!(NewTerm::parse(&backwards).is_err());
        let limit = TermForm {
            course_limit: Some("0".into()),
            ..raw
        };
        assert!(NewTerm::parse(&limit).is_err());
    }

    #[test]
    fn a_course_has_a_fee_in_fen_and_a_sane_weekly_time() {
        let raw = CourseForm {
            subject: "书法".into(),
            fee: "120.5".into(),
            section: SectionForm {
                teacher: "王老师".into(),
                weekday: "3".into(),
                starts_time: "09:00".into(),
                ends_time: "10:30".into(),
                place: "二楼书画室".into(),
                capacity: Some("30".into()),
                ..SectionForm::default()
            },
            ..CourseForm::default()
        };
        let c = NewCourse::parse(&raw).unwrap();
        assert_eq!(c.fee_fen, 12_050);
        assert_eq!(yuan(c.fee_fen), "120.50");
        assert_eq!(c.section.label, "一班");
        let mut bad = raw.clone();
        bad.section.ends_time = "08:00".into();
        bad.section.capacity = Some("-1".into());
        bad.fee = "-3".into();
        match NewCourse::parse(&bad) {
            Err(crate::error::AppError::Validation(v)) => assert_eq!(v.len(), 3, "{v:?}"),
            other => panic!("{other:?}"),
        }
    }
}
