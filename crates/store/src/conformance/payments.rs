//! Checkout and payments at the store (issue 4).

use super::fixtures::*;
use crate::*;
use chrono::{DateTime, Utc};
use marquee_domain::*;
use std::sync::Arc;

pub(super) fn checkout(
    booking: &Booking,
    user: &User,
    payment_ref: &str,
    now: DateTime<Utc>,
) -> NewPayment {
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
        Err(StoreError::NotFound(Entity::Booking))
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
        .unwrap()
        .unpublished()
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
    assert_eq!(
        store.expire_stale_holds(later).await.unwrap().unpublished(),
        1
    );
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

static NEXT_CODE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub(super) fn report(
    payment: &Payment,
    event: &str,
    reported: Reported,
    now: DateTime<Utc>,
) -> PaymentReport {
    PaymentReport {
        provider: payment.provider.clone(),
        payment_ref: payment.payment_ref.clone(),
        event_id: Some(event.into()),
        reported,
        refunded_minor: None,
        paid: None,
        live_gateway: false,
        ticket_codes: (0..MAX_SEATS_PER_BOOKING)
            .map(|_| {
                let n = NEXT_CODE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                TicketCode::from_random(u128::from(n) * 0x9E37_79B9_7F4A_7C15)
            })
            .collect(),
        now,
    }
}

/// Applies a report of `reported` for `payment` as gateway event `event` at `now`.
async fn apply<S: UnguardedHold>(
    store: &S,
    payment: &Payment,
    event: &str,
    reported: Reported,
    now: DateTime<Utc>,
) -> PaymentApplied {
    store
        .apply_payment_report(report(payment, event, reported, now))
        .await
        .unwrap()
        .unpublished()
        .unwrap()
}

/// A hold of `user`'s on `seats`, checked out: waiting for its payment.
async fn awaiting_payment<S: UnguardedHold>(
    store: &S,
    w: &World,
    user: &User,
    seats: &[&str],
) -> (Booking, Payment) {
    let held = store
        .hold_seats(hold(user, &w.showtime, seats, t0()))
        .await
        .unwrap();
    let payment = store
        .start_checkout(checkout(&held, user, &format!("pi_{}", held.id.0), t0()))
        .await
        .unwrap();
    (held, payment)
}

pub async fn a_success_sells_the_seats_and_writes_a_ticket_per_seat<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let (held, payment) = awaiting_payment(&*store, &w, &w.alice, &["A1", "A2"]).await;
    let at = t0() + chrono::Duration::minutes(2);
    let applied = apply(&*store, &payment, "evt_ok", Reported::Succeeded, at).await;
    assert_eq!(applied.outcome, PaymentOutcome::Confirmed);
    let booking = applied.booking.unwrap();
    // Long after the hold's time, a sale stays a sale.
    let much_later = held.expires_at + chrono::Duration::days(1);
    assert_eq!(booking.status_at(much_later), BookingStatus::Confirmed);
    assert_eq!(
        booking.transitions.last().map(|t| (t.from, t.to, t.at)),
        Some((
            Some(BookingStatus::PaymentPending),
            BookingStatus::Confirmed,
            at
        ))
    );
    store
        .expire_stale_holds(much_later)
        .await
        .unwrap()
        .unpublished();
    for label in ["A1", "A2"] {
        assert_eq!(
            seat_of(&*store, w.showtime.showtime.id, label, much_later).await,
            (SeatState::Sold, Some(held.id))
        );
    }
    let tickets = store.get_booking(held.id).await.unwrap().unwrap().tickets;
    assert_eq!(
        tickets.iter().map(|t| t.seat.as_str()).collect::<Vec<_>>(),
        ["A1", "A2"]
    );
    assert_ne!(tickets[0].code, tickets[1].code);
    assert_eq!(
        store
            .booking_of_ticket(&tickets[1].code)
            .await
            .unwrap()
            .map(|b| b.id),
        Some(held.id)
    );
    assert_eq!(
        store
            .booking_of_ticket(&TicketCode::from_random(7))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.payment(held.id).await.unwrap().unwrap().status,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        store.outbox_kinds(held.id).await.unwrap(),
        ["booking_confirmed"]
    );
}

