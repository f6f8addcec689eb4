//! The store's shared reads: SQL both backends run as written (see `sql`).

use crate::args;
use crate::cancellations::{CancellationRow, CANCELLATION_COLUMNS};
use crate::codec::millis;
use crate::rows::{
    bookings, BookingParts, BookingRow, BookingSeatRow, PaymentRow, TicketRow, TransitionRow,
};
use crate::showtime_moves::{MoveNoticeRow, NOTICE_COLUMNS, NOTICE_FROM};
use crate::sql::{Sql, Value};
use crate::statements::PAYMENT_COLUMNS;
use crate::{BookingPage, Payment, StoreResult, Unsettled};
use marquee_domain::{Booking, BookingId, TicketCode, UserId};

/// Which bookings `load` reads.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    One(BookingId),
    OfUser(UserId, BookingPage),
    /// Staff looking for a booking by its reference, its customer's email or a ticket's code
    /// (`text` as typed; at most `FOUND_LIMIT` bookings, newest first).
    Found(&'a str),
}

/// At most this many bookings answer a staff search.
pub const FOUND_LIMIT: i64 = 50;

/// Bookings with their seats, transitions, valid tickets and cancellations, newest first: five
/// queries
/// whatever their number. Run it in one snapshot (a read transaction) so they agree.
pub async fn load(on: &mut impl Sql, which: Which<'_>) -> StoreResult<Vec<Booking>> {
    // A reference or ticket code is upper case, an email stored lower case.
    let (upper, lower) = match which {
        Which::Found(text) => (text.trim().to_ascii_uppercase(), text.trim().to_lowercase()),
        _ => (String::new(), String::new()),
    };
    let (filter, keys) = match which {
        Which::Found(_) => (
            "b.id IN (SELECT id FROM bookings WHERE reference = $1
                      OR user_id IN (SELECT id FROM users WHERE email = $2)
                      OR id IN (SELECT booking_id FROM tickets WHERE code = $1)
                      ORDER BY id DESC LIMIT $3)",
            vec![
                Value::Text(&upper),
                Value::Text(&lower),
                Value::Int(FOUND_LIMIT),
            ],
        ),
        Which::One(id) => ("b.id = $1", vec![Value::Int(id.0)]),
        // The page's ids, picked once per statement the same way (bookings_by_user).
        Which::OfUser(user, page) => (
            "b.id IN (SELECT id FROM bookings WHERE user_id = $1 AND id < $2
                      ORDER BY id DESC LIMIT $3)",
            vec![
                Value::Int(user.0),
                Value::Int(page.before.map_or(i64::MAX, |b| b.0)),
                Value::Int(i64::from(page.limit)),
            ],
        ),
    };
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
    let cancellations: Vec<CancellationRow> = on
        .fetch_all(
            &format!(
                "SELECT {CANCELLATION_COLUMNS}
                 FROM cancellations c JOIN bookings b ON b.id = c.booking_id
                 WHERE {filter} ORDER BY c.booking_id, c.id"
            ),
            &keys,
        )
        .await?;
    let notices: Vec<MoveNoticeRow> = on
        .fetch_all(
            &format!(
                "SELECT {NOTICE_COLUMNS} FROM {NOTICE_FROM}
                 JOIN bookings b ON b.id = n.booking_id
                 WHERE {filter} ORDER BY n.booking_id, n.move_id"
            ),
            &keys,
        )
        .await?;
    let exchanges: Vec<(i64, i64)> = on
        .fetch_all(
            &format!(
                "SELECT e.booking_id, e.replaces FROM exchanges e
                 JOIN bookings b ON b.id = e.booking_id WHERE {filter}"
            ),
            &keys,
        )
        .await?;
    bookings(
        rows,
        &BookingParts {
            seats,
            transitions,
            tickets,
            cancellations,
            notices,
            exchanges,
        },
    )
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
