//! Decoding uploaded images within a memory budget. A small file can claim a huge canvas (a
//! 100-byte PNG header may say 30,000 × 30,000 pixels), so the canvas is checked against the
//! budget before its pixels are allocated. Used by person photos and article attachments.

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

/// The most bytes one decoded image may take: 24 megapixels with alpha, 32 without (phones
/// take 12). Decoding, turning upright and shrinking stay under about three times this.
pub const MAX_DECODED_BYTES: u64 = 96 << 20;
/// The longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 12_000;

/// Why an upload is not an image we take.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not one of the accepted formats, or damaged.
    NotAccepted,
    /// Its canvas is over the budget.
    TooLarge,
}

impl Refused {
    /// The message for the upload's `field`: `not_accepted` is the upload's own message for a
    /// file that is not an image it takes.
    pub fn field_error(
        self,
        field: &'static str,
        not_accepted: &'static str,
    ) -> crate::error::FieldError {
        match self {
            Refused::TooLarge => crate::error::FieldError::new(field, "validation.image_too_large"),
            Refused::NotAccepted => crate::error::FieldError::new(field, not_accepted),
        }
    }
}

/// Decodes `data` when its content (not its name) is one of `accept`, turned upright as its
/// EXIF orientation says.
pub fn decode(data: &[u8], accept: &[ImageFormat]) -> Result<(DynamicImage, ImageFormat), Refused> {
    let refused = |e: ImageError| match e {
        ImageError::Limits(_) => Refused::TooLarge,
        _ => Refused::NotAccepted,
    };
    let mut reader = ImageReader::new(std::io::Cursor::new(data))
        .with_guessed_format()
        .map_err(|_| Refused::NotAccepted)?;
    let format = reader
        .format()
        .filter(|f| accept.contains(f))
        .ok_or(Refused::NotAccepted)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refused)?;
    // `into_decoder` checks the sides but not the canvas (image 0.25 checks it only in
    // `ImageReader::decode`, which cannot turn the picture upright): check it here.
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(Refused::TooLarge);
    }
    let orientation = decoder.orientation().map_err(refused)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(refused)?;
    img.apply_orientation(orientation);
    Ok((img, format))
}

/// A PNG whose header claims `width × height` grey pixels and whose data holds one: what an
/// attacker sends. For tests.
#[doc(hidden)]
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = DynamicImage::new_luma8(1, 1).write_to(&mut out, ImageFormat::Png);
    let mut b = out.into_inner();
    // Signature (8 bytes), IHDR length (4), type (4), then width and height; the CRC covers
    // the type and the 13 data bytes.
    b[16..20].copy_from_slice(&width.to_be_bytes());
    b[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&b[12..29]);
    b[29..33].copy_from_slice(&crc.to_be_bytes());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canvas_over_the_budget_is_refused_before_it_is_allocated() {
        let png = &[ImageFormat::Png];
        // 11,000 × 11,000 grey pixels would take 121 MB.
        assert_eq!(
            decode(&png_claiming(11_000, 11_000), png).err(),
            Some(Refused::TooLarge)
        );
        assert_eq!(
            decode(&png_claiming(20_000, 10), png).err(),
            Some(Refused::TooLarge)
        );
        // Under the budget the same trick gets as far as the missing pixels.
        assert_eq!(
            decode(&png_claiming(900, 900), png).err(),
            Some(Refused::NotAccepted)
        );
        let (img, format) = decode(&png_claiming(1, 1), png).unwrap();
        assert_eq!((img.width(), format), (1, ImageFormat::Png));
        // The content decides, so a PNG is refused where only JPEG is accepted.
        assert_eq!(
            decode(&png_claiming(1, 1), &[ImageFormat::Jpeg]).err(),
            Some(Refused::NotAccepted)
        );
    }
}
