//! Reading roster files: CSV and XLSX (csv and calamine) into rows, bounded before they are
//! parsed, and a row into a `PersonInput`.

use super::COLUMNS;
use super::synonyms::synonym;
use crate::error::FieldError;
use crate::i18n::Locale;
use crate::ids::UnitId;
use crate::people::input::PersonInput;
use crate::people::model::{Category, Gender, Living, Status};

/// Files bigger than this are refused before they are read; rows and columns are capped too.
pub const MAX_FILE_BYTES: usize = 32 << 20;
/// The most data rows one roster file may hold (the header row not counted). A bigger roster
/// is split into several files; the template and the refusal say so.
pub const MAX_ROWS: usize = 20_000;
/// The most columns a roster may use: the template's 17 and room for a few of the user's own
/// (序号, 备注 …), which are ignored.
pub const MAX_COLUMNS: usize = 40;
/// The most bytes one part of an XLSX file may unpack to, and all parts together. A roster of
/// `MAX_ROWS` full rows unpacks to about 15 MB; a zip bomb is refused before it is parsed.
pub(super) const MAX_PART_BYTES: u64 = 32 << 20;
pub(super) const MAX_UNPACKED_BYTES: u64 = 64 << 20;

/// Reads a CSV or XLSX file into rows of trimmed text; the first row is the header. The file
/// is bounded before anything is built from it: unpacked size, rows and columns (a sheet that
/// claims a cell at XFD1048576 is refused at that cell, not allocated). CPU-bound: call it off
/// the async workers.
pub fn read_rows(filename: &str, data: &[u8]) -> Result<Vec<Vec<String>>, FieldError> {
    let lower = filename.to_lowercase();
    if lower.ends_with(".xlsx") || data.starts_with(b"PK\x03\x04") {
        read_xlsx(data)
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") {
        read_csv(data)
    } else {
        Err(FieldError::new("file", "validation.file_type"))
    }
}

fn unreadable() -> FieldError {
    FieldError::new("file", "validation.file_unreadable")
}

/// Refuses a row or column beyond the caps.
fn check_bounds(row: usize, column: usize) -> Result<(), FieldError> {
    if column >= MAX_COLUMNS {
        return Err(FieldError::new("file", "validation.file_too_many_columns"));
    }
    if row > MAX_ROWS {
        return Err(FieldError::new("file", "validation.file_too_many_rows"));
    }
    Ok(())
}

/// Unpacks every part of the archive into nothing, counting: refuses a part or a whole that
/// unpacks to more than the caps, whatever sizes the archive declares.
fn check_unpacked(data: &[u8]) -> Result<(), FieldError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(data)).map_err(|_| unreadable())?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|_| unreadable())?;
        let n = std::io::copy(
            &mut std::io::Read::take(part, MAX_PART_BYTES + 1),
            &mut std::io::sink(),
        )
        .map_err(|_| unreadable())?;
        total += n;
        if n > MAX_PART_BYTES || total > MAX_UNPACKED_BYTES {
            return Err(FieldError::new("file", "validation.file_unpacks_too_large"));
        }
    }
    Ok(())
}

fn read_xlsx(data: &[u8]) -> Result<Vec<Vec<String>>, FieldError> {
    use calamine::{Reader, Xlsx};
    check_unpacked(data)?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(data)).map_err(|_| unreadable())?;
    let first = book.sheet_names().first().cloned().ok_or_else(unreadable)?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    // Cells arrive one at a time, in any order the file gives; each is checked before a row
    // or column is made for it.
    let mut rows: Vec<Vec<String>> = Vec::new();
    // Shared strings are stored once and may be referred to by every cell: the text handed
    // out is counted before it is copied, so one long string cannot be multiplied.
    let mut text_bytes = 0u64;
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let len = match cell.get_value() {
            calamine::DataRef::SharedString(s) => s.len(),
            calamine::DataRef::String(s)
            | calamine::DataRef::DateTimeIso(s)
            | calamine::DataRef::DurationIso(s) => s.len(),
            _ => 32,
        };
        text_bytes += len as u64;
        if text_bytes > MAX_UNPACKED_BYTES {
            return Err(FieldError::new("file", "validation.file_unpacks_too_large"));
        }
        let text = cell_text(cell.get_value().clone().into());
        if text.is_empty() {
            continue;
        }
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        check_bounds(r, c)?;
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        if rows[r].len() <= c {
            rows[r].resize(c + 1, String::new());
        }
        rows[r][c] = text;
    }
    // As the sheet's used range: from the first row and column that hold anything.
    let top = rows
        .iter()
        .position(|r| !r.is_empty())
        .unwrap_or(rows.len());
    let left = rows
        .iter()
        .filter_map(|r| r.iter().position(|c| !c.is_empty()))
        .min()
        .unwrap_or(0);
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    Ok(rows
        .into_iter()
        .skip(top)
        .map(|mut r| {
            r.resize(width, String::new());
            r.drain(..left);
            r
        })
        .collect())
}