/// Invariant 6: a hundred deliveries of one event, at once, have one effect.
pub async fn each_event_is_applied_at_most_once<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (held, payment) = awaiting_payment(&*store, &w, &w.alice, &["B3", "B4"]).await;
    let delivery = report(&payment, "evt_again", Reported::Succeeded, t0());
    let barrier = Arc::new(tokio::sync::Barrier::new(100));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (store, barrier, delivery) = (store.clone(), barrier.clone(), delivery.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store.apply_payment_report(delivery).await
            })
        })
        .collect();
    let mut outcomes = std::collections::HashMap::new();
    for task in futures::future::join_all(tasks).await {
        *outcomes
            .entry(
                task.expect("task ran")
                    .unwrap()
                    .unpublished()
                    .unwrap()
                    .outcome,
            )
            .or_insert(0) += 1;
    }
    assert_eq!(
        outcomes.get(&PaymentOutcome::Confirmed),
        Some(&1),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.get(&PaymentOutcome::Duplicate),
        Some(&99),
        "{outcomes:?}"
    );
    assert_eq!(
        store
            .get_booking(held.id)
            .await
            .unwrap()
            .unwrap()
            .tickets
            .len(),
        2
    );
    assert_eq!(store.outbox_kinds(held.id).await.unwrap().len(), 1);
    let booking = store.get_booking(held.id).await.unwrap().unwrap();
    assert_eq!(
        booking
            .transitions
            .iter()
            .filter(|t| t.to == BookingStatus::Confirmed)
            .count(),
        1
    );
}

pub async fn a_failure_frees_the_seats_and_a_late_one_changes_nothing<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let (declined, payment) = awaiting_payment(&*store, &w, &w.alice, &["A7"]).await;
    let applied = apply(&*store, &payment, "evt_declined", Reported::Failed, t0()).await;
    assert_eq!(applied.outcome, PaymentOutcome::Failed);
    assert_eq!(
        applied.booking.unwrap().status_at(t0()),
        BookingStatus::PaymentFailed
    );
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "A7", t0()).await,
        (SeatState::Available, None)
    );
    assert_eq!(
        store.payment(declined.id).await.unwrap().unwrap().status,
        PaymentStatus::Failed
    );
    assert_eq!(
        store.outbox_kinds(declined.id).await.unwrap(),
        ["payment_failed"]
    );

    let (paid, payment) = awaiting_payment(&*store, &w, &w.bob, &["C4", "C5"]).await;
    apply(&*store, &payment, "evt_paid", Reported::Succeeded, t0()).await;
    let late = apply(&*store, &payment, "evt_failed_late", Reported::Failed, t0()).await;
    assert_eq!(late.outcome, PaymentOutcome::NoChange);
    assert_eq!(
        late.booking.unwrap().status_at(t0()),
        BookingStatus::Confirmed
    );
    assert_eq!(
        store.payment(paid.id).await.unwrap().unwrap().status,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "C4", t0()).await,
        (SeatState::Sold, Some(paid.id))
    );
}

/// Invariant 6: the failure arriving first gives the same end as arriving last.
pub async fn a_success_after_a_failure_still_confirms<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (booking, payment) = awaiting_payment(&*store, &w, &w.alice, &["C4", "C5"]).await;
    apply(
        &*store,
        &payment,
        "evt_failed_first",
        Reported::Failed,
        t0(),
    )
    .await;
    let applied = apply(
        &*store,
        &payment,
        "evt_paid_after",
        Reported::Succeeded,
        t0(),
    )
    .await;
    assert_eq!(applied.outcome, PaymentOutcome::Confirmed);
    assert_eq!(
        applied.booking.unwrap().status_at(t0()),
        BookingStatus::Confirmed
    );
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "C5", t0()).await,
        (SeatState::Sold, Some(booking.id))
    );
    assert_eq!(
        store.payment(booking.id).await.unwrap().unwrap().status,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        store
            .get_booking(booking.id)
            .await
            .unwrap()
            .unwrap()
            .tickets
            .len(),
        2
    );
}

