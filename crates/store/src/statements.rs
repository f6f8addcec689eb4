//! The store's shared statements: SQL both backends run as written (see `sql`), with the
//! values bound the same way on both. Statements that read rows a decision depends on lock
//! them until the transaction ends (`FOR UPDATE` on PostgreSQL; a SQLite write transaction
//! holds the only write lock).

use crate::args;
use crate::codec::millis;
use crate::holds::SaleTermsRow;
use crate::payments::{BookedSeatRow, BookingAtRow, ReportRow};
use crate::rows::PaymentRow;
use crate::sql::{self, Sql, Value};
use crate::{NewPayment, Payment, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::booking_moves::BookingAt;
use marquee_domain::hold_plan::SaleTerms;
use marquee_domain::payment_report::ReportedPayment;
use marquee_domain::*;

pub const PAYMENT_COLUMNS: &str = "SELECT booking_id, provider, payment_ref, client_secret,
    checkout_url, amount_minor, currency, status, ms(created_at) AS created_at,
    ms(updated_at) AS updated_at FROM payments";

/// The booking as a move reads it, locked.
pub async fn lock_booking(tx: &mut impl Sql, id: BookingId) -> StoreResult<Option<BookingAt>> {
    tx.fetch_optional::<BookingAtRow>(
        "SELECT user_id, showtime_id, status, ms(expires_at) AS expires_at, total_minor, currency
         FROM bookings WHERE id = $1 FOR UPDATE",
        args![id.0],
    )
    .await?
    .map(BookingAtRow::decode)
    .transpose()
}

pub async fn set_booking_status(
    tx: &mut impl Sql,
    id: BookingId,
    status: BookingStatus,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE bookings SET status = $1, updated_at = ts($2) WHERE id = $3",
        args![status.as_str(), millis(now), id.0],
    )
    .await?;
    Ok(())
}

pub async fn record_transition(
    tx: &mut impl Sql,
    id: BookingId,
    t: &Transition,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
         VALUES ($1, $2, $3, ts($4))",
        args![
            id.0,
            t.from.map(BookingStatus::as_str),
            t.to.as_str(),
            millis(t.at)
        ],
    )
    .await?;
    Ok(())
}

/// Makes the booking's seats that are `state` (held or sold) available; answers their labels.
pub async fn free_seats(
    tx: &mut impl Sql,
    id: BookingId,
    state: SeatState,
) -> StoreResult<Vec<String>> {
    tx.fetch_column(
        "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
         WHERE booking_id = $1 AND status = $2 RETURNING label",
        args![id.0, state.as_str()],
    )
    .await
}

/// Sells the booking's seats that are free or its own at `now`; answers how many. Times are
/// compared in milliseconds, as the decision read them.
pub async fn sell_seats(
    tx: &mut impl Sql,
    id: BookingId,
    showtime: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    tx.execute(
        "UPDATE showtime_seats SET status = 'sold', booking_id = $1, held_until = NULL
         WHERE showtime_id = $2
           AND label IN (SELECT label FROM booking_seats WHERE booking_id = $1)
           AND (status = 'available'
                OR (status = 'held' AND (booking_id = $1 OR ms(held_until) <= $3)))",
        args![id.0, showtime.0, millis(now)],
    )
    .await
}

/// The labels of the booking's seats, in its order.
pub async fn booking_labels(tx: &mut impl Sql, id: BookingId) -> StoreResult<Vec<String>> {
    tx.fetch_column(
        "SELECT label FROM booking_seats WHERE booking_id = $1 ORDER BY position",
        args![id.0],
    )
    .await
}

/// Who has each of the booking's seats now, locked in the order every hold batch locks seats
/// (so the two never deadlock).
pub async fn seat_holdings(
    tx: &mut impl Sql,
    id: BookingId,
    showtime: ShowtimeId,
) -> StoreResult<Vec<SeatHolding>> {
    tx.fetch_all::<BookedSeatRow>(
        "SELECT s.label, s.status, s.booking_id, ms(s.held_until) AS held_until
         FROM booking_seats bs JOIN showtime_seats s ON s.showtime_id = $1 AND s.label = bs.label
         WHERE bs.booking_id = $2
         ORDER BY s.label FOR UPDATE OF s",
        args![showtime.0, id.0],
    )
    .await?
    .iter()
    .map(BookedSeatRow::decode)
    .collect()
}

pub async fn insert_payment(tx: &mut impl Sql, p: &NewPayment) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO payments (booking_id, provider, payment_ref, client_secret, checkout_url,
                               amount_minor, currency, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', ts($8), ts($8))",
        args![
            p.booking_id.0,
            &p.provider,
            &p.payment_ref,
            &p.client_secret,
            &p.checkout_url,
            p.amount.minor,
            p.amount.currency.as_str(),
            millis(p.now)
        ],
    )
    .await?;
    Ok(())
}

pub async fn payment_of(tx: &mut impl Sql, booking: BookingId) -> StoreResult<Option<Payment>> {
    tx.fetch_optional::<PaymentRow>(
        &format!("{PAYMENT_COLUMNS} WHERE booking_id = $1"),
        args![booking.0],
    )
    .await?
    .map(PaymentRow::decode)
    .transpose()
}

