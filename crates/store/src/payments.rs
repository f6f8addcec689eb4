//! The parts of payments that do not depend on the backend: what checkout may do with a
//! booking, and what a gateway's report does to a booking and its payment, decided from the
//! rows each backend reads (and locks) in its transaction.

use crate::codec::{booking_status, instant, seat_state};
use crate::{NewPayment, Payment, PaymentOutcome, Reported, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::payment::{fails_on_payment_failure, on_paid, OnPaid};
use marquee_domain::{BookingId, BookingStatus, Entity, PaymentStatus, SeatState};

/// A booking as checkout reads it (times in Unix milliseconds).
#[derive(Debug, sqlx::FromRow)]
pub struct CheckoutRow {
    pub user_id: i64,
    pub status: String,
    pub expires_at: i64,
    pub total_minor: i64,
    pub currency: String,
}

/// What checkout does.
#[derive(Debug, PartialEq, Eq)]
pub enum Checkout {
    /// A live hold: record the payment, and the booking waits for it.
    Start,
    /// Checkout was started already and the booking still waits: answer that payment.
    Again,
}

pub fn checkout(row: Option<CheckoutRow>, payment: &NewPayment) -> StoreResult<Checkout> {
    let Some(row) = row.filter(|r| r.user_id == payment.user_id.0) else {
        return Err(StoreError::NotFound(Entity::Booking));
    };
    let status = booking_status(&row.status)?.as_of(instant(row.expires_at)?, payment.now);
    match status {
        BookingStatus::Held => {
            if payment.amount.minor != row.total_minor
                || payment.amount.currency.as_str() != row.currency
            {
                return Err(StoreError::corrupt(format!(
                    "a payment of {} for a booking of {} {}",
                    payment.amount, row.total_minor, row.currency
                )));
            }
            Ok(Checkout::Start)
        }
        BookingStatus::PaymentPending => Ok(Checkout::Again),
        from => Err(StoreError::InvalidTransition {
            from,
            to: BookingStatus::PaymentPending,
        }),
    }
}

/// The payment checkout records.
pub fn started(payment: NewPayment) -> Payment {
    Payment {
        booking_id: payment.booking_id,
        provider: payment.provider,
        payment_ref: payment.payment_ref,
        client_secret: payment.client_secret,
        checkout_url: payment.checkout_url,
        amount: payment.amount,
        status: PaymentStatus::Pending,
        created_at: payment.now,
        updated_at: payment.now,
    }
}

/// A report's booking and payment as read (and locked) in its transaction.
#[derive(Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub booking_id: i64,
    /// The payment's amount.
    pub amount_minor: i64,
    pub showtime_id: i64,
    pub booking_status: String,
    pub expires_at: i64,
    pub payment_status: String,
}

/// One of the booking's seats as read (and locked) in the report's transaction.
#[derive(Debug, sqlx::FromRow)]
pub struct BookedSeatRow {
    pub label: String,
    pub status: String,
    pub booking_id: Option<i64>,
    pub held_until: Option<i64>,
}

/// What the seats of the booking become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatsBecome {
    Unchanged,
    /// Sold to the booking (its own held seats, or free seats taken back after expiry), one
    /// ticket each.
    Sold,
    /// Its held seats become available.
    Free,
    /// Its sold seats become available and its tickets void.
    Unsold,
}

/// What applying a report writes, decided by `plan_report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPlan {
    pub outcome: PaymentOutcome,
    /// Record the stored status's move to `expired` (at the hold's end) before the moves.
    pub expired_first: bool,
    /// The booking's moves, in order.
    pub booking_moves: Vec<(BookingStatus, BookingStatus)>,
    pub payment_becomes: Option<PaymentStatus>,
    pub seats: SeatsBecome,
    /// The outbox message telling the customer: its kind, and why in words.
    pub message: Option<(&'static str, &'static str)>,
}

impl ReportRow {
    /// The booking's status at `now` (expiry applied) and the payment's.
    pub fn statuses(&self, now: DateTime<Utc>) -> StoreResult<(BookingStatus, PaymentStatus)> {
        let booking = booking_status(&self.booking_status)?.as_of(instant(self.expires_at)?, now);
        let payment = PaymentStatus::parse(&self.payment_status).ok_or_else(|| {
            StoreError::corrupt(format!("payment status {:?}", self.payment_status))
        })?;
        Ok((booking, payment))
    }
}

