//! Delivering the outbox: claiming messages so that no two nodes send one, recording what
//! became of each (sent, to try again later, a dead letter), and the mailbox that takes the
//! mail when no SMTP server is configured. The worker is `marquee_server::mail`.

use crate::codec::{instant, millis};
use crate::sql::Sql;
use crate::{args, OutboxMessage, StoreResult};
use chrono::{DateTime, Duration, Utc};
use marquee_domain::{BookingId, VenueId};

/// Which messages a node takes to send now: those pending, due (`next_attempt_at` passed) and
/// claimed by nobody (or by a node whose claim ran out), oldest first, at most `limit`. Each
/// is claimed for `lease` and counts an attempt.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    pub node: u16,
    pub now: DateTime<Utc>,
    pub lease: Duration,
    pub limit: u32,
}

/// A message claimed to be sent, with the attempts made so far (this one included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMessage {
    pub message: OutboxMessage,
    pub attempts: u32,
}

/// What became of one attempt to send a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The SMTP server accepted it: it is never sent again.
    Sent,
    /// Delivered into the mailbox table instead (no SMTP configured).
    ToMailbox(MailboxEntry),
    /// Not this time: try again at `retry_at`.
    Retry {
        error: String,
        retry_at: DateTime<Utc>,
    },
    /// Refused for good (an address the server does not know), or out of attempts: a dead
    /// letter that staff see.
    Failed { error: String },
}

/// A message as the mailbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxEntry {
    pub outbox_id: i64,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub created_at: DateTime<Utc>,
}

/// A message given up on: what it was, how often it was tried and the last refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: i64,
    pub kind: String,
    pub booking_id: Option<BookingId>,
    pub attempts: u32,
    pub last_error: String,
    pub failed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    kind: String,
    booking_id: Option<i64>,
    payload: String,
    created_at: i64,
    attempts: i64,
}

/// Claims the messages `claim` says, in the caller's write transaction. On PostgreSQL the rows
/// are locked as they are chosen and rows another node is claiming are skipped (`SKIP
/// LOCKED`), so two nodes claiming at once get different messages; SQLite has one writer.
pub async fn claim(tx: &mut impl Sql, claim: Claim) -> StoreResult<Vec<ClaimedMessage>> {
    let now = millis(claim.now);
    let ids: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM outbox
             WHERE delivered_at IS NULL AND failed_at IS NULL
               AND (next_attempt_at IS NULL OR next_attempt_at <= ts($1))
               AND (claimed_until IS NULL OR claimed_until <= ts($1))
             ORDER BY id LIMIT $2
             FOR UPDATE SKIP LOCKED",
            args![now, i64::from(claim.limit)],
        )
        .await?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<ClaimedRow> = tx
            .fetch_optional(
                "UPDATE outbox SET claimed_by = $2, claimed_until = ts($3),
                     attempts = attempts + 1
                 WHERE id = $1
                 RETURNING id, kind, booking_id, payload, ms(created_at) AS created_at, attempts",
                args![id, i64::from(claim.node), millis(claim.now + claim.lease)],
            )
            .await?;
        if let Some(row) = row {
            claimed.push(ClaimedMessage {
                message: OutboxMessage {
                    id: row.id,
                    kind: row.kind,
                    booking_id: row.booking_id.map(BookingId),
                    payload: row.payload,
                    created_at: instant(row.created_at)?,
                },
                attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            });
        }
    }
    Ok(claimed)
}

/// Records what became of `node`'s attempt at message `id`. Only a message still pending
/// changes: a message sent (or given up) stays so. Answers whether it changed.
pub async fn record(
    tx: &mut impl Sql,
    id: i64,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let now_ms = millis(now);
    let pending = "delivered_at IS NULL AND failed_at IS NULL";
    let changed = match outcome {
        Outcome::Sent => {
            tx.execute(
                &format!(
                    "UPDATE outbox SET delivered_at = ts($2), last_error = NULL,
                         claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1 AND {pending}"
                ),
                args![id, now_ms],
            )
            .await?
        }
        Outcome::ToMailbox(entry) => {
            let changed = tx
                .execute(
                    &format!(
                        "UPDATE outbox SET delivered_at = ts($2), claimed_by = NULL,
                             claimed_until = NULL
                         WHERE id = $1 AND {pending}"
                    ),
                    args![id, now_ms],
                )
                .await?;
            if changed > 0 {
                tx.execute(
                    "INSERT INTO mailbox (outbox_id, recipient, subject, text_body, html_body,
                         created_at)
                     VALUES ($1, $2, $3, $4, $5, ts($6))",
                    args![
                        id,
                        &entry.recipient,
                        &entry.subject,
                        &entry.text_body,
                        &entry.html_body,
                        now_ms
                    ],
                )
                .await?;
            }
            changed
        }
        Outcome::Retry { error, retry_at } => {
            tx.execute(
                &format!(
                    "UPDATE outbox SET next_attempt_at = ts($2), last_error = $3,
                         claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1 AND {pending}"
                ),
                args![id, millis(*retry_at), error.as_str()],
            )
            .await?
        }
        Outcome::Failed { error } => {
            tx.execute(
                &format!(
                    "UPDATE outbox SET failed_at = ts($2), last_error = $3,
                         claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1 AND {pending}"
                ),
                args![id, now_ms, error.as_str()],
            )
            .await?
        }
    };
    Ok(changed > 0)
}

/// A letter in the mailbox, with what its outbox message was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxLetter {
    pub kind: String,
    pub booking_id: Option<BookingId>,
    pub entry: MailboxEntry,
}

