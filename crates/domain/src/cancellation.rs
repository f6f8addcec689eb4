//! Cancelling a paid booking, whole or some of its seats: what a venue's refund policy gives
//! back at a given time, which seats can still be cancelled, and which refunds a gateway's
//! report of money gone back settles.

use crate::booking::BookingStatus;
use crate::money::{Currency, Money};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use std::fmt;

/// One step of a refund policy: `percent` of what a seat cost is refunded when the booking is
/// cancelled at least `minutes_before` the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundTier {
    pub minutes_before: u32,
    pub percent: u8,
}

/// A venue's refund policy: tiers from the earliest deadline to the last, and a fee kept per
/// ticket cancelled. After the last tier's deadline nothing can be cancelled by the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundPolicy {
    tiers: Vec<RefundTier>,
    fee_per_ticket_minor: i64,
}

/// At most this many tiers: a policy is read by people at the box office.
pub const MAX_TIERS: usize = 8;
/// A tier's deadline is at most this long before the start (a year).
pub const MAX_MINUTES_BEFORE: u32 = 366 * 24 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("a refund policy has 1 to {MAX_TIERS} tiers")]
    TierCount,
    #[error("a tier refunds 0 to 100 percent")]
    Percent,
    #[error("a tier's deadline is at most {MAX_MINUTES_BEFORE} minutes before the start")]
    TooEarly,
    #[error("two tiers have the same deadline ({0} minutes before the start)")]
    SameDeadline(u32),
    #[error("a later tier refunds more than an earlier one")]
    Increasing,
    #[error("the fee per ticket is 0 or more, and less than 1,000,000 minor units")]
    Fee,
}

impl RefundPolicy {
    /// Tiers in any order; they are kept from the earliest deadline (most minutes before the
    /// start) to the last. A later tier may not refund more than an earlier one.
    pub fn new(
        mut tiers: Vec<RefundTier>,
        fee_per_ticket_minor: i64,
    ) -> Result<RefundPolicy, PolicyError> {
        if tiers.is_empty() || tiers.len() > MAX_TIERS {
            return Err(PolicyError::TierCount);
        }
        if !(0..1_000_000).contains(&fee_per_ticket_minor) {
            return Err(PolicyError::Fee);
        }
        tiers.sort_by_key(|t| std::cmp::Reverse(t.minutes_before));
        for tier in &tiers {
            if tier.percent > 100 {
                return Err(PolicyError::Percent);
            }
            if tier.minutes_before > MAX_MINUTES_BEFORE {
                return Err(PolicyError::TooEarly);
            }
        }
        for pair in tiers.windows(2) {
            if pair[0].minutes_before == pair[1].minutes_before {
                return Err(PolicyError::SameDeadline(pair[0].minutes_before));
            }
            if pair[1].percent > pair[0].percent {
                return Err(PolicyError::Increasing);
            }
        }
        Ok(RefundPolicy {
            tiers,
            fee_per_ticket_minor,
        })
    }

    /// What a venue that set none has: a full refund until 2 hours before the start.
    pub fn standard() -> RefundPolicy {
        RefundPolicy {
            tiers: vec![RefundTier {
                minutes_before: 120,
                percent: 100,
            }],
            fee_per_ticket_minor: 0,
        }
    }

    pub fn tiers(&self) -> &[RefundTier] {
        &self.tiers
    }

    pub fn fee_per_ticket_minor(&self) -> i64 {
        self.fee_per_ticket_minor
    }

