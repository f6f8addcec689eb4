//! Reminders before the show: a venue's setting, and the pass that queues each confirmed
//! booking's `showtime_reminder` once, when it is due (`marquee_domain::reminders::due`). A
//! unique index lets one reminder per booking into the outbox, however many nodes queue at once.

use crate::args;
use crate::audit::{self, Actor, Touched};
use crate::codec::{instant, millis};
use crate::sql::Sql;
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Duration, Utc};
use marquee_domain::reminders::{due, DEFAULT_HOURS_BEFORE, MAX_HOURS_BEFORE};
use marquee_domain::{Entity, VenueId};

/// The kind of the reminder's outbox message.
pub const MESSAGE_KIND: &str = "showtime_reminder";

/// How many hours before its showtimes a venue reminds its customers (0: never).
pub async fn hours_before(on: &mut impl Sql, venue: VenueId) -> StoreResult<u32> {
    let set: Vec<i64> = on
        .fetch_column(
            "SELECT hours_before FROM venue_reminders WHERE venue_id = $1",
            args![venue.0],
        )
        .await?;
    Ok(set
        .first()
        .map_or(DEFAULT_HOURS_BEFORE, |h| u32::try_from(*h).unwrap_or(0)))
}

/// Sets it (audited).
pub async fn set_hours_before(
    tx: &mut impl Sql,
    venue: VenueId,
    hours: u32,
    by: &Actor<u32>,
) -> StoreResult<()> {
    let before = hours_before(tx, venue).await?;
    tx.execute(
        "INSERT INTO venue_reminders (venue_id, hours_before) VALUES ($1, $2)
         ON CONFLICT (venue_id) DO UPDATE SET hours_before = $2",
        args![venue.0, i64::from(hours)],
    )
    .await
    .map_err(|e| {
        if e.is_foreign_key_violation() {
            StoreError::NotFound(Entity::Venue)
        } else {
            e
        }
    })?;
    let touched = Touched {
        entity: "reminder",
        id: Some(venue.0),
        venue: Some(venue),
    };
    audit::record(tx, by, touched, Some(&before), Some(&hours)).await
}

#[derive(sqlx::FromRow)]
struct Candidate {
    id: i64,
    starts_at: i64,
    hours_before: i64,
}

/// Queues the reminders due at `now` (at most `limit` bookings looked at); how many it queued.
pub async fn queue_due(tx: &mut impl Sql, now: DateTime<Utc>, limit: u32) -> StoreResult<u64> {
    let horizon = now + Duration::hours(i64::from(MAX_HOURS_BEFORE));
    let candidates: Vec<Candidate> = tx
        .fetch_all(
            "SELECT b.id, ms(s.starts_at) AS starts_at,
                    COALESCE(r.hours_before, $4) AS hours_before
             FROM bookings b JOIN showtimes s ON s.id = b.showtime_id
             JOIN auditoriums a ON a.id = s.auditorium_id
             LEFT JOIN venue_reminders r ON r.venue_id = a.venue_id
             WHERE b.status = 'confirmed' AND s.starts_at > ts($1) AND s.starts_at <= ts($2)
               AND NOT EXISTS (SELECT 1 FROM outbox o
                               WHERE o.booking_id = b.id AND o.kind = 'showtime_reminder')
             ORDER BY s.starts_at, b.id LIMIT $3",
            args![
                millis(now),
                millis(horizon),
                i64::from(limit),
                i64::from(DEFAULT_HOURS_BEFORE)
            ],
        )
        .await?;
    let mut queued = 0;
    for candidate in candidates {
        let hours = u32::try_from(candidate.hours_before).unwrap_or(0);
        if !due(instant(candidate.starts_at)?, hours, now) {
            continue;
        }
        let payload = serde_json::json!({
            "booking_id": candidate.id.to_string(),
            "kind": MESSAGE_KIND,
        });
        queued += tx
            .execute(
                "INSERT INTO outbox (kind, booking_id, payload, created_at)
                 VALUES ($1, $2, $3, ts($4)) ON CONFLICT DO NOTHING",
                args![
                    MESSAGE_KIND,
                    candidate.id,
                    payload.to_string().as_str(),
                    millis(now)
                ],
            )
            .await?;
    }
    Ok(queued)
}