/// Whether every seat of the booking could be sold to it at `now`: free, or still its own.
pub fn seats_can_be_sold(
    booking: BookingId,
    seats: &[BookedSeatRow],
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    for seat in seats {
        let state = seat_state(&seat.status)?;
        let ours = seat.booking_id == Some(booking.0);
        let expired = seat
            .held_until
            .map(instant)
            .transpose()?
            .is_some_and(|until| until <= now);
        let sellable = match state {
            SeatState::Available => true,
            SeatState::Held => ours || expired,
            SeatState::Sold | SeatState::Blocked => false,
        };
        if !sellable {
            return Ok(false);
        }
    }
    Ok(!seats.is_empty())
}

/// Whether deciding a report needs to know if the booking's seats can still be sold to it
/// (`seats_can_be_sold`): a success that would confirm. Even a booking that looks live is
/// checked: the report's `now` was taken before it waited for the rows, and a hold made
/// after the booking's hold ran out may have its seats by then.
pub fn needs_seat_check(
    reported: Reported,
    booking: BookingStatus,
    payment: PaymentStatus,
) -> bool {
    reported == Reported::Succeeded
        && !matches!(payment, PaymentStatus::RefundDue | PaymentStatus::Refunded)
        && matches!(
            on_paid(booking),
            OnPaid::Confirm | OnPaid::ConfirmIfSeatsFree
        )
}

/// Whether a report of a refund is a refund of the whole payment. A partial refund (a fee
/// given back from the gateway's dashboard) leaves the booking as it is.
pub fn whole_refund(report: &crate::PaymentReport, row: &ReportRow) -> bool {
    report.reported != Reported::Refunded
        || report
            .refunded_minor
            .is_none_or(|refunded| refunded >= row.amount_minor)
}

/// Decides what a report does to a booking and its payment. `stored` is the booking's stored
/// status and `booking` its status at the report's time (expiry applied); `sellable` says
/// whether its seats could be sold to it (see `needs_seat_check`). A partial refund must be
/// filtered out before (`whole_refund`).
pub fn plan_report(
    reported: Reported,
    stored: BookingStatus,
    booking: BookingStatus,
    payment: PaymentStatus,
    sellable: bool,
) -> ReportPlan {
    let mut plan = plan_moves(reported, booking, payment, sellable);
    // A hold that ran out but was not swept yet: its expiry goes into the history first.
    plan.expired_first = stored != booking && !plan.booking_moves.is_empty();
    plan
}

