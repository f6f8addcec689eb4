//! Cancelling a paid booking, whole or some of its seats: one transaction reads the booking
//! (locked), its seats and tickets and the venue's refund policy, lets the domain decide
//! (`cancellation::plan_cancellation`), then frees the seats, voids their tickets, records the
//! cancellation with the refund it owes, and queues the customer's message. The refund itself
//! is asked of the gateway after the commit (the server's `cancellations`), and settled when
//! the gateway reports it (`settle_reported`, `settle_one`).

use crate::args;
use crate::audit::{self, Touched};
use crate::codec::{booking_status, currency, instant, millis};
use crate::sql::Sql;
use crate::{statements, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::cancellation::{
    plan_cancellation, refunds_settled, CancelLine, Cancellable, Cancellation, CancellationPlan,
    RefundPolicy, RefundStatus, RefundTier, Refunding,
};
use marquee_domain::payment_report::Notice;
use marquee_domain::showtime_move::MoveAnswer;
use marquee_domain::{
    BookingId, BookingStatus, Entity, Money, PaymentOutcome, PaymentStatus, SeatChange,
    SeatChangeCause, ShowtimeId, Transition, UserId, VenueId,
};

/// Who cancels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Canceller {
    /// The booking's owner, under the venue's refund policy.
    Customer(UserId),
    /// Staff of the booking's venue, refunding in full whatever the policy, with a reason
    /// (written in the audit log).
    Staff { user: UserId, reason: String },
    /// The booking's exchange `into` another one was paid: refunded in full, whatever the
    /// policy (`showtime_moves::complete_exchange`).
    Exchange { into: BookingId },
}

/// A cancellation asked for.
#[derive(Debug, Clone)]
pub struct CancelBooking {
    pub booking: BookingId,
    pub by: Canceller,
    /// Some seats of the booking; `None` for all its seats still live.
    pub seats: Option<Vec<String>>,
    /// Decide and answer, but write nothing.
    pub dry_run: bool,
    pub now: DateTime<Utc>,
    /// The kind of the customer's message: `MESSAGE_KIND`, or `SHOWTIME_CANCELLED` when the
    /// cinema cancels the whole showtime.
    pub message_kind: &'static str,
}

/// What a cancellation decided, and, when it was made, its record.
#[derive(Debug, Clone)]
pub struct Cancelled {
    pub plan: CancellationPlan,
    pub why: String,
    /// `None` for a dry run.
    pub cancellation: Option<Cancellation>,
    pub showtime_id: ShowtimeId,
    pub venue_id: VenueId,
}

/// A refund owed to a customer, as the gateway is asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundOwed {
    pub cancellation_id: i64,
    pub booking_id: BookingId,
    pub provider: String,
    pub payment_ref: String,
    pub amount: Money,
    pub attempts: u32,
}

/// The kind of the outbox message a cancellation queues.
pub const MESSAGE_KIND: &str = "booking_cancelled";
/// The kind of the message each booking's customer gets when the cinema cancels a showtime.
pub const SHOWTIME_CANCELLED: &str = "showtime_cancelled";

#[derive(sqlx::FromRow)]
struct ShowtimeOfBooking {
    starts_at: i64,
    venue_id: i64,
    fees_minor: i64,
    currency: String,
    timezone: String,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    label: String,
    price_minor: i64,
    cancelled_at: Option<i64>,
}

