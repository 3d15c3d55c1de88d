//! Correspondents' figures pages: the report and its printable summary.

use super::model::{ReportParams, ReportQuery};
use super::service::*;
use crate::access::Perm;
use crate::db::Tx;
use crate::error::AppResult;
use crate::news::Figures;
use crate::state::AppState;
use crate::units::Unit;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "news/correspondents.html")]
struct ReportPage {
    page: Page,
    r: Report,
    units: Vec<Unit>,
    print: bool,
}

impl ReportPage {
    fn query(&self) -> String {
        format!("unit={}&quarter={}", self.r.unit.id, self.r.quarter.label())
    }
    fn top(&self) -> &[Figures] {
        &self.r.rows[..self.r.rows.len().min(10)]
    }
}

async fn render(tx: &mut Tx, v: &Viewer, q: &ReportParams, print: bool) -> AppResult<Response> {
    let r = report(tx, v, q).await?;
    let s = v.scope(Perm::ReadDrafts)?;
    let units = crate::units::service::list(tx, &s, false, 2000).await?;
    html(&ReportPage {
        page: Page::new(&v.ctx, "/news"),
        r,
        units,
        print,
    })
}

pub async fn report_page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let q = ReportParams::parse(&q)?;
    let mut tx = state.db.read().await?;
    render(&mut tx, &v, &q, false).await
}

/// The same figures laid out for printing (the quarterly summary 季度通报).
pub async fn print_page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let q = ReportParams::parse(&q)?;
    let mut tx = state.db.read().await?;
    render(&mut tx, &v, &q, true).await
}
