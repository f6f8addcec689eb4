//! How a node's catalog search (`marquee_search::Catalog`, built from the upcoming showtimes
//! `list_showtimes` gives) sees that it changed: the free seats of some showtimes again, and a
//! mark that moves with every catalog write.

use crate::codec::millis;
use crate::sql::{Sql, Value};
use crate::StoreResult;
use chrono::{DateTime, Utc};
use marquee_domain::ShowtimeId;

/// A seat is free when it is available, or held by a hold that has run out.
const FREE: &str = "(ss.status = 'available' OR (ss.status = 'held' AND ss.held_until <= ts($1)))";

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