/// Cancels what `ask` says, or answers why not (nothing written). A dry run decides the same
/// way and writes nothing.
pub async fn cancel(tx: &mut impl Sql, ask: &CancelBooking) -> StoreResult<Cancelled> {
    let id = ask.booking;
    let booking = statements::lock_booking(tx, id)
        .await?
        .ok_or(StoreError::NotFound(Entity::Booking))?;
    if let Canceller::Customer(user) = &ask.by {
        if booking.owner != *user {
            return Err(StoreError::NotFound(Entity::Booking));
        }
    }
    let showtime = tx
        .fetch_optional::<ShowtimeOfBooking>(
            "SELECT ms(s.starts_at) AS starts_at, a.venue_id, b.fees_minor, b.currency,
                    c.timezone
             FROM bookings b JOIN showtimes s ON s.id = b.showtime_id
             JOIN auditoriums a ON a.id = s.auditorium_id
             JOIN venues v ON v.id = a.venue_id JOIN cities c ON c.id = v.city_id
             WHERE b.id = $1",
            args![id.0],
        )
        .await?
        .ok_or_else(|| StoreError::corrupt("a booking of no showtime"))?;
    let venue = VenueId(showtime.venue_id);
    let zone = crate::codec::timezone(&showtime.timezone)?;
    let lines: Vec<LineRow> = tx
        .fetch_all(
            "SELECT label, price_minor, ms(cancelled_at) AS cancelled_at
             FROM booking_seats WHERE booking_id = $1 ORDER BY position",
            args![id.0],
        )
        .await?;
    // The tickets are locked: a ticket admitted at the door meanwhile cannot be voided by a
    // customer's cancellation that did not see it admitted.
    let admitted: Vec<String> = tx
        .fetch_column(
            "SELECT seat FROM tickets
             WHERE booking_id = $1 AND voided_at IS NULL AND admitted_at IS NOT NULL FOR UPDATE",
            args![id.0],
        )
        .await?;
    let fee_share = showtime.fees_minor / (lines.len().max(1) as i64);
    let cancellable = Cancellable {
        status: booking.stored_status.as_of(booking.expires_at, ask.now),
        starts_at: instant(showtime.starts_at)?,
        zone,
        currency: currency(&showtime.currency)?,
        lines: lines
            .iter()
            .map(|l| CancelLine {
                label: l.label.clone(),
                paid_minor: l.price_minor + fee_share,
                cancelled: l.cancelled_at.is_some(),
                admitted: admitted.contains(&l.label),
            })
            .collect(),
    };
    // A customer whose showtime the cinema moved may cancel for a full refund until it starts.
    let moved = crate::showtime_moves::open_notice(tx, id, ask.now).await?;
    let refunding = match &ask.by {
        Canceller::Customer(_) if moved.is_none() => Refunding::ByPolicy(
            policy(tx, venue)
                .await?
                .unwrap_or_else(RefundPolicy::standard),
        ),
        Canceller::Customer(_) | Canceller::Staff { .. } | Canceller::Exchange { .. } => {
            Refunding::InFull
        }
    };
    let plan = plan_cancellation(&cancellable, ask.seats.as_deref(), &refunding, ask.now)
        .map_err(StoreError::CannotCancel)?;
    let why = match &ask.by {
        Canceller::Customer(_) if moved.is_some() => {
            "refunded in full: the cinema moved the showtime".to_string()
        }
        Canceller::Customer(_) => plan.why(zone),
        Canceller::Staff { reason, .. } => format!("{}: {reason}", plan.why(zone)),
        Canceller::Exchange { into } => {
            let reference: Option<String> = tx
                .fetch_column(
                    "SELECT reference FROM bookings WHERE id = $1",
                    args![into.0],
                )
                .await?
                .pop();
            format!(
                "refunded in full: exchanged for booking {}",
                reference.unwrap_or_default()
            )
        }
    };
    let mut cancelled = Cancelled {
        plan,
        why,
        cancellation: None,
        showtime_id: booking.showtime_id,
        venue_id: venue,
    };
    if ask.dry_run {
        return Ok(cancelled);
    }
    cancelled.cancellation = Some(write(tx, ask, &cancelled).await?);
    if let Some(move_id) = moved {
        let answer = match ask.by {
            Canceller::Exchange { .. } => Some(MoveAnswer::Exchanged),
            _ if cancelled.plan.whole => Some(MoveAnswer::Cancelled),
            _ => None,
        };
        if let Some(answer) = answer {
            crate::showtime_moves::answer(tx, id, move_id, answer, ask.now).await?;
        }
    }
    Ok(cancelled)
}

