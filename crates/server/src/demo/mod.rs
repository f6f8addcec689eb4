//! The demo catalog: three cities, their cinemas and screens, twenty invented films and a
//! week of showtimes from a given `now`, so a fresh install has something to sell.
//!
//! `catalog` builds it as plain data without I/O, which is what the tests check; `load` writes
//! it into an empty store through the ordinary `Store` methods, so the demo obeys every rule
//! the store enforces on an admin's catalog.
//!
//! `synthetic` builds a catalog of any size in the same shape, for scale tests, and
//! `load_bulk` writes it a venue's showtimes at a time (`Store::schedule_showtimes`).

mod movies;
mod price_plans;
mod synthetic;
mod venues;

pub use synthetic::{synthetic, Size as SyntheticSize, DAYS as SYNTHETIC_DAYS, DEFAULT_SEED};

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use marquee_domain::{
    AccessTag, AuditoriumId, Currency, EventId, PricePlan, SeatLayout, Showtime, ShowtimePrices,
    Venue,
};
use marquee_store::{
    Actor, NewAuditorium, NewCity, NewEvent, NewShowtime, NewVenue, Store, StoreError, StoreResult,
};

use movies::{MovieSpec, MOVIES};
use rand::distributions::{Alphanumeric, DistString};

/// The demo's owner, made by `serve --demo`.
pub const ADMIN_EMAIL: &str = "admin@example.com";

/// A fresh password for the demo's owner: 16 letters and digits.
pub fn new_admin_password() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 16)
}
use venues::{dedent, AuditoriumSpec, CitySpec, Screen, CITIES};

/// Local days of showtimes, starting with the day of `now`.
pub const DAYS: u64 = 7;
/// Local time of the latest start of the day.
const LAST_START: (u32, u32) = (22, 30);
pub const SALES_CLOSE_MINUTES: u32 = 15;
/// Starts fall on five-minute marks, as a cinema's listings do.
const START_GRANULARITY_SECONDS: i64 = 5 * 60;

#[derive(Debug, Clone)]
pub struct DemoCatalog {
    pub cities: Vec<DemoCity>,
    /// Showtimes refer to these by index.
    pub movies: Vec<NewEvent>,
}

#[derive(Debug, Clone)]
pub struct DemoCity {
    pub name: String,
    pub timezone: Tz,
    pub currency: Currency,
    pub venues: Vec<DemoVenue>,
}

#[derive(Debug, Clone)]
pub struct DemoVenue {
    pub name: String,
    pub address: String,
    /// Every showtime of the venue was priced from it.
    pub price_plan: PricePlan,
    pub auditoriums: Vec<DemoAuditorium>,
}

#[derive(Debug, Clone)]
pub struct DemoAuditorium {
    pub name: String,
    pub layout: SeatLayout,
    /// In start order; each starts after the previous one has ended.
    pub showtimes: Vec<DemoShowtime>,
}

#[derive(Debug, Clone)]
pub struct DemoShowtime {
    /// Index into `DemoCatalog::movies`.
    pub movie: usize,
    pub starts_at: DateTime<Utc>,
    pub format: String,
    pub audio_language: String,
    pub subtitles: Option<String>,
    pub access: Vec<AccessTag>,
    /// Resolved from the venue's price plan.
    pub prices: ShowtimePrices,
    pub sales_open_at: DateTime<Utc>,
    pub sales_close_minutes: u32,
}

/// What `load` wrote. `seats` counts the seats of the auditoriums' layouts, not the seat
/// inventory of every showtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemoSummary {
    pub cities: usize,
    pub venues: usize,
    pub auditoriums: usize,
    pub events: usize,
    pub showtimes: usize,
    pub seats: usize,
}

impl DemoCatalog {
    pub fn auditoriums(&self) -> impl Iterator<Item = (&DemoCity, &DemoAuditorium)> {
        self.cities.iter().flat_map(|city| {
            city.venues
                .iter()
                .flat_map(move |venue| venue.auditoriums.iter().map(move |a| (city, a)))
        })
    }

    /// The counts `load` reports after writing this catalog.
    pub fn summary(&self) -> DemoSummary {
        DemoSummary {
            cities: self.cities.len(),
            venues: self.cities.iter().map(|c| c.venues.len()).sum(),
            auditoriums: self.auditoriums().count(),
            events: self.movies.len(),
            showtimes: self.auditoriums().map(|(_, a)| a.showtimes.len()).sum(),
            seats: self.auditoriums().map(|(_, a)| a.layout.capacity()).sum(),
        }
    }
}

