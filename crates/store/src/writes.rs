//! The step order of the store's multi-statement writes, written once for every backend.
//!
//! A backend opens the transaction (and commits it, or runs it again after a deadlock) and
//! runs one function here in it, over its `Sql`; the function runs the shared statements
//! (`statements`) in order and lets the domain decide. The `Store` trait still never hands a
//! transaction out: each of its write methods is one call of one function here inside one
//! transaction.

use crate::holds::{self, AccountBookingRow, LockedSeatRow};
use crate::payments::{message_payload, started};
use crate::sql::Sql;
use crate::statements;
use crate::{NewPayment, Payment, PaymentReport, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::booking_moves::{self, Checkout};
use marquee_domain::hold_plan::{BatchPlan, Taking};
use marquee_domain::payment_report::{
    plan_report, plan_review, seats_can_be_sold, Notice, SeatsBecome,
};
use marquee_domain::*;
use std::collections::hash_map::{Entry, HashMap};
use std::collections::BTreeMap;

/// The statements of the batched hold path and the sweeper, whose SQL differs by design:
/// PostgreSQL binds a batch as arrays and locks its seats in one global order; SQLite binds
/// multi-row `VALUES` under its one write lock.
#[async_trait]
pub trait BatchStatements: Sql {
    /// Locks the batch's accounts (on PostgreSQL; SQLite's one writer needs no lock) and reads
    /// their bookings that count towards their hold limits (`hold_limits::AccountShares`).
    /// Runs first in the batch's transaction: two batches of one account, on any nodes, decide
    /// one after the other, each seeing what the other wrote.
    async fn account_bookings(&mut self, holds: &[NewHold]) -> StoreResult<Vec<AccountBookingRow>>;
    /// The batch's booking references that some booking has already.
    async fn stored_references(&mut self, holds: &[NewHold]) -> StoreResult<Vec<String>>;
    /// The seats a batch asks for, locked until the transaction ends.
    async fn lock_seats(&mut self, holds: &[NewHold]) -> StoreResult<Vec<LockedSeatRow>>;
    /// Writes what a batch decided: the seats its holds take, with the availability condition
    /// checked once more (a seat it would not let through fails the batch), and the new
    /// bookings with their priced seats and first transitions.
    async fn write_holds(&mut self, takings: &[Taking], held: &[&Booking]) -> StoreResult<()>;
    /// Moves every hold run out at `now` to `expired`, recording the expiry at the hold's
    /// end, and frees its held seats (not those a later hold has taken); answers the seats
    /// freed as (showtime id, booking id, label) and how many bookings expired.
    async fn expire_holds(
        &mut self,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<(i64, i64, String)>, u64)>;
}

/// Decides a batch of holds in one transaction (group commit): the seats asked for are read
/// and locked in one statement, the holds decided in order by the domain
/// (`hold_plan::plan_batch`), and what they take written at once: a handful of statements
/// however many holds.
pub async fn hold_batch(
    tx: &mut impl BatchStatements,
    holds: &[NewHold],
) -> StoreResult<BatchPlan> {
    let shares = if holds.iter().any(|h| h.limits.any()) {
        tx.account_bookings(holds).await?
    } else {
        Vec::new()
    };
    let stored_references = tx.stored_references(holds).await?;
    let mut terms = HashMap::new();
    for hold in holds {
        if let Entry::Vacant(unread) = terms.entry(hold.showtime_id) {
            if let Some(read) = statements::sale_terms(tx, hold.showtime_id).await? {
                unread.insert(read);
            }
        }
    }
    let seats = tx.lock_seats(holds).await?;
    let plan = holds::plan_batch(holds, &terms, seats, stored_references, shares)?;
    tx.write_holds(&plan.takings, &plan.held()).await?;
    Ok(plan)
}

/// The kind of the outbox message that tells a customer their hold ran out during checkout.
pub const HOLD_EXPIRED_KIND: &str = "hold_expired";

/// Expires every hold run out at `now`; answers how many bookings expired and the seats freed.
/// A booking that ran out while its payment was awaited (`payment_pending`: the customer
/// reached checkout) queues a `hold_expired` message, in the same transaction; a plain hold
/// the customer walked away from queues nothing. Those bookings are locked first, so a payment
/// settling one at the same time either comes first (and it is not expired) or after.
pub async fn expire_stale_holds(
    tx: &mut impl BatchStatements,
    now: DateTime<Utc>,
) -> StoreResult<(u64, Vec<SeatChange>)> {
    let checkouts: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM bookings
             WHERE status = 'payment_pending' AND expires_at <= ts($1)
             ORDER BY id
             FOR UPDATE",
            crate::args![crate::codec::millis(now)],
        )
        .await?;
    let (freed, expired) = tx.expire_holds(now).await?;
    for id in checkouts {
        let booking = BookingId(id);
        let payload =
            serde_json::json!({ "booking_id": id.to_string(), "kind": HOLD_EXPIRED_KIND })
                .to_string();
        statements::queue_message(tx, Some(booking), HOLD_EXPIRED_KIND, &payload, now).await?;
    }
    Ok((expired, expired_changes(freed)))
}