/// Whose mail a reader sees: all of it (`venues` is `None`: an owner, a tool), or only the
/// letters about bookings at these venues (a venue-scoped member of staff; account letters,
/// whose links sign in as someone, are about no venue and so are not among them).
#[derive(Debug, Clone, Copy)]
pub struct MailFilter<'a> {
    pub venues: Option<&'a [VenueId]>,
    pub limit: u32,
}

impl MailFilter<'_> {
    /// All of it, at most `limit` of each.
    pub fn all(limit: u32) -> MailFilter<'static> {
        MailFilter {
            venues: None,
            limit,
        }
    }

    /// The venues as the SQL matches them: `,1,2,` (one statement text whatever their
    /// number, as the audit log's filter).
    fn venues_text(&self) -> Option<String> {
        self.venues.map(|venues| {
            let ids: Vec<String> = venues.iter().map(|v| v.0.to_string()).collect();
            format!(",{},", ids.join(","))
        })
    }
}

/// The venue of an outbox message `o` (through its booking), for `MailFilter`'s `$1`.
const VENUE_OF_MESSAGE: &str = "
    LEFT JOIN bookings b ON b.id = o.booking_id
    LEFT JOIN showtimes s ON s.id = b.showtime_id
    LEFT JOIN auditoriums a ON a.id = s.auditorium_id
    WHERE ($1::text IS NULL OR $1 LIKE '%,' || a.venue_id || ',%')";

#[derive(sqlx::FromRow)]
struct MailboxRow {
    outbox_id: i64,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    created_at: i64,
    kind: String,
    booking_id: Option<i64>,
}

/// The mailbox `filter` lets its reader see, newest first.
pub async fn mailbox(on: &mut impl Sql, filter: MailFilter<'_>) -> StoreResult<Vec<MailboxLetter>> {
    let venues = filter.venues_text();
    on.fetch_all::<MailboxRow>(
        &format!(
            "SELECT m.outbox_id, m.recipient, m.subject, m.text_body, m.html_body,
                 ms(m.created_at) AS created_at, o.kind, o.booking_id
             FROM mailbox m JOIN outbox o ON o.id = m.outbox_id {VENUE_OF_MESSAGE}
             ORDER BY m.id DESC LIMIT $2"
        ),
        args![venues.as_deref(), i64::from(filter.limit)],
    )
    .await?
    .into_iter()
    .map(|row| {
        Ok(MailboxLetter {
            kind: row.kind,
            booking_id: row.booking_id.map(BookingId),
            entry: MailboxEntry {
                outbox_id: row.outbox_id,
                recipient: row.recipient,
                subject: row.subject,
                text_body: row.text_body,
                html_body: row.html_body,
                created_at: instant(row.created_at)?,
            },
        })
    })
    .collect()
}

#[derive(sqlx::FromRow)]
struct DeadRow {
    id: i64,
    kind: String,
    booking_id: Option<i64>,
    attempts: i64,
    last_error: Option<String>,
    failed_at: i64,
}

/// The dead letters `filter` lets its reader see, most recent first.
pub async fn dead_letters(
    on: &mut impl Sql,
    filter: MailFilter<'_>,
) -> StoreResult<Vec<DeadLetter>> {
    let venues = filter.venues_text();
    on.fetch_all::<DeadRow>(
        &format!(
            "SELECT o.id, o.kind, o.booking_id, o.attempts, o.last_error,
                 ms(o.failed_at) AS failed_at
             FROM outbox o {VENUE_OF_MESSAGE} AND o.failed_at IS NOT NULL
             ORDER BY o.failed_at DESC, o.id DESC LIMIT $2"
        ),
        args![venues.as_deref(), i64::from(filter.limit)],
    )
    .await?
    .into_iter()
    .map(|row| {
        Ok(DeadLetter {
            id: row.id,
            kind: row.kind,
            booking_id: row.booking_id.map(BookingId),
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            last_error: row.last_error.unwrap_or_default(),
            failed_at: instant(row.failed_at)?,
        })
    })
    .collect()
}

#[derive(sqlx::FromRow)]
struct StateRow {
    attempts: i64,
    next_attempt_at: Option<i64>,
    delivered: i64,
    failed: i64,
    last_error: Option<String>,
}

/// Where one message stands, for tests and tools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent: bool,
    pub failed: bool,
    pub last_error: Option<String>,
}

pub async fn delivery(on: &mut impl Sql, id: i64) -> StoreResult<Option<Delivery>> {
    let row: Option<StateRow> = on
        .fetch_optional(
            "SELECT attempts, ms(next_attempt_at) AS next_attempt_at,
                 CAST(CASE WHEN delivered_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS delivered,
                 CAST(CASE WHEN failed_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS failed, last_error
             FROM outbox WHERE id = $1",
            args![id],
        )
        .await?;
    row.map(|row| {
        Ok(Delivery {
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            next_attempt_at: row.next_attempt_at.map(instant).transpose()?,
            sent: row.delivered == 1,
            failed: row.failed == 1,
            last_error: row.last_error,
        })
    })
    .transpose()
}

/// The kind of the message that sends a booking's tickets again (the confirmation's letter).
pub const TICKETS_RESENT: &str = "tickets_resent";

/// Queues a confirmed booking's tickets to its customer again, for staff of `venue`
/// (audited as `by`'s), in one write transaction.
pub async fn resend_tickets(
    tx: &mut impl Sql,
    booking: BookingId,
    venue: VenueId,
    by: &crate::Actor<BookingId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let payload = serde_json::json!({
        "booking_id": booking.0.to_string(),
        "kind": TICKETS_RESENT,
    });
    crate::statements::queue_message(tx, Some(booking), TICKETS_RESENT, &payload.to_string(), now)
        .await?;
    let touched = crate::audit::Touched {
        entity: "booking",
        id: Some(booking.0),
        venue: Some(venue),
    };
    crate::audit::record(tx, by, touched, None, Some(&booking)).await
}
