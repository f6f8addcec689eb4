//! One account's fair share of a sale, decided where a hold is decided: inside the hold's
//! transaction, over the account's bookings as that transaction read them (after locking the
//! account), so the limits hold however many nodes take holds at once.
//!
//! Three limits, each of which can be turned off: seats in live bookings per showtime, holds
//! at once over all showtimes, and a cool-down after a hold of the account ran out unpaid
//! before it may hold seats of that showtime again (so one account cannot keep seats off sale
//! by holding them again every ten minutes).

use crate::booking::{Booking, BookingStatus};
use crate::hold_plan::NewHold;
use crate::ids::{ShowtimeId, UserId};
use chrono::{DateTime, Duration, Utc};

/// The limits a hold must stay within; `None` turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldLimits {
    /// Most seats one account may have in live bookings (unexpired holds and sales) of one
    /// showtime.
    pub seats_per_showtime: Option<u32>,
    /// Most unexpired holds (held or being paid for) one account may have at once.
    pub live_holds: Option<u32>,
    /// How long after a hold ran out unpaid its account may not hold seats of that showtime.
    pub cooldown: Option<Duration>,
}

impl HoldLimits {
    /// What a real on-sale runs with unless configured otherwise.
    pub const DEFAULT: HoldLimits = HoldLimits {
        seats_per_showtime: Some(10),
        live_holds: Some(3),
        cooldown: Some(Duration::minutes(2)),
    };

    /// No limits at all.
    pub const NONE: HoldLimits = HoldLimits {
        seats_per_showtime: None,
        live_holds: None,
        cooldown: None,
    };

    /// Whether any limit is on (when none is, the account's bookings need not be read).
    pub fn any(&self) -> bool {
        *self != HoldLimits::NONE
    }
}

/// Which limit a hold would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    SeatsPerShowtime(u32),
    LiveHolds(u32),
    Cooldown(Duration),
}

/// A hold refused by a limit, and how long after the hold's `now` trying again may succeed
/// (`None`: waiting alone will not help, e.g. the seats the account bought fill its share).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitReached {
    pub limit: Limit,
    pub retry_after: Option<Duration>,
}

impl std::fmt::Display for LimitReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.limit {
            Limit::SeatsPerShowtime(n) => write!(
                f,
                "one account may have at most {n} seats of a showtime in holds and sales"
            ),
            Limit::LiveHolds(n) => write!(f, "one account may have at most {n} holds at once"),
            Limit::Cooldown(wait) => write!(
                f,
                "a hold of this account on this showtime ran out unpaid; it may hold seats of it \
                 again {} minutes after that",
                wait.num_minutes().max(1)
            ),
        }
    }
}

/// A booking of an account as it counts towards its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBooking {
    pub user_id: UserId,
    pub showtime_id: ShowtimeId,
    /// As stored (a hold past its end may not have been swept yet).
    pub status: BookingStatus,
    pub expires_at: DateTime<Utc>,
    pub seats: u32,
}

impl AccountBooking {
    /// A booking a hold just made.
    pub fn of(booking: &Booking) -> AccountBooking {
        AccountBooking {
            user_id: booking.user_id,
            showtime_id: booking.showtime_id,
            status: booking.stored_status,
            expires_at: booking.expires_at,
            seats: u32::try_from(booking.quote.lines.len()).unwrap_or(u32::MAX),
        }
    }

    fn unpaid(&self) -> bool {
        matches!(
            self.status,
            BookingStatus::Held | BookingStatus::PaymentPending
        )
    }

    /// An unexpired hold, whether or not its payment has started.
    fn live_hold(&self, now: DateTime<Utc>) -> bool {
        self.unpaid() && self.expires_at > now
    }

    fn has_seats(&self, now: DateTime<Utc>) -> bool {
        self.live_hold(now) || self.status == BookingStatus::Confirmed
    }

    fn ran_out_unpaid(&self, now: DateTime<Utc>) -> bool {
        self.status == BookingStatus::Expired || (self.unpaid() && self.expires_at <= now)
    }
}

