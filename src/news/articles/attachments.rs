//! Attachments of articles (the files themselves are the `files` library's): who may attach
//! a file to an article and when, the cover image, and who may see an article's files.

use super::repo;
use super::service;
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::files::{Attachment, Received};
use crate::ids::{ArticleId, FileId};
use crate::news::Article;
use crate::web::auth::Viewer;

/// Whether the caller may attach files to `article` now (the author, or a writer over its
/// unit, while it is a draft or rejected); checked before the upload is read, so a refused
/// caller's file is not streamed to disk.
pub async fn may_upload(tx: &mut Tx, v: &Viewer, article: ArticleId) -> AppResult<Article> {
    let a = service::load(tx, v, article).await?;
    let s = v.scope(Perm::WriteNews)?;
    let in_scope = crate::units::service::get_in_scope(tx, &s, a.unit_id)
        .await?
        .is_some();
    if a.author_id != v.p.id && !in_scope {
        return Err(AppError::Forbidden);
    }
    if !a.state.editable() {
        return Err(AppError::field("file", "news.not_editable"));
    }
    Ok(a)
}

/// Records a received file for `article` (checked first with [`may_upload`]) in the
/// caller's write transaction, with its audit entry.
pub async fn attach(tx: &mut Tx, v: &Viewer, article: ArticleId, f: Received) -> AppResult<FileId> {
    // The upload took time: the article may have gone to review meanwhile.
    let a = repo::get(tx, article).await?.ok_or(AppError::NotFound)?;
    if !a.state.editable() {
        return Err(AppError::field("file", "news.not_editable"));
    }
    let (id, detail) = crate::files::service::record(tx, f, Some(article), None, v.p.id).await?;
    let event = Event::ok("attachment.create", format!("article:{article}"))
        .unit(a.unit_id.0)
        .detail(detail);
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// Makes image `file` of a draft or rejected article its cover and share image (the author,
/// or a writer over the article's unit).
pub async fn choose_cover(tx: &mut Tx, v: &Viewer, id: ArticleId, file: FileId) -> AppResult<()> {
    let a = service::load(tx, v, id).await?;
    if !a.state.editable() {
        return Err(AppError::field("file", "news.not_editable"));
    }
    let s = v.scope(Perm::WriteNews)?;
    let writes_here = crate::units::service::get_in_scope(tx, &s, a.unit_id)
        .await?
        .is_some();
    if a.author_id != v.p.id && !writes_here {
        return Err(AppError::Forbidden);
    }
    if !repo::set_cover(tx, id, file).await? {
        return Err(AppError::field("file", "validation.cover_image"));
    }
    let event = Event::ok("article.cover", format!("article:{id}"))
        .unit(a.unit_id.0)
        .detail(serde_json::json!({ "attachment_id": file }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The files of an article the caller sees as staff, and the cover's id.
pub async fn of_article(
    tx: &mut Tx,
    v: &Viewer,
    id: ArticleId,
) -> AppResult<(Vec<Attachment>, Option<FileId>)> {
    service::load(tx, v, id).await?;
    Ok((
        crate::files::service::of_article(tx, id).await?,
        repo::cover_of(tx, id).await?,
    ))
}

/// Whether the caller may see an article's files: anyone once published, else staff who
/// see the article.
pub async fn may_see_files(
    tx: &mut Tx,
    ctx: &crate::web::session::Ctx,
    article: ArticleId,
) -> AppResult<bool> {
    let Some(a) = repo::get(tx, article).await? else {
        return Ok(false);
    };
    if a.state.is_published() {
        return Ok(true);
    }
    let Some(p) = ctx.full_principal() else {
        return Ok(false);
    };
    let Ok(s) = p.scope(Perm::ReadDrafts) else {
        return Ok(false);
    };
    Ok(repo::get_for_staff(tx, &s, article).await?.is_some())
}
