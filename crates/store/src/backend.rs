//! What a backend provides, and `Store` written once over it.
//!
//! A backend crate gives its connections (`Sql` for a transaction and for its pools), how it
//! begins and commits a transaction, whether an aborted one may run again, and the statements
//! whose SQL differs by design (`writes::BatchStatements`: the batched hold path and the
//! sweeper).
//! Every `Store` method is here, once: it runs the shared SQL (`accounts`, `catalog`, `reads`,
//! `sandbox`) or the shared step order (`writes`) inside the backend's transaction.

use crate::audit::{self, Actor, AuditFilter, AuditRecord};
use crate::catalog_edits::{self, AuditoriumLayout, EventChange, Poster, VenueChange};
use crate::holds;
use crate::sql::Sql;
use crate::staff::{self, Invitation, Joining, NewInvitation, StaffMember, TotpSecret};
use crate::writes::{self, BatchStatements, ReportWritten};
use crate::{
    accounts, catalog, dashboard, housekeeping, mail, node_bridge, password_resets, reads, sandbox,
};
use crate::{
    AuditoriumInfo, BlockedSeats, BookingPage, Committed, DashboardData, DashboardQuery,
    EventFilter, NewAuditorium, NewCity, NewEvent, NewHold, NewPasswordReset, NewPayment,
    NewSchedule, NewSession, NewShowtime, NewUser, NewVenue, OutboxMessage, Payment,
    PaymentApplied, PaymentReport, SandboxPayment, SeatMap, Session, ShowtimeFilter, ShowtimeInfo,
    ShowtimeMove, Store, StoreError, StoreResult, Unsettled, User, UserCredentials,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::{
    AuditoriumId, Booking, BookingId, City, CityId, Email, Entity, Event, EventId, PricePlan,
    SeatChange, SeatLayout, ShowtimeId, StaffAccess, TicketCode, UserId, Venue, VenueId,
};

/// How many times a write that the database aborted to break a deadlock (or for a
/// serialization failure) is run in all before its error is given up to the caller.
pub const ATTEMPTS: u32 = 5;

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// A transaction: a write one (`begin_write`) or a read-only snapshot (`begin_snapshot`),
    /// with the backend's own SQL for batches.
    type Tx: BatchStatements;
    /// A pool, for statements that need no transaction of their own.
    type Pool<'a>: Sql
    where
        Self: 'a;

    /// `sqlite` or `postgres`.
    fn name(&self) -> &'static str;
    /// The statement that brings the planner's statistics up to date (`Store::refresh_statistics`).
    fn statistics_statement(&self) -> &'static str;
    /// How many write transactions can usefully run at once.
    fn writers(&self) -> usize;
    fn reading(&self) -> Self::Pool<'_>;
    fn writing(&self) -> Self::Pool<'_>;
    async fn begin_write(&self) -> StoreResult<Self::Tx>;
    /// A read-only transaction whose reads all see one snapshot.
    async fn begin_snapshot(&self) -> StoreResult<Self::Tx>;
    async fn commit(&self, tx: Self::Tx) -> StoreResult<()>;
    /// Whether a write the database aborted may be run again as a whole.
    fn retryable(&self, _error: &StoreError) -> bool {
        false
    }
    /// The pools' use now.
    fn pool_stats(&self) -> Vec<crate::PoolStats>;
    /// Closes the pools.
    async fn close_pools(&self);
    /// Claims a node number among the nodes sharing the database (see `Store::claim_node`).
    /// A backend that serves one node only has nothing to claim.
    async fn lock_node_number(&self, _node: u16) -> StoreResult<bool> {
        Ok(true)
    }
    /// Sends `payloads` to the nodes listening on `channel` (see `node_bridge`). A backend
    /// that serves one node only has no one to tell.
    async fn notify(&self, _channel: &str, _payloads: &[String]) -> StoreResult<()> {
        Ok(())
    }
    /// What is sent on `channel` from now on, as it is heard: `None` for a lost connection,
    /// made again, that may have missed some. `None` where one node serves.
    async fn listen(
        &self,
        _channel: &'static str,
    ) -> StoreResult<Option<tokio::sync::mpsc::Receiver<Option<String>>>> {
        Ok(None)
    }
}

