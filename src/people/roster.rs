//! Roster import pages and API: the upload form, the row-by-row report, the commit and the
//! template; the export links on the same page (see `export`).

use super::import::{self, MAX_FILE_BYTES, Report};
use super::transfer;
use crate::access::{Perm, Scope};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::{UnitId, UploadId};
use crate::state::AppState;
use crate::units::{Unit, service as units};
use crate::web::auth::Viewer;
use crate::web::form;
use crate::web::render::{Page, html};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use std::collections::HashMap;

/// The units where the viewer may file adults and minors: `(unit, minor) → allowed`.
async fn allowed_units(
    tx: &mut Tx,
    v: &Viewer,
) -> AppResult<(HashMap<(UnitId, bool), bool>, Vec<Unit>)> {
    v.scope(Perm::People)?;
    let adults = units::list(
        tx,
        &Scope::of(v.p.id.0, crate::access::ADULT_KEEPERS),
        false,
        100_000,
    )
    .await?;
    let minors = units::list(
        tx,
        &Scope::of(v.p.id.0, crate::access::MINOR_KEEPERS),
        false,
        100_000,
    )
    .await?;
    let mut map = HashMap::new();
    for u in &adults {
        map.insert((u.id, false), true);
    }
    for u in &minors {
        map.insert((u.id, true), true);
    }
    let mut all = adults;
    all.extend(minors);
    all.sort_by(|a, b| a.path.cmp(&b.path));
    all.dedup_by_key(|u| u.id);
    Ok((map, all))
}

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    page: Page,
    units: Vec<Unit>,
    report: Option<Report>,
    upload_id: Option<UploadId>,
    imported: Option<usize>,
    /// Whether to offer the unmasked export (unit admins only).
    can_unmask: bool,
    /// The unit chosen for the last upload, chosen again in the form.
    chosen: Option<UnitId>,
}

impl ImportPage {
    fn new(v: &Viewer, units: Vec<Unit>) -> Self {
        ImportPage {
            page: Page::new(&v.ctx, "/people"),
            units,
            report: None,
            upload_id: None,
            imported: None,
            can_unmask: v.p.can(Perm::ExportUnmasked),
            chosen: None,
        }
    }
}

pub async fn import_form(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (_, units) = allowed_units(&mut tx, &v).await?;
    drop(tx);
    html(&ImportPage::new(&v, units))
}

/// Reads `file` and `unit_id` from a multipart upload.
async fn read_upload(mut mp: Multipart) -> AppResult<(String, Bytes, UnitId)> {
    let (mut name, mut data, mut unit) = (String::new(), Bytes::new(), String::new());
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::field("file", "validation.file_unreadable"))?
    {
        match field.name() {
            Some("file") => {
                name = field.file_name().unwrap_or("upload").to_string();
                data = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::field("file", "validation.file_too_large"))?;
            }
            Some("unit_id") => unit = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    if data.is_empty() {
        return Err(AppError::field("file", "validation.file_empty"));
    }
    if data.len() > MAX_FILE_BYTES {
        return Err(AppError::field("file", "validation.file_too_large"));
    }
    let unit = form::id("unit_id", &unit).map_err(|e| AppError::Validation(vec![e]))?;
    Ok((name, data, unit))
}

/// Step one: check the file and show the row-by-row report; only the file is kept (sealed)
/// for the commit. The file is parsed (and sealed) with no transaction open; then the units
/// the caller may file in, the check against the database and the kept file are one
/// transaction (a write one only when there may be a file to keep).
pub async fn preview_import(
    State(state): State<AppState>,
    v: Viewer,
    mp: Multipart,
) -> AppResult<Response> {
    let (filename, data, unit) = read_upload(mp).await?;
    v.scope(Perm::People)?;
    let locale = v.ctx.locale;
    let parsed = import::parse(&state.crypto, locale, &filename, data.clone(), unit).await?;
    let sealed = if parsed.is_clean() {
        Some(import::seal_upload(&state.crypto, &data)?)
    } else {
        None
    };
    let mut tx = match sealed {
        Some(_) => state.db.write().await?,
        None => state.db.read().await?,
    };
    let (allowed, units) = allowed_units(&mut tx, &v).await?;
    let (mut report, _) = import::check(&mut tx, locale, parsed, &allowed).await?;
    report.name_units(&units);
    let upload_id = match &sealed {
        Some(s) if report.problems.is_empty() => {
            Some(import::store_upload(&mut tx, v.p.id, unit, &filename, s).await?)
        }
        _ => None,
    };
    tx.commit().await?;
    html(&ImportPage {
        report: Some(report),
        upload_id,
        chosen: Some(unit),
        ..ImportPage::new(&v, units)
    })
}