    /// The tier that applies at `now` to a showtime starting at `starts_at`, with its
    /// deadline: the first whose deadline has not passed. A deadline is inclusive: cancelling
    /// exactly 24 hours before gets the "until 24 h before" tier.
    pub fn tier_at(
        &self,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<(RefundTier, DateTime<Utc>)> {
        self.tiers.iter().find_map(|tier| {
            let deadline = starts_at - Duration::minutes(i64::from(tier.minutes_before));
            (now <= deadline).then_some((*tier, deadline))
        })
    }

    /// When the customer can no longer cancel.
    pub fn last_deadline(&self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        let last = self.tiers.last().map_or(0, |t| t.minutes_before);
        starts_at - Duration::minutes(i64::from(last))
    }
}

/// Where the money of a cancellation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundStatus {
    /// Nothing goes back (the policy's fee took it all, or a 0% tier).
    NotOwed,
    /// Owed: asked of the gateway, or to be asked again (reconciliation retries).
    Due,
    /// The gateway reported the money gone back.
    Succeeded,
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 3] = [
        RefundStatus::NotOwed,
        RefundStatus::Due,
        RefundStatus::Succeeded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::NotOwed => "not_owed",
            RefundStatus::Due => "due",
            RefundStatus::Succeeded => "succeeded",
        }
    }

    pub fn parse(name: &str) -> Option<RefundStatus> {
        RefundStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A cancellation made: some seats of a booking (or all), and what it refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub id: i64,
    pub seats: Vec<String>,
    pub refund: Money,
    pub refund_status: RefundStatus,
    /// Why this amount (the policy's tier), or the reason staff gave.
    pub why: String,
    /// Made by staff (regardless of the policy), not by the customer.
    pub by_staff: bool,
    pub created_at: DateTime<Utc>,
    /// When the gateway reported the money gone back.
    pub refunded_at: Option<DateTime<Utc>>,
    /// How often asking the gateway failed, and its last answer (for staff).
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// One seat of a confirmed booking, as a cancellation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelLine {
    pub label: String,
    /// What the seat cost: its price and its share of the booking fees.
    pub paid_minor: i64,
    /// Cancelled before.
    pub cancelled: bool,
    /// Its ticket was admitted at the door.
    pub admitted: bool,
}

/// A booking as a cancellation reads it (locked in the cancellation's transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellable {
    pub status: BookingStatus,
    pub starts_at: DateTime<Utc>,
    /// The venue's clock: the deadlines customers read are on it.
    pub zone: chrono_tz::Tz,
    pub currency: Currency,
    pub lines: Vec<CancelLine>,
}

/// How much goes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refunding {
    /// The customer cancels: the venue's policy at the time decides.
    ByPolicy(RefundPolicy),
    /// Staff cancel: everything the seats cost goes back, whatever the policy says.
    InFull,
}

/// What a cancellation does, decided before anything is written (and all that a dry run
/// answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationPlan {
    /// The seats cancelled, in the booking's order.
    pub seats: Vec<String>,
    /// Every seat still live is cancelled: the booking becomes `cancelled`.
    pub whole: bool,
    /// What the seats cost.
    pub paid: Money,
    /// The part of it refunded.
    pub percent: u8,
    /// What is kept as the policy's fee per ticket, in all.
    pub fee: Money,
    /// The policy's fee per ticket (at most a seat's refund is kept).
    pub fee_per_ticket_minor: i64,
    /// What goes back: `percent` of `paid`, less `fee` (never below zero).
    pub refund: Money,
    /// Until when this refund applies (for a refund by policy).
    pub until: Option<DateTime<Utc>>,
}

impl CancellationPlan {
    /// Why this amount, in words the customer reads, with the deadline on the venue's clock
    /// (`zone`).
    pub fn why(&self, zone: chrono_tz::Tz) -> String {
        let Some(until) = self.until else {
            return "refunded in full by the cinema".to_string();
        };
        let mut why = format!(
            "{}% refund for cancelling until {}",
            self.percent,
            on_clock(until, zone)
        );
        if self.fee_per_ticket_minor > 0 {
            why.push_str(&format!(
                ", less a fee of {} {} per ticket",
                crate::money::decimal(self.fee_per_ticket_minor),
                self.fee.currency
            ));
        }
        why
    }
}

