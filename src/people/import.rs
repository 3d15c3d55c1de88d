//! Importing and exporting rosters. An import is checked first — every row with the same
//! validation as the form, duplicates by ID number within the file and against the
//! database — and then committed in one transaction: a bad file leaves no partial data.
//! Between the check and the commit the file is kept encrypted with the field key, and it is
//! removed by the commit (or by the daily housekeeping once it is a day old).

use super::service::{Built, NewPerson, build};
use super::transfer::{self, header_index, read_rows, to_input};
use super::{import_repo, repo};
use crate::audit;
use crate::audit::model::{Actor, Event};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppError, FieldError};
use crate::i18n::Locale;
use crate::ids::{AccountId, UnitId, UploadId};
use axum::body::Bytes;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

pub use super::transfer::MAX_FILE_BYTES;

/// One problem in one row.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub column: String,
    pub message: String,
    /// The value as the file has it (empty when the cell was empty).
    pub value: String,
    /// What the column accepts, when it is not free text.
    pub accepted: Option<String>,
}

/// The outcome of checking a file.
#[derive(Clone, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Report {
    pub rows: usize,
    pub valid_rows: usize,
    pub problems: Vec<Problem>,
    /// The names of the first rows that pass, to see that the file is the one meant.
    pub sample: Vec<String>,
    /// Where the rows that pass will be filed: each unit with its count.
    pub per_unit: Vec<UnitCount>,
}

/// How many rows of a file go to one unit.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UnitCount {
    pub unit_id: UnitId,
    /// The unit's name (filled in by the page from the caller's units).
    pub unit_name: String,
    pub rows: usize,
}

impl Report {
    /// Names the units of `per_unit` from the caller's units.
    pub fn name_units(&mut self, units: &[crate::units::Unit]) {
        for c in &mut self.per_unit {
            if let Some(u) = units.iter().find(|u| u.id == c.unit_id) {
                c.unit_name = u.name.clone();
            }
        }
    }
}

/// How many names of passing rows the confirmation shows.
const SAMPLE: usize = 5;

/// A file read and validated row by row, not yet compared with the units the caller may file
/// in nor with the files on record.
pub struct Parsed {
    rows: Vec<RowCheck>,
}

impl Parsed {
    /// Whether every row passed so far (the caller's units and the database may still find
    /// problems).
    pub fn is_clean(&self) -> bool {
        self.rows
            .iter()
            .all(|r| r.errors.is_empty() && r.duplicate.is_none())
    }
}

