//! Contributions to the works library outside campaigns: a member offers a work with consent;
//! an editor over the member's unit takes it into a column, where the usual review decides
//! its publication, and once published it is in the library.

use super::model::{KINDS, WorkDraft, WorkInput};
use super::repo::{self, Contribution, NewWork};
use super::states::WorkState;
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::{ArticleId, ColumnId, UnitId, WorkId};
use crate::news::Column;
use crate::news::model::given_id;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

/// Offers waiting for an editor over the caller's units.
pub async fn pending(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Contribution>> {
    let s = v.scope(Perm::ManageNews)?;
    Ok(repo::pending_contributions(tx, &s).await?)
}

/// One page of the library (chosen works whose article is published), newest first, and
/// whether another page follows.
pub async fn works(
    tx: &mut Tx,
    p: &crate::web::PageParams,
) -> AppResult<(Vec<repo::LibraryWork>, bool)> {
    let size = crate::web::PageParams::SIZE;
    let mut works = repo::library(tx, size + 1, p.offset()).await?;
    let more = works.len() as i64 > size;
    works.truncate(size as usize);
    Ok((works, more))
}

/// A member offers a work to the library, under the unit of their first grant.
pub async fn contribute(tx: &mut Tx, v: &Viewer, w: &WorkDraft) -> AppResult<WorkId> {
    let unit: UnitId =
        v.p.grants
            .first()
            .map(|g| g.unit_id)
            .ok_or(AppError::Forbidden)?;
    let id = repo::insert_work(
        tx,
        &NewWork {
            campaign: None,
            kind: w.kind,
            title: &w.title,
            body: &w.body,
            author: v.p.id,
            unit,
            state: WorkState::Received,
        },
    )
    .await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("work.contribute", format!("work:{id}")).unit(unit.0),
    )
    .await?;
    Ok(id)
}

/// An editor takes a contribution into a column: it goes to review as an article.
pub async fn accept(
    tx: &mut Tx,
    v: &Viewer,
    work: WorkId,
    column: ColumnId,
) -> AppResult<ArticleId> {
    let s = v.scope(Perm::ManageNews)?;
    let w = repo::work(tx, work)
        .await?
        .filter(|w| w.campaign_id.is_none())
        .ok_or(AppError::NotFound)?;
    if crate::units::service::get_in_scope(tx, &s, w.unit_id)
        .await?
        .is_none()
    {
        return Err(AppError::OutOfScope);
    }
    let columns = crate::news::service::columns_in(tx, &s).await?;
    if !columns.iter().any(|c| c.id == column && c.active) {
        let mut f = Fields::new();
        f.add(crate::error::FieldError::new(
            "column_id",
            "validation.column_scope",
        ));
        f.check()?;
    }
    let origin = crate::i18n::Locale::ZhCn.t("campaign.library");
    let article = super::service::to_review(tx, &w, column, &origin, v.p.id).await?;
    if !repo::set_work_state(
        tx,
        work,
        [WorkState::Received, WorkState::Received],
        WorkState::Library,
        Some(article),
    )
    .await?
    {
        return Err(AppError::field("state", "news.changed_meanwhile"));
    }
    let event = Event::ok("work.accept", format!("work:{work}"))
        .unit(w.unit_id.0)
        .detail(json!({ "article_id": article }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(article)
}

#[derive(Template)]
#[template(path = "campaigns/contribute.html")]
struct ContributePage {
    page: Page,
    kinds: [&'static str; 6],
    pending: Vec<Contribution>,
    columns: Vec<Column>,
    sent: bool,
}

#[derive(serde::Deserialize)]
pub struct Sent {
    sent: Option<String>,
}

pub async fn contribute_page(
    State(state): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<Sent>,
) -> AppResult<Response> {
    let (pending, columns) = match v.scope(Perm::ManageNews) {
        Ok(s) => {
            let mut tx = state.db.read().await?;
            (
                repo::pending_contributions(&mut tx, &s).await?,
                crate::news::service::columns_in(&mut tx, &s).await?,
            )
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    html(&ContributePage {
        page: Page::new(&v.ctx, "/campaigns"),
        kinds: KINDS,
        pending,
        columns,
        sent: q.sent.is_some(),
    })
}

pub async fn contribute_form(
    State(state): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let input: WorkInput = crate::web::form(&body)?;
    let work = WorkDraft::parse(&input)?;
    let mut tx = state.db.write().await?;
    contribute(&mut tx, &v, &work).await?;
    tx.commit().await?;
    Ok(Redirect::to("/works/contribute?sent=1").into_response())
}

pub async fn accept_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<WorkId>,
    body: Bytes,
) -> AppResult<Response> {
    #[derive(serde::Deserialize)]
    struct F {
        column_id: i64,
    }
    let f: F = crate::web::form(&body)?;
    let column = parse_column(f.column_id)?;
    let mut tx = state.db.write().await?;
    let article = accept(&mut tx, &v, id, column).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/news/{article}")).into_response())
}

/// The column a contribution is taken into, as sent.
pub fn parse_column(raw: i64) -> AppResult<ColumnId> {
    let mut f = Fields::new();
    let column = f.take(given_id("column_id", raw));
    f.done(column)
}
