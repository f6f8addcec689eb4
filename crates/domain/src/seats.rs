//! A showtime's seat inventory: each seat of its layout with its state.

use crate::ids::{BookingId, ShowtimeId};
use crate::layout::{LayoutSeat, SeatCategory};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeatState {
    Available,
    /// Held by a booking until a time; once that time has passed the seat is available.
    Held,
    Sold,
    /// Not for sale: house seats, a broken seat.
    Blocked,
}

impl SeatState {
    pub fn as_str(self) -> &'static str {
        match self {
            SeatState::Available => "available",
            SeatState::Held => "held",
            SeatState::Sold => "sold",
            SeatState::Blocked => "blocked",
        }
    }

    /// The availability predicate, the one place it is written in Rust (the stores' conditional
    /// updates say the same in SQL): a hold whose time has passed blocks no one, whether or not
    /// the sweeper has been by yet. A hold with no end (a seat shown taken, not yet known by
    /// whom) stays held.
    pub fn as_of(self, held_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> SeatState {
        match (self, held_until) {
            (SeatState::Held, Some(until)) if until <= now => SeatState::Available,
            (state, _) => state,
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            SeatState::Available,
            SeatState::Held,
            SeatState::Sold,
            SeatState::Blocked,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// Who has a seat of a showtime, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatHolding {
    pub state: SeatState,
    pub booking_id: Option<BookingId>,
    pub held_until: Option<DateTime<Utc>>,
}

impl SeatHolding {
    /// Whether the seat could be sold to `booking` at `now`: free, or held by it (even past its
    /// hold's end: nobody else has taken it).
    pub fn sellable_to(&self, booking: BookingId, now: DateTime<Utc>) -> bool {
        match self.state.as_of(self.held_until, now) {
            SeatState::Available => true,
            SeatState::Held => self.booking_id == Some(booking),
            SeatState::Sold | SeatState::Blocked => false,
        }
    }
}

/// One seat of one showtime as stored: its place in the layout, and who has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowtimeSeat {
    pub seat: LayoutSeat,
    /// The stored state; read it through `state_at`, which applies expiry.
    pub stored_state: SeatState,
    pub booking_id: Option<BookingId>,
    pub held_until: Option<DateTime<Utc>>,
}

impl ShowtimeSeat {
    /// The seat's state at `now`, expiry applied (`SeatState::as_of`).
    pub fn state_at(&self, now: DateTime<Utc>) -> SeatState {
        self.stored_state.as_of(self.held_until, now)
    }

    pub fn label(&self) -> &str {
        &self.seat.label
    }

    pub fn category(&self) -> SeatCategory {
        self.seat.category
    }
}

/// A committed change of some seats of one showtime, all by one booking or all by staff: what
/// the seat-change stream carries to the seat-map caches, the live seat maps and other nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatChange {
    pub showtime_id: ShowtimeId,
    /// The booking whose seats changed; none when staff blocked or unblocked them.
    pub booking_id: Option<BookingId>,
    pub labels: Vec<String>,
    pub cause: SeatChangeCause,
}

/// Why seats changed, which says what they are now (`state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeatChangeCause {
    /// Held by the booking until then.
    Held { until: DateTime<Utc> },
    /// The customer gave the hold up.
    Released,
    /// The hold ran out and the sweeper freed its seats.
    Expired,
    /// The payment did not go through: the hold's seats are free.
    PaymentFailed,
    /// Paid: sold to the booking.
    Sold,
    /// The payment went back: the booking's seats are free; they were sold (a refund after the
    /// sale) or still held (a payment refunded while it was being made).
    Refunded { was_sold: bool },
    /// A paid booking (or some of its seats) was cancelled: its sold seats are free again.
    Cancelled,
    /// Staff took the seats off sale (house seats, a broken seat).
    Blocked,
    /// Staff put blocked seats back on sale.
    Unblocked,
}

impl SeatChangeCause {
    /// What the seats are after the change.
    pub fn state(self) -> SeatState {
        match self {
            SeatChangeCause::Held { .. } => SeatState::Held,
            SeatChangeCause::Sold => SeatState::Sold,
            SeatChangeCause::Blocked => SeatState::Blocked,
            SeatChangeCause::Released
            | SeatChangeCause::Unblocked
            | SeatChangeCause::Expired
            | SeatChangeCause::PaymentFailed
            | SeatChangeCause::Cancelled
            | SeatChangeCause::Refunded { .. } => SeatState::Available,
        }
    }

    /// For a change that frees seats, the state they were freed from: a listener applies it
    /// only to seats it still shows so, since changes published by different tasks may reach
    /// it in another order than they were committed (an expiry after the late sale that
    /// followed it must not free the sold seats).
    pub fn freed_from(self) -> Option<SeatState> {
        match self {
            SeatChangeCause::Released
            | SeatChangeCause::Expired
            | SeatChangeCause::PaymentFailed
            | SeatChangeCause::Refunded { was_sold: false } => Some(SeatState::Held),
            SeatChangeCause::Refunded { was_sold: true } | SeatChangeCause::Cancelled => {
                Some(SeatState::Sold)
            }
            SeatChangeCause::Unblocked => Some(SeatState::Blocked),
            SeatChangeCause::Held { .. } | SeatChangeCause::Sold | SeatChangeCause::Blocked => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SeatChangeCause::Held { .. } => "held",
            SeatChangeCause::Released => "released",
            SeatChangeCause::Expired => "expired",
            SeatChangeCause::PaymentFailed => "payment_failed",
            SeatChangeCause::Sold => "sold",
            SeatChangeCause::Refunded { .. } => "refunded",
            SeatChangeCause::Cancelled => "cancelled",
            SeatChangeCause::Blocked => "blocked",
            SeatChangeCause::Unblocked => "unblocked",
        }
    }
}

impl SeatChange {
    /// The change a successful hold made.
    pub fn held(booking: &crate::booking::Booking) -> SeatChange {
        SeatChange {
            showtime_id: booking.showtime_id,
            booking_id: Some(booking.id),
            labels: booking
                .quote
                .lines
                .iter()
                .map(|l| l.label.clone())
                .collect(),
            cause: SeatChangeCause::Held {
                until: booking.expires_at,
            },
        }
    }
}