/// Runs `$body` (an expression of `$tx`, the transaction) in a write transaction of
/// `$backend` and commits it; runs it all again when the database aborted it and the backend
/// says that may be done (a deadlock), up to `ATTEMPTS` times. A macro, not a function: the
/// body borrows the transaction and the caller's values, which a closure's future cannot.
macro_rules! in_write {
    ($backend:expr, $what:literal, |$tx:ident| $body:expr) => {{
        let mut attempt = 1;
        loop {
            let run = async {
                let mut $tx = $backend.begin_write().await?;
                let value = $body.await?;
                $backend.commit($tx).await?;
                Ok(value)
            };
            match run.await {
                Err(err) if attempt < ATTEMPTS && $backend.retryable(&err) => {
                    tracing::debug!(
                        attempt,
                        "{} aborted by the database, running it again: {err}",
                        $what
                    );
                    attempt += 1;
                }
                done => break done,
            }
        }
    }};
}

/// Bookings with everything they carry, read in one snapshot.
async fn load<B: Backend>(backend: &B, which: reads::Which<'_>) -> StoreResult<Vec<Booking>> {
    let mut tx = backend.begin_snapshot().await?;
    let loaded = reads::load(&mut tx, which).await?;
    backend.commit(tx).await?;
    Ok(loaded)
}

async fn booking<B: Backend>(backend: &B, id: BookingId) -> StoreResult<Option<Booking>> {
    Ok(load(backend, reads::Which::One(id)).await?.pop())
}

