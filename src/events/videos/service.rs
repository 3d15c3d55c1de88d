//! The video library: adding a video (a file received before the transaction, or a link) to a
//! unit or as an event's recording, who sees one, the lists, and the views.

use super::model::{NewVideo, VideoId};
use super::repo::{self, VideoRow};
use crate::access::{Perm, RoleSet, Scope};
use crate::audit::{self as audit, model::Event as AuditEvent};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::files::Attachment;
use crate::ids::{EventId, UnitId};
use crate::units::service as units;
use crate::web::auth::Viewer;
use crate::web::session::Ctx;
use serde_json::json;

/// Whom the caller is, for seeing videos: any role's scope and their own file's unit path.
async fn seer(tx: &mut Tx, ctx: &Ctx) -> AppResult<(Scope, String)> {
    let scope = match ctx.full_principal() {
        Some(p) => Scope::of(p.id.0, RoleSet::ALL),
        None => Scope::of(0, RoleSet::EMPTY),
    };
    Ok((scope, crate::events::service::own_path(tx, ctx).await?))
}

/// Adds a video to a unit where the caller organises events, or as the recording of an event
/// they organise (the video takes its unit). It needs a file or a link; a file must be a
/// video. The file is recorded in the same transaction.
pub async fn create(
    tx: &mut Tx,
    v: &Viewer,
    new: &NewVideo,
    file: Option<crate::files::service::Received>,
) -> AppResult<VideoId> {
    let unit = match new.event {
        Some(event) => {
            let e = crate::events::service::get(tx, v, event).await?;
            if !crate::events::service::manages(v, &e) {
                return Err(AppError::Forbidden);
            }
            e.unit_id
        }
        None => {
            let unit = new
                .unit
                .ok_or(AppError::field("unit_id", "validation.choose"))?;
            units::load(tx, v, Perm::Events, unit).await?.id
        }
    };
    if file.is_none() && new.url.is_none() {
        return Err(AppError::field("url", "video.source_required"));
    }
    let file_id = match file {
        Some(f) if f.kind() != "video" => return Err(AppError::field("file", "video.not_video")),
        Some(f) => Some(
            crate::files::service::record(tx, f, None, None, v.p.id)
                .await?
                .0,
        ),
        None => None,
    };
    let id = repo::insert(tx, unit, new, file_id, v.p.id).await?;
    let event = AuditEvent::ok("video.create", format!("video:{id}"))
        .unit(unit)
        .detail(
            json!({ "title": new.title, "kind": new.kind.as_str(), "event": new.event,
                        "file": file_id, "url": new.url, "public": new.public }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// A video the caller sees; anything else is 404.
pub async fn get(tx: &mut Tx, ctx: &Ctx, id: VideoId) -> AppResult<VideoRow> {
    let video = repo::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let (scope, path) = seer(tx, ctx).await?;
    if repo::seen(tx, &scope, &path, id).await? {
        Ok(video)
    } else if ctx.full_principal().is_some() {
        Err(AppError::OutOfScope)
    } else {
        Err(AppError::NotFound)
    }
}

/// A video watched: counted once per viewer and day (`keys` from `web::readers`).
pub async fn watch(
    tx: &mut Tx,
    ctx: &Ctx,
    id: VideoId,
    (who, also): (&str, Option<&str>),
) -> AppResult<VideoRow> {
    let mut video = get(tx, ctx, id).await?;
    let day = crate::i18n::china_today().to_string();
    if repo::record_view(tx, id, &day, who, also).await? {
        video.views += 1;
    }
    Ok(video)
}

/// A video's file, for one who sees the video.
pub async fn file_of(tx: &mut Tx, ctx: &Ctx, id: VideoId) -> AppResult<(VideoRow, Attachment)> {
    let video = get(tx, ctx, id).await?;
    let file = match video.file_id {
        Some(f) => crate::files::service::get(tx, f).await?,
        None => None,
    };
    Ok((video, file.ok_or(AppError::NotFound)?))
}

/// The videos the caller sees, of units at or below `within`, newest first.
pub async fn list(
    tx: &mut Tx,
    v: &Viewer,
    within: Option<UnitId>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<VideoRow>> {
    let within = match within {
        Some(u) => units::load(tx, v, Perm::ViewUnits, u).await?.path,
        None => String::new(),
    };
    let (scope, path) = seer(tx, &v.ctx).await?;
    Ok(repo::list(tx, &scope, &path, &within, limit, offset).await?)
}

/// Public videos, newest first.
pub async fn public(tx: &mut Tx, limit: i64, offset: i64) -> AppResult<Vec<VideoRow>> {
    Ok(repo::public(tx, limit, offset).await?)
}

/// An event's recordings the caller sees, and their views summed.
pub async fn of_event(tx: &mut Tx, ctx: &Ctx, event: EventId) -> AppResult<(Vec<VideoRow>, i64)> {
    let (scope, path) = seer(tx, ctx).await?;
    let mut out = Vec::new();
    for video in repo::of_event(tx, event).await? {
        if repo::seen(tx, &scope, &path, video.id).await? {
            out.push(video);
        }
    }
    let views = out.iter().map(|v| v.views).sum();
    Ok((out, views))
}
