//! Bookings: a user's order for seats of one showtime, and the states it goes through.

use crate::ids::{BookingId, ShowtimeId, UserId};
use crate::layout::SeatCategory;
use crate::money::Money;
use crate::price_plan::ShowtimePrices;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::fmt;

/// One booking holds at most this many seats.
pub const MAX_SEATS_PER_BOOKING: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingStatus {
    Held,
    PaymentPending,
    Confirmed,
    Cancelled,
    Refunded,
    Expired,
    PaymentFailed,
    Released,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 8] = [
        BookingStatus::Held,
        BookingStatus::PaymentPending,
        BookingStatus::Confirmed,
        BookingStatus::Cancelled,
        BookingStatus::Refunded,
        BookingStatus::Expired,
        BookingStatus::PaymentFailed,
        BookingStatus::Released,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Held => "held",
            BookingStatus::PaymentPending => "payment_pending",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Refunded => "refunded",
            BookingStatus::Expired => "expired",
            BookingStatus::PaymentFailed => "payment_failed",
            BookingStatus::Released => "released",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        BookingStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The state machine:
    /// `held → payment_pending → confirmed → cancelled → refunded`, and
    /// `held | payment_pending → expired | payment_failed | released`.
    /// A payment that succeeds after its hold expired (or after an earlier attempt failed)
    /// confirms the booking when its seats are still free, and refunds it when they are not;
    /// one that succeeds after the customer released the seats is refunded (no payment is
    /// ever lost; see `payment::on_paid`).
    pub fn can_become(self, next: BookingStatus) -> bool {
        use BookingStatus::*;
        matches!(
            (self, next),
            (Held, PaymentPending | Expired | PaymentFailed | Released)
                | (
                    PaymentPending,
                    Confirmed | Expired | PaymentFailed | Released | Refunded
                )
                | (Confirmed, Cancelled)
                | (Cancelled, Refunded)
                | (Expired | PaymentFailed, Confirmed | Refunded)
                | (Released, Refunded)
        )
    }
}

