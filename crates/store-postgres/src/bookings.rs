//! The batched hold path and the sweeper in PostgreSQL (`BatchStatements`): a batch's seats
//! are locked in one global order and everything it writes is one statement, a column an
//! array, so a batch is six round trips (with begin and commit) however many holds.

use crate::is_unique_violation;
use crate::statements::Tx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::hold_plan::Taking;
use marquee_domain::*;
use marquee_store::codec::millis;
use marquee_store::holds::{self, AccountBookingRow, LockedSeatRow};
use marquee_store::writes::BatchStatements;
use marquee_store::*;
use sqlx::PgConnection;
use std::collections::HashSet;

#[async_trait]
impl BatchStatements for Tx {
    /// The accounts are locked in id order, as every batch does, before any seat: batches
    /// never wait for each other in a circle. `NO KEY UPDATE` leaves foreign-key checks (a
    /// new session or booking of the account elsewhere) free to go on.
    async fn account_bookings(&mut self, holds: &[NewHold]) -> StoreResult<Vec<AccountBookingRow>> {
        let (users, showtimes, since) = holds::shares_asked(holds);
        sqlx::query("SELECT id FROM users WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
            .bind(&users)
            .execute(&mut *self.0)
            .await?;
        // A statement of its own, after the lock: under READ COMMITTED it sees what the batch
        // that held the lock before committed.
        Ok(sqlx::query_as(&holds::account_bookings_sql(
            "SELECT unnest($1::int8[])",
            "SELECT unnest($2::int8[])",
        ))
        .bind(&users)
        .bind(&showtimes)
        .bind(since)
        .fetch_all(&mut *self.0)
        .await?)
    }

    /// One statement whatever the batch's size (an array), so one prepared statement serves
    /// every batch.
    async fn stored_references(&mut self, holds: &[NewHold]) -> StoreResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT reference FROM bookings WHERE reference = ANY($1)")
                .bind(column(holds, |h| h.reference.as_str()))
                .fetch_all(&mut *self.0)
                .await?,
        )
    }

    async fn lock_seats(&mut self, holds: &[NewHold]) -> StoreResult<Vec<LockedSeatRow>> {
        lock_seats(&mut self.0, holds).await
    }

    async fn write_holds(&mut self, takings: &[Taking], held: &[&Booking]) -> StoreResult<()> {
        write_holds(&mut self.0, takings, held).await
    }

    async fn expire_holds(
        &mut self,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<(i64, i64, String)>, u64)> {
        expire(&mut self.0, now).await
    }
}

/// Reads and locks every seat row the batch asks for, in one order (showtime, label) that
/// every batch on every node shares: two batches never each hold a seat the other waits for.
/// Once locked, the rows stay as read until the batch commits.
async fn lock_seats(conn: &mut PgConnection, holds: &[NewHold]) -> StoreResult<Vec<LockedSeatRow>> {
    let (showtimes, labels): (Vec<i64>, Vec<&str>) = holds
        .iter()
        .flat_map(|h| h.seats.iter().map(|l| (h.showtime_id.0, l.as_str())))
        .unzip();
    sqlx::query_as(
        "SELECT s.showtime_id, s.label, s.category, s.status, ms(s.held_until) AS held_until
         FROM showtime_seats s
         WHERE (s.showtime_id, s.label) IN (
             SELECT * FROM UNNEST($1::int8[], $2::text[]))
         ORDER BY s.showtime_id, s.label
         FOR UPDATE OF s",
    )
    .bind(&showtimes)
    .bind(&labels)
    .fetch_all(conn)
    .await
    .map_err(StoreError::from)
}

