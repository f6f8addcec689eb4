//! Group commit: many holds in one transaction, each decided on its own, in order.

use super::fixtures::*;
use crate::*;
use chrono::Duration;
use marquee_domain::*;
use std::sync::Arc;

/// Every way a hold can end, side by side in one batch: each hold gets its own answer, a
/// refused hold leaves nothing behind, and the others are written whole.
pub async fn a_batch_decides_each_hold_on_its_own_in_order<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let showtime = w.showtime.showtime.id;
    let first = hold(&w.alice, &w.showtime, &["A1", "A2"], t0());
    let mut reused_reference = hold(&w.alice, &w.showtime, &["A7"], t0());
    reused_reference.reference = first.reference.clone();
    let mut no_such_showtime = hold(&w.bob, &w.showtime, &["A1"], t0());
    no_such_showtime.showtime_id = ShowtimeId(showtime.0 + 1000);
    let after_the_start = w.showtime.showtime.starts_at + Duration::minutes(1);
    let batch = vec![
        first.clone(),
        // Wants a seat the first took: refused, and A3 stays free.
        hold(&w.bob, &w.showtime, &["A3", "A2"], t0()),
        hold(&w.bob, &w.showtime, &["B2", "B3"], t0()),
        reused_reference,
        no_such_showtime,
        hold(&w.bob, &w.showtime, &["A5", "Z9"], t0()),
        hold(&w.bob, &w.showtime, &["A6"], after_the_start),
        // Takes the seat the refused second hold had claimed for a moment.
        hold(&w.alice, &w.showtime, &["A3"], t0()),
    ];
    let results = store.hold_seats_batch(batch).await.unwrap().unpublished();
    assert_eq!(results.len(), 8);
    let outcome = |i: usize| match &results[i] {
        Ok(booking) => format!("held {}", booking.seat_labels().join(",")),
        Err(StoreError::SeatsUnavailable(seats)) => format!("unavailable {}", seats.join(",")),
        Err(StoreError::UnknownSeats(seats)) => format!("unknown {}", seats.join(",")),
        Err(other) => format!("{other:?}"),
    };
    assert_eq!(outcome(0), "held A1,A2");
    assert_eq!(outcome(1), "unavailable A2");
    assert_eq!(outcome(2), "held B2,B3");
    assert_eq!(outcome(3), "ReferenceTaken");
    assert_eq!(outcome(4), "NotFound(Showtime)");
    assert_eq!(outcome(5), "unknown Z9");
    assert!(
        matches!(results[6], Err(StoreError::NotOnSale(_))),
        "{:?}",
        results[6]
    );
    assert_eq!(outcome(7), "held A3");

    let mut held: Vec<(String, BookingId)> = states(&*store, showtime, t0())
        .await
        .into_iter()
        .filter_map(|(label, _, holder)| Some((label, holder?)))
        .collect();
    held.sort();
    let id = |i: usize| results[i].as_ref().map(|b| b.id).unwrap();
    assert_eq!(
        held,
        [
            ("A1".to_string(), id(0)),
            ("A2".to_string(), id(0)),
            ("A3".to_string(), id(7)),
            ("B2".to_string(), id(2)),
            ("B3".to_string(), id(2)),
        ]
    );
    // What each hold was answered is what was stored, amounts and history included.
    for i in [0, 2, 7] {
        let answered = results[i].as_ref().unwrap();
        let stored = store.get_booking(answered.id).await.unwrap().unwrap();
        assert_eq!(&stored, answered);
    }
    assert_eq!(
        store
            .list_bookings(w.alice.id, BookingPage::first(100))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .list_bookings(w.bob.id, BookingPage::first(100))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        results[2].as_ref().unwrap().quote.total,
        Money::new(1000 + 1450 + 2 * 75, eur())
    );
}

/// A batch that takes nothing writes nothing.
pub async fn a_batch_of_refusals_changes_nothing<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let first = store
        .hold_seats(hold(&w.alice, &w.showtime, &["C4"], t0()))
        .await
        .unwrap();
    let results = store
        .hold_seats_batch(vec![
            hold(&w.bob, &w.showtime, &["C5", "C4"], t0()),
            hold(&w.bob, &w.showtime, &["A1", "Q1"], t0()),
        ])
        .await
        .unwrap()
        .unpublished();
    assert!(results.iter().all(Result::is_err), "{results:?}");
    let held: Vec<_> = states(&*store, w.showtime.showtime.id, t0())
        .await
        .into_iter()
        .filter_map(|(label, _, holder)| Some((label, holder?)))
        .collect();
    assert_eq!(held, [("C4".to_string(), first.id)]);
    assert!(store
        .list_bookings(w.bob.id, BookingPage::first(100))
        .await
        .unwrap()
        .is_empty());
}

/// Invariant 3 inside a batch: a seat whose hold ran out is free to a later hold of the batch.
pub async fn a_batch_takes_seats_whose_hold_ran_out<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let stale = store
        .hold_seats(hold(&w.alice, &w.showtime, &["B6"], t0()))
        .await
        .unwrap();
    let later = stale.expires_at;
    let results = store
        .hold_seats_batch(vec![
            hold(&w.bob, &w.showtime, &["B6", "B7"], later),
            hold(&w.alice, &w.showtime, &["B7"], later),
        ])
        .await
        .unwrap()
        .unpublished();
    let taken = results[0].as_ref().unwrap();
    assert_eq!(taken.seat_labels(), ["B6", "B7"]);
    assert!(matches!(&results[1], Err(StoreError::SeatsUnavailable(s)) if s == &["B7"]));
    assert_eq!(
        seat_of(&*store, w.showtime.showtime.id, "B6", later).await,
        (SeatState::Held, Some(taken.id))
    );
}
