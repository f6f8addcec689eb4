//! What goes into and comes out of the store, beyond the domain's own types.

pub use marquee_domain::payment_report::PaidAs;
pub use marquee_domain::{NewHold, PaymentOutcome, Reported};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use marquee_domain::{
    AccessTag, Auditorium, AuditoriumId, Booking, BookingId, City, CityId, Email, EventId,
    LayoutId, Money, PaymentStatus, Role, SeatLayout, Showtime, ShowtimePrices, ShowtimeSeat,
    TicketCode, UserId, Venue, VenueId,
};

#[derive(Debug, Clone)]
pub struct NewCity {
    pub name: String,
    pub timezone: Tz,
}

#[derive(Debug, Clone)]
pub struct NewVenue {
    pub city_id: CityId,
    pub name: String,
    pub address: String,
    pub ads_minutes: u32,
    pub cleaning_minutes: u32,
}

#[derive(Debug, Clone)]
pub struct NewAuditorium {
    pub venue_id: VenueId,
    pub name: String,
    pub layout: SeatLayout,
    pub now: DateTime<Utc>,
}

/// An auditorium with the shape of its current layout.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditoriumInfo {
    pub auditorium: Auditorium,
    pub layout_version: u32,
    pub rows: u32,
    pub columns: u32,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: String,
    pub title: String,
    /// Empty when it is the title.
    pub original_title: String,
    pub synopsis: String,
    pub cast: Vec<String>,
    /// Empty when unknown.
    pub director: String,
    pub genres: Vec<String>,
    pub language: String,
    pub runtime_minutes: u32,
    pub certificate: String,
    pub poster_url: Option<String>,
    pub trailer_url: Option<String>,
    pub release_date: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewShowtime {
    pub event_id: EventId,
    pub auditorium_id: AuditoriumId,
    pub starts_at: DateTime<Utc>,
    pub format: String,
    pub audio_language: String,
    pub subtitles: Option<String>,
    pub access: Vec<AccessTag>,
    /// Resolved from the venue's price plan (`PricePlan::resolve`) and frozen in the showtime.
    pub prices: ShowtimePrices,
    pub sales_open_at: DateTime<Utc>,
    pub sales_close_minutes: u32,
}

/// A showtime with what a listing shows beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShowtimeInfo {
    pub showtime: Showtime,
    pub event_title: String,
    pub auditorium_name: String,
    pub venue: Venue,
    pub city: City,
    pub capacity: u32,
    /// Seats neither sold, blocked nor under a live hold at the `now` of the query.
    pub seats_available: u32,
    /// When the cinema cancelled it, if it did (customers' listings leave it out).
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// A showtime of a venue's schedule with its seats counted: what the back office's week shows.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueShowtime {
    pub info: ShowtimeInfo,
    pub seats_sold: u32,
    /// Seats of holds alive at the `now` of the query.
    pub seats_held: u32,
}

/// Which events to list: those with a showtime in the city (if given) starting in
/// `[starts_from, starts_until)`.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub city_id: Option<CityId>,
    pub starts_from: Option<DateTime<Utc>>,
    pub starts_until: Option<DateTime<Utc>>,
    pub genre: Option<String>,
    pub language: Option<String>,
    /// Only events with a showtime that has this tag (among the others' conditions).
    pub access: Option<AccessTag>,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone)]
pub struct ShowtimeFilter {
    pub event_id: Option<EventId>,
    pub city_id: Option<CityId>,
    pub starts_from: Option<DateTime<Utc>>,
    pub starts_until: Option<DateTime<Utc>>,
    /// Only showtimes with this tag.
    pub access: Option<AccessTag>,
    pub limit: u32,
    pub now: DateTime<Utc>,
}

/// A showtime's seats, with the shape of the layout version it was scheduled on.
#[derive(Debug, Clone)]
pub struct SeatMap {
    pub info: ShowtimeInfo,
    pub layout_id: LayoutId,
    pub rows: u32,
    pub columns: u32,
    pub seats: Vec<ShowtimeSeat>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
}

