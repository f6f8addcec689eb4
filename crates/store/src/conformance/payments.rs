//! Checkout and payments at the store (issue 4).

use super::fixtures::*;
use crate::*;
use chrono::{DateTime, Utc};
use marquee_domain::*;
use std::sync::Arc;

fn checkout(booking: &Booking, user: &User, payment_ref: &str, now: DateTime<Utc>) -> NewPayment {
    NewPayment {
        booking_id: booking.id,
        user_id: user.id,
        provider: "sandbox".into(),
        payment_ref: payment_ref.into(),
        client_secret: Some(format!("{payment_ref}_secret")),
        checkout_url: Some(format!("http://pay.test/{payment_ref}")),
        amount: booking.quote.total,
        now,
    }
}

pub async fn checkout_moves_a_live_hold_to_payment_pending_once<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let held = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A1", "A2"], t0()))
        .await
        .unwrap();
    let first = store
        .start_checkout(checkout(&held, &w.alice, "pi_1", t0()))
        .await
        .unwrap();
    assert_eq!(first.status, PaymentStatus::Pending);
    assert_eq!(first.amount, held.quote.total);
    let booking = store.get_booking(held.id).await.unwrap().unwrap();
    assert_eq!(booking.status_at(t0()), BookingStatus::PaymentPending);
    assert_eq!(
        booking.transitions.last().map(|t| (t.from, t.to)),
        Some((Some(BookingStatus::Held), BookingStatus::PaymentPending))
    );
    // Checking out again answers the payment recorded the first time, and changes nothing.
    let again = store
        .start_checkout(checkout(&held, &w.alice, "pi_2", t0()))
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(store.payment(held.id).await.unwrap(), Some(first));
    assert_eq!(store.get_booking(held.id).await.unwrap().unwrap(), booking);
    // The seats stay the booking's while it waits.
    assert_eq!(
        state_of(&*store, w.showtime.showtime.id, "A1", t0()).await,
        SeatState::Held
    );
}

pub async fn checkout_is_for_the_owner_and_a_live_hold_only<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let held = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A3"], t0()))
        .await
        .unwrap();
    assert!(matches!(
        store
            .start_checkout(checkout(&held, &w.bob, "pi_bob", t0()))
            .await,
        Err(StoreError::NotFound("booking"))
    ));
    assert!(matches!(
        store
            .start_checkout(checkout(&held, &w.alice, "pi_late", held.expires_at))
            .await,
        Err(StoreError::InvalidTransition {
            from: BookingStatus::Expired,
            ..
        })
    ));
    let released = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A4"], t0()))
        .await
        .unwrap();
    store
        .release_hold(released.id, w.alice.id, t0())
        .await
        .unwrap();
    assert!(matches!(
        store
            .start_checkout(checkout(&released, &w.alice, "pi_released", t0()))
            .await,
        Err(StoreError::InvalidTransition {
            from: BookingStatus::Released,
            ..
        })
    ));
    assert_eq!(store.payment(held.id).await.unwrap(), None);
    assert_eq!(store.payment(released.id).await.unwrap(), None);
}

/// Invariant 3 while a payment is awaited: the hold's time still runs, and its seats are free
/// again when it runs out.
pub async fn a_booking_waiting_for_its_payment_expires_with_its_hold<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let held = store
        .hold_seats(hold(&w.alice, &w.showtime, &["B2"], t0()))
        .await
        .unwrap();
    store
        .start_checkout(checkout(&held, &w.alice, "pi_slow", t0()))
        .await
        .unwrap();
    let later = held.expires_at;
    assert_eq!(
        state_of(&*store, w.showtime.showtime.id, "B2", later).await,
        SeatState::Available
    );
    assert_eq!(
        store
            .get_booking(held.id)
            .await
            .unwrap()
            .unwrap()
            .status_at(later),
        BookingStatus::Expired
    );
    assert_eq!(store.expire_stale_holds(later).await.unwrap(), 1);
    let booking = store.get_booking(held.id).await.unwrap().unwrap();
    assert_eq!(booking.stored_status, BookingStatus::Expired);
    assert_eq!(
        booking.transitions.last().map(|t| (t.from, t.to, t.at)),
        Some((
            Some(BookingStatus::PaymentPending),
            BookingStatus::Expired,
            later
        ))
    );
    // Someone else can have the seat now.
    store
        .hold_seats(hold(&w.bob, &w.showtime, &["B2"], later))
        .await
        .unwrap();
}