#[async_trait]
impl<B: Backend> Store for B {
    fn backend(&self) -> &'static str {
        self.name()
    }

    fn concurrent_writers(&self) -> usize {
        self.writers()
    }

    async fn ping(&self) -> StoreResult<()> {
        self.reading().execute("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        self.writing()
            .execute(self.statistics_statement(), &[])
            .await?;
        Ok(())
    }

    async fn purge(&self, purge: housekeeping::Purge) -> StoreResult<housekeeping::Purged> {
        in_write!(self, "housekeeping", |tx| housekeeping::purge(
            &mut tx, purge
        ))
    }

    async fn ping_reader_and_writer(&self) -> StoreResult<()> {
        self.reading().execute("SELECT 1", &[]).await?;
        self.writing().execute("SELECT 1", &[]).await?;
        Ok(())
    }

    fn pool_stats(&self) -> Vec<crate::PoolStats> {
        Backend::pool_stats(self)
    }

    async fn close(&self) {
        self.close_pools().await
    }

    async fn claim_node(&self, node: u16) -> StoreResult<bool> {
        self.lock_node_number(node).await
    }

    async fn announce_seat_changes(&self, node: u16, changes: &[SeatChange]) -> StoreResult<()> {
        let notices: Vec<String> = changes
            .iter()
            .flat_map(|change| node_bridge::notices(node, change))
            .collect();
        self.notify(node_bridge::CHANNEL, &notices).await
    }

    async fn hear_seat_changes(
        &self,
    ) -> StoreResult<Option<tokio::sync::mpsc::Receiver<node_bridge::Heard>>> {
        let Some(mut heard) = self.listen(node_bridge::CHANNEL).await? else {
            return Ok(None);
        };
        let (tell, told) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(async move {
            while let Some(payload) = heard.recv().await {
                let item = match payload {
                    Some(payload) => match node_bridge::heard(&payload) {
                        Some(item) => item,
                        None => continue,
                    },
                    None => node_bridge::Heard::Gap,
                };
                if tell.send(item).await.is_err() {
                    break;
                }
            }
        });
        Ok(Some(told))
    }

    async fn create_city(&self, city: NewCity, by: Actor<City>) -> StoreResult<City> {
        in_write!(self, "new city", |tx| catalog::create_city(
            &mut tx,
            city.clone(),
            &by
        ))
    }
    async fn create_venue(&self, venue: NewVenue, by: Actor<Venue>) -> StoreResult<Venue> {
        in_write!(self, "new venue", |tx| catalog::create_venue(
            &mut tx,
            venue.clone(),
            &by
        ))
    }
    async fn update_venue(
        &self,
        id: VenueId,
        change: VenueChange,
        by: Actor<Venue>,
    ) -> StoreResult<Venue> {
        in_write!(self, "venue change", |tx| catalog_edits::update_venue(
            &mut tx,
            id,
            change.clone(),
            &by
        ))
    }
    async fn list_venues(&self, venues: Option<Vec<VenueId>>) -> StoreResult<Vec<Venue>> {
        catalog_edits::list_venues(&mut self.reading(), venues.as_deref()).await
    }
    async fn create_auditorium(
        &self,
        auditorium: NewAuditorium,
        by: Actor<AuditoriumInfo>,
    ) -> StoreResult<AuditoriumInfo> {
        in_write!(self, "new auditorium", |tx| catalog::create_auditorium(
            &mut tx,
            auditorium.clone(),
            &by
        ))
    }
    async fn replace_layout(
        &self,
        auditorium: AuditoriumId,
        layout: &SeatLayout,
        now: DateTime<Utc>,
        by: Actor<AuditoriumInfo>,
    ) -> StoreResult<crate::LayoutReplaced> {
        in_write!(self, "new layout", |tx| catalog::replace_layout(
            &mut tx, auditorium, layout, now, &by
        ))
    }
    async fn auditorium_layout(&self, id: AuditoriumId) -> StoreResult<Option<AuditoriumLayout>> {
        catalog_edits::auditorium_layout(&mut self.reading(), id).await
    }
    async fn auditoriums(&self, venue: VenueId) -> StoreResult<Vec<AuditoriumInfo>> {
        catalog_edits::auditoriums(&mut self.reading(), venue).await
    }
    async fn create_event(&self, event: NewEvent, by: Actor<Event>) -> StoreResult<Event> {
        in_write!(self, "new event", |tx| catalog::create_event(
            &mut tx,
            event.clone(),
            &by
        ))
    }
    async fn update_event(
        &self,
        id: EventId,
        change: EventChange,
        by: Actor<Event>,
    ) -> StoreResult<Event> {
        in_write!(self, "event change", |tx| catalog_edits::update_event(
            &mut tx,
            id,
            change.clone(),
            &by
        ))
    }
    async fn all_events(&self, limit: u32, offset: u32) -> StoreResult<Vec<Event>> {
        catalog_edits::all_events(&mut self.reading(), limit, offset).await
    }
    async fn set_poster(
        &self,
        id: EventId,
        poster: &Poster,
        url: &str,
        by: Actor<Event>,
        now: DateTime<Utc>,
    ) -> StoreResult<Event> {
        in_write!(self, "new poster", |tx| catalog_edits::set_poster(
            &mut tx, id, poster, url, &by, now
        ))
    }
    async fn poster(&self, id: EventId) -> StoreResult<Option<Poster>> {
        catalog_edits::poster(&mut self.reading(), id).await
    }

    // --- staff and the audit log -----------------------------------------------------------

    async fn staff_member(&self, user: UserId) -> StoreResult<Option<StaffMember>> {
        staff::member(&mut self.writing(), user).await
    }
    async fn list_staff(&self, venues: Option<Vec<VenueId>>) -> StoreResult<Vec<StaffMember>> {
        staff::list(&mut self.reading(), venues.as_deref()).await
    }
    async fn set_staff_access(
        &self,
        user: UserId,
        access: &StaffAccess,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> StoreResult<StaffMember> {
        in_write!(self, "staff access", |tx| staff::set_access(
            &mut tx, user, access, by, now
        ))
    }
    async fn remove_staff(
        &self,
        user: UserId,
        by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        in_write!(self, "staff removal", |tx| staff::remove(
            &mut tx, user, by, now
        ))
    }
    async fn start_totp(&self, user: UserId, secret: &TotpSecret) -> StoreResult<bool> {
        in_write!(self, "totp enrolment", |tx| staff::start_totp(
            &mut tx, user, secret
        ))
    }
    async fn enable_totp(
        &self,
        user: UserId,
        secret: &TotpSecret,
        step: i64,
        recovery_code_hashes: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        in_write!(self, "totp enabling", |tx| staff::enable_totp(
            &mut tx,
            user,
            secret,
            step,
            recovery_code_hashes,
            now
        ))
    }
    async fn take_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool> {
        staff::take_totp_step(&mut self.writing(), user, step).await
    }
    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        staff::use_recovery_code(&mut self.writing(), user, code_hash, now).await
    }
    async fn invite_staff(&self, invitation: &NewInvitation) -> StoreResult<()> {
        in_write!(self, "staff invitation", |tx| staff::invite(
            &mut tx, invitation
        ))
    }
    async fn staff_invitation(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Invitation>> {
        staff::invitation(&mut self.writing(), token_hash, now).await
    }
    async fn join_staff(
        &self,
        token_hash: &[u8],
        joining: Joining,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<StaffMember>> {
        in_write!(self, "joining the staff", |tx| staff::join(
            &mut tx,
            token_hash,
            joining.clone(),
            now
        ))
    }
    async fn audit_log(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
        audit::list(&mut self.reading(), filter).await
    }
    async fn schedule_showtime(&self, showtime: NewShowtime) -> StoreResult<ShowtimeInfo> {
        in_write!(self, "scheduling", |tx| catalog::schedule_showtime(
            &mut tx,
            showtime.clone()
        ))
    }
    async fn create_events(&self, events: &[NewEvent]) -> StoreResult<Vec<EventId>> {
        in_write!(self, "adding events", |tx| crate::bulk::create_events(
            &mut tx, events
        ))
    }
    async fn schedule_showtimes(&self, showtimes: &[NewShowtime]) -> StoreResult<Vec<ShowtimeId>> {
        in_write!(self, "scheduling", |tx| crate::bulk::schedule_showtimes(
            &mut tx, showtimes
        ))
    }
    async fn schedule(
        &self,
        schedule: NewSchedule,
        by: Actor<ShowtimeInfo>,
    ) -> StoreResult<Vec<ShowtimeInfo>> {
        in_write!(self, "scheduling", |tx| crate::scheduling::schedule(
            &mut tx, &schedule, &by
        ))
    }
    async fn move_showtime(
        &self,
        id: ShowtimeId,
        change: ShowtimeMove,
        by: Actor<ShowtimeInfo>,
    ) -> StoreResult<crate::scheduling::ShowtimeMoved> {
        in_write!(self, "moving a showtime", |tx| {
            crate::scheduling::move_showtime(&mut tx, id, &change, &by)
        })
    }
    async fn copy_week(
        &self,
        venue: VenueId,
        from_week: chrono::NaiveDate,
        to_week: chrono::NaiveDate,
        now: DateTime<Utc>,
        by: Actor<ShowtimeInfo>,
    ) -> StoreResult<Vec<ShowtimeInfo>> {
        in_write!(self, "copying a week", |tx| crate::scheduling::copy_week(
            &mut tx, venue, from_week, to_week, now, &by
        ))
    }
    async fn set_blocked_seats(
        &self,
        showtime: ShowtimeId,
        labels: &[String],
        block: bool,
        now: DateTime<Utc>,
        by: Actor<BlockedSeats>,
    ) -> StoreResult<Committed<BlockedSeats>> {
        let (blocked, changes) = in_write!(self, "blocking seats", |tx| {
            crate::blocked_seats::set_blocked(&mut tx, showtime, labels, block, now, &by)
        })?;
        Ok(Committed::new(blocked, changes))
    }
    async fn blocked_seats(
        &self,
        showtime: ShowtimeId,
        venue: VenueId,
    ) -> StoreResult<BlockedSeats> {
        crate::blocked_seats::blocked(&mut self.reading(), showtime, venue).await
    }
    async fn delete_showtime(
        &self,
        id: ShowtimeId,
        now: DateTime<Utc>,
        by: Actor<ShowtimeInfo>,
    ) -> StoreResult<ShowtimeInfo> {
        in_write!(self, "deleting a showtime", |tx| {
            crate::scheduling::delete_showtime(&mut tx, id, now, &by)
        })
    }
    async fn venue_price_plan(&self, venue: VenueId) -> StoreResult<Option<PricePlan>> {
        catalog::venue_price_plan(&mut self.reading(), venue).await
    }
    async fn put_price_plan(
        &self,
        venue: VenueId,
        plan: &PricePlan,
        now: DateTime<Utc>,
        by: Actor<PricePlan>,
    ) -> StoreResult<()> {
        in_write!(self, "price plan", |tx| catalog::put_price_plan(
            &mut tx, venue, plan, now, &by
        ))
    }
    async fn list_cities(&self) -> StoreResult<Vec<City>> {
        catalog::list_cities(&mut self.reading()).await
    }
    async fn get_city(&self, id: CityId) -> StoreResult<Option<City>> {
        catalog::get_city(&mut self.reading(), id).await
    }
    async fn get_venue(&self, id: VenueId) -> StoreResult<Option<Venue>> {
        catalog::get_venue(&mut self.reading(), id).await
    }
    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>> {
        catalog::list_events(&mut self.reading(), filter).await
    }
    async fn get_event(&self, id: EventId) -> StoreResult<Option<Event>> {
        catalog::get_event(&mut self.reading(), id).await
    }
    async fn list_showtimes(&self, filter: &ShowtimeFilter) -> StoreResult<Vec<ShowtimeInfo>> {
        catalog::list_showtimes(&mut self.reading(), filter).await
    }
    async fn get_showtime(
        &self,
        id: ShowtimeId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ShowtimeInfo>> {
        catalog::get_showtime(&mut self.reading(), id, now).await
    }
    async fn venue_schedule(
        &self,
        venue: VenueId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<crate::VenueShowtime>> {
        let mut tx = self.begin_snapshot().await?;
        let week = catalog::venue_schedule(&mut tx, venue, from, until, now).await?;
        self.commit(tx).await?;
        Ok(week)
    }
    async fn seat_map(&self, id: ShowtimeId, now: DateTime<Utc>) -> StoreResult<Option<SeatMap>> {
        let mut tx = self.begin_snapshot().await?;
        let map = catalog::seat_map(&mut tx, id, now).await?;
        self.commit(tx).await?;
        Ok(map)
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        accounts::create_user(&mut self.writing(), user).await
    }
    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<UserCredentials>> {
        accounts::find_user_by_email(&mut self.reading(), email).await
    }
    async fn get_user(&self, id: UserId) -> StoreResult<Option<User>> {
        accounts::get_user(&mut self.reading(), id).await
    }
    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        accounts::create_session(&mut self.writing(), session).await
    }
    async fn session(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<Session>> {
        accounts::session(&mut self.reading(), token_hash, now).await
    }
    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<bool> {
        accounts::delete_session(&mut self.writing(), token_hash).await
    }
    async fn change_password(&self, user: UserId, password_hash: &str) -> StoreResult<bool> {
        in_write!(self, "password change", |tx| accounts::change_password(
            &mut tx,
            user,
            password_hash
        ))
    }
    async fn delete_sessions(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64> {
        accounts::delete_sessions(&mut self.writing(), user, keep).await
    }
    async fn start_password_reset(&self, reset: &NewPasswordReset) -> StoreResult<()> {
        in_write!(self, "password reset link", |tx| password_resets::start(
            &mut tx, reset
        ))
    }
    async fn password_reset(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>> {
        // On the writing pool: a link just made or just used is seen as it is.
        password_resets::usable(&mut self.writing(), token_hash, now).await
    }
    async fn reset_password(
        &self,
        token_hash: &[u8],
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        in_write!(self, "password reset", |tx| password_resets::use_link(
            &mut tx,
            token_hash,
            password_hash,
            now
        ))
    }

    async fn hold_seats_batch(
        &self,
        holds: Vec<NewHold>,
    ) -> StoreResult<Committed<Vec<StoreResult<Booking>>>> {
        let plan = in_write!(self, "holds", |tx| writes::hold_batch(&mut tx, &holds))?;
        Ok(holds::committed(plan))
    }
    async fn release_hold(
        &self,
        id: BookingId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Committed<StoreResult<Booking>>> {
        let changes = in_write!(self, "release", |tx| writes::release_hold(
            &mut tx, id, user, now
        ))?;
        let released = booking(self, id)
            .await
            .and_then(|b| b.ok_or(StoreError::NotFound(Entity::Booking)));
        Ok(Committed::new(released, changes))
    }
    async fn get_booking(&self, id: BookingId) -> StoreResult<Option<Booking>> {
        booking(self, id).await
    }
    async fn door_ticket(
        &self,
        code: &TicketCode,
    ) -> StoreResult<Option<crate::check_in::DoorTicket>> {
        crate::check_in::ticket(&mut self.reading(), code).await
    }
    async fn admit_ticket(
        &self,
        code: &TicketCode,
        now: DateTime<Utc>,
        by: UserId,
    ) -> StoreResult<bool> {
        crate::check_in::admit(&mut self.writing(), code, now, by).await
    }
    async fn door_counts(&self, showtime: ShowtimeId) -> StoreResult<crate::check_in::DoorCounts> {
        crate::check_in::counts(&mut self.reading(), showtime).await
    }
    async fn set_access_needs(&self, booking: BookingId, needs: &str) -> StoreResult<()> {
        in_write!(self, "access needs", |tx| async {
            tx.execute(
                "INSERT INTO booking_access_needs (booking_id, needs) VALUES ($1, $2)
                 ON CONFLICT (booking_id) DO UPDATE SET needs = excluded.needs",
                crate::args![booking.0, needs],
            )
            .await
        })?;
        Ok(())
    }
    async fn access_needs(&self, booking: BookingId) -> StoreResult<Option<String>> {
        Ok(self
            .reading()
            .fetch_column(
                "SELECT needs FROM booking_access_needs WHERE booking_id = $1",
                crate::args![booking.0],
            )
            .await?
            .pop())
    }
    async fn list_bookings(&self, user: UserId, page: BookingPage) -> StoreResult<Vec<Booking>> {
        load(self, reads::Which::OfUser(user, page)).await
    }
    async fn expire_stale_holds(&self, now: DateTime<Utc>) -> StoreResult<Committed<u64>> {
        let (expired, changes) = in_write!(self, "expiry", |tx| writes::expire_stale_holds(
            &mut tx, now
        ))?;
        Ok(Committed::new(expired, changes))
    }

    async fn start_checkout(&self, payment: NewPayment) -> StoreResult<Payment> {
        in_write!(self, "checkout", |tx| writes::start_checkout(
            &mut tx,
            payment.clone()
        ))
    }
    async fn payment(&self, booking: BookingId) -> StoreResult<Option<Payment>> {
        reads::payment(&mut self.reading(), booking).await
    }
    async fn apply_payment_report(
        &self,
        report: PaymentReport,
    ) -> StoreResult<Committed<StoreResult<PaymentApplied>>> {
        let written = in_write!(self, "payment report", |tx| writes::apply_report(
            &mut tx, &report
        ))?;
        let ReportWritten {
            outcome,
            booking: id,
            changes,
            unlike,
            exchanged,
        } = written;
        let applied = match id {
            Some(id) => booking(self, id).await,
            None => Ok(None),
        }
        .map(|booking| PaymentApplied {
            outcome,
            booking,
            unlike,
            exchanged,
        });
        Ok(Committed::new(applied, changes))
    }
    async fn cancel_booking(
        &self,
        ask: crate::cancellations::CancelBooking,
    ) -> StoreResult<Committed<crate::cancellations::Cancelled>> {
        let cancelled = in_write!(self, "cancellation", |tx| crate::cancellations::cancel(
            &mut tx, &ask
        ))?;
        let changes = crate::cancellations::seat_change(&cancelled, ask.booking);
        Ok(Committed::new(cancelled, changes))
    }
    async fn keep_moved_booking(
        &self,
        booking: BookingId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        in_write!(self, "keeping a moved booking", |tx| {
            crate::showtime_moves::keep(&mut tx, booking, user, now)
        })
    }
    async fn seats_available(
        &self,
        showtimes: &[ShowtimeId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(ShowtimeId, i64)>> {
        crate::search::seats_available(&mut self.reading(), showtimes, now).await
    }
    async fn catalog_mark(&self) -> StoreResult<String> {
        crate::search::catalog_mark(&mut self.reading()).await
    }
    async fn resend_tickets(
        &self,
        booking: BookingId,
        venue: VenueId,
        by: Actor<BookingId>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        in_write!(self, "resending tickets", |tx| {
            crate::mail::resend_tickets(&mut tx, booking, venue, &by, now)
        })
    }
    async fn move_tally(
        &self,
        showtime: ShowtimeId,
    ) -> StoreResult<Option<crate::showtime_moves::MoveTally>> {
        crate::showtime_moves::tally(&mut self.reading(), showtime).await
    }
    async fn exchange_offer(
        &self,
        booking: BookingId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<crate::showtime_moves::ExchangeOffer> {
        let mut reading = self.reading();
        crate::showtime_moves::exchange_offer(&mut reading, booking, user, now).await
    }
    async fn link_exchange(
        &self,
        booking: BookingId,
        replaces: BookingId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        in_write!(self, "linking an exchange", |tx| {
            crate::showtime_moves::link_exchange(&mut tx, booking, replaces, now)
        })
    }
    async fn cancel_showtime(
        &self,
        ask: crate::cancellations::CancelShowtime,
    ) -> StoreResult<Committed<crate::cancellations::ShowtimeCancelled>> {
        let (done, changes) = in_write!(self, "showtime cancellation", |tx| {
            crate::cancellations::cancel_showtime(&mut tx, &ask)
        })?;
        Ok(Committed::new(done, changes))
    }
    async fn reminder_hours(&self, venue: VenueId) -> StoreResult<u32> {
        crate::reminders::hours_before(&mut self.reading(), venue).await
    }
    async fn set_reminder_hours(
        &self,
        venue: VenueId,
        hours: u32,
        by: Actor<u32>,
    ) -> StoreResult<()> {
        in_write!(self, "reminder hours", |tx| {
            crate::reminders::set_hours_before(&mut tx, venue, hours, &by)
        })
    }
    async fn queue_reminders(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<u64> {
        in_write!(self, "reminders", |tx| crate::reminders::queue_due(
            &mut tx, now, limit
        ))
    }
    async fn find_bookings(&self, text: &str) -> StoreResult<Vec<Booking>> {
        load(self, reads::Which::Found(text)).await
    }
    async fn refund_policy(
        &self,
        venue: VenueId,
    ) -> StoreResult<Option<marquee_domain::cancellation::RefundPolicy>> {
        crate::cancellations::policy(&mut self.reading(), venue).await
    }
    async fn put_refund_policy(
        &self,
        venue: VenueId,
        policy: &marquee_domain::cancellation::RefundPolicy,
        by: Actor<marquee_domain::cancellation::RefundPolicy>,
    ) -> StoreResult<()> {
        in_write!(
            self,
            "refund policy",
            |tx| crate::cancellations::put_policy(&mut tx, venue, policy, &by)
        )
    }
    async fn refunds_owed(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<crate::cancellations::RefundOwed>> {
        crate::cancellations::owed(&mut self.reading(), now, limit).await
    }
    async fn refund_asked(
        &self,
        cancellation: i64,
        answer: Result<&str, &str>,
        retry_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        crate::cancellations::asked(&mut self.writing(), cancellation, answer, retry_at).await
    }
    async fn refund_succeeded(
        &self,
        cancellation: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<marquee_domain::PaymentOutcome> {
        in_write!(self, "refund settled", |tx| {
            crate::cancellations::settle_one(&mut tx, cancellation, now)
        })
    }
    async fn unsettled_payments(&self, asked: Unsettled) -> StoreResult<Vec<Payment>> {
        reads::unsettled_payments(&mut self.reading(), asked).await
    }
    async fn postpone_reconciliation(
        &self,
        booking: BookingId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        housekeeping::postpone_reconciliation(&mut self.writing(), booking, now).await
    }
    async fn take_turn(
        &self,
        job: &str,
        holder: u16,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> StoreResult<bool> {
        housekeeping::take_turn(&mut self.writing(), job, holder, now, lease).await
    }
    async fn booking_of_ticket(&self, code: &TicketCode) -> StoreResult<Option<Booking>> {
        match reads::booking_of_ticket(&mut self.reading(), code).await? {
            Some(id) => booking(self, id).await,
            None => Ok(None),
        }
    }
    async fn outbox_kinds(&self, booking: BookingId) -> StoreResult<Vec<String>> {
        reads::outbox_kinds(&mut self.reading(), booking).await
    }
    async fn undelivered_messages(&self, limit: u32) -> StoreResult<Vec<OutboxMessage>> {
        password_resets::undelivered(&mut self.writing(), limit).await
    }
    async fn claim_messages(&self, claim: mail::Claim) -> StoreResult<Vec<mail::ClaimedMessage>> {
        in_write!(self, "claiming mail", |tx| mail::claim(&mut tx, claim))
    }
    async fn record_delivery(
        &self,
        id: i64,
        outcome: &mail::Outcome,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        in_write!(self, "recording a delivery", |tx| mail::record(
            &mut tx, id, outcome, now
        ))
    }
    async fn mailbox(&self, filter: mail::MailFilter<'_>) -> StoreResult<Vec<mail::MailboxLetter>> {
        mail::mailbox(&mut self.reading(), filter).await
    }
    async fn dead_letters(
        &self,
        filter: mail::MailFilter<'_>,
    ) -> StoreResult<Vec<mail::DeadLetter>> {
        mail::dead_letters(&mut self.reading(), filter).await
    }
    async fn delivery(&self, id: i64) -> StoreResult<Option<mail::Delivery>> {
        mail::delivery(&mut self.writing(), id).await
    }
    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<DashboardData> {
        let mut tx = self.begin_snapshot().await?;
        let figures = dashboard::dashboard(&mut tx, query).await?;
        self.commit(tx).await?;
        Ok(figures)
    }

    async fn create_sandbox_payment(&self, payment: SandboxPayment) -> StoreResult<SandboxPayment> {
        sandbox::create_payment(&mut self.writing(), payment).await
    }
    async fn sandbox_payment(&self, id: &str) -> StoreResult<Option<SandboxPayment>> {
        sandbox::payment(&mut self.reading(), id).await
    }
    async fn settle_sandbox_payment(
        &self,
        id: &str,
        from: &str,
        to: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        sandbox::settle(&mut self.writing(), id, from, to, now).await
    }
    async fn refund_sandbox_payment(
        &self,
        payment_id: &str,
        key: &str,
        refund_id: &str,
        amount_minor: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<sandbox::SandboxRefund> {
        in_write!(self, "sandbox refund", |tx| sandbox::refund(
            &mut tx,
            payment_id,
            key,
            refund_id,
            amount_minor,
            now
        ))
    }
    async fn setting_or_insert(&self, name: &str, value: &str) -> StoreResult<String> {
        sandbox::setting_or_insert(&mut self.writing(), name, value).await
    }
}
