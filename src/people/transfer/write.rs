//! Writing roster files: exports and the import template as CSV or XLSX (csv and
//! rust_xlsxwriter), with formulas defused.

use super::COLUMNS;
use super::read::{MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS};

/// One exported row: the values under `COLUMNS` (sensitive ones masked unless revealed).
pub type ExportRow = Vec<String>;

/// The header row of an export or template.
pub fn header_row() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.0).collect()
}

/// CSV with a byte-order mark (so spreadsheet programs read the Chinese as UTF-8); cells that
/// a spreadsheet would run as formulas get a leading apostrophe.
pub fn write_csv(rows: &[ExportRow]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(header_row())?;
    for r in rows {
        w.write_record(r.iter().map(|c| safe_cell(c)))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))
}

/// XLSX with every cell written as text (ID numbers must not become numbers).
pub fn write_xlsx(rows: &[ExportRow]) -> anyhow::Result<Vec<u8>> {
    Ok(roster_book(rows)?.save_to_buffer()?)
}

/// The empty template to fill in, with a second sheet saying what a file may hold.
pub fn write_template() -> anyhow::Result<Vec<u8>> {
    let mut book = roster_book(&[])?;
    let notes = book.add_worksheet();
    notes.set_name("说明 Notes")?;
    notes.set_column_width(0, 100)?;
    let lines = [
        format!(
            "一个文件最多 {MAX_ROWS} 行数据（不含表头）、{MAX_COLUMNS} 列，最大 {} MB；更大的名册请分成几个文件导入。",
            MAX_FILE_BYTES >> 20
        ),
        format!(
            "A file holds at most {MAX_ROWS} data rows (the header not counted) and {MAX_COLUMNS} columns, {} MB at most; split a bigger roster into several files.",
            MAX_FILE_BYTES >> 20
        ),
    ];
    for (r, line) in lines.iter().enumerate() {
        notes.write_string(u32::try_from(r)?, 0, line)?;
    }
    Ok(book.save_to_buffer()?)
}

fn roster_book(rows: &[ExportRow]) -> anyhow::Result<rust_xlsxwriter::Workbook> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("人员")?;
    let bold = Format::new().set_bold();
    for (c, h) in header_row().iter().enumerate() {
        sheet.write_string_with_format(0, u16::try_from(c)?, *h, &bold)?;
        sheet.set_column_width(u16::try_from(c)?, 16)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(u32::try_from(r + 1)?, u16::try_from(c)?, v.as_str())?;
        }
    }
    Ok(book)
}

fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}
