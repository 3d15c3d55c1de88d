//! Writing roster files: exports and the import template as CSV or XLSX (csv and
//! rust_xlsxwriter), with formulas defused.

use super::COLUMNS;
use super::read::{MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS};
use crate::i18n::Locale;
use crate::people::model::{Category, Gender, Living};

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

/// The name a template's example row starts with; the import skips such rows, so an example
/// left in the file is never filed.
pub const EXAMPLE_MARK: &str = "【示例】";

/// The template's example row, under `COLUMNS`.
fn example_row() -> ExportRow {
    [
        "【示例】张桂兰",
        "女",
        "1948-03-15",
        "",
        "13812345678",
        "城关镇人民路 1 号",
        "高血压，按时服药",
        "李明（儿子）13900000000",
        "县教育局",
        "副局长",
        "正科级",
        "1970-07-01",
        "独居",
        "退休、党员",
        "书法",
        "是",
        "",
    ]
    .map(String::from)
    .to_vec()
}

/// The template to fill in: the headers, an example row (skipped by the import), drop-down
/// lists (data validation) on the coded columns, and a second sheet saying what a file may
/// hold.
pub fn write_template() -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle};
    let mut book = roster_book(&[example_row()])?;
    let sheet = book.worksheet_from_index(0)?;
    let labels =
        |keys: Vec<String>| -> Vec<String> { keys.iter().map(|k| Locale::ZhCn.t(k)).collect() };
    let column = |field: &str| -> anyhow::Result<u16> {
        let i = COLUMNS
            .iter()
            .position(|c| c.2 == field)
            .ok_or_else(|| anyhow::anyhow!("no column {field}"))?;
        Ok(u16::try_from(i)?)
    };
    let last = u32::try_from(MAX_ROWS)?;
    let lists = [
        (
            "gender",
            labels(Gender::ALL.iter().map(|g| g.label_key()).collect()),
            true,
        ),
        (
            "living",
            labels(Living::ALL.iter().map(|g| g.label_key()).collect()),
            true,
        ),
        (
            "willing_to_serve",
            vec!["是".to_string(), "否".to_string()],
            true,
        ),
        // Several categories may share a cell (退休、党员): the list offers one, and a cell
        // holding more is let through with a note instead of refused.
        (
            "categories",
            labels(Category::ALL.iter().map(|g| g.label_key()).collect()),
            false,
        ),
    ];
    for (field, list, strict) in lists {
        let mut v = DataValidation::new()
            .allow_list_strings(&list)?
            .set_error_title("请从列表中选择")?
            .set_error_message(format!("可填写：{}", list.join("、")))?;
        if !strict {
            v = v.set_error_style(DataValidationErrorStyle::Information);
        }
        let c = column(field)?;
        sheet.add_data_validation(1, c, last, c, &v)?;
    }
    let notes = book.add_worksheet();
    notes.set_name("说明 Notes")?;
    notes.set_column_width(0, 100)?;
    let lines = [
        format!("第 2 行是示例，以“{EXAMPLE_MARK}”开头的行不会导入；可以删除，也可以保留。"),
        "Row 2 is an example: rows whose name starts with 【示例】 are never imported.".to_string(),
        "性别、居住情况、人员类别、愿意参与志愿服务可从下拉列表中选择；人员类别可填多个，用“、”分开。".to_string(),
        "常见写法（如 女性、与子女同住、离退休）也能识别，见 docs/ROSTER.md。".to_string(),
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
