//! `marquee demo --events N --showtimes M` writes a synthetic catalog of that size, on both
//! backends: every film complete, no hall with two showtimes at once, each showtime with its
//! whole seat inventory, one held like any other; and only into an empty database.

mod common;

use chrono::{Duration, Utc};
use marquee_domain::{BookingId, BookingReference, Email, HoldLimits, NewHold, Role, SeatState};
use marquee_store::{NewUser, Store, VenueShowtime};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

const EVENTS: usize = 50;
const SHOWTIMES: usize = 150;

fn demo(dir: &Path, database_url: &str, args: &[&str]) -> Output {
    common::marquee(dir)
        .arg("demo")
        .args(args)
        .env("MARQUEE_DATABASE_URL", database_url)
        .output()
        .expect("marquee demo runs")
}

fn said(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr)
}

fn synthetic(dir: &Path, database_url: &str, seed: &str) -> Output {
    let events = EVENTS.to_string();
    let showtimes = SHOWTIMES.to_string();
    let args = [
        "--events",
        &events,
        "--showtimes",
        &showtimes,
        "--seed",
        seed,
    ];
    demo(dir, database_url, &args)
}

/// Every showtime of the catalog, with the layout capacity of its hall.
async fn all_showtimes(store: &dyn Store) -> Vec<VenueShowtime> {
    let now = Utc::now();
    let mut showtimes = Vec::new();
    for venue in store.list_venues(None).await.unwrap() {
        showtimes.extend(
            store
                .venue_schedule(venue.id, now, now + Duration::days(20), now)
                .await
                .unwrap(),
        );
    }
    showtimes
}

