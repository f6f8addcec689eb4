//! The back office's "today at a glance": one read of several statements in one snapshot,
//! SQL shared by both backends (see `sql`).
//!
//! "Today" is a different span of instants in London and in New York, so the caller gives
//! each city's day (`CityDay`) and the statements join them as a `VALUES` list: a venue's
//! figures count within its own city's day.

use crate::codec::{booking_status, currency, instant, millis, unsigned};
use crate::sql::{Sql, Value};
use crate::StoreResult;
use chrono::{DateTime, Utc};
use marquee_domain::{BookingId, BookingStatus, CityId, Money, ShowtimeId, VenueId};

/// What `Store::dashboard` reads.
#[derive(Debug, Clone)]
pub struct DashboardQuery {
    /// Only these venues (staff of some venues); `None`: every venue.
    pub venues: Option<Vec<VenueId>>,
    /// Today in each city: a venue in a city not listed has no figures for today.
    pub days: Vec<CityDay>,
    pub now: DateTime<Utc>,
    /// How many of the newest bookings to list.
    pub recent: u32,
}

/// One city's day: from its local midnight to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityDay {
    pub city: CityId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The figures, each list in a stable order (venues by city and name; showtimes by start;
/// bookings newest first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DashboardData {
    pub venues: Vec<DashboardVenue>,
    /// Bookings confirmed within the venue's day and still confirmed, per venue and currency.
    pub sales: Vec<VenueSales>,
    /// The venue's showtimes of its day that have not ended yet.
    pub showtimes: Vec<ShowtimeOccupancy>,
    /// Holds alive now (held or waiting for their payment, not past their time), per venue.
    pub holds: Vec<VenueHolds>,
    pub recent: Vec<RecentBooking>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardVenue {
    pub id: VenueId,
    pub name: String,
    pub city_id: CityId,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueSales {
    pub venue: VenueId,
    pub bookings: u32,
    pub tickets: u32,
    pub revenue: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowtimeOccupancy {
    pub showtime: ShowtimeId,
    pub venue: VenueId,
    pub auditorium: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// Seats of the showtime, blocked ones included.
    pub seats: u32,
    pub sold: u32,
    /// Seats of holds alive now.
    pub held: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueHolds {
    pub venue: VenueId,
    pub holds: u32,
    pub seats: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentBooking {
    pub id: BookingId,
    pub reference: String,
    /// As of the query's `now`: a hold past its time is expired.
    pub status: BookingStatus,
    pub venue: VenueId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub seats: u32,
    pub total: Money,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct VenueRow {
    id: i64,
    name: String,
    city_id: i64,
    city: String,
}

#[derive(sqlx::FromRow)]
struct SalesRow {
    venue_id: i64,
    currency: String,
    bookings: i64,
    tickets: i64,
    revenue: i64,
}

#[derive(sqlx::FromRow)]
struct OccupancyRow {
    id: i64,
    venue_id: i64,
    auditorium: String,
    title: String,
    starts_at: i64,
    seats: i64,
    sold: i64,
    held: i64,
}

#[derive(sqlx::FromRow)]
struct HoldsRow {
    venue_id: i64,
    holds: i64,
    seats: i64,
}

#[derive(sqlx::FromRow)]
struct RecentRow {
    id: i64,
    reference: String,
    status: String,
    expires_at: i64,
    venue_id: i64,
    title: String,
    starts_at: i64,
    seats: i64,
    total_minor: i64,
    currency: String,
    created_at: i64,
}

/// A statement's bound values and the SQL that binds them: `leading` as `$1`, `$2`, ...,
/// then (`with_days`) each city's day as a triple, then the venue ids.
struct Bound {
    values: Vec<Value<'static>>,
    /// The days as a `VALUES` list joined to `v` (a venue) as `d`: `d.column2 <= t <
    /// d.column3` is within the venue's day (both databases name a `VALUES` list's columns
    /// `column1`, `column2`, ...).
    in_day: String,
    /// The venue filter on `v.id`.
    venues: String,
}

fn bind(query: &DashboardQuery, leading: &[Value<'static>], with_days: bool) -> Bound {
    let mut values = leading.to_vec();
    let mut in_day = String::new();
    if with_days {
        let first = values.len() + 1;
        for day in &query.days {
            values.push(Value::Int(day.city.0));
            values.push(Value::Int(millis(day.from)));
            values.push(Value::Int(millis(day.to)));
        }
        let list = if query.days.is_empty() {
            // A well-formed list that matches no city.
            "(-1::int8, ts(0::int8), ts(0::int8))".to_string()
        } else {
            crate::sql::rows(
                query.days.len(),
                "(?::int8, ts(?::int8), ts(?::int8))",
                first,
            )
        };
        in_day = format!("JOIN (VALUES {list}) AS d ON d.column1 = v.city_id");
    }
    let venues = match &query.venues {
        None => "TRUE".to_string(),
        Some(ids) if ids.is_empty() => "FALSE".to_string(),
        Some(ids) => {
            let first = values.len() + 1;
            values.extend(ids.iter().map(|id| Value::Int(id.0)));
            format!("v.id IN ({})", crate::sql::rows(ids.len(), "?", first))
        }
    };
    Bound {
        values,
        in_day,
        venues,
    }
}

/// The dashboard's figures. Run it in one snapshot (a read transaction) so they agree.
pub async fn dashboard(on: &mut impl Sql, query: &DashboardQuery) -> StoreResult<DashboardData> {
    let now = Value::Int(millis(query.now));
    let b = bind(query, &[], false);
    let venues: Vec<VenueRow> = on
        .fetch_all(
            &format!(
                "SELECT v.id, v.name, v.city_id, c.name AS city FROM venues v JOIN cities c ON c.id = v.city_id
                 WHERE {} ORDER BY c.name, v.name, v.id",
                b.venues
            ),
            &b.values,
        )
        .await?;
    let b = bind(query, &[], true);
    let sales: Vec<SalesRow> = on
        .fetch_all(
            &format!(
                "SELECT a.venue_id, b.currency, COUNT(*) AS bookings,
                        CAST(SUM((SELECT COUNT(*) FROM booking_seats s WHERE s.booking_id = b.id)) AS BIGINT) AS tickets,
                        CAST(SUM(b.total_minor) AS BIGINT) AS revenue
                 FROM bookings b JOIN showtimes st ON st.id = b.showtime_id
                 JOIN auditoriums a ON a.id = st.auditorium_id JOIN venues v ON v.id = a.venue_id
                 {}
                 WHERE {} AND b.status = 'confirmed'
                   AND EXISTS (SELECT 1 FROM booking_transitions t WHERE t.booking_id = b.id
                               AND t.to_status = 'confirmed' AND t.at >= d.column2 AND t.at < d.column3)
                 GROUP BY a.venue_id, b.currency ORDER BY a.venue_id, b.currency",
                b.in_day, b.venues
            ),
            &b.values,
        )
        .await?;
    let b = bind(query, &[now], true);
    let showtimes: Vec<OccupancyRow> = on
        .fetch_all(
            &format!(
                "SELECT st.id, a.venue_id, a.name AS auditorium, e.title, ms(st.starts_at) AS starts_at,
                        COUNT(*) AS seats,
                        CAST(SUM(CASE WHEN ss.status = 'sold' THEN 1 ELSE 0 END) AS BIGINT) AS sold,
                        CAST(SUM(CASE WHEN ss.status = 'held' AND ss.held_until > ts($1) THEN 1 ELSE 0 END) AS BIGINT) AS held
                 FROM showtimes st JOIN auditoriums a ON a.id = st.auditorium_id
                 JOIN venues v ON v.id = a.venue_id JOIN events e ON e.id = st.event_id
                 JOIN showtime_seats ss ON ss.showtime_id = st.id
                 {}
                 WHERE {} AND st.starts_at >= d.column2 AND st.starts_at < d.column3
                   AND st.ends_at > ts($1)
                 GROUP BY st.id, a.venue_id, a.name, e.title, st.starts_at
                 ORDER BY st.starts_at, st.id",
                b.in_day, b.venues
            ),
            &b.values,
        )
        .await?;
    let b = bind(query, &[now], false);
    let holds: Vec<HoldsRow> = on
        .fetch_all(
            &format!(
                "SELECT a.venue_id, COUNT(DISTINCT b.id) AS holds, COUNT(*) AS seats
                 FROM bookings b JOIN booking_seats s ON s.booking_id = b.id
                 JOIN showtimes st ON st.id = b.showtime_id
                 JOIN auditoriums a ON a.id = st.auditorium_id JOIN venues v ON v.id = a.venue_id
                 WHERE {} AND b.status IN ('held', 'payment_pending') AND b.expires_at > ts($1)
                 GROUP BY a.venue_id ORDER BY a.venue_id",
                b.venues
            ),
            &b.values,
        )
        .await?;
    let b = bind(query, &[Value::Int(i64::from(query.recent))], false);
    let recent: Vec<RecentRow> = on
        .fetch_all(
            &format!(
                "SELECT b.id, b.reference, b.status, ms(b.expires_at) AS expires_at, a.venue_id,
                        e.title, ms(st.starts_at) AS starts_at,
                        (SELECT COUNT(*) FROM booking_seats s WHERE s.booking_id = b.id) AS seats,
                        b.total_minor, b.currency, ms(b.created_at) AS created_at
                 FROM bookings b JOIN showtimes st ON st.id = b.showtime_id
                 JOIN auditoriums a ON a.id = st.auditorium_id JOIN venues v ON v.id = a.venue_id
                 JOIN events e ON e.id = st.event_id
                 WHERE {} ORDER BY b.id DESC LIMIT $1",
                b.venues
            ),
            &b.values,
        )
        .await?;
    decode(query.now, venues, sales, showtimes, holds, recent)
}

fn decode(
    now: DateTime<Utc>,
    venues: Vec<VenueRow>,
    sales: Vec<SalesRow>,
    showtimes: Vec<OccupancyRow>,
    holds: Vec<HoldsRow>,
    recent: Vec<RecentRow>,
) -> StoreResult<DashboardData> {
    Ok(DashboardData {
        venues: venues
            .into_iter()
            .map(|r| DashboardVenue {
                id: VenueId(r.id),
                name: r.name,
                city_id: CityId(r.city_id),
                city: r.city,
            })
            .collect(),
        sales: sales
            .into_iter()
            .map(|r| {
                Ok(VenueSales {
                    venue: VenueId(r.venue_id),
                    bookings: unsigned(r.bookings, "bookings")?,
                    tickets: unsigned(r.tickets, "tickets")?,
                    revenue: Money::new(r.revenue, currency(&r.currency)?),
                })
            })
            .collect::<StoreResult<_>>()?,
        showtimes: showtimes
            .into_iter()
            .map(|r| {
                Ok(ShowtimeOccupancy {
                    showtime: ShowtimeId(r.id),
                    venue: VenueId(r.venue_id),
                    auditorium: r.auditorium,
                    title: r.title,
                    starts_at: instant(r.starts_at)?,
                    seats: unsigned(r.seats, "seats")?,
                    sold: unsigned(r.sold, "sold seats")?,
                    held: unsigned(r.held, "held seats")?,
                })
            })
            .collect::<StoreResult<_>>()?,
        holds: holds
            .into_iter()
            .map(|r| {
                Ok(VenueHolds {
                    venue: VenueId(r.venue_id),
                    holds: unsigned(r.holds, "holds")?,
                    seats: unsigned(r.seats, "held seats")?,
                })
            })
            .collect::<StoreResult<_>>()?,
        recent: recent
            .into_iter()
            .map(|r| {
                Ok(RecentBooking {
                    id: BookingId(r.id),
                    reference: r.reference,
                    status: booking_status(&r.status)?.as_of(instant(r.expires_at)?, now),
                    venue: VenueId(r.venue_id),
                    title: r.title,
                    starts_at: instant(r.starts_at)?,
                    seats: unsigned(r.seats, "seats")?,
                    total: Money::new(r.total_minor, currency(&r.currency)?),
                    created_at: instant(r.created_at)?,
                })
            })
            .collect::<StoreResult<_>>()?,
    })
}
