//! Correspondents' quarterly figures (通讯员统计): submitted, published and read per
//! correspondent for a unit's subtree, the top-ten ranking, an XLSX export and a printable
//! quarterly summary.

use super::repo;
use crate::access::Perm;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::news::Figures;
use crate::units::Unit;
use crate::units::model::UnitId;
use crate::web::auth::Viewer;
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

/// The figures of a unit's correspondents in a quarter, ranked.
pub struct Report {
    pub unit: Unit,
    pub quarter: Quarter,
    pub rows: Vec<Figures>,
}

pub async fn report(tx: &mut Tx, v: &Viewer, q: &ReportQuery) -> AppResult<Report> {
    let s = v.scope(Perm::ReadDrafts)?;
    let quarter = match q
        .quarter
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        Some(x) => Quarter::parse(x).ok_or(AppError::field("quarter", "validation.quarter"))?,
        None => Quarter::of(Utc::now()),
    };
    let unit_id = match q.unit {
        Some(u) => UnitId(u),
        None => {
            v.p.grants
                .iter()
                .find(|g| s.roles.contains_name(&g.role))
                .map(|g| UnitId::from(g.unit_id))
                .ok_or(AppError::Forbidden)?
        }
    };
    let unit = crate::units::service::get_in_scope(tx, &s, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (from, to) = quarter.bounds();
    let rows = repo::figures(tx, &unit.path, from, to).await?;
    Ok(Report {
        unit,
        quarter,
        rows,
    })
}

pub(in crate::news) fn workbook(r: &Report, t: impl Fn(&str) -> String) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(r.quarter.label())?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(
        0,
        0,
        format!("{} · {}", r.unit.name, r.quarter.label()),
        &bold,
    )?;
    let head = [
        t("stats.rank"),
        t("field.name"),
        t("field.unit_id"),
        t("stats.submitted"),
        t("stats.published"),
        t("stats.reads"),
    ];
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(2, u16::try_from(c)?, h, &bold)?;
        sheet.set_column_width(u16::try_from(c)?, 16)?;
    }
    for (i, f) in r.rows.iter().enumerate() {
        let row = u32::try_from(i + 3)?;
        sheet.write_number(row, 0, (i + 1) as f64)?;
        sheet.write_string(row, 1, &f.name)?;
        sheet.write_string(row, 2, &f.unit_name)?;
        sheet.write_number(row, 3, f.submitted as f64)?;
        sheet.write_number(row, 4, f.published as f64)?;
        sheet.write_number(row, 5, f.reads as f64)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_and_bound_in_china_time() {
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
