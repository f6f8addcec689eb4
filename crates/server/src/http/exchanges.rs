//! What a customer answers when the cinema moved their showtime: `POST /bookings/{id}/keep`
//! and `POST /bookings/{id}/exchange` (cancelling for a full refund is
//! `POST /bookings/{id}/cancel`).

use super::bookings::{booking_id, BookingBody, HoldRequest};
use super::error::{ApiResult, ErrorBody};
use super::extract::{AuthUser, Json, Path};
use crate::app::App;
use crate::showtime_moves;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// Keep the new time of a booking whose showtime the cinema moved. Nothing else changes; the
/// offer to exchange or cancel for a full refund stays open until the showtime starts.
#[utoipa::path(post, path = "/bookings/{id}/keep", tag = "bookings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Kept: `moved.answer` is `kept`", body = BookingBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (also someone else's)", body = ErrorBody),
        (status = 409, description = "`move_not_open`: its showtime was not moved, the move was answered with an exchange or a cancellation, or it has started; `invalid_booking_state`: not confirmed", body = ErrorBody),
    ))]
pub async fn keep(
    State(app): State<App>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<BookingBody>> {
    let id = booking_id(&id)?;
    let booking = showtime_moves::keep(&app, &auth.user, id).await?;
    Ok(axum::Json(BookingBody::new(booking, app.now())))
}

/// An exchange held: pay `booking` as any hold (`POST /bookings/{id}/checkout`); once paid,
/// `replaces` is cancelled and refunded in full.
#[derive(Serialize, ToSchema)]
pub struct ExchangeBody {
    /// The new booking: held, to be paid.
    pub booking: BookingBody,
    /// The booking it replaces, as it is until the new one is paid.
    pub replaces: BookingBody,
    /// Minor units refunded on the old booking once the new one is paid: what its live seats
    /// cost.
    pub refund: i64,
    /// Minor units: the new total less `refund`. Positive: what the exchange costs more;
    /// negative: what comes back in all.
    pub difference: i64,
    pub currency: String,
}

/// Exchange a booking whose showtime the cinema moved for seats at another showtime of the
/// same film. The body is a hold's (`POST /bookings`): the showtime and the seats. The new
/// seats are held as a new booking, paid the usual way; when it is paid, the old booking is
/// cancelled and refunded in full, so the customer pays the difference (or gets it back).
/// Until then the old booking stands; a hold that runs out changes nothing.
#[utoipa::path(post, path = "/bookings/{id}/exchange", tag = "bookings", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = HoldRequest,
    responses(
        (status = 201, description = "The new seats held", body = ExchangeBody),
        (status = 400, description = "`invalid_exchange`: a showtime of another film, or the booking's own; `invalid_seats`, `invalid_quantity`, `unknown_seats`, `unknown_ticket_type`, `invalid_request`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (also someone else's), `showtime_not_found`", body = ErrorBody),
        (status = 409, description = "`move_not_open`: its showtime was not moved, the move was answered with an exchange or a cancellation, or it has started; `invalid_booking_state`: not confirmed; `seats_unavailable` (with `seats`), `not_enough_seats`, `showtime_started`, `sales_closed`, `sales_not_open`, `showtime_cancelled`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
        (status = 429, description = "`hold_limit`, `hold_cooldown`: as for a hold", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until trying again can succeed"))),
    ))]
pub async fn exchange(
    State(app): State<App>,
    auth: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<HoldRequest>,
) -> ApiResult<(StatusCode, axum::Json<ExchangeBody>)> {
    let id = booking_id(&id)?;
    let (showtime, choice) = body.choice()?;
    let made = showtime_moves::exchange(&app, &auth.user, id, showtime, choice).await?;
    let now = app.now();
    Ok((
        StatusCode::CREATED,
        axum::Json(ExchangeBody {
            refund: made.refund.minor,
            difference: made.difference.minor,
            currency: made.refund.currency.to_string(),
            booking: BookingBody::new(made.booking, now),
            replaces: BookingBody::new(made.replaces, now),
        }),
    ))
}
