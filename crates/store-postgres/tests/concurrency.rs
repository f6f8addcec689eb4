//! What only PostgreSQL is asked to do: several nodes (stores with pools of their own) on one
//! database at once, and test databases that go away with their guard.

use chrono::{DateTime, Duration, TimeZone, Utc};
use marquee_domain::*;
use marquee_store::*;
use marquee_store_postgres::testing::{admin_url, fresh_store, DropDatabase};
use marquee_store_postgres::PgStore;
use sqlx::{Connection, PgConnection};
use std::sync::Arc;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
        .single()
        .unwrap()
}

fn prices() -> ShowtimePrices {
    let list = PriceList {
        currency: Currency::parse("EUR").unwrap(),
        prices: vec![(SeatCategory::Standard, 900)],
    };
    ShowtimePrices::single_type(&list, 50).unwrap()
}

struct Hall {
    auditorium: AuditoriumInfo,
    event: Event,
}

async fn hall(store: &PgStore) -> Hall {
    let timezone = marquee_store::codec::timezone("Europe/Lisbon").unwrap();
    let city = store
        .create_city(
            NewCity {
                name: "Lisbon".into(),
                timezone,
            },
            Actor::System,
        )
        .await
        .unwrap();
    let venue = store
        .create_venue(
            NewVenue {
                city_id: city.id,
                name: "Tejo".into(),
                address: "Rua 1".into(),
                ads_minutes: Venue::DEFAULT_ADS_MINUTES,
                cleaning_minutes: Venue::DEFAULT_CLEANING_MINUTES,
            },
            Actor::System,
        )
        .await
        .unwrap();
    let auditorium = store
        .create_auditorium(
            NewAuditorium {
                venue_id: venue.id,
                name: "Sala 1".into(),
                layout: SeatLayout::parse("A  ssssssss\n").unwrap(),
                now: t0(),
            },
            Actor::System,
        )
        .await
        .unwrap();
    let event = store
        .create_event(
            NewEvent {
                kind: "movie".into(),
                title: "Night".into(),
                synopsis: String::new(),
                original_title: String::new(),
                director: String::new(),
                cast: vec![],
                genres: vec!["drama".into()],
                language: "pt".into(),
                runtime_minutes: 90,
                certificate: "M/12".into(),
                poster_url: None,
                trailer_url: None,
                release_date: None,
            },
            Actor::System,
        )
        .await
        .unwrap();
    Hall { auditorium, event }
}

fn showtime(hall: &Hall, starts_at: DateTime<Utc>) -> NewShowtime {
    NewShowtime {
        event_id: hall.event.id,
        auditorium_id: hall.auditorium.auditorium.id,
        starts_at,
        format: "2D".into(),
        audio_language: "pt".into(),
        subtitles: None,
        access: vec![],
        prices: prices(),
        sales_open_at: t0() - Duration::days(7),
        sales_close_minutes: 15,
    }
}

/// Two nodes schedule overlapping showtimes into one auditorium at once: the auditorium's row
/// lock lets exactly one through, and the others are told which one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_schedules_from_two_nodes_let_one_through() {
    let (first, database) = fresh_store().await;
    let second = Arc::new(PgStore::connect(database.url(), 5).await.unwrap());
    let hall = Arc::new(hall(&first).await);
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let store = if i % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            let new = showtime(&hall, t0() + Duration::days(1) + Duration::minutes(i));
            tokio::spawn(async move { store.schedule_showtime(new).await })
        })
        .collect();
    let mut scheduled = Vec::new();
    let mut busy = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(info) => scheduled.push(info.showtime.id),
            Err(StoreError::AuditoriumBusy(id)) => busy.push(id),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(scheduled.len(), 1, "{scheduled:?}");
    assert!(busy.iter().all(|id| *id == scheduled[0]), "{busy:?}");
    second.close().await;
}

