//! Holding seats, releasing them, and reading one's bookings.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::hold_queue::HoldError;
use crate::seat_maps::Pick;
use marquee_domain::booking::{check_quantity, check_requested_seats};
use marquee_domain::layout::is_seat_label;
use marquee_domain::Entity;
use marquee_domain::{
    Booking, BookingId, BookingReference, BookingStatus, SeatCategory, ShowtimeId, TicketType,
};
use marquee_store::{BookingPage, NewHold, StoreError, User};

/// What to hold: named seats (each with a ticket type code, or all of the showtime's default
/// type when `ticket_types` is empty), or a number of the best available ones.
#[derive(Debug)]
pub enum SeatChoice {
    Named {
        seats: Vec<String>,
        ticket_types: Vec<String>,
    },
    BestAvailable {
        quantity: usize,
        category: Option<SeatCategory>,
    },
    /// A wheelchair space and the companion seat beside it, in one step.
    WheelchairWithCompanion,
}

impl SeatChoice {
    /// These seats, each of the showtime's default ticket type.
    pub fn seats(seats: Vec<String>) -> Self {
        SeatChoice::Named {
            seats,
            ticket_types: vec![],
        }
    }
}

/// Another node's hold (or a map picker's) can take the seats best-available chose from the
/// cached map; we then choose again, a few times.
const BEST_AVAILABLE_TRIES: usize = 3;
/// A fresh reference is drawn when one is taken (40 random bits: rare, but not never).
const REFERENCE_TRIES: usize = 3;

pub async fn hold(
    app: &App,
    user: &User,
    showtime: ShowtimeId,
    choice: SeatChoice,
) -> AppResult<Booking> {
    match choice {
        SeatChoice::Named {
            seats,
            ticket_types,
        } => {
            check_seat_labels(&seats)?;
            // Nor does a code no ticket type could have.
            if let Some(bad) = ticket_types.iter().find(|t| !TicketType::is_code(t)) {
                return Err(AppError::invalid(
                    crate::error::ErrorCode::UnknownTicketType,
                    format!("{bad:?} is not a ticket type code"),
                ));
            }
            hold_named(app, user, showtime, seats, ticket_types).await
        }
        SeatChoice::BestAvailable { quantity, category } => {
            check_quantity(quantity).map_err(|e| {
                AppError::invalid(crate::error::ErrorCode::InvalidQuantity, e.to_string())
            })?;
            hold_picked(app, user, showtime, Pick::Best { quantity, category }).await
        }
        SeatChoice::WheelchairWithCompanion => {
            hold_picked(app, user, showtime, Pick::WheelchairWithCompanion).await
        }
    }
}

/// Holds the seats the cached map picks (claimed there meanwhile), trying again with a new
/// pick a few times when another node took them first.
async fn hold_picked(
    app: &App,
    user: &User,
    showtime: ShowtimeId,
    pick: Pick,
) -> AppResult<Booking> {
    let mut tries = 0;
    loop {
        tries += 1;
        let seats = app
            .seat_maps()
            .claim_best(showtime, app.now(), pick)
            .await?;
        let held = hold_named(app, user, showtime, seats.clone(), vec![]).await;
        if held.is_err() {
            app.seat_maps().unclaim(showtime, &seats);
        }
        match held {
            Err(AppError::SeatsUnavailable(_)) if tries < BEST_AVAILABLE_TRIES => continue,
            other => return other,
        }
    }
}

/// A label no layout could produce names no seat: it never reaches the database, and is
/// answered `UnknownSeats` like a seat the hall does not have.
/// A list of seat labels as a request names them: 1 to 10, each once (`invalid_seats`), each
/// one a seat could have (`unknown_seats`).
pub fn check_seat_labels(seats: &[String]) -> AppResult<()> {
    check_requested_seats(seats)
        .map_err(|e| AppError::invalid(crate::error::ErrorCode::InvalidSeats, e.to_string()))?;
    refuse_malformed_labels(seats)
}

pub fn refuse_malformed_labels(seats: &[String]) -> AppResult<()> {
    let malformed: Vec<String> = seats
        .iter()
        .filter(|l| !is_seat_label(l))
        .cloned()
        .collect();
    if malformed.is_empty() {
        Ok(())
    } else {
        Err(AppError::UnknownSeats(malformed))
    }
}

