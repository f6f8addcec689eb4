//! `/admin/bookings`: staff find a booking (by reference, email or ticket code), read it with
//! its payment, refunds and the customer's access needs, and refund it regardless of the policy.

use crate::app::App;
use crate::box_office::{self, StaffBooking};
use crate::http::bookings::{booking_id, BookingBody};
use crate::http::cancellations::CancellationBody;
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::http::staff::{BoxOffice, Manager, Staff};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindParams {
    /// A booking reference, a customer's email, or a ticket's code.
    #[param(min_length = 1, max_length = 254)]
    q: String,
}

/// A refund of a cancellation, as staff follow it.
#[derive(Serialize, ToSchema)]
pub struct StaffRefundBody {
    pub seats: Vec<String>,
    pub refund: i64,
    /// `not_owed`, `due`, `succeeded`.
    pub refund_status: String,
    pub why: String,
    /// Made by staff, regardless of the policy.
    pub by_staff: bool,
    /// How often the payment gateway refused or did not answer, and what it said last: a
    /// refund `due` with attempts is asked again, later and later.
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// A booking as staff read it.
#[derive(Serialize, ToSchema)]
pub struct StaffBookingBody {
    pub booking: BookingBody,
    pub customer_email: String,
    pub film: String,
    pub venue_id: i64,
    pub venue: String,
    pub auditorium: String,
    pub starts_at: DateTime<Utc>,
    /// What the customer told the cinema of their access needs.
    pub access_needs: Option<String>,
    /// `pending`, `succeeded`, `failed`, `refund_due`, `refunded`, `canceled`, `review`;
    /// `null` before checkout.
    pub payment_status: Option<String>,
    pub refunds: Vec<StaffRefundBody>,
}

impl StaffBookingBody {
    fn new(read: StaffBooking, now: DateTime<Utc>) -> Self {
        let refunds = read
            .booking
            .cancellations
            .iter()
            .map(|c| StaffRefundBody {
                seats: c.seats.clone(),
                refund: c.refund.minor,
                refund_status: c.refund_status.as_str().to_string(),
                why: c.why.clone(),
                by_staff: c.by_staff,
                attempts: c.attempts,
                last_error: c.last_error.clone(),
            })
            .collect();
        StaffBookingBody {
            customer_email: read.customer_email,
            film: read.showtime.event_title,
            venue_id: read.showtime.venue.id.0,
            venue: read.showtime.venue.name,
            auditorium: read.showtime.auditorium_name,
            starts_at: read.showtime.showtime.starts_at,
            access_needs: read.access_needs,
            payment_status: read.payment.map(|p| p.status.as_str().to_string()),
            refunds,
            booking: BookingBody::new(read.booking, now),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FoundBookingsBody {
    /// Newest first, at most 50, of the venues you work at.
    pub bookings: Vec<StaffBookingBody>,
}

/// Find bookings by reference, customer's email or ticket code.
#[utoipa::path(get, path = "/admin/bookings", tag = "back office", security(("bearer" = [])),
    params(FindParams),
    responses(
        (status = 200, body = FoundBookingsBody),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: box office and up; `totp_enrolment_required`", body = ErrorBody),
    ))]
pub async fn find_bookings(
    State(app): State<App>,
    staff: Staff<BoxOffice>,
    Query(params): Query<FindParams>,
) -> ApiResult<axum::Json<FoundBookingsBody>> {
    let now = app.now();
    let found = box_office::find(&app, &staff, &params.q).await?;
    Ok(axum::Json(FoundBookingsBody {
        bookings: found
            .into_iter()
            .map(|b| StaffBookingBody::new(b, now))
            .collect(),
    }))
}

/// A booking of your venue.
#[utoipa::path(get, path = "/admin/bookings/{id}", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = StaffBookingBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: box office and up; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (also another venue's)", body = ErrorBody),
    ))]
pub async fn get_booking(
    State(app): State<App>,
    staff: Staff<BoxOffice>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<StaffBookingBody>> {
    let read = box_office::booking(&app, &staff, booking_id(&id)?).await?;
    Ok(axum::Json(StaffBookingBody::new(read, app.now())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffRefundRequest {
    /// Some seats of the booking; left out, every seat still live.
    #[schema(min_items = 1, max_items = 10)]
    pub seats: Option<Vec<String>>,
    /// Why, for the audit log and the customer's message.
    #[schema(min_length = 1, max_length = 500, example = "projector failure")]
    pub reason: String,
}

/// Refund a booking in full, whole or some of its seats, whatever the refund policy and the
/// time: the seats are free again, the tickets void, the money goes back through the payment
/// gateway, the customer is told, and the reason is kept in the audit log.
#[utoipa::path(post, path = "/admin/bookings/{id}/refund", tag = "back office", security(("bearer" = [])), request_body = StaffRefundRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = CancellationBody),
        (status = 400, description = "`invalid_request` (no reason), `unknown_seats`, `invalid_seats`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (also another venue's)", body = ErrorBody),
        (status = 409, description = "`invalid_booking_state` (not confirmed, or cancelled already), `seats_already_cancelled`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn refund_booking(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<StaffRefundRequest>,
) -> ApiResult<axum::Json<CancellationBody>> {
    let id = booking_id(&id)?;
    let cancelled = box_office::refund(&app, &staff, id, body.seats, &body.reason).await?;
    let read = box_office::booking(&app, &staff, id).await?;
    Ok(axum::Json(CancellationBody::new(
        &cancelled,
        false,
        BookingBody::new(read.booking, app.now()),
    )))
}

/// Where the tickets went again.
#[derive(Serialize, ToSchema)]
pub struct ResentBody {
    /// The customer's address the letter is queued for.
    pub to: String,
}

/// Send a paid booking's tickets to its customer again (the confirmation's letter, with the
/// tickets' PDF and the calendar event); queued for the mail worker, and audited.
#[utoipa::path(post, path = "/admin/bookings/{id}/resend", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 202, description = "Queued", body = ResentBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: box office and up; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (also another venue's)", body = ErrorBody),
        (status = 409, description = "`booking_not_confirmed`: not paid, or cancelled", body = ErrorBody),
    ))]
pub async fn resend_tickets(
    State(app): State<App>,
    staff: Staff<BoxOffice>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<ResentBody>)> {
    let to = box_office::resend_tickets(&app, &staff, booking_id(&id)?).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(ResentBody { to })))
}
