//! What the correspondents' report is asked for: a calendar quarter and a unit, as sent
//! ([`ReportQuery`]) and as parsed at the edge ([`ReportParams`]).

use crate::error::{AppResult, FieldError};
use crate::ids::UnitId;
use crate::web::form::Fields;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

/// A calendar quarter, e.g. 2026 Q4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    /// `2026Q4` (also `2026-Q4`, `2026q4`).
    pub fn parse(s: &str) -> Option<Quarter> {
        let s = s.trim().to_uppercase().replace('-', "");
        let (y, q) = s.split_once('Q')?;
        let (year, q) = (y.parse().ok()?, q.parse().ok()?);
        ((2000..=2100).contains(&year) && (1..=4).contains(&q)).then_some(Quarter { year, q })
    }

    /// The quarter a moment falls in, in China time.
    pub fn of(at: DateTime<Utc>) -> Quarter {
        let d = at
            .with_timezone(&crate::news::articles::model::china())
            .date_naive();
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// `[start, end)` in UTC, the quarter's days being China days.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let first = |y: i32, q: u32| {
            let day = NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1).unwrap_or_default();
            crate::news::articles::model::china()
                .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
                .single()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        let (ny, nq) = if self.q == 4 {
            (self.year + 1, 1)
        } else {
            (self.year, self.q + 1)
        };
        (first(self.year, self.q), first(ny, nq))
    }

    pub fn label(self) -> String {
        format!("{}Q{}", self.year, self.q)
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// The unit whose subtree is counted; the caller's first news unit when absent.
    #[serde(default, deserialize_with = "crate::web::blank_as_none")]
    pub unit: Option<i64>,
    /// `2026Q4`; the current quarter when absent.
    pub quarter: Option<String>,
}

/// The report's parameters as parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportParams {
    /// `None`: the caller's first news unit.
    pub unit: Option<UnitId>,
    pub quarter: Quarter,
}

impl ReportParams {
    /// The quarter given, else the current one.
    pub fn parse(q: &ReportQuery) -> AppResult<Self> {
        let mut f = Fields::new();
        let quarter = match q
            .quarter
            .as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
        {
            Some(x) => {
                f.take(Quarter::parse(x).ok_or(FieldError::new("quarter", "validation.quarter")))
            }
            None => Some(Quarter::of(Utc::now())),
        };
        let value = quarter.map(|quarter| ReportParams {
            unit: q.unit.map(UnitId),
            quarter,
        });
        f.done(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_and_bound_in_china_time() {
        let bad = ReportQuery {
            unit: Some(3),
            quarter: Some("2026Q5".into()),
        };
        assert!(ReportParams::parse(&bad).is_err());
        let p = ReportParams::parse(&ReportQuery {
            quarter: Some(" 2026-q1 ".into()),
            ..bad
        });
        assert_eq!(p.unwrap().unit, Some(UnitId(3)));
        let q = Quarter::parse("2026q4").unwrap();
        assert_eq!(q, Quarter { year: 2026, q: 4 });
        assert!(Quarter::parse("2026Q5").is_none() && Quarter::parse("Q1").is_none());
        let (from, to) = q.bounds();
        assert_eq!(from.to_rfc3339(), "2026-09-30T16:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        // 1 January 00:30 in Beijing is still 31 December in UTC, but the first quarter.
        let t = Utc.with_ymd_and_hms(2026, 12, 31, 16, 30, 0).unwrap();
        assert_eq!(Quarter::of(t), Quarter { year: 2027, q: 1 });
    }
}
