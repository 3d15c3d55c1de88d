//! Audit trail JSON API (audit admin only).

use super::service::{self, FilterInput};
use crate::audit::model::Entry;
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
    // Each search is recorded: a write transaction.
    let mut tx = state.db.write().await?;
    let (entries, total) =
        service::search(&mut tx, &v, &f, PageParams::SIZE, paging.offset()).await?;
    tx.commit().await?;
    Ok(Json(AuditPage { total, entries }))
}

/// A signed checkpoint of the chain's head: keep `line` outside the database and check it with
/// `yinyao audit verify --checkpoint`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CheckpointOut {
    pub checkpoint: crate::audit::chain::Checkpoint,
    pub line: String,
}

/// A signed checkpoint of the audit chain's head (audit admin only; audited).
#[utoipa::path(get, path = "/api/v1/audit/checkpoint", tag = "audit",
    responses((status = 200, body = CheckpointOut), (status = 403)))]
pub async fn audit_checkpoint(
    State(state): State<AppState>,
    v: Viewer,
) -> AppResult<Json<CheckpointOut>> {
    let mut tx = state.db.write().await?;
    let (checkpoint, line) = service::checkpoint(&mut tx, &state.crypto, &v).await?;
    tx.commit().await?;
    Ok(Json(CheckpointOut { checkpoint, line }))
}