/// Releases a live hold of `user`'s: the booking becomes `released`, its seats free.
pub async fn release_hold(
    tx: &mut impl Sql,
    id: BookingId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<Vec<SeatChange>> {
    let booking = statements::lock_booking(tx, id).await?;
    let from = booking_moves::release(booking.as_ref(), user, now)?;
    let showtime = booking.map(|b| b.showtime_id);
    statements::set_booking_status(tx, id, BookingStatus::Released, now).await?;
    let labels = statements::free_seats(tx, id, SeatState::Held).await?;
    statements::record_transition(
        tx,
        id,
        &Transition {
            from: Some(from),
            to: BookingStatus::Released,
            at: now,
        },
    )
    .await?;
    Ok(change(showtime, id, labels, SeatChangeCause::Released))
}

/// Checkout: a live hold becomes `payment_pending` with its payment; a second checkout answers
/// the payment of the first.
pub async fn start_checkout(tx: &mut impl Sql, payment: NewPayment) -> StoreResult<Payment> {
    let booking = statements::lock_booking(tx, payment.booking_id).await?;
    match booking_moves::checkout(
        booking.as_ref(),
        payment.user_id,
        payment.amount,
        payment.now,
    )? {
        Checkout::Again => statements::payment_of(tx, payment.booking_id)
            .await?
            .ok_or_else(|| StoreError::corrupt("a booking waits for a payment it does not have")),
        Checkout::Start => {
            statements::insert_payment(tx, &payment).await?;
            statements::set_booking_status(
                tx,
                payment.booking_id,
                BookingStatus::PaymentPending,
                payment.now,
            )
            .await?;
            statements::record_transition(
                tx,
                payment.booking_id,
                &Transition {
                    from: Some(BookingStatus::Held),
                    to: BookingStatus::PaymentPending,
                    at: payment.now,
                },
            )
            .await?;
            Ok(started(payment))
        }
    }
}

/// What applying a report did, before the booking is read back.
pub struct ReportWritten {
    pub outcome: PaymentOutcome,
    /// The payment's booking, when the payment is known.
    pub booking: Option<BookingId>,
    pub changes: Vec<SeatChange>,
    /// How a success was unlike its payment, when it was (kept for review).
    pub unlike: Option<String>,
    /// The booking an exchange just sold replaced (`showtime_moves::complete_exchange`).
    pub exchanged: Option<(BookingId, crate::cancellations::Cancelled)>,
}

/// Applies a gateway's report to a payment and its booking, each event id at most once:
/// the domain's decision table (`payment_report::plan_report`) says what it writes.
pub async fn apply_report(tx: &mut impl Sql, report: &PaymentReport) -> StoreResult<ReportWritten> {
    let nothing = |outcome, booking| ReportWritten {
        outcome,
        booking,
        changes: vec![],
        unlike: None,
        exchanged: None,
    };
    if let Some(event_id) = &report.event_id {
        // A second delivery of the same event waits here for the first one's transaction
        // (on PostgreSQL), then finds the id taken.
        if !statements::remember_event(tx, &report.provider, event_id, report.now).await? {
            return Ok(nothing(PaymentOutcome::Duplicate, None));
        }
    }
    // An unknown payment's event is remembered all the same, so a redelivery is answered at once.
    let Some((payment, showtime)) =
        statements::lock_reported(tx, &report.provider, &report.payment_ref).await?
    else {
        return Ok(nothing(PaymentOutcome::UnknownPayment, None));
    };
    let booking = payment.booking_id;
    // A refund a cancellation asked for settles that cancellation; any other refund (made on
    // the gateway's dashboard, or of a late payment) follows the decision table.
    if report.reported == Reported::Refunded {
        if let Some(outcome) = crate::cancellations::settle_reported(
            tx,
            booking,
            payment.amount_minor,
            report.refunded_minor,
            report.now,
        )
        .await?
        {
            return Ok(nothing(outcome, Some(booking)));
        }
    }
    if !payment.whole_refund(report.reported, report.refunded_minor) {
        return Ok(nothing(PaymentOutcome::NoChange, Some(booking)));
    }
    let sellable = payment.needs_seat_check(report.reported, report.now)
        && seats_can_be_sold(
            booking,
            &statements::seat_holdings(tx, booking, showtime).await?,
            report.now,
        );
    let unlike = match (&report.paid, report.reported) {
        (Some(paid), Reported::Succeeded) => payment.mismatch(paid, report.live_gateway),
        _ => None,
    };
    let plan = match &unlike {
        Some(_) => plan_review(&payment, report.now),
        None => plan_report(report.reported, &payment, report.now, sellable),
    };
    let now = report.now;
    if plan.expired_first {
        let expiry = Transition {
            from: Some(payment.stored_status),
            to: BookingStatus::Expired,
            at: payment.expires_at,
        };
        statements::record_transition(tx, booking, &expiry).await?;
    }
    for (from, to) in &plan.booking_moves {
        let transition = Transition {
            from: Some(*from),
            to: *to,
            at: now,
        };
        statements::record_transition(tx, booking, &transition).await?;
    }
    if let Some((_, to)) = plan.booking_moves.last() {
        statements::set_booking_status(tx, booking, *to, now).await?;
    }
    let mut exchanged = None;
    let mut changes = match plan.seats {
        SeatsBecome::Unchanged => vec![],
        SeatsBecome::Kept => {
            let (until, labels) = statements::keep_until_start(tx, booking, showtime, now).await?;
            change(
                Some(showtime),
                booking,
                labels,
                SeatChangeCause::Held { until },
            )
        }
        SeatsBecome::Sold => {
            let labels = statements::booking_labels(tx, booking).await?;
            let sold = statements::sell_seats(tx, booking, showtime, now).await?;
            if sold != labels.len() as u64 || labels.len() > report.ticket_codes.len() {
                return Err(StoreError::corrupt(format!(
                    "confirming {} seats sold {sold}, with {} ticket codes",
                    labels.len(),
                    report.ticket_codes.len()
                )));
            }
            let tickets: Vec<(&str, &TicketCode)> = labels
                .iter()
                .map(String::as_str)
                .zip(&report.ticket_codes)
                .collect();
            statements::insert_tickets(tx, booking, &tickets, now).await?;
            exchanged = crate::showtime_moves::complete_exchange(tx, booking, now).await?;
            change(Some(showtime), booking, labels, SeatChangeCause::Sold)
        }
        SeatsBecome::Unsold => {
            let labels = statements::free_seats(tx, booking, SeatState::Sold).await?;
            statements::void_tickets(tx, booking, now).await?;
            change(
                Some(showtime),
                booking,
                labels,
                SeatChangeCause::Refunded { was_sold: true },
            )
        }
        SeatsBecome::Free => {
            let labels = statements::free_seats(tx, booking, SeatState::Held).await?;
            let cause = if plan.outcome == PaymentOutcome::Refunded {
                SeatChangeCause::Refunded { was_sold: false }
            } else {
                SeatChangeCause::PaymentFailed
            };
            change(Some(showtime), booking, labels, cause)
        }
    };
    if let Some(status) = plan.payment_becomes {
        statements::set_payment_status(tx, booking, status, now).await?;
    }
    if let Some(notice) = plan.notice {
        queue_notice(tx, booking, notice, now).await?;
    }
    if let Some((replaced, cancelled)) = &exchanged {
        changes.extend(crate::cancellations::seat_change(cancelled, *replaced));
    }
    Ok(ReportWritten {
        outcome: plan.outcome,
        booking: Some(booking),
        changes,
        unlike,
        exchanged,
    })
}

async fn queue_notice(
    tx: &mut impl Sql,
    booking: BookingId,
    notice: Notice,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    statements::queue_message(
        tx,
        Some(booking),
        notice.kind(),
        &message_payload(booking, notice),
        now,
    )
    .await
}

/// The seat changes of an expiry pass, from the seats it freed as (showtime id, booking id,
/// label): one change per booking.
fn expired_changes(freed: Vec<(i64, i64, String)>) -> Vec<SeatChange> {
    let mut by_booking: BTreeMap<i64, SeatChange> = BTreeMap::new();
    for (showtime, booking, label) in freed {
        by_booking
            .entry(booking)
            .or_insert_with(|| SeatChange {
                showtime_id: ShowtimeId(showtime),
                booking_id: Some(BookingId(booking)),
                labels: vec![],
                cause: SeatChangeCause::Expired,
            })
            .labels
            .push(label);
    }
    by_booking.into_values().collect()
}

/// The change of a booking's seats, if any changed.
fn change(
    showtime: Option<ShowtimeId>,
    booking: BookingId,
    labels: Vec<String>,
    cause: SeatChangeCause,
) -> Vec<SeatChange> {
    match showtime {
        Some(showtime_id) if !labels.is_empty() => vec![SeatChange {
            showtime_id,
            booking_id: Some(booking),
            labels,
            cause,
        }],
        _ => vec![],
    }
}