/// Two nodes schedule overlapping schedules (two showtimes each) into one hall at once: the
/// hall's row lock lets one schedule through whole, and each other is refused whole, its
/// clashes naming the winner's showtimes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_schedules_are_decided_one_at_a_time_and_whole() {
    let (first, database) = fresh_store().await;
    let second = Arc::new(PgStore::connect(database.url(), 5).await.unwrap());
    let hall = Arc::new(hall(&first).await);
    let plan = PricePlan::new(
        Currency::parse("EUR").unwrap(),
        50,
        vec![TicketType::new("adult", "Adult").unwrap()],
        vec![PriceRule::any("adult", 900)],
    )
    .unwrap();
    first
        .put_price_plan(
            hall.auditorium.auditorium.venue_id,
            &plan,
            t0(),
            Actor::System,
        )
        .await
        .unwrap();
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let store = if i % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            let start = t0() + Duration::days(1) + Duration::minutes(i);
            let schedule = NewSchedule {
                event_id: hall.event.id,
                auditorium_id: hall.auditorium.auditorium.id,
                starts: vec![start, start + Duration::hours(6)],
                format: "2D".into(),
                audio_language: "pt".into(),
                subtitles: None,
                access: vec![],
                sales_open_at: None,
                sales_close_minutes: 0,
                now: t0(),
            };
            tokio::spawn(async move { store.schedule(schedule, Actor::System).await })
        })
        .collect();
    let mut scheduled = Vec::new();
    let mut refused = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(made) => scheduled.push(made),
            Err(StoreError::ScheduleConflict(clashes)) => refused.push(clashes),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(scheduled.len(), 1, "{scheduled:?}");
    let winners: Vec<ShowtimeId> = scheduled[0].iter().map(|s| s.showtime.id).collect();
    assert_eq!(winners.len(), 2);
    assert_eq!(refused.len(), 11);
    for clashes in refused {
        let named: Vec<Option<ShowtimeId>> = clashes.iter().map(|c| c.showtime).collect();
        assert_eq!(named, [Some(winners[0]), Some(winners[1])]);
    }
    second.close().await;
}

/// A hold and a move of its showtime from two nodes at once: the hold either comes first (and
/// the move is refused) or sees the moved showtime's new prices; never a booking of the old
/// terms on a moved showtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hold_racing_a_move_books_the_terms_the_showtime_has() {
    let (first, database) = fresh_store().await;
    let second = Arc::new(PgStore::connect(database.url(), 5).await.unwrap());
    let hall = hall(&first).await;
    // 8.00 before 17:00 (Lisbon is on UTC in winter), 10.00 from then on.
    let early = PriceRule {
        until: chrono::NaiveTime::from_hms_opt(17, 0, 0),
        ..PriceRule::any("adult", 800)
    };
    let plan = PricePlan::new(
        Currency::parse("EUR").unwrap(),
        0,
        vec![TicketType::new("adult", "Adult").unwrap()],
        vec![early, PriceRule::any("adult", 1000)],
    )
    .unwrap();
    first
        .put_price_plan(
            hall.auditorium.auditorium.venue_id,
            &plan,
            t0(),
            Actor::System,
        )
        .await
        .unwrap();
    let user = marquee_store::conformance::fixtures::user(&*first, "mover@example.com").await;
    let (mut moved, mut pinned) = (0, 0);
    for day in 1..=12 {
        let afternoon = t0() + Duration::days(day) + Duration::hours(4);
        let showtime = first
            .schedule(
                NewSchedule {
                    event_id: hall.event.id,
                    auditorium_id: hall.auditorium.auditorium.id,
                    starts: vec![afternoon],
                    format: "2D".into(),
                    audio_language: "pt".into(),
                    subtitles: None,
                    access: vec![],
                    sales_open_at: None,
                    sales_close_minutes: 0,
                    now: t0(),
                },
                Actor::System,
            )
            .await
            .unwrap()
            .remove(0);
        let hold = marquee_store::conformance::fixtures::hold(&user, &showtime, &["A1"], t0());
        let (mover, holder) = if day % 2 == 0 {
            (first.clone(), second.clone())
        } else {
            (second.clone(), first.clone())
        };
        let id = showtime.showtime.id;
        let move_task = tokio::spawn(async move {
            let change = ShowtimeMove {
                starts_at: Some(afternoon + Duration::hours(2)),
                auditorium_id: None,
                reason: None,
                now: t0(),
            };
            mover.move_showtime(id, change, Actor::System).await
        });
        let hold_task = tokio::spawn(async move { holder.hold_seats(hold).await });
        let booking = hold_task.await.unwrap().unwrap();
        match move_task.await.unwrap() {
            Ok(_) => moved += 1,
            Err(StoreError::ShowtimeHasBookings { live: true }) => pinned += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
        let now = first.get_showtime(id, t0()).await.unwrap().unwrap();
        let price = now
            .showtime
            .prices
            .price_of("adult", SeatCategory::Standard)
            .unwrap();
        assert_eq!(booking.quote.lines[0].price, price, "day {day}");
    }
    assert_eq!(moved + pinned, 12);
    second.close().await;
}

/// Two nodes (stores with pools of their own) on one fresh database, with a showtime of the
/// 8-seat hall tomorrow and a customer; the guard drops the database.
async fn two_nodes_and_a_customer(
    email: &str,
) -> (Arc<PgStore>, Arc<PgStore>, ShowtimeInfo, User, DropDatabase) {
    let (first, database) = fresh_store().await;
    let second = Arc::new(PgStore::connect(database.url(), 5).await.unwrap());
    let hall = hall(&first).await;
    let info = first
        .schedule_showtime(showtime(&hall, t0() + Duration::days(1)))
        .await
        .unwrap();
    let user = first
        .create_user(NewUser {
            email: Email::parse(email).unwrap(),
            password_hash: "h".into(),
            roles: vec![Role::Customer],
            now: t0(),
        })
        .await
        .unwrap();
    (first, second, info, user, database)
}