/// Writes a decided cancellation (see `cancel`).
async fn write(
    tx: &mut impl Sql,
    ask: &CancelBooking,
    decided: &Cancelled,
) -> StoreResult<Cancellation> {
    let (id, now, plan) = (ask.booking, ask.now, &decided.plan);
    for label in &plan.seats {
        tx.execute(
            "UPDATE booking_seats SET cancelled_at = ts($3) WHERE booking_id = $1 AND label = $2",
            args![id.0, label.as_str(), millis(now)],
        )
        .await?;
        tx.execute(
            "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
             WHERE showtime_id = $1 AND label = $2 AND booking_id = $3 AND status = 'sold'",
            args![decided.showtime_id.0, label.as_str(), id.0],
        )
        .await?;
        tx.execute(
            "UPDATE tickets SET voided_at = ts($3)
             WHERE booking_id = $1 AND seat = $2 AND voided_at IS NULL",
            args![id.0, label.as_str(), millis(now)],
        )
        .await?;
    }
    let refund_status = if plan.refund.minor > 0 {
        RefundStatus::Due
    } else {
        RefundStatus::NotOwed
    };
    let staff = match &ask.by {
        Canceller::Staff { user, .. } => Some(user.0),
        Canceller::Customer(_) | Canceller::Exchange { .. } => None,
    };
    let seats = plan.seats.join(",");
    let cancellation_id: i64 = tx
        .fetch_column(
            "INSERT INTO cancellations
                 (booking_id, seats, refund_minor, currency, refund_status, why, staff_id,
                  created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, ts($8)) RETURNING id",
            args![
                id.0,
                seats.as_str(),
                plan.refund.minor,
                plan.refund.currency.as_str(),
                refund_status.as_str(),
                decided.why.as_str(),
                staff,
                millis(now)
            ],
        )
        .await?
        .pop()
        .ok_or_else(|| StoreError::corrupt("a cancellation inserted has no id"))?;
    if plan.whole {
        move_booking(
            tx,
            id,
            BookingStatus::Confirmed,
            BookingStatus::Cancelled,
            now,
        )
        .await?;
    }
    let payload = serde_json::json!({
        "booking_id": id.0.to_string(),
        "kind": ask.message_kind,
        "why": decided.why,
        "seats": plan.seats,
        "whole": plan.whole,
        "refund_minor": plan.refund.minor,
        "currency": plan.refund.currency.as_str(),
    });
    statements::queue_message(tx, Some(id), ask.message_kind, &payload.to_string(), now).await?;
    let cancellation = Cancellation {
        id: cancellation_id,
        seats: plan.seats.clone(),
        refund: plan.refund,
        refund_status,
        why: decided.why.clone(),
        by_staff: staff.is_some(),
        created_at: now,
        refunded_at: None,
        attempts: 0,
        last_error: None,
    };
    if let Canceller::Staff { user, .. } = &ask.by {
        let actor = audit::Actor::staff(*user, now, "booking.cancel", render);
        let touched = Touched {
            entity: "booking",
            id: Some(id.0),
            venue: Some(decided.venue_id),
        };
        audit::record(tx, &actor, touched, None, Some(&cancellation)).await?;
    }
    Ok(cancellation)
}

/// A cancellation as the audit log shows it.
fn render(c: &Cancellation) -> serde_json::Value {
    serde_json::json!({
        "cancellation_id": c.id,
        "seats": c.seats,
        "refund": c.refund.minor,
        "currency": c.refund.currency.as_str(),
        "why": c.why,
    })
}

async fn move_booking(
    tx: &mut impl Sql,
    id: BookingId,
    from: BookingStatus,
    to: BookingStatus,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    statements::set_booking_status(tx, id, to, now).await?;
    statements::record_transition(
        tx,
        id,
        &Transition {
            from: Some(from),
            to,
            at: now,
        },
    )
    .await
}

/// The seat change a made cancellation published: its seats are free again.
pub fn seat_change(cancelled: &Cancelled, booking: BookingId) -> Vec<SeatChange> {
    match &cancelled.cancellation {
        Some(c) => vec![SeatChange {
            showtime_id: cancelled.showtime_id,
            booking_id: Some(booking),
            labels: c.seats.clone(),
            cause: SeatChangeCause::Cancelled,
        }],
        None => vec![],
    }
}