/// Invariant 5: a payment that arrives after the hold ran out buys the seats if they are still
/// free, and is refunded if someone else has them; the seats are never sold twice.
pub async fn a_late_payment_buys_free_seats_and_is_refunded_for_taken_ones<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let (still_free, free_payment) = awaiting_payment(&*store, &w, &w.alice, &["B2", "B3"]).await;
    let (resold, resold_payment) = awaiting_payment(&*store, &w, &w.alice, &["A5", "A6"]).await;
    let later = resold.expires_at + chrono::Duration::minutes(1);
    store.expire_stale_holds(later).await.unwrap().unpublished();
    let taken = store
        .hold_seats(hold(&w.bob, &w.showtime, &["A6"], later))
        .await
        .unwrap();

    let bought = apply(
        &*store,
        &free_payment,
        "evt_late_ok",
        Reported::Succeeded,
        later,
    )
    .await;
    assert_eq!(bought.outcome, PaymentOutcome::Confirmed);
    assert_eq!(
        bought
            .booking
            .unwrap()
            .transitions
            .last()
            .map(|t| (t.from, t.to)),
        Some((Some(BookingStatus::Expired), BookingStatus::Confirmed))
    );
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "B2", later).await,
        (SeatState::Sold, Some(still_free.id))
    );

    let refused = apply(
        &*store,
        &resold_payment,
        "evt_late_taken",
        Reported::Succeeded,
        later,
    )
    .await;
    assert_eq!(refused.outcome, PaymentOutcome::RefundDue);
    assert_eq!(
        refused.booking.unwrap().status_at(later),
        BookingStatus::Expired
    );
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "A6", later).await,
        (SeatState::Held, Some(taken.id))
    );
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "A5", later).await,
        (SeatState::Available, None)
    );
    assert!(store
        .get_booking(resold.id)
        .await
        .unwrap()
        .unwrap()
        .tickets
        .is_empty());
    assert_eq!(
        store.payment(resold.id).await.unwrap().unwrap().status,
        PaymentStatus::RefundDue
    );
    // The refund is still owed: the reconciliation job finds it.
    let owed = store
        .unsettled_payments(Unsettled {
            changed_before: later + chrono::Duration::seconds(1),
            now: later + chrono::Duration::seconds(1),
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(
        owed.iter().map(|p| p.booking_id).collect::<Vec<_>>(),
        [resold.id]
    );

    let refunded = apply(
        &*store,
        &resold_payment,
        "evt_refunded",
        Reported::Refunded,
        later,
    )
    .await;
    assert_eq!(refunded.outcome, PaymentOutcome::Refunded);
    assert_eq!(
        refunded.booking.unwrap().status_at(later),
        BookingStatus::Refunded
    );
    // Its hold ran out during checkout (the customer is told), then the late payment came.
    assert_eq!(
        store.outbox_kinds(resold.id).await.unwrap(),
        ["hold_expired", "payment_refund_due", "booking_refunded"]
    );
    assert!(store
        .unsettled_payments(Unsettled {
            changed_before: later + chrono::Duration::seconds(1),
            now: later + chrono::Duration::seconds(1),
            limit: 100,
        })
        .await
        .unwrap()
        .is_empty());
}

pub async fn a_payment_for_released_seats_is_refunded<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (booking, payment) = awaiting_payment(&*store, &w, &w.alice, &["A8"]).await;
    store
        .release_hold(booking.id, w.alice.id, t0())
        .await
        .unwrap()
        .unpublished()
        .unwrap();
    let applied = apply(
        &*store,
        &payment,
        "evt_after_release",
        Reported::Succeeded,
        t0(),
    )
    .await;
    assert_eq!(applied.outcome, PaymentOutcome::RefundDue);
    assert_eq!(
        applied.booking.unwrap().status_at(t0()),
        BookingStatus::Released
    );
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "A8", t0()).await,
        (SeatState::Available, None)
    );
}

