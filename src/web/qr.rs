//! QR codes for print views (an article on a village notice board, a registration's
//! check-in): an SVG drawn by the `qrcode` crate, to be placed in a page as it is.

use crate::error::{AppError, AppResult};

/// An SVG QR code of `data` (a link), at least `size` pixels square, black on white, with the
/// quiet zone scanners need.
pub fn svg(data: &str, size: u32) -> AppResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_an_svg() {
        let s = super::svg("https://example.org/read/12", 160).unwrap();
        assert!(
            s.starts_with("<?xml") || s.starts_with("<svg"),
            "{}",
            &s[..40]
        );
        assert!(s.contains("<svg") && s.contains("</svg>"));
        // Nothing of the input is copied into the markup.
        assert!(!s.contains("example.org"));
    }
}