/// Holds of one seat from two nodes at once: one wins, the others are refused, and the seat
/// map agrees.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_seat_wanted_by_two_nodes_goes_to_one_hold() {
    let (first, second, info, user, _database) =
        two_nodes_and_a_customer("racer@example.com").await;
    let others = ["A2", "A3", "A4", "A5", "A6", "A7", "A8"];
    let tasks: Vec<_> = (0..40i64)
        .map(|i| {
            let store = if i % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            // A1 is in every request, given in either order.
            let other = others[i as usize % others.len()].to_string();
            let seats = if i % 3 == 0 {
                vec![other, "A1".into()]
            } else {
                vec!["A1".into(), other]
            };
            let hold = NewHold {
                id: BookingId(1000 + i),
                reference: BookingReference::from_random(7919 * (1000 + i) as u64),
                user_id: user.id,
                showtime_id: info.showtime.id,
                seats,
                ticket_types: vec![],
                expires_at: t0() + Duration::minutes(10),
                now: t0(),
                limits: HoldLimits::NONE,
            };
            tokio::spawn(async move { store.hold_seats(hold).await })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(booking) => winners.push(booking),
            Err(StoreError::SeatsUnavailable(seats)) => {
                assert!(seats.contains(&"A1".to_string()), "{seats:?}")
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1);
    let map = second
        .seat_map(info.showtime.id, t0())
        .await
        .unwrap()
        .unwrap();
    let held: Vec<_> = map
        .seats
        .iter()
        .filter(|s| s.state_at(t0()) == SeatState::Held)
        .collect();
    assert_eq!(held.len(), 2);
    assert!(held.iter().all(|s| s.booking_id == Some(winners[0].id)));
    assert_eq!(
        map.info.seats_available, 6,
        "the count and the seats come from one snapshot"
    );
    second.close().await;
}

/// One account holds seats from two nodes at once, each hold alone within its share: the
/// account is locked in each hold's transaction, so together they stop at the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_accounts_share_holds_across_nodes() {
    let (first, second, info, user, _database) =
        two_nodes_and_a_customer("hoarder@example.com").await;
    let limits = HoldLimits {
        seats_per_showtime: Some(3),
        ..HoldLimits::NONE
    };
    let tasks: Vec<_> = (1..=8i64)
        .map(|i| {
            let store = if i % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            let hold = NewHold {
                id: BookingId(2000 + i),
                reference: BookingReference::from_random(7919 * (2000 + i) as u64),
                user_id: user.id,
                showtime_id: info.showtime.id,
                seats: vec![format!("A{i}")],
                ticket_types: vec![],
                expires_at: t0() + Duration::minutes(10),
                now: t0(),
                limits,
            };
            tokio::spawn(async move { store.hold_seats(hold).await })
        })
        .collect();
    let mut granted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => granted += 1,
            Err(StoreError::OverLimit(reached)) => {
                assert_eq!(reached.limit, Limit::SeatsPerShowtime(3))
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(granted, 3);
    let map = second
        .seat_map(info.showtime.id, t0())
        .await
        .unwrap()
        .unwrap();
    let held = map
        .seats
        .iter()
        .filter(|s| s.state_at(t0()) == SeatState::Held)
        .count();
    assert_eq!(held, 3, "the database holds what the answers said");
    second.close().await;
}

/// A node number is one node's at a time: a second store on the database is refused it until
/// the first closes (or its connection dies), and may take another number meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_number_is_claimed_by_one_live_node() {
    let (first, database) = fresh_store().await;
    let second = PgStore::connect(database.url(), 2).await.unwrap();
    assert!(first.claim_node(5).await.unwrap());
    assert!(
        first.claim_node(5).await.unwrap(),
        "claiming again keeps it"
    );
    assert!(!second.claim_node(5).await.unwrap(), "a live node has it");
    assert!(second.claim_node(6).await.unwrap());
    first.close().await;
    assert!(
        second.claim_node(5).await.unwrap(),
        "freed when its node closed"
    );
    second.close().await;
}

/// The guard drops its database, even with connections to it still open.
#[tokio::test]
async fn a_test_database_is_dropped_with_its_guard() {
    let (store, database) = fresh_store().await;
    store.ping().await.unwrap();
    let name = database.name().to_string();
    assert!(name.starts_with("marquee_test_"));
    drop(database);
    let mut admin = PgConnection::connect(&admin_url()).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert!(store.ping().await.is_err(), "its connections were ended");
}
