//! Cancellations on every backend: a whole showtime cancelled with many bookings refunds each
//! once, also when it is run twice; nothing is sold after it.

use super::fixtures::*;
use crate::cancellations::{CancelBooking, CancelShowtime, Canceller, MESSAGE_KIND};
use crate::{ShowtimeFilter, StoreError, UnguardedHold};
use chrono::Duration;
use marquee_domain::cancellation::{CancelRefused, RefundStatus};
use marquee_domain::*;
use std::sync::Arc;

/// 5 rows of 11 standard seats.
const BIG_HALL: &str =
    "A  sssssssssss\nB  sssssssssss\nC  sssssssssss\nD  sssssssssss\nE  sssssssssss\n";

pub async fn cancelling_a_showtime_refunds_each_booking_once_even_run_twice<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let hall = auditorium(&*store, w.venue.id, "Big hall", BIG_HALL).await;
    let showtime = schedule(&*store, &w.event, &hall, t0() + Duration::days(2)).await;
    let labels: Vec<String> = ["A", "B", "C", "D", "E"]
        .iter()
        .flat_map(|row| (1..=11).map(move |n| format!("{row}{n}")))
        .collect();
    let mut bookings = Vec::new();
    for (i, label) in labels.iter().take(50).enumerate() {
        let buyer = user(&*store, &format!("buyer{i}@example.com")).await;
        bookings.push(paid(&*store, &buyer, &showtime, &[label.as_str()], t0()).await);
    }
    // A live hold, and a seat left free.
    let holder = user(&*store, "holder@example.com").await;
    let held = store
        .hold_seats(hold(&holder, &showtime, &["E7"], t0()))
        .await
        .unwrap();

    let ask = CancelShowtime {
        showtime: showtime.showtime.id,
        staff: w.alice.id,
        reason: "projector failure".into(),
        now: t0() + Duration::minutes(1),
    };
    let first = store
        .cancel_showtime(ask.clone())
        .await
        .unwrap()
        .unpublished();
    assert_eq!(first.bookings.len(), 50);
    assert_eq!(first.holds_released, vec![held.id]);
    let again = store
        .cancel_showtime(CancelShowtime {
            now: t0() + Duration::minutes(5),
            ..ask
        })
        .await
        .unwrap()
        .unpublished();
    assert!(again.bookings.is_empty(), "nothing is refunded twice");
    assert!(again.holds_released.is_empty());
    assert_eq!(again.cancelled_at, first.cancelled_at);

    for booking in &bookings {
        let read = store.get_booking(booking.id).await.unwrap().unwrap();
        assert_eq!(read.stored_status, BookingStatus::Cancelled);
        assert_eq!(read.cancellations.len(), 1, "{}", booking.id);
        let cancellation = &read.cancellations[0];
        assert_eq!(cancellation.refund, booking.quote.total, "a full refund");
        assert_eq!(cancellation.refund_status, RefundStatus::Due);
        assert!(cancellation.by_staff);
        assert!(read.tickets.is_empty(), "its tickets are void");
        let told = store.outbox_kinds(booking.id).await.unwrap();
        assert_eq!(
            told.iter().filter(|k| *k == "showtime_cancelled").count(),
            1,
            "{told:?}"
        );
    }
    let released = store.get_booking(held.id).await.unwrap().unwrap();
    assert_eq!(released.stored_status, BookingStatus::Released);
    // Every seat is off sale now, and no hold can take one.
    let later = t0() + Duration::minutes(10);
    let seats = states(&*store, showtime.showtime.id, later).await;
    assert!(
        seats
            .iter()
            .all(|(_, state, _)| *state == SeatState::Blocked),
        "{seats:?}"
    );
    let refused = store
        .hold_seats(hold(&holder, &showtime, &["E11"], later))
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::NotOnSale(ShowtimeError::Cancelled))
        ),
        "{refused:?}"
    );
    // Customers no longer find it; staff read when it was cancelled.
    let listed = store
        .list_showtimes(&ShowtimeFilter {
            event_id: Some(w.event.id),
            city_id: None,
            starts_from: None,
            starts_until: None,
            access: None,
            limit: 100,
            now: later,
        })
        .await
        .unwrap();
    assert!(listed.iter().all(|s| s.showtime.id != showtime.showtime.id));
    let info = store
        .get_showtime(showtime.showtime.id, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.cancelled_at, Some(first.cancelled_at));
    // The world's showtime is untouched.
    let other = store
        .get_showtime(w.showtime.showtime.id, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other.cancelled_at, None);
}

