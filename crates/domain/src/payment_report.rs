//! What a gateway's report does to a payment and its booking: the decision table. Events may
//! arrive twice, late, or out of order; the table is written so that any order ends the same
//! (see `payment::on_paid`), and every success ends as tickets or as a refund (invariant 5).

use crate::booking::BookingStatus;
use crate::ids::BookingId;
use crate::money::Currency;
use crate::payment::{fails_on_payment_failure, on_paid, OnPaid, PaymentStatus};
use crate::seats::SeatHolding;
use chrono::{DateTime, Utc};

/// What a gateway reported about a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Succeeded,
    Failed,
    /// Stopped at the gateway (it can no longer succeed): ends the payment for good.
    Canceled,
    Refunded,
}

/// What applying a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentOutcome {
    /// The seats are sold, one ticket per seat written, the confirmation queued.
    Confirmed,
    /// Paid, but the seats could not be had (taken after the hold ran out, or given up): the
    /// money must go back. The payment says `refund_due` until the refund is reported.
    RefundDue,
    /// The payment failed: the booking is `payment_failed` and its seats are free.
    Failed,
    /// The money went back: the booking is `refunded`.
    Refunded,
    /// A late or repeated report that changes nothing.
    NoChange,
    /// This event was applied before.
    Duplicate,
    /// A success that does not match the payment: kept for review, not confirmed.
    InReview,
    /// No payment has this reference (not ours, or from before a reset): acknowledged.
    UnknownPayment,
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
    /// Its held seats stay held for it until the showtime starts (a payment under review).
    Kept,
}

/// A message to the customer, queued in the outbox with the change that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    BookingConfirmed,
    PaymentFailed,
    /// The payment goes back; `given_up` when the customer released the seats before paying,
    /// else the hold ran out and someone else has them.
    RefundDue {
        given_up: bool,
    },
    BookingRefunded,
}

impl Notice {
    /// The outbox message's kind, which the notification worker picks its template by.
    pub fn kind(self) -> &'static str {
        match self {
            Notice::BookingConfirmed => "booking_confirmed",
            Notice::PaymentFailed => "payment_failed",
            Notice::RefundDue { .. } => "payment_refund_due",
            Notice::BookingRefunded => "booking_refunded",
        }
    }

    /// Why, in words the customer reads.
    pub fn why(self) -> &'static str {
        match self {
            Notice::BookingConfirmed => "your payment went through",
            Notice::PaymentFailed => "the payment did not go through; the seats are free again",
            Notice::RefundDue { given_up: true } => {
                "the seats were given up before the payment arrived; it is refunded"
            }
            Notice::RefundDue { given_up: false } => {
                "the hold ran out before the payment arrived and someone else has the seats now; the payment is refunded"
            }
            Notice::BookingRefunded => "the payment was refunded",
        }
    }
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
    pub notice: Option<Notice>,
}

impl ReportPlan {
    /// A report that changes nothing.
    fn unchanged() -> ReportPlan {
        ReportPlan {
            outcome: PaymentOutcome::NoChange,
            expired_first: false,
            booking_moves: vec![],
            payment_becomes: None,
            seats: SeatsBecome::Unchanged,
            notice: None,
        }
    }
}

/// A report's booking and payment as its transaction read (and locked) them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportedPayment {
    pub booking_id: BookingId,
    pub stored_status: BookingStatus,
    pub expires_at: DateTime<Utc>,
    pub payment_status: PaymentStatus,
    pub amount_minor: i64,
    pub currency: Currency,
}

/// What the gateway says a success paid. What it does not say is not compared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaidAs {
    pub amount_minor: Option<i64>,
    /// ISO 4217, any case.
    pub currency: Option<String>,
    /// A live payment (real money), or a test one.
    pub livemode: Option<bool>,
}

impl ReportedPayment {
    /// The booking's status at `now`, expiry applied.
    pub fn status_at(&self, now: DateTime<Utc>) -> BookingStatus {
        self.stored_status.as_of(self.expires_at, now)
    }

