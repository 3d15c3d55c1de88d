//! The person's photo: use cases, pages and JSON API.
//!
//! Photos are decoded and re-encoded as a small JPEG on upload: only real images pass, and
//! no camera metadata (the GPS position of a retiree's home) is ever stored.

use super::model::PersonId;
use super::photo_repo as repo;
use crate::access::Visible;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

/// Largest photo upload accepted (phone cameras make 3–8 MB files).
pub const MAX_PHOTO_BYTES: usize = 10 << 20;
/// Stored photos fit in this box, which is plenty for a file page on a phone.
const PHOTO_BOX: (u32, u32) = (480, 640);

async fn person_unit(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<crate::ids::UnitId> {
    Ok(super::service::load(tx, v, id).await?.0.unit_id)
}

/// Whether a file the caller may see has a photo, in the caller's transaction.
pub async fn has_photo_in(tx: &mut Tx, who: Visible<PersonId>) -> AppResult<bool> {
    Ok(repo::has_photo(tx, who.id()).await?)
}

/// Decodes an uploaded image (JPEG, PNG or WebP, sniffed by content), turns it upright,
/// shrinks it into [`PHOTO_BOX`] and re-encodes it as JPEG without metadata.
pub fn normalise_photo(data: &[u8]) -> Result<(Vec<u8>, u32, u32), FieldError> {
    use image::ImageFormat;
    let bad = || FieldError::new("photo", "validation.photo_type");
    if data.is_empty() {
        return Err(FieldError::new("photo", "validation.photo_empty"));
    }
    if data.len() > MAX_PHOTO_BYTES {
        return Err(FieldError::new("photo", "validation.photo_too_large"));
    }
    let (img, _) = crate::images::decode(
        data,
        &[ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP],
    )
    .map_err(|r| r.field_error("photo", "validation.photo_type"))?;
    // `thumbnail` also enlarges, so only photos larger than the box are shrunk.
    let img = if img.width() > PHOTO_BOX.0 || img.height() > PHOTO_BOX.1 {
        img.thumbnail(PHOTO_BOX.0, PHOTO_BOX.1)
    } else {
        img
    }
    .to_rgb8();
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .map_err(|_| bad())?;
    Ok((out, w, h))
}

/// An uploaded photo, decoded and re-encoded off the async workers before any write
/// transaction opens; its verdict is given once the file has been checked (so a caller who may
/// not see the file learns nothing about the image).
pub struct PreparedPhoto(Result<(Vec<u8>, u32, u32), FieldError>);

/// Checks the people permission, then normalises the upload on a blocking thread.
pub async fn prepare_photo(v: &Viewer, data: Vec<u8>) -> AppResult<PreparedPhoto> {
    v.scope(crate::access::Perm::People)?;
    let done = tokio::task::spawn_blocking(move || normalise_photo(&data))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(PreparedPhoto(done))
}

/// Stores a prepared photo on a file the caller may see, in the caller's write transaction.
pub async fn set_photo(
    tx: &mut Tx,
    v: &Viewer,
    id: PersonId,
    photo: PreparedPhoto,
) -> AppResult<()> {
    let unit = person_unit(tx, v, id).await?;
    let (jpeg, w, h) = photo.0.map_err(|e| AppError::Validation(vec![e]))?;
    let replaced = repo::has_photo(tx, id).await?;
    repo::set_photo(tx, id, &jpeg, w, h).await?;
    let event = Event::ok("person.photo_set", format!("person:{}", id.0))
        .unit(unit.0)
        .detail(json!({ "replaced": replaced, "width": w, "height": h, "bytes": jpeg.len() }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// Removes the photo of a file the caller may see, in the caller's write transaction.
pub async fn remove_photo(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<()> {
    let unit = person_unit(tx, v, id).await?;
    if !repo::delete_photo(tx, id).await? {
        return Err(AppError::NotFound);
    }
    let event = Event::ok("person.photo_remove", format!("person:{}", id.0)).unit(unit.0);
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The photo of a file the caller may see.
pub async fn photo(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<repo::Photo> {
    person_unit(tx, v, id).await?;
    repo::photo(tx, id).await?.ok_or(AppError::NotFound)
}

/// Reads the `photo` field of a multipart upload.
async fn read_photo(mut mp: Multipart) -> AppResult<Vec<u8>> {
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::field("photo", "validation.photo_type"))?
    {
        if field.name() == Some("photo") {
            return Ok(field
                .bytes()
                .await
                .map_err(|_| AppError::field("photo", "validation.photo_too_large"))?
                .to_vec());
        }
    }
    Err(AppError::field("photo", "validation.photo_empty"))
}

/// Page: uploads or replaces the photo (multipart, CSRF token in the action URL).
pub async fn upload_photo(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    mp: Multipart,
) -> AppResult<Response> {
    let photo = prepare_photo(&v, read_photo(mp).await?).await?;
    let mut tx = state.db.write().await?;
    set_photo(&mut tx, &v, id, photo).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

/// Page: removes the photo.
pub async fn delete_photo(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    remove_photo(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

/// The photo as JPEG, for those who may see the file; never cached by shared caches.
#[utoipa::path(get, path = "/api/v1/people/{id}/photo", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404)))]
pub async fn show_photo(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let photo = photo(&mut tx, &v, id).await?;
    drop(tx);
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"person-{id}.jpg\""),
            ),
            (header::LAST_MODIFIED, photo.updated_at.to_rfc2822()),
        ],
        photo.jpeg,
    )
        .into_response())
}

/// Uploads or replaces the photo: multipart with a `photo` part (JPEG, PNG or WebP).
#[utoipa::path(put, path = "/api/v1/people/{id}/photo", tag = "people", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::web::apidoc::PhotoUpload),
    responses((status = 204), (status = 404), (status = 422)))]
pub async fn api_set_photo(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    mp: Multipart,
) -> AppResult<StatusCode> {
    let photo = prepare_photo(&v, read_photo(mp).await?).await?;
    let mut tx = state.db.write().await?;
    set_photo(&mut tx, &v, id, photo).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/people/{id}/photo", tag = "people", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn api_delete_photo(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    remove_photo(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(format: image::ImageFormat, w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn photos_are_reencoded_as_small_jpegs() {
        let (jpeg, w, h) = normalise_photo(&encoded(image::ImageFormat::Png, 1200, 1600)).unwrap();
        assert_eq!((w, h), (480, 640));
        assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF]);
        let (_, w, h) = normalise_photo(&encoded(image::ImageFormat::Jpeg, 200, 100)).unwrap();
        assert_eq!((w, h), (200, 100), "small photos are not enlarged");
    }

    #[test]
    fn non_images_are_refused_by_content() {
        let html = b"<html><script>alert(1)</script></html>";
        assert_eq!(
            normalise_photo(html).unwrap_err().key,
            "validation.photo_type"
        );
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(
            normalise_photo(gif).unwrap_err().key,
            "validation.photo_type"
        );
        assert_eq!(
            normalise_photo(b"").unwrap_err().key,
            "validation.photo_empty"
        );
        let mut truncated = encoded(image::ImageFormat::Png, 50, 50);
        truncated.truncate(60);
        assert_eq!(
            normalise_photo(&truncated).unwrap_err().key,
            "validation.photo_type"
        );
    }
}