/// Holds exactly these seats, through the hold queue.
async fn hold_named(
    app: &App,
    user: &User,
    showtime: ShowtimeId,
    seats: Vec<String>,
    ticket_types: Vec<String>,
) -> AppResult<Booking> {
    let now = app.now();
    let mut attempt = 0;
    let held = loop {
        attempt += 1;
        let hold = NewHold {
            id: app.booking_ids().next(now),
            reference: BookingReference::from_random(rand::random()),
            user_id: user.id,
            showtime_id: showtime,
            seats: seats.clone(),
            ticket_types: ticket_types.clone(),
            expires_at: now + app.config().hold_ttl,
            now,
            limits: app.config().hold_limits,
        };
        match app.holds().hold(hold).await {
            Err(HoldError::Store(StoreError::ReferenceTaken)) if attempt < REFERENCE_TRIES => {
                continue
            }
            other => break other,
        }
    };
    // The seats a hold took reach the map through the seat-change stream; those it found
    // taken are what the database said about seats the map showed free.
    if let Err(HoldError::Store(StoreError::SeatsUnavailable(taken))) = &held {
        app.seat_maps().taken(showtime, taken, now);
    }
    Ok(held?)
}

/// Releases a hold of this user's. When its checkout was started, the payment is canceled at
/// the gateway too, so that the customer cannot pay for seats given up; should that fail, a
/// payment made anyway is refunded (`payment::on_paid`) and reconciliation cancels it later.
pub async fn release(app: &App, user: &User, id: BookingId) -> AppResult<Booking> {
    let released = app
        .store()
        .release_hold(id, user.id, app.now())
        .await?
        .publish(app.seat_changes())?;
    // Only a hold whose checkout was started has a payment to cancel; the release stands
    // whatever happens here.
    let checked_out = released
        .transitions
        .iter()
        .any(|t| t.to == BookingStatus::PaymentPending);
    if !checked_out {
        return Ok(released);
    }
    match app.store().payment(id).await {
        Ok(Some(payment)) => {
            if let Err(err) = app
                .payments()
                .gateway
                .cancel_payment(&payment.payment_ref)
                .await
            {
                tracing::warn!(booking = %id, error = %err, "could not cancel the payment of a released hold");
            }
        }
        Ok(None) => {}
        Err(err) => {
            tracing::warn!(booking = %id, error = %err, "could not read the payment of a released hold")
        }
    }
    Ok(released)
}

/// A booking of this user's. Someone else's is "not found", exactly like one that does not
/// exist, so ids cannot be probed.
pub async fn get(app: &App, user: &User, id: BookingId) -> AppResult<Booking> {
    app.store()
        .get_booking(id)
        .await?
        .filter(|b| b.user_id == user.id)
        .ok_or(AppError::NotFound(Entity::Booking))
}

/// The most characters a customer writes about their access needs.
pub const MAX_ACCESS_NEEDS: usize = 500;

/// What a customer wrote about their access needs, checked: at most `MAX_ACCESS_NEEDS`
/// characters, no control characters but line breaks; trimmed.
pub fn check_access_needs(needs: &str) -> AppResult<String> {
    let needs = needs.trim();
    if needs.chars().count() > MAX_ACCESS_NEEDS
        || needs
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(AppError::invalid(
            crate::error::ErrorCode::InvalidRequest,
            format!("access_needs is at most {MAX_ACCESS_NEEDS} characters of text"),
        ));
    }
    Ok(needs.to_string())
}

/// Keeps what the customer says of their access needs with their booking (a wheelchair, a
/// guide dog...), for the staff who welcome them.
pub async fn set_access_needs(app: &App, user: &User, id: BookingId, needs: &str) -> AppResult<()> {
    let needs = check_access_needs(needs)?;
    get(app, user, id).await?;
    Ok(app.store().set_access_needs(id, &needs).await?)
}

/// What the customer said of their access needs on this booking of theirs, if anything.
pub async fn access_needs(app: &App, user: &User, id: BookingId) -> AppResult<Option<String>> {
    get(app, user, id).await?;
    Ok(app.store().access_needs(id).await?)
}

/// A page of this user's bookings, newest first.
pub async fn list(app: &App, user: &User, page: BookingPage) -> AppResult<Vec<Booking>> {
    Ok(app.store().list_bookings(user.id, page).await?)
}
