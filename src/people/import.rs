//! Importing and exporting rosters. An import is checked first — every row with the same
//! validation as the form, duplicates by ID number within the file and against the
//! database — and then committed in one transaction: a bad file leaves no partial data.
//! Exports are masked unless a unit admin asks otherwise, and every export is audited.

use super::repo;
use super::service::{Built, build};
use super::transfer::{self, ExportRow, header_index, read_rows, to_input};
use crate::audit::model::{Actor, Event};
use crate::audit::repo as audit;
use crate::crypto::FieldCrypto;
use crate::db::{Db, Tx};
use crate::error::{AppError, FieldError};
use crate::i18n::Locale;
use crate::on_tx;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Files bigger than this are refused (about 200,000 rows of XLSX).
pub const MAX_FILE_BYTES: usize = 32 << 20;

/// One problem in one row.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// The outcome of checking a file.
#[derive(Clone, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Report {
    pub rows: usize,
    pub valid_rows: usize,
    pub problems: Vec<Problem>,
}

/// Checks every row. Returns the report and, when there are no problems, the records.
pub async fn check(
    db: &Db,
    crypto: &FieldCrypto,
    locale: Locale,
    filename: &str,
    data: &[u8],
    default_unit: i64,
    allowed_units: &HashMap<(i64, bool), bool>,
) -> Result<(Report, Vec<Built>), AppError> {
    let rows = read_rows(filename, data).map_err(|e| AppError::Validation(vec![e]))?;
    let Some((header, body)) = rows.split_first() else {
        return Err(AppError::field("file", "validation.file_empty"));
    };
    let idx = header_index(header).map_err(|e| AppError::Validation(vec![e]))?;
    let mut report = Report::default();
    let mut built = Vec::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let problem = |row: usize, f: &FieldError| Problem {
        row,
        column: transfer::header_of(f.field, locale),
        message: locale.t(f.key),
    };
    // The CPU-bound part (validation, encryption, blind indexes, pinyin) runs on every core;
    // the rest goes through the rows in order.
    let checked = crate::par::map(body, |i, row| {
        if row.iter().all(String::is_empty) {
            return None;
        }
        let (input, errors) = to_input(&idx, row, default_unit);
        let id_index = input
            .id_number
            .as_deref()
            .and_then(|v| super::model::parse_id_number(v).ok())
            .map(|id| crypto.blind_index("id_number", &id.value));
        Some((i + 2, errors, id_index, build(crypto, &input, None)))
    });
    for (line, mut errors, id_index, b) in checked.into_iter().flatten() {
        report.rows += 1;
        // Duplicates within the file are found whatever else is wrong with the row.
        let mut duplicate = false;
        if let Some(index) = id_index
            && let Some(first) = seen_ids.insert(index, line)
        {
            let message = format!("{} {first}", locale.t("validation.id_duplicate_in_file"));
            report.problems.push(Problem {
                row: line,
                column: transfer::header_of("id_number", locale),
                message,
            });
            duplicate = true;
        }
        let b = match b {
            Ok(b) => Some(b),
            Err(AppError::Validation(fs)) => {
                errors.extend(fs);
                None
            }
            Err(e) => return Err(e),
        };
        if let Some(b) = &b
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
        if errors.is_empty() && !duplicate {
            report.valid_rows += 1;
        }
        report
            .problems
            .extend(errors.iter().map(|f| problem(line, f)));
        if let (Some(b), true) = (b, errors.is_empty() && !duplicate) {
            built.push((line, b));
        }
    }
    // Duplicates against the database are reported, never merged.
    let mut tx = db.read().await?;
    let existing = existing_ids(
        &mut tx,
        built
            .iter()
            .filter_map(|(_, b)| b.record.id_number.as_ref().map(|s| s.idx.clone()))
            .collect(),
    )
    .await?;
    for (line, b) in &built {
        if b.record
            .id_number
            .as_ref()
            .is_some_and(|s| existing.contains(&s.idx))
        {
            report.valid_rows -= 1;
            report.problems.push(Problem {
                row: *line,
                column: transfer::header_of("id_number", locale),
                message: locale.t("validation.id_duplicate"),
            });
        }
    }
    report.problems.sort_by_key(|p| p.row);
    if report.rows == 0 {
        return Err(AppError::field("file", "validation.file_empty"));
    }
    let records = if report.problems.is_empty() {
        built.into_iter().map(|(_, b)| b).collect()
    } else {
        Vec::new()
    };
    Ok((report, records))
}