    /// Whether a report of a refund is a refund of the whole payment. A partial refund (a fee
    /// given back from the gateway's dashboard) leaves the booking as it is.
    pub fn whole_refund(&self, reported: Reported, refunded_minor: Option<i64>) -> bool {
        reported != Reported::Refunded
            || refunded_minor.is_none_or(|refunded| refunded >= self.amount_minor)
    }

    /// Why a reported success does not match this payment, if it does not: another amount,
    /// another currency, or a live payment where test payments are taken (or the other way
    /// round; `live_gateway` says which this node takes).
    pub fn mismatch(&self, paid: &PaidAs, live_gateway: bool) -> Option<String> {
        let mut why = Vec::new();
        if let Some(amount) = paid.amount_minor.filter(|a| *a != self.amount_minor) {
            why.push(format!("amount {amount}, not {}", self.amount_minor));
        }
        if let Some(currency) = paid
            .currency
            .as_deref()
            .filter(|c| !c.eq_ignore_ascii_case(self.currency.as_str()))
        {
            why.push(format!("currency {currency}, not {}", self.currency));
        }
        if let Some(live) = paid.livemode.filter(|live| *live != live_gateway) {
            why.push(
                if live {
                    "a live payment where test payments are taken"
                } else {
                    "a test payment where live payments are taken"
                }
                .to_string(),
            );
        }
        (!why.is_empty()).then(|| why.join("; "))
    }

    /// Whether deciding a report needs to know if the booking's seats can still be sold to it
    /// (`seats_can_be_sold`): a success that would confirm. Even a booking that looks live is
    /// checked: the report's `now` was taken before it waited for the rows, and a hold made
    /// after the booking's hold ran out may have its seats by then.
    pub fn needs_seat_check(&self, reported: Reported, now: DateTime<Utc>) -> bool {
        reported == Reported::Succeeded
            && !matches!(
                self.payment_status,
                PaymentStatus::RefundDue | PaymentStatus::Refunded | PaymentStatus::Review
            )
            && matches!(
                on_paid(self.status_at(now)),
                OnPaid::Confirm | OnPaid::ConfirmIfSeatsFree
            )
    }
}

/// Whether every seat of the booking could be sold to it at `now`: free, or still its own.
pub fn seats_can_be_sold(booking: BookingId, seats: &[SeatHolding], now: DateTime<Utc>) -> bool {
    !seats.is_empty() && seats.iter().all(|seat| seat.sellable_to(booking, now))
}

/// What a success that does not match its payment does (`ReportedPayment::mismatch`): the
/// payment waits for review and is never confirmed; a live hold keeps its seats until the
/// showtime starts (the customer paid something), so that staff can still give them the seats.
pub fn plan_review(payment: &ReportedPayment, now: DateTime<Utc>) -> ReportPlan {
    let unchanged = ReportPlan::unchanged();
    if !matches!(
        payment.payment_status,
        PaymentStatus::Pending | PaymentStatus::Failed
    ) {
        return unchanged;
    }
    let booking = payment.status_at(now);
    let (moves, seats) = match booking {
        BookingStatus::Held => (
            vec![(BookingStatus::Held, BookingStatus::PaymentPending)],
            SeatsBecome::Kept,
        ),
        BookingStatus::PaymentPending => (vec![], SeatsBecome::Kept),
        _ => (vec![], SeatsBecome::Unchanged),
    };
    ReportPlan {
        outcome: PaymentOutcome::InReview,
        booking_moves: moves,
        payment_becomes: Some(PaymentStatus::Review),
        seats,
        ..unchanged
    }
}

/// Decides what a report does to a booking and its payment at `now`. `sellable` says whether
/// its seats could be sold to it (see `needs_seat_check`). A partial refund must be filtered
/// out before (`whole_refund`).
pub fn plan_report(
    reported: Reported,
    payment: &ReportedPayment,
    now: DateTime<Utc>,
    sellable: bool,
) -> ReportPlan {
    let booking = payment.status_at(now);
    let mut plan = plan_moves(reported, booking, payment.payment_status, sellable);
    // A hold that ran out but was not swept yet: its expiry goes into the history first.
    plan.expired_first = payment.stored_status != booking && !plan.booking_moves.is_empty();
    plan
}

