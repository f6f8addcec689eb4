//! "Today at a glance" for the back office: per venue, today's sales, today's showtimes still
//! to come (or running) with their occupancy, and live holds; and the newest bookings. The
//! `/admin` page and `GET /api/v1/admin/dashboard` both answer from `today`.
//!
//! "Today" is each venue's own: a venue in New York counts from midnight in New York. The
//! cities' days are worked out here and the store reads every venue's figures at once.

use crate::app::App;
use crate::error::AppResult;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use marquee_domain::{Money, VenueId};
use marquee_store::dashboard::{RecentBooking, ShowtimeOccupancy};
use marquee_store::{CityDay, DashboardQuery};

/// How many of the newest bookings the dashboard lists.
pub const RECENT_BOOKINGS: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Today {
    pub venues: Vec<VenueToday>,
    /// The newest bookings of these venues, whatever their day.
    pub recent: Vec<RecentBooking>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueToday {
    pub id: VenueId,
    pub name: String,
    pub city: String,
    pub timezone: Tz,
    /// Today's date in the venue's city.
    pub date: NaiveDate,
    /// Bookings confirmed today (and not undone since) and their seats.
    pub bookings: u32,
    pub tickets: u32,
    /// What those bookings paid, one amount per currency (a venue normally sells in one).
    pub revenue: Vec<Money>,
    /// Today's showtimes that have not ended, by start.
    pub showtimes: Vec<ShowtimeOccupancy>,
    /// Holds alive now, and their seats.
    pub holds: u32,
    pub held_seats: u32,
}

impl Today {
    /// The venue a booking of `recent` was made at.
    pub fn venue(&self, id: VenueId) -> Option<&VenueToday> {
        self.venues.iter().find(|v| v.id == id)
    }
}

/// The figures of `venues` (every venue when `None`: owners), as of now.
pub async fn today(app: &App, venues: Option<Vec<VenueId>>) -> AppResult<Today> {
    let now = app.now();
    let cities = app.store().list_cities().await?;
    let days = cities
        .iter()
        .map(|city| {
            let (from, to) = city.day_bounds(local_date(city.timezone, now));
            CityDay {
                city: city.id,
                from,
                to,
            }
        })
        .collect();
    let data = app
        .store()
        .dashboard(&DashboardQuery {
            venues,
            days,
            now,
            recent: RECENT_BOOKINGS,
        })
        .await?;
    let venues = data
        .venues
        .into_iter()
        .filter_map(|venue| {
            // A venue's city is always listed; one made between the two reads waits a reload.
            let timezone = cities.iter().find(|c| c.id == venue.city_id)?.timezone;
            let sales: Vec<_> = data.sales.iter().filter(|s| s.venue == venue.id).collect();
            let holds = data.holds.iter().find(|h| h.venue == venue.id);
            Some(VenueToday {
                id: venue.id,
                name: venue.name,
                city: venue.city,
                timezone,
                date: local_date(timezone, now),
                bookings: sales.iter().map(|s| s.bookings).sum(),
                tickets: sales.iter().map(|s| s.tickets).sum(),
                revenue: sales.iter().map(|s| s.revenue).collect(),
                showtimes: data
                    .showtimes
                    .iter()
                    .filter(|s| s.venue == venue.id)
                    .cloned()
                    .collect(),
                holds: holds.map_or(0, |h| h.holds),
                held_seats: holds.map_or(0, |h| h.seats),
            })
        })
        .collect();
    Ok(Today {
        venues,
        recent: data.recent,
    })
}

fn local_date(timezone: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&timezone).date_naive()
}
