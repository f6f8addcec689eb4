//! Invariants 1–4 and 8 of ARCHITECTURE.md at the store, and the booking state machine.

use super::fixtures::*;
use crate::*;
use chrono::Duration;
use marquee_domain::*;
use std::sync::Arc;

/// Invariant 1: a seat belongs to at most one live booking.
pub async fn a_seat_is_never_held_by_two_live_bookings<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let first = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A1", "A2"], t0()))
        .await
        .unwrap();
    assert_eq!(first.status_at(t0()), BookingStatus::Held);
    match store
        .hold_seats(hold(&w.bob, &w.showtime, &["A2", "A3"], t0()))
        .await
    {
        Err(StoreError::SeatsUnavailable(seats)) => assert_eq!(seats, ["A2"]),
        other => panic!("expected A2 to be unavailable, got {other:?}"),
    }
    // Even a second hold by the same user is refused.
    assert!(matches!(
        store
            .hold_seats(hold(&w.alice, &w.showtime, &["A1"], t0()))
            .await,
        Err(StoreError::SeatsUnavailable(_))
    ));
    let holders: Vec<_> = states(&*store, w.showtime.showtime.id, t0())
        .await
        .into_iter()
        .filter(|(_, s, _)| *s != SeatState::Available)
        .collect();
    assert_eq!(
        holders,
        [
            ("A1".to_string(), SeatState::Held, Some(first.id)),
            ("A2".to_string(), SeatState::Held, Some(first.id))
        ]
    );
}

/// Invariant 2: all requested seats are held by the booking, or none are.
pub async fn a_hold_is_all_or_nothing<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    store
        .hold_seats(hold(&w.alice, &w.showtime, &["B4"], t0()))
        .await
        .unwrap();
    let refused = store
        .hold_seats(hold(&w.bob, &w.showtime, &["B2", "B3", "B4", "B5"], t0()))
        .await;
    assert!(
        matches!(refused, Err(StoreError::SeatsUnavailable(ref s)) if s == &["B4"]),
        "{refused:?}"
    );
    for label in ["B2", "B3", "B5"] {
        assert_eq!(
            state_of(&*store, w.showtime.showtime.id, label, t0()).await,
            SeatState::Available,
            "{label}"
        );
    }
    assert!(
        store
            .list_bookings(w.bob.id, BookingPage::first(100))
            .await
            .unwrap()
            .is_empty(),
        "no booking was left behind"
    );
    let whole = store
        .hold_seats(hold(&w.bob, &w.showtime, &["B2", "B3", "B5"], t0()))
        .await
        .unwrap();
    assert_eq!(whole.seat_labels(), ["B2", "B3", "B5"]);
    assert_eq!(
        store
            .get_showtime(w.showtime.showtime.id, t0())
            .await
            .unwrap()
            .unwrap()
            .seats_available,
        17
    );
}

pub async fn unknown_seats_are_refused_and_change_nothing<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    match store
        .hold_seats(hold(&w.alice, &w.showtime, &["A1", "Z9", "A99"], t0()))
        .await
    {
        Err(StoreError::UnknownSeats(seats)) => assert_eq!(seats, ["Z9", "A99"]),
        other => panic!("expected unknown seats, got {other:?}"),
    }
    assert_eq!(
        state_of(&*store, w.showtime.showtime.id, "A1", t0()).await,
        SeatState::Available
    );
    let mut missing = hold(&w.alice, &w.showtime, &["A1"], t0());
    missing.showtime_id = ShowtimeId(w.showtime.showtime.id.0 + 1000);
    assert!(matches!(
        store.hold_seats(missing).await,
        Err(StoreError::NotFound(Entity::Showtime))
    ));
    assert!(store
        .list_bookings(w.alice.id, BookingPage::first(100))
        .await
        .unwrap()
        .is_empty());
}

/// Invariant 3: expiry is part of the availability predicate itself.
pub async fn an_expired_hold_blocks_no_one_even_before_the_sweeper<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let first = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A4", "A5"], t0()))
        .await
        .unwrap();
    let later = first.expires_at;
    assert_eq!(
        state_of(
            &*store,
            w.showtime.showtime.id,
            "A4",
            later - Duration::milliseconds(1)
        )
        .await,
        SeatState::Held
    );
    assert_eq!(
        state_of(&*store, w.showtime.showtime.id, "A4", later).await,
        SeatState::Available
    );
    assert_eq!(
        store
            .get_showtime(w.showtime.showtime.id, later)
            .await
            .unwrap()
            .unwrap()
            .seats_available,
        21
    );

    let second = store
        .hold_seats(hold(&w.bob, &w.showtime, &["A5", "A6"], later))
        .await
        .unwrap();
    assert_eq!(
        store
            .get_booking(first.id)
            .await
            .unwrap()
            .unwrap()
            .status_at(later),
        BookingStatus::Expired
    );

    // The sweeper records the expiry but leaves A5 to its new holder.
    assert_eq!(
        store.expire_stale_holds(later).await.unwrap().unpublished(),
        1
    );
    let seats = states(&*store, w.showtime.showtime.id, later).await;
    let holder = |label: &str| {
        seats
            .iter()
            .find(|(l, ..)| l == label)
            .map(|(_, s, b)| (*s, *b))
            .unwrap()
    };
    assert_eq!(holder("A4"), (SeatState::Available, None));
    assert_eq!(holder("A5"), (SeatState::Held, Some(second.id)));
    assert_eq!(holder("A6"), (SeatState::Held, Some(second.id)));
}

