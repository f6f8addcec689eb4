//! The `Store`: everything Marquee keeps, behind one trait with a SQLite and a PostgreSQL
//! implementation (`marquee-store-sqlite`, `marquee-store-postgres`).
//!
//! Each method is one whole unit of work in its own transaction: callers never hold a
//! transaction across the trait. Methods that depend on the time take `now` from the caller's
//! injected clock; no SQL ever asks the database for the time.
//!
//! The `conformance` module (feature `conformance`) is one test suite, written once, that each
//! backend runs against itself.

pub mod accounts;
pub mod audit;
pub mod backend;
pub mod blocked_seats;
pub mod bulk;
pub mod cancellations;
pub mod catalog;
pub mod catalog_edits;
pub mod check_in;
pub mod codec;
mod committed;
pub mod dashboard;
mod error;
pub mod holds;
pub mod housekeeping;
pub mod layout_follow;
pub mod mail;
pub mod node_bridge;
pub mod password_resets;
pub mod payments;
mod pool;
pub mod price_codec;
pub mod reads;
pub mod reminders;
pub mod rows;
pub mod sandbox;
pub mod scheduling;
pub mod search;
pub mod showtime_moves;
pub mod sql;
pub mod staff;
pub mod statements;
mod types;
pub mod writes;

#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "conformance")]
mod unguarded;
#[cfg(feature = "conformance")]
pub use unguarded::UnguardedHold;

