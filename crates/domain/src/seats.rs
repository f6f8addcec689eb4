//! A showtime's seat inventory: each seat of its layout with its state.

use crate::ids::BookingId;
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
    /// The availability predicate: a hold whose time has passed blocks no one, whether or not
    /// the sweeper has been by yet. The stores' conditional updates say the same in SQL.
    pub fn state_at(&self, now: DateTime<Utc>) -> SeatState {
        match (self.stored_state, self.held_until) {
            (SeatState::Held, Some(until)) if until <= now => SeatState::Available,
            (state, _) => state,
        }
    }

    pub fn label(&self) -> &str {
        &self.seat.label
    }

    pub fn category(&self) -> SeatCategory {
        self.seat.category
    }
}
