//! A synthetic catalog of any size (`marquee demo --events 10000 --showtimes 30000`), for
//! search and scale tests: invented films with casts, directors, genres, languages,
//! certificates and runtimes (`films`), in real cities with invented cinemas (`places`), their
//! halls with seat layouts from forty seats to an IMAX hall, a price plan per cinema, and
//! showtimes over the coming two weeks, back to back in each hall and never clashing.
//!
//! Like `catalog` for the demo, `synthetic` builds it as plain data without I/O; `load_bulk`
//! writes it. The same seed, sizes and day give the same catalog (`rng`).

mod films;
mod places;
mod rng;
mod words;

use super::{local_instant, price_plans, round_up, DemoAuditorium, DemoCatalog, DemoCity};
use super::{DemoShowtime, DemoVenue, SALES_CLOSE_MINUTES};
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use marquee_domain::{AccessTag, Currency, SeatLayout, Showtime};
use places::CitySpec;
use rng::Rng;

/// The seed `marquee demo --events` uses unless given one.
pub const DEFAULT_SEED: u64 = 21;
/// Local days of showtimes, from tomorrow.
pub const DAYS: u64 = 14;
/// Showtimes a hall has a day on average: four films between late morning and late evening.
const SHOWTIMES_PER_HALL_DAY: usize = 4;
/// A small catalog still has halls in three cities.
const MIN_HALLS: usize = 6;

/// How big a synthetic catalog is, and its seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub events: usize,
    pub showtimes: usize,
    pub seed: u64,
}

/// A hall's kind: what size it is, and what it can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hall {
    Small,
    Medium { three_d: bool },
    Large,
    Imax,
}

/// The synthetic catalog of `size` as plain data, its showtimes from the day after `now`.
pub fn synthetic(size: Size, now: DateTime<Utc>) -> DemoCatalog {
    let mut rng = Rng::new(size.seed);
    let films = films::films(&mut rng, size.events, now);
    let halls = size
        .showtimes
        .div_ceil(SHOWTIMES_PER_HALL_DAY * DAYS as usize)
        .max(MIN_HALLS);
    // Cinemas of three to nine halls; in a small catalog no cinema has more than a third of
    // them, so there are still three cities.
    let mut venue_halls = Vec::new();
    let mut left = halls;
    while left > 0 {
        let n = (rng.between(3, 9) as usize)
            .min(left)
            .min((halls / 3).max(1));
        venue_halls.push(n);
        left -= n;
    }
    let cities = venue_halls
        .len()
        .div_ceil(3)
        .clamp(venue_halls.len().min(3), places::CITIES.len());
    let specs = &places::CITIES[..cities];
    // Each cinema goes to the city that has the fewest for its size.
    let mut per_city: Vec<Vec<usize>> = vec![Vec::new(); cities];
    for venue in venue_halls {
        let city = (0..cities)
            .min_by_key(|&c| (per_city[c].len() * 100) / specs[c].weight as usize)
            .unwrap_or(0);
        per_city[city].push(venue);
    }

    let mut deck = Deck::new(films.len(), &mut rng);
    let mut showtimes_left = size.showtimes;
    let mut halls_left = halls;
    let mut catalog = DemoCatalog {
        cities: Vec::with_capacity(cities),
        movies: Vec::new(),
    };
    for (spec, venues) in specs.iter().zip(per_city) {
        let Ok(currency) = Currency::parse(spec.currency) else {
            continue;
        };
        let Ok(price_plan) = price_plans::price_plan(currency, &spec.tariff()) else {
            continue;
        };
        let mut city = DemoCity {
            name: spec.name.to_string(),
            timezone: spec.timezone,
            currency,
            venues: Vec::with_capacity(venues.len()),
        };
        for hall_count in venues {
            let (name, address) = unique_venue(&mut rng, spec, &city.venues);
            let mut venue = DemoVenue {
                name,
                address,
                price_plan: price_plan.clone(),
                auditoriums: Vec::with_capacity(hall_count),
            };
            for n in 0..hall_count {
                let kind = hall_kind(&mut rng, n, hall_count);
                let Ok(layout) = SeatLayout::parse(&layout(&mut rng, kind)) else {
                    continue;
                };
                // The showtimes left, shared evenly among the halls left.
                let count = showtimes_left.div_ceil(halls_left);
                showtimes_left -= count;
                halls_left -= 1;
                let hall = HallPlan {
                    city: spec,
                    venue: &venue,
                    kind,
                    layout: &layout,
                };
                let showtimes = hall.schedule(&mut rng, &mut deck, &films, count, now);
                venue.auditoriums.push(DemoAuditorium {
                    name: match kind {
                        Hall::Imax => "IMAX".to_string(),
                        _ => places::hall(spec, n + 1),
                    },
                    layout,
                    showtimes,
                });
            }
            city.venues.push(venue);
        }
        catalog.cities.push(city);
    }
    catalog.movies = films.into_iter().map(|f| f.event).collect();
    catalog
}

