//! The staff side of bookings: finding one by its reference, its customer's email or a ticket's
//! code, reading it with what the customer told the cinema, and refunding it whole or in part
//! regardless of the refund policy (the reason goes into the audit log). Staff see and touch
//! only their venues' bookings; another venue's answer 404.

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::staff::StaffUser;
use marquee_domain::{Booking, BookingId, BookingStatus, Entity, ShowtimeId};
use marquee_store::cancellations::{
    CancelBooking, CancelShowtime, Cancelled, Canceller, ShowtimeCancelled, MESSAGE_KIND,
};
use marquee_store::{Actor, Payment, ShowtimeInfo};

/// The longest reason staff can give for a refund.
pub const MAX_REASON_CHARS: usize = 500;

/// A booking as staff read it.
pub struct StaffBooking {
    pub booking: Booking,
    pub customer_email: String,
    pub showtime: ShowtimeInfo,
    pub access_needs: Option<String>,
    pub payment: Option<Payment>,
}

/// Bookings of the staff member's venues whose reference, customer's email or ticket code is
/// `text`, newest first.
pub async fn find(app: &App, staff: &StaffUser, text: &str) -> AppResult<Vec<StaffBooking>> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 254 {
        return Err(AppError::invalid(
            ErrorCode::InvalidQuery,
            "q is a booking reference, an email or a ticket code",
        ));
    }
    let mut found = Vec::new();
    for booking in app.store().find_bookings(text).await? {
        if let Some(read) = read(app, staff, booking).await? {
            found.push(read);
        }
    }
    Ok(found)
}

/// One booking of the staff member's venues.
pub async fn booking(app: &App, staff: &StaffUser, id: BookingId) -> AppResult<StaffBooking> {
    let booking = app
        .store()
        .get_booking(id)
        .await?
        .ok_or(AppError::NotFound(Entity::Booking))?;
    read(app, staff, booking)
        .await?
        .ok_or(AppError::NotFound(Entity::Booking))
}

/// Everything staff see of a booking; `None` for another venue's.
async fn read(app: &App, staff: &StaffUser, booking: Booking) -> AppResult<Option<StaffBooking>> {
    let store = app.store();
    let showtime = store
        .get_showtime(booking.showtime_id, app.now())
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    if staff.venue(showtime.venue.id, Entity::Booking).is_err() {
        return Ok(None);
    }
    let customer_email = store
        .get_user(booking.user_id)
        .await?
        .map(|u| u.email.to_string())
        .unwrap_or_default();
    Ok(Some(StaffBooking {
        access_needs: store.access_needs(booking.id).await?,
        payment: store.payment(booking.id).await?,
        booking,
        customer_email,
        showtime,
    }))
}

/// Sends a confirmed booking's tickets to its customer again (the confirmation's letter, with
/// the PDF and the calendar event), audited as `staff`'s; answers to whom.
pub async fn resend_tickets(app: &App, staff: &StaffUser, id: BookingId) -> AppResult<String> {
    let read = booking(app, staff, id).await?;
    let now = app.now();
    if read.booking.status_at(now) != BookingStatus::Confirmed {
        return Err(AppError::Conflict {
            code: ErrorCode::BookingNotConfirmed,
            message: "only a paid, confirmed booking has tickets to send".into(),
        });
    }
    let by = Actor::staff(
        staff.user.id,
        now,
        "booking.resend_tickets",
        |b: &BookingId| serde_json::json!({ "booking_id": b.0.to_string() }),
    );
    app.store()
        .resend_tickets(id, read.showtime.venue.id, by, now)
        .await?;
    Ok(read.customer_email)
}

/// A reason staff give: 1 to `MAX_REASON_CHARS` characters on one line.
pub(crate) fn check_reason(reason: &str) -> AppResult<&str> {
    let reason = reason.trim();
    if reason.is_empty()
        || reason.chars().count() > MAX_REASON_CHARS
        || reason.chars().any(char::is_control)
    {
        return Err(AppError::invalid(
            ErrorCode::InvalidRequest,
            format!("reason says why, in 1 to {MAX_REASON_CHARS} characters on one line"),
        ));
    }
    Ok(reason)
}

/// Cancels a showtime of the staff member's venue: no more sales, every booking refunded in
/// full and its customer told, in one action that is safe to repeat.
pub async fn cancel_showtime(
    app: &App,
    staff: &StaffUser,
    showtime: ShowtimeId,
    reason: &str,
) -> AppResult<ShowtimeCancelled> {
    let reason = check_reason(reason)?;
    crate::scheduling::staff_showtime(app, staff, showtime).await?;
    crate::cancellations::cancel_showtime(
        app,
        CancelShowtime {
            showtime,
            staff: staff.user.id,
            reason: reason.to_string(),
            now: app.now(),
        },
    )
    .await
}

/// Refunds a booking of the staff member's venue in full, whole or `seats` of it, whatever the
/// policy and the time: the seats are freed, the tickets void, the refund asked of the gateway,
/// and `reason` recorded with the cancellation and in the audit log.
pub async fn refund(
    app: &App,
    staff: &StaffUser,
    id: BookingId,
    seats: Option<Vec<String>>,
    reason: &str,
) -> AppResult<Cancelled> {
    let reason = check_reason(reason)?;
    if let Some(seats) = &seats {
        crate::bookings::check_seat_labels(seats)?;
    }
    // Another venue's booking is not found, before anything is decided.
    booking(app, staff, id).await?;
    crate::cancellations::cancel(
        app,
        CancelBooking {
            booking: id,
            by: Canceller::Staff {
                user: staff.user.id,
                reason: reason.to_string(),
            },
            seats,
            dry_run: false,
            now: app.now(),
            message_kind: MESSAGE_KIND,
        },
    )
    .await
}
