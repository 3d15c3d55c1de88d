//! SQL of the video library: a video, who sees it, the lists, and the views counted once per
//! viewer and day.

use super::model::{NewVideo, VideoId};
use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::{AccountId, EventId, FileId, UnitId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// A video with its unit and its views.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct VideoRow {
    pub id: VideoId,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub event_id: Option<EventId>,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: super::model::VideoKind,
    pub description: String,
    pub url: Option<String>,
    /// The uploaded file (`/videos/{id}/file`), if any.
    pub file_id: Option<FileId>,
    pub public: bool,
    /// Viewers counted once a day.
    pub views: i64,
    pub created_at: DateTime<Utc>,
}

macro_rules! video_select {
    ($where:expr) => {
        concat!(
            "SELECT v.id, v.unit_id, u.name AS unit_name, u.path AS unit_path, v.event_id, v.title,
                    v.kind, v.description, v.url, v.file_id, v.public, v.views, v.created_at
             FROM videos v JOIN units u ON u.id = v.unit_id WHERE ",
            $where
        )
    };
}

/// SQL condition: the video `v` (its unit `u`) is seen by the caller bound as `$1..$3` (any
/// role's scope: all, account, roles) and `$4` (the unit path of the caller's own file, ''):
/// public; in the scope of a grant over it; for staff below it; or a member filed below it.
macro_rules! video_seen {
    () => {
        concat!(
            "(v.public OR ",
            crate::in_scope!("u"),
            " OR ($4 <> '' AND ",
            crate::under!("$4", "u.path"),
            ") OR EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id
                 WHERE g.account_id = $2 AND g.revoked_at IS NULL AND ",
            crate::role_in!("g.role", "$3"),
            " AND ",
            crate::under!("gu.path", "u.path"),
            "))"
        )
    };
}

pub async fn insert(
    tx: &mut Tx,
    unit: UnitId,
    v: &NewVideo,
    file: Option<FileId>,
    by: AccountId,
) -> Result<VideoId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO videos (unit_id, event_id, title, kind, description, url, file_id, public, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(unit).bind(v.event).bind(&v.title).bind(v.kind.as_str()).bind(&v.description)
        .bind(&v.url).bind(file).bind(v.public).bind(by).bind(now())
        .fetch_one(c).await)
}

pub async fn get(tx: &mut Tx, id: VideoId) -> Result<Option<VideoRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, VideoRow>(video_select!("v.id = $1"))
        .bind(id).fetch_optional(c).await)
}

pub async fn seen(tx: &mut Tx, s: &Scope, path: &str, id: VideoId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM videos v JOIN units u ON u.id = v.unit_id WHERE v.id = $5 AND ",
        video_seen!()))
        .bind(s.all).bind(s.account).bind(s.roles).bind(path).bind(id)
        .fetch_one(c).await)?;
    Ok(n > 0)
}

/// The videos the caller sees, of units at or below `within` ('' for any), newest first.
pub async fn list(
    tx: &mut Tx,
    s: &Scope,
    path: &str,
    within: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<VideoRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, VideoRow>(concat!(
        video_select!("($5 = '' OR "), crate::under!("u.path", "$5"), ") AND ", video_seen!(),
        " ORDER BY v.id DESC LIMIT $6 OFFSET $7"))
        .bind(s.all).bind(s.account).bind(s.roles).bind(path).bind(within)
        .bind(limit).bind(offset)
        .fetch_all(c).await)
}

/// Public videos, newest first.
pub async fn public(tx: &mut Tx, limit: i64, offset: i64) -> Result<Vec<VideoRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, VideoRow>(concat!(
        video_select!("v.public"), " ORDER BY v.id DESC LIMIT $1 OFFSET $2"))
        .bind(limit).bind(offset).fetch_all(c).await)
}

/// An event's recordings.
pub async fn of_event(tx: &mut Tx, event: EventId) -> Result<Vec<VideoRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, VideoRow>(concat!(
        video_select!("v.event_id = $1"), " ORDER BY v.id"))
        .bind(event).fetch_all(c).await)
}

/// Counts one view per viewer per day; true when this view was new. `also` is recorded for
/// the same view without counting it (the cookie set on an anonymous reader's first visit).
pub async fn record_view(
    tx: &mut Tx,
    id: VideoId,
    day: &str,
    visitor: &str,
    also: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let mut new = false;
    for (key, counts) in [(Some(visitor), true), (also, false)] {
        let Some(key) = key else { continue };
        let n = on_tx!(tx, c => sqlx::query(
            "INSERT INTO video_views (video_id, day, visitor) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(id).bind(day).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
        new |= counts && n == 1;
    }
    if new {
        on_tx!(tx, c => sqlx::query("UPDATE videos SET views = views + 1 WHERE id = $1")
            .bind(id).execute(c).await.map(|_| ()))?;
    }
    Ok(new)
}

/// Sets a video's views (the generators).
pub async fn set_views(tx: &mut Tx, id: VideoId, views: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE videos SET views = $2 WHERE id = $1")
        .bind(id).bind(views).execute(c).await.map(|_| ()))
}