pub async fn a_booking_is_cancelled_once_and_its_seats_are_free_at_once<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let booking = paid(&*store, &w.alice, &w.showtime, &["A1", "A2"], t0()).await;
    let ask = |seats: Option<Vec<String>>| CancelBooking {
        booking: booking.id,
        by: Canceller::Customer(w.alice.id),
        seats,
        dry_run: false,
        now: t0() + Duration::minutes(1),
        message_kind: MESSAGE_KIND,
    };
    // Eight cancels at once, of the whole booking and of one seat: each seat once.
    let tries = (0..8).map(|i| {
        let store = store.clone();
        let one = ask((i % 2 == 1).then(|| vec!["A1".to_string()]));
        tokio::spawn(async move { store.cancel_booking(one).await })
    });
    let mut refunded = 0;
    let mut refused = 0;
    for answer in futures::future::join_all(tries).await {
        match answer.unwrap() {
            Ok(done) => refunded += done.unpublished().plan.refund.minor,
            Err(StoreError::CannotCancel(
                CancelRefused::AlreadyCancelled(_) | CancelRefused::NotConfirmed(_),
            )) => refused += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    assert!(refused >= 6, "{refused}");
    assert_eq!(
        refunded, booking.quote.total.minor,
        "every seat refunded once"
    );
    let read = store.get_booking(booking.id).await.unwrap().unwrap();
    let stored: i64 = read.cancellations.iter().map(|c| c.refund.minor).sum();
    assert_eq!(stored, booking.quote.total.minor);
    assert_eq!(read.stored_status, BookingStatus::Cancelled);
    // Another customer holds the seats at once.
    let again = store
        .hold_seats(hold(
            &w.bob,
            &w.showtime,
            &["A1", "A2"],
            t0() + Duration::minutes(2),
        ))
        .await;
    assert!(again.is_ok(), "{again:?}");
}

pub async fn a_reminder_is_queued_once_when_its_venue_says<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let booking = paid(&*store, &w.alice, &w.showtime, &["A1"], t0()).await;
    let held = store
        .hold_seats(hold(&w.bob, &w.showtime, &["A2"], t0()))
        .await
        .unwrap();
    let start = w.showtime.showtime.starts_at;
    let reminders = |id: BookingId| {
        let store = store.clone();
        async move {
            store
                .outbox_kinds(id)
                .await
                .unwrap()
                .iter()
                .filter(|k| *k == "showtime_reminder")
                .count()
        }
    };
    // Not before the venue's 3 hours.
    let early = start - Duration::hours(3) - Duration::seconds(1);
    assert_eq!(store.queue_reminders(early, 100).await.unwrap(), 0);
    // From then on, once, even when two passes run at once.
    let at = start - Duration::hours(3);
    let (a, b) = tokio::join!(
        store.queue_reminders(at, 100),
        store.queue_reminders(at, 100)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(
        store
            .queue_reminders(at + Duration::hours(1), 100)
            .await
            .unwrap(),
        0
    );
    assert_eq!(reminders(booking.id).await, 1);
    assert_eq!(reminders(held.id).await, 0, "only confirmed bookings");
    // A venue that sends none.
    let other = paid(&*store, &w.bob, &w.showtime, &["A3"], t0()).await;
    store
        .set_reminder_hours(w.venue.id, 0, crate::Actor::System)
        .await
        .unwrap();
    assert_eq!(store.reminder_hours(w.venue.id).await.unwrap(), 0);
    assert_eq!(
        store
            .queue_reminders(start - Duration::minutes(30), 100)
            .await
            .unwrap(),
        0
    );
    assert_eq!(reminders(other.id).await, 0);
}
