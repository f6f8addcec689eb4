//! Set-up before the measured phase: showtimes made for the run and users already logged in.
//! Written through the store and the account service, the same code the server runs.

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use marquee_domain::*;
use marquee_server::{accounts, App};
use marquee_store::*;

/// The showtimes made for one run, all in one city and all of one size.
pub struct Catalog {
    pub city: CityId,
    /// Seats in each showtime.
    pub capacity: usize,
    pub showtimes: Vec<SeededShowtime>,
}

#[derive(Clone, Copy)]
pub struct SeededShowtime {
    pub id: ShowtimeId,
    pub event: EventId,
    /// Its local date in the run's city, the day a customer browsing for it would ask about.
    pub date: NaiveDate,
}

const SEATS_PER_ROW: usize = 40;
const CITY: &str = "Loadtest City";
/// Halls per run: showtimes take turns in them, so many showtimes need few auditorium layouts.
const HALLS: usize = 10;
/// Each event plays this many of the run's showtimes, so an event's showtime list is short.
const SHOWTIMES_PER_EVENT: usize = 10;
/// Time between two starts in one hall: a two-hour film, adverts and cleaning fit in it.
const SLOT_HOURS: i64 = 4;
/// Enough for any run on one machine; keeps the schedule within a few months.
const MAX_SHOWTIMES: usize = 10_000;

/// A hall of `capacity` seats: rows of 40 with an aisle down the middle.
fn layout(capacity: usize) -> anyhow::Result<SeatLayout> {
    let rows = capacity.div_ceil(SEATS_PER_ROW);
    anyhow::ensure!(
        (1..=26 * 27).contains(&rows),
        "capacity is 1 to {} seats",
        26 * 27 * SEATS_PER_ROW
    );
    let mut text = String::new();
    for row in 0..rows {
        let seats = SEATS_PER_ROW.min(capacity - row * SEATS_PER_ROW);
        let label = if row < 26 {
            char::from(b'A' + row as u8).to_string()
        } else {
            format!(
                "{}{}",
                char::from(b'A' + (row / 26 - 1) as u8),
                char::from(b'A' + (row % 26) as u8)
            )
        };
        let places: String = (0..seats)
            .map(|i| if i == SEATS_PER_ROW / 2 { ".s" } else { "s" })
            .collect();
        text.push_str(&format!("{label}  {places}\n"));
    }
    Ok(SeatLayout::parse(&text)?)
}

/// `count` showtimes of `capacity` seats each, on sale now, starting from tomorrow: one venue
/// of up to ten halls in the shared load-test city, one event per ten showtimes.
pub async fn showtimes(app: &App, count: usize, capacity: usize) -> anyhow::Result<Catalog> {
    anyhow::ensure!(
        (1..=MAX_SHOWTIMES).contains(&count),
        "showtimes is 1 to {MAX_SHOWTIMES}"
    );
    let layout = layout(capacity)?;
    let store = app.store();
    let now = app.now();
    let run = now.timestamp_millis();
    let city = match store
        .list_cities()
        .await?
        .into_iter()
        .find(|c| c.name == CITY)
    {
        Some(city) => city,
        None => {
            store
                .create_city(
                    NewCity {
                        name: CITY.into(),
                        timezone: chrono_tz::UTC,
                    },
                    Actor::System,
                )
                .await?
        }
    };
    let venue = store
        .create_venue(
            NewVenue {
                city_id: city.id,
                name: format!("Arena {run}"),
                address: "1 Loopback Road".into(),
                ads_minutes: Venue::DEFAULT_ADS_MINUTES,
                cleaning_minutes: Venue::DEFAULT_CLEANING_MINUTES,
            },
            Actor::System,
        )
        .await?;
    let mut halls = Vec::with_capacity(HALLS);
    for hall in 1..=count.min(HALLS) {
        let created = store
            .create_auditorium(
                NewAuditorium {
                    venue_id: venue.id,
                    name: format!("Hall {hall}"),
                    layout: layout.clone(),
                    now,
                },
                Actor::System,
            )
            .await?;
        halls.push(created.auditorium.id);
    }
    let mut events = Vec::new();
    for event in 1..=count.div_ceil(SHOWTIMES_PER_EVENT) {
        let created = store
            .create_event(
                NewEvent {
                    kind: "movie".into(),
                    title: format!("Opening Night {run} part {event}"),
                    synopsis: "Everyone wants to be there.".into(),
                    original_title: String::new(),
                    director: String::new(),
                    cast: vec![],
                    genres: vec!["action".into()],
                    language: "en".into(),
                    runtime_minutes: 120,
                    certificate: "12A".into(),
                    poster_url: None,
                    trailer_url: None,
                    release_date: None,
                },
                Actor::System,
            )
            .await?;
        events.push(created.id);
    }
    let mut showtimes = Vec::with_capacity(count);
    for (i, (hall, event)) in halls
        .iter()
        .cycle()
        .zip(events.iter().cycle())
        .take(count)
        .enumerate()
    {
        let turn = (i / halls.len()) as i64;
        let starts_at = now + Duration::days(1) + Duration::hours(SLOT_HOURS * turn);
        let created = store
            .schedule_showtime(NewShowtime {
                event_id: *event,
                auditorium_id: *hall,
                starts_at,
                format: "IMAX".into(),
                audio_language: "en".into(),
                subtitles: None,
                access: vec![],
                prices: ShowtimePrices::single_type(
                    &PriceList {
                        currency: Currency::parse("EUR")?,
                        prices: vec![(SeatCategory::Standard, 1500)],
                    },
                    100,
                )?,
                sales_open_at: now - Duration::minutes(1),
                sales_close_minutes: 15,
            })
            .await?;
        showtimes.push(SeededShowtime {
            id: created.showtime.id,
            event: *event,
            date: starts_at.with_timezone(&city.timezone).date_naive(),
        });
    }
    Ok(Catalog {
        city: city.id,
        capacity,
        showtimes,
    })
}

/// `count` customers, each logged in: one bearer token per virtual user.
pub async fn users(app: &App, count: usize) -> anyhow::Result<Vec<String>> {
    let store = app.store();
    let now = app.now();
    let run = now.timestamp_millis();
    // One real registration gives a valid password hash (of a password nobody knows) that
    // every other virtual user shares, so set-up does not hash thousands of passwords.
    let email = |i: usize| format!("vu{i}-{run}@loadtest.invalid");
    let secret: String = (0..24)
        .map(|_| char::from(b'a' + rand::random::<u8>() % 26))
        .collect();
    let first = accounts::register(app, &email(0), &secret)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = store
        .find_user_by_email(&first.email)
        .await?
        .context("the first virtual user")?
        .password_hash;
    let mut tokens = Vec::with_capacity(count);
    for i in 0..count {
        let user = if i == 0 {
            first.clone()
        } else {
            store
                .create_user(NewUser {
                    email: Email::parse(&email(i)).map_err(|e| anyhow::anyhow!("{e}"))?,
                    password_hash: hash.clone(),
                    roles: vec![Role::Customer],
                    now,
                })
                .await?
        };
        let (token, _) = accounts::start_session(app, &user)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tokens.push(token.expose().to_string());
    }
    Ok(tokens)
}