/// One row read and validated.
struct RowCheck {
    /// Row number as a spreadsheet shows it.
    line: usize,
    errors: Vec<FieldError>,
    /// The problem of a row repeating an earlier row's ID number.
    duplicate: Option<Problem>,
    built: Option<Built>,
    /// The indexes its ID number may be stored under.
    id_index: Vec<String>,
    /// The row's cells by field, to show a refused value.
    raw: Vec<(&'static str, String)>,
}

/// Reads and validates every row of a file on a blocking thread (it is bounded by
/// `read_rows` first), with no transaction open; `check` then finishes it in the caller's
/// transaction.
pub async fn parse(
    crypto: &Arc<FieldCrypto>,
    locale: Locale,
    filename: &str,
    data: Bytes,
    default_unit: UnitId,
) -> Result<Parsed, AppError> {
    let (crypto, filename) = (crypto.clone(), filename.to_string());
    let rows = tokio::task::spawn_blocking(move || {
        check_rows(&crypto, locale, &filename, &data, default_unit)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("roster check stopped: {e}")))??;
    Ok(Parsed { rows })
}

/// Finishes the check of a parsed file in the caller's transaction: each row's unit must be
/// one where the caller may file adults or minors (`allowed_units`: `(unit, minor) →
/// allowed`), and its ID numbers are looked up in the database. Returns the report and, when
/// there are no problems, the records.
pub async fn check(
    tx: &mut Tx,
    locale: Locale,
    parsed: Parsed,
    allowed_units: &HashMap<(UnitId, bool), bool>,
) -> Result<(Report, Vec<Built>), AppError> {
    let (mut report, built) = finish_rows(locale, parsed.rows, allowed_units);
    // Duplicates against the database are reported, never merged.
    // Every index an ID number may be stored under (two while `yinyao rekey` runs).
    let existing = import_repo::existing_ids(
        tx,
        built.iter().flat_map(|(_, _, idx)| idx.clone()).collect(),
    )
    .await?;
    for (line, _, idx) in &built {
        if idx.iter().any(|i| existing.contains(i)) {
            report.valid_rows -= 1;
            report.problems.push(Problem {
                row: *line,
                column: transfer::header_of("id_number", locale),
                message: locale.t("validation.id_duplicate"),
                value: String::new(),
                accepted: None,
            });
        }
    }
    report.problems.sort_by_key(|p| p.row);
    let records = if report.problems.is_empty() {
        built.into_iter().map(|(_, b, _)| b).collect()
    } else {
        Vec::new()
    };
    Ok((report, records))
}

/// A row that passed: its line, the record, and the indexes its ID number may be stored under.
type PassedRow = (usize, Built, Vec<String>);

/// The CPU-bound part of the check: reads the file and validates every row, in order.
fn check_rows(
    crypto: &FieldCrypto,
    locale: Locale,
    filename: &str,
    data: &[u8],
    default_unit: UnitId,
) -> Result<Vec<RowCheck>, AppError> {
    let rows = read_rows(filename, data).map_err(|e| AppError::Validation(vec![e]))?;
    let Some((header, body)) = rows.split_first() else {
        return Err(AppError::field("file", "validation.file_empty"));
    };
    let idx = header_index(header).map_err(|e| AppError::Validation(vec![e]))?;
    let mut checked_rows = Vec::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    // The CPU-bound part (validation, encryption, blind indexes, pinyin) runs on every core;
    // the rest goes through the rows in order.
    let checked = crate::par::map(body, |i, row| {
        if row.iter().all(String::is_empty) {
            return None;
        }
        // The template's example row.
        if idx.iter().any(|(c, f)| {
            *f == "name"
                && row
                    .get(*c)
                    .is_some_and(|n| n.starts_with(transfer::EXAMPLE_MARK))
        }) {
            return None;
        }
        let (input, errors) = to_input(&idx, row, default_unit);
        let id_index = input
            .id_number
            .as_deref()
            .and_then(|v| super::model::parse_id_number(v).ok())
            .map(|id| crypto.blind_indexes("id_number", &id.value));
        let built = NewPerson::parse(&input).and_then(|p| build(crypto, &p, None));
        let raw: Vec<(&'static str, String)> = idx
            .iter()
            .map(|(c, f)| (*f, row.get(*c).cloned().unwrap_or_default()))
            .collect();
        Some((i + 2, errors, id_index, built, raw))
    });
    for (line, mut errors, id_index, b, raw) in checked.into_iter().flatten() {
        // Duplicates within the file are found whatever else is wrong with the row.
        let mut duplicate = None;
        let id_index = id_index.unwrap_or_default();
        if let Some(index) = id_index.first()
            && let Some(first) = seen_ids.insert(index.clone(), line)
        {
            let message = format!("{} {first}", locale.t("validation.id_duplicate_in_file"));
            duplicate = Some(Problem {
                row: line,
                column: transfer::header_of("id_number", locale),
                message,
                value: value_of(&raw, "id_number"),
                accepted: None,
            });
        }
        let built = match b {
            Ok(b) => Some(b),
            Err(AppError::Validation(fs)) => {
                errors.extend(fs);
                None
            }
            Err(e) => return Err(e),
        };
        checked_rows.push(RowCheck {
            line,
            errors,
            duplicate,
            built,
            id_index,
            raw,
        });
    }
    if checked_rows.is_empty() {
        return Err(AppError::field("file", "validation.file_empty"));
    }
    Ok(checked_rows)
}

/// The rest of a row's check, once the caller's units are known (cheap: no parsing): the
/// report so far and the rows that pass.
fn finish_rows(
    locale: Locale,
    rows: Vec<RowCheck>,
    allowed_units: &HashMap<(UnitId, bool), bool>,
) -> (Report, Vec<PassedRow>) {
    let mut report = Report::default();
    let mut passed = Vec::new();
    let problem = |row: usize, f: &FieldError, raw: &[(&'static str, String)]| Problem {
        row,
        column: transfer::header_of(f.field, locale),
        message: locale.t(f.key),
        value: value_of(raw, f.field),
        accepted: transfer::accepted(f.field, locale),
    };
    for row in rows {
        let RowCheck {
            line,
            mut errors,
            duplicate,
            built,
            id_index,
            raw,
        } = row;
        report.rows += 1;
        let is_duplicate = duplicate.is_some();
        report.problems.extend(duplicate);
        if let Some(b) = &built
            && !allowed_units
                .get(&(b.record.unit_id, b.record.is_minor))
                .copied()
                .unwrap_or(false)
        {
            let key = if b.record.is_minor {
                "validation.minor_unit"
            } else {
                "validation.unit_scope"
            };
            errors.push(FieldError::new("unit_id", key));
        }
        if errors.is_empty() && !is_duplicate {
            report.valid_rows += 1;
        }
        report
            .problems
            .extend(errors.iter().map(|f| problem(line, f, &raw)));
        if let (Some(b), true) = (built, errors.is_empty() && !is_duplicate) {
            passed.push((line, b, id_index));
        }
    }
    for (_, b, _) in &passed {
        if report.sample.len() < SAMPLE {
            report.sample.push(b.record.name.clone());
        }
        match report
            .per_unit
            .iter_mut()
            .find(|c| c.unit_id == b.record.unit_id)
        {
            Some(c) => c.rows += 1,
            None => report.per_unit.push(UnitCount {
                unit_id: b.record.unit_id,
                unit_name: String::new(),
                rows: 1,
            }),
        }
    }
    (report, passed)
}

/// A row's cell for `field` as the file has it; an ID number or a mobile masked, as screens
/// show them.
fn value_of(raw: &[(&'static str, String)], field: &str) -> String {
    let v = raw
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    match field {
        "id_number" => super::model::mask_id(v),
        "mobile" => super::model::mask_mobile(v),
        _ => v.to_string(),
    }
}

/// Writes every record in the caller's write transaction, with one audit entry; all or
/// nothing. With `upload` (the owner's account and the kept file's id), the kept file is
/// removed in the same transaction, so committing it twice (a double click, two tabs) imports
/// it once.
pub async fn commit(
    tx: &mut Tx,
    actor: &Actor,
    filename: &str,
    unit: UnitId,
    records: &[Built],
    upload: Option<(AccountId, UploadId)>,
) -> Result<usize, AppError> {
    if let Some((account, id)) = upload
        && import_repo::delete_upload(tx, account, id).await? == 0
    {
        return Err(AppError::NotFound);
    }
    let rows: Vec<(&repo::PersonRecord, &[&'static str])> = records
        .iter()
        .map(|b| (&b.record, b.categories.as_slice()))
        .collect();
    repo::insert_many(tx, &rows)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::field("id_number", "validation.id_duplicate"),
            other => other,
        })?;
    let event = Event::ok("person.import", format!("unit:{unit}"))
        .unit(unit.0)
        .detail(json!({ "file": filename, "rows": records.len() }));
    audit::record(tx, actor, event).await?;
    let mut per_unit: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for b in records {
        *per_unit.entry(b.record.unit_id.0).or_default() += 1;
    }
    for (unit_id, count) in per_unit {
        let filed = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::PeopleFiled,
            format!("unit:{unit_id}"),
        )
        .unit(unit_id)
        .actor(actor.id)
        .payload(json!({ "count": count, "file": filename }));
        crate::outbox::emit(tx, filed).await?;
    }
    Ok(records.len())
}

/// How long a checked file waits for its commit.
pub fn upload_lifetime() -> chrono::Duration {
    chrono::Duration::days(1)
}

/// Removes the uploads checked but never committed whose commit window closed before `now`,
/// in the caller's write transaction (the daily housekeeping); returns how many went.
pub async fn purge_expired(
    tx: &mut Tx,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64, sqlx::Error> {
    import_repo::purge_uploads_before(tx, now - upload_lifetime()).await
}

/// A checked file waiting for its commit, opened.
pub struct KeptUpload {
    pub unit: UnitId,
    pub filename: String,
    pub data: Vec<u8>,
}

/// A file sealed with the field key, ready to be kept (sealing happens before the write
/// transaction opens).
pub struct SealedUpload(Vec<u8>);

/// Seals an uploaded file with the field key (the roster holds ID numbers and mobiles, which
/// must never lie in the database in clear).
pub fn seal_upload(crypto: &FieldCrypto, data: &[u8]) -> Result<SealedUpload, AppError> {
    Ok(SealedUpload(
        crypto.encrypt_bytes(data).map_err(AppError::Internal)?,
    ))
}

/// Keeps a sealed upload until its commit, in the caller's write transaction; returns its id.
pub async fn store_upload(
    tx: &mut Tx,
    account: AccountId,
    unit: UnitId,
    filename: &str,
    sealed: &SealedUpload,
) -> Result<UploadId, AppError> {
    Ok(import_repo::insert_upload(tx, account, unit, filename, &sealed.0).await?)
}

/// The caller's own upload from the last day, decrypted.
pub async fn load_upload(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    account: AccountId,
    id: UploadId,
) -> Result<Option<KeptUpload>, AppError> {
    let since = crate::db::now() - upload_lifetime();
    let Some(stored) = import_repo::upload_of(tx, account, id, since).await? else {
        return Ok(None);
    };
    let data = crypto
        .decrypt_bytes(&stored.data)
        .map_err(|e| AppError::Internal(e.context("kept roster upload cannot be opened")))?;
    Ok(Some(KeptUpload {
        unit: stored.unit_id,
        filename: stored.filename,
        data,
    }))
}
