//! The store's shared reads: SQL both backends run as written (see `sql`).

use crate::args;
use crate::codec::millis;
use crate::rows::{bookings, BookingRow, BookingSeatRow, PaymentRow, TicketRow, TransitionRow};
use crate::sql::{Sql, Value};
use crate::statements::PAYMENT_COLUMNS;
use crate::{BookingPage, Payment, StoreResult, Unsettled};
use marquee_domain::{Booking, BookingId, TicketCode, UserId};

/// Which bookings `load` reads.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    One(BookingId),
    OfUser(UserId, BookingPage),
}

/// Bookings with their seats, transitions and valid tickets, newest first: four queries
/// whatever their number. Run it in one snapshot (a read transaction) so they agree.
pub async fn load(on: &mut impl Sql, which: Which) -> StoreResult<Vec<Booking>> {
    let (filter, keys) = match which {
        Which::One(id) => ("b.id = $1", vec![id.0]),
        // The page's ids, picked once per statement the same way (bookings_by_user).
        Which::OfUser(user, page) => (
            "b.id IN (SELECT id FROM bookings WHERE user_id = $1 AND id < $2
                      ORDER BY id DESC LIMIT $3)",
            vec![
                user.0,
                page.before.map_or(i64::MAX, |b| b.0),
                i64::from(page.limit),
            ],
        ),
    };
    let keys: Vec<Value> = keys.into_iter().map(Value::Int).collect();
    let rows: Vec<BookingRow> = on
        .fetch_all(
            &format!(
                "SELECT b.id, b.reference, b.user_id, b.showtime_id, b.status,
                        ms(b.expires_at) AS expires_at, ms(b.created_at) AS created_at,
                        b.subtotal_minor, b.fees_minor, b.total_minor, b.currency
                 FROM bookings b WHERE {filter} ORDER BY b.id DESC"
            ),
            &keys,
        )
        .await?;
    let seats: Vec<BookingSeatRow> = on
        .fetch_all(
            &format!(
                "SELECT s.booking_id, s.label, s.category, s.ticket_type, s.price_minor
                 FROM booking_seats s JOIN bookings b ON b.id = s.booking_id
                 WHERE {filter} ORDER BY s.booking_id, s.position"
            ),
            &keys,
        )
        .await?;
    let transitions: Vec<TransitionRow> = on
        .fetch_all(
            &format!(
                "SELECT t.booking_id, t.from_status, t.to_status, ms(t.at) AS at
                 FROM booking_transitions t JOIN bookings b ON b.id = t.booking_id
                 WHERE {filter} ORDER BY t.at, t.id"
            ),
            &keys,
        )
        .await?;
    let tickets: Vec<TicketRow> = on
        .fetch_all(
            &format!(
                "SELECT t.booking_id, t.code, t.seat
                 FROM tickets t JOIN bookings b ON b.id = t.booking_id
                 JOIN booking_seats s ON s.booking_id = t.booking_id AND s.label = t.seat
                 WHERE {filter} AND t.voided_at IS NULL ORDER BY t.booking_id, s.position"
            ),
            &keys,
        )
        .await?;
    bookings(rows, &seats, &transitions, &tickets)
}

/// The payment of a booking, once its checkout was started.
pub async fn payment(on: &mut impl Sql, booking: BookingId) -> StoreResult<Option<Payment>> {
    on.fetch_optional::<PaymentRow>(
        &format!("{PAYMENT_COLUMNS} WHERE booking_id = $1"),
        args![booking.0],
    )
    .await?
    .map(PaymentRow::decode)
    .transpose()
}

/// A page of the payments whose outcome is still open, oldest first (`Unsettled`).
pub async fn unsettled_payments(on: &mut impl Sql, asked: Unsettled) -> StoreResult<Vec<Payment>> {
    on.fetch_all::<PaymentRow>(
        &format!(
            "{PAYMENT_COLUMNS} WHERE status IN ('pending', 'failed', 'refund_due')
             AND updated_at < ts($1) AND (retry_at IS NULL OR retry_at <= ts($2))
             ORDER BY updated_at LIMIT $3"
        ),
        args![
            millis(asked.changed_before),
            millis(asked.now),
            i64::from(asked.limit)
        ],
    )
    .await?
    .into_iter()
    .map(PaymentRow::decode)
    .collect()
}

/// The booking a valid ticket code admits to.
pub async fn booking_of_ticket(
    on: &mut impl Sql,
    code: &TicketCode,
) -> StoreResult<Option<BookingId>> {
    Ok(on
        .fetch_column::<i64>(
            "SELECT booking_id FROM tickets WHERE voided_at IS NULL AND code = $1",
            args![code.as_str()],
        )
        .await?
        .pop()
        .map(BookingId))
}

/// The kinds of a booking's outbox messages, oldest first.
pub async fn outbox_kinds(on: &mut impl Sql, booking: BookingId) -> StoreResult<Vec<String>> {
    on.fetch_column(
        "SELECT kind FROM outbox WHERE booking_id = $1 ORDER BY id",
        args![booking.0],
    )
    .await
}