/// Writes what a batch decided in one statement (one round trip): the seats its holds take,
/// with the availability condition checked once more (in milliseconds, as the plan read the
/// times; every time bound as milliseconds, like the shared SQL), and the new bookings with
/// their priced seats and first transitions. A seat the condition would not let through fails the batch.
async fn write_holds(
    conn: &mut PgConnection,
    takings: &[Taking],
    held: &[&Booking],
) -> StoreResult<()> {
    if takings.is_empty() && held.is_empty() {
        return Ok(());
    }
    let lines: Vec<(BookingId, usize, &BookingLine)> = held
        .iter()
        .flat_map(|b| {
            b.quote
                .lines
                .iter()
                .enumerate()
                .map(move |(i, l)| (b.id, i, l))
        })
        .collect();
    let transitions: Vec<(BookingId, &Transition)> = held
        .iter()
        .flat_map(|b| b.transitions.iter().map(move |t| (b.id, t)))
        .collect();
    let written: i64 = sqlx::query_scalar(
        "WITH taken AS (
             UPDATE showtime_seats s
             SET status = 'held', booking_id = t.booking_id, held_until = ts(t.held_until)
             FROM UNNEST($1::int8[], $2::text[], $3::int8[], $4::int8[], $5::int8[])
                  AS t(showtime_id, label, booking_id, held_until, now)
             WHERE s.showtime_id = t.showtime_id AND s.label = t.label
               AND (s.status = 'available' OR (s.status = 'held' AND ms(s.held_until) <= t.now))
             RETURNING 1
         ), booked AS (
             INSERT INTO bookings (id, reference, user_id, showtime_id, status, expires_at,
                                   subtotal_minor, fees_minor, total_minor, currency, created_at,
                                   updated_at)
             SELECT b.id, b.reference, b.user_id, b.showtime_id, b.status, ts(b.expires_at),
                    b.subtotal, b.fees, b.total, b.currency, ts(b.created_at), ts(b.created_at)
             FROM UNNEST($6::int8[], $7::text[], $8::int8[], $9::int8[], $10::text[],
                         $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::text[], $16::int8[])
                  AS b(id, reference, user_id, showtime_id, status, expires_at, subtotal, fees,
                       total, currency, created_at)
         ), priced AS (
             INSERT INTO booking_seats (booking_id, position, label, category, price_minor,
                                        ticket_type)
             SELECT * FROM UNNEST($17::int8[], $18::int8[], $19::text[], $20::text[], $21::int8[],
                                  $26::text[])
         ), recorded AS (
             INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
             SELECT t.booking_id, t.from_status, t.to_status, ts(t.at)
             FROM UNNEST($22::int8[], $23::text[], $24::text[], $25::int8[])
                  AS t(booking_id, from_status, to_status, at)
         )
         SELECT count(*) FROM taken",
    )
    .bind(column(takings, |t| t.showtime_id.0))
    .bind(column(takings, |t| t.label.as_str()))
    .bind(column(takings, |t| t.booking_id.0))
    .bind(column(takings, |t| millis(t.held_until)))
    .bind(column(takings, |t| millis(t.now)))
    .bind(column(held, |b| b.id.0))
    .bind(column(held, |b| b.reference.as_str()))
    .bind(column(held, |b| b.user_id.0))
    .bind(column(held, |b| b.showtime_id.0))
    .bind(column(held, |b| b.stored_status.as_str()))
    .bind(column(held, |b| millis(b.expires_at)))
    .bind(column(held, |b| b.quote.subtotal.minor))
    .bind(column(held, |b| b.quote.fees.minor))
    .bind(column(held, |b| b.quote.total.minor))
    .bind(column(held, |b| b.quote.total.currency.as_str()))
    .bind(column(held, |b| millis(b.created_at)))
    .bind(column(&lines, |(id, ..)| id.0))
    .bind(column(&lines, |(_, i, _)| *i as i64))
    .bind(column(&lines, |(.., l)| l.label.as_str()))
    .bind(column(&lines, |(.., l)| l.category.as_str()))
    .bind(column(&lines, |(.., l)| l.price.minor))
    .bind(column(&transitions, |(id, _)| id.0))
    .bind(column(&transitions, |(_, t)| t.from.map(|s| s.as_str())))
    .bind(column(&transitions, |(_, t)| t.to.as_str()))
    .bind(column(&transitions, |(_, t)| millis(t.at)))
    .bind(column(&lines, |(.., l)| l.ticket_type.as_str()))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "bookings_reference_key") {
            StoreError::ReferenceTaken
        } else {
            StoreError::from(e)
        }
    })?;
    if written != takings.len() as i64 {
        return Err(StoreError::corrupt(format!(
            "a batch planned {} seats but the condition let {written} through",
            takings.len()
        )));
    }
    Ok(())
}

/// One statement: the bookings are locked and moved to `expired` first, and only the seats of
/// the bookings this statement expired are freed, those a later hold has since taken left alone
/// (the seat's booking_id is checked again on the row as committed). The expiry is recorded at
/// the time the hold ran out, not the time the sweeper came by. It answers a row per seat freed,
/// and one per expired booking that had none held.
async fn expire(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> StoreResult<(Vec<(i64, i64, String)>, u64)> {
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
    .fetch_all(conn)
    .await?;
    let expired: HashSet<i64> = rows.iter().map(|(id, ..)| *id).collect();
    let freed = rows
        .into_iter()
        .filter_map(|(booking, showtime, label)| Some((showtime?, booking, label?)))
        .collect();
    Ok((freed, expired.len() as u64))
}

/// One column of a batch, bound as an array (`UNNEST($n::type[])`): how this store binds many
/// rows in one statement.
fn column<'a, T, U>(rows: &'a [T], field: impl Fn(&'a T) -> U) -> Vec<U> {
    rows.iter().map(field).collect()
}