pub async fn set_payment_status(
    tx: &mut impl Sql,
    booking: BookingId,
    status: PaymentStatus,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE payments SET status = $1, updated_at = ts($2) WHERE booking_id = $3",
        args![status.as_str(), millis(now), booking.0],
    )
    .await?;
    Ok(())
}

/// Records a gateway's event id; false when it was recorded before. A second delivery of the
/// same event waits here for the first one's transaction (on PostgreSQL), then finds it.
pub async fn remember_event(
    tx: &mut impl Sql,
    provider: &str,
    event_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let inserted = tx
        .execute(
            "INSERT INTO webhook_events (provider, event_id, received_at) VALUES ($1, $2, ts($3))
             ON CONFLICT DO NOTHING",
            args![provider, event_id, millis(now)],
        )
        .await?;
    Ok(inserted == 1)
}

/// The payment with this reference and its booking, locked, with the booking's showtime:
/// reports, checkouts, releases and the sweeper take turns.
pub async fn lock_reported(
    tx: &mut impl Sql,
    provider: &str,
    payment_ref: &str,
) -> StoreResult<Option<(ReportedPayment, ShowtimeId)>> {
    let row = tx
        .fetch_optional::<ReportRow>(
            "SELECT b.id AS booking_id, p.amount_minor, p.currency, b.showtime_id,
                    b.status AS booking_status,
                    ms(b.expires_at) AS expires_at, p.status AS payment_status
             FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.provider = $1 AND p.payment_ref = $2 FOR UPDATE OF p, b",
            args![provider, payment_ref],
        )
        .await?;
    row.map(|r| Ok((r.decode()?, ShowtimeId(r.showtime_id))))
        .transpose()
}

/// Keeps a booking's held seats, and the booking, until its showtime starts (a payment under
/// review): the sweeper leaves them alone until then.
pub async fn keep_until_start(
    tx: &mut impl Sql,
    booking: BookingId,
    showtime: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<(DateTime<Utc>, Vec<String>)> {
    let until: Vec<i64> = tx
        .fetch_column(
            "UPDATE bookings SET expires_at = (SELECT starts_at FROM showtimes WHERE id = $2),
                                 updated_at = ts($3)
             WHERE id = $1
             RETURNING ms(expires_at)",
            args![booking.0, showtime.0, millis(now)],
        )
        .await?;
    let until = until
        .first()
        .copied()
        .ok_or_else(|| crate::StoreError::corrupt("a booking under review vanished"))?;
    let labels = tx
        .fetch_column(
            "UPDATE showtime_seats SET held_until = ts($2)
             WHERE booking_id = $1 AND status = 'held'
             RETURNING label",
            args![booking.0, until],
        )
        .await?;
    Ok((crate::codec::instant(until)?, labels))
}

/// The tickets of a booking's seats, (seat, code) each, in one statement.
pub async fn insert_tickets(
    tx: &mut impl Sql,
    booking: BookingId,
    tickets: &[(&str, &TicketCode)],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if tickets.is_empty() {
        return Ok(());
    }
    let now = millis(now);
    let values: Vec<Value> = tickets
        .iter()
        .flat_map(|(seat, code)| {
            [
                Value::Text(code.as_str()),
                Value::Int(booking.0),
                Value::Text(seat),
                Value::Int(now),
            ]
        })
        .collect();
    tx.execute(
        &format!(
            "INSERT INTO tickets (code, booking_id, seat, created_at) VALUES {}",
            sql::rows(tickets.len(), "(?, ?, ?, ts(?))", 1)
        ),
        &values,
    )
    .await?;
    Ok(())
}

pub async fn void_tickets(
    tx: &mut impl Sql,
    booking: BookingId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE tickets SET voided_at = ts($2) WHERE booking_id = $1 AND voided_at IS NULL",
        args![booking.0, millis(now)],
    )
    .await?;
    Ok(())
}

/// Queues a message for the outbox's worker; `booking` is the booking it tells of, if any.
pub async fn queue_message(
    tx: &mut impl Sql,
    booking: Option<BookingId>,
    kind: &str,
    payload: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO outbox (kind, booking_id, payload, created_at) VALUES ($1, $2, $3, ts($4))",
        args![kind, booking.map(|b| b.0), payload, millis(now)],
    )
    .await?;
    Ok(())
}

/// What a showtime sells at, and when. The row is key-share locked (PostgreSQL), as the
/// booking's own foreign key would lock it later: a move of the showtime (which locks it for
/// update) waits for the hold, or the hold for the move and then reads its new terms, so a hold
/// never books a showtime's old time or prices.
pub async fn sale_terms(tx: &mut impl Sql, showtime: ShowtimeId) -> StoreResult<Option<SaleTerms>> {
    tx.fetch_optional::<SaleTermsRow>(
        "SELECT ms(starts_at) AS starts_at, ms(sales_open_at) AS sales_open_at,
                sales_close_minutes, currency, price_standard, price_premium, price_accessible,
                price_companion, booking_fee_minor, ticket_prices,
                (SELECT ms(cancelled_at) FROM showtime_cancellations WHERE showtime_id = $1)
                    AS cancelled_at
         FROM showtimes WHERE id = $1 FOR KEY SHARE",
        args![showtime.0],
    )
    .await?
    .map(SaleTermsRow::decode)
    .transpose()
}
