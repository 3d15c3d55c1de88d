//! Recordings and micro-lessons (微党课、微视频): a unit's video library. A video is a file or a
//! link, optionally the recording of an event, public or for the unit's subtree; its views are
//! counted once per viewer and day, beside the event's attendance.

pub mod api;
pub mod model;
pub mod pages;
mod repo;
pub mod service;

pub use model::VideoId;
pub use repo::VideoRow;

/// Inserts a video with the views it has had (the generators).
pub(crate) async fn bulk_insert(
    tx: &mut crate::db::Tx,
    unit: crate::ids::UnitId,
    v: &model::NewVideo,
    by: crate::ids::AccountId,
    views: i64,
) -> Result<VideoId, sqlx::Error> {
    let id = repo::insert(tx, unit, v, None, by).await?;
    repo::set_views(tx, id, views).await?;
    Ok(id)
}
