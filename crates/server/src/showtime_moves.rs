//! What a customer does when the cinema moves their showtime (`PATCH /admin/showtimes/{id}`
//! with a reason): keep the new time, exchange the booking for seats at another showtime of
//! the same film, or cancel it for a full refund (`cancellations::cancel_own`, which refunds
//! in full while the move's offer is open).
//!
//! An exchange holds the new seats as a new booking, paid the usual way; when it is paid the
//! old booking is cancelled and refunded in full in the same transaction (the store's
//! `showtime_moves::complete_exchange`). The customer thus pays the new price and gets the
//! old one back: the difference, charged or refunded, with each refund drawn on the payment
//! it refunds.

use crate::app::App;
use crate::bookings::{self, SeatChoice};
use crate::error::{AppError, AppResult, ErrorCode};
use marquee_domain::{Booking, BookingId, Entity, Money, ShowtimeId};
use marquee_store::cancellations::{CancelBooking, Canceller};
use marquee_store::showtime_moves::BOOKING_EXCHANGED;
use marquee_store::User;

/// The customer keeps the new time of their moved showtime.
pub async fn keep(app: &App, user: &User, booking: BookingId) -> AppResult<Booking> {
    app.store()
        .keep_moved_booking(booking, user.id, app.now())
        .await?;
    bookings::get(app, user, booking).await
}

/// An exchange made: the new booking (a hold to pay) and the one it replaces.
#[derive(Debug)]
pub struct Exchange {
    pub booking: Booking,
    pub replaces: Booking,
    /// What the replaced booking's live seats cost: refunded in full once the new one is paid.
    pub refund: Money,
    /// The new booking's total less `refund`: charged when positive, refunded when negative.
    pub difference: Money,
}

/// Holds `choice` at `showtime` (of the same film) as an exchange of `user`'s moved
/// `booking`.
pub async fn exchange(
    app: &App,
    user: &User,
    booking: BookingId,
    showtime: ShowtimeId,
    choice: SeatChoice,
) -> AppResult<Exchange> {
    let now = app.now();
    let offer = app.store().exchange_offer(booking, user.id, now).await?;
    if showtime == offer.showtime_id {
        return Err(AppError::invalid(
            ErrorCode::InvalidExchange,
            "an exchange is for another showtime than the booking's own",
        ));
    }
    let target = app
        .store()
        .get_showtime(showtime, now)
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    if target.showtime.event_id != offer.event_id {
        return Err(AppError::invalid(
            ErrorCode::InvalidExchange,
            "an exchange is for a showtime of the same film",
        ));
    }
    let held = bookings::hold(app, user, showtime, choice).await?;
    app.store().link_exchange(held.id, booking, now).await?;
    // What the old booking's cancellation will refund once this one is paid, decided now the
    // way it will be then.
    let refund = app
        .store()
        .cancel_booking(CancelBooking {
            booking,
            by: Canceller::Exchange { into: held.id },
            seats: None,
            dry_run: true,
            now,
            message_kind: BOOKING_EXCHANGED,
        })
        .await?
        .publish(app.seat_changes())
        .plan
        .refund;
    let difference = Money::new(held.quote.total.minor - refund.minor, refund.currency);
    Ok(Exchange {
        replaces: bookings::get(app, user, booking).await?,
        booking: bookings::get(app, user, held.id).await?,
        refund,
        difference,
    })
}
