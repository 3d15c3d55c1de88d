//! What is stored about an uploaded file, the kinds accepted, and the checks by content.

use crate::error::FieldError;
use crate::ids::{AccountId, ArticleId, FileId, WorkId};

/// The largest upload of any kind (video); the routes' body limit.
pub const MAX_UPLOAD: usize = 200 << 20;

/// What is stored about an attached file.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: FileId,
    /// The article it belongs to; none while it belongs to a work not yet chosen.
    pub article_id: Option<ArticleId>,
    #[serde(skip)]
    pub work_id: Option<WorkId>,
    /// image, audio or video.
    pub kind: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub original_name: String,
    #[serde(skip)]
    pub storage_key: String,
}

/// A file to record.
pub(super) struct NewAttachment<'a> {
    pub article: Option<ArticleId>,
    pub work: Option<WorkId>,
    pub kind: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub original_name: &'a str,
    pub by: AccountId,
}

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
