//! A small world to test in: one city, one venue, one auditorium, one film, one showtime.

use crate::*;
use chrono::{DateTime, Duration, TimeZone, Utc};
use marquee_domain::*;

/// The suite's "now": tests move from here by adding durations, never by reading a clock.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
        .single()
        .expect("a valid instant")
}

/// 21 seats: row A standard, row B premium in the middle, row C wheelchair spaces with companions.
pub const LAYOUT: &str = "A  ssssssss\nB  sspppps\nC  wc.ss.cw\n";

pub fn eur() -> Currency {
    Currency::parse("EUR").expect("EUR is a currency")
}

/// Two ticket types: adult (the default) and child, for every category of `LAYOUT`; a
/// booking fee of 75 a seat.
pub fn prices() -> ShowtimePrices {
    let adult = [
        (SeatCategory::Standard, 1000),
        (SeatCategory::Premium, 1450),
        (SeatCategory::Accessible, 1000),
        (SeatCategory::Companion, 500),
    ];
    let child = [
        (SeatCategory::Standard, 600),
        (SeatCategory::Premium, 900),
        (SeatCategory::Accessible, 600),
        (SeatCategory::Companion, 300),
    ];
    let entries = adult
        .iter()
        .map(|(c, p)| ("adult".to_string(), *c, *p))
        .chain(child.iter().map(|(c, p)| ("child".to_string(), *c, *p)))
        .collect();
    ShowtimePrices::new(eur(), 75, ticket_types(), entries).expect("valid prices")
}

pub fn ticket_types() -> Vec<TicketType> {
    vec![
        TicketType::new("adult", "Adult").expect("a ticket type"),
        TicketType::new("child", "Child").expect("a ticket type"),
    ]
}

#[derive(Clone)]
pub struct World {
    pub city: City,
    pub venue: Venue,
    pub auditorium: AuditoriumInfo,
    pub event: Event,
    pub showtime: ShowtimeInfo,
    pub alice: User,
    pub bob: User,
}

pub async fn world<S: Store + ?Sized>(store: &S) -> World {
    let city = store
        .create_city(
            NewCity {
                name: "Lisbon".into(),
                timezone: chrono_tz::Europe::Lisbon,
            },
            Actor::System,
        )
        .await
        .expect("city");
    let venue = store
        .create_venue(
            NewVenue {
                city_id: city.id,
                name: "Cinema Tejo".into(),
                address: "Rua Augusta 1".into(),
                ads_minutes: Venue::DEFAULT_ADS_MINUTES,
                cleaning_minutes: Venue::DEFAULT_CLEANING_MINUTES,
            },
            Actor::System,
        )
        .await
        .expect("venue");
    let auditorium = auditorium(store, venue.id, "Sala 1", LAYOUT).await;
    let event = event(store, "The Long Light", 100).await;
    let showtime = schedule(store, &event, &auditorium, t0() + Duration::days(1)).await;
    let alice = user(store, "alice@example.com").await;
    let bob = user(store, "bob@example.com").await;
    World {
        city,
        venue,
        auditorium,
        event,
        showtime,
        alice,
        bob,
    }
}

/// Another city in `timezone`, with one cinema; its halls are made with `auditorium`.
pub async fn city_in<S: Store + ?Sized>(
    store: &S,
    name: &str,
    timezone: chrono_tz::Tz,
) -> (City, Venue) {
    let city = store
        .create_city(
            NewCity {
                name: name.into(),
                timezone,
            },
            Actor::System,
        )
        .await
        .expect("city");
    let venue = store
        .create_venue(
            NewVenue {
                city_id: city.id,
                name: format!("Cinema {name}"),
                address: "Main Street 1".into(),
                ads_minutes: Venue::DEFAULT_ADS_MINUTES,
                cleaning_minutes: Venue::DEFAULT_CLEANING_MINUTES,
            },
            Actor::System,
        )
        .await
        .expect("venue");
    (city, venue)
}

/// The instant a wall clock in `timezone` shows `local` (`YYYY-MM-DD HH:MM`), outside any
/// change of the clocks.
pub fn at_local(timezone: chrono_tz::Tz, local: &str) -> DateTime<Utc> {
    let local = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("a time");
    local
        .and_local_timezone(timezone)
        .single()
        .expect("one instant")
        .with_timezone(&Utc)
}

pub async fn auditorium<S: Store + ?Sized>(
    store: &S,
    venue: VenueId,
    name: &str,
    layout: &str,
) -> AuditoriumInfo {
    store
        .create_auditorium(
            NewAuditorium {
                venue_id: venue,
                name: name.into(),
                layout: SeatLayout::parse(layout).expect("layout"),
                now: t0(),
            },
            Actor::System,
        )
        .await
        .expect("auditorium")
}

pub async fn event<S: Store + ?Sized>(store: &S, title: &str, runtime_minutes: u32) -> Event {
    event_in(store, title, runtime_minutes, &["drama", "mystery"]).await
}