/// A cell as the roster reads it: trimmed text, whole numbers without a decimal point, dates
/// as `YYYY-MM-DD`, booleans as 是/否.
fn cell_text(value: calamine::Data) -> String {
    use calamine::Data;
    match value {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(true) => "是".into(),
        Data::Bool(false) => "否".into(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        other => other.to_string(),
    }
}

/// A CSV file's text: UTF-8 (with or without the byte-order mark Excel writes), else GB18030,
/// the superset of GBK that Excel on Chinese Windows saves "CSV" in. Bytes neither can read
/// are refused.
fn csv_text(data: &[u8]) -> Result<std::borrow::Cow<'_, str>, FieldError> {
    if let Ok(s) = std::str::from_utf8(data) {
        return Ok(std::borrow::Cow::Borrowed(s));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(data);
    if had_errors {
        return Err(FieldError::new("file", "validation.file_encoding"));
    }
    Ok(text)
}

fn read_csv(data: &[u8]) -> Result<Vec<Vec<String>>, FieldError> {
    let text = csv_text(data)?;
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(|_| unreadable())? {
        check_bounds(rows.len(), record.len().saturating_sub(1))?;
        rows.push(record.iter().map(|c| c.trim().to_string()).collect());
    }
    Ok(rows)
}

/// What a column accepts, in the user's language, for the report beside a refused value; `None`
/// for free text.
pub fn accepted(field: &str, locale: Locale) -> Option<String> {
    let labels = |keys: Vec<String>| {
        let sep = if locale == Locale::En { ", " } else { "、" };
        keys.iter()
            .map(|k| locale.t(k))
            .collect::<Vec<_>>()
            .join(sep)
    };
    Some(match field {
        "gender" => labels(Gender::ALL.iter().map(|g| g.label_key()).collect()),
        "living" => labels(Living::ALL.iter().map(|g| g.label_key()).collect()),
        "categories" => labels(Category::ALL.iter().map(|g| g.label_key()).collect()),
        "willing_to_serve" => locale.t("import.accepted_yes_no"),
        "birth_date" | "party_join_date" => locale.t("import.accepted_date"),
        "id_number" => locale.t("import.accepted_id_number"),
        "mobile" => locale.t("import.accepted_mobile"),
        "unit_id" => locale.t("import.accepted_unit"),
        "name" => locale.t("import.accepted_name"),
        _ => return None,
    })
}

/// Column positions of the known headers (Chinese or English).
pub fn header_index(header: &[String]) -> Result<Vec<(usize, &'static str)>, FieldError> {
    let idx: Vec<(usize, &'static str)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            COLUMNS
                .iter()
                .find(|c| c.0 == h.trim() || c.1.eq_ignore_ascii_case(h.trim()))
                .map(|c| (i, c.2))
        })
        .collect();
    if !idx.iter().any(|(_, f)| *f == "name") {
        return Err(FieldError::new("file", "validation.file_no_name_column"));
    }
    Ok(idx)
}

/// Accepts a code, its label in Chinese or English, or a word of the synonym table.
fn code<'a>(
    field: &str,
    value: &str,
    codes: impl Iterator<Item = (&'a str, String)>,
) -> Option<String> {
    let v = value.trim();
    if let Some(c) = synonym(field, v) {
        return Some(c.to_string());
    }
    for (code, key) in codes {
        if v == code || v == Locale::ZhCn.t(&key) || v.eq_ignore_ascii_case(&Locale::En.t(&key)) {
            return Some(code.to_string());
        }
    }
    None
}

/// Turns one row into input for the same parse as the form (`NewPerson::parse`); unknown
/// labels are kept as given so that the parse reports them. The errors are the row's own
/// (a yes/no cell that is neither).
pub fn to_input(
    idx: &[(usize, &'static str)],
    row: &[String],
    default_unit: UnitId,
) -> (PersonInput, Vec<FieldError>) {
    let mut p = PersonInput {
        unit_id: Some(default_unit.to_string()),
        ..PersonInput::default()
    };
    let mut errors = Vec::new();
    for (i, field) in idx {
        let v = row.get(*i).map(String::as_str).unwrap_or("").trim();
        if v.is_empty() {
            continue;
        }
        let s = Some(v.to_string());
        match *field {
            "gender" => {
                p.gender = code(
                    "gender",
                    v,
                    Gender::ALL.iter().map(|g| (g.as_str(), g.label_key())),
                )
                .or(s)
            }
            "living" => {
                p.living = code(
                    "living",
                    v,
                    Living::ALL.iter().map(|g| (g.as_str(), g.label_key())),
                )
                .or(s)
            }
            "categories" => {
                p.categories = v
                    .split([',', '，', '、', ';', '；', ' '])
                    .filter(|c| !c.trim().is_empty())
                    .map(|c| {
                        code(
                            "categories",
                            c,
                            Category::ALL.iter().map(|g| (g.as_str(), g.label_key())),
                        )
                        .unwrap_or_else(|| c.trim().to_string())
                    })
                    .collect()
            }
            "willing_to_serve" => match synonym("willing_to_serve", v).unwrap_or(v) {
                "是" | "1" | "yes" | "Yes" | "true" | "Y" | "y" => p.willing_to_serve = true,
                "否" | "0" | "no" | "No" | "false" | "N" | "n" => {}
                _ => errors.push(FieldError::new("willing_to_serve", "validation.yes_no")),
            },
            other => {
                p.set_text(other, v.to_string());
            }
        }
    }
    p.status = Some(Status::Active.as_str().to_string());
    (p, errors)
}