/// The demo catalog as plain data, built without I/O from `now`.
///
/// The tables it is built from are constants; an entry whose currency or layout did not parse
/// would be left out, and the tests prove that none is.
pub fn catalog(now: DateTime<Utc>) -> DemoCatalog {
    let movies = MOVIES.iter().map(|m| new_event(m, now)).collect();
    let mut cities = Vec::with_capacity(CITIES.len());
    for (city_index, spec) in CITIES.iter().enumerate() {
        let Ok(currency) = Currency::parse(spec.currency) else {
            continue;
        };
        let Ok(price_plan) = price_plans::price_plan(currency, &spec.tariff) else {
            continue;
        };
        let today = now.with_timezone(&spec.timezone).date_naive();
        // Which of the city's ordinary screens this is, for the film rotation.
        let mut screen_index = 0;
        let mut venues = Vec::with_capacity(spec.venues.len());
        for venue in spec.venues {
            let mut auditoriums = Vec::with_capacity(venue.auditoriums.len());
            for hall in venue.auditoriums {
                let Ok(layout) = SeatLayout::parse(&dedent(hall.layout)) else {
                    continue;
                };
                let rotation = Rotation::new(hall.screen, city_index, screen_index);
                if hall.screen != Screen::Imax {
                    screen_index += 1;
                }
                let plan = HallPlan {
                    city: spec,
                    price_plan: &price_plan,
                    hall,
                    layout: &layout,
                    rotation,
                };
                let showtimes = (0..DAYS)
                    .filter_map(|day| today.checked_add_days(Days::new(day)).map(|d| (day, d)))
                    .flat_map(|(day, date)| plan.day(now, day, date))
                    .collect();
                auditoriums.push(DemoAuditorium {
                    name: hall.name.to_string(),
                    layout,
                    showtimes,
                });
            }
            venues.push(DemoVenue {
                name: venue.name.to_string(),
                address: venue.address.to_string(),
                price_plan: price_plan.clone(),
                auditoriums,
            });
        }
        cities.push(DemoCity {
            name: spec.name.to_string(),
            timezone: spec.timezone,
            currency,
            venues,
        });
    }
    DemoCatalog { cities, movies }
}

fn new_event(movie: &MovieSpec, now: DateTime<Utc>) -> NewEvent {
    NewEvent {
        kind: "movie".into(),
        title: movie.title.into(),
        original_title: movie.original_title.into(),
        synopsis: movie.synopsis.into(),
        cast: movie.cast.iter().map(|name| name.to_string()).collect(),
        director: movie.director.into(),
        genres: movie.genres.iter().map(|genre| genre.to_string()).collect(),
        language: movie.language.into(),
        runtime_minutes: movie.runtime_minutes,
        certificate: movie.certificate.into(),
        // Nothing may be downloaded, and a made-up URL would be a broken image.
        poster_url: None,
        trailer_url: None,
        release_date: now
            .date_naive()
            .checked_sub_days(Days::new(movie.opened_days_ago)),
    }
}

/// Which film a screen shows in each slot of a day.
#[derive(Debug, Clone, Copy)]
enum Rotation {
    /// The IMAX hall cycles through the blockbusters.
    Blockbusters,
    /// An ordinary screen shows two films a day, alternating, and moves on to the next two
    /// of the whole list the next day. Screens of a city take consecutive pairs, so each
    /// city shows every film within the week.
    Pairs { offset: usize },
}

impl Rotation {
    fn new(screen: Screen, city_index: usize, screen_index: usize) -> Self {
        match screen {
            Screen::Imax => Rotation::Blockbusters,
            // Cities start at different points of the list, so one film does not open every
            // city's listings.
            Screen::Flat | Screen::ThreeD => Rotation::Pairs {
                offset: city_index * 7 + screen_index * 2,
            },
        }
    }

    /// `screens` is how many ordinary screens the city has.
    fn movie(self, screens: usize, day: u64, slot: usize) -> usize {
        match self {
            Rotation::Blockbusters => {
                let blockbusters: Vec<usize> = (0..MOVIES.len())
                    .filter(|&m| MOVIES[m].blockbuster)
                    .collect();
                match blockbusters.len() {
                    0 => 0,
                    n => blockbusters[(day as usize + slot) % n],
                }
            }
            Rotation::Pairs { offset } => {
                (offset + day as usize * screens * 2 + slot % 2) % MOVIES.len()
            }
        }
    }
}