/// A user with their password hash, for logging in only.
#[derive(Clone)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: Vec<u8>,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A valid session: whose it is, and until when.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user: User,
    pub expires_at: DateTime<Utc>,
}

/// Checkout: the payment a gateway created for a booking.
#[derive(Clone)]
pub struct NewPayment {
    pub booking_id: BookingId,
    /// Checkout is the booking owner's alone.
    pub user_id: UserId,
    pub provider: String,
    pub payment_ref: String,
    pub client_secret: Option<String>,
    pub checkout_url: Option<String>,
    /// Must be the booking's total.
    pub amount: Money,
    pub now: DateTime<Utc>,
}

/// A booking's payment as recorded.
#[derive(Clone, PartialEq)]
pub struct Payment {
    pub booking_id: BookingId,
    pub provider: String,
    pub payment_ref: String,
    /// Lets the customer's browser complete the payment at the gateway: never logged.
    pub client_secret: Option<String>,
    pub checkout_url: Option<String>,
    pub amount: Money,
    pub status: PaymentStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for Payment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payment")
            .field("booking_id", &self.booking_id)
            .field("provider", &self.provider)
            .field("payment_ref", &self.payment_ref)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("checkout_url", &self.checkout_url)
            .field("amount", &self.amount)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A page of a customer's bookings, newest first: those older than `before` (all, when
/// `None`), at most `limit` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingPage {
    pub before: Option<BookingId>,
    pub limit: u32,
}

impl BookingPage {
    /// The newest `limit` bookings.
    pub fn first(limit: u32) -> BookingPage {
        BookingPage {
            before: None,
            limit,
        }
    }
}

/// Which open payments the reconciliation job asks about: those that last changed before
/// `changed_before` and are not waiting out a failed try at `now`, oldest first, at most
/// `limit`.
#[derive(Debug, Clone, Copy)]
pub struct Unsettled {
    pub changed_before: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub limit: u32,
}

/// A report to apply to a payment and its booking.
#[derive(Debug, Clone)]
pub struct PaymentReport {
    pub provider: String,
    pub payment_ref: String,
    /// The gateway's event id when the report is a webhook: each is applied at most once.
    /// Reports the reconciliation job made by asking the gateway have none.
    pub event_id: Option<String>,
    pub reported: Reported,
    /// For a refund, how much of the payment has been refunded so far, when the gateway says:
    /// only a refund of the whole amount undoes the booking.
    pub refunded_minor: Option<i64>,
    /// For a success, what the gateway says was paid: a success unlike the payment is kept
    /// for review, never confirmed.
    pub paid: Option<PaidAs>,
    /// Whether this node's gateway takes live payments (real money) or test ones.
    pub live_gateway: bool,
    /// Codes for the tickets if the booking is confirmed, one per seat: at least
    /// `MAX_SEATS_PER_BOOKING`, the rest unused.
    pub ticket_codes: Vec<TicketCode>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct PaymentApplied {
    pub outcome: PaymentOutcome,
    /// The booking as it is after the report, when the payment is known.
    pub booking: Option<Booking>,
    /// How a success was unlike its payment (`PaymentOutcome::InReview`).
    pub unlike: Option<String>,
    /// The booking an exchange just paid replaced, cancelled with a full refund owed.
    pub exchanged: Option<(BookingId, crate::cancellations::Cancelled)>,
}

/// A payment as the built-in sandbox gateway records it (the gateway's side, not Marquee's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxPayment {
    /// `pi_sandbox_...`, what Marquee stores as the payment's reference.
    pub id: String,
    pub booking_id: BookingId,
    pub amount: Money,
    /// `requires_payment_method`, `succeeded`, `failed` or `canceled`, as Stripe says them,
    /// and `refunded` once all of it went back.
    pub status: String,
    /// How much of it was refunded so far.
    pub refunded_minor: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
