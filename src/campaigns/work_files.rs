//! The files of works (a recording, a photo of the calligraphy): who may add one and when,
//! who may see them before the work is chosen, and recording an upload with its audit entry.

use super::repo;
use super::states::{CampaignState, WorkState};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::{FileId, WorkId};
use crate::web::auth::Viewer;

/// Whether the caller may see a work's files before it is chosen: its author, the judges and
/// organisers of its campaign, or (outside campaigns) editors over the author's unit.
pub async fn may_see_work(
    tx: &mut Tx,
    ctx: &crate::web::session::Ctx,
    work: WorkId,
) -> AppResult<bool> {
    let Some(p) = ctx.full_principal() else {
        return Ok(false);
    };
    let Some(w) = repo::work(tx, work).await? else {
        return Ok(false);
    };
    if w.author_id == p.id {
        return Ok(true);
    }
    let unit = match w.campaign_id {
        Some(c) => {
            if repo::is_judge(tx, c, p.id).await? {
                return Ok(true);
            }
            repo::get(tx, c).await?.map(|c| c.unit_id)
        }
        None => Some(w.unit_id),
    };
    let (Some(unit), Ok(s)) = (unit, p.scope(Perm::ManageNews)) else {
        return Ok(false);
    };
    Ok(crate::units::service::get_in_scope(tx, &s, unit)
        .await?
        .is_some())
}

/// The author adds a file (a recording, a photo of the calligraphy) to their work while it
/// can still change: received, and its campaign (if any) still open.
pub async fn may_add_file(tx: &mut Tx, v: &Viewer, work: WorkId) -> AppResult<repo::Work> {
    let w = repo::work(tx, work).await?.ok_or(AppError::NotFound)?;
    if w.author_id != v.p.id {
        // Someone else's work: a refusal, shown as not found and audited.
        return Err(AppError::OutOfScope);
    }
    if w.state != WorkState::Received || !campaign_open(tx, &w).await? {
        return Err(AppError::field("file", "campaign.closed"));
    }
    Ok(w)
}

/// Whether the work's campaign (if any) still takes submissions.
async fn campaign_open(tx: &mut Tx, w: &repo::Work) -> AppResult<bool> {
    Ok(match w.campaign_id {
        Some(c) => repo::get(tx, c)
            .await?
            .is_some_and(|c| c.state == CampaignState::Open),
        None => true,
    })
}

/// Records a received file for `work` (checked first with [`may_add_file`]) in the caller's
/// write transaction, with its audit entry.
pub async fn add_file(
    tx: &mut Tx,
    v: &Viewer,
    work: WorkId,
    f: crate::files::Received,
) -> AppResult<FileId> {
    // The upload took time: the work may have been chosen or the campaign closed meanwhile.
    let w = may_add_file(tx, v, work).await?;
    let (id, detail) = crate::files::service::record(tx, f, None, Some(work), v.p.id).await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("attachment.create", format!("work:{work}"))
            .unit(w.unit_id.0)
            .detail(detail),
    )
    .await?;
    Ok(id)
}