pub async fn the_sweeper_expires_stale_holds_and_frees_their_seats<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let booking = store
        .hold_seats(hold(&w.alice, &w.showtime, &["C1", "C2"], t0()))
        .await
        .unwrap();
    let other = store
        .hold_seats(hold(
            &w.bob,
            &w.showtime,
            &["A1"],
            t0() + Duration::minutes(5),
        ))
        .await
        .unwrap();
    assert_eq!(
        store
            .expire_stale_holds(booking.expires_at - Duration::seconds(1))
            .await
            .unwrap()
            .unpublished(),
        0
    );
    assert_eq!(
        store
            .expire_stale_holds(booking.expires_at)
            .await
            .unwrap()
            .unpublished(),
        1
    );
    assert_eq!(
        store
            .expire_stale_holds(booking.expires_at)
            .await
            .unwrap()
            .unpublished(),
        0,
        "expiring is done once"
    );

    let stored = store.get_booking(booking.id).await.unwrap().unwrap();
    assert_eq!(stored.stored_status, BookingStatus::Expired);
    assert_eq!(
        stored
            .transitions
            .iter()
            .map(|t| (t.from, t.to, t.at))
            .collect::<Vec<_>>(),
        [
            (None, BookingStatus::Held, t0()),
            (
                Some(BookingStatus::Held),
                BookingStatus::Expired,
                booking.expires_at
            )
        ]
    );
    // Seat rows are freed, not just hidden by the predicate: read at a time before expiry.
    assert_eq!(
        state_of(&*store, w.showtime.showtime.id, "C1", t0()).await,
        SeatState::Available
    );
    assert_eq!(
        store
            .get_booking(other.id)
            .await
            .unwrap()
            .unwrap()
            .stored_status,
        BookingStatus::Held
    );
}

/// Invariant 4: integer minor units with a currency, from the showtime's price list.
pub async fn amounts_are_integer_minor_units_from_the_price_list<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let booking = store
        .hold_seats(hold(&w.alice, &w.showtime, &["B3", "C1", "C2", "A1"], t0()))
        .await
        .unwrap();
    let lines: Vec<_> = booking
        .quote
        .lines
        .iter()
        .map(|l| (l.label.as_str(), l.category, l.price.minor))
        .collect();
    assert_eq!(
        lines,
        [
            ("B3", SeatCategory::Premium, 1450),
            ("C1", SeatCategory::Accessible, 1000),
            ("C2", SeatCategory::Companion, 500),
            ("A1", SeatCategory::Standard, 1000),
        ]
    );
    assert_eq!(booking.quote.subtotal, Money::new(3950, eur()));
    assert_eq!(booking.quote.fees, Money::new(300, eur()));
    assert_eq!(booking.quote.total, Money::new(4250, eur()));
    let stored = store.get_booking(booking.id).await.unwrap().unwrap();
    assert_eq!(
        stored, booking,
        "what is read back is what the hold answered"
    );
}

pub async fn releasing_a_hold_frees_its_seats_once<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let booking = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A7", "A8"], t0()))
        .await
        .unwrap();
    let at = t0() + Duration::minutes(2);
    let released = store
        .release_hold(booking.id, w.alice.id, at)
        .await
        .unwrap()
        .unpublished()
        .unwrap();
    assert_eq!(released.stored_status, BookingStatus::Released);
    assert_eq!(
        released.transitions.last().map(|t| (t.to, t.at)),
        Some((BookingStatus::Released, at))
    );
    assert_eq!(
        state_of(&*store, w.showtime.showtime.id, "A7", at).await,
        SeatState::Available
    );
    match store.release_hold(booking.id, w.alice.id, at).await {
        Err(StoreError::InvalidTransition {
            from: BookingStatus::Released,
            to: BookingStatus::Released,
        }) => {}
        other => panic!("expected InvalidTransition, got {other:?}"),
    }
    // A hold that has run out cannot be released: it is expired.
    let stale = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A1"], t0()))
        .await
        .unwrap();
    assert!(matches!(
        store
            .release_hold(stale.id, w.alice.id, stale.expires_at)
            .await,
        Err(StoreError::InvalidTransition {
            from: BookingStatus::Expired,
            ..
        })
    ));
    // The seats can be held again at once.
    store
        .hold_seats(hold(&w.bob, &w.showtime, &["A7", "A8"], at))
        .await
        .unwrap();
}

