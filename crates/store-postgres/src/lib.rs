//! Marquee's store on PostgreSQL: for several nodes sharing one database.
//!
//! Every node talks to the primary through one pool. Transactions run at PostgreSQL's default
//! READ COMMITTED: a hold takes its seats with one conditional `UPDATE`, which waits for a row
//! another transaction is writing and then re-checks its condition on the committed row, so
//! the database itself decides who gets a seat. Overlapping holds can still deadlock on each
//! other's rows (PostgreSQL aborts one of them); writes that can meet that are retried a few
//! times as a whole. Reads that must agree with each other (a seat map, a list of bookings) run
//! in one REPEATABLE READ, READ ONLY transaction.
//!
//! Times are bound as `timestamptz` from the caller's clock and read back as Unix
//! milliseconds through the schema's `ms()` function, into the row types every backend shares.

mod accounts;
mod bookings;
mod catalog;
mod payments;
mod sandbox;
mod statements;
pub mod testing;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::reads::{self, Which};
use marquee_store::*;
use sqlx::postgres::{PgPool, PgPoolOptions};

pub struct PgStore {
    pool: PgPool,
}

/// Whether an error is the named UNIQUE constraint (or primary key) failing.
pub(crate) fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation() && e.constraint() == Some(constraint))
}

pub(crate) fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_foreign_key_violation())
}

/// How many times a transaction that PostgreSQL aborted to break a deadlock (or for a
/// serialization failure) is run in all before the error is given up to the caller.
pub(crate) const ATTEMPTS: u32 = 5;