/// Which of these blind indexes are already on file.
async fn existing_ids(tx: &mut Tx, all: Vec<String>) -> Result<HashSet<String>, sqlx::Error> {
    const PLACEHOLDERS: &str = "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33,$34,$35,$36,$37,$38,$39,$40,$41,$42,$43,$44,$45,$46,$47,$48,$49,$50";
    let sql = format!("SELECT id_number_idx FROM people WHERE id_number_idx IN ({PLACEHOLDERS})");
    let mut found = HashSet::new();
    for chunk in all.chunks(50) {
        let mut vals: Vec<&str> = chunk.iter().map(String::as_str).collect();
        vals.resize(50, "");
        // The statement is a constant list of placeholders; every value is bound.
        let rows: Vec<String> = on_tx!(tx, c => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for v in &vals {
                q = q.bind(*v);
            }
            q.fetch_all(c).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// Writes every record in one transaction, with one audit entry; all or nothing.
pub async fn commit(
    db: &Db,
    actor: &Actor,
    filename: &str,
    unit: i64,
    records: &[Built],
) -> Result<usize, AppError> {
    let mut tx = db.write().await?;
    let rows: Vec<(&repo::PersonRecord, &[&'static str])> = records
        .iter()
        .map(|b| (&b.record, b.categories.as_slice()))
        .collect();
    repo::insert_many(&mut tx, &rows)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::field("id_number", "validation.id_duplicate"),
            other => other,
        })?;
    let event = Event::ok("person.import", format!("unit:{unit}"))
        .unit(unit)
        .detail(json!({ "file": filename, "rows": records.len() }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(records.len())
}

/// Keeps an uploaded file until its commit; returns its id.
pub async fn store_upload(
    db: &Db,
    account: i64,
    unit: i64,
    filename: &str,
    data: &[u8],
) -> Result<i64, sqlx::Error> {
    let mut tx = db.write().await?;
    let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
        "INSERT INTO import_uploads (account_id, unit_id, filename, data, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(account).bind(unit).bind(filename).bind(data).bind(crate::db::now()).fetch_one(c).await)?;
    tx.commit().await?;
    Ok(id)
}

/// The caller's own upload from the last day: (unit, filename, data).
pub async fn load_upload(
    db: &Db,
    account: i64,
    id: i64,
) -> Result<Option<(i64, String, Vec<u8>)>, sqlx::Error> {
    let since = crate::db::now() - chrono::Duration::days(1);
    let mut tx = db.read().await?;
    on_tx!(&mut tx, c => sqlx::query_as(
        "SELECT unit_id, filename, data FROM import_uploads WHERE id = $1 AND account_id = $2 AND created_at > $3")
        .bind(id).bind(account).bind(since).fetch_optional(c).await)
}

pub async fn delete_upload(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.write().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM import_uploads WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Export rows for people in scope; sensitive fields masked unless `unmasked`.
pub fn export_row(
    crypto: &FieldCrypto,
    r: &repo::PersonRecord,
    cats: &str,
    unit_id: i64,
    unmasked: bool,
    locale: Locale,
) -> ExportRow {
    let hidden = locale.t("people.hidden");
    let open = |enc: &Option<String>| match enc {
        Some(e) if unmasked => crypto.decrypt(e).unwrap_or_default(),
        Some(_) => hidden.clone(),
        None => String::new(),
    };
    let sealed = |s: &Option<repo::Sealed>| match s {
        Some(s) if unmasked => crypto.decrypt(&s.enc).unwrap_or_default(),
        Some(s) => s.mask.clone(),
        None => String::new(),
    };
    let label = |prefix: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| locale.t(&format!("{prefix}.{v}")))
            .unwrap_or_default()
    };
    vec![
        r.name.clone(),
        label("gender", &r.gender),
        r.birth_date.clone().unwrap_or_default(),
        sealed(&r.id_number),
        sealed(&r.mobile),
        open(&r.address_enc),
        open(&r.health_enc),
        open(&r.emergency_enc),
        r.former_employer.clone().unwrap_or_default(),
        r.post.clone().unwrap_or_default(),
        r.level.clone().unwrap_or_default(),
        r.party_join_date.clone().unwrap_or_default(),
        label("living", &r.living),
        cats.split(',')
            .filter(|c| !c.is_empty())
            .map(|c| locale.t(&format!("category.{c}")))
            .collect::<Vec<_>>()
            .join("、"),
        r.skills.clone().unwrap_or_default(),
        if r.willing_to_serve {
            locale.t("shell.yes")
        } else {
            locale.t("shell.no")
        },
        unit_id.to_string(),
    ]
}
