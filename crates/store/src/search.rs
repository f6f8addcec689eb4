//! What the catalog search (`marquee_search::Catalog`) is built from, and how a node sees
//! that it changed: every upcoming showtime with where it plays and its free seats, the free
//! seats of some showtimes again, and a mark that moves with every catalog write.

use crate::args;
use crate::codec::{access_tags, instant, millis};
use crate::sql::{Sql, Value};
use crate::StoreResult;
use chrono::{DateTime, Utc};
use marquee_domain::{AccessTag, CityId, EventId, ShowtimeId};

/// An upcoming showtime as search files it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Showable {
    pub showtime: ShowtimeId,
    pub event: EventId,
    pub city: CityId,
    pub city_name: String,
    pub venue_name: String,
    pub starts_at: DateTime<Utc>,
    pub format: String,
    /// Its access and experience tags.
    pub access: Vec<AccessTag>,
    pub seats_available: i64,
}

#[derive(sqlx::FromRow)]
struct ShowableRow {
    id: i64,
    event_id: i64,
    city_id: i64,
    city_name: String,
    venue_name: String,
    starts_at: i64,
    format: String,
    access: String,
    available: i64,
}

/// A seat is free when it is available, or held by a hold that has run out.
const FREE: &str = "(ss.status = 'available' OR (ss.status = 'held' AND ss.held_until <= ts($1)))";

/// Every showtime that starts after `now` and was not cancelled, with its free seats.
pub async fn showables(on: &mut impl Sql, now: DateTime<Utc>) -> StoreResult<Vec<Showable>> {
    let rows: Vec<ShowableRow> = on
        .fetch_all(
            &format!(
                "SELECT s.id, s.event_id, v.city_id, c.name AS city_name, v.name AS venue_name,
                        ms(s.starts_at) AS starts_at, s.format, s.access,
                        (SELECT count(*) FROM showtime_seats ss
                         WHERE ss.showtime_id = s.id AND {FREE}) AS available
                 FROM showtimes s JOIN auditoriums a ON a.id = s.auditorium_id
                 JOIN venues v ON v.id = a.venue_id JOIN cities c ON c.id = v.city_id
                 WHERE s.starts_at > ts($1)
                   AND NOT EXISTS (SELECT 1 FROM showtime_cancellations x
                                   WHERE x.showtime_id = s.id)"
            ),
            args![millis(now)],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Showable {
                showtime: ShowtimeId(r.id),
                event: EventId(r.event_id),
                city: CityId(r.city_id),
                city_name: r.city_name,
                venue_name: r.venue_name,
                starts_at: instant(r.starts_at)?,
                format: r.format,
                access: access_tags(&r.access)?,
                seats_available: r.available,
            })
        })
        .collect()
}

/// How many seats each of `showtimes` has free at `now`.
pub async fn seats_available(
    on: &mut impl Sql,
    showtimes: &[ShowtimeId],
    now: DateTime<Utc>,
) -> StoreResult<Vec<(ShowtimeId, i64)>> {
    if showtimes.is_empty() {
        return Ok(vec![]);
    }
    let now = millis(now);
    let mut keys = vec![Value::Int(now)];
    keys.extend(showtimes.iter().map(|s| Value::Int(s.0)));
    let list = crate::sql::rows(showtimes.len(), "?", 2);
    let rows: Vec<(i64, i64)> = on
        .fetch_all(
            &format!(
                "SELECT s.id, (SELECT count(*) FROM showtime_seats ss
                               WHERE ss.showtime_id = s.id AND {FREE})
                 FROM showtimes s WHERE s.id IN ({list})"
            ),
            &keys,
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (ShowtimeId(id), n))
        .collect())
}

/// A mark that changes whenever the catalog does: a staff write anywhere (each is audited),
/// an event or showtime added by the system (the demo), a showtime cancelled. Two nodes that
/// read the same mark have the same catalog.
pub async fn catalog_mark(on: &mut impl Sql) -> StoreResult<String> {
    let mark: Vec<(i64, i64, i64, i64)> = on
        .fetch_all(
            "SELECT (SELECT COALESCE(max(id), 0) FROM audit_log),
                    (SELECT count(*) FROM events),
                    (SELECT count(*) FROM showtimes),
                    (SELECT count(*) FROM showtime_cancellations)",
            &[],
        )
        .await?;
    Ok(mark
        .first()
        .map(|(audit, events, showtimes, cancelled)| {
            format!("{audit}/{events}/{showtimes}/{cancelled}")
        })
        .unwrap_or_default())
}