pub async fn event_in<S: Store + ?Sized>(
    store: &S,
    title: &str,
    runtime_minutes: u32,
    genres: &[&str],
) -> Event {
    store
        .create_event(
            NewEvent {
                kind: "movie".into(),
                title: title.into(),
                synopsis: format!("{title}: a film."),
                original_title: String::new(),
                director: String::new(),
                cast: vec!["Ana Lima".into(), "Rui Sá".into()],
                genres: genres.iter().map(|g| g.to_string()).collect(),
                language: "pt".into(),
                runtime_minutes,
                certificate: "M/12".into(),
                poster_url: None,
                trailer_url: Some("https://example.com/trailer".into()),
                release_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
            },
            Actor::System,
        )
        .await
        .expect("event")
}

pub fn new_showtime(
    event: &Event,
    auditorium: &AuditoriumInfo,
    starts_at: DateTime<Utc>,
) -> NewShowtime {
    NewShowtime {
        event_id: event.id,
        auditorium_id: auditorium.auditorium.id,
        starts_at,
        format: "2D".into(),
        audio_language: "pt".into(),
        subtitles: Some("en".into()),
        access: vec![],
        prices: prices(),
        sales_open_at: t0() - Duration::days(7),
        sales_close_minutes: 15,
    }
}

pub async fn schedule<S: Store + ?Sized>(
    store: &S,
    event: &Event,
    auditorium: &AuditoriumInfo,
    starts_at: DateTime<Utc>,
) -> ShowtimeInfo {
    store
        .schedule_showtime(new_showtime(event, auditorium, starts_at))
        .await
        .expect("showtime")
}

pub async fn user<S: Store + ?Sized>(store: &S, email: &str) -> User {
    store
        .create_user(NewUser {
            email: Email::parse(email).expect("email"),
            password_hash: "not-a-real-hash".into(),
            roles: vec![Role::Customer],
            now: t0(),
        })
        .await
        .expect("user")
}

static NEXT_ID: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);

/// A hold request for these seats; ids and references are unique within the test process.
pub fn hold(user: &User, showtime: &ShowtimeInfo, seats: &[&str], now: DateTime<Utc>) -> NewHold {
    let n = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    NewHold {
        id: BookingId(n),
        reference: BookingReference::from_random(n as u64 * 7919),
        user_id: user.id,
        showtime_id: showtime.showtime.id,
        seats: seats.iter().map(|s| s.to_string()).collect(),
        ticket_types: vec![],
        expires_at: now + Duration::minutes(10),
        now,
        limits: HoldLimits::NONE,
    }
}

/// A booking of `user`'s on `seats`, held, checked out and paid at `now` (through the
/// store, as the sandbox's webhook would): confirmed, with a ticket per seat.
pub async fn paid<S: Store + ?Sized>(
    store: &S,
    user: &User,
    showtime: &ShowtimeInfo,
    seats: &[&str],
    now: DateTime<Utc>,
) -> Booking {
    let held = store
        .hold_seats(hold(user, showtime, seats, now))
        .await
        .expect("a hold");
    let payment = store
        .start_checkout(super::payments::checkout(
            &held,
            user,
            &format!("pi_{}", held.id.0),
            now,
        ))
        .await
        .expect("a checkout");
    let report = super::payments::report(
        &payment,
        &format!("evt_{}", held.id.0),
        marquee_domain::payment_report::Reported::Succeeded,
        now,
    );
    store
        .apply_payment_report(report)
        .await
        .expect("the payment applies")
        .unpublished()
        .expect("the payment confirms")
        .booking
        .expect("the booking")
}

/// Each seat's state at `now`, by label.
pub async fn states<S: Store + ?Sized>(
    store: &S,
    showtime: ShowtimeId,
    now: DateTime<Utc>,
) -> Vec<(String, SeatState, Option<BookingId>)> {
    let map = store
        .seat_map(showtime, now)
        .await
        .expect("seat map")
        .expect("showtime exists");
    map.seats
        .iter()
        .map(|s| {
            let state = s.state_at(now);
            let holder = if state == SeatState::Available {
                None
            } else {
                s.booking_id
            };
            (s.seat.label.clone(), state, holder)
        })
        .collect()
}

/// One seat's state at `now` and, unless it is available, its booking.
pub async fn seat_of<S: Store + ?Sized>(
    store: &S,
    showtime: ShowtimeId,
    label: &str,
    now: DateTime<Utc>,
) -> (SeatState, Option<BookingId>) {
    states(store, showtime, now)
        .await
        .into_iter()
        .find(|(l, ..)| l == label)
        .map(|(_, state, holder)| (state, holder))
        .expect("seat exists")
}

pub async fn state_of<S: Store + ?Sized>(
    store: &S,
    showtime: ShowtimeId,
    label: &str,
    now: DateTime<Utc>,
) -> SeatState {
    seat_of(store, showtime, label, now).await.0
}
