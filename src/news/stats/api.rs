//! Correspondents' figures JSON API and the XLSX export.

use super::model::{ReportParams, ReportQuery};
use super::service::*;
use crate::error::{AppError, AppResult};
use crate::news::Figures;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;

/// The figures of a unit's subtree in a quarter as an XLSX workbook (ranked, the first ten
/// being the top-ten list); the page's "Export" link is the same.
#[utoipa::path(get, path = "/api/v1/correspondents/export", tag = "news", params(ReportQuery),
    responses(
        (status = 200, description = "The workbook, as an attachment",
            content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403), (status = 404), (status = 422)))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let q = ReportParams::parse(&q)?;
    let mut tx = state.db.read().await?;
    let r = report(&mut tx, &v, &q).await?;
    drop(tx);
    let l = v.ctx.locale;
    let body = workbook(&r, |k| l.t(k)).map_err(AppError::Internal)?;
    let name = format!("{}-{}-通讯员统计.xlsx", r.unit.name, r.quarter.label());
    Ok(crate::web::render::xlsx(body, "correspondents.xlsx", &name))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReportJson {
    pub unit_id: crate::ids::UnitId,
    pub quarter: String,
    pub rows: Vec<Figures>,
}

/// Correspondents' figures for a unit's subtree in a quarter, ranked (the first ten are the
/// top-ten list).
#[utoipa::path(get, path = "/api/v1/correspondents", tag = "news", params(ReportQuery),
    responses((status = 200, body = ReportJson), (status = 403), (status = 404), (status = 422)))]
pub async fn api_report(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<ReportJson>> {
    let q = ReportParams::parse(&q)?;
    let mut tx = state.db.read().await?;
    let r = report(&mut tx, &v, &q).await?;
    Ok(Json(ReportJson {
        unit_id: r.unit.id,
        quarter: r.quarter.label(),
        rows: r.rows,
    }))
}