fn unique_venue(rng: &mut Rng, city: &CitySpec, taken: &[DemoVenue]) -> (String, String) {
    let mut attempt = 0;
    loop {
        let (name, address) = places::venue(rng, city);
        attempt += 1;
        if !taken.iter().any(|v| v.name == name) {
            return (name, address);
        }
        if attempt > 20 {
            return (format!("{name} {}", taken.len() + 1), address);
        }
    }
}

/// A cinema's first hall is its biggest (an IMAX hall in a large cinema, sometimes); the
/// others are mostly middling, some small.
fn hall_kind(rng: &mut Rng, n: usize, halls: usize) -> Hall {
    match n {
        0 if halls >= 6 && rng.chance(40) => Hall::Imax,
        0 if halls >= 4 => Hall::Large,
        _ => match rng.below(20) {
            0..=1 => Hall::Large,
            2..=12 => Hall::Medium {
                three_d: rng.chance(30),
            },
            _ => Hall::Small,
        },
    }
}

/// A hall's layout as an admin would type it: rows from the screen back (A, B, ... without
/// I), blocks of seats between aisles, the front row's ends wheelchair spaces with a companion
/// seat beside each, premium rows at the back; a big hall's front rows narrower.
fn layout(rng: &mut Rng, kind: Hall) -> String {
    let (rows, width, aisles, premium, access) = match kind {
        Hall::Small => (
            rng.between(5, 8),
            rng.between(8, 12),
            rng.between(0, 1),
            rng.between(0, 1),
            rng.chance(50),
        ),
        Hall::Medium { .. } => (
            rng.between(8, 12),
            rng.between(12, 17),
            1,
            rng.between(0, 2),
            rng.chance(70),
        ),
        Hall::Large => (rng.between(12, 16), rng.between(18, 24), 2, 2, true),
        Hall::Imax => (rng.between(16, 20), rng.between(26, 32), 2, 3, true),
    };
    let labels = ('A'..='Z').filter(|c| *c != 'I');
    // Aisles split the full width into blocks of (nearly) equal size, the same in every row.
    let blocks = aisles as usize + 1;
    let width = width as usize;
    let aisle_before: Vec<usize> = (1..blocks).map(|k| width * k / blocks).collect();
    let mut text = String::new();
    for (row, label) in (0..rows).zip(labels) {
        // The first rows of a big hall follow the curve of the screen: their ends are gaps.
        let inset = match kind {
            Hall::Large | Hall::Imax => 2u32.saturating_sub(row) as usize * 2,
            _ => 0,
        };
        let category = if row + premium >= rows { 'p' } else { 's' };
        let mut places: Vec<char> = (0..width)
            .map(|i| {
                if i < inset || i >= width - inset {
                    '.'
                } else {
                    category
                }
            })
            .collect();
        if access && row == 0 {
            places[inset..inset + 2].copy_from_slice(&['w', 'c']);
            places[width - inset - 2..width - inset].copy_from_slice(&['c', 'w']);
        }
        text.push(label);
        text.push_str("  ");
        for (i, place) in places.into_iter().enumerate() {
            if aisle_before.contains(&i) {
                text.push('.');
            }
            text.push(place);
        }
        text.push('\n');
    }
    text
}

/// The films in turn, each once before any twice, in an order of their own: every film
/// gets a showtime when there are as many showtimes as films.
struct Deck {
    order: Vec<usize>,
    next: usize,
}

