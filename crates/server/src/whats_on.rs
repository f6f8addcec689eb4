//! What is on in a city on one of its days: every film with a showtime that day (from now on,
//! today), with those showtimes, films by title and showtimes by start; and the cities. The
//! customer site's home page is these.
//!
//! A listing is kept in memory on each node for `FRESH_FOR`, by city, day and access tag (and
//! the cities likewise), so that a busy home page reads the database once per key every few
//! seconds rather than once per visitor; concurrent visitors of a key not in memory wait for
//! one read. A showtime scheduled or moved shows within `FRESH_FOR`. The days are today and
//! the next `DAYS_LISTED - 1` on the city's clock, which bounds the keys; beyond
//! `MAX_LISTINGS` the listings no longer fresh are dropped (all of them, if every one is).

use crate::app::App;
use crate::catalog::access_filter;
use crate::error::{AppError, AppResult, ErrorCode};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use marquee_domain::{AccessTag, City, CityId, Event, EventId};
use marquee_store::{EventFilter, ShowtimeFilter, ShowtimeInfo};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::OnceCell;

/// Today and the days after it that are listed.
pub const DAYS_LISTED: u64 = 7;
/// How long a listing is served from memory.
const FRESH_FOR: Duration = Duration::seconds(5);
/// Listings kept at most (cities × days × access tags).
const MAX_LISTINGS: usize = 1_000;
/// Showtimes of one day in one city, at most: many cinemas' every screen.
const MAX_SHOWTIMES: u32 = 5_000;
/// Events read in one page: films on in a city on one day.
const EVENTS_PAGE: u32 = crate::catalog::MAX_PAGE_SIZE;

/// A city's day of showtimes.
#[derive(Debug)]
pub struct DayListing {
    pub city: City,
    pub date: NaiveDate,
    pub access: Option<AccessTag>,
    pub films: Vec<FilmDay>,
}

/// A film and its showtimes of the day, by start.
#[derive(Debug)]
pub struct FilmDay {
    pub event: Event,
    pub showtimes: Vec<ShowtimeInfo>,
}

/// The days listed in `city` at `now`: today on its clock, and the days after.
pub fn days(city: &City, now: DateTime<Utc>) -> Vec<NaiveDate> {
    let today = now.with_timezone(&city.timezone).date_naive();
    today.iter_days().take(DAYS_LISTED as usize).collect()
}

/// What is on in `city` on `date` (one of `days`), with a showtime that has the access tag
/// `access` if one is asked for; from this node's memory while it is fresh.
pub async fn day(
    app: &App,
    city: &City,
    date: NaiveDate,
    access: Option<&str>,
) -> AppResult<Arc<DayListing>> {
    let access = access_filter(access)?;
    let now = app.now();
    if !days(city, now).contains(&date) {
        return Err(AppError::invalid(
            ErrorCode::InvalidQuery,
            format!(
                "date is today or one of the {} days after it",
                DAYS_LISTED - 1
            ),
        ));
    }
    let cell = app.listings().cell((city.id, date, access), now);
    cell.get_or_try_init(|| async { load(app, city, date, access, now).await.map(Arc::new) })
        .await
        .cloned()
}

async fn load(
    app: &App,
    city: &City,
    date: NaiveDate,
    access: Option<AccessTag>,
    now: DateTime<Utc>,
) -> AppResult<DayListing> {
    let (start, until) = city.day_bounds(date);
    let from = start.max(now);
    let showtimes = app
        .store()
        .list_showtimes(&ShowtimeFilter {
            event_id: None,
            city_id: Some(city.id),
            starts_from: Some(from),
            starts_until: Some(until),
            access,
            limit: MAX_SHOWTIMES,
            now,
        })
        .await?;
    let mut events = app
        .store()
        .list_events(&EventFilter {
            city_id: Some(city.id),
            starts_from: Some(from),
            starts_until: Some(until),
            access,
            limit: EVENTS_PAGE,
            ..EventFilter::default()
        })
        .await?;
    // More films than a page, or one scheduled between the two reads: read those one by one.
    let listed: BTreeSet<EventId> = events.iter().map(|e| e.id).collect();
    let missing: BTreeSet<EventId> = showtimes
        .iter()
        .map(|s| s.showtime.event_id)
        .filter(|id| !listed.contains(id))
        .collect();
    for id in missing {
        if let Some(event) = app.store().get_event(id).await? {
            events.push(event);
        }
    }
    events.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
    let mut by_event: HashMap<EventId, Vec<ShowtimeInfo>> = HashMap::new();
    for showtime in showtimes {
        by_event
            .entry(showtime.showtime.event_id)
            .or_default()
            .push(showtime);
    }
    let films = events
        .into_iter()
        .filter_map(|event| {
            let showtimes = by_event.remove(&event.id)?;
            Some(FilmDay { event, showtimes })
        })
        .collect();
    Ok(DayListing {
        city: city.clone(),
        date,
        access,
        films,
    })
}

