//! Correspondents' quarterly figures (通讯员统计): submitted, published and read per
//! correspondent for a unit's subtree, the top-ten ranking, an XLSX export and a printable
//! quarterly summary.

use super::model::{Quarter, ReportParams};
use super::repo;
use crate::access::Perm;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::news::Figures;
use crate::units::Unit;
use crate::web::auth::Viewer;

/// The figures of a unit's correspondents in a quarter, ranked.
pub struct Report {
    pub unit: Unit,
    pub quarter: Quarter,
    pub rows: Vec<Figures>,
}

/// The figures asked for (`q` parsed with [`ReportParams::parse`]): the unit must be in the
/// caller's scope; without one, the unit of their first news grant.
pub async fn report(tx: &mut Tx, v: &Viewer, q: &ReportParams) -> AppResult<Report> {
    let s = v.scope(Perm::ReadDrafts)?;
    let quarter = q.quarter;
    let unit_id = match q.unit {
        Some(u) => u,
        None => {
            v.p.grants
                .iter()
                .find(|g| s.roles.contains_name(&g.role))
                .map(|g| g.unit_id)
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