/// An instant as a customer reads it on the venue's clock: `Thu 24 Dec 2026, 18:00`.
fn on_clock(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    at.with_timezone(&zone)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// Why a booking (or some of its seats) cannot be cancelled. Nothing changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelRefused {
    /// Only a confirmed booking can be cancelled.
    NotConfirmed(BookingStatus),
    /// Seats the booking never had.
    UnknownSeats(Vec<String>),
    /// Seats cancelled before.
    AlreadyCancelled(Vec<String>),
    /// Seats whose tickets were admitted at the door.
    Admitted(Vec<String>),
    /// The policy's last deadline has passed (or the showtime has started); `zone` is the
    /// venue's clock, which the message gives it on.
    Closed {
        since: DateTime<Utc>,
        zone: chrono_tz::Tz,
    },
    /// The amounts do not fit in 64 bits.
    Overflow,
}

impl fmt::Display for CancelRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CancelRefused::NotConfirmed(status) => {
                write!(
                    f,
                    "only a confirmed booking can be cancelled; this one is {status}"
                )
            }
            CancelRefused::UnknownSeats(seats) => {
                write!(f, "the booking has no seat {}", seats.join(", "))
            }
            CancelRefused::AlreadyCancelled(seats) if seats.is_empty() => {
                f.write_str("every seat of the booking is cancelled already")
            }
            CancelRefused::AlreadyCancelled(seats) => {
                write!(f, "seat {} is cancelled already", seats.join(", "))
            }
            CancelRefused::Admitted(seats) => {
                write!(
                    f,
                    "the ticket for {} was admitted at the door",
                    seats.join(", ")
                )
            }
            CancelRefused::Closed { since, zone } => write!(
                f,
                "the booking could be cancelled until {}",
                on_clock(*since, *zone)
            ),
            CancelRefused::Overflow => f.write_str("the amounts are too large"),
        }
    }
}

/// Decides a cancellation at `now` of `seats` of a booking (all its live seats when `None`).
pub fn plan_cancellation(
    booking: &Cancellable,
    seats: Option<&[String]>,
    refunding: &Refunding,
    now: DateTime<Utc>,
) -> Result<CancellationPlan, CancelRefused> {
    if booking.status != BookingStatus::Confirmed {
        return Err(CancelRefused::NotConfirmed(booking.status));
    }
    let chosen: Vec<&CancelLine> = match seats {
        None => booking.lines.iter().filter(|l| !l.cancelled).collect(),
        Some(asked) => {
            let asked: HashSet<&str> = asked.iter().map(String::as_str).collect();
            let known: HashSet<&str> = booking.lines.iter().map(|l| l.label.as_str()).collect();
            let mut unknown: Vec<String> = asked
                .iter()
                .filter(|a| !known.contains(*a))
                .map(|a| a.to_string())
                .collect();
            if !unknown.is_empty() {
                unknown.sort();
                return Err(CancelRefused::UnknownSeats(unknown));
            }
            booking
                .lines
                .iter()
                .filter(|l| asked.contains(l.label.as_str()))
                .collect()
        }
    };
    let labels = |lines: Vec<&&CancelLine>| lines.iter().map(|l| l.label.clone()).collect();
    let cancelled: Vec<_> = chosen.iter().filter(|l| l.cancelled).collect();
    if !cancelled.is_empty() || chosen.is_empty() {
        return Err(CancelRefused::AlreadyCancelled(labels(cancelled)));
    }
    let (percent, fee_per_ticket, until) = match refunding {
        Refunding::InFull => (100, 0, None),
        Refunding::ByPolicy(policy) => {
            let admitted: Vec<_> = chosen.iter().filter(|l| l.admitted).collect();
            if !admitted.is_empty() {
                return Err(CancelRefused::Admitted(labels(admitted)));
            }
            let (tier, deadline) = policy
                .tier_at(booking.starts_at, now)
                .filter(|_| now < booking.starts_at)
                .ok_or(CancelRefused::Closed {
                    since: policy.last_deadline(booking.starts_at),
                    zone: booking.zone,
                })?;
            (tier.percent, policy.fee_per_ticket_minor, Some(deadline))
        }
    };
    let mut paid = 0i64;
    let mut fee = 0i64;
    let mut refund = 0i64;
    for line in &chosen {
        let share = line
            .paid_minor
            .checked_mul(i64::from(percent))
            .ok_or(CancelRefused::Overflow)?
            / 100;
        let kept = fee_per_ticket.min(share);
        paid = paid
            .checked_add(line.paid_minor)
            .ok_or(CancelRefused::Overflow)?;
        fee += kept;
        refund = refund
            .checked_add(share - kept)
            .ok_or(CancelRefused::Overflow)?;
    }
    let live = booking.lines.iter().filter(|l| !l.cancelled).count();
    let money = |minor| Money::new(minor, booking.currency);
    Ok(CancellationPlan {
        seats: chosen.iter().map(|l| l.label.clone()).collect(),
        whole: chosen.len() == live,
        paid: money(paid),
        percent,
        fee: money(fee),
        fee_per_ticket_minor: fee_per_ticket,
        refund: money(refund),
        until,
    })
}

