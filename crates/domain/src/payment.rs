//! Payments: what a gateway's answer does to a booking, and the tickets a paid booking gets.
//!
//! Every payment the gateway reports as succeeded ends as confirmed tickets or as a full
//! refund (invariant 5). Events may arrive twice, late, or out of order; the rules here are
//! written so that any order gives the same end state: a success wins over a failure (it buys
//! the seats if they are still free, else its money goes back), and a booking that is
//! confirmed or refunded stays so.

use crate::booking::BookingStatus;
use std::fmt;

/// A payment as Marquee records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Created at the gateway; the customer has not paid (yet).
    Pending,
    /// Paid, and the booking is confirmed.
    Succeeded,
    /// The customer's last attempt failed; the booking gave its seats back. At the gateway
    /// the customer may still pay (a success then buys the seats if they are free), so the
    /// reconciliation job looks at it again and cancels it there.
    Failed,
    /// Paid, but the seats could not be had: the money must go back. Set in the same
    /// transaction that found it out, so a crash before the gateway's refund loses nothing.
    RefundDue,
    /// The money went back.
    Refunded,
    /// Stopped at the gateway before anyone paid: it can no longer succeed.
    Canceled,
    /// The gateway reported a success that does not match the payment (amount, currency, or
    /// live against test): never confirmed; the booking keeps its seats until staff review it
    /// or the money goes back.
    Review,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 7] = [
        PaymentStatus::Pending,
        PaymentStatus::Succeeded,
        PaymentStatus::Failed,
        PaymentStatus::RefundDue,
        PaymentStatus::Refunded,
        PaymentStatus::Canceled,
        PaymentStatus::Review,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::RefundDue => "refund_due",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Canceled => "canceled",
            PaymentStatus::Review => "review",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        PaymentStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reported success does to a booking, by its status at the time (expiry applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnPaid {
    /// The hold is live: its seats become sold, the booking confirmed (a hold whose checkout
    /// was never recorded passes through `payment_pending` on the way).
    Confirm,
    /// The hold ran out, or an earlier attempt failed: the seats are sold to the payer if
    /// they are still free, else the payment is refunded.
    ConfirmIfSeatsFree,
    /// The customer gave the seats up before paying: the payment is refunded.
    Refund,
    /// Already confirmed or refunded (a duplicate, or a late event): nothing changes.
    Nothing,
}

pub fn on_paid(status: BookingStatus) -> OnPaid {
    use BookingStatus::*;
    match status {
        Held | PaymentPending => OnPaid::Confirm,
        Expired | PaymentFailed => OnPaid::ConfirmIfSeatsFree,
        Released => OnPaid::Refund,
        Confirmed | Cancelled | Refunded => OnPaid::Nothing,
    }
}

/// Whether a reported failure ends the booking: only while it is still waiting to be paid.
/// A failure that arrives after a success (or after the hold ran out) changes nothing.
pub fn fails_on_payment_failure(status: BookingStatus) -> bool {
    matches!(status, BookingStatus::Held | BookingStatus::PaymentPending)
}

/// A ticket's code: what its QR code carries and the door scans. 128 random bits in
/// Crockford's base 32 (26 characters): it cannot be guessed from another ticket's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketCode(String);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl TicketCode {
    pub const LEN: usize = 26;

    pub fn from_random(bits: u128) -> TicketCode {
        TicketCode(
            (0..Self::LEN)
                .map(|i| CROCKFORD[((bits >> (5 * i)) & 31) as usize] as char)
                .collect(),
        )
    }

    /// A code as typed or scanned: upper-cased, and only if it could be one.
    pub fn parse(text: &str) -> Option<TicketCode> {
        let code = text.trim().to_ascii_uppercase();
        (code.len() == Self::LEN && code.bytes().all(|b| CROCKFORD.contains(&b)))
            .then_some(TicketCode(code))
    }

    /// Trusts text the store wrote.
    pub fn from_stored(text: String) -> TicketCode {
        TicketCode(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TicketCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One seat's admission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub code: TicketCode,
    pub seat: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_confirms_a_live_hold_and_never_undoes_an_end() {
        use BookingStatus::*;
        assert_eq!(on_paid(PaymentPending), OnPaid::Confirm);
        assert_eq!(on_paid(Expired), OnPaid::ConfirmIfSeatsFree);
        assert_eq!(on_paid(PaymentFailed), OnPaid::ConfirmIfSeatsFree);
        assert_eq!(on_paid(Released), OnPaid::Refund);
        for end in [Confirmed, Cancelled, Refunded] {
            assert_eq!(on_paid(end), OnPaid::Nothing, "{end}");
        }
    }

    #[test]
    fn every_outcome_of_a_success_is_a_move_the_state_machine_allows() {
        for status in BookingStatus::ALL {
            let allowed = match on_paid(status) {
                OnPaid::Confirm => {
                    status.can_become(BookingStatus::Confirmed)
                        || (status.can_become(BookingStatus::PaymentPending)
                            && BookingStatus::PaymentPending.can_become(BookingStatus::Confirmed))
                }
                OnPaid::ConfirmIfSeatsFree => {
                    status.can_become(BookingStatus::Confirmed)
                        && status.can_become(BookingStatus::Refunded)
                }
                OnPaid::Refund => status.can_become(BookingStatus::Refunded),
                OnPaid::Nothing => true,
            };
            assert!(allowed, "{status}");
            if fails_on_payment_failure(status) {
                assert!(status.can_become(BookingStatus::PaymentFailed), "{status}");
            }
        }
    }

    #[test]
    fn a_failure_only_ends_a_booking_still_waiting_to_be_paid() {
        use BookingStatus::*;
        assert!(fails_on_payment_failure(PaymentPending));
        for status in [Confirmed, Refunded, Expired, Released, PaymentFailed] {
            assert!(!fails_on_payment_failure(status), "{status}");
        }
    }

    #[test]
    fn ticket_codes_are_long_random_and_parse_back() {
        let a = TicketCode::from_random(u128::MAX / 3);
        let b = TicketCode::from_random(u128::MAX / 3 + 1);
        assert_eq!(a.as_str().len(), TicketCode::LEN);
        assert_ne!(a, b);
        assert_eq!(
            TicketCode::parse(&a.as_str().to_lowercase()),
            Some(a.clone())
        );
        assert_eq!(TicketCode::parse("short"), None);
        assert_eq!(
            TicketCode::parse(&"I".repeat(26)),
            None,
            "I is not Crockford"
        );
    }
}
