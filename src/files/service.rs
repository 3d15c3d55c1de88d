//! Receiving, recording and serving files. The caller checks who may attach or see a file;
//! these functions take the caller's transaction and never open one.

use super::model::{Attachment, MAX_UPLOAD, NewAttachment, sniff, strip_image};
use super::repo;
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::{AccountId, ArticleId, FileId, WorkId};
use axum::extract::{Multipart, Request};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::path::Path;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

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

impl Received {
    /// image, audio or video, as its content says.
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

/// Streams the `file` part of an upload to the upload directory and checks it by content;
/// the file is removed again unless recorded with [`record`].
/// No transaction is held meanwhile: the upload may take minutes.
pub async fn receive(dir: &Path, mut mp: Multipart) -> AppResult<Received> {
    let field = loop {
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
    receive_field(dir, field).await
}

/// Streams one file part (found by the caller, after the form's other fields) to the upload
/// directory and checks it by content, as [`receive`].
pub async fn receive_field(
    dir: &Path,
    mut field: axum::extract::multipart::Field<'_>,
) -> AppResult<Received> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let key = crate::crypto::random_token(16);
    let path = dir.join(&key);
    let temp = TempFile(Some(path.clone()));
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
    article: Option<ArticleId>,
    work: Option<WorkId>,
    by: AccountId,
) -> Result<(FileId, serde_json::Value), sqlx::Error> {
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

fn json_detail(id: FileId, kind: &str, mime: &str, size: usize) -> serde_json::Value {
    serde_json::json!({ "attachment_id": id, "kind": kind, "content_type": mime, "bytes": size })
}

/// One file.
pub async fn get(tx: &mut Tx, id: FileId) -> AppResult<Option<Attachment>> {
    Ok(repo::get(tx, id).await?)
}

/// The files of an article, oldest first.
pub async fn of_article(tx: &mut Tx, article: ArticleId) -> Result<Vec<Attachment>, sqlx::Error> {
    repo::of_article(tx, article).await
}

/// The files of a work, oldest first.
pub async fn of_work(tx: &mut Tx, work: WorkId) -> Result<Vec<Attachment>, sqlx::Error> {
    repo::of_work(tx, work).await
}

/// A chosen work's files become its article's.
pub async fn move_to_article(
    tx: &mut Tx,
    work: WorkId,
    article: ArticleId,
) -> Result<(), sqlx::Error> {
    repo::move_to_article(tx, work, article).await
}

/// Serves a file from `dir` with its checked type, under `shown_name`; byte ranges work
/// (video seeking). The caller has checked that the requester may see it.
pub async fn respond(
    dir: &Path,
    f: &Attachment,
    shown_name: &str,
    req: Request,
) -> AppResult<Response> {
    let path = dir.join(&f.storage_key);
    let mime = f.content_type.parse().map_err(|_| AppError::NotFound)?;
    let resp = tower_http::services::ServeFile::new_with_mime(path, &mime)
        .oneshot(req)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let mut resp = resp.into_response();
    let ascii: String = shown_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c))
        .collect();
    // Percent-encoded for `filename*` (RFC 6266), as the query encoder writes it.
    let encoded = serde_urlencoded::to_string([("", shown_name)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default();
    let disposition = format!(
        "inline; filename=\"{}\"; filename*=UTF-8''{}",
        if ascii.is_empty() { "file" } else { &ascii },
        encoded
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
