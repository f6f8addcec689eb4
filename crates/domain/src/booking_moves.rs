//! What a customer's request may do to their booking: give up its hold, or check it out. Each
//! rule reads the booking as the store's transaction read (and locked) it.

use crate::booking::BookingStatus;
use crate::ids::{ShowtimeId, UserId};
use crate::money::Money;
use chrono::{DateTime, Utc};

/// A booking as a move reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingAt {
    pub owner: UserId,
    pub showtime_id: ShowtimeId,
    pub stored_status: BookingStatus,
    pub expires_at: DateTime<Utc>,
    pub total: Money,
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveRefused {
    /// No such booking, or someone else's: the two answer alike, so ids cannot be probed
    /// (invariant 8).
    NotFound,
    InvalidTransition {
        from: BookingStatus,
        to: BookingStatus,
    },
    /// A payment for another amount than the booking's total: a bug of the caller's.
    WrongAmount { payment: Money, total: Money },
}

/// The booking, if `user` may move it.
fn owned(booking: Option<&BookingAt>, user: UserId) -> Result<&BookingAt, MoveRefused> {
    booking
        .filter(|b| b.owner == user)
        .ok_or(MoveRefused::NotFound)
}

/// Whether `user` may release the booking at `now`: a hold (or one waiting for its payment)
/// whose time has not run out. Answers the status it is released from.
pub fn release(
    booking: Option<&BookingAt>,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<BookingStatus, MoveRefused> {
    let booking = owned(booking, user)?;
    let from = booking.stored_status.as_of(booking.expires_at, now);
    if from.can_become(BookingStatus::Released) {
        Ok(from)
    } else {
        Err(MoveRefused::InvalidTransition {
            from,
            to: BookingStatus::Released,
        })
    }
}

/// What checkout does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkout {
    /// A live hold: record the payment, and the booking waits for it.
    Start,
    /// Checkout was started already and the booking still waits: answer that payment.
    Again,
}

/// Whether `user` may check the booking out at `now` with a payment of `amount`.
pub fn checkout(
    booking: Option<&BookingAt>,
    user: UserId,
    amount: Money,
    now: DateTime<Utc>,
) -> Result<Checkout, MoveRefused> {
    let booking = owned(booking, user)?;
    match booking.stored_status.as_of(booking.expires_at, now) {
        BookingStatus::Held if amount != booking.total => Err(MoveRefused::WrongAmount {
            payment: amount,
            total: booking.total,
        }),
        BookingStatus::Held => Ok(Checkout::Start),
        BookingStatus::PaymentPending => Ok(Checkout::Again),
        from => Err(MoveRefused::InvalidTransition {
            from,
            to: BookingStatus::PaymentPending,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use chrono::{Duration, TimeZone};

    fn booking(status: BookingStatus) -> BookingAt {
        BookingAt {
            owner: UserId(1),
            showtime_id: ShowtimeId(3),
            stored_status: status,
            expires_at: Utc.with_ymd_and_hms(2026, 1, 1, 12, 10, 0).unwrap(),
            total: Money::new(1500, Currency::parse("EUR").unwrap()),
        }
    }

    fn before_expiry() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn only_the_owner_moves_a_booking_and_anyone_else_finds_nothing() {
        let held = booking(BookingStatus::Held);
        let now = before_expiry();
        assert_eq!(
            release(Some(&held), UserId(2), now),
            Err(MoveRefused::NotFound)
        );
        assert_eq!(release(None, UserId(1), now), Err(MoveRefused::NotFound));
        assert_eq!(
            checkout(Some(&held), UserId(2), held.total, now),
            Err(MoveRefused::NotFound)
        );
        assert_eq!(
            release(Some(&held), UserId(1), now),
            Ok(BookingStatus::Held)
        );
    }

    #[test]
    fn a_hold_past_its_time_is_released_from_nothing_and_checked_out_by_nobody() {
        let held = booking(BookingStatus::PaymentPending);
        let late = held.expires_at;
        let expired = MoveRefused::InvalidTransition {
            from: BookingStatus::Expired,
            to: BookingStatus::Released,
        };
        assert_eq!(release(Some(&held), UserId(1), late), Err(expired));
        assert_eq!(
            release(Some(&held), UserId(1), late - Duration::milliseconds(1)),
            Ok(BookingStatus::PaymentPending)
        );
        assert!(matches!(
            checkout(Some(&held), UserId(1), held.total, late),
            Err(MoveRefused::InvalidTransition {
                from: BookingStatus::Expired,
                ..
            })
        ));
    }

    #[test]
    fn checkout_starts_once_then_answers_the_same_payment() {
        let now = before_expiry();
        let held = booking(BookingStatus::Held);
        assert_eq!(
            checkout(Some(&held), UserId(1), held.total, now),
            Ok(Checkout::Start)
        );
        let waiting = booking(BookingStatus::PaymentPending);
        assert_eq!(
            checkout(Some(&waiting), UserId(1), waiting.total, now),
            Ok(Checkout::Again)
        );
        let other = Money::new(1400, held.total.currency);
        assert!(matches!(
            checkout(Some(&held), UserId(1), other, now),
            Err(MoveRefused::WrongAmount { .. })
        ));
        for status in [
            BookingStatus::Confirmed,
            BookingStatus::Released,
            BookingStatus::Refunded,
        ] {
            assert!(
                checkout(Some(&booking(status)), UserId(1), held.total, now).is_err(),
                "{status}"
            );
        }
    }
}