impl Deck {
    fn new(films: usize, rng: &mut Rng) -> Deck {
        let mut order: Vec<usize> = (0..films).collect();
        rng.shuffle(&mut order);
        Deck { order, next: 0 }
    }

    fn draw(&mut self) -> Option<usize> {
        let film = *self.order.get(self.next % self.order.len().max(1))?;
        self.next += 1;
        Some(film)
    }
}

struct HallPlan<'a> {
    city: &'a CitySpec,
    venue: &'a DemoVenue,
    kind: Hall,
    layout: &'a SeatLayout,
}

impl HallPlan<'_> {
    /// `count` showtimes over the days from tomorrow, back to back from the hall's opening
    /// time each day: a start is never before the previous film, its adverts and cleaning
    /// are over, so a hall never has two at once.
    fn schedule(
        &self,
        rng: &mut Rng,
        deck: &mut Deck,
        films: &[films::Film],
        count: usize,
        now: DateTime<Utc>,
    ) -> Vec<DemoShowtime> {
        let zone = self.city.timezone;
        let tomorrow = now.with_timezone(&zone).date_naive() + Days::new(1);
        // Halls open from 10:00 to 13:00, on quarter hours.
        let opens = (10 + rng.between(0, 12) / 4, rng.between(0, 3) * 15);
        let mut showtimes = Vec::with_capacity(count);
        let mut free_from = now;
        for day in 0..DAYS as usize {
            let on_day = (day + 1) * count / DAYS as usize - day * count / DAYS as usize;
            let Some(date) = tomorrow.checked_add_days(Days::new(day as u64)) else {
                continue;
            };
            let Some(opening) = local_instant(zone, date, opens) else {
                continue;
            };
            let mut starts_at = opening.max(free_from);
            for _ in 0..on_day {
                let Some(film) = deck.draw().and_then(|i| films.get(i).map(|f| (i, f))) else {
                    return showtimes;
                };
                let runtime = film.1.event.runtime_minutes;
                if let Some(showtime) = self.showtime(rng, film, date, starts_at, now) {
                    showtimes.push(showtime);
                }
                free_from = Showtime::end_of(starts_at, runtime);
                // A few minutes more between some films, on five-minute marks.
                starts_at =
                    round_up(free_from + Duration::minutes(5 * i64::from(rng.between(0, 3))));
            }
        }
        showtimes
    }

    fn showtime(
        &self,
        rng: &mut Rng,
        (movie, film): (usize, &films::Film),
        date: NaiveDate,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<DemoShowtime> {
        let format = match self.kind {
            Hall::Imax => "IMAX",
            Hall::Large | Hall::Medium { three_d: true } if film.three_d => "3D",
            _ => "2D",
        };
        let event = &film.event;
        let subtitles = (event.language != self.city.language).then(|| self.city.language.into());
        let mut access = Vec::new();
        if subtitles.is_some() {
            access.push(AccessTag::Subtitled);
        }
        for (tag, percent) in [
            (AccessTag::Captioned, 6),
            (AccessTag::AudioDescribed, 4),
            (AccessTag::Relaxed, 2),
        ] {
            if rng.chance(percent) {
                access.push(tag);
            }
        }
        let weekday_morning = chrono::Datelike::weekday(&date).number_from_monday() <= 5
            && starts_at.with_timezone(&self.city.timezone).time()
                < chrono::NaiveTime::from_hms_opt(12, 0, 0)?;
        if weekday_morning && rng.chance(30) {
            access.push(AccessTag::ParentAndBaby);
        }
        access.sort();
        // Scheduling resolves the venue's plan at the local start time, as an admin's does.
        let prices = self
            .venue
            .price_plan
            .resolve_at(
                starts_at,
                self.city.timezone,
                format,
                &self.layout.categories(),
            )
            .ok()?;
        Some(DemoShowtime {
            movie,
            starts_at,
            format: format.into(),
            audio_language: event.language.clone(),
            subtitles,
            access,
            prices,
            sales_open_at: now,
            sales_close_minutes: SALES_CLOSE_MINUTES,
        })
    }
}

#[cfg(test)]
mod tests;