pub async fn a_report_for_an_unknown_payment_is_acknowledged_once<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (booking, mut payment) = awaiting_payment(&*store, &w, &w.alice, &["B5"]).await;
    payment.payment_ref = "pi_someone_elses".into();
    let first = apply(&*store, &payment, "evt_stranger", Reported::Succeeded, t0()).await;
    assert_eq!(
        (first.outcome, first.booking),
        (PaymentOutcome::UnknownPayment, None)
    );
    let again = apply(&*store, &payment, "evt_stranger", Reported::Succeeded, t0()).await;
    assert_eq!(again.outcome, PaymentOutcome::Duplicate);
    assert_eq!(
        store
            .get_booking(booking.id)
            .await
            .unwrap()
            .unwrap()
            .status_at(t0()),
        BookingStatus::PaymentPending
    );
}

/// Housekeeping deletes ended sessions and old webhook event ids, a batch at a time, and
/// nothing still in use: a session not yet ended still logs in, a recent event id still
/// stops a redelivery.
pub async fn housekeeping_deletes_only_what_nobody_needs<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    for (hash, hours) in [(1u8, 1), (2, 2), (3, 48)] {
        store
            .create_session(NewSession {
                token_hash: vec![hash; 32],
                user_id: w.alice.id,
                created_at: t0(),
                expires_at: t0() + chrono::Duration::hours(hours),
            })
            .await
            .unwrap();
    }
    for (hash, hours) in [(4u8, 1), (5, 48)] {
        store
            .start_password_reset(&NewPasswordReset {
                token_hash: vec![hash; 32],
                user_id: w.alice.id,
                now: t0(),
                expires_at: t0() + chrono::Duration::hours(hours),
                message: "{}".into(),
            })
            .await
            .unwrap();
    }
    let (_, mut payment) = awaiting_payment(&*store, &w, &w.alice, &["B5"]).await;
    payment.payment_ref = "pi_elsewhere".into();
    apply(&*store, &payment, "evt_old", Reported::Succeeded, t0()).await;
    let later = t0() + chrono::Duration::days(40);
    apply(&*store, &payment, "evt_recent", Reported::Succeeded, later).await;
    let purge = crate::housekeeping::Purge {
        sessions_ended_before: t0() + chrono::Duration::days(1),
        events_received_before: t0() + chrono::Duration::days(30),
        delivered_before: t0(),
        batch: 1,
    };
    let first = store.purge(purge).await.unwrap();
    assert_eq!((first.sessions, first.webhook_events), (1, 1));
    assert_eq!(first.password_resets, 1, "the link that ran out");
    assert!(first.more(purge.batch));
    let second = store.purge(purge).await.unwrap();
    assert_eq!((second.sessions, second.webhook_events), (1, 0));
    let third = store.purge(purge).await.unwrap();
    assert_eq!(third, Default::default());
    assert!(!third.more(purge.batch));
    // Asked before they ended, so only deletion explains their absence.
    for hash in [1u8, 2] {
        assert_eq!(store.session(&[hash; 32], t0()).await.unwrap(), None);
    }
    assert!(store.session(&[3u8; 32], t0()).await.unwrap().is_some());
    let alive = t0() + chrono::Duration::minutes(30);
    assert_eq!(store.password_reset(&[4u8; 32], alive).await.unwrap(), None);
    assert!(store
        .password_reset(&[5u8; 32], alive)
        .await
        .unwrap()
        .is_some());
    let again = apply(&*store, &payment, "evt_recent", Reported::Succeeded, later).await;
    assert_eq!(
        again.outcome,
        PaymentOutcome::Duplicate,
        "a recent id is kept"
    );
    let old = apply(&*store, &payment, "evt_old", Reported::Succeeded, later).await;
    assert_eq!(
        old.outcome,
        PaymentOutcome::UnknownPayment,
        "an old id is forgotten"
    );
}

