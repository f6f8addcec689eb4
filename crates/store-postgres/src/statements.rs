//! PostgreSQL's SQL for the store's shared write step order (`marquee_store::writes`), run in
//! one READ COMMITTED transaction. Rows a decision reads are locked (`FOR UPDATE`), so a
//! report, a checkout, a release and the sweeper take turns on one booking; times are bound
//! as `timestamptz` and read back as milliseconds (`ms()`), compared at the precision the
//! plan read them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::booking_moves::BookingAt;
use marquee_domain::payment_report::ReportedPayment;
use marquee_domain::*;
use marquee_store::payments::{BookedSeatRow, BookingAtRow, ReportRow};
use marquee_store::rows::PaymentRow;
use marquee_store::writes::WriteStatements;
use marquee_store::*;
use sqlx::{Postgres, Transaction};

pub(crate) const PAYMENT_SELECT: &str =
    "SELECT booking_id, provider, payment_ref, client_secret, checkout_url,
        amount_minor, currency, status, ms(created_at) AS created_at, ms(updated_at) AS updated_at
        FROM payments";

/// A write transaction of the PostgreSQL store.
pub struct Write(pub Transaction<'static, Postgres>);

#[async_trait]
impl WriteStatements for Write {
    async fn lock_booking(&mut self, id: BookingId) -> StoreResult<Option<BookingAt>> {
        sqlx::query_as::<_, BookingAtRow>(
            "SELECT user_id, showtime_id, status, ms(expires_at) AS expires_at, total_minor,
                    currency
             FROM bookings WHERE id = $1 FOR UPDATE",
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
        sqlx::query("UPDATE bookings SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(now)
            .bind(id.0)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn record_transition(&mut self, id: BookingId, t: &Transition) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id.0)
        .bind(t.from.map(|s| s.as_str()))
        .bind(t.to.as_str())
        .bind(t.at)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn free_seats(&mut self, id: BookingId, state: SeatState) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
             WHERE booking_id = $1 AND status = $2 RETURNING label",
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
            "UPDATE showtime_seats SET status = 'sold', booking_id = $1, held_until = NULL
             WHERE showtime_id = $2
               AND label IN (SELECT label FROM booking_seats WHERE booking_id = $1)
               AND (status = 'available'
                    OR (status = 'held' AND (booking_id = $1 OR ms(held_until) <= ms($3))))",
        )
        .bind(id.0)
        .bind(showtime.0)
        .bind(now)
        .execute(&mut *self.0)
        .await?
        .rows_affected())
    }

    async fn booking_labels(&mut self, id: BookingId) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT label FROM booking_seats WHERE booking_id = $1 ORDER BY position",
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
        // Locked in the order every hold batch locks seats, so the two never deadlock.
        sqlx::query_as::<_, BookedSeatRow>(
            "SELECT s.label, s.status, s.booking_id, ms(s.held_until) AS held_until
             FROM booking_seats bs JOIN showtime_seats s ON s.showtime_id = $1 AND s.label = bs.label
             WHERE bs.booking_id = $2
             ORDER BY s.label
             FOR UPDATE OF s",
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
        )
        .bind(p.booking_id.0)
        .bind(&p.provider)
        .bind(&p.payment_ref)
        .bind(&p.client_secret)
        .bind(&p.checkout_url)
        .bind(p.amount.minor)
        .bind(p.amount.currency.as_str())
        .bind(p.now)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn payment_of(&mut self, booking: BookingId) -> StoreResult<Option<Payment>> {
        sqlx::query_as::<_, PaymentRow>(&format!("{PAYMENT_SELECT} WHERE booking_id = $1"))
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
        sqlx::query("UPDATE payments SET status = $1, updated_at = $2 WHERE booking_id = $3")
            .bind(status.as_str())
            .bind(now)
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
            "INSERT INTO webhook_events (provider, event_id, received_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(provider)
        .bind(event_id)
        .bind(now)
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
                    ms(b.expires_at) AS expires_at, p.status AS payment_status
             FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.provider = $1 AND p.payment_ref = $2
             FOR UPDATE OF p, b",
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
        sqlx::query(
            "INSERT INTO tickets (code, booking_id, seat, created_at)
             SELECT code, $1, seat, $2 FROM UNNEST($3::text[], $4::text[]) AS t(code, seat)",
        )
        .bind(booking.0)
        .bind(now)
        .bind(column(tickets, |(_, code)| code.as_str()))
        .bind(column(tickets, |(seat, _)| *seat))
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn void_tickets(&mut self, booking: BookingId, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE tickets SET voided_at = $2 WHERE booking_id = $1 AND voided_at IS NULL",
        )
        .bind(booking.0)
        .bind(now)
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
            "INSERT INTO outbox (kind, booking_id, payload, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(kind)
        .bind(booking.0)
        .bind(payload)
        .bind(now)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn expire_holds(
        &mut self,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<(i64, i64, String)>, u64)> {
        // One statement: the bookings are locked and moved to `expired` first, and only the
        // seats of the bookings this statement expired are freed, those a later hold has since
        // taken left alone (the seat's booking_id is checked again on the row as committed).
        // The expiry is recorded at the time the hold ran out, not the time the sweeper came
        // by. A row per seat freed, and one per expired booking that had none held.
        let rows: Vec<(i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "WITH stale AS (
                 SELECT id, status FROM bookings
                 WHERE status IN ('held', 'payment_pending') AND expires_at <= $1
                 FOR UPDATE
             ), expired AS (
                 UPDATE bookings b SET status = 'expired', updated_at = $1
                 FROM stale WHERE b.id = stale.id
                 RETURNING b.id, stale.status AS was, b.expires_at
             ), freed AS (
                 UPDATE showtime_seats s
                 SET status = 'available', booking_id = NULL, held_until = NULL
                 FROM expired e WHERE s.status = 'held' AND s.booking_id = e.id
                 RETURNING e.id AS booking_id, s.showtime_id, s.label
             ), recorded AS (
                 INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
                 SELECT id, was, 'expired', expires_at FROM expired
             )
             SELECT e.id, f.showtime_id, f.label
             FROM expired e LEFT JOIN freed f ON f.booking_id = e.id",
        )
        .bind(now)
        .fetch_all(&mut *self.0)
        .await?;
        let expired: std::collections::HashSet<i64> = rows.iter().map(|(id, ..)| *id).collect();
        let freed = rows
            .into_iter()
            .filter_map(|(booking, showtime, label)| Some((showtime?, booking, label?)))
            .collect();
        Ok((freed, expired.len() as u64))
    }
}

/// One column of a batch, bound as a PostgreSQL array (`UNNEST($n::type[])`): the one way this
/// store binds many rows.
pub(crate) fn column<T, U>(rows: &[T], field: impl Fn(&T) -> U) -> Vec<U> {
    rows.iter().map(field).collect()
}
