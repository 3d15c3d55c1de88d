//! Attachments of articles: images, audio and video, checked by their content (not their
//! name), size-limited per kind, streamed to the upload directory, and served with their
//! checked type, `Content-Disposition` and byte ranges (for video), only to those who may see
//! the article.

use super::attachments_repo::{self as repo, Attachment, NewAttachment};
use crate::access::Perm;
use crate::audit::{model::Event, repo as audit};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::session::Ctx;
use axum::extract::{Multipart, Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

/// The largest upload of any kind (video); the route's body limit.
pub const MAX_UPLOAD: usize = 200 << 20;

/// The kinds accepted, by the type found in the file's first bytes, with their size limits.
fn kind_of(mime: &str) -> Option<(&'static str, usize)> {
    match mime {
        "image/jpeg" | "image/png" | "image/webp" | "image/gif" => Some(("image", 10 << 20)),
        "audio/mpeg" | "audio/m4a" | "audio/x-m4a" | "audio/mp4" | "audio/ogg" | "audio/x-wav"
        | "audio/wav" => Some(("audio", 50 << 20)),
        "video/mp4" | "video/webm" => Some(("video", MAX_UPLOAD)),
        _ => None,
    }
}

/// The type of a file from its first bytes (`infer`), or None for anything not accepted.
pub fn sniff(head: &[u8]) -> Option<(String, &'static str, usize)> {
    let t = infer::get(head)?;
    let (kind, max) = kind_of(t.mime_type())?;
    Some((t.mime_type().to_string(), kind, max))
}

/// An upload being written: removed again unless kept.
struct TempFile(Option<std::path::PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A checked file written to the upload directory, not yet recorded.
pub struct Received {
    temp: TempFile,
    key: String,
    name: String,
    size: usize,
    mime: String,
    kind: &'static str,
    sha256: String,
}

/// Streams the `file` part of an upload to the upload directory and checks it by content;
/// the file is removed again unless recorded with [`record`].
/// No transaction is held meanwhile: the upload may take minutes.
pub async fn receive(dir: &std::path::Path, mut mp: Multipart) -> AppResult<Received> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let key = crate::crypto::random_token(16);
    let path = dir.join(&key);
    let temp = TempFile(Some(path.clone()));
    let mut field = loop {
        match mp
            .next_field()
            .await
            .map_err(|_| AppError::field("file", "validation.file_unreadable"))?
        {
            Some(f) if f.name() == Some("file") => break f,
            Some(_) => continue,
            None => return Err(AppError::field("file", "validation.file_empty")),
        }
    };
    let name: String = field
        .file_name()
        .unwrap_or("file")
        .chars()
        .take(100)
        .collect();
    let mut out = tokio::fs::File::create(&path)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let (mut size, mut head, mut hash) = (0usize, Vec::with_capacity(1024), Sha256::new());
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|_| AppError::field("file", "validation.attachment_too_large"))?
    {
        size += chunk.len();
        if size > MAX_UPLOAD {
            return Err(AppError::field("file", "validation.attachment_too_large"));
        }
        if head.len() < 1024 {
            head.extend_from_slice(&chunk[..chunk.len().min(1024 - head.len())]);
        }
        hash.update(&chunk);
        out.write_all(&chunk)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    out.flush()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    if size == 0 {
        return Err(AppError::field("file", "validation.file_empty"));
    }
    let (mime, kind, max) =
        sniff(&head).ok_or(AppError::field("file", "validation.attachment_type"))?;
    if size > max {
        return Err(AppError::field("file", "validation.attachment_too_large"));
    }
    let (mime, size, digest): (String, usize, Vec<u8>) = if kind == "image" && mime != "image/gif" {
        // Photos are re-encoded so camera metadata (the GPS position of a retiree's home)
        // never reaches readers.
        let p = path.clone();
        let (bytes, mime) =
            tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, String), FieldError> {
                let data = std::fs::read(&p)
                    .map_err(|_| FieldError::new("file", "validation.file_unreadable"))?;
                let out = strip_image(&data)?;
                std::fs::write(&p, &out.0)
                    .map_err(|_| FieldError::new("file", "validation.file_unreadable"))?;
                Ok(out)
            })
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Validation(vec![e]))?;
        (mime, bytes.len(), Sha256::digest(&bytes).to_vec())
    } else {
        (mime, size, hash.finalize().to_vec())
    };
    Ok(Received {
        temp,
        key,
        name,
        size,
        mime,
        kind,
        sha256: hex::encode(digest),
    })
}

