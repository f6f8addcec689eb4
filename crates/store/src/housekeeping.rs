//! The store's side of the background jobs: deleting what nobody needs any more (a batch at a
//! time, so that no statement holds locks for long), spacing out the retries of a payment that
//! would not settle, and taking turns at a job that one node at a time runs.

use crate::args;
use crate::codec::millis;
use crate::sql::Sql;
use crate::StoreResult;
use chrono::{DateTime, Utc};
use marquee_domain::BookingId;

/// What one pass of housekeeping may delete.
#[derive(Debug, Clone, Copy)]
pub struct Purge {
    /// Sessions, and links to reset a password, that ended before this.
    pub sessions_ended_before: DateTime<Utc>,
    /// Webhook event ids received before this: no gateway redelivers an event that old, so
    /// forgetting its id cannot apply it twice.
    pub events_received_before: DateTime<Utc>,
    /// Outbox messages delivered before this.
    pub delivered_before: DateTime<Utc>,
    /// At most this many rows of each kind.
    pub batch: u32,
}

/// How many rows of each kind a pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub webhook_events: u64,
    pub outbox: u64,
    pub password_resets: u64,
}

impl Purged {
    /// Whether a kind filled its batch, so another pass may find more.
    pub fn more(&self, batch: u32) -> bool {
        let batch = u64::from(batch);
        [
            self.sessions,
            self.webhook_events,
            self.outbox,
            self.password_resets,
        ]
        .iter()
        .any(|&deleted| deleted >= batch)
    }
}

pub async fn purge(on: &mut impl Sql, purge: Purge) -> StoreResult<Purged> {
    let batch = i64::from(purge.batch);
    Ok(Purged {
        sessions: on
            .execute(
                "DELETE FROM sessions WHERE token_hash IN (
                     SELECT token_hash FROM sessions WHERE expires_at < ts($1) LIMIT $2)",
                args![millis(purge.sessions_ended_before), batch],
            )
            .await?,
        webhook_events: on
            .execute(
                "DELETE FROM webhook_events WHERE (provider, event_id) IN (
                     SELECT provider, event_id FROM webhook_events
                     WHERE received_at < ts($1) LIMIT $2)",
                args![millis(purge.events_received_before), batch],
            )
            .await?,
        outbox: on
            .execute(
                "DELETE FROM outbox WHERE id IN (
                     SELECT id FROM outbox WHERE delivered_at < ts($1) LIMIT $2)",
                args![millis(purge.delivered_before), batch],
            )
            .await?,
        // Run out, used or not: a used link is refused as an unknown one is.
        password_resets: on
            .execute(
                "DELETE FROM password_resets WHERE token_hash IN (
                     SELECT token_hash FROM password_resets WHERE expires_at < ts($1) LIMIT $2)",
                args![millis(purge.sessions_ended_before), batch],
            )
            .await?,
    })
}

/// The wait after a payment's first failed settling, in milliseconds; it doubles with each
/// failure after that, up to `LONGEST_WAIT_MS`.
const FIRST_WAIT_MS: i64 = 60_000;
const LONGEST_WAIT_MS: i64 = 6 * 3600 * 1000;
/// Failures after which the wait stops doubling (60 s << 9 is past 6 hours).
const DOUBLINGS: i64 = 9;

pub async fn postpone_reconciliation(
    on: &mut impl Sql,
    booking: BookingId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    // Both sides of each SET read the row as it was, on both backends.
    on.execute(
        "UPDATE payments
         SET retry_at = ts($2 + CASE WHEN reconcile_attempts >= $3 THEN $4
                                      ELSE $5 * (1 << reconcile_attempts) END),
             reconcile_attempts = reconcile_attempts + 1
         WHERE booking_id = $1",
        args![
            booking.0,
            millis(now),
            DOUBLINGS,
            LONGEST_WAIT_MS,
            FIRST_WAIT_MS
        ],
    )
    .await?;
    Ok(())
}

pub async fn take_turn(
    on: &mut impl Sql,
    job: &str,
    holder: u16,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> StoreResult<bool> {
    let taken: Vec<i64> = on
        .fetch_column(
            "INSERT INTO job_turns (job, holder, lease_until) VALUES ($1, $2, ts($3))
             ON CONFLICT (job) DO UPDATE SET holder = excluded.holder,
                                             lease_until = excluded.lease_until
             WHERE job_turns.holder = excluded.holder OR job_turns.lease_until <= ts($4)
             RETURNING holder",
            args![job, i64::from(holder), millis(now + lease), millis(now)],
        )
        .await?;
    Ok(!taken.is_empty())
}
