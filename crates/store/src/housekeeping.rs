//! Deleting what nobody needs any more, a batch at a time so that no statement holds locks for
//! long: ended sessions, old webhook event ids, delivered outbox messages.

use crate::args;
use crate::codec::millis;
use crate::sql::Sql;
use crate::StoreResult;
use chrono::{DateTime, Utc};

/// What one pass of housekeeping may delete.
#[derive(Debug, Clone, Copy)]
pub struct Purge {
    /// Sessions that ended before this.
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
}

impl Purged {
    /// Whether a kind filled its batch, so another pass may find more.
    pub fn more(&self, batch: u32) -> bool {
        let batch = u64::from(batch);
        self.sessions >= batch || self.webhook_events >= batch || self.outbox >= batch
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
    })
}
