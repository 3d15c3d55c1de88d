//! Video library pages: the library (a unit's videos, newest first), adding one (a file
//! uploaded or a link, optionally as an event's recording), watching one (a view counted),
//! its file, and the public library.

use super::model::{NewVideo, VideoForm, VideoId, VideoKind};
use super::repo::VideoRow;
use super::service;
use crate::access::{PEOPLE_KEEPERS, Perm, Scope};
use crate::error::{AppError, AppResult};
use crate::ids::{EventId, UnitId};
use crate::state::AppState;
use crate::units::{Unit, service as units};
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::extract::{Multipart, Path, Query, Request, State as AxState};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LibraryQuery {
    unit: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "videos/list.html")]
struct LibraryPage {
    page: Page,
    videos: Vec<VideoRow>,
    organiser: bool,
    page_no: i64,
    has_more: bool,
    keep: String,
}

const SIZE: i64 = 30;

pub async fn library(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<LibraryQuery>,
) -> AppResult<Response> {
    let mut f = crate::web::form::Fields::new();
    let unit = f.optional_id::<UnitId>("unit", q.unit.as_deref());
    let unit = f.done(unit)?;
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut tx = state.db.read().await?;
    let mut videos = service::list(&mut tx, &v, unit, SIZE + 1, (page_no - 1) * SIZE).await?;
    let has_more = videos.len() as i64 > SIZE;
    videos.truncate(SIZE as usize);
    html(&LibraryPage {
        page: Page::new(&v.ctx, "/videos"),
        videos,
        organiser: v.p.can(Perm::Events),
        page_no,
        has_more,
        keep: unit.map(|u| format!("unit={u}&")).unwrap_or_default(),
    })
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewQuery {
    event: Option<String>,
}

#[derive(Template)]
#[template(path = "videos/form.html")]
struct FormPage {
    page: Page,
    units: Vec<Unit>,
    kinds: &'static [VideoKind],
    event: Option<(EventId, String)>,
}

pub async fn new_video(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    v.scope(Perm::Events)?;
    let mut tx = state.db.read().await?;
    let event = match q.event.as_deref().and_then(|e| e.parse::<i64>().ok()) {
        Some(e) => {
            let e = crate::events::service::get(&mut tx, &v, EventId(e)).await?;
            Some((e.id, e.title))
        }
        None => None,
    };
    let units = units::list(&mut tx, &Scope::of(v.p.id.0, PEOPLE_KEEPERS), false, 2000).await?;
    html(&FormPage {
        page: Page::new(&v.ctx, "/videos"),
        units,
        kinds: VideoKind::ALL,
        event,
    })
}

/// Reads the form's fields and its file: the file is streamed to the upload directory before
/// any transaction opens (a video may take minutes), and recorded with the video.
pub async fn create_video(
    AxState(state): AxState<AppState>,
    v: Viewer,
    mut mp: Multipart,
) -> AppResult<Response> {
    v.scope(Perm::Events)?;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut file = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::field("file", "validation.file_unreadable"))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if field.file_name().is_some_and(|n| !n.is_empty()) {
                let dir = state.config.effective_upload_dir();
                file = Some(crate::files::service::receive_field(&dir, field).await?);
            }
        } else if fields.len() < 20 {
            let text = field
                .text()
                .await
                .map_err(|_| AppError::field("file", "validation.file_unreadable"))?;
            fields.push((name, text.chars().take(2000).collect()));
        }
    }
    let body = serde_urlencoded::to_string(&fields).map_err(|e| AppError::Internal(e.into()))?;
    let raw: VideoForm = crate::web::form(body.as_bytes())?;
    let new = NewVideo::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let id = service::create(&mut tx, &v, &new, file).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/videos/{id}"), Flash::Created).into_response())
}

#[derive(Template)]
#[template(path = "videos/show.html")]
struct WatchPage {
    page: Page,
    v: VideoRow,
    event: Option<(EventId, String, i64)>,
}

pub async fn watch(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Path(id): Path<VideoId>,
) -> AppResult<Response> {
    let (who, also) = crate::web::readers::reader_keys(&ctx);
    // A write: the view is counted.
    let mut tx = state.db.write().await?;
    let video = service::watch(&mut tx, &ctx, id, (&who, also.as_deref())).await?;
    let event = match (video.event_id, ctx.full_principal()) {
        (Some(e), Some(p)) => {
            let v = Viewer {
                ctx: ctx.clone(),
                p: p.clone(),
            };
            crate::events::service::summary(&mut tx, &v, e).await?
        }
        _ => None,
    };
    tx.commit().await?;
    let path = if ctx.full_principal().is_some() {
        "/videos"
    } else {
        "/read"
    };
    html(&WatchPage {
        page: Page::new(&ctx, path),
        v: video,
        event,
    })
}

/// The video file, to one who sees the video; byte ranges work (seeking).
pub async fn video_file(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Path(id): Path<VideoId>,
    req: Request,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (video, file) = service::file_of(&mut tx, &ctx, id).await?;
    drop(tx);
    crate::files::service::respond(
        &state.config.effective_upload_dir(),
        &file,
        &video.title,
        req,
    )
    .await
}

#[derive(Template)]
#[template(path = "videos/public.html")]
struct PublicPage {
    page: Page,
    videos: Vec<VideoRow>,
    page_no: i64,
    has_more: bool,
}

pub async fn public_videos(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Query(p): Query<PageParams>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let mut videos = service::public(&mut tx, SIZE + 1, (p.page() - 1) * SIZE).await?;
    let has_more = videos.len() as i64 > SIZE;
    videos.truncate(SIZE as usize);
    html(&PublicPage {
        page: Page::new(&ctx, "/read"),
        videos,
        page_no: p.page(),
        has_more,
    })
}
