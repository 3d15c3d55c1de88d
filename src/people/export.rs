//! Roster exports (CSV or XLSX) for the people page and the JSON API, through one service
//! function. Sensitive fields are masked; an unmasked export is for unit admins and reaches
//! only the subtrees they administer. Every export is audited — once its format is known and
//! its file is built, so a refused or malformed request leaves no export entry.

use super::repo::{self, PersonRecord, Sealed};
use super::transfer::{self, ExportRow};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::state::AppState;
use crate::units::model::UnitId;
use crate::units::{service as units, service as unit_service};
use crate::web::auth::Viewer;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The file types an export comes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// What to export: the format, optionally one unit's subtree, masked or not.
#[derive(Clone, Copy, Debug)]
pub struct ExportRequest {
    pub format: ExportFormat,
    pub unit: Option<UnitId>,
    pub unmasked: bool,
}

/// A built export, ready to send as a download.
pub struct ExportFile {
    pub format: ExportFormat,
    pub body: Vec<u8>,
}

impl IntoResponse for ExportFile {
    fn into_response(self) -> Response {
        match self.format {
            ExportFormat::Csv => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"people.csv\"".to_string(),
                    ),
                ],
                self.body,
            )
                .into_response(),
            ExportFormat::Xlsx => {
                crate::web::render::xlsx(self.body, "roster.xlsx", "人员名册.xlsx")
            }
        }
    }
}

/// Reads the rows of an export of the person files the caller keeps, in the caller's read
/// transaction (the file is built from them afterwards, with no transaction open).
///
/// The reach of an unmasked export: the ordinary export covers every file the caller keeps,
/// as staff or as admin, but clear values are only for the subtrees where the caller holds
/// `unit_admin`. So an unmasked export asked for a `unit` outside those subtrees is refused
/// with 403 (a request for a unit is answered in full or not at all, never silently cut
/// down), and one without a `unit` holds only the files within those subtrees (filtered in
/// SQL, see `repo::export_batch`).
pub async fn rows(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
    req: ExportRequest,
) -> AppResult<Vec<ExportRow>> {
    v.scope(Perm::People)?;
    let admin = if req.unmasked {
        Some(v.scope(Perm::ExportUnmasked)?)
    } else {
        None
    };
    let subtree = match req.unit {
        Some(u) => {
            let unit = unit_service::load(tx, v, Perm::ViewUnits, u).await?;
            if let Some(scope) = &admin
                && units::get_in_scope(tx, scope, u).await?.is_none()
            {
                return Err(AppError::Forbidden);
            }
            Some(unit.path)
        }
        None => None,
    };
    let mut rows: Vec<ExportRow> = Vec::new();
    let mut after = 0;
    loop {
        let batch =
            repo::export_batch(tx, v.p.id.0, subtree.as_deref(), req.unmasked, after, 5000).await?;
        let Some(last) = batch.last().map(|b| b.0) else {
            break;
        };
        rows.extend(batch.iter().map(|(_, rec, cats)| {
            export_row(crypto, rec, cats, rec.unit_id, req.unmasked, v.ctx.locale)
        }));
        after = last;
    }
    Ok(rows)
}

/// Builds the file (CSV or XLSX) from the rows; no transaction is open meanwhile.
pub fn build(format: ExportFormat, rows: &[ExportRow]) -> AppResult<ExportFile> {
    let body = match format {
        ExportFormat::Csv => transfer::write_csv(rows),
        ExportFormat::Xlsx => transfer::write_xlsx(rows),
    }
    .map_err(AppError::Internal)?;
    Ok(ExportFile { format, body })
}

/// Audits a built export, in the caller's write transaction.
pub async fn record(tx: &mut Tx, v: &Viewer, req: ExportRequest, rows: usize) -> AppResult<()> {
    let event = if req.unmasked {
        Event::ok("person.export_unmasked", "people")
    } else {
        Event::ok("person.export", "people")
    };
    let event = match req.unit {
        Some(u) => event.unit(u.0),
        None => event,
    };
    audit::record(
        tx,
        &v.ctx.actor(),
        event.detail(json!({ "rows": rows, "format": req.format.as_str(), "unit": req.unit })),
    )
    .await?;
    Ok(())
}

/// Reads the rows (one read transaction), builds the file with no transaction open, then
/// audits it (one write transaction): the file is never built while the write lock is held.
async fn export(
    State(state): State<AppState>,
    v: &Viewer,
    req: ExportRequest,
) -> AppResult<ExportFile> {
    let mut tx = state.db.read().await?;
    let rows = rows(&mut tx, &state.crypto, v, req).await?;
    drop(tx);
    let file = build(req.format, &rows)?;
    let mut tx = state.db.write().await?;
    record(&mut tx, v, req, rows.len()).await?;
    tx.commit().await?;
    Ok(file)
}

#[derive(serde::Deserialize)]
pub struct ExportParams {
    unit: Option<UnitId>,
    unmasked: Option<String>,
}

/// The page's export: `format` in the path (anything but csv or xlsx is 404), `unmasked=1`.
pub async fn export_people(
    State(state): State<AppState>,
    v: Viewer,
    Path(format): Path<String>,
    Query(q): Query<ExportParams>,
) -> AppResult<ExportFile> {
    let format = ExportFormat::parse(&format).ok_or(AppError::NotFound)?;
    let req = ExportRequest {
        format,
        unit: q.unit,
        unmasked: q.unmasked.as_deref() == Some("1"),
    };
    export(State(state), &v, req).await
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ApiExportParams {
    /// `csv` (UTF-8 with a byte-order mark) or `xlsx`.
    #[param(required = true, example = "csv")]
    pub format: Option<String>,
    /// Only this unit and the units below it.
    pub unit: Option<UnitId>,
    /// `true`: sensitive fields in clear. Unit admins only, and only for units they
    /// administer: without `unit` the file holds only those units' people; a `unit` outside
    /// them is refused (403). Audited as `person.export_unmasked`.
    pub unmasked: Option<bool>,
}

/// Exports the person files in scope as CSV or XLSX (same columns as the import template);
/// sensitive fields masked unless `unmasked=true`. Every export is audited.
#[utoipa::path(get, path = "/api/v1/people/export", tag = "people", params(ApiExportParams),
    responses(
        (status = 200, description = "The roster file, as an attachment",
            content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, description = "unmasked export without unit_admin over the requested unit"),
        (status = 404, description = "unit not found"),
        (status = 422, description = "format missing or not csv/xlsx")))]
pub async fn api_export(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ApiExportParams>,
) -> AppResult<ExportFile> {
    let format = q
        .format
        .as_deref()
        .and_then(ExportFormat::parse)
        .ok_or(AppError::field("format", "validation.choice"))?;
    let req = ExportRequest {
        format,
        unit: q.unit,
        unmasked: q.unmasked == Some(true),
    };
    export(State(state), &v, req).await
}

/// One export row; sensitive fields masked unless `unmasked`.
fn export_row(
    crypto: &FieldCrypto,
    r: &PersonRecord,
    cats: &str,
    unit_id: UnitId,
    unmasked: bool,
    locale: Locale,
) -> ExportRow {
    let hidden = locale.t("people.hidden");
    let open = |enc: &Option<String>| match enc {
        Some(e) if unmasked => crypto.decrypt(e).unwrap_or_default(),
        Some(_) => hidden.clone(),
        None => String::new(),
    };
    let sealed = |s: &Option<Sealed>| match s {
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