/// Everything needed to schedule one auditorium's days.
struct HallPlan<'a> {
    city: &'a CitySpec,
    price_plan: &'a PricePlan,
    hall: &'a AuditoriumSpec,
    layout: &'a SeatLayout,
    rotation: Rotation,
}

impl HallPlan<'_> {
    /// The showtimes of one local day still on sale at `now`. The day is planned whole, back
    /// to back from the opening time, and only then cut at `now`, so a day's starts do not
    /// depend on when the demo was loaded.
    fn day(&self, now: DateTime<Utc>, day: u64, date: NaiveDate) -> Vec<DemoShowtime> {
        let zone = self.city.timezone;
        let (Some(mut starts_at), Some(last_start)) = (
            local_instant(zone, date, self.hall.opens_at),
            local_instant(zone, date, LAST_START),
        ) else {
            return Vec::new();
        };
        let screens = ordinary_screens(self.city);
        let sales_close = Duration::minutes(i64::from(SALES_CLOSE_MINUTES));
        let mut showtimes = Vec::new();
        let mut slot = 0;
        while starts_at <= last_start {
            let movie = self.rotation.movie(screens, day, slot);
            let Some(spec) = MOVIES.get(movie) else {
                break;
            };
            // Sales open at `now`, and must open before they close.
            if starts_at - sales_close > now {
                showtimes.extend(self.showtime(movie, spec, starts_at, now));
            }
            starts_at = round_up(Showtime::end_of(starts_at, spec.runtime_minutes));
            slot += 1;
        }
        showtimes
    }

    fn showtime(
        &self,
        movie: usize,
        spec: &MovieSpec,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<DemoShowtime> {
        let format = match self.hall.screen {
            Screen::Imax => Format::Imax,
            Screen::ThreeD if spec.three_d => Format::ThreeD,
            Screen::ThreeD | Screen::Flat => Format::TwoD,
        };
        let subtitles =
            (spec.language != self.city.language).then(|| self.city.language.to_string());
        // Scheduling resolves the venue's plan at the local start time, as an admin's does.
        let prices = self
            .price_plan
            .resolve_at(
                starts_at,
                self.city.timezone,
                format.as_str(),
                &self.layout.categories(),
            )
            .ok()?;
        Some(DemoShowtime {
            movie,
            starts_at,
            format: format.as_str().into(),
            audio_language: spec.language.into(),
            subtitles,
            access: vec![],
            prices,
            sales_open_at: now,
            sales_close_minutes: SALES_CLOSE_MINUTES,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    TwoD,
    ThreeD,
    Imax,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::TwoD => "2D",
            Format::ThreeD => "3D",
            Format::Imax => "IMAX",
        }
    }
}

fn ordinary_screens(city: &CitySpec) -> usize {
    city.venues
        .iter()
        .flat_map(|venue| venue.auditoriums)
        .filter(|hall| hall.screen != Screen::Imax)
        .count()
}

/// A local wall-clock time on a date in a zone; on a clock change, the earlier instant.
fn local_instant(zone: Tz, date: NaiveDate, (hour, minute): (u32, u32)) -> Option<DateTime<Utc>> {
    let time = NaiveTime::from_hms_opt(hour, minute, 0)?;
    let local = zone.from_local_datetime(&date.and_time(time)).earliest()?;
    Some(local.with_timezone(&Utc))
}

/// The first five-minute mark at or after `t`. Every zone the demo uses is offset from UTC by
/// whole hours, so a mark in UTC is a mark on the local clock too.
fn round_up(t: DateTime<Utc>) -> DateTime<Utc> {
    let past_mark = t.timestamp().rem_euclid(START_GRANULARITY_SECONDS);
    let nanos = t.timestamp_subsec_nanos();
    if past_mark == 0 && nanos == 0 {
        return t;
    }
    t - Duration::seconds(past_mark) - Duration::nanoseconds(i64::from(nanos))
        + Duration::seconds(START_GRANULARITY_SECONDS)
}

/// Writes the demo catalog into an empty store (as `load_bulk` writes any catalog). Returns
/// counts for a log line.
pub async fn load(store: &dyn Store, now: DateTime<Utc>) -> StoreResult<DemoSummary> {
    load_bulk(store, &catalog(now), now, |_| {}).await
}

/// What scheduling `showtime` in `auditorium` asks the store, its film's id from `event_ids`.
fn new_showtime(
    showtime: &DemoShowtime,
    event_ids: &[EventId],
    auditorium: AuditoriumId,
) -> StoreResult<NewShowtime> {
    let event_id = *event_ids.get(showtime.movie).ok_or_else(|| {
        StoreError::corrupt(format!(
            "demo showtime of unknown movie #{}",
            showtime.movie
        ))
    })?;
    Ok(NewShowtime {
        event_id,
        auditorium_id: auditorium,
        starts_at: showtime.starts_at,
        format: showtime.format.clone(),
        audio_language: showtime.audio_language.clone(),
        subtitles: showtime.subtitles.clone(),
        access: showtime.access.clone(),
        prices: showtime.prices.clone(),
        sales_open_at: showtime.sales_open_at,
        sales_close_minutes: showtime.sales_close_minutes,
    })
}

/// Events a transaction of `load_bulk` writes.
const EVENTS_PER_TRANSACTION: usize = 2000;

/// Writes a catalog (a synthetic one: `synthetic`) into an empty store, in bulk: the events
/// some thousands a transaction, and each venue's showtimes in one (`Store::schedule_showtimes`,
/// which writes each as scheduling one does). Cities, venues, price plans and halls go
/// through the ordinary methods, as `load`'s do. `progress` is told each city loaded. Then the
/// planner's statistics are brought up to date (`Store::refresh_statistics`).
pub async fn load_bulk(
    store: &dyn Store,
    catalog: &DemoCatalog,
    now: DateTime<Utc>,
    progress: impl Fn(&DemoCity),
) -> StoreResult<DemoSummary> {
    let mut event_ids = Vec::with_capacity(catalog.movies.len());
    for events in catalog.movies.chunks(EVENTS_PER_TRANSACTION) {
        event_ids.extend(store.create_events(events).await?);
    }
    for city in &catalog.cities {
        let city_id = store
            .create_city(
                NewCity {
                    name: city.name.clone(),
                    timezone: city.timezone,
                },
                Actor::System,
            )
            .await?
            .id;
        for venue in &city.venues {
            let venue_id = store
                .create_venue(
                    NewVenue {
                        city_id,
                        name: venue.name.clone(),
                        address: venue.address.clone(),
                        ads_minutes: Venue::DEFAULT_ADS_MINUTES,
                        cleaning_minutes: Venue::DEFAULT_CLEANING_MINUTES,
                    },
                    Actor::System,
                )
                .await?
                .id;
            store
                .put_price_plan(venue_id, &venue.price_plan, now, Actor::System)
                .await?;
            let mut showtimes = Vec::new();
            for auditorium in &venue.auditoriums {
                let info = store
                    .create_auditorium(
                        NewAuditorium {
                            venue_id,
                            name: auditorium.name.clone(),
                            layout: auditorium.layout.clone(),
                            now,
                        },
                        Actor::System,
                    )
                    .await?;
                for showtime in &auditorium.showtimes {
                    showtimes.push(new_showtime(showtime, &event_ids, info.auditorium.id)?);
                }
            }
            store.schedule_showtimes(&showtimes).await?;
        }
        progress(city);
    }
    store.refresh_statistics().await?;
    Ok(catalog.summary())
}

/// Makes the synthetic catalog of `size` and writes it into an empty store (`load_bulk`),
/// logging as it goes.
pub async fn load_synthetic(
    store: &dyn Store,
    size: SyntheticSize,
    now: DateTime<Utc>,
) -> StoreResult<DemoSummary> {
    let started = std::time::Instant::now();
    let catalog = synthetic(size, now);
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "synthetic catalog made; writing it"
    );
    let summary = load_bulk(store, &catalog, now, |city| {
        tracing::info!(city = %city.name, venues = city.venues.len(), "city written");
    })
    .await?;
    let seats: usize = catalog
        .auditoriums()
        .map(|(_, hall)| hall.layout.capacity() * hall.showtimes.len())
        .sum();
    tracing::info!(
        ?summary,
        showtime_seats = seats,
        seed = size.seed,
        seconds = started.elapsed().as_secs_f64(),
        "synthetic catalog loaded"
    );
    Ok(summary)
}

/// Whether the store has a catalog at all: a city, or a film.
pub async fn has_catalog(store: &dyn Store) -> StoreResult<bool> {
    Ok(!is_empty(store).await? || !store.all_events(1, 0).await?.is_empty())
}

/// Whether the store already has a catalog (any city) — `serve --demo` loads the demo only
/// into an empty store.
pub async fn is_empty(store: &dyn Store) -> StoreResult<bool> {
    Ok(store.list_cities().await?.is_empty())
}

#[cfg(test)]
mod tests;