fn plan_moves(
    reported: Reported,
    booking: BookingStatus,
    payment: PaymentStatus,
    sellable: bool,
) -> ReportPlan {
    let unchanged = ReportPlan::unchanged();
    let settle = |payment_to: PaymentStatus| (payment != payment_to).then_some(payment_to);
    let waiting = matches!(payment, PaymentStatus::Pending | PaymentStatus::Failed);
    match reported {
        // Once a refund is owed or made, a success (a late or repeated report) changes
        // nothing: the customer gets their money back, not tickets as well. A payment under
        // review is confirmed by staff, not by another report.
        Reported::Succeeded
            if matches!(
                payment,
                PaymentStatus::RefundDue | PaymentStatus::Refunded | PaymentStatus::Review
            ) =>
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
                    notice: Some(Notice::BookingConfirmed),
                    ..unchanged
                }
            }
            OnPaid::Nothing => unchanged,
            seats_gone => ReportPlan {
                outcome: PaymentOutcome::RefundDue,
                payment_becomes: settle(PaymentStatus::RefundDue),
                notice: Some(Notice::RefundDue {
                    given_up: seats_gone == OnPaid::Refund,
                }),
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
            notice: Some(Notice::PaymentFailed),
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
            notice: Some(Notice::BookingRefunded),
            ..unchanged
        },
        Reported::Refunded if booking.can_become(BookingStatus::Refunded) => ReportPlan {
            outcome: PaymentOutcome::Refunded,
            booking_moves: vec![(booking, BookingStatus::Refunded)],
            payment_becomes: Some(PaymentStatus::Refunded),
            // A booking waiting for its payment gives its seats back; the others hold none.
            seats: SeatsBecome::Free,
            notice: Some(Notice::BookingRefunded),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seats::SeatState;
    use chrono::{Duration, TimeZone};

    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    fn payment(stored: BookingStatus, status: PaymentStatus) -> ReportedPayment {
        ReportedPayment {
            booking_id: BookingId(7),
            stored_status: stored,
            expires_at: at(10),
            payment_status: status,
            amount_minor: 2000,
            currency: Currency::parse("EUR").unwrap(),
        }
    }

    #[test]
    fn a_success_unlike_its_payment_says_how() {
        let pending = payment(BookingStatus::PaymentPending, PaymentStatus::Pending);
        let paid = |amount, currency: &str, live| PaidAs {
            amount_minor: Some(amount),
            currency: Some(currency.into()),
            livemode: Some(live),
        };
        assert_eq!(pending.mismatch(&paid(2000, "eur", false), false), None);
        assert_eq!(pending.mismatch(&PaidAs::default(), true), None);
        assert_eq!(
            pending.mismatch(&paid(1, "eur", false), false).as_deref(),
            Some("amount 1, not 2000")
        );
        assert_eq!(
            pending
                .mismatch(&paid(2000, "usd", false), false)
                .as_deref(),
            Some("currency usd, not EUR")
        );
        assert!(pending
            .mismatch(&paid(2000, "EUR", false), true)
            .is_some_and(|why| why.contains("test payment where live")));
        assert!(pending
            .mismatch(&paid(2000, "EUR", true), false)
            .is_some_and(|why| why.contains("live payment where test")));
    }

    #[test]
    fn a_success_unlike_its_payment_is_kept_for_review_not_confirmed() {
        let held = plan_review(&payment(BookingStatus::Held, PaymentStatus::Pending), at(1));
        assert_eq!(held.outcome, PaymentOutcome::InReview);
        assert_eq!(held.payment_becomes, Some(PaymentStatus::Review));
        assert_eq!(held.seats, SeatsBecome::Kept);
        assert_eq!(
            held.booking_moves,
            [(BookingStatus::Held, BookingStatus::PaymentPending)]
        );
        assert!(held.notice.is_none());
        // A hold that ran out has no seats to keep; the payment still waits for review.
        let late = plan_review(
            &payment(BookingStatus::PaymentPending, PaymentStatus::Pending),
            at(11),
        );
        assert_eq!(
            (late.outcome, late.seats),
            (PaymentOutcome::InReview, SeatsBecome::Unchanged)
        );
        // Settled payments are not reopened.
        for settled in [
            PaymentStatus::Succeeded,
            PaymentStatus::Refunded,
            PaymentStatus::Review,
        ] {
            let plan = plan_review(&payment(BookingStatus::Confirmed, settled), at(1));
            assert_eq!(plan.outcome, PaymentOutcome::NoChange, "{settled}");
        }
        // Under review, a later success that matches does not confirm either.
        let again = plan_report(
            Reported::Succeeded,
            &payment(BookingStatus::PaymentPending, PaymentStatus::Review),
            at(1),
            true,
        );
        assert_eq!(again.outcome, PaymentOutcome::NoChange);
        // A refund ends it and frees the seats.
        let refunded = plan_report(
            Reported::Refunded,
            &payment(BookingStatus::PaymentPending, PaymentStatus::Review),
            at(1),
            false,
        );
        assert_eq!(
            (refunded.outcome, refunded.seats),
            (PaymentOutcome::Refunded, SeatsBecome::Free)
        );
    }

    #[test]
    fn a_refund_owed_tells_the_customer_why() {
        let taken = plan_report(
            Reported::Succeeded,
            &payment(BookingStatus::PaymentPending, PaymentStatus::Pending),
            at(11),
            false,
        );
        assert_eq!(taken.outcome, PaymentOutcome::RefundDue);
        assert!(
            taken.booking_moves.is_empty() && !taken.expired_first,
            "the booking is left for the sweeper to expire"
        );
        let notice = taken.notice.unwrap();
        assert_eq!(notice.kind(), "payment_refund_due");
        assert!(notice.why().contains("someone else has the seats"));

        let given_up = plan_report(
            Reported::Succeeded,
            &payment(BookingStatus::Released, PaymentStatus::Pending),
            at(1),
            false,
        );
        assert_eq!(given_up.outcome, PaymentOutcome::RefundDue);
        assert!(given_up.notice.unwrap().why().contains("given up"));
    }

    #[test]
    fn a_success_after_expiry_records_the_expiry_first() {
        let plan = plan_report(
            Reported::Succeeded,
            &payment(BookingStatus::PaymentPending, PaymentStatus::Pending),
            at(11),
            true,
        );
        assert!(plan.expired_first);
        assert_eq!(
            plan.booking_moves,
            vec![(BookingStatus::Expired, BookingStatus::Confirmed)]
        );
        assert_eq!(plan.seats, SeatsBecome::Sold);
    }

    #[test]
    fn only_a_whole_refund_undoes_a_sale() {
        let paid = payment(BookingStatus::Confirmed, PaymentStatus::Succeeded);
        assert!(!paid.whole_refund(Reported::Refunded, Some(1999)));
        assert!(paid.whole_refund(Reported::Refunded, Some(2000)));
        assert!(paid.whole_refund(Reported::Refunded, None));
        assert!(paid.whole_refund(Reported::Succeeded, Some(1)));
    }

    #[test]
    fn seats_can_be_sold_when_free_or_still_the_bookings_own() {
        let booking = BookingId(7);
        let seat = |state, holder: Option<i64>, until: Option<i64>| SeatHolding {
            state,
            booking_id: holder.map(BookingId),
            held_until: until.map(at),
        };
        let now = at(5);
        assert!(seats_can_be_sold(
            booking,
            &[
                seat(SeatState::Available, None, None),
                seat(SeatState::Held, Some(7), Some(10)),
                seat(SeatState::Held, Some(8), Some(4)),
            ],
            now
        ));
        assert!(!seats_can_be_sold(
            booking,
            &[seat(SeatState::Held, Some(8), Some(10))],
            now
        ));
        assert!(!seats_can_be_sold(
            booking,
            &[seat(SeatState::Sold, Some(7), None)],
            now
        ));
        assert!(!seats_can_be_sold(booking, &[], now), "no seats, no sale");
    }
}
