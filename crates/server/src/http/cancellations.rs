//! `POST /bookings/{id}/cancel`: a customer cancels a paid booking, whole or some of its
//! seats, under the venue's refund policy; `?dry_run=true` says what would be refunded and
//! why, and changes nothing.

use super::bookings::{booking_id, BookingBody};
use super::error::{ApiResult, ErrorBody};
use super::extract::{AuthUser, MaybeJson, Path, Query};
use crate::app::App;
use crate::cancellations;
use axum::extract::State;
use chrono::{DateTime, Utc};
use marquee_store::cancellations::Cancelled;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};

/// Its schema is written by hand (`PartialSchema` below), so that the document says what a
/// seat label looks like, as the hold's does.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Some seats of the booking; leave the body (or `seats`) out to cancel all its seats.
    pub seats: Option<Vec<String>>,
}

impl utoipa::PartialSchema for CancelRequest {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "seats",
                super::bookings::seat_labels_schema(
                    "Some seats of the booking, each once; leave the body (or `seats`) out to \
                     cancel all its seats.",
                ),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for CancelRequest {}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CancelParams {
    /// `true`: answer what would be refunded and why, and change nothing.
    dry_run: Option<bool>,
}

/// What a cancellation refunds, and why.
#[derive(Serialize, ToSchema)]
pub struct CancellationBody {
    /// Nothing was changed: this is what cancelling would do now.
    pub dry_run: bool,
    /// The seats cancelled (or that would be).
    pub seats: Vec<String>,
    /// Every seat still live is cancelled: the booking becomes `cancelled`.
    pub whole: bool,
    /// Minor units: what the seats cost (with their share of the booking fees).
    pub paid: i64,
    /// The policy's percentage of it that goes back.
    pub percent: u8,
    /// Minor units: kept as the policy's fee per ticket.
    pub fee: i64,
    /// Minor units: what goes back to the card paid with.
    pub refund: i64,
    pub currency: String,
    /// Why this amount, in words.
    pub why: String,
    /// Until when this refund applies (cancelling later refunds less, or is refused).
    pub refund_applies_until: Option<DateTime<Utc>>,
    /// `not_owed` (nothing goes back), `due` (asked of the payment gateway), `succeeded`;
    /// `null` for a dry run.
    pub refund_status: Option<String>,
    /// The booking after the cancellation (as it is, for a dry run).
    pub booking: BookingBody,
}

impl CancellationBody {
    pub fn new(cancelled: &Cancelled, dry_run: bool, booking: BookingBody) -> Self {
        let plan = &cancelled.plan;
        CancellationBody {
            dry_run,
            seats: plan.seats.clone(),
            whole: plan.whole,
            paid: plan.paid.minor,
            percent: plan.percent,
            fee: plan.fee.minor,
            refund: plan.refund.minor,
            currency: plan.refund.currency.to_string(),
            why: cancelled.why.clone(),
            refund_applies_until: plan.until,
            refund_status: cancelled
                .cancellation
                .as_ref()
                .map(|c| c.refund_status.as_str().to_string()),
            booking,
        }
    }
}

/// Cancel a paid booking, or some of its seats, under the venue's refund policy (unless the
/// venue set its own: a full refund until 2 hours before the start). The seats are free again
/// at once and their tickets void; the refund goes back to the card through the payment
/// gateway, and the booking becomes `refunded` when the gateway confirms it. Cancelling the
/// last seats cancels the booking. When the cinema moved the showtime after it was bought,
/// it is refunded in full until the showtime starts (see `moved` on the booking).
#[utoipa::path(post, path = "/bookings/{id}/cancel", tag = "bookings", security(("bearer" = [])),
    params(("id" = String, Path), CancelParams), request_body(content = Option<CancelRequest>, description = "Leave it out to cancel every seat"),
    responses(
        (status = 200, description = "Cancelled (or, with `dry_run`, what cancelling would do)", body = CancellationBody),
        (status = 400, description = "`unknown_seats`, `invalid_seats`, `invalid_json`, `invalid_body`, `invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (also someone else's)", body = ErrorBody),
        (status = 409, description = "`invalid_booking_state` (not confirmed, or cancelled already), `seats_already_cancelled`, `ticket_already_admitted`, `cancellation_closed` (the policy's last deadline has passed)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: a body that is not `application/json`", body = ErrorBody),
    ))]
pub async fn cancel(
    State(app): State<App>,
    auth: AuthUser,
    Path(id): Path<String>,
    Query(params): Query<CancelParams>,
    MaybeJson(body): MaybeJson<CancelRequest>,
) -> ApiResult<axum::Json<CancellationBody>> {
    let id = booking_id(&id)?;
    let seats = body.and_then(|b| b.seats);
    if let Some(seats) = &seats {
        crate::bookings::check_seat_labels(seats)?;
    }
    let dry_run = params.dry_run.unwrap_or(false);
    let cancelled = cancellations::cancel_own(&app, auth.user.id, id, seats, dry_run).await?;
    let booking = crate::bookings::get(&app, &auth.user, id).await?;
    Ok(axum::Json(CancellationBody::new(
        &cancelled,
        dry_run,
        BookingBody::new(booking, app.now()),
    )))
}
