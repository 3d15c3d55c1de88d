//! Contributions to the works library outside campaigns: a member offers a work with consent;
//! an editor over the member's unit takes it into a column, where the usual review decides
//! its publication, and once published it is in the library.

use super::repo::{self, Contribution, NewWork};
use super::service::{KINDS, WorkInput};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::news::Column;
use crate::state::AppState;
use crate::units::model::UnitId;
use crate::web::auth::Viewer;
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

pub async fn contribute(tx: &mut Tx, v: &Viewer, input: &WorkInput) -> AppResult<i64> {
    let unit =
        v.p.grants
            .first()
            .map(|g| g.unit_id)
            .ok_or(AppError::Forbidden)?;
    let (title, body) = super::service::check_work(input, false)?;
    let id = repo::insert_work(
        tx,
        &NewWork {
            campaign: None,
            kind: &input.kind,
            title: &title,
            body: &body,
            author: v.p.id.0,
            unit,
            state: "received",
        },
    )
    .await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("work.contribute", format!("work:{id}")).unit(unit),
    )
    .await?;
    Ok(id)
}

/// An editor takes a contribution into a column: it goes to review as an article.
pub async fn accept(tx: &mut Tx, v: &Viewer, work: i64, column: i64) -> AppResult<i64> {
    let s = v.scope(Perm::ManageNews)?;
    let w = repo::work(tx, work)
        .await?
        .filter(|w| w.campaign_id.is_none())
        .ok_or(AppError::NotFound)?;
    if crate::units::service::get_in_scope(tx, &s, UnitId(w.unit_id))
        .await?
        .is_none()
    {
        return Err(AppError::OutOfScope);
    }
    let columns = crate::news::service::columns_in(tx, &s).await?;
    if !columns.iter().any(|c| c.id == column && c.active) {
        return Err(AppError::field("column_id", "validation.column_scope"));
    }
    let origin = crate::i18n::Locale::ZhCn.t("campaign.library");
    let article = super::service::to_review(tx, &w, column, &origin, v.p.id.0).await?;
    if !repo::set_work_state(
        tx,
        work,
        &["received", "received"],
        "library",
        Some(article),
    )
    .await?
    {
        return Err(AppError::field("state", "news.changed_meanwhile"));
    }
    let event = Event::ok("work.accept", format!("work:{work}"))
        .unit(w.unit_id)
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
    let input: WorkInput = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::field("form", "validation.form"))?;
    let mut tx = state.db.write().await?;
    contribute(&mut tx, &v, &input).await?;
    tx.commit().await?;
    Ok(Redirect::to("/works/contribute?sent=1").into_response())
}

pub async fn accept_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    #[derive(serde::Deserialize)]
    struct F {
        column_id: i64,
    }
    let f: F = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::field("form", "validation.form"))?;
    let mut tx = state.db.write().await?;
    let article = accept(&mut tx, &v, id, f.column_id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/news/{article}")).into_response())
}