/// Step two: check again and write every row in one transaction.
pub async fn commit_import(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UploadId>,
) -> AppResult<Response> {
    let (count, units) = commit(State(state), &v, id).await?;
    html(&ImportPage {
        imported: Some(count),
        ..ImportPage::new(&v, units)
    })
}

/// Opens the kept file, checks it again and imports it; the kept file goes with the commit.
/// The kept file is read in a read transaction, parsed with none open, and the caller's
/// units, the check and the import are one write transaction. Returns the rows written and
/// the units for the page.
async fn commit(
    State(state): State<AppState>,
    v: &Viewer,
    upload: UploadId,
) -> AppResult<(usize, Vec<Unit>)> {
    let mut tx = state.db.read().await?;
    let kept = import::load_upload(&mut tx, &state.crypto, v.p.id, upload)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(tx);
    v.scope(Perm::People)?;
    let locale = v.ctx.locale;
    let parsed = import::parse(
        &state.crypto,
        locale,
        &kept.filename,
        Bytes::from(kept.data),
        kept.unit,
    )
    .await?;
    let mut tx = state.db.write().await?;
    let (allowed, units) = allowed_units(&mut tx, v).await?;
    let (report, records) = import::check(&mut tx, locale, parsed, &allowed).await?;
    if !report.problems.is_empty() {
        return Err(AppError::Conflict("error.import_changed"));
    }
    let count = import::commit(
        &mut tx,
        &v.ctx.actor(),
        &kept.filename,
        kept.unit,
        &records,
        Some((v.p.id, upload)),
    )
    .await?;
    tx.commit().await?;
    Ok((count, units))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// Write the rows when the check finds no problem (default: only check).
    pub commit: Option<bool>,
}

/// The result of an import through the API.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub report: Report,
    /// Rows written (0 unless `commit=true` and the file had no problem).
    pub imported: usize,
}

/// Checks a roster (multipart: `file`, `unit_id`) and, with `commit=true`, imports it; all or nothing.
#[utoipa::path(post, path = "/api/v1/people/import", tag = "people", params(ImportParams),
    request_body(content_type = "multipart/form-data", content = crate::web::apidoc::RosterUpload),
    responses((status = 200, body = ImportResult), (status = 422)))]
pub async fn api_import(
    State(state): State<AppState>,
    v: Viewer,
    Query(p): Query<ImportParams>,
    mp: Multipart,
) -> AppResult<Json<ImportResult>> {
    let (filename, data, unit) = read_upload(mp).await?;
    v.scope(Perm::People)?;
    let locale = v.ctx.locale;
    let parsed = import::parse(&state.crypto, locale, &filename, data, unit).await?;
    // The check and the import are one transaction, a write one only when rows may be written.
    let writes = p.commit == Some(true) && parsed.is_clean();
    let mut tx = if writes {
        state.db.write().await?
    } else {
        state.db.read().await?
    };
    let (allowed, units) = allowed_units(&mut tx, &v).await?;
    let (mut report, records) = import::check(&mut tx, locale, parsed, &allowed).await?;
    report.name_units(&units);
    let imported = if writes && report.problems.is_empty() {
        import::commit(&mut tx, &v.ctx.actor(), &filename, unit, &records, None).await?
    } else {
        0
    };
    tx.commit().await?;
    Ok(Json(ImportResult { report, imported }))
}

pub async fn template(v: Viewer) -> AppResult<Response> {
    v.scope(Perm::People)?;
    let body = transfer::write_template().map_err(AppError::Internal)?;
    Ok(crate::web::render::xlsx(
        body,
        "roster-template.xlsx",
        "人员名册模板.xlsx",
    ))
}
