//! The back office's "today" read (issue 18): each venue's figures within its own city's day,
//! and only the venues asked for.

use super::fixtures::*;
use super::payments::{checkout, report};
use crate::*;
use chrono::Duration;
use marquee_domain::*;
use std::sync::Arc;

/// Lisbon is on UTC in November; New York's 23 November runs from 05:00 UTC to 05:00 UTC
/// on the 24th. `t0()` is 12:00 UTC on the 23rd.
fn days(lisbon: CityId, new_york: CityId) -> Vec<CityDay> {
    let day = |tz, city| CityDay {
        city,
        from: at_local(tz, "2026-11-23 00:00"),
        to: at_local(tz, "2026-11-24 00:00"),
    };
    vec![
        day(chrono_tz::Europe::Lisbon, lisbon),
        day(chrono_tz::America::New_York, new_york),
    ]
}

pub async fn the_dashboard_counts_each_venue_within_its_own_day<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let carol = user(&*store, "carol@example.com").await;
    let (new_york, broadway) = city_in(&*store, "New York", chrono_tz::America::New_York).await;
    let hall = auditorium(&*store, broadway.id, "Hall 1", LAYOUT).await;
    let film = event(&*store, "Night <script>", 90).await;
    // Lisbon: one showtime later today, one that ended this morning; the world's is tomorrow.
    let today = schedule(&*store, &w.event, &w.auditorium, t0() + Duration::hours(3)).await;
    schedule(&*store, &w.event, &w.auditorium, t0() - Duration::hours(4)).await;
    // New York: 23:00 on the 23rd there (04:00 UTC on the 24th) is today; 01:00 on the 24th is not.
    let late = at_local(chrono_tz::America::New_York, "2026-11-23 23:00");
    let ny_today = schedule(&*store, &film, &hall, late).await;
    let ny_tomorrow = at_local(chrono_tz::America::New_York, "2026-11-25 01:00");
    schedule(&*store, &film, &hall, ny_tomorrow).await;

    // Alice buys two seats of tonight's Lisbon show, confirmed at t0 + 2 min.
    let paid = store
        .hold_seats(hold(&w.alice, &today, &["A1", "A2"], t0()))
        .await
        .unwrap();
    let payment = store
        .start_checkout(checkout(&paid, &w.alice, "pi_dash", t0()))
        .await
        .unwrap();
    store
        .apply_payment_report(report(
            &payment,
            "evt_dash",
            Reported::Succeeded,
            t0() + Duration::minutes(2),
        ))
        .await
        .unwrap()
        .unpublished()
        .unwrap();
    // Bob holds one seat now; Carol's hold ran out before now.
    let live = store
        .hold_seats(hold(&w.bob, &today, &["B3"], t0()))
        .await
        .unwrap();
    let stale = store
        .hold_seats(hold(&carol, &today, &["A5"], t0() - Duration::minutes(20)))
        .await
        .unwrap();
    // In New York, Bob holds two seats of tonight's show.
    store
        .hold_seats(hold(&w.bob, &ny_today, &["A1", "A2"], t0()))
        .await
        .unwrap();

    let now = t0() + Duration::minutes(5);
    let all = store
        .dashboard(&DashboardQuery {
            venues: None,
            days: days(w.city.id, new_york.id),
            now,
            recent: 10,
        })
        .await
        .unwrap();
    assert_eq!(
        all.venues.iter().map(|v| v.id).collect::<Vec<_>>(),
        [w.venue.id, broadway.id],
        "venues by city name"
    );
    assert_eq!(
        all.sales,
        [dashboard::VenueSales {
            venue: w.venue.id,
            bookings: 1,
            tickets: 2,
            revenue: paid.quote.total,
        }]
    );
    let occupancy: Vec<_> = all
        .showtimes
        .iter()
        .map(|s| (s.showtime, s.seats, s.sold, s.held))
        .collect();
    assert_eq!(
        occupancy,
        [
            (today.showtime.id, 21, 2, 1),
            (ny_today.showtime.id, 21, 0, 2)
        ],
        "today's showtimes not yet over, in each venue's own day"
    );
    assert_eq!(all.showtimes[1].title, "Night <script>");
    assert_eq!(
        all.holds,
        [
            dashboard::VenueHolds {
                venue: w.venue.id,
                holds: 1,
                seats: 1
            },
            dashboard::VenueHolds {
                venue: broadway.id,
                holds: 1,
                seats: 2
            },
        ]
    );
    let recent: Vec<_> = all.recent.iter().map(|b| (b.id, b.status)).collect();
    assert_eq!(recent.len(), 4);
    assert!(recent.contains(&(paid.id, BookingStatus::Confirmed)));
    assert!(recent.contains(&(live.id, BookingStatus::Held)));
    assert!(
        recent.contains(&(stale.id, BookingStatus::Expired)),
        "a hold past its time shows as expired before the sweeper runs"
    );
    assert!(
        all.recent.windows(2).all(|p| p[0].id > p[1].id),
        "newest first"
    );
    let two = store
        .dashboard(&DashboardQuery {
            venues: None,
            days: days(w.city.id, new_york.id),
            now,
            recent: 2,
        })
        .await
        .unwrap();
    assert_eq!(two.recent, all.recent[..2]);

    // Staff of the New York venue see only it.
    let scoped = store
        .dashboard(&DashboardQuery {
            venues: Some(vec![broadway.id]),
            days: days(w.city.id, new_york.id),
            now,
            recent: 10,
        })
        .await
        .unwrap();
    assert_eq!(scoped.venues.len(), 1);
    assert!(scoped.sales.is_empty());
    assert_eq!(scoped.showtimes.len(), 1);
    assert_eq!(scoped.holds.len(), 1);
    assert!(scoped.recent.iter().all(|b| b.venue == broadway.id));
    assert_eq!(scoped.recent.len(), 1);
    let none = store
        .dashboard(&DashboardQuery {
            venues: Some(vec![]),
            days: days(w.city.id, new_york.id),
            now,
            recent: 10,
        })
        .await
        .unwrap();
    assert_eq!(none, DashboardData::default());
}