/// Whether a store error is PostgreSQL aborting the transaction for a deadlock (40P01) or a
/// serialization failure (40001): running the whole transaction again is then safe.
pub(crate) fn is_retryable(err: &StoreError) -> bool {
    let StoreError::Database(source) = err else {
        return false;
    };
    source
        .downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .and_then(|e| e.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}

/// The statement that starts a read-only transaction whose reads all see one snapshot.
pub(crate) const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

impl PgStore {
    /// Connects to the database at `url`, e.g. `postgres://marquee@db.internal/marquee`, and
    /// brings its schema up to date. Migrations take an advisory lock, so many nodes may start
    /// at once.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(Box::new(e)))?;
        Ok(PgStore { pool })
    }

    /// A write transaction, at READ COMMITTED.
    pub(crate) async fn write(&self) -> StoreResult<statements::Tx> {
        Ok(statements::Tx(self.pool.begin().await?))
    }

    /// Bookings with everything they carry, read in one snapshot.
    pub(crate) async fn load(&self, which: Which) -> StoreResult<Vec<Booking>> {
        let mut tx = statements::Tx(self.pool.begin_with(BEGIN_SNAPSHOT).await?);
        let loaded = reads::load(&mut tx, which).await?;
        tx.0.commit().await?;
        Ok(loaded)
    }

    pub(crate) async fn booking(&self, id: BookingId) -> StoreResult<Option<Booking>> {
        Ok(self.load(Which::One(id)).await?.pop())
    }

    fn on_pool(&self) -> statements::OnPool<'_> {
        statements::OnPool(&self.pool)
    }

    /// Closes the pool, waiting for connections in use to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    /// A few batches in flight overlap one's commit with the next one's statements; more only
    /// queue on the same hot rows.
    fn concurrent_writers(&self) -> usize {
        4
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn create_city(&self, city: NewCity) -> StoreResult<City> {
        catalog::create_city(self, city).await
    }
    async fn create_venue(&self, venue: NewVenue) -> StoreResult<Venue> {
        catalog::create_venue(self, venue).await
    }
    async fn create_auditorium(&self, auditorium: NewAuditorium) -> StoreResult<AuditoriumInfo> {
        catalog::create_auditorium(self, auditorium).await
    }
    async fn replace_layout(
        &self,
        auditorium: AuditoriumId,
        layout: &SeatLayout,
        now: DateTime<Utc>,
    ) -> StoreResult<AuditoriumInfo> {
        catalog::replace_layout(self, auditorium, layout, now).await
    }
    async fn create_event(&self, event: NewEvent) -> StoreResult<Event> {
        catalog::create_event(self, event).await
    }
    async fn schedule_showtime(&self, showtime: NewShowtime) -> StoreResult<ShowtimeInfo> {
        catalog::schedule_showtime(self, showtime).await
    }
    async fn list_cities(&self) -> StoreResult<Vec<City>> {
        catalog::list_cities(self).await
    }
    async fn get_city(&self, id: CityId) -> StoreResult<Option<City>> {
        catalog::get_city(self, id).await
    }
    async fn get_venue(&self, id: VenueId) -> StoreResult<Option<Venue>> {
        catalog::get_venue(self, id).await
    }
    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>> {
        catalog::list_events(self, filter).await
    }
    async fn get_event(&self, id: EventId) -> StoreResult<Option<Event>> {
        catalog::get_event(self, id).await
    }
    async fn list_showtimes(&self, filter: &ShowtimeFilter) -> StoreResult<Vec<ShowtimeInfo>> {
        catalog::list_showtimes(self, filter).await
    }
    async fn get_showtime(
        &self,
        id: ShowtimeId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ShowtimeInfo>> {
        catalog::get_showtime(self, id, now).await
    }
    async fn seat_map(&self, id: ShowtimeId, now: DateTime<Utc>) -> StoreResult<Option<SeatMap>> {
        catalog::seat_map(self, id, now).await
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        accounts::create_user(self, user).await
    }
    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<UserCredentials>> {
        accounts::find_user_by_email(self, email).await
    }
    async fn get_user(&self, id: UserId) -> StoreResult<Option<User>> {
        accounts::get_user(self, id).await
    }
    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        accounts::create_session(self, session).await
    }
    async fn session(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<Session>> {
        accounts::session(self, token_hash, now).await
    }
    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<bool> {
        accounts::delete_session(self, token_hash).await
    }

    async fn hold_seats_batch(
        &self,
        holds: Vec<NewHold>,
    ) -> StoreResult<Committed<Vec<StoreResult<Booking>>>> {
        bookings::hold_batch(self, holds).await
    }
    async fn release_hold(
        &self,
        id: BookingId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Committed<Booking>> {
        bookings::release_hold(self, id, user, now).await
    }
    async fn get_booking(&self, id: BookingId) -> StoreResult<Option<Booking>> {
        self.booking(id).await
    }
    async fn list_bookings(&self, user: UserId) -> StoreResult<Vec<Booking>> {
        self.load(Which::OfUser(user)).await
    }
    async fn expire_stale_holds(&self, now: DateTime<Utc>) -> StoreResult<Committed<u64>> {
        bookings::expire_stale_holds(self, now).await
    }

    async fn start_checkout(&self, payment: NewPayment) -> StoreResult<Payment> {
        payments::start_checkout(self, payment).await
    }
    async fn payment(&self, booking: BookingId) -> StoreResult<Option<Payment>> {
        reads::payment(&mut self.on_pool(), booking).await
    }
    async fn apply_payment_report(
        &self,
        report: PaymentReport,
    ) -> StoreResult<Committed<PaymentApplied>> {
        payments::apply_report(self, report).await
    }
    async fn unsettled_payments(&self, before: DateTime<Utc>) -> StoreResult<Vec<Payment>> {
        reads::unsettled_payments(&mut self.on_pool(), before).await
    }
    async fn booking_of_ticket(&self, code: &TicketCode) -> StoreResult<Option<Booking>> {
        match reads::booking_of_ticket(&mut self.on_pool(), code).await? {
            Some(id) => self.booking(id).await,
            None => Ok(None),
        }
    }
    async fn outbox_kinds(&self, booking: BookingId) -> StoreResult<Vec<String>> {
        reads::outbox_kinds(&mut self.on_pool(), booking).await
    }

    async fn create_sandbox_payment(&self, payment: SandboxPayment) -> StoreResult<SandboxPayment> {
        sandbox::create_payment(self, payment).await
    }
    async fn sandbox_payment(&self, id: &str) -> StoreResult<Option<SandboxPayment>> {
        sandbox::payment(self, id).await
    }
    async fn settle_sandbox_payment(
        &self,
        id: &str,
        from: &str,
        to: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        sandbox::settle(self, id, from, to, now).await
    }
    async fn setting_or_insert(&self, name: &str, value: &str) -> StoreResult<String> {
        sandbox::setting_or_insert(self, name, value).await
    }
}

#[async_trait]
impl UnguardedHold for PgStore {
    async fn hold_seats_unguarded(&self, hold: NewHold) -> StoreResult<Booking> {
        bookings::hold_seats_unguarded(self, hold).await
    }
}