fn plan_moves(
    reported: Reported,
    booking: BookingStatus,
    payment: PaymentStatus,
    sellable: bool,
) -> ReportPlan {
    let unchanged = ReportPlan {
        outcome: PaymentOutcome::NoChange,
        expired_first: false,
        booking_moves: vec![],
        payment_becomes: None,
        seats: SeatsBecome::Unchanged,
        message: None,
    };
    let settle = |payment_to: PaymentStatus| (payment != payment_to).then_some(payment_to);
    let waiting = matches!(payment, PaymentStatus::Pending | PaymentStatus::Failed);
    match reported {
        // Once a refund is owed or made, a success (a late or repeated report) changes
        // nothing: the customer gets their money back, not tickets as well.
        Reported::Succeeded
            if matches!(payment, PaymentStatus::RefundDue | PaymentStatus::Refunded) =>
        {
            unchanged
        }
        Reported::Succeeded => match on_paid(booking) {
            OnPaid::Confirm | OnPaid::ConfirmIfSeatsFree if sellable => {
                let mut moves = vec![];
                if booking == BookingStatus::Held {
                    moves.push((booking, BookingStatus::PaymentPending));
                    moves.push((BookingStatus::PaymentPending, BookingStatus::Confirmed));
                } else {
                    moves.push((booking, BookingStatus::Confirmed));
                }
                ReportPlan {
                    outcome: PaymentOutcome::Confirmed,
                    booking_moves: moves,
                    payment_becomes: settle(PaymentStatus::Succeeded),
                    seats: SeatsBecome::Sold,
                    message: Some(("booking_confirmed", "your payment went through")),
                    ..unchanged
                }
            }
            OnPaid::Nothing => unchanged,
            seats_gone => ReportPlan {
                outcome: PaymentOutcome::RefundDue,
                payment_becomes: settle(PaymentStatus::RefundDue),
                message: Some((
                    "payment_refund_due",
                    if seats_gone == OnPaid::Refund {
                        "the seats were given up before the payment arrived; it is refunded"
                    } else {
                        "the hold ran out before the payment arrived and someone else has the seats now; the payment is refunded"
                    },
                )),
                ..unchanged
            },
        },
        // Only a payment still waiting can fail; after a success, a refund owed or a refund,
        // a failure changes nothing.
        Reported::Failed | Reported::Canceled if !waiting => unchanged,
        Reported::Failed | Reported::Canceled if fails_on_payment_failure(booking) => ReportPlan {
            outcome: PaymentOutcome::Failed,
            booking_moves: vec![(booking, BookingStatus::PaymentFailed)],
            payment_becomes: settle(failed_or_canceled(reported)),
            seats: SeatsBecome::Free,
            message: Some((
                "payment_failed",
                "the payment did not go through; the seats are free again",
            )),
            ..unchanged
        },
        Reported::Failed | Reported::Canceled => ReportPlan {
            payment_becomes: settle(failed_or_canceled(reported)),
            ..unchanged
        },
        Reported::Refunded if payment == PaymentStatus::Refunded => unchanged,
        // Refunded at the gateway after the sale (a dashboard refund, a dispute): the sale is
        // undone, its seats freed and its tickets void.
        Reported::Refunded if booking == BookingStatus::Confirmed => ReportPlan {
            outcome: PaymentOutcome::Refunded,
            booking_moves: vec![
                (BookingStatus::Confirmed, BookingStatus::Cancelled),
                (BookingStatus::Cancelled, BookingStatus::Refunded),
            ],
            payment_becomes: Some(PaymentStatus::Refunded),
            seats: SeatsBecome::Unsold,
            message: Some(("booking_refunded", "the payment was refunded")),
            ..unchanged
        },
        Reported::Refunded if booking.can_become(BookingStatus::Refunded) => ReportPlan {
            outcome: PaymentOutcome::Refunded,
            booking_moves: vec![(booking, BookingStatus::Refunded)],
            payment_becomes: Some(PaymentStatus::Refunded),
            // A booking waiting for its payment gives its seats back; the others hold none.
            seats: SeatsBecome::Free,
            message: Some(("booking_refunded", "the payment was refunded")),
            ..unchanged
        },
        Reported::Refunded => ReportPlan {
            payment_becomes: Some(PaymentStatus::Refunded),
            ..unchanged
        },
    }
}

fn failed_or_canceled(reported: Reported) -> PaymentStatus {
    if reported == Reported::Canceled {
        PaymentStatus::Canceled
    } else {
        PaymentStatus::Failed
    }
}

/// The outbox message's payload: what the notification worker needs to tell the customer.
pub fn message_payload(booking: BookingId, kind: &str, why: &str) -> String {
    serde_json::json!({ "booking_id": booking.0.to_string(), "kind": kind, "why": why }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refund_owed_tells_the_customer_why() {
        let taken = plan_report(
            Reported::Succeeded,
            BookingStatus::PaymentPending,
            BookingStatus::Expired,
            PaymentStatus::Pending,
            false,
        );
        assert_eq!(taken.outcome, PaymentOutcome::RefundDue);
        assert!(
            taken.booking_moves.is_empty() && !taken.expired_first,
            "the booking is left for the sweeper to expire"
        );
        let (kind, why) = taken.message.unwrap();
        assert_eq!(kind, "payment_refund_due");
        assert!(why.contains("someone else has the seats"), "{why}");

        let given_up = plan_report(
            Reported::Succeeded,
            BookingStatus::Released,
            BookingStatus::Released,
            PaymentStatus::Pending,
            false,
        );
        assert_eq!(given_up.outcome, PaymentOutcome::RefundDue);
        assert!(given_up.message.unwrap().1.contains("given up"));
    }

    #[test]
    fn the_payload_names_the_booking_the_kind_and_why() {
        let payload: serde_json::Value = serde_json::from_str(&message_payload(
            BookingId(42),
            "payment_failed",
            "declined",
        ))
        .unwrap();
        assert_eq!(
            payload,
            serde_json::json!({ "booking_id": "42", "kind": "payment_failed", "why": "declined" })
        );
    }
}