/// Records a received file for an article or a work, in the caller's transaction.
pub async fn record(
    tx: &mut crate::db::Tx,
    mut f: Received,
    article: Option<i64>,
    work: Option<i64>,
    by: i64,
) -> Result<(i64, serde_json::Value), sqlx::Error> {
    let id = repo::insert(
        tx,
        &NewAttachment {
            article,
            work,
            kind: f.kind,
            content_type: &f.mime,
            size: f.size as i64,
            sha256: &f.sha256,
            storage_key: &f.key,
            original_name: &f.name,
            by,
        },
    )
    .await?;
    // Kept from here on; should the caller's transaction roll back, the file is an orphan
    // under a random name that nothing serves.
    f.temp.0 = None;
    Ok((id, json_detail(id, f.kind, &f.mime, f.size)))
}

/// Whether the caller may attach files to `article` now (the author, or a writer over its
/// unit, while it is a draft or rejected); checked before the upload is read, so a refused
/// caller's file is not streamed to disk.
pub async fn may_upload(tx: &mut Tx, v: &Viewer, article: i64) -> AppResult<super::repo::Article> {
    let a = super::service::load(tx, v, article).await?;
    let s = v.scope(Perm::WriteNews)?;
    let in_scope = crate::units::repo::get_in_scope(tx, &s, crate::units::model::UnitId(a.unit_id))
        .await?
        .is_some();
    if a.author_id != v.p.id.0 && !in_scope {
        return Err(AppError::Forbidden);
    }
    if !matches!(a.state.as_str(), "draft" | "rejected") {
        return Err(AppError::field("file", "news.not_editable"));
    }
    Ok(a)
}

