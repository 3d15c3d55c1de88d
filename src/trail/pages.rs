//! The audit admin's search page and CSV export.

use super::service::{self, FilterInput};
use crate::audit::model::Entry;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    page: Page,
    entries: Vec<Entry>,
    total: i64,
    f: FilterInput,
    page_no: i64,
    has_more: bool,
    export_query: String,
}

pub async fn list_audit(
    State(state): State<AppState>,
    v: Viewer,
    Query(f): Query<FilterInput>,
) -> AppResult<Response> {
    let paging = PageParams { page: f.page };
    // Each search is recorded: a write transaction.
    let mut tx = state.db.write().await?;
    let (entries, total) =
        service::search(&mut tx, &v, &f, PageParams::SIZE, paging.offset()).await?;
    tx.commit().await?;
    let export_query = serde_urlencoded::to_string([
        ("actor", f.actor.clone().unwrap_or_default()),
        ("action", f.action.clone().unwrap_or_default()),
        ("unit", f.unit.clone().unwrap_or_default()),
        ("from", f.from.clone().unwrap_or_default()),
        ("to", f.to.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    html(&AuditPage {
        page: Page::new(&v.ctx, "/audit"),
        has_more: paging.offset() + (entries.len() as i64) < total,
        entries,
        total,
        f,
        page_no: paging.page(),
        export_query,
    })
}

pub async fn export_audit(
    State(state): State<AppState>,
    v: Viewer,
    Query(f): Query<FilterInput>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let body = service::export_csv(&mut tx, &v, &f).await?;
    tx.commit().await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// The signed checkpoint as a text file to keep.
pub async fn download_checkpoint(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let (cp, line) = service::checkpoint(&mut tx, &state.crypto, &v).await?;
    tx.commit().await?;
    let name = format!(
        "attachment; filename=\"audit-checkpoint-{}.txt\"",
        cp.at.format("%Y%m%d-%H%M%S")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (header::CONTENT_DISPOSITION, name),
        ],
        format!("{line}\n"),
    )
        .into_response())
}
