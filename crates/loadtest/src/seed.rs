//! Set-up before the measured phase: a showtime made for the run and users already logged in.
//! Written through the store and the account service, the same code the server runs.

use anyhow::Context;
use chrono::Duration;
use marquee_domain::*;
use marquee_server::{accounts, App};
use marquee_store::*;

pub struct Seeded {
    pub showtime: ShowtimeId,
    pub capacity: usize,
    /// One bearer token per virtual user.
    pub tokens: Vec<String>,
}

const SEATS_PER_ROW: usize = 40;
const CITY: &str = "Loadtest City";

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

pub async fn onsale_showtime(app: &App, capacity: usize, users: usize) -> anyhow::Result<Seeded> {
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
                .create_city(NewCity {
                    name: CITY.into(),
                    timezone: chrono_tz::UTC,
                })
                .await?
        }
    };
    let venue = store
        .create_venue(NewVenue {
            city_id: city.id,
            name: format!("Arena {run}"),
            address: "1 Loopback Road".into(),
        })
        .await?;
    let hall = store
        .create_auditorium(NewAuditorium {
            venue_id: venue.id,
            name: "Main hall".into(),
            layout: layout(capacity)?,
            now,
        })
        .await?;
    let event = store
        .create_event(NewEvent {
            kind: "movie".into(),
            title: format!("Opening Night {run}"),
            synopsis: "Everyone wants to be there.".into(),
            cast: vec![],
            genres: vec!["action".into()],
            language: "en".into(),
            runtime_minutes: 120,
            certificate: "12A".into(),
            poster_url: None,
            trailer_url: None,
            release_date: None,
        })
        .await?;
    let showtime = store
        .schedule_showtime(NewShowtime {
            event_id: event.id,
            auditorium_id: hall.auditorium.id,
            starts_at: now + Duration::days(3),
            format: "IMAX".into(),
            audio_language: "en".into(),
            subtitles: None,
            prices: PriceList {
                currency: Currency::parse("EUR")?,
                prices: vec![(SeatCategory::Standard, 1500)],
            },
            booking_fee_minor: 100,
            sales_open_at: now - Duration::minutes(1),
            sales_close_minutes: 15,
        })
        .await?;

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
    let mut tokens = Vec::with_capacity(users);
    for i in 0..users {
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
    Ok(Seeded {
        showtime: showtime.showtime.id,
        capacity,
        tokens,
    })
}