pub async fn the_sandbox_keeps_one_payment_per_booking_and_settles_it_once<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let held = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A1"], t0()))
        .await
        .unwrap();
    let new = |id: &str| SandboxPayment {
        id: id.into(),
        booking_id: held.id,
        amount: held.quote.total,
        status: "requires_payment_method".into(),
        refunded_minor: 0,
        created_at: t0(),
        updated_at: t0(),
    };
    let first = store
        .create_sandbox_payment(new("pi_sandbox_a"))
        .await
        .unwrap();
    assert_eq!(first, new("pi_sandbox_a"));
    assert_eq!(
        store
            .create_sandbox_payment(new("pi_sandbox_b"))
            .await
            .unwrap(),
        first,
        "one booking, one payment"
    );
    assert_eq!(store.sandbox_payment("pi_sandbox_b").await.unwrap(), None);
    assert!(store
        .settle_sandbox_payment("pi_sandbox_a", "requires_payment_method", "succeeded", t0())
        .await
        .unwrap());
    assert!(!store
        .settle_sandbox_payment("pi_sandbox_a", "requires_payment_method", "failed", t0())
        .await
        .unwrap());
    assert_eq!(
        store
            .sandbox_payment("pi_sandbox_a")
            .await
            .unwrap()
            .unwrap()
            .status,
        "succeeded"
    );
    assert_eq!(
        store.setting_or_insert("secret", "one").await.unwrap(),
        "one"
    );
    assert_eq!(
        store.setting_or_insert("secret", "two").await.unwrap(),
        "one"
    );
}

/// A report's `now` is taken before it waits for the rows: by then a hold made after the
/// booking's hold ran out may have its seats. They stay that hold's, and the money goes back.
pub async fn a_success_never_takes_seats_another_hold_has<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (booking, payment) = awaiting_payment(&*store, &w, &w.alice, &["A1"]).await;
    let taken = store
        .hold_seats(hold(&w.bob, &w.showtime, &["A1"], booking.expires_at))
        .await
        .unwrap();
    let just_before = booking.expires_at - chrono::Duration::milliseconds(1);
    let applied = apply(
        &*store,
        &payment,
        "evt_stale_now",
        Reported::Succeeded,
        just_before,
    )
    .await;
    assert_eq!(applied.outcome, PaymentOutcome::RefundDue);
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "A1", booking.expires_at).await,
        (SeatState::Held, Some(taken.id))
    );
    assert!(store
        .get_booking(booking.id)
        .await
        .unwrap()
        .unwrap()
        .tickets
        .is_empty());
}

/// Once the money is owed back, a later success (or failure) changes nothing, even when the
/// seats have become free again: the customer gets a refund, not tickets as well.
pub async fn a_refund_owed_stays_owed<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (booking, payment) = awaiting_payment(&*store, &w, &w.alice, &["A2"]).await;
    let later = booking.expires_at;
    let taken = store
        .hold_seats(hold(&w.bob, &w.showtime, &["A2"], later))
        .await
        .unwrap();
    let first = apply(&*store, &payment, "evt_first", Reported::Succeeded, later).await;
    assert_eq!(first.outcome, PaymentOutcome::RefundDue);
    store
        .release_hold(taken.id, w.bob.id, later)
        .await
        .unwrap()
        .unpublished()
        .unwrap();
    for (event, reported) in [
        ("evt_second", Reported::Succeeded),
        ("evt_failed", Reported::Failed),
    ] {
        let again = apply(&*store, &payment, event, reported, later).await;
        assert_eq!(again.outcome, PaymentOutcome::NoChange, "{event}");
    }
    assert_eq!(
        store.payment(booking.id).await.unwrap().unwrap().status,
        PaymentStatus::RefundDue
    );
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "A2", later).await,
        (SeatState::Available, None)
    );
}

