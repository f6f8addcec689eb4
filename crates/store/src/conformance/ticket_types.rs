//! Ticket types at the store: each seat of a hold is priced as its ticket type from the
//! showtime's frozen prices, and a venue's price plan is kept apart from the showtimes
//! scheduled with it.

use super::fixtures::*;
use crate::*;
use chrono::{NaiveTime, TimeZone, Utc, Weekday};
use marquee_domain::*;
use std::sync::Arc;

fn typed_hold(
    w: &World,
    seats: &[&str],
    ticket_types: &[&str],
    now: chrono::DateTime<Utc>,
) -> NewHold {
    NewHold {
        ticket_types: ticket_types.iter().map(|t| t.to_string()).collect(),
        ..hold(&w.alice, &w.showtime, seats, now)
    }
}

pub async fn a_hold_prices_each_seat_as_its_ticket_type<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let booking = store
        .hold_seats(typed_hold(
            &w,
            &["B3", "A1", "A2"],
            &["child", "adult", "child"],
            t0(),
        ))
        .await
        .unwrap();
    let lines: Vec<_> = booking
        .quote
        .lines
        .iter()
        .map(|l| (l.label.as_str(), l.ticket_type.as_str(), l.price.minor))
        .collect();
    assert_eq!(
        lines,
        [
            ("B3", "child", 900),
            ("A1", "adult", 1000),
            ("A2", "child", 600)
        ]
    );
    assert_eq!(
        booking.quote.total,
        Money::new(900 + 1000 + 600 + 3 * 75, eur())
    );
    assert_eq!(
        store.get_booking(booking.id).await.unwrap().as_ref(),
        Some(&booking),
        "each line's ticket type is stored"
    );
    // Seats named without types are the default type (adult).
    let plain = store
        .hold_seats(hold(&w.bob, &w.showtime, &["B4"], t0()))
        .await
        .unwrap();
    assert_eq!(
        (
            plain.quote.lines[0].ticket_type.as_str(),
            plain.quote.lines[0].price.minor
        ),
        ("adult", 1450)
    );
}

pub async fn an_unknown_ticket_type_is_refused_and_holds_nothing<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    match store
        .hold_seats(typed_hold(&w, &["A1", "A2"], &["adult", "senior"], t0()))
        .await
    {
        Err(StoreError::UnknownTicketTypes(codes)) => assert_eq!(codes, ["senior"]),
        other => panic!("expected an unknown ticket type, got {other:?}"),
    }
    for seat in ["A1", "A2"] {
        assert_eq!(
            state_of(&*store, w.showtime.showtime.id, seat, t0()).await,
            SeatState::Available
        );
    }
    assert!(store
        .list_bookings(w.alice.id, BookingPage::first(10))
        .await
        .unwrap()
        .is_empty());
}

/// Adults 1000 (800 before 17:00 Monday to Friday), children 500, every category.
fn plan(adult: i64, matinee: i64, child: i64) -> PricePlan {
    let weekday_matinee = PriceRule {
        weekdays: vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ],
        until: NaiveTime::from_hms_opt(17, 0, 0),
        ..PriceRule::any("adult", matinee)
    };
    PricePlan::new(
        eur(),
        50,
        ticket_types(),
        vec![
            weekday_matinee,
            PriceRule::any("adult", adult),
            PriceRule::any("child", child),
        ],
    )
    .unwrap()
}

pub async fn a_venue_price_plan_is_replaced_whole<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    assert_eq!(store.venue_price_plan(w.venue.id).await.unwrap(), None);
    let first = plan(1000, 800, 500);
    store
        .put_price_plan(w.venue.id, &first, t0(), Actor::System)
        .await
        .unwrap();
    assert_eq!(
        store.venue_price_plan(w.venue.id).await.unwrap(),
        Some(first)
    );
    let second = plan(1100, 900, 550);
    store
        .put_price_plan(w.venue.id, &second, t0(), Actor::System)
        .await
        .unwrap();
    assert_eq!(
        store.venue_price_plan(w.venue.id).await.unwrap(),
        Some(second.clone())
    );
    let nowhere = VenueId(w.venue.id.0 + 1000);
    assert!(matches!(
        store
            .put_price_plan(nowhere, &second, t0(), Actor::System)
            .await,
        Err(StoreError::NotFound(Entity::Venue))
    ));
    assert_eq!(store.venue_price_plan(nowhere).await.unwrap(), None);
}

pub async fn a_later_plan_change_leaves_scheduled_prices_alone<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    store
        .put_price_plan(w.venue.id, &plan(1000, 800, 500), t0(), Actor::System)
        .await
        .unwrap();
    // Lisbon is on UTC in winter: the showtime starts at 14:00 local on a Wednesday, a matinee.
    let starts_at = Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap();
    let local = starts_at.with_timezone(&w.city.timezone);
    assert_eq!(chrono::Datelike::weekday(&local), Weekday::Wed);
    let categories = SeatLayout::parse(LAYOUT).unwrap().categories();
    let stored_plan = store.venue_price_plan(w.venue.id).await.unwrap().unwrap();
    let scheduled = store
        .schedule_showtime(NewShowtime {
            prices: stored_plan
                .resolve_at(starts_at, w.city.timezone, "2D", &categories)
                .unwrap(),
            ..new_showtime(&w.event, &w.auditorium, starts_at)
        })
        .await
        .unwrap();
    let frozen = scheduled.showtime.prices.clone();
    assert_eq!(
        frozen.price_of("adult", SeatCategory::Standard),
        Some(Money::new(800, eur()))
    );

    store
        .put_price_plan(w.venue.id, &plan(1300, 1200, 700), t0(), Actor::System)
        .await
        .unwrap();
    let read = store
        .get_showtime(scheduled.showtime.id, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.showtime.prices, frozen);
    let booking = store
        .hold_seats(NewHold {
            ticket_types: vec!["adult".into(), "child".into()],
            ..hold(&w.alice, &scheduled, &["A1", "A2"], t0())
        })
        .await
        .unwrap();
    let prices: Vec<i64> = booking.quote.lines.iter().map(|l| l.price.minor).collect();
    assert_eq!(prices, [800, 500]);
    assert_eq!(booking.quote.fees, Money::new(100, eur()));
}
