//! QR codes as SVG: a ticket's code for the door, an authenticator's enrolment for staff.

use crate::error::{AppError, AppResult};

pub fn svg(data: &str) -> AppResult<String> {
    Ok(qrcode::QrCode::new(data.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build())
}