// --- cancelling a whole showtime -------------------------------------------------------------

/// The cinema cancels a showtime.
#[derive(Debug, Clone)]
pub struct CancelShowtime {
    pub showtime: ShowtimeId,
    pub staff: UserId,
    pub reason: String,
    pub now: DateTime<Utc>,
}

/// What cancelling a showtime did (this time: a second run finds nothing left to do).
#[derive(Debug, Clone)]
pub struct ShowtimeCancelled {
    pub cancelled_at: DateTime<Utc>,
    /// The bookings refunded in full now.
    pub bookings: Vec<(BookingId, Cancelled)>,
    /// Live holds let go (their payments, if any arrive, are refunded).
    pub holds_released: Vec<BookingId>,
    pub venue_id: VenueId,
}

/// Cancels a showtime in one transaction, safe to repeat: it is marked cancelled (no hold can
/// take its seats from now on), its live holds are released, every confirmed booking is
/// cancelled with a full refund owed and a `showtime_cancelled` message, and its free seats
/// are blocked, so that a hold that was waiting for the showtime's row finds none.
pub async fn cancel_showtime(
    tx: &mut impl Sql,
    ask: &CancelShowtime,
) -> StoreResult<(ShowtimeCancelled, Vec<SeatChange>)> {
    let (showtime, now) = (ask.showtime, ask.now);
    let venue: Vec<i64> = tx
        .fetch_column(
            "SELECT a.venue_id FROM showtimes s JOIN auditoriums a ON a.id = s.auditorium_id
             WHERE s.id = $1 FOR UPDATE OF s",
            args![showtime.0],
        )
        .await?;
    let venue = VenueId(
        *venue
            .first()
            .ok_or(StoreError::NotFound(Entity::Showtime))?,
    );
    tx.execute(
        "INSERT INTO showtime_cancellations (showtime_id, reason, cancelled_by, cancelled_at)
         VALUES ($1, $2, $3, ts($4)) ON CONFLICT (showtime_id) DO NOTHING",
        args![showtime.0, ask.reason.as_str(), ask.staff.0, millis(now)],
    )
    .await?;
    let cancelled_at: Vec<i64> = tx
        .fetch_column(
            "SELECT ms(cancelled_at) FROM showtime_cancellations WHERE showtime_id = $1",
            args![showtime.0],
        )
        .await?;
    let cancelled_at = instant(
        *cancelled_at
            .first()
            .ok_or_else(|| StoreError::corrupt("a showtime cancellation written is not there"))?,
    )?;
    let mut changes = Vec::new();
    let live: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM bookings WHERE showtime_id = $1
             AND status IN ('held', 'payment_pending') AND expires_at > ts($2) ORDER BY id",
            args![showtime.0, millis(now)],
        )
        .await?;
    let mut holds_released = Vec::new();
    for id in live.into_iter().map(BookingId) {
        let Some(booking) = statements::lock_booking(tx, id).await? else {
            continue;
        };
        move_booking(tx, id, booking.stored_status, BookingStatus::Released, now).await?;
        let labels = statements::free_seats(tx, id, marquee_domain::SeatState::Held).await?;
        if !labels.is_empty() {
            changes.push(SeatChange {
                showtime_id: showtime,
                booking_id: Some(id),
                labels,
                cause: SeatChangeCause::Released,
            });
        }
        holds_released.push(id);
    }
    let confirmed: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM bookings WHERE showtime_id = $1 AND status = 'confirmed' ORDER BY id",
            args![showtime.0],
        )
        .await?;
    let mut bookings = Vec::new();
    for id in confirmed.into_iter().map(BookingId) {
        let one = CancelBooking {
            booking: id,
            by: Canceller::Staff {
                user: ask.staff,
                reason: ask.reason.clone(),
            },
            seats: None,
            dry_run: false,
            now,
            message_kind: SHOWTIME_CANCELLED,
        };
        let cancelled = cancel(tx, &one).await?;
        changes.extend(seat_change(&cancelled, id));
        bookings.push((id, cancelled));
    }
    let blocked: Vec<String> = tx
        .fetch_column(
            "UPDATE showtime_seats SET status = 'blocked', booking_id = NULL, held_until = NULL
             WHERE showtime_id = $1
               AND (status = 'available' OR (status = 'held' AND held_until <= ts($2)))
             RETURNING label",
            args![showtime.0, millis(now)],
        )
        .await?;
    if !blocked.is_empty() {
        changes.push(SeatChange {
            showtime_id: showtime,
            booking_id: None,
            labels: blocked,
            cause: SeatChangeCause::Blocked,
        });
    }
    let done = ShowtimeCancelled {
        cancelled_at,
        bookings,
        holds_released,
        venue_id: venue,
    };
    let actor = audit::Actor::staff(ask.staff, now, "showtime.cancel", render_showtime);
    let touched = Touched {
        entity: "showtime",
        id: Some(showtime.0),
        venue: Some(venue),
    };
    let reason = ask.reason.clone();
    audit::record(
        tx,
        &actor,
        touched,
        None,
        Some(&(reason, done.bookings.len())),
    )
    .await?;
    Ok((done, changes))
}