/// A refund made at the gateway after the sale (a dashboard refund, a dispute) undoes it.
pub async fn a_refund_after_the_sale_frees_the_seats_and_voids_the_tickets<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let (booking, payment) = awaiting_payment(&*store, &w, &w.alice, &["B2", "B3"]).await;
    apply(&*store, &payment, "evt_sold", Reported::Succeeded, t0()).await;
    let code = store
        .get_booking(booking.id)
        .await
        .unwrap()
        .unwrap()
        .tickets[0]
        .code
        .clone();
    let applied = apply(&*store, &payment, "evt_disputed", Reported::Refunded, t0()).await;
    assert_eq!(applied.outcome, PaymentOutcome::Refunded);
    let refunded = applied.booking.unwrap();
    assert_eq!(refunded.status_at(t0()), BookingStatus::Refunded);
    assert!(refunded.tickets.is_empty());
    assert_eq!(store.booking_of_ticket(&code).await.unwrap(), None);
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "B2", t0()).await,
        (SeatState::Available, None)
    );
    assert_eq!(
        store.outbox_kinds(booking.id).await.unwrap(),
        ["booking_confirmed", "booking_refunded"]
    );
}

/// Reconciliation asks about a page of open payments at a time, oldest first; one whose
/// settling failed waits a minute, then two, four, ... (at most 6 hours) before it is asked
/// about again.
pub async fn reconciliation_pages_and_backs_off<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (first, _) = awaiting_payment(&*store, &w, &w.alice, &["A1"]).await;
    let (second, _) = awaiting_payment(&*store, &w, &w.bob, &["A2"]).await;
    let open_at = |now: DateTime<Utc>, limit| {
        let store = store.clone();
        async move {
            store
                .unsettled_payments(Unsettled {
                    changed_before: now,
                    now,
                    limit,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.booking_id)
                .collect::<Vec<_>>()
        }
    };
    let later = t0() + chrono::Duration::minutes(20);
    assert_eq!(open_at(later, 1).await, [first.id], "a page, oldest first");
    assert_eq!(open_at(later, 10).await, [first.id, second.id]);
    // The first fails to settle three times: it waits 1, then 2, then 4 minutes.
    let mut now = later;
    for wait in [1, 2, 4] {
        store.postpone_reconciliation(first.id, now).await.unwrap();
        let until = now + chrono::Duration::minutes(wait);
        assert_eq!(
            open_at(until - chrono::Duration::seconds(1), 10).await,
            [second.id],
            "waiting {wait} min"
        );
        assert_eq!(open_at(until, 10).await, [first.id, second.id]);
        now = until;
    }
    for _ in 0..20 {
        store.postpone_reconciliation(first.id, now).await.unwrap();
    }
    let longest = now + chrono::Duration::hours(6);
    assert_eq!(
        open_at(longest - chrono::Duration::seconds(1), 10).await,
        [second.id]
    );
    assert_eq!(
        open_at(longest, 10).await,
        [first.id, second.id],
        "at most 6 hours"
    );
}

/// A job one node at a time runs: a node keeps its turn while it renews it; another gets it
/// only once the lease has run out.
pub async fn one_node_at_a_time_has_a_jobs_turn<S: UnguardedHold>(store: Arc<S>) {
    let lease = chrono::Duration::minutes(5);
    let turn = |node: u16, at: DateTime<Utc>| store.take_turn("reconcile", node, at, lease);
    assert!(turn(1, t0()).await.unwrap());
    assert!(!turn(2, t0()).await.unwrap());
    assert!(
        turn(1, t0() + chrono::Duration::minutes(4)).await.unwrap(),
        "renewed"
    );
    assert!(!turn(2, t0() + chrono::Duration::minutes(8)).await.unwrap());
    assert!(
        turn(2, t0() + chrono::Duration::minutes(9)).await.unwrap(),
        "ran out"
    );
    assert!(!turn(1, t0() + chrono::Duration::minutes(9)).await.unwrap());
    assert!(
        store
            .take_turn("housekeeping", 1, t0(), lease)
            .await
            .unwrap(),
        "each job has its own turn"
    );
}

