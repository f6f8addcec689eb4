//! Marquee's store on an embedded SQLite file: the default, for one machine.
//!
//! SQLite lets one writer in at a time, so this store keeps exactly one writing connection and
//! a few reading ones (WAL mode lets readers go on while the writer writes). Every write
//! transaction starts with `BEGIN IMMEDIATE`, taking the write lock up front, so a transaction
//! never fails half-way because another one upgraded to writing first. With
//! `synchronous = NORMAL` in WAL mode a committed transaction survives the process being
//! killed (not a power cut in the same instant).

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
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

/// Whether an error is a UNIQUE constraint failing on this table.column.
pub(crate) fn is_unique_violation(err: &sqlx::Error, column: &str) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation() && e.message().contains(column))
}

pub(crate) fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_foreign_key_violation())
}

impl SqliteStore {
    /// Opens (creating it if missing) and migrates the database at `url`, e.g.
    /// `sqlite://marquee.db` or `sqlite:///var/lib/marquee/marquee.db`.
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|e| StoreError::Database(Box::new(e)))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { writer, reader })
    }

    /// A write transaction: `BEGIN IMMEDIATE` takes the write lock up front.
    pub(crate) async fn write(&self) -> StoreResult<statements::Tx> {
        Ok(statements::Tx(
            self.writer.begin_with("BEGIN IMMEDIATE").await?,
        ))
    }

    /// Bookings with everything they carry, read in one snapshot.
    pub(crate) async fn load(&self, which: Which) -> StoreResult<Vec<Booking>> {
        let mut tx = statements::Tx(self.reader.begin().await?);
        let loaded = reads::load(&mut tx, which).await?;
        tx.0.commit().await?;
        Ok(loaded)
    }

    pub(crate) async fn booking(&self, id: BookingId) -> StoreResult<Option<Booking>> {
        Ok(self.load(Which::One(id)).await?.pop())
    }

    fn on_pool(&self) -> statements::OnPool<'_> {
        statements::OnPool(&self.reader)
    }

    /// Closes both pools, so the file can be removed.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
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
impl UnguardedHold for SqliteStore {
    async fn hold_seats_unguarded(&self, hold: NewHold) -> StoreResult<Booking> {
        bookings::hold_unguarded(self, hold).await
    }
}