fn render_showtime(done: &(String, usize)) -> serde_json::Value {
    serde_json::json!({ "cancelled": true, "reason": done.0, "bookings_refunded": done.1 })
}

// --- refund policies -------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct PolicyRow {
    tiers: String,
    fee_per_ticket_minor: i64,
}

/// A venue's own refund policy, if it set one.
pub async fn policy(on: &mut impl Sql, venue: VenueId) -> StoreResult<Option<RefundPolicy>> {
    let Some(row) = on
        .fetch_optional::<PolicyRow>(
            "SELECT tiers, fee_per_ticket_minor FROM venue_refund_policies WHERE venue_id = $1",
            args![venue.0],
        )
        .await?
    else {
        return Ok(None);
    };
    let tiers = row
        .tiers
        .split(',')
        .map(|pair| {
            let (minutes, percent) = pair.split_once(':')?;
            Some(RefundTier {
                minutes_before: minutes.parse().ok()?,
                percent: percent.parse().ok()?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| StoreError::corrupt(format!("refund tiers {:?}", row.tiers)))?;
    RefundPolicy::new(tiers, row.fee_per_ticket_minor)
        .map(Some)
        .map_err(|e| StoreError::corrupt(format!("refund policy: {e}")))
}

/// Sets a venue's refund policy (audited).
pub async fn put_policy(
    tx: &mut impl Sql,
    venue: VenueId,
    new: &RefundPolicy,
    by: &audit::Actor<RefundPolicy>,
) -> StoreResult<()> {
    let before = policy(tx, venue).await?;
    let tiers = new
        .tiers()
        .iter()
        .map(|t| format!("{}:{}", t.minutes_before, t.percent))
        .collect::<Vec<_>>()
        .join(",");
    tx.execute(
        "INSERT INTO venue_refund_policies (venue_id, tiers, fee_per_ticket_minor)
         VALUES ($1, $2, $3)
         ON CONFLICT (venue_id) DO UPDATE SET tiers = $2, fee_per_ticket_minor = $3",
        args![venue.0, tiers.as_str(), new.fee_per_ticket_minor()],
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
        entity: "refund_policy",
        id: Some(venue.0),
        venue: Some(venue),
    };
    audit::record(tx, by, touched, before.as_ref(), Some(new)).await
}

// --- reading cancellations ---------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct CancellationRow {
    pub booking_id: i64,
    pub id: i64,
    pub seats: String,
    pub refund_minor: i64,
    pub currency: String,
    pub refund_status: String,
    pub why: String,
    pub staff_id: Option<i64>,
    pub created_at: i64,
    pub refunded_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The columns `CancellationRow` reads, from `cancellations c`.
pub const CANCELLATION_COLUMNS: &str = "c.booking_id, c.id, c.seats, c.refund_minor, c.currency,
     c.refund_status, c.why, c.staff_id, ms(c.created_at) AS created_at,
     ms(c.refunded_at) AS refunded_at, c.attempts, c.last_error";

impl CancellationRow {
    pub fn decode(&self) -> StoreResult<Cancellation> {
        Ok(Cancellation {
            id: self.id,
            seats: self.seats.split(',').map(str::to_string).collect(),
            refund: Money::new(self.refund_minor, currency(&self.currency)?),
            refund_status: RefundStatus::parse(&self.refund_status).ok_or_else(|| {
                StoreError::corrupt(format!("refund status {:?}", self.refund_status))
            })?,
            why: self.why.clone(),
            by_staff: self.staff_id.is_some(),
            created_at: instant(self.created_at)?,
            refunded_at: self.refunded_at.map(instant).transpose()?,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            last_error: self.last_error.clone(),
        })
    }
}

// --- refunds through the gateway -------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct OwedRow {
    id: i64,
    booking_id: i64,
    provider: String,
    payment_ref: String,
    refund_minor: i64,
    currency: String,
    attempts: i64,
}

/// Refunds owed that are due to be asked of the gateway at `now` (never asked, or asked and
/// not yet reported), oldest first.
pub async fn owed(
    on: &mut impl Sql,
    now: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<RefundOwed>> {
    on.fetch_all::<OwedRow>(
        "SELECT c.id, c.booking_id, p.provider, p.payment_ref, c.refund_minor, c.currency,
                c.attempts
         FROM cancellations c JOIN payments p ON p.booking_id = c.booking_id
         WHERE c.refund_status = 'due' AND (c.retry_at IS NULL OR c.retry_at <= ts($1))
         ORDER BY c.id LIMIT $2",
        args![millis(now), i64::from(limit)],
    )
    .await?
    .into_iter()
    .map(|row| {
        Ok(RefundOwed {
            cancellation_id: row.id,
            booking_id: BookingId(row.booking_id),
            provider: row.provider,
            payment_ref: row.payment_ref,
            amount: Money::new(row.refund_minor, currency(&row.currency)?),
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        })
    })
    .collect()
}

/// Records how asking the gateway for a refund went: accepted (with its id), or refused or
/// unanswered (with why, counted as an attempt). Either way it is asked again at `retry_at`
/// unless the gateway reports it done before.
pub async fn asked(
    on: &mut impl Sql,
    cancellation: i64,
    answer: Result<&str, &str>,
    retry_at: DateTime<Utc>,
) -> StoreResult<()> {
    match answer {
        Ok(gateway_ref) => {
            on.execute(
                "UPDATE cancellations SET gateway_ref = $2, retry_at = ts($3), last_error = NULL
                 WHERE id = $1 AND refund_status = 'due'",
                args![cancellation, gateway_ref, millis(retry_at)],
            )
            .await?
        }
        Err(why) => {
            on.execute(
                "UPDATE cancellations SET attempts = attempts + 1, last_error = $2,
                        retry_at = ts($3)
                 WHERE id = $1 AND refund_status = 'due'",
                args![cancellation, why, millis(retry_at)],
            )
            .await?
        }
    };
    Ok(())
}

/// The booking's cancellations whose refund is due or done, oldest first, locked.
async fn refunds_of(tx: &mut impl Sql, booking: BookingId) -> StoreResult<Vec<(i64, i64, bool)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        refund_minor: i64,
        refund_status: String,
    }
    Ok(tx
        .fetch_all::<Row>(
            "SELECT id, refund_minor, refund_status FROM cancellations
             WHERE booking_id = $1 AND refund_status <> 'not_owed' ORDER BY id FOR UPDATE",
            args![booking.0],
        )
        .await?
        .into_iter()
        .map(|r| (r.id, r.refund_minor, r.refund_status == "succeeded"))
        .collect())
}

/// Marks refunds done, and a cancelled booking with nothing left owed `refunded` (with its
/// message); the payment too when `refunded_whole` (all of it went back).
async fn mark_refunded(
    tx: &mut impl Sql,
    booking: BookingId,
    done: &[i64],
    refunded_whole: bool,
    now: DateTime<Utc>,
) -> StoreResult<PaymentOutcome> {
    if done.is_empty() {
        return Ok(PaymentOutcome::NoChange);
    }
    for id in done {
        tx.execute(
            "UPDATE cancellations SET refund_status = 'succeeded', refunded_at = ts($2),
                    retry_at = NULL, last_error = NULL
             WHERE id = $1 AND refund_status = 'due'",
            args![*id, millis(now)],
        )
        .await?;
    }
    let still_due = refunds_of(tx, booking)
        .await?
        .iter()
        .filter(|r| !r.2)
        .count();
    let status: Vec<String> = tx
        .fetch_column(
            "SELECT status FROM bookings WHERE id = $1",
            args![booking.0],
        )
        .await?;
    let status = status
        .first()
        .map(|s| booking_status(s))
        .transpose()?
        .ok_or(StoreError::NotFound(Entity::Booking))?;
    if marquee_domain::cancellation::booking_refunded(status, still_due) {
        move_booking(
            tx,
            booking,
            BookingStatus::Cancelled,
            BookingStatus::Refunded,
            now,
        )
        .await?;
        // The letter says what went back in all, which a policy may have made less than paid.
        #[derive(sqlx::FromRow)]
        struct Refunded {
            refunded: i64,
            currency: Option<String>,
        }
        let refunded = tx
            .fetch_optional::<Refunded>(
                "SELECT COALESCE(CAST(sum(refund_minor) AS BIGINT), 0) AS refunded,
                        min(currency) AS currency
                 FROM cancellations WHERE booking_id = $1 AND refund_status = 'succeeded'",
                args![booking.0],
            )
            .await?;
        let notice = Notice::BookingRefunded;
        let mut payload: serde_json::Value =
            serde_json::from_str(&crate::payments::message_payload(booking, notice))
                .map_err(|e| StoreError::corrupt(format!("a message payload: {e}")))?;
        if let Some(Refunded {
            refunded,
            currency: Some(currency),
        }) = refunded
        {
            payload["refund_minor"] = refunded.into();
            payload["currency"] = currency.into();
        }
        statements::queue_message(tx, Some(booking), notice.kind(), &payload.to_string(), now)
            .await?;
    }
    if refunded_whole {
        statements::set_payment_status(tx, booking, PaymentStatus::Refunded, now).await?;
    }
    Ok(PaymentOutcome::Refunded)
}

/// A gateway's report that `refunded_minor` of a booking's payment (of `amount_minor`) has
/// gone back in all: settles the cancellations' refunds it covers. `None` when it covers none
/// of them (a refund that is not a cancellation's: the payment report's own rules apply).
pub async fn settle_reported(
    tx: &mut impl Sql,
    booking: BookingId,
    amount_minor: i64,
    refunded_minor: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<Option<PaymentOutcome>> {
    let refunds = refunds_of(tx, booking).await?;
    if refunds.is_empty() {
        return Ok(None);
    }
    let refunded = refunded_minor.unwrap_or(amount_minor);
    let settled: i64 = refunds.iter().filter(|r| r.2).map(|r| r.1).sum();
    let outstanding: Vec<(i64, i64)> = refunds
        .iter()
        .filter(|r| !r.2)
        .map(|r| (r.0, r.1))
        .collect();
    let done = refunds_settled(&outstanding, settled, refunded);
    if done.is_empty() {
        return Ok(None);
    }
    let outcome = mark_refunded(tx, booking, &done, refunded >= amount_minor, now).await?;
    Ok(Some(outcome))
}

/// The gateway answered that one cancellation's refund succeeded (asked again by the
/// reconciliation when its report did not come): settles it.
pub async fn settle_one(
    tx: &mut impl Sql,
    cancellation: i64,
    now: DateTime<Utc>,
) -> StoreResult<PaymentOutcome> {
    let booking: Vec<i64> = tx
        .fetch_column(
            "SELECT booking_id FROM cancellations WHERE id = $1",
            args![cancellation],
        )
        .await?;
    let booking = BookingId(
        *booking
            .first()
            .ok_or_else(|| StoreError::corrupt("settling a cancellation that is not there"))?,
    );
    statements::lock_booking(tx, booking).await?;
    mark_refunded(tx, booking, &[cancellation], false, now).await
}