/// A failed payment may still succeed at the gateway: it stays open for reconciliation until
/// it is canceled there.
pub async fn a_failed_payment_stays_open_until_canceled<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (booking, payment) = awaiting_payment(&*store, &w, &w.alice, &["C4"]).await;
    apply(&*store, &payment, "evt_declined", Reported::Failed, t0()).await;
    let soon = t0() + chrono::Duration::seconds(1);
    let open = store
        .unsettled_payments(Unsettled {
            changed_before: soon,
            now: soon,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(
        open.iter().map(|p| p.booking_id).collect::<Vec<_>>(),
        [booking.id]
    );
    let mut canceled = report(&payment, "unused", Reported::Canceled, t0());
    canceled.event_id = None;
    let applied = store
        .apply_payment_report(canceled)
        .await
        .unwrap()
        .unpublished()
        .unwrap();
    assert_eq!(applied.outcome, PaymentOutcome::NoChange);
    assert_eq!(
        store.payment(booking.id).await.unwrap().unwrap().status,
        PaymentStatus::Canceled
    );
    assert!(store
        .unsettled_payments(Unsettled {
            changed_before: soon,
            now: soon,
            limit: 100,
        })
        .await
        .unwrap()
        .is_empty());
}

/// A payment for a hold that ran out before the sweeper came: the history says when it
/// expired, then that it was sold.
pub async fn a_late_payment_records_the_expiry_it_overtook<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let (booking, payment) = awaiting_payment(&*store, &w, &w.alice, &["A8"]).await;
    let later = booking.expires_at + chrono::Duration::minutes(3);
    let applied = apply(&*store, &payment, "evt_unswept", Reported::Succeeded, later).await;
    assert_eq!(applied.outcome, PaymentOutcome::Confirmed);
    let moves: Vec<_> = applied
        .booking
        .unwrap()
        .transitions
        .iter()
        .map(|t| (t.from, t.to, t.at))
        .collect();
    assert_eq!(
        moves[moves.len() - 2..],
        [
            (
                Some(BookingStatus::PaymentPending),
                BookingStatus::Expired,
                booking.expires_at
            ),
            (
                Some(BookingStatus::Expired),
                BookingStatus::Confirmed,
                later
            ),
        ]
    );
}

/// A ticket is admitted at the door once, also when two scanners send its code at once; a
/// void ticket is never admitted.
pub async fn a_ticket_is_admitted_once_even_by_two_scanners_at_once<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let usher = user(&*store, "usher@example.com").await;
    let (_, payment) = awaiting_payment(&*store, &w, &w.alice, &["A1", "A2"]).await;
    let at = t0() + chrono::Duration::minutes(2);
    let booking = apply(&*store, &payment, "evt_paid", Reported::Succeeded, at)
        .await
        .booking
        .unwrap();
    let code = booking.tickets[0].code.clone();
    let door = store.door_ticket(&code).await.unwrap().unwrap();
    assert_eq!(
        (
            door.booking_id,
            door.showtime_id,
            door.seat.as_str(),
            door.admitted.clone()
        ),
        (booking.id, w.showtime.showtime.id, "A1", None)
    );

    let scans = (0..8).map(|_| {
        let (store, code) = (store.clone(), code.clone());
        tokio::spawn(async move { store.admit_ticket(&code, at, usher.id).await.unwrap() })
    });
    let admitted = futures::future::join_all(scans)
        .await
        .into_iter()
        .filter(|admitted| *admitted.as_ref().unwrap())
        .count();
    assert_eq!(admitted, 1, "eight scans at once admit once");
    let door = store.door_ticket(&code).await.unwrap().unwrap();
    assert_eq!(door.admitted, Some((at, "usher@example.com".to_string())));
    assert!(!store.admit_ticket(&code, at, usher.id).await.unwrap());

    // The other ticket, voided by a refund of the sale, admits no one.
    let other = booking.tickets[1].code.clone();
    apply(&*store, &payment, "evt_refund", Reported::Refunded, at).await;
    assert!(store
        .door_ticket(&other)
        .await
        .unwrap()
        .unwrap()
        .voided_at
        .is_some());
    assert!(!store.admit_ticket(&other, at, usher.id).await.unwrap());
    assert_eq!(
        store.door_ticket(&other).await.unwrap().unwrap().admitted,
        None
    );
}
