//! The round's ledger (台账) as XLSX: a head with the round and its figures, then one row a
//! person, masked as the exporter sees them. Every cell is written as text or number, never
//! as a formula.

use super::repo::{RoundMember, RoundRow};
use crate::i18n::Locale;

pub fn workbook(r: &RoundRow, people: &[RoundMember], l: Locale) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(l.t("round.ledger"))?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, &r.title, &bold)?;
    sheet.write_string(
        1,
        0,
        format!(
            "{} · {} {} · {} {} · {} {} · {} {} · {} {}",
            r.unit_name,
            l.t("round.deadline"),
            r.deadline,
            l.t("round_state.safe"),
            r.safe,
            l.t("round_state.needs_help"),
            r.needs_help,
            l.t("round_state.unreachable"),
            r.unreachable,
            l.t("round_state.pending"),
            r.pending
        ),
    )?;
    let head = [
        "field.name",
        "round.unit",
        "sensitive.mobile",
        "round.state",
        "round.needs",
        "round.attempts",
        "round.last_at",
        "round.last_by",
        "round.staff",
    ];
    for (c, h) in head.iter().enumerate() {
        let c = u16::try_from(c)?;
        sheet.write_string_with_format(3, c, l.t(h), &bold)?;
        sheet.set_column_width(c, 14)?;
    }
    sheet.set_column_width(4, 30)?;
    for (i, m) in people.iter().enumerate() {
        let row = u32::try_from(i + 4)?;
        let mut needs: Vec<String> = super::model::needs_of(m.needs.as_deref())
            .iter()
            .map(|n| l.t(&n.label_key()))
            .collect();
        if let Some(n) = &m.needs_note {
            needs.push(n.clone());
        }
        sheet.write_string(row, 0, &m.name)?;
        sheet.write_string(row, 1, &m.unit_name)?;
        sheet.write_string(row, 2, m.mobile_mask.as_deref().unwrap_or(""))?;
        sheet.write_string(row, 3, l.t(&m.state.label_key()))?;
        sheet.write_string(row, 4, needs.join("、"))?;
        sheet.write_number(row, 5, f64::from(m.attempts))?;
        let last = m
            .last_at
            .as_ref()
            .map(crate::i18n::local_time)
            .unwrap_or_default();
        sheet.write_string(row, 6, last)?;
        sheet.write_string(row, 7, m.last_by_name.as_deref().unwrap_or(""))?;
        sheet.write_string(row, 8, m.staff_name.as_deref().unwrap_or(""))?;
    }
    Ok(book.save_to_buffer()?)
}