/// The catalog is as asked, and a showtime of it can be held through the store's hold path.
async fn check_catalog(store: &dyn Store) {
    let events = store.all_events(1000, 0).await.unwrap();
    assert_eq!(events.len(), EVENTS);
    for event in &events {
        assert!(!event.title.trim().is_empty(), "{event:?}");
        assert!(event.cast.len() >= 3, "{event:?}");
        assert!(!event.director.is_empty(), "{event:?}");
        assert!(!event.genres.is_empty(), "{event:?}");
        assert!(
            !event.synopsis.is_empty() && event.runtime_minutes > 0,
            "{event:?}"
        );
    }
    let cities = store.list_cities().await.unwrap();
    assert!(cities.len() >= 3, "{cities:?}");

    let showtimes = all_showtimes(store).await;
    assert_eq!(showtimes.len(), SHOWTIMES);
    let mut by_hall: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for s in &showtimes {
        by_hall
            .entry(s.info.showtime.auditorium_id)
            .or_default()
            .push(&s.info);
    }
    assert!(by_hall.len() >= 6, "{} halls", by_hall.len());
    for (hall, mut list) in by_hall {
        list.sort_by_key(|i| i.showtime.starts_at);
        for pair in list.windows(2) {
            assert!(
                pair[1].showtime.starts_at >= pair[0].showtime.ends_at,
                "hall {hall:?}: {:?} starts before {:?} ends",
                pair[1].showtime.id,
                pair[0].showtime.id
            );
        }
    }
    // Each has its hall's whole inventory, every seat free, and prices.
    for s in &showtimes {
        let info = &s.info;
        assert_eq!(
            info.seats_available, info.capacity,
            "{:?}",
            info.showtime.id
        );
        assert_eq!((s.seats_sold, s.seats_held), (0, 0));
        assert!(info.showtime.prices.ticket_types().count() >= 1);
    }

    let showtime = &showtimes[showtimes.len() / 2].info;
    let map = store
        .seat_map(showtime.showtime.id, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(map.seats.len(), showtime.capacity as usize);
    let seats: Vec<String> = map
        .seats
        .iter()
        .filter(|s| s.seat.category == marquee_domain::SeatCategory::Standard)
        .take(2)
        .map(|s| s.seat.label.clone())
        .collect();
    let user = store
        .create_user(NewUser {
            email: Email::parse("ana@example.com").unwrap(),
            password_hash: "not-a-real-hash".into(),
            roles: vec![Role::Customer],
            now: Utc::now(),
        })
        .await
        .unwrap();
    let now = Utc::now();
    let held = store
        .hold_seats(NewHold {
            id: BookingId(1),
            reference: BookingReference::from_random(7919),
            user_id: user.id,
            showtime_id: showtime.showtime.id,
            seats: seats.clone(),
            ticket_types: vec![],
            expires_at: now + Duration::minutes(10),
            now,
            limits: HoldLimits::NONE,
        })
        .await
        .expect("a synthetic showtime's seats are held");
    let map = store
        .seat_map(showtime.showtime.id, now)
        .await
        .unwrap()
        .unwrap();
    for label in &seats {
        let seat = map.seats.iter().find(|s| &s.seat.label == label).unwrap();
        assert_eq!(
            (seat.state_at(now), seat.booking_id),
            (SeatState::Held, Some(held.id))
        );
    }
}

#[tokio::test]
async fn a_synthetic_catalog_of_the_size_asked_for_is_written_on_sqlite() {
    let dir = common::TempDir::new("synthetic-demo");
    let made = synthetic(&dir.0, "sqlite://synthetic.db", "7");
    assert!(made.status.success(), "{}", said(&made));
    assert!(
        said(&made).contains("synthetic catalog loaded"),
        "{}",
        said(&made)
    );

    // Not into a database with a catalog; the plain demo leaves it be, as it always has.
    let again = synthetic(&dir.0, "sqlite://synthetic.db", "7");
    assert!(!again.status.success());
    assert!(
        said(&again).contains("has a catalog already"),
        "{}",
        said(&again)
    );
    let plain = demo(&dir.0, "sqlite://synthetic.db", &[]);
    assert!(plain.status.success(), "{}", said(&plain));
    let without_events = demo(&dir.0, "sqlite://synthetic.db", &["--showtimes", "5"]);
    assert!(!without_events.status.success());

    let url = format!("sqlite://{}", dir.0.join("synthetic.db").display());
    let store = marquee_store_sqlite::SqliteStore::connect(&url)
        .await
        .unwrap();
    let titles = |events: Vec<marquee_domain::Event>| -> Vec<String> {
        events.into_iter().map(|e| e.title).collect()
    };
    let first = titles(store.all_events(1000, 0).await.unwrap());
    check_catalog(&store).await;

    // The same seed makes the same films.
    let same = synthetic(&dir.0, "sqlite://same.db", "7");
    assert!(same.status.success(), "{}", said(&same));
    let url = format!("sqlite://{}", dir.0.join("same.db").display());
    let other = marquee_store_sqlite::SqliteStore::connect(&url)
        .await
        .unwrap();
    assert_eq!(titles(other.all_events(1000, 0).await.unwrap()), first);
}

#[tokio::test]
async fn a_synthetic_catalog_of_the_size_asked_for_is_written_on_postgres() {
    let dir = common::TempDir::new("synthetic-demo-pg");
    let database = marquee_store_postgres::testing::fresh_database().await;
    let made = synthetic(&dir.0, database.url(), "7");
    assert!(made.status.success(), "{}", said(&made));
    let again = synthetic(&dir.0, database.url(), "8");
    assert!(!again.status.success());
    assert!(said(&again).contains("has a catalog already"));
    let store = marquee_store_postgres::PgStore::connect(database.url(), 2)
        .await
        .unwrap();
    check_catalog(&store).await;
}

#[tokio::test]
async fn a_synthetic_showtime_is_held_through_the_api() {
    let dir = common::TempDir::new("synthetic-demo-api");
    // `serve` reads the default database, marquee.db in its directory.
    let made = synthetic(&dir.0, "sqlite://marquee.db", "3");
    assert!(made.status.success(), "{}", said(&made));
    let server = common::serve(&dir.0, &["--demo"]);
    let mut client = common::api::Client::new(&server.address);
    client.sign_up("ana@example.com").await;
    let cities = client.get("/cities").await;
    let city = cities["cities"][0]["id"].to_string();
    let showtime = client.showtime_on_sale(&city).await;
    let hold = client.hold(&showtime, 2).await;
    assert_eq!(hold["status"], "held", "{hold}");
    assert_eq!(hold["seats"].as_array().map(Vec::len), Some(2), "{hold}");
}