pub use audit::{Actor, AuditFilter, AuditRecord};
pub use backend::Backend;
pub use blocked_seats::BlockedSeats;
pub use catalog_edits::{AuditoriumLayout, EventChange, Poster, VenueChange};
pub use committed::{Committed, SeatChangeSink};
pub use dashboard::{CityDay, DashboardData, DashboardQuery};
pub use error::{StoreError, StoreResult};
pub use layout_follow::{LayoutReplaced, ShowtimeLayoutConflict};
pub use password_resets::{NewPasswordReset, OutboxMessage};
pub use pool::{PoolSettings, PoolStats};
pub use scheduling::{NewSchedule, ScheduleClash, ShowtimeMove, ShowtimeMoved};
pub use staff::{Invitation, Joining, NewInvitation, StaffMember, TotpSecret};
pub use types::*;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::{
    Booking, BookingId, City, CityId, Email, Event, EventId, PricePlan, SeatLayout, ShowtimeId,
    StaffAccess, TicketCode, UserId, Venue, VenueId,
};

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is, for logs and health checks: `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// How many write transactions can usefully run at once: SQLite has one writer.
    fn concurrent_writers(&self) -> usize {
        1
    }

    /// Cheap round trip to the database, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;

    /// Brings the query planner's statistics up to date after a bulk load: PostgreSQL plans
    /// for the tables it last analyzed (empty ones, in a new database) until autovacuum gets
    /// to them, and reads a showtime's seats by scanning millions.
    async fn refresh_statistics(&self) -> StoreResult<()>;

    /// Deletes a batch of what nobody needs any more (`housekeeping`).
    async fn purge(&self, purge: housekeeping::Purge) -> StoreResult<housekeeping::Purged>;

    /// A round trip on the reading and on the writing connections (they may be different
    /// pools), for readiness checks.
    async fn ping_reader_and_writer(&self) -> StoreResult<()>;

    /// The connection pools' use now, for metrics.
    fn pool_stats(&self) -> Vec<PoolStats>;

    /// Closes the pools, waiting for connections in use to come back: the last thing a
    /// node does before it exits.
    async fn close(&self);

    /// Claims `node`, the number in this node's booking ids, among the nodes sharing the
    /// database, for as long as this store lives: false when a live node has it, since two
    /// nodes with one number could mint the same booking id. Calling it again checks the claim
    /// still holds (and makes it again if its connection was lost). SQLite serves one node and
    /// always answers true.
    async fn claim_node(&self, node: u16) -> StoreResult<bool>;
    /// Tells the other nodes sharing the database of seat changes this node (numbered `node`)
    /// committed (`node_bridge`); where one node serves there is no one to tell.
    async fn announce_seat_changes(
        &self,
        node: u16,
        changes: &[marquee_domain::SeatChange],
    ) -> StoreResult<()>;
    /// Every node's announced seat changes (this one's too) from now on, as they are heard;
    /// `None` where one node serves.
    async fn hear_seat_changes(
        &self,
    ) -> StoreResult<Option<tokio::sync::mpsc::Receiver<node_bridge::Heard>>>;

    // --- catalog -------------------------------------------------------------------------

    // Writes that staff make take an `Actor`: theirs is recorded in the audit log, in the
    // write's transaction, with the values before and after (`audit`).
    async fn create_city(&self, city: NewCity, by: Actor<City>) -> StoreResult<City>;
    async fn create_venue(&self, venue: NewVenue, by: Actor<Venue>) -> StoreResult<Venue>;
    async fn update_venue(
        &self,
        id: VenueId,
        change: VenueChange,
        by: Actor<Venue>,
    ) -> StoreResult<Venue>;
    /// Every venue by name, or only those named.
    async fn list_venues(&self, venues: Option<Vec<VenueId>>) -> StoreResult<Vec<Venue>>;
    /// Creates an auditorium with version 1 of its layout.
    async fn create_auditorium(
        &self,
        auditorium: NewAuditorium,
        by: Actor<AuditoriumInfo>,
    ) -> StoreResult<AuditoriumInfo>;
    /// Adds a new layout version and makes it current; the hall's upcoming showtimes take it,
    /// all or none (`LayoutConflict` names each that cannot: `layout_follow`).
    async fn replace_layout(
        &self,
        auditorium: marquee_domain::AuditoriumId,
        layout: &SeatLayout,
        now: DateTime<Utc>,
        by: Actor<AuditoriumInfo>,
    ) -> StoreResult<LayoutReplaced>;
    /// An auditorium with the text of its current layout.
    async fn auditorium_layout(
        &self,
        id: marquee_domain::AuditoriumId,
    ) -> StoreResult<Option<AuditoriumLayout>>;
    async fn auditoriums(&self, venue: VenueId) -> StoreResult<Vec<AuditoriumInfo>>;
    async fn create_event(&self, event: NewEvent, by: Actor<Event>) -> StoreResult<Event>;
    async fn update_event(
        &self,
        id: EventId,
        change: EventChange,
        by: Actor<Event>,
    ) -> StoreResult<Event>;
    /// Every event by title, with showtimes or not, a page at a time.
    async fn all_events(&self, limit: u32, offset: u32) -> StoreResult<Vec<Event>>;
    /// Stores an event's poster and points its `poster_url` at `url`.
    async fn set_poster(
        &self,
        id: EventId,
        poster: &Poster,
        url: &str,
        by: Actor<Event>,
        now: DateTime<Utc>,
    ) -> StoreResult<Event>;
    async fn poster(&self, id: EventId) -> StoreResult<Option<Poster>>;
    /// Schedules a showtime on the auditorium's current layout and creates its seat inventory,
    /// all available. Refuses a price list that misses a category of the layout, and a time
    /// when the auditorium is still busy with another showtime (`AuditoriumBusy`).
    async fn schedule_showtime(&self, showtime: NewShowtime) -> StoreResult<ShowtimeInfo>;
    /// Adds every event in one transaction, each as `create_event` writes it by the system
    /// (not audited); answers their ids in order. For loading a large catalog (`bulk`).
    async fn create_events(&self, events: &[NewEvent]) -> StoreResult<Vec<EventId>>;
    /// Schedules every showtime or none, in one transaction, each written as
    /// `schedule_showtime` writes it: its row with its prices, its seat inventory all
    /// available (`bulk`). Refuses what that refuses; clashes as `ScheduleConflict`. Answers
    /// their ids in order.
    async fn schedule_showtimes(&self, showtimes: &[NewShowtime]) -> StoreResult<Vec<ShowtimeId>>;
    /// Schedules every showtime of `schedule` or none, in one transaction, each priced by the
    /// venue's plan at its local start and frozen (`scheduling`). `ScheduleConflict` lists
    /// every clash with the hall's showtimes and within the request; `NoPricePlan` when the
    /// venue has none. Each showtime is audited as `by`'s.
    async fn schedule(
        &self,
        schedule: NewSchedule,
        by: Actor<ShowtimeInfo>,
    ) -> StoreResult<Vec<ShowtimeInfo>>;
    /// Moves or retimes a showtime that has not started, pricing it again for its new start;
    /// one with live bookings only with a reason, carrying their seats over and telling its
    /// customers (`scheduling::move_showtime`); audited as `by`'s.
    async fn move_showtime(
        &self,
        id: ShowtimeId,
        change: ShowtimeMove,
        by: Actor<ShowtimeInfo>,
    ) -> StoreResult<scheduling::ShowtimeMoved>;
    /// Copies a venue's showtimes of one week (given by its Monday) into another, all or
    /// none (`scheduling::copy_week`); each copy audited as `by`'s.
    async fn copy_week(
        &self,
        venue: VenueId,
        from_week: chrono::NaiveDate,
        to_week: chrono::NaiveDate,
        now: DateTime<Utc>,
        by: Actor<ShowtimeInfo>,
    ) -> StoreResult<Vec<ShowtimeInfo>>;
    /// Blocks (`block`) or unblocks seats of a showtime that has not started
    /// (`blocked_seats::set_blocked`); answers its blocked seats, audited as `by`'s.
    async fn set_blocked_seats(
        &self,
        showtime: ShowtimeId,
        labels: &[String],
        block: bool,
        now: DateTime<Utc>,
        by: Actor<BlockedSeats>,
    ) -> StoreResult<Committed<BlockedSeats>>;
    /// A showtime's blocked seats now (`venue` is the showtime's, for the answer).
    async fn blocked_seats(
        &self,
        showtime: ShowtimeId,
        venue: VenueId,
    ) -> StoreResult<BlockedSeats>;
    /// Deletes a showtime that never had a booking (`ShowtimeHasBookings` if it had);
    /// audited as `by`'s.
    async fn delete_showtime(
        &self,
        id: ShowtimeId,
        now: DateTime<Utc>,
        by: Actor<ShowtimeInfo>,
    ) -> StoreResult<ShowtimeInfo>;

    /// A venue's price plan; `None` when it has none yet.
    async fn venue_price_plan(&self, venue: VenueId) -> StoreResult<Option<PricePlan>>;
    /// Replaces a venue's price plan whole; showtimes already scheduled keep their prices.
    /// `NotFound(Venue)` when there is no such venue; audited as `by`'s.
    async fn put_price_plan(
        &self,
        venue: VenueId,
        plan: &PricePlan,
        now: DateTime<Utc>,
        by: Actor<PricePlan>,
    ) -> StoreResult<()>;

    async fn list_cities(&self) -> StoreResult<Vec<City>>;
    async fn get_city(&self, id: CityId) -> StoreResult<Option<City>>;
    async fn get_venue(&self, id: VenueId) -> StoreResult<Option<Venue>>;
    /// Events with at least one showtime matching the filter, by title.
    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>>;
    async fn get_event(&self, id: EventId) -> StoreResult<Option<Event>>;
    /// Showtimes matching the filter, by start time; seat counts as seen at `filter.now`.
    async fn list_showtimes(&self, filter: &ShowtimeFilter) -> StoreResult<Vec<ShowtimeInfo>>;
    async fn get_showtime(
        &self,
        id: ShowtimeId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ShowtimeInfo>>;
    /// A venue's showtimes starting in `[from, until)`, by start, each with its seats sold and
    /// held at `now`, read in one snapshot.
    async fn venue_schedule(
        &self,
        venue: VenueId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<VenueShowtime>>;
    /// Every seat of a showtime with its stored state; apply `ShowtimeSeat::state_at` to read it.
    async fn seat_map(&self, id: ShowtimeId, now: DateTime<Utc>) -> StoreResult<Option<SeatMap>>;

    // --- accounts ------------------------------------------------------------------------

    /// `EmailTaken` when an account has this email already.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<UserCredentials>>;
    async fn get_user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// Sessions are stored by the hash of their token, never the token.
    async fn create_session(&self, session: NewSession) -> StoreResult<()>;
    /// The unexpired session with this token hash.
    async fn session(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<Session>>;
    /// Whether there was such a session.
    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<bool>;
    /// Sets the account's password hash and ends all its sessions, in one transaction.
    /// Whether the account exists.
    async fn change_password(&self, user: UserId, password_hash: &str) -> StoreResult<bool>;
    /// Ends every session of `user` except the one whose token hash is `keep`; how many ended.
    async fn delete_sessions(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64>;
    /// Records a link to reset a forgotten password (by its token's hash) and queues the
    /// outbox message that carries it, in one transaction (`password_resets`).
    async fn start_password_reset(&self, reset: &NewPasswordReset) -> StoreResult<()>;
    /// The account a reset link's token hash stands for, while the link can be used.
    async fn password_reset(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>>;
    /// Uses a reset link once, before it expires: sets the account's password hash, ends its
    /// sessions and its other links, in one transaction. `None` (nothing changed) for a link
    /// unknown, used or expired; of two uses at once, one wins.
    async fn reset_password(
        &self,
        token_hash: &[u8],
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;

    // --- staff and the audit log (`staff`, `audit`) ---------------------------------------

    /// Read on the writing pool: what staff may do is not read from a lagging replica.
    async fn staff_member(&self, user: UserId) -> StoreResult<Option<StaffMember>>;
    /// Every member of staff by email, or those working at one of `venues`.
    async fn list_staff(&self, venues: Option<Vec<VenueId>>) -> StoreResult<Vec<StaffMember>>;
    /// Makes an account staff with `access` (replacing what it had); audited as `by`'s.
    /// `NotFound(User)` or `NotFound(Venue)` for an account or venue that does not exist.
    async fn set_staff_access(
        &self,
        user: UserId,
        access: &StaffAccess,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> StoreResult<StaffMember>;
    /// Ends an account's membership of staff and its sessions; whether it was staff.
    async fn remove_staff(&self, user: UserId, by: UserId, now: DateTime<Utc>)
        -> StoreResult<bool>;
    /// Starts an enrolment of an authenticator with `secret` (the old one, and its recovery
    /// codes, go); false when the account is not staff.
    async fn start_totp(&self, user: UserId, secret: &TotpSecret) -> StoreResult<bool>;
    /// Puts the enrolment of `secret` in force with these recovery codes (hashed), its first
    /// code having been of time step `step`; false when `secret` is not the one enrolling.
    async fn enable_totp(
        &self,
        user: UserId,
        secret: &TotpSecret,
        step: i64,
        recovery_code_hashes: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Takes a code of time step `step`: false when one of this step or a later one was taken
    /// already, so a code counts once across every node.
    async fn take_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool>;
    /// Uses an unused recovery code (by its hash); whether there was one.
    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records an invitation; `NotFound(Venue)` for a venue that does not exist.
    async fn invite_staff(&self, invitation: &NewInvitation) -> StoreResult<()>;
    /// The invitation a token's hash stands for, while it can be taken up.
    async fn staff_invitation(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Invitation>>;
    /// Takes up an invitation (once, before it expires) and makes the account staff, in one
    /// transaction; `None` when it cannot be taken up. `EmailTaken` when a new account is
    /// asked for an email that has one.
    async fn join_staff(
        &self,
        token_hash: &[u8],
        joining: Joining,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<StaffMember>>;
    /// Audit entries, newest first (`AuditFilter`).
    async fn audit_log(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditRecord>>;

    // --- bookings ------------------------------------------------------------------------

    /// Holds all the named seats for a new booking until `hold.expires_at`, or none of them.
    ///
    /// The decision is one conditional update of the seats' rows on the primary: a seat is
    /// taken only if it is available or its hold has expired at `hold.now`. Errors:
    /// `NotFound` (showtime), `NotOnSale`, `UnknownSeats`, `SeatsUnavailable`,
    /// `ReferenceTaken` (pick another reference and try again).
    ///
    /// For tests and tools: it tells no one of the seats it took. The server holds through
    /// `hold_seats_batch`, whose seat changes its hold queue publishes.
    async fn hold_seats(&self, hold: NewHold) -> StoreResult<Booking> {
        self.hold_seats_batch(vec![hold])
            .await?
            .unpublished()
            .pop()
            .unwrap_or_else(|| Err(StoreError::corrupt("a batch of one hold answered nothing")))
    }
    /// Several holds in one transaction and one commit (group commit): each is decided as
    /// `hold_seats` decides it, in order, so a later hold sees the seats an earlier one took.
    /// Answers one result per hold, in order. An outer error means the batch failed as a
    /// whole and nothing of it was written.
    async fn hold_seats_batch(
        &self,
        holds: Vec<NewHold>,
    ) -> StoreResult<Committed<Vec<StoreResult<Booking>>>>;
    /// Releases a live hold of this user's: the booking becomes `released`, its seats free.
    /// `NotFound` for someone else's booking; `InvalidTransition` when it is not held.
    ///
    /// Writes that answer a booking read it back after their commit: the inner result is that
    /// read, so a failure there still hands over the seat changes the write committed.
    async fn release_hold(
        &self,
        id: BookingId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Committed<StoreResult<Booking>>>;
    async fn get_booking(&self, id: BookingId) -> StoreResult<Option<Booking>>;
    /// The ticket with this code as the door sees it: its booking, showtime, seat, and
    /// whether it is void or was admitted (when, by whom).
    async fn door_ticket(&self, code: &TicketCode) -> StoreResult<Option<check_in::DoorTicket>>;
    /// Admits the ticket, once: true when this call admitted it (it was neither admitted nor
    /// void), false otherwise.
    async fn admit_ticket(
        &self,
        code: &TicketCode,
        now: DateTime<Utc>,
        by: UserId,
    ) -> StoreResult<bool>;
    /// A showtime's valid tickets and how many of them were admitted, read now.
    async fn door_counts(&self, showtime: ShowtimeId) -> StoreResult<check_in::DoorCounts>;
    /// Keeps what the customer said of their access needs with the booking, replacing what
    /// was said before.
    async fn set_access_needs(&self, booking: BookingId, needs: &str) -> StoreResult<()>;
    /// What the customer said of their access needs, if anything.
    async fn access_needs(&self, booking: BookingId) -> StoreResult<Option<String>>;
    /// A page of a user's bookings, newest first (`BookingPage`).
    async fn list_bookings(&self, user: UserId, page: BookingPage) -> StoreResult<Vec<Booking>>;
    /// Moves every booking whose hold has run out at `now` (held, or waiting for its payment)
    /// to `expired` and frees its seats (those not already taken by someone else). Returns how
    /// many bookings expired.
    async fn expire_stale_holds(&self, now: DateTime<Utc>) -> StoreResult<Committed<u64>>;

    // --- payments ------------------------------------------------------------------------

    /// Checkout: a live hold of `payment.user_id`'s becomes `payment_pending`, with the payment
    /// the gateway created for it, in one transaction. When its checkout was started already
    /// and it is still waiting, the payment recorded then is answered and nothing changes, so
    /// checking out twice gives one payment. `NotFound` for someone else's booking;
    /// `InvalidTransition` for one that is not a live hold (expired, released, confirmed...).
    async fn start_checkout(&self, payment: NewPayment) -> StoreResult<Payment>;
    /// The payment of a booking, once its checkout was started.
    async fn payment(&self, booking: BookingId) -> StoreResult<Option<Payment>>;
    /// Applies what a gateway reported about a payment to it and its booking, in one
    /// transaction, each event id at most once (invariant 6). A success confirms the booking
    /// (seats sold, a ticket per seat, the confirmation in the outbox) or, when the seats
    /// cannot be had, leaves the payment `refund_due` (invariant 5); `payment_report::plan_report`
    /// (in the domain) has the rules, written so that any order of arrival ends the same.
    async fn apply_payment_report(
        &self,
        report: PaymentReport,
    ) -> StoreResult<Committed<StoreResult<PaymentApplied>>>;
    /// Payments whose outcome is still open (`pending`, `failed` but not canceled at the
    /// gateway, or `refund_due`), as `Unsettled` asks: what the reconciliation job settles.
    async fn unsettled_payments(&self, asked: Unsettled) -> StoreResult<Vec<Payment>>;
    /// A payment whose settling failed is not asked about again for a while, longer after each
    /// failure: a minute, doubling, at most 6 hours.
    async fn postpone_reconciliation(
        &self,
        booking: BookingId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Whether this node (`holder`) has `job`'s turn at `now`: it has when it had it, or when
    /// nobody's lease runs past `now`; having it, its lease runs `lease` from `now`. A job
    /// that one node at a time should run asks before each run.
    async fn take_turn(
        &self,
        job: &str,
        holder: u16,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> StoreResult<bool>;
    /// The booking a ticket code admits to, with its tickets.
    async fn booking_of_ticket(&self, code: &TicketCode) -> StoreResult<Option<Booking>>;
    /// The free seats of `showtimes` at `now`.
    async fn seats_available(
        &self,
        showtimes: &[ShowtimeId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(ShowtimeId, i64)>>;
    /// A mark that changes whenever the catalog does (`search::catalog_mark`).
    async fn catalog_mark(&self) -> StoreResult<String>;
    /// Queues a confirmed booking's tickets to its customer again (`mail::resend_tickets`).
    async fn resend_tickets(
        &self,
        booking: BookingId,
        venue: VenueId,
        by: Actor<BookingId>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The kinds of a booking's outbox messages, oldest first.
    async fn outbox_kinds(&self, booking: BookingId) -> StoreResult<Vec<String>>;
    /// Outbox messages not delivered yet, oldest first, at most `limit`: what the mail worker
    /// sends.
    async fn undelivered_messages(&self, limit: u32) -> StoreResult<Vec<OutboxMessage>>;
    /// Claims outbox messages for `claim.node` to send (see `mail::claim`): no two nodes
    /// claim one message while a claim lasts.
    async fn claim_messages(&self, claim: mail::Claim) -> StoreResult<Vec<mail::ClaimedMessage>>;
    /// Records what became of an attempt at message `id`; a message sent or given up on
    /// stays so (answers false).
    async fn record_delivery(
        &self,
        id: i64,
        outcome: &mail::Outcome,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// The mailbox (mail delivered without SMTP) `filter` lets its reader see, newest first.
    async fn mailbox(&self, filter: mail::MailFilter<'_>) -> StoreResult<Vec<mail::MailboxLetter>>;
    /// Messages given up on that `filter` lets its reader see, most recent first.
    async fn dead_letters(
        &self,
        filter: mail::MailFilter<'_>,
    ) -> StoreResult<Vec<mail::DeadLetter>>;
    /// Where one outbox message stands.
    async fn delivery(&self, id: i64) -> StoreResult<Option<mail::Delivery>>;
    /// The back office's figures of today (see `dashboard`), read in one snapshot.
    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<DashboardData>;

    // --- cancellations and refunds -------------------------------------------------------

    /// Cancels a confirmed booking, whole or some of its seats, in one transaction
    /// (`cancellations::cancel`): the seats are free at once, their tickets void, the refund
    /// owed recorded (due) and the customer's message queued. `CannotCancel` says why not,
    /// `NotFound` for someone else's booking; nothing changes then. A dry run writes nothing.
    async fn cancel_booking(
        &self,
        ask: cancellations::CancelBooking,
    ) -> StoreResult<Committed<cancellations::Cancelled>>;
    /// Bookings whose reference, customer's email or ticket code is `text` (as typed), newest
    /// first, at most `reads::FOUND_LIMIT`: what staff look a booking up by.
    async fn find_bookings(&self, text: &str) -> StoreResult<Vec<Booking>>;
    /// Cancels a showtime: no more sales, live holds released, every confirmed booking
    /// cancelled with a full refund owed (`cancellations::cancel_showtime`); safe to repeat.
    /// The customer keeps the new time of their moved showtime (`MoveNotOpen` when no move
    /// of theirs is open; `NotFound` for someone else's booking).
    async fn keep_moved_booking(
        &self,
        booking: BookingId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// How the showtime's latest move with sales was answered (`showtime_moves::tally`).
    async fn move_tally(
        &self,
        showtime: ShowtimeId,
    ) -> StoreResult<Option<showtime_moves::MoveTally>>;
    /// What `user` may exchange their moved `booking` for (`showtime_moves::exchange_offer`).
    async fn exchange_offer(
        &self,
        booking: BookingId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<showtime_moves::ExchangeOffer>;
    /// Records that the hold `booking` replaces `replaces` once paid.
    async fn link_exchange(
        &self,
        booking: BookingId,
        replaces: BookingId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn cancel_showtime(
        &self,
        ask: cancellations::CancelShowtime,
    ) -> StoreResult<Committed<cancellations::ShowtimeCancelled>>;
    /// How many hours before its showtimes a venue reminds its customers (3 unless set; 0:
    /// never), and setting it (audited).
    async fn reminder_hours(&self, venue: VenueId) -> StoreResult<u32>;
    async fn set_reminder_hours(
        &self,
        venue: VenueId,
        hours: u32,
        by: Actor<u32>,
    ) -> StoreResult<()>;
    /// Queues the `showtime_reminder` of each confirmed booking due one at `now`, once per
    /// booking (`reminders::queue_due`); how many it queued.
    async fn queue_reminders(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<u64>;
    /// A venue's own refund policy, if it set one.
    async fn refund_policy(
        &self,
        venue: VenueId,
    ) -> StoreResult<Option<marquee_domain::cancellation::RefundPolicy>>;
    async fn put_refund_policy(
        &self,
        venue: VenueId,
        policy: &marquee_domain::cancellation::RefundPolicy,
        by: Actor<marquee_domain::cancellation::RefundPolicy>,
    ) -> StoreResult<()>;
    /// Refunds owed that are due to be asked of the gateway at `now`, oldest first.
    async fn refunds_owed(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<cancellations::RefundOwed>>;
    /// How asking the gateway for a cancellation's refund went (`cancellations::asked`).
    async fn refund_asked(
        &self,
        cancellation: i64,
        answer: Result<&str, &str>,
        retry_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The gateway answered that a cancellation's refund succeeded: settles it (and a
    /// cancelled booking with nothing left owed becomes `refunded`).
    async fn refund_succeeded(
        &self,
        cancellation: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<PaymentOutcome>;

    // --- the sandbox gateway's own records, and shared settings ---------------------------

    /// Records a sandbox payment, or answers the one its booking has already.
    async fn create_sandbox_payment(&self, payment: SandboxPayment) -> StoreResult<SandboxPayment>;
    async fn sandbox_payment(&self, id: &str) -> StoreResult<Option<SandboxPayment>>;
    /// Moves a sandbox payment from `from` to `to`; false when it was not in `from` (another
    /// request settled it first).
    async fn settle_sandbox_payment(
        &self,
        id: &str,
        from: &str,
        to: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Refunds part of a succeeded sandbox payment, once per key (`sandbox::refund`).
    async fn refund_sandbox_payment(
        &self,
        payment_id: &str,
        key: &str,
        refund_id: &str,
        amount_minor: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<sandbox::SandboxRefund>;
    /// The setting called `name`, stored as `value` first if it has none: the first node to
    /// ask decides it for all.
    async fn setting_or_insert(&self, name: &str, value: &str) -> StoreResult<String>;
}