/// Which of a booking's outstanding refunds (id, amount; oldest first) a gateway's report
/// that `refunded_minor` of the payment has gone back in all settles, given that
/// `settled_minor` of it was settled before: the oldest ones whose sum fits.
pub fn refunds_settled(
    outstanding: &[(i64, i64)],
    settled_minor: i64,
    refunded_minor: i64,
) -> Vec<i64> {
    let mut total = settled_minor;
    outstanding
        .iter()
        .take_while(|(_, amount)| {
            total = total.saturating_add(*amount);
            total <= refunded_minor
        })
        .map(|(id, _)| *id)
        .collect()
}

/// Whether a booking whose refunds were just settled becomes `refunded`: a cancelled one
/// with nothing left owed. (A confirmed one whose seats were partly cancelled stays so.)
pub fn booking_refunded(status: BookingStatus, refunds_still_due: usize) -> bool {
    status == BookingStatus::Cancelled && refunds_still_due == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn starts() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 24, 20, 0, 0).unwrap()
    }

    fn hours_before(h: i64) -> DateTime<Utc> {
        starts() - Duration::hours(h)
    }

    fn tiered(fee: i64) -> RefundPolicy {
        RefundPolicy::new(
            vec![
                RefundTier {
                    minutes_before: 120,
                    percent: 50,
                },
                RefundTier {
                    minutes_before: 24 * 60,
                    percent: 100,
                },
            ],
            fee,
        )
        .unwrap()
    }

    fn line(label: &str, paid: i64) -> CancelLine {
        CancelLine {
            label: label.into(),
            paid_minor: paid,
            cancelled: false,
            admitted: false,
        }
    }

    fn booking(lines: Vec<CancelLine>) -> Cancellable {
        Cancellable {
            status: BookingStatus::Confirmed,
            starts_at: starts(),
            zone: chrono_tz::Europe::Berlin,
            currency: eur(),
            lines,
        }
    }

    fn refund_at(policy: &RefundPolicy, b: &Cancellable, at: DateTime<Utc>) -> i64 {
        plan_cancellation(b, None, &Refunding::ByPolicy(policy.clone()), at)
            .unwrap()
            .refund
            .minor
    }

    #[test]
    fn each_tier_applies_until_its_deadline_inclusive() {
        let policy = tiered(0);
        let b = booking(vec![line("A1", 1075), line("A2", 775)]);
        assert_eq!(refund_at(&policy, &b, hours_before(48)), 1850);
        assert_eq!(
            refund_at(&policy, &b, hours_before(24)),
            1850,
            "exactly 24 h"
        );
        assert_eq!(
            refund_at(&policy, &b, hours_before(24) + Duration::seconds(1)),
            537 + 387,
            "50%, rounded down per seat"
        );
        assert_eq!(
            refund_at(&policy, &b, hours_before(2)),
            537 + 387,
            "exactly 2 h"
        );
        let late = hours_before(2) + Duration::seconds(1);
        let closed = plan_cancellation(&b, None, &Refunding::ByPolicy(policy.clone()), late);
        assert_eq!(
            closed,
            Err(CancelRefused::Closed {
                since: hours_before(2),
                zone: chrono_tz::Europe::Berlin
            })
        );
        // Said on the venue's clock (Berlin, an hour ahead of UTC in winter).
        let said = closed.unwrap_err().to_string();
        assert_eq!(
            said,
            "the booking could be cancelled until Thu 24 Dec 2026, 19:00"
        );
    }

    #[test]
    fn percentages_round_down_per_seat_and_the_fee_is_kept_per_ticket() {
        let policy = tiered(100);
        // 50% of 1075 is 537.5: 537 per seat, less the fee of 100 each.
        let b = booking(vec![line("A1", 1075), line("A2", 775)]);
        let plan =
            plan_cancellation(&b, None, &Refunding::ByPolicy(policy), hours_before(3)).unwrap();
        assert_eq!(plan.refund.minor, (537 - 100) + (387 - 100));
        assert_eq!(plan.fee.minor, 200);
        assert_eq!(plan.percent, 50);
        assert_eq!(plan.paid.minor, 1850);
        let why = plan.why(chrono_tz::Europe::Lisbon);
        assert!(why.contains("50% refund"), "{why}");
        assert!(why.contains("fee of 1.00 EUR"), "{why}");
        // The deadline (2 h before 20:00 UTC) on the venue's clock: Lisbon is on UTC in winter,
        // Berlin an hour ahead.
        assert!(why.contains("Thu 24 Dec 2026, 18:00"), "{why}");
        let berlin = plan.why(chrono_tz::Europe::Berlin);
        assert!(berlin.contains("Thu 24 Dec 2026, 19:00"), "{berlin}");
        // A fee larger than the refund leaves nothing, never less than nothing.
        let b = booking(vec![line("A1", 150)]);
        let plan = plan_cancellation(&b, None, &Refunding::ByPolicy(tiered(100)), hours_before(3))
            .unwrap();
        assert_eq!((plan.refund.minor, plan.fee.minor), (0, 75));
    }

    #[test]
    fn some_seats_are_cancelled_at_their_own_prices_and_the_rest_stay() {
        let policy = RefundPolicy::standard();
        let b = booking(vec![line("A1", 1075), line("A2", 775), line("A3", 1475)]);
        let plan = plan_cancellation(
            &b,
            Some(&["A3".into(), "A1".into()]),
            &Refunding::ByPolicy(policy.clone()),
            hours_before(5),
        )
        .unwrap();
        assert_eq!(plan.seats, ["A1", "A3"], "in the booking's order");
        assert_eq!(plan.refund.minor, 1075 + 1475);
        assert!(!plan.whole);
        let mut rest = b.clone();
        rest.lines[0].cancelled = true;
        rest.lines[2].cancelled = true;
        let last = plan_cancellation(
            &rest,
            Some(&["A2".into()]),
            &Refunding::ByPolicy(policy.clone()),
            hours_before(5),
        )
        .unwrap();
        assert!(last.whole, "the last live seat cancels the booking");
        assert_eq!(
            plan_cancellation(&rest, None, &Refunding::ByPolicy(policy), hours_before(5))
                .unwrap()
                .seats,
            ["A2"]
        );
    }

    #[test]
    fn what_cannot_be_cancelled_is_refused_with_the_reason() {
        let policy = Refunding::ByPolicy(RefundPolicy::standard());
        let mut b = booking(vec![line("A1", 1000), line("A2", 1000)]);
        let at = hours_before(5);
        assert_eq!(
            plan_cancellation(&b, Some(&["Z9".into()]), &policy, at),
            Err(CancelRefused::UnknownSeats(vec!["Z9".into()]))
        );
        b.lines[1].cancelled = true;
        assert_eq!(
            plan_cancellation(&b, Some(&["A2".into()]), &policy, at),
            Err(CancelRefused::AlreadyCancelled(vec!["A2".into()]))
        );
        b.lines[0].admitted = true;
        assert_eq!(
            plan_cancellation(&b, None, &policy, at),
            Err(CancelRefused::Admitted(vec!["A1".into()]))
        );
        b.status = BookingStatus::Cancelled;
        assert_eq!(
            plan_cancellation(&b, None, &policy, at),
            Err(CancelRefused::NotConfirmed(BookingStatus::Cancelled))
        );
        // Everything cancelled seat by seat: nothing is left to cancel.
        let mut all = booking(vec![line("A1", 1000)]);
        all.lines[0].cancelled = true;
        assert_eq!(
            plan_cancellation(&all, None, &policy, at),
            Err(CancelRefused::AlreadyCancelled(vec![]))
        );
    }

    #[test]
    fn staff_refund_in_full_whatever_the_policy_and_the_time() {
        let mut b = booking(vec![line("A1", 1075), line("A2", 775)]);
        b.lines[0].admitted = true;
        let after_the_start = starts() + Duration::hours(1);
        let plan = plan_cancellation(&b, None, &Refunding::InFull, after_the_start).unwrap();
        assert_eq!(plan.refund.minor, 1850);
        assert_eq!(plan.until, None);
        assert!(plan.why(chrono_tz::UTC).contains("in full"));
    }

    #[test]
    fn a_policy_is_checked_when_it_is_made() {
        let tier = |minutes_before, percent| RefundTier {
            minutes_before,
            percent,
        };
        assert_eq!(RefundPolicy::new(vec![], 0), Err(PolicyError::TierCount));
        assert_eq!(
            RefundPolicy::new(vec![tier(60, 101)], 0),
            Err(PolicyError::Percent)
        );
        assert_eq!(
            RefundPolicy::new(vec![tier(60, 50), tier(60, 40)], 0),
            Err(PolicyError::SameDeadline(60))
        );
        assert_eq!(
            RefundPolicy::new(vec![tier(60, 100), tier(1440, 50)], 0),
            Err(PolicyError::Increasing),
            "closer to the start refunds no more"
        );
        assert_eq!(
            RefundPolicy::new(vec![tier(60, 100)], -1),
            Err(PolicyError::Fee)
        );
        let sorted = RefundPolicy::new(vec![tier(120, 50), tier(1440, 100)], 0).unwrap();
        assert_eq!(sorted.tiers()[0], tier(1440, 100));
        // The standard policy: everything back until 2 hours before, nothing after.
        let standard = RefundPolicy::standard();
        assert_eq!(
            standard
                .tier_at(starts(), hours_before(2))
                .map(|t| t.0.percent),
            Some(100)
        );
        assert_eq!(
            standard.tier_at(starts(), hours_before(2) + Duration::seconds(1)),
            None
        );
    }

    #[test]
    fn a_reported_refund_total_settles_the_oldest_refunds_it_covers() {
        let outstanding = [(1, 500), (2, 300), (3, 200)];
        assert_eq!(refunds_settled(&outstanding, 0, 0), Vec::<i64>::new());
        assert_eq!(refunds_settled(&outstanding, 0, 500), vec![1]);
        assert_eq!(refunds_settled(&outstanding, 0, 799), vec![1]);
        assert_eq!(refunds_settled(&outstanding, 0, 1000), vec![1, 2, 3]);
        // 400 was settled before (an earlier refund): 900 in all covers 1 only.
        assert_eq!(refunds_settled(&outstanding, 400, 900), vec![1]);
    }

    #[test]
    fn only_a_cancelled_booking_with_nothing_owed_becomes_refunded() {
        assert!(booking_refunded(BookingStatus::Cancelled, 0));
        assert!(!booking_refunded(BookingStatus::Cancelled, 1));
        assert!(
            !booking_refunded(BookingStatus::Confirmed, 0),
            "some seats cancelled"
        );
    }
}
