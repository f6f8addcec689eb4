//! Marquee's domain: the types and rules of selling seats, with no I/O, no async and no SQL.
//!
//! Everything that touches a database, the network or the wall clock lives in other crates
//! and calls into this one. Values here are built by parsing (`Email::parse`,
//! `SeatLayout::parse`, `Currency::parse`), so the rest of the code can trust them.

pub mod account;
pub mod best_available;
pub mod booking;
pub mod booking_moves;
pub mod cancellation;
pub mod catalog;
pub mod clock;
pub mod hold_limits;
pub mod hold_plan;
pub mod ids;
pub mod layout;
pub mod layout_change;
pub mod money;
pub mod payment;
pub mod payment_report;
pub mod price_plan;
pub mod reminders;
pub mod schedule;
pub mod seats;
pub mod showtime_move;
pub mod staff;

pub use account::{
    Email, EmailError, Password, PasswordError, Role, MAX_EMAIL_LEN, MAX_PASSWORD_CHARS,
};
pub use booking::{
    Booking, BookingLine, BookingReference, BookingStatus, HoldRequestError, Quote, Transition,
    MAX_SEATS_PER_BOOKING,
};
pub use catalog::{
    AccessTag, Auditorium, City, Event, PriceList, SalesWindow, Showtime, ShowtimeError, Venue,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use hold_limits::{HoldLimits, Limit, LimitReached};
pub use hold_plan::NewHold;
pub use ids::*;
pub use layout::{LayoutError, LayoutSeat, SeatCategory, SeatLayout};
pub use layout_change::{layout_conflict, LayoutConflict};
pub use money::{Currency, CurrencyError, Money};
pub use payment::{PaymentStatus, Ticket, TicketCode};
pub use payment_report::{PaymentOutcome, Reported};
pub use price_plan::{
    MissingPrices, PricePlan, PriceRule, PricingError, ShowtimePrices, TicketType,
};
pub use schedule::{Clash, ClashWith, ScheduleError, ScheduleRequest, Slot, Turnover};
pub use seats::{SeatChange, SeatChangeCause, SeatHolding, SeatState, ShowtimeSeat};
pub use staff::{StaffAccess, StaffRole};