/// Every city, by name: the choice the listings are of, from memory while fresh.
pub async fn cities(app: &App) -> AppResult<Arc<Vec<City>>> {
    let now = app.now();
    if let Some(cities) = app.listings().fresh_cities(now) {
        return Ok(cities);
    }
    let cities = Arc::new(app.store().list_cities().await?);
    *app.listings().lock_cities() = Some((now, cities.clone()));
    Ok(cities)
}

type Key = (CityId, NaiveDate, Option<AccessTag>);
/// The cities, and since when they are known.
type KnownCities = (DateTime<Utc>, Arc<Vec<City>>);

struct Entry {
    since: DateTime<Utc>,
    listing: Arc<OnceCell<Arc<DayListing>>>,
}

/// The listings this node keeps (see the module).
#[derive(Default)]
pub struct Listings {
    entries: Mutex<HashMap<Key, Entry>>,
    cities: Mutex<Option<KnownCities>>,
}

fn is_fresh(since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    since <= now && now < since + FRESH_FOR
}

impl Listings {
    /// The listing of `key`: the one in memory while it is fresh, else a new one to fill
    /// (a read that fails leaves it empty, for the next visitor to try again).
    fn cell(&self, key: Key, now: DateTime<Utc>) -> Arc<OnceCell<Arc<DayListing>>> {
        let fresh = |entry: &Entry| is_fresh(entry.since, now);
        let mut entries = self.lock();
        if let Some(entry) = entries.get(&key).filter(|e| fresh(e)) {
            return entry.listing.clone();
        }
        if entries.len() >= MAX_LISTINGS {
            entries.retain(|_, entry| fresh(entry));
            if entries.len() >= MAX_LISTINGS {
                entries.clear();
            }
        }
        let listing = Arc::new(OnceCell::new());
        entries.insert(
            key,
            Entry {
                since: now,
                listing: listing.clone(),
            },
        );
        listing
    }

    fn fresh_cities(&self, now: DateTime<Utc>) -> Option<Arc<Vec<City>>> {
        match &*self.lock_cities() {
            Some((since, cities)) if is_fresh(*since, now) => Some(cities.clone()),
            _ => None,
        }
    }

    /// Plain data that a panic cannot leave half-written: a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_cities(&self) -> MutexGuard<'_, Option<KnownCities>> {
        self.cities.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn lisbon() -> City {
        City {
            id: CityId(1),
            name: "Lisbon".into(),
            timezone: chrono_tz::Europe::Lisbon,
        }
    }

    #[test]
    fn the_days_are_today_on_the_citys_clock_and_six_more() {
        // 23:30 in UTC is already tomorrow in Tokyo.
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 23, 30, 0).unwrap();
        let tokyo = City {
            timezone: chrono_tz::Asia::Tokyo,
            ..lisbon()
        };
        let days = days(&tokyo, now);
        assert_eq!(days.len(), 7);
        assert_eq!(days[0], NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(days[6], NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert_eq!(
            super::days(&lisbon(), now)[0],
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }

    #[test]
    fn a_listing_is_kept_while_fresh_and_the_keys_are_bounded() {
        let listings = Listings::default();
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let key = (CityId(1), day, None);
        let first = listings.cell(key, now);
        assert!(Arc::ptr_eq(
            &first,
            &listings.cell(key, now + Duration::seconds(4))
        ));
        assert!(!Arc::ptr_eq(&first, &listings.cell(key, now + FRESH_FOR)));
        for n in 0..(MAX_LISTINGS as i64 + 10) {
            listings.cell((CityId(n), day, None), now);
        }
        assert!(listings.lock().len() <= MAX_LISTINGS);
    }
}
