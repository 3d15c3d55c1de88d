//! Campaign pages: the list and call form, one campaign (submit, judge, organise), the blind
//! judging page, and the public works library.

use super::model::{Call, KINDS, NewCampaign, Score, WorkDraft, WorkInput, WorkVerdict};
use super::repo::{BlindWork, Campaign, LibraryWork, RankedWork};
use super::service;
use super::states::CampaignState;
use crate::access::Perm;
use crate::error::{AppError, AppResult};
use crate::ids::{CampaignId, FileId, WorkId};
use crate::news::Column;
use crate::state::AppState;
use crate::units::Unit;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::web::form;

#[derive(Template)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    page: Page,
    campaigns: Vec<Campaign>,
    /// For the call form (news managers only).
    units: Vec<Unit>,
    columns: Vec<Column>,
}

pub async fn list_campaigns(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let campaigns = service::list(&mut tx, &v).await?;
    let (units, columns) = match v.scope(Perm::ManageNews) {
        Ok(s) => (
            crate::units::service::list(&mut tx, &s, false, 2000).await?,
            crate::news::service::columns_in(&mut tx, &s).await?,
        ),
        Err(_) => (Vec::new(), Vec::new()),
    };
    html(&ListPage {
        page: Page::new(&v.ctx, "/campaigns"),
        campaigns,
        units,
        columns,
    })
}

pub async fn create_campaign(
    State(state): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    // The open units come as repeated `open_unit_ids` fields (a multiple select).
    let campaign = NewCampaign::parse(&crate::web::form_with_lists(&body)?);
    let mut tx = state.db.write().await?;
    let id = service::create(&mut tx, &v, campaign).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

pub async fn edit_campaign(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
    body: Bytes,
) -> AppResult<Response> {
    // The open units come as repeated `open_unit_ids` fields (a multiple select).
    let call = Call::parse(&crate::web::form_with_lists(&body)?);
    let mut tx = state.db.write().await?;
    service::update(&mut tx, &v, id, call).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "campaigns/show.html")]
