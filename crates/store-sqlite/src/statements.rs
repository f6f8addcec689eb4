//! SQLite's SQL for the store's shared write step order (`marquee_store::writes`), run in one
//! `BEGIN IMMEDIATE` transaction: it holds the only write lock, so what a statement reads
//! stays so until the commit.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::booking_moves::BookingAt;
use marquee_domain::payment_report::ReportedPayment;
use marquee_domain::*;
use marquee_store::codec::millis;
use marquee_store::payments::{BookedSeatRow, BookingAtRow, ReportRow};
use marquee_store::rows::PaymentRow;
use marquee_store::writes::WriteStatements;
use marquee_store::*;
use sqlx::{Sqlite, Transaction};

pub(crate) const PAYMENT_SELECT: &str =
    "SELECT booking_id, provider, payment_ref, client_secret, checkout_url,
        amount_minor, currency, status, created_at, updated_at FROM payments";

/// A write transaction of the SQLite store.
pub struct Write(pub Transaction<'static, Sqlite>);

#[async_trait]
impl WriteStatements for Write {
    async fn lock_booking(&mut self, id: BookingId) -> StoreResult<Option<BookingAt>> {
        sqlx::query_as::<_, BookingAtRow>(
            "SELECT user_id, showtime_id, status, expires_at, total_minor, currency
             FROM bookings WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(&mut *self.0)
        .await?
        .map(BookingAtRow::decode)
        .transpose()
    }

    async fn set_booking_status(
        &mut self,
        id: BookingId,
        status: BookingStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE bookings SET status = ?, updated_at = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(millis(now))
            .bind(id.0)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn record_transition(&mut self, id: BookingId, t: &Transition) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
             VALUES (?, ?, ?, ?)",
        )
        .bind(id.0)
        .bind(t.from.map(|s| s.as_str()))
        .bind(t.to.as_str())
        .bind(millis(t.at))
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn free_seats(&mut self, id: BookingId, state: SeatState) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
             WHERE booking_id = ? AND status = ? RETURNING label",
        )
        .bind(id.0)
        .bind(state.as_str())
        .fetch_all(&mut *self.0)
        .await?)
    }

    async fn sell_seats(
        &mut self,
        id: BookingId,
        showtime: ShowtimeId,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE showtime_seats SET status = 'sold', booking_id = ?1, held_until = NULL
             WHERE showtime_id = ?2
               AND label IN (SELECT label FROM booking_seats WHERE booking_id = ?1)
               AND (status = 'available'
                    OR (status = 'held' AND (booking_id = ?1 OR held_until <= ?3)))",
        )
        .bind(id.0)
        .bind(showtime.0)
        .bind(millis(now))
        .execute(&mut *self.0)
        .await?
        .rows_affected())
    }

    async fn booking_labels(&mut self, id: BookingId) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT label FROM booking_seats WHERE booking_id = ? ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(&mut *self.0)
        .await?)
    }

    async fn seat_holdings(
        &mut self,
        id: BookingId,
        showtime: ShowtimeId,
    ) -> StoreResult<Vec<SeatHolding>> {
        sqlx::query_as::<_, BookedSeatRow>(
            "SELECT s.label, s.status, s.booking_id, s.held_until
             FROM booking_seats bs JOIN showtime_seats s ON s.showtime_id = ? AND s.label = bs.label
             WHERE bs.booking_id = ?",
        )
        .bind(showtime.0)
        .bind(id.0)
        .fetch_all(&mut *self.0)
        .await?
        .iter()
        .map(BookedSeatRow::decode)
        .collect()
    }

    async fn insert_payment(&mut self, p: &NewPayment) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO payments (booking_id, provider, payment_ref, client_secret, checkout_url,
                                   amount_minor, currency, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8)",
        )
        .bind(p.booking_id.0)
        .bind(&p.provider)
        .bind(&p.payment_ref)
        .bind(&p.client_secret)
        .bind(&p.checkout_url)
        .bind(p.amount.minor)
        .bind(p.amount.currency.as_str())
        .bind(millis(p.now))
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn payment_of(&mut self, booking: BookingId) -> StoreResult<Option<Payment>> {
        sqlx::query_as::<_, PaymentRow>(&format!("{PAYMENT_SELECT} WHERE booking_id = ?"))
            .bind(booking.0)
            .fetch_optional(&mut *self.0)
            .await?
            .map(PaymentRow::decode)
            .transpose()
    }

    async fn set_payment_status(
        &mut self,
        booking: BookingId,
        status: PaymentStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE payments SET status = ?, updated_at = ? WHERE booking_id = ?")
            .bind(status.as_str())
            .bind(millis(now))
            .bind(booking.0)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn remember_event(
        &mut self,
        provider: &str,
        event_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let inserted = sqlx::query(
            "INSERT INTO webhook_events (provider, event_id, received_at) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(provider)
        .bind(event_id)
        .bind(millis(now))
        .execute(&mut *self.0)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    async fn lock_reported(
        &mut self,
        provider: &str,
        payment_ref: &str,
    ) -> StoreResult<Option<(ReportedPayment, ShowtimeId)>> {
        let row = sqlx::query_as::<_, ReportRow>(
            "SELECT b.id AS booking_id, p.amount_minor, b.showtime_id, b.status AS booking_status,
                    b.expires_at, p.status AS payment_status
             FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.provider = ? AND p.payment_ref = ?",
        )
        .bind(provider)
        .bind(payment_ref)
        .fetch_optional(&mut *self.0)
        .await?;
        row.map(|r| Ok((r.decode()?, ShowtimeId(r.showtime_id))))
            .transpose()
    }

    async fn insert_tickets(
        &mut self,
        booking: BookingId,
        tickets: &[(&str, &TicketCode)],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        if tickets.is_empty() {
            return Ok(());
        }
        let mut insert = sqlx::QueryBuilder::<Sqlite>::new(
            "INSERT INTO tickets (code, booking_id, seat, created_at) ",
        );
        insert.push_values(tickets, |mut row, (seat, code)| {
            row.push_bind(code.as_str())
                .push_bind(booking.0)
                .push_bind(*seat)
                .push_bind(millis(now));
        });
        insert.build().execute(&mut *self.0).await?;
        Ok(())
    }

    async fn void_tickets(&mut self, booking: BookingId, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE tickets SET voided_at = ?2 WHERE booking_id = ?1 AND voided_at IS NULL",
        )
        .bind(booking.0)
        .bind(millis(now))
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn queue_message(
        &mut self,
        booking: BookingId,
        kind: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO outbox (kind, booking_id, payload, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(kind)
        .bind(booking.0)
        .bind(payload)
        .bind(millis(now))
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn expire_holds(
        &mut self,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<(i64, i64, String)>, u64)> {
        let now = millis(now);
        // The expiry is recorded at the time the hold ran out, not the time the sweeper came by.
        sqlx::query(
            "INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
             SELECT id, status, 'expired', expires_at FROM bookings
             WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1",
        )
        .bind(now)
        .execute(&mut *self.0)
        .await?;
        let freed: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT s.showtime_id, s.booking_id, s.label
             FROM showtime_seats s JOIN bookings b ON b.id = s.booking_id
             WHERE s.status = 'held' AND b.status IN ('held', 'payment_pending')
               AND b.expires_at <= ?1",
        )
        .bind(now)
        .fetch_all(&mut *self.0)
        .await?;
        sqlx::query(
            "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
             WHERE status = 'held' AND booking_id IN (
                 SELECT id FROM bookings WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1)",
        )
        .bind(now)
        .execute(&mut *self.0)
        .await?;
        let expired = sqlx::query(
            "UPDATE bookings SET status = 'expired', updated_at = ?1
             WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1",
        )
        .bind(now)
        .execute(&mut *self.0)
        .await?
        .rows_affected();
        Ok((freed, expired))
    }
}
