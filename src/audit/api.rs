//! Audit trail JSON API (audit admin only).

use super::model::Entry;
use super::service::{self, FilterInput};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Query, State};

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub total: i64,
    pub entries: Vec<Entry>,
}

/// Searches the audit trail, newest first, 50 entries a page.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(FilterInput),
    responses((status = 200, body = AuditPage), (status = 403), (status = 422)))]
pub async fn search_audit(
    State(state): State<AppState>,
    v: Viewer,
    Query(f): Query<FilterInput>,
) -> AppResult<Json<AuditPage>> {
    let paging = PageParams { page: f.page };
    let (entries, total) =
        service::search(&state, &v, &f, PageParams::SIZE, paging.offset()).await?;
    Ok(Json(AuditPage { total, entries }))
}
