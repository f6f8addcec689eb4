//! The step order of the store's multi-statement writes, written once for every backend.
//!
//! A backend opens the transaction (and commits it, or runs it again after a deadlock) and
//! provides its SQL as `WriteStatements`; the functions here run the statements in order and
//! let the domain decide. The `Store` trait still never hands a transaction out: each of its
//! write methods is one call of one function here inside one transaction.

use crate::payments::{message_payload, started};
use crate::{NewPayment, Payment, PaymentReport, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::booking_moves::{self, BookingAt, Checkout};
use marquee_domain::payment_report::{
    plan_report, seats_can_be_sold, Notice, ReportedPayment, SeatsBecome,
};
use marquee_domain::*;
use std::collections::BTreeMap;

/// One backend's statements, run inside a write transaction it opened. Statements that
/// read rows lock them until the transaction ends (PostgreSQL `FOR UPDATE`; a SQLite write
/// transaction holds the only write lock).
#[async_trait]
pub trait WriteStatements: Send {
    /// The booking as a move reads it.
    async fn lock_booking(&mut self, id: BookingId) -> StoreResult<Option<BookingAt>>;
    async fn set_booking_status(
        &mut self,
        id: BookingId,
        status: BookingStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn record_transition(
        &mut self,
        id: BookingId,
        transition: &Transition,
    ) -> StoreResult<()>;
    /// Makes the booking's seats that are `state` (held or sold) available; answers their
    /// labels.
    async fn free_seats(&mut self, id: BookingId, state: SeatState) -> StoreResult<Vec<String>>;
    /// Sells the booking's seats that are free or its own at `now`; answers how many.
    async fn sell_seats(
        &mut self,
        id: BookingId,
        showtime: ShowtimeId,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// The labels of the booking's seats, in its order.
    async fn booking_labels(&mut self, id: BookingId) -> StoreResult<Vec<String>>;
    /// Who has each of the booking's seats now.
    async fn seat_holdings(
        &mut self,
        id: BookingId,
        showtime: ShowtimeId,
    ) -> StoreResult<Vec<SeatHolding>>;

    async fn insert_payment(&mut self, payment: &NewPayment) -> StoreResult<()>;
    async fn payment_of(&mut self, booking: BookingId) -> StoreResult<Option<Payment>>;
    async fn set_payment_status(
        &mut self,
        booking: BookingId,
        status: PaymentStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Records a gateway's event id; false when it was recorded before.
    async fn remember_event(
        &mut self,
        provider: &str,
        event_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// The payment with this reference and its booking, with the booking's showtime.
    async fn lock_reported(
        &mut self,
        provider: &str,
        payment_ref: &str,
    ) -> StoreResult<Option<(ReportedPayment, ShowtimeId)>>;
    async fn insert_tickets(
        &mut self,
        booking: BookingId,
        tickets: &[(&str, &TicketCode)],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn void_tickets(&mut self, booking: BookingId, now: DateTime<Utc>) -> StoreResult<()>;
    async fn queue_message(
        &mut self,
        booking: BookingId,
        kind: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Moves every hold run out at `now` to `expired`, recording the expiry at the hold's
    /// end, and frees its held seats; answers the seats freed as (showtime id, booking id,
    /// label) and how many bookings expired.
    async fn expire_holds(
        &mut self,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<(i64, i64, String)>, u64)>;
}

/// Releases a live hold of `user`'s: the booking becomes `released`, its seats free.
pub async fn release_hold(
    tx: &mut impl WriteStatements,
    id: BookingId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<Vec<SeatChange>> {
    let booking = tx.lock_booking(id).await?;
    let from = booking_moves::release(booking.as_ref(), user, now)?;
    let showtime = booking.map(|b| b.showtime_id);
    tx.set_booking_status(id, BookingStatus::Released, now)
        .await?;
    let labels = tx.free_seats(id, SeatState::Held).await?;
    tx.record_transition(
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
pub async fn start_checkout(
    tx: &mut impl WriteStatements,
    payment: NewPayment,
) -> StoreResult<Payment> {
    let booking = tx.lock_booking(payment.booking_id).await?;
    match booking_moves::checkout(
        booking.as_ref(),
        payment.user_id,
        payment.amount,
        payment.now,
    )? {
        Checkout::Again => tx
            .payment_of(payment.booking_id)
            .await?
            .ok_or_else(|| StoreError::corrupt("a booking waits for a payment it does not have")),
        Checkout::Start => {
            tx.insert_payment(&payment).await?;
            tx.set_booking_status(
                payment.booking_id,
                BookingStatus::PaymentPending,
                payment.now,
            )
            .await?;
            tx.record_transition(
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
}

/// Applies a gateway's report to a payment and its booking, each event id at most once:
/// the domain's decision table (`payment_report::plan_report`) says what it writes.
pub async fn apply_report(
    tx: &mut impl WriteStatements,
    report: &PaymentReport,
) -> StoreResult<ReportWritten> {
    let nothing = |outcome, booking| ReportWritten {
        outcome,
        booking,
        changes: vec![],
    };
    if let Some(event_id) = &report.event_id {
        // A second delivery of the same event waits here for the first one's transaction
        // (on PostgreSQL), then finds the id taken.
        if !tx
            .remember_event(&report.provider, event_id, report.now)
            .await?
        {
            return Ok(nothing(PaymentOutcome::Duplicate, None));
        }
    }
    // An unknown payment's event is remembered all the same, so a redelivery is answered at once.
    let Some((payment, showtime)) = tx
        .lock_reported(&report.provider, &report.payment_ref)
        .await?
    else {
        return Ok(nothing(PaymentOutcome::UnknownPayment, None));
    };
    let booking = payment.booking_id;
    if !payment.whole_refund(report.reported, report.refunded_minor) {
        return Ok(nothing(PaymentOutcome::NoChange, Some(booking)));
    }
    let sellable = payment.needs_seat_check(report.reported, report.now)
        && seats_can_be_sold(
            booking,
            &tx.seat_holdings(booking, showtime).await?,
            report.now,
        );
    let plan = plan_report(report.reported, &payment, report.now, sellable);
    let now = report.now;
    if plan.expired_first {
        let expiry = Transition {
            from: Some(payment.stored_status),
            to: BookingStatus::Expired,
            at: payment.expires_at,
        };
        tx.record_transition(booking, &expiry).await?;
    }
    for (from, to) in &plan.booking_moves {
        let transition = Transition {
            from: Some(*from),
            to: *to,
            at: now,
        };
        tx.record_transition(booking, &transition).await?;
    }
    if let Some((_, to)) = plan.booking_moves.last() {
        tx.set_booking_status(booking, *to, now).await?;
    }
    let changes = match plan.seats {
        SeatsBecome::Unchanged => vec![],
        SeatsBecome::Sold => {
            let labels = tx.booking_labels(booking).await?;
            let sold = tx.sell_seats(booking, showtime, now).await?;
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
            tx.insert_tickets(booking, &tickets, now).await?;
            change(Some(showtime), booking, labels, SeatChangeCause::Sold)
        }
        SeatsBecome::Unsold => {
            let labels = tx.free_seats(booking, SeatState::Sold).await?;
            tx.void_tickets(booking, now).await?;
            change(Some(showtime), booking, labels, SeatChangeCause::Refunded)
        }
        SeatsBecome::Free => {
            let labels = tx.free_seats(booking, SeatState::Held).await?;
            let cause = if plan.outcome == PaymentOutcome::Refunded {
                SeatChangeCause::Refunded
            } else {
                SeatChangeCause::PaymentFailed
            };
            change(Some(showtime), booking, labels, cause)
        }
    };
    if let Some(status) = plan.payment_becomes {
        tx.set_payment_status(booking, status, now).await?;
    }
    if let Some(notice) = plan.notice {
        queue_notice(tx, booking, notice, now).await?;
    }
    Ok(ReportWritten {
        outcome: plan.outcome,
        booking: Some(booking),
        changes,
    })
}

async fn queue_notice(
    tx: &mut impl WriteStatements,
    booking: BookingId,
    notice: Notice,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.queue_message(
        booking,
        notice.kind(),
        &message_payload(booking, notice),
        now,
    )
    .await
}

/// Moves every booking whose hold has run out at `now` to `expired` and frees its seats;
/// answers how many bookings expired, and the seats freed.
pub async fn expire_stale_holds(
    tx: &mut impl WriteStatements,
    now: DateTime<Utc>,
) -> StoreResult<(u64, Vec<SeatChange>)> {
    let (freed, expired) = tx.expire_holds(now).await?;
    let mut by_booking: BTreeMap<i64, SeatChange> = BTreeMap::new();
    for (showtime, booking, label) in freed {
        by_booking
            .entry(booking)
            .or_insert_with(|| SeatChange {
                showtime_id: ShowtimeId(showtime),
                booking_id: BookingId(booking),
                labels: vec![],
                cause: SeatChangeCause::Expired,
            })
            .labels
            .push(label);
    }
    Ok((expired, by_booking.into_values().collect()))
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
            booking_id: booking,
            labels,
            cause,
        }],
        _ => vec![],
    }
}