struct ShowPage {
    page: Page,
    c: Campaign,
    member: bool,
    judge: bool,
    manager: bool,
    kinds: [&'static str; 6],
    ranking: Vec<RankedWork>,
    /// For the organisers' change form: units at or below the organising unit, and whether
    /// the campaign is open to each.
    units: Vec<(Unit, bool)>,
    /// The caller's own works here: id, title, state, files.
    mine: Vec<(WorkId, String, String, Vec<crate::files::Attachment>)>,
}

pub async fn show_campaign(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (c, member, judge, manager) = service::show(&mut tx, &v, id).await?;
    let mut mine = Vec::new();
    for (wid, title, st) in super::repo::my_works(&mut tx, id, v.p.id).await? {
        let files = crate::files::service::of_work(&mut tx, wid).await?;
        mine.push((wid, title, st, files));
    }
    let ranking = if manager && c.state == CampaignState::Finished {
        service::ranking(&mut tx, &v, id).await?
    } else {
        Vec::new()
    };
    // The change form offers the organiser's subtree, and always the units the campaign is
    // open to now: an option left out would be dropped when the organiser saves.
    let units =
        if let (true, CampaignState::Open, Ok(s)) = (manager, c.state, v.scope(Perm::ManageNews)) {
            let mut all = crate::units::service::subtree(&mut tx, c.unit_id, 2000).await?;
            for o in &c.open_units {
                if !all.iter().any(|u| u.id == o.id)
                    && let Some(u) = crate::units::service::get_in_scope(&mut tx, &s, o.id).await?
                {
                    all.push(u);
                }
            }
            all.into_iter()
                .map(|u| {
                    let open = c.open_units.iter().any(|o| o.id == u.id);
                    (u, open)
                })
                .collect()
        } else {
            Vec::new()
        };
    html(&ShowPage {
        page: Page::new(&v.ctx, "/campaigns"),
        c,
        member: member.is_some(),
        judge,
        manager,
        kinds: KINDS,
        ranking,
        units,
        mine,
    })
}

pub async fn submit_work(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
    body: Bytes,
) -> AppResult<Response> {
    let work = WorkDraft::parse(&form::<WorkInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    service::submit(&mut tx, &v, id, &work).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/campaigns/{id}?submitted=1")).into_response())
}

#[derive(Template)]
#[template(path = "campaigns/judging.html")]
struct JudgingPage {
    page: Page,
    campaign: CampaignId,
    works: Vec<BlindWork>,
    files: Vec<crate::files::Attachment>,
}

impl JudgingPage {
    fn files_of(&self, work: &WorkId) -> Vec<&crate::files::Attachment> {
        self.files
            .iter()
            .filter(|f| f.work_id == Some(*work))
            .collect()
    }
}

pub async fn judging_page(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let works = service::judging(&mut tx, &v, id).await?;
    let mut files = Vec::new();
    for w in &works {
        files.extend(crate::files::service::of_work(&mut tx, w.id).await?);
    }
    html(&JudgingPage {
        page: Page::new(&v.ctx, "/campaigns"),
        campaign: id,
        works,
        files,
    })
}

/// The author adds a file to their work (multipart, CSRF token in the action URL).
pub async fn add_work_file(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<WorkId>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    add_file(&state, &v, id, mp).await?;
    Ok(Redirect::to("/campaigns").into_response())
}

/// A file added to a work, for the page and the API: the caller is checked in a read
/// transaction, the file streamed to disk with no transaction held (it may take minutes),
/// then recorded in one write transaction that checks the work again.
pub(super) async fn add_file(
    state: &AppState,
    v: &Viewer,
    work: WorkId,
    mp: axum::extract::Multipart,
) -> AppResult<FileId> {
    let mut tx = state.db.read().await?;
    service::may_add_file(&mut tx, v, work).await?;
    drop(tx);
    let f = crate::files::service::receive(&state.config.effective_upload_dir(), mp).await?;
    let mut tx = state.db.write().await?;
    let id = service::add_file(&mut tx, v, work, f).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn score_work(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<WorkId>,
    body: Bytes,
) -> AppResult<Response> {
    #[derive(serde::Deserialize)]
    struct F {
        score: String,
        comment: Option<String>,
    }
    let f: F = form(&body)?;
    let score = Score::parse_form(&f.score, f.comment)?;
    let mut tx = state.db.write().await?;
    let campaign = service::score(&mut tx, &v, id, &score).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/campaigns/{campaign}/judging#work-{id}")).into_response())
}

pub async fn finish_campaign(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::finish(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/campaigns/{id}#ranking")).into_response())
}

pub async fn close_campaign(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CampaignId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::close(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

pub async fn decide_work(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<WorkId>,
    body: Bytes,
) -> AppResult<Response> {
    #[derive(serde::Deserialize)]
    struct F {
        action: String,
    }
    let f: F = form(&body)?;
    let verdict = WorkVerdict::parse_action(&f.action)?;
    let mut tx = state.db.write().await?;
    let campaign = service::decide(&mut tx, &v, id, verdict).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/campaigns/{campaign}#ranking")).into_response())
}

#[derive(Template)]
#[template(path = "campaigns/library.html")]
struct LibraryPage {
    page: Page,
    works: Vec<LibraryWork>,
    page_no: i64,
    has_more: bool,
}

/// The works library (作品库), for everyone: chosen works whose article is published.
pub async fn library(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<PageParams>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (works, has_more) = super::library::works(&mut tx, &p).await?;
    html(&LibraryPage {
        page: Page::new(&ctx, "/read"),
        works,
        page_no: p.page(),
        has_more,
    })
}

/// Serves an uploaded file (`/files/{id}`) to those who may see it: an article's to those
/// who may see the article, a work's to those who may see the work. Byte ranges work.
pub async fn serve_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<FileId>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let f = crate::files::service::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let visible = match (f.article_id, f.work_id) {
        (Some(article), _) => crate::news::service::may_see_files(&mut tx, &ctx, article).await?,
        (None, Some(work)) => service::may_see_work(&mut tx, &ctx, work).await?,
        (None, None) => false,
    };
    drop(tx);
    if !visible {
        // The file exists: a refusal, shown as not found and audited.
        return Err(AppError::OutOfScope);
    }
    // A work's file keeps a neutral name until the work is chosen: judges score blind, and
    // file names often carry their author's name.
    let shown_name = if f.article_id.is_some() {
        f.original_name.clone()
    } else {
        format!("work-file-{}", f.id)
    };
    crate::files::service::respond(&state.config.effective_upload_dir(), &f, &shown_name, req).await
}
