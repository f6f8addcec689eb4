//! A confirmed booking's tickets to keep: `tickets.pdf` and `calendar.ics`.

use super::bookings::booking_id;
use super::error::{ApiResult, ErrorBody};
use super::extract::{AuthUser, Path};
use crate::app::App;
use crate::tickets::{self, Keepsake, TicketFile};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The booking's tickets as a PDF, one ticket a page: film, venue, hall, the local date and
/// time, seat, ticket type, price, booking reference and the ticket's QR code.
#[utoipa::path(get, path = "/bookings/{id}/tickets.pdf", operation_id = "tickets_pdf", tag = "bookings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "A PDF, one page per ticket", content_type = "application/pdf"),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (someone else's too)", body = ErrorBody),
        (status = 409, description = "`booking_not_confirmed`: no tickets before the booking is paid", body = ErrorBody),
    ))]
pub async fn pdf(
    State(app): State<App>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    keepsake(&app, &auth, &id, Keepsake::Pdf).await
}

/// The booking as an iCalendar event (RFC 5545) to add to a calendar: the film, its start and
/// end in UTC, the venue's name and address, the reference and seats. Its UID is the same on
/// every download.
#[utoipa::path(get, path = "/bookings/{id}/calendar.ics", operation_id = "calendar_ics", tag = "bookings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "An iCalendar file with one event", content_type = "text/calendar"),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (someone else's too)", body = ErrorBody),
        (status = 409, description = "`booking_not_confirmed`: no tickets before the booking is paid", body = ErrorBody),
    ))]
pub async fn calendar(
    State(app): State<App>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    keepsake(&app, &auth, &id, Keepsake::Calendar).await
}

async fn keepsake(app: &App, auth: &AuthUser, id: &str, keepsake: Keepsake) -> ApiResult<Response> {
    let file = tickets::file_of_user(app, &auth.user, booking_id(id)?, keepsake).await?;
    Ok(download(file))
}

/// A file to keep, with its type and its name for the browser's download. Never cached by a
/// shared cache: it is one customer's.
pub fn download(file: TicketFile) -> Response {
    (
        [
            (header::CONTENT_TYPE, file.content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response()
}