/// Records a received file for `article` (checked first with [`may_upload`]) in the
/// caller's write transaction, with its audit entry.
pub async fn attach(tx: &mut Tx, v: &Viewer, article: i64, f: Received) -> AppResult<i64> {
    // The upload took time: the article may have gone to review meanwhile.
    let a = super::repo::get(tx, article)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(a.state.as_str(), "draft" | "rejected") {
        return Err(AppError::field("file", "news.not_editable"));
    }
    let (id, detail) = record(tx, f, Some(article), None, v.p.id.0).await?;
    let event = Event::ok("attachment.create", format!("article:{article}"))
        .unit(a.unit_id)
        .detail(detail);
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

fn json_detail(id: i64, kind: &str, mime: &str, size: usize) -> serde_json::Value {
    serde_json::json!({ "attachment_id": id, "kind": kind, "content_type": mime, "bytes": size })
}

/// Whether the caller may see an article's files: anyone once published, else staff who
/// see the article.
pub async fn may_see(tx: &mut Tx, ctx: &Ctx, article: i64) -> AppResult<bool> {
    let Some(a) = super::repo::get(tx, article).await? else {
        return Ok(false);
    };
    if a.state == "published" {
        return Ok(true);
    }
    let Some(p) = ctx.full_principal() else {
        return Ok(false);
    };
    let Ok(s) = p.scope(Perm::ReadDrafts) else {
        return Ok(false);
    };
    Ok(super::repo::get_for_staff(tx, &s, article).await?.is_some())
}

/// Serves a file with its checked type; byte ranges work (video seeking).
pub async fn serve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    req: Request,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let f: Attachment = repo::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let visible = match (f.article_id, f.work_id) {
        (Some(article), _) => may_see(&mut tx, &ctx, article).await?,
        (None, Some(work)) => crate::campaigns::service::may_see_work(&mut tx, &ctx, work).await?,
        (None, None) => false,
    };
    drop(tx);
    if !visible {
        // The file exists: a refusal, shown as not found and audited.
        return Err(AppError::OutOfScope);
    }
    let path = state.config.effective_upload_dir().join(&f.storage_key);
    let mime = f.content_type.parse().map_err(|_| AppError::NotFound)?;
    let resp = tower_http::services::ServeFile::new_with_mime(path, &mime)
        .oneshot(req)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let mut resp = resp.into_response();
    // A work's file keeps a neutral name until the work is chosen: judges score blind, and
    // file names often carry their author's name.
    let shown_name = if f.article_id.is_some() {
        f.original_name.clone()
    } else {
        format!("work-file-{}", f.id)
    };
    let ascii: String = shown_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c))
        .collect();
    let disposition = format!(
        "inline; filename=\"{}\"; filename*=UTF-8''{}",
        if ascii.is_empty() { "file" } else { &ascii },
        crate::web::render::urlencode(&shown_name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(resp)
}

/// Makes image `file` of a draft or rejected article its cover and share image (the author,
/// or a writer over the article's unit).
pub async fn choose_cover(tx: &mut Tx, v: &Viewer, id: i64, file: i64) -> AppResult<()> {
    let a = super::service::load(tx, v, id).await?;
    if !matches!(a.state.as_str(), "draft" | "rejected") {
        return Err(AppError::field("file", "news.not_editable"));
    }
    let s = v.scope(Perm::WriteNews)?;
    let writes_here =
        crate::units::repo::get_in_scope(tx, &s, crate::units::model::UnitId(a.unit_id))
            .await?
            .is_some();
    if a.author_id != v.p.id.0 && !writes_here {
        return Err(AppError::Forbidden);
    }
    if !repo::set_cover(tx, id, file).await? {
        return Err(AppError::field("file", "validation.cover_image"));
    }
    let event = Event::ok("article.cover", format!("article:{id}"))
        .unit(a.unit_id)
        .detail(serde_json::json!({ "attachment_id": file }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The files of an article the caller sees as staff, and the cover's id.
pub async fn of_article(
    tx: &mut Tx,
    v: &Viewer,
    id: i64,
) -> AppResult<(Vec<Attachment>, Option<i64>)> {
    super::service::load(tx, v, id).await?;
    Ok((
        repo::of_article(tx, id).await?,
        repo::cover_of(tx, id).await?,
    ))
}

/// Decodes an image and writes it again without its metadata (EXIF, GPS, comments): PNG
/// stays PNG, JPEG and WebP become JPEG. Large images keep their size up to 4,000 pixels.
pub fn strip_image(data: &[u8]) -> Result<(Vec<u8>, String), FieldError> {
    use image::ImageFormat;
    let bad = || FieldError::new("file", "validation.attachment_type");
    let (mut img, format) = crate::images::decode(
        data,
        &[ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP],
    )
    .map_err(|r| r.field_error("file", "validation.attachment_type"))?;
    if img.width() > 4000 || img.height() > 4000 {
        img = img.thumbnail(4000, 4000);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    if format == ImageFormat::Png {
        img.write_to(&mut out, ImageFormat::Png)
            .map_err(|_| bad())?;
        Ok((out.into_inner(), "image/png".into()))
    } else {
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
            .encode_image(&img.to_rgb8())
            .map_err(|_| bad())?;
        Ok((out.into_inner(), "image/jpeg".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes_not_their_names() {
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
        ];
        assert_eq!(sniff(&png).map(|s| s.1), Some("image"));
        let mp3 = [b'I', b'D', b'3', 3, 0, 0, 0, 0, 0, 0];
        assert_eq!(sniff(&mp3).map(|s| s.1), Some("audio"));
        let mp4 = [
            0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'm', b'p', b'4', b'2', 0, 0, 0, 0,
        ];
        assert_eq!(sniff(&mp4).map(|s| s.1), Some("video"));
        assert!(sniff(b"<html><script>alert(1)</script>").is_none());
        assert!(
            sniff(b"MZ\x90\x00\x03\x00\x00\x00").is_none(),
            "no programs"
        );
        assert!(sniff(b"%PDF-1.7").is_none(), "only images, audio and video");
    }
}
