//! ORG-10: the organisation logo. The file's type is read from its bytes
//! (PNG, JPEG or GIF only, whatever the name says), decoding is bounded, and
//! anything larger than 288×96 is scaled down to fit. What is stored is a
//! freshly encoded PNG, so no metadata or trailing payload of the upload
//! survives.

use coffer_shared::ids::OrganisationId;
use std::io::Cursor;

use coffer_shared::members::MemberError;
use coffer_shared::organisations::LogoError;
use coffer_shared::organisations::LogoInfo;
use image::{ImageFormat, ImageReader, Limits};
use serde_json::json;

use crate::kernel::audit::AuditAction;
use crate::kernel::authz::{authorize, Action, Actor};
use crate::kernel::db::now_ms;
use crate::kernel::error::Outcome;
use crate::Coffer;

pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
pub const LOGO_WIDTH: u32 = 288;
pub const LOGO_HEIGHT: u32 = 96;
const MAX_SIDE: u32 = 10_000;
/// About 4 megapixels: what a logo could sensibly need, checked from the
/// header before any pixel is decoded (a small file can claim a huge
/// image).
pub const MAX_PIXELS: u64 = 4 * 1024 * 1024;

/// Validates and scales a logo; returns the PNG and its size.
pub fn prepare_logo(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), LogoError> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| LogoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif
    ) {
        return Err(LogoError::NotAnImage);
    }
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| LogoError::Damaged)?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(LogoError::TooManyPixels);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // RGBA at the pixel bound, with room for one working copy.
    limits.max_alloc = Some(MAX_PIXELS * 4 * 2);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => LogoError::TooManyPixels,
        _ => LogoError::Damaged,
    })?;
    let image = if image.width() > LOGO_WIDTH || image.height() > LOGO_HEIGHT {
        // Keeps the aspect ratio and fits inside the box.
        image.resize(
            LOGO_WIDTH,
            LOGO_HEIGHT,
            image::imageops::FilterType::Lanczos3,
        )
    } else {
        image
    };
    let mut png = Cursor::new(Vec::new());
    image
        .write_to(&mut png, ImageFormat::Png)
        .map_err(|_| LogoError::Damaged)?;
    Ok((png.into_inner(), image.width(), image.height()))
}

impl Coffer {
    pub async fn set_logo(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
        upload: &[u8],
    ) -> Outcome<LogoInfo> {
        let (mut tx, _) = self
            .begin(actor, Action::Configure(organisation_id))
            .await?;
        // Decoding and scaling take real CPU time: off the async workers.
        let bytes = upload.to_vec();
        let (png, width, height) = tokio::task::spawn_blocking(move || prepare_logo(&bytes))
            .await
            .map_err(|e| anyhow::anyhow!("logo task: {e}"))??;
        crate::organisations::store::seats(&mut tx, organisation_id)
            .await?
            .ok_or(MemberError::UnknownOrganisation)?;
        let now = now_ms();
        crate::organisations::store::set_logo(&mut tx, organisation_id, &png, width, height, now)
            .await?;
        tx.audit(
            Some(organisation_id),
            AuditAction::LogoChanged,
            organisation_id,
            json!({ "uploaded_bytes": upload.len(), "width": width, "height": height }),
        )
        .await?;
        tx.commit().await?;
        Ok(LogoInfo { width, height })
    }

    pub async fn remove_logo(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<()> {
        let (mut tx, _) = self
            .begin(actor, Action::Configure(organisation_id))
            .await?;
        if crate::organisations::store::delete_logo(&mut tx, organisation_id).await? {
            tx.audit(
                Some(organisation_id),
                AuditAction::LogoChanged,
                organisation_id,
                json!({ "removed": true }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The stored PNG, for the organisation's members.
    pub async fn logo(
        &self,
        actor: Option<&Actor>,
        organisation_id: &OrganisationId,
    ) -> Outcome<Option<Vec<u8>>> {
        authorize(actor, Action::ViewOrganisation(organisation_id))?;
        let mut c = self.db().pool.acquire().await?;
        Ok(crate::organisations::store::logo(&mut c, organisation_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, RgbaImage};

    fn encoded(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
        let img =
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(w, h, image::Rgba([200, 10, 10, 255])));
        let img = if format == ImageFormat::Jpeg {
            DynamicImage::ImageRgb8(img.to_rgb8())
        } else {
            img
        };
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn large_images_fit_the_box_keeping_their_shape() {
        let (png, w, h) = prepare_logo(&encoded(1000, 200, ImageFormat::Png)).unwrap();
        assert_eq!((w, h), (288, 58));
        assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png);
        let (_, w, h) = prepare_logo(&encoded(300, 600, ImageFormat::Jpeg)).unwrap();
        assert_eq!((w, h), (48, 96));
        let (_, w, h) = prepare_logo(&encoded(100, 50, ImageFormat::Gif)).unwrap();
        assert_eq!((w, h), (100, 50), "small logos are not enlarged");
    }

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(
            prepare_logo(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            Err(LogoError::NotAnImage)
        );
        assert_eq!(
            prepare_logo(&encoded(10, 10, ImageFormat::Bmp)),
            Err(LogoError::NotAnImage)
        );
        let mut truncated = encoded(50, 50, ImageFormat::Png);
        truncated.truncate(60);
        assert_eq!(prepare_logo(&truncated), Err(LogoError::Damaged));
        assert_eq!(
            prepare_logo(&vec![0u8; MAX_LOGO_BYTES + 1]),
            Err(LogoError::TooLarge)
        );
    }

    /// A small file that claims a huge image is refused from its header,
    /// before a pixel is decoded.
    #[test]
    fn pixel_count_is_bounded_before_decoding() {
        assert_eq!(
            prepare_logo(&encoded(2049, 2049, ImageFormat::Png)),
            Err(LogoError::TooManyPixels)
        );
        assert!(prepare_logo(&encoded(2048, 2048, ImageFormat::Png)).is_ok());
        // A PNG header claiming 60,000 × 60,000 pixels, and nothing else.
        let mut claim = encoded(1, 1, ImageFormat::Png);
        claim[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        claim[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        // The chunk's CRC-32 again, so the forged header still parses.
        let crc = crc32fast::hash(&claim[12..29]);
        claim[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(prepare_logo(&claim), Err(LogoError::TooManyPixels));
    }
}