/// The bookings of the accounts of a batch that count towards their limits.
///
/// The store reads, for the batch's accounts: every booking held or being paid for; and, of
/// the batch's showtimes, every confirmed booking and every booking expired after
/// `AccountShares::expired_since` (earlier ones count for nothing).
#[derive(Debug, Clone, Default)]
pub struct AccountShares {
    bookings: Vec<AccountBooking>,
}

impl AccountShares {
    pub fn new(bookings: Vec<AccountBooking>) -> AccountShares {
        AccountShares { bookings }
    }

    /// Holds that ran out before this cannot put their account in a cool-down at `now`.
    pub fn expired_since(limits: &HoldLimits, now: DateTime<Utc>) -> DateTime<Utc> {
        now - limits.cooldown.unwrap_or_else(Duration::zero)
    }

    /// Counts a hold the batch has just granted.
    pub fn add(&mut self, booking: AccountBooking) {
        self.bookings.push(booking);
    }

    /// Whether `hold` keeps its account within its limits.
    pub fn check(&self, hold: &NewHold) -> Result<(), LimitReached> {
        let now = hold.now;
        let limits = &hold.limits;
        let mine = || self.bookings.iter().filter(|b| b.user_id == hold.user_id);
        let here = || mine().filter(|b| b.showtime_id == hold.showtime_id);
        let earliest_end = |bookings: &mut dyn Iterator<Item = &AccountBooking>| {
            bookings
                .filter(|b| b.live_hold(now))
                .map(|b| b.expires_at - now)
                .min()
        };
        if let Some(max) = limits.seats_per_showtime {
            let asked = u32::try_from(hold.seats.len()).unwrap_or(u32::MAX);
            let have: u32 = here().filter(|b| b.has_seats(now)).map(|b| b.seats).sum();
            if have.saturating_add(asked) > max {
                return Err(LimitReached {
                    limit: Limit::SeatsPerShowtime(max),
                    retry_after: (asked <= max).then(|| earliest_end(&mut here())).flatten(),
                });
            }
        }
        if let Some(max) = limits.live_holds {
            let live = mine().filter(|b| b.live_hold(now)).count();
            if live >= usize::try_from(max).unwrap_or(usize::MAX) {
                return Err(LimitReached {
                    limit: Limit::LiveHolds(max),
                    retry_after: earliest_end(&mut mine()),
                });
            }
        }
        if let Some(wait) = limits.cooldown {
            let ends = here()
                .filter(|b| b.ran_out_unpaid(now))
                .map(|b| b.expires_at + wait)
                .filter(|end| *end > now)
                .max();
            if let Some(end) = ends {
                return Err(LimitReached {
                    limit: Limit::Cooldown(wait),
                    retry_after: Some(end - now),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::BookingReference;
    use crate::ids::BookingId;
    use chrono::TimeZone;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 18, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    const ANA: UserId = UserId(1);
    const BO: UserId = UserId(2);
    const FILM: ShowtimeId = ShowtimeId(10);
    const OTHER: ShowtimeId = ShowtimeId(11);

    fn hold(user: UserId, showtime: ShowtimeId, seats: usize) -> NewHold {
        NewHold {
            id: BookingId(99),
            reference: BookingReference::from_random(1),
            user_id: user,
            showtime_id: showtime,
            seats: (1..=seats).map(|n| format!("A{n}")).collect(),
            ticket_types: vec![],
            expires_at: t(10),
            now: t(0),
            limits: HoldLimits::DEFAULT,
        }
    }

    fn booking(
        user: UserId,
        showtime: ShowtimeId,
        status: BookingStatus,
        expires_at: DateTime<Utc>,
        seats: u32,
    ) -> AccountBooking {
        AccountBooking {
            user_id: user,
            showtime_id: showtime,
            status,
            expires_at,
            seats,
        }
    }

    use BookingStatus::*;

    #[test]
    fn seats_of_a_showtime_count_live_holds_and_sales_but_not_ended_holds() {
        let shares = AccountShares::new(vec![
            booking(ANA, FILM, Confirmed, t(-60), 4),
            booking(ANA, FILM, Held, t(5), 3),
            booking(ANA, FILM, Held, t(-5), 9), // ran out (before the cool-down), not swept yet
            booking(ANA, FILM, Released, t(8), 9),
            booking(ANA, OTHER, Held, t(8), 9),
            booking(BO, FILM, Held, t(8), 9),
        ]);
        assert_eq!(shares.check(&hold(ANA, FILM, 3)), Ok(()));
        assert_eq!(
            shares.check(&hold(ANA, FILM, 4)),
            Err(LimitReached {
                limit: Limit::SeatsPerShowtime(10),
                retry_after: Some(Duration::minutes(5)),
            })
        );
    }

    #[test]
    fn a_share_filled_by_sales_alone_gives_no_time_to_wait_for() {
        let shares = AccountShares::new(vec![booking(ANA, FILM, Confirmed, t(-60), 10)]);
        let refused = shares.check(&hold(ANA, FILM, 1)).unwrap_err();
        assert_eq!(refused.limit, Limit::SeatsPerShowtime(10));
        assert_eq!(refused.retry_after, None);
    }

    #[test]
    fn live_holds_are_counted_over_every_showtime_until_the_first_ends() {
        let mut shares = AccountShares::new(vec![
            booking(ANA, OTHER, Held, t(7), 1),
            booking(ANA, ShowtimeId(12), PaymentPending, t(4), 1),
        ]);
        assert_eq!(shares.check(&hold(ANA, FILM, 1)), Ok(()));
        shares.add(booking(ANA, ShowtimeId(13), Held, t(9), 1));
        assert_eq!(
            shares.check(&hold(ANA, FILM, 1)),
            Err(LimitReached {
                limit: Limit::LiveHolds(3),
                retry_after: Some(Duration::minutes(4)),
            })
        );
        // Someone else's holds are theirs.
        assert_eq!(shares.check(&hold(BO, FILM, 1)), Ok(()));
    }

    #[test]
    fn a_hold_that_ran_out_unpaid_cools_that_showtime_down_for_its_account() {
        let shares = AccountShares::new(vec![
            booking(ANA, FILM, Expired, t(-1), 2),
            booking(ANA, OTHER, Expired, t(-1), 2),
        ]);
        assert_eq!(
            shares.check(&hold(ANA, FILM, 1)),
            Err(LimitReached {
                limit: Limit::Cooldown(Duration::minutes(2)),
                retry_after: Some(Duration::minutes(1)),
            })
        );
        let later = NewHold {
            now: t(1),
            ..hold(ANA, FILM, 1)
        };
        assert_eq!(shares.check(&later), Ok(()));
        assert_eq!(shares.check(&hold(BO, FILM, 1)), Ok(()));
    }

    #[test]
    fn a_released_or_declined_hold_does_not_cool_down() {
        let shares = AccountShares::new(vec![
            booking(ANA, FILM, Released, t(9), 2),
            booking(ANA, FILM, PaymentFailed, t(9), 2),
        ]);
        assert_eq!(shares.check(&hold(ANA, FILM, 1)), Ok(()));
    }

    #[test]
    fn limits_turned_off_refuse_nothing() {
        let shares = AccountShares::new(vec![
            booking(ANA, FILM, Held, t(5), 10),
            booking(ANA, OTHER, Held, t(5), 10),
            booking(ANA, ShowtimeId(12), Held, t(5), 10),
            booking(ANA, FILM, Expired, t(-1), 10),
        ]);
        let free = NewHold {
            limits: HoldLimits::NONE,
            ..hold(ANA, FILM, 10)
        };
        assert_eq!(shares.check(&free), Ok(()));
        assert!(!HoldLimits::NONE.any());
        assert!(HoldLimits::DEFAULT.any());
    }
}