impl BookingStatus {
    /// A stored status read at `now`: a booking still waiting for its seats to be paid for
    /// (`held`, or `payment_pending`) whose hold has run out is `expired`, whether or not the
    /// sweeper has recorded it yet.
    pub fn as_of(self, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> BookingStatus {
        match self {
            BookingStatus::Held | BookingStatus::PaymentPending if expires_at <= now => {
                BookingStatus::Expired
            }
            status => status,
        }
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The public name of a booking, printed on tickets and said at the box office: eight
/// characters of Crockford's base 32 (no I, L, O or U), 40 random bits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BookingReference(String);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl BookingReference {
    pub const LEN: usize = 8;

    /// Spells out the low 40 bits of a random number.
    pub fn from_random(bits: u64) -> Self {
        let text = (0..Self::LEN)
            .map(|i| CROCKFORD[((bits >> (5 * i)) & 31) as usize] as char)
            .collect();
        BookingReference(text)
    }

    /// Trusts text the store wrote.
    pub fn from_stored(text: String) -> Self {
        BookingReference(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BookingReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One seat of a booking, the ticket type it was sold as, and what it costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingLine {
    pub label: String,
    pub category: SeatCategory,
    /// The code of a ticket type of the showtime's frozen prices.
    pub ticket_type: String,
    pub price: Money,
}

/// What a set of seats costs: per seat, fees, total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub lines: Vec<BookingLine>,
    pub subtotal: Money,
    pub fees: Money,
    pub total: Money,
}

impl Quote {
    /// Prices seats (label, category, ticket type code) from a showtime's frozen prices;
    /// `None` if a (type, category) has no price or the sum overflows.
    pub fn for_seats<'a>(
        prices: &ShowtimePrices,
        seats: impl IntoIterator<Item = (&'a str, SeatCategory, &'a str)>,
    ) -> Option<Quote> {
        let currency = prices.currency();
        let lines = seats
            .into_iter()
            .map(|(label, category, ticket_type)| {
                Some(BookingLine {
                    label: label.to_string(),
                    category,
                    ticket_type: ticket_type.to_string(),
                    price: prices.price_of(ticket_type, category)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let subtotal = lines.iter().try_fold(Money::zero(currency), |sum, line| {
            sum.checked_add(line.price)
        })?;
        let fees =
            Money::new(prices.booking_fee_minor(), currency).checked_mul(lines.len() as i64)?;
        let total = subtotal.checked_add(fees)?;
        Some(Quote {
            lines,
            subtotal,
            fees,
            total,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: Option<BookingStatus>,
    pub to: BookingStatus,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: BookingId,
    pub reference: BookingReference,
    pub user_id: UserId,
    pub showtime_id: ShowtimeId,
    /// The stored status; read it through `status_at`, which applies expiry.
    pub stored_status: BookingStatus,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub quote: Quote,
    pub transitions: Vec<Transition>,
    /// One per seat once the booking is confirmed, in seat order; none before. A cancelled
    /// seat's ticket is void and not listed.
    pub tickets: Vec<crate::payment::Ticket>,
    /// Its cancellations, oldest first: which seats, and what each refunds.
    pub cancellations: Vec<crate::cancellation::Cancellation>,
    /// The cinema's latest move of its showtime after it was bought, if any.
    pub moved: Option<crate::showtime_move::MoveNotice>,
    /// The booking this one replaces (an exchange): that one is refunded in full when this
    /// one is paid.
    pub replaces: Option<BookingId>,
}

impl Booking {
    /// A hold past its time is expired, whether or not the sweeper has recorded it yet.
    pub fn status_at(&self, now: DateTime<Utc>) -> BookingStatus {
        self.stored_status.as_of(self.expires_at, now)
    }

    pub fn seat_labels(&self) -> Vec<&str> {
        self.quote.lines.iter().map(|l| l.label.as_str()).collect()
    }

    /// Whether a seat of the booking was cancelled.
    pub fn is_cancelled(&self, label: &str) -> bool {
        self.cancellations
            .iter()
            .any(|c| c.seats.iter().any(|s| s == label))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoldRequestError {
    #[error("ask for at least one seat")]
    NoSeats,
    #[error("one booking holds at most {MAX_SEATS_PER_BOOKING} seats")]
    TooManySeats,
    #[error("seat {0} is asked for twice")]
    DuplicateSeat(String),
}

/// Checks the seat labels of a hold request: 1 to `MAX_SEATS_PER_BOOKING`, each once.
pub fn check_requested_seats(labels: &[String]) -> Result<(), HoldRequestError> {
    check_quantity(labels.len())?;
    let mut seen = HashSet::new();
    match labels.iter().find(|label| !seen.insert(label.as_str())) {
        Some(dup) => Err(HoldRequestError::DuplicateSeat(dup.clone())),
        None => Ok(()),
    }
}

/// Checks how many seats a best-available request asks for.
pub fn check_quantity(quantity: usize) -> Result<(), HoldRequestError> {
    match quantity {
        0 => Err(HoldRequestError::NoSeats),
        n if n > MAX_SEATS_PER_BOOKING => Err(HoldRequestError::TooManySeats),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::price_plan::TicketType;

    #[test]
    fn the_state_machine_allows_only_the_documented_transitions() {
        use BookingStatus::*;
        assert!(Held.can_become(PaymentPending));
        assert!(Held.can_become(Released));
        assert!(PaymentPending.can_become(Confirmed));
        assert!(Confirmed.can_become(Cancelled));
        assert!(Cancelled.can_become(Refunded));
        assert!(
            !Held.can_become(Confirmed),
            "a hold is paid for before it is confirmed"
        );
        assert!(!Released.can_become(Held));
        // A payment reported late ends as tickets or a refund, never lost.
        assert!(Expired.can_become(Confirmed) && Expired.can_become(Refunded));
        assert!(PaymentFailed.can_become(Confirmed) && PaymentFailed.can_become(Refunded));
        assert!(Released.can_become(Refunded) && !Released.can_become(Confirmed));
        assert!(!Confirmed.can_become(Expired));
        assert!(!Refunded.can_become(Confirmed));
        for status in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(status.as_str()), Some(status));
            assert!(!status.can_become(status), "{status} cannot become itself");
        }
    }

    /// The documented state machine as a table: row = from, column = to, in the order of
    /// `BookingStatus::ALL` (held, payment_pending, confirmed, cancelled, refunded, expired,
    /// payment_failed, released). `1` = allowed.
    const TRANSITIONS: [(BookingStatus, [u8; 8]); 8] = {
        use BookingStatus::*;
        [
            //                 hld pp  cnf cnl ref exp pf  rel
            (Held, /*       */ [0, 1, 0, 0, 0, 1, 1, 1]),
            (PaymentPending, [0, 0, 1, 0, 1, 1, 1, 1]),
            (Confirmed, /*  */ [0, 0, 0, 1, 0, 0, 0, 0]),
            (Cancelled, /*  */ [0, 0, 0, 0, 1, 0, 0, 0]),
            (Refunded, /*   */ [0, 0, 0, 0, 0, 0, 0, 0]),
            // A payment reported late ends as tickets or a refund, never lost.
            (Expired, /*    */ [0, 0, 1, 0, 1, 0, 0, 0]),
            (PaymentFailed, [0, 0, 1, 0, 1, 0, 0, 0]),
            // Paid after the customer let the seats go: refunded, never confirmed.
            (Released, /*   */ [0, 0, 0, 0, 1, 0, 0, 0]),
        ]
    };

    #[test]
    fn every_pair_of_statuses_follows_the_documented_table() {
        assert_eq!(
            TRANSITIONS.map(|(from, _)| from),
            BookingStatus::ALL,
            "the table's rows are in the order of ALL"
        );
        let mut wrong = Vec::new();
        for (from, row) in TRANSITIONS {
            for (to, allowed) in BookingStatus::ALL.into_iter().zip(row) {
                if from.can_become(to) != (allowed == 1) {
                    wrong.push(format!("{from} -> {to}: table says {allowed}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn a_quote_prices_each_seat_by_its_ticket_type_and_adds_fees_per_seat() {
        let eur = Currency::parse("EUR").unwrap();
        let types = vec![
            TicketType::new("adult", "Adult").unwrap(),
            TicketType::new("child", "Child").unwrap(),
        ];
        let prices = ShowtimePrices::new(
            eur,
            75,
            types,
            vec![
                ("adult".into(), SeatCategory::Standard, 1000),
                ("adult".into(), SeatCategory::Premium, 1450),
                ("child".into(), SeatCategory::Standard, 600),
            ],
        )
        .unwrap();
        let quote = Quote::for_seats(
            &prices,
            [
                ("A1", SeatCategory::Standard, "adult"),
                ("A2", SeatCategory::Premium, "adult"),
                ("A3", SeatCategory::Standard, "child"),
            ],
        )
        .unwrap();
        assert_eq!(quote.subtotal, Money::new(3050, eur));
        assert_eq!(quote.fees, Money::new(225, eur));
        assert_eq!(quote.total, Money::new(3275, eur));
        assert_eq!(quote.lines[1].price, Money::new(1450, eur));
        assert_eq!(
            (quote.lines[2].ticket_type.as_str(), quote.lines[2].price),
            ("child", Money::new(600, eur))
        );
        assert!(Quote::for_seats(&prices, [("W1", SeatCategory::Accessible, "adult")]).is_none());
        assert!(Quote::for_seats(&prices, [("A2", SeatCategory::Premium, "child")]).is_none());
    }

    #[test]
    fn references_are_eight_unambiguous_characters() {
        let a = BookingReference::from_random(0x12_3456_789A);
        assert_eq!(a.as_str().len(), 8);
        assert!(a.as_str().chars().all(|c| CROCKFORD.contains(&(c as u8))));
        assert_ne!(a, BookingReference::from_random(0x12_3456_789B));
    }

    #[test]
    fn hold_requests_name_one_to_ten_distinct_seats() {
        let labels = |n: usize| (1..=n).map(|i| format!("A{i}")).collect::<Vec<_>>();
        assert_eq!(check_requested_seats(&[]), Err(HoldRequestError::NoSeats));
        assert_eq!(check_requested_seats(&labels(10)), Ok(()));
        assert_eq!(
            check_requested_seats(&labels(11)),
            Err(HoldRequestError::TooManySeats)
        );
        assert_eq!(
            check_requested_seats(&["A1".into(), "A2".into(), "A1".into()]),
            Err(HoldRequestError::DuplicateSeat("A1".into()))
        );
    }
}