/// Pages of a customer's bookings: newest first, each page whole (seats and history), the
/// next one starting below the last id seen, and none of anyone else's.
pub async fn a_users_bookings_come_in_pages_newest_first<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let mut made = Vec::new();
    for (i, seat) in ["A1", "A2", "A3", "A4", "A5"].into_iter().enumerate() {
        let at = t0() + Duration::seconds(i as i64);
        made.push(
            store
                .hold_seats(hold(&w.alice, &w.showtime, &[seat], at))
                .await
                .unwrap(),
        );
    }
    store
        .hold_seats(hold(&w.bob, &w.showtime, &["A6"], t0()))
        .await
        .unwrap();
    made.reverse();
    let mut seen = Vec::new();
    let mut page = BookingPage::first(2);
    loop {
        let got = store.list_bookings(w.alice.id, page).await.unwrap();
        assert!(got.len() <= 2);
        for booking in &got {
            assert_eq!(booking.quote.lines.len(), 1, "whole, with its seat");
            assert_eq!(booking.transitions.len(), 1, "whole, with its history");
        }
        let Some(last) = got.last() else { break };
        page = BookingPage {
            before: Some(last.id),
            limit: 2,
        };
        seen.extend(got.into_iter().map(|b| b.id));
    }
    assert_eq!(seen, made.iter().map(|b| b.id).collect::<Vec<_>>());
}

/// Invariant 8 at the store: bookings are read and released by their owner only.
pub async fn a_user_sees_and_releases_only_their_own_bookings<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let mine = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A1"], t0()))
        .await
        .unwrap();
    let later = store
        .hold_seats(hold(
            &w.alice,
            &w.showtime,
            &["A2"],
            t0() + Duration::seconds(1),
        ))
        .await
        .unwrap();
    let theirs = store
        .hold_seats(hold(&w.bob, &w.showtime, &["A3"], t0()))
        .await
        .unwrap();
    let ids = |list: Vec<Booking>| list.into_iter().map(|b| b.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .list_bookings(w.alice.id, BookingPage::first(100))
            .await
            .unwrap()),
        [later.id, mine.id],
        "newest first"
    );
    assert_eq!(
        ids(store
            .list_bookings(w.bob.id, BookingPage::first(100))
            .await
            .unwrap()),
        [theirs.id]
    );
    assert!(matches!(
        store.release_hold(mine.id, w.bob.id, t0()).await,
        Err(StoreError::NotFound(Entity::Booking))
    ));
    assert_eq!(
        state_of(&*store, w.showtime.showtime.id, "A1", t0()).await,
        SeatState::Held
    );
}

pub async fn holds_are_refused_outside_the_sales_window<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let start = w.showtime.showtime.starts_at;
    for (at, what) in [
        (start, "started"),
        (start + Duration::minutes(5), "started"),
        (start - Duration::minutes(10), "closed"),
        (t0() - Duration::days(8), "not yet open"),
    ] {
        match store
            .hold_seats(hold(&w.alice, &w.showtime, &["A1"], at))
            .await
        {
            Err(StoreError::NotOnSale(_)) => {}
            other => panic!("{what}: expected NotOnSale, got {other:?}"),
        }
    }
    assert!(store
        .list_bookings(w.alice.id, BookingPage::first(100))
        .await
        .unwrap()
        .is_empty());
    store
        .hold_seats(hold(
            &w.alice,
            &w.showtime,
            &["A1"],
            start - Duration::minutes(16),
        ))
        .await
        .unwrap();
}

pub async fn a_taken_reference_is_refused_and_changes_nothing<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let first = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A1"], t0()))
        .await
        .unwrap();
    let mut clash = hold(&w.bob, &w.showtime, &["A2"], t0());
    clash.reference = first.reference.clone();
    assert!(matches!(
        store.hold_seats(clash).await,
        Err(StoreError::ReferenceTaken)
    ));
    assert_eq!(
        state_of(&*store, w.showtime.showtime.id, "A2", t0()).await,
        SeatState::Available
    );
    assert!(store
        .list_bookings(w.bob.id, BookingPage::first(100))
        .await
        .unwrap()
        .is_empty());
}

pub async fn access_needs_are_kept_with_their_booking<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let ana = store
        .hold_seats(hold(&w.alice, &w.showtime, &["C1", "C2"], t0()))
        .await
        .unwrap();
    let bob = store
        .hold_seats(hold(&w.bob, &w.showtime, &["A1"], t0()))
        .await
        .unwrap();
    assert_eq!(store.access_needs(ana.id).await.unwrap(), None);
    store
        .set_access_needs(ana.id, "A wheelchair; my companion uses a hearing loop.")
        .await
        .unwrap();
    store
        .set_access_needs(ana.id, "A wheelchair and a guide dog.")
        .await
        .unwrap();
    assert_eq!(
        store.access_needs(ana.id).await.unwrap().as_deref(),
        Some("A wheelchair and a guide dog.")
    );
    assert_eq!(store.access_needs(bob.id).await.unwrap(), None);
}
