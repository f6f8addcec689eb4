use crate::{db, SqliteStore};
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::codec::{self, millis};
use marquee_store::payments::{
    self, BookedSeatRow, Checkout, CheckoutRow, ReportPlan, ReportRow, SeatsBecome,
};
use marquee_store::rows::PaymentRow;
use marquee_store::*;
use sqlx::SqliteConnection;

const PAYMENT_SELECT: &str =
    "SELECT booking_id, provider, payment_ref, client_secret, checkout_url,
        amount_minor, currency, status, created_at, updated_at FROM payments";

pub async fn start_checkout(store: &SqliteStore, payment: NewPayment) -> StoreResult<Payment> {
    let mut tx = store
        .writer
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(db)?;
    let row = sqlx::query_as::<_, CheckoutRow>(
        "SELECT user_id, status, expires_at, total_minor, currency FROM bookings WHERE id = ?",
    )
    .bind(payment.booking_id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    if payments::checkout(row, &payment)? == Checkout::Again {
        return read_payment(&mut tx, payment.booking_id)
            .await?
            .ok_or_else(|| StoreError::corrupt("a booking waits for a payment it does not have"));
    }
    let now = millis(payment.now);
    sqlx::query(
        "INSERT INTO payments (booking_id, provider, payment_ref, client_secret, checkout_url,
                               amount_minor, currency, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
    )
    .bind(payment.booking_id.0)
    .bind(&payment.provider)
    .bind(&payment.payment_ref)
    .bind(&payment.client_secret)
    .bind(&payment.checkout_url)
    .bind(payment.amount.minor)
    .bind(payment.amount.currency.as_str())
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    sqlx::query("UPDATE bookings SET status = 'payment_pending', updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(payment.booking_id.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    crate::bookings::record_transition(
        &mut tx,
        payment.booking_id,
        Some(BookingStatus::Held),
        BookingStatus::PaymentPending,
        payment.now,
    )
    .await?;
    tx.commit().await.map_err(db)?;
    Ok(payments::started(payment))
}

pub async fn payment(store: &SqliteStore, booking: BookingId) -> StoreResult<Option<Payment>> {
    let mut conn = store.reader.acquire().await.map_err(db)?;
    read_payment(&mut conn, booking).await
}

async fn read_payment(
    conn: &mut SqliteConnection,
    booking: BookingId,
) -> StoreResult<Option<Payment>> {
    sqlx::query_as::<_, PaymentRow>(&format!("{PAYMENT_SELECT} WHERE booking_id = ?"))
        .bind(booking.0)
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .map(PaymentRow::decode)
        .transpose()
}

pub async fn apply_report(
    store: &SqliteStore,
    report: PaymentReport,
) -> StoreResult<PaymentApplied> {
    let mut tx = store
        .writer
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(db)?;
    let now = millis(report.now);
    if let Some(event_id) = &report.event_id {
        let fresh = sqlx::query(
            "INSERT INTO webhook_events (provider, event_id, received_at) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(&report.provider)
        .bind(event_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if !fresh {
            return Ok(PaymentApplied {
                outcome: PaymentOutcome::Duplicate,
                booking: None,
            });
        }
    }
    let row = sqlx::query_as::<_, ReportRow>(
        "SELECT b.id AS booking_id, p.amount_minor, b.showtime_id, b.status AS booking_status, b.expires_at,
                p.status AS payment_status
         FROM payments p JOIN bookings b ON b.id = p.booking_id
         WHERE p.provider = ? AND p.payment_ref = ?",
    )
    .bind(&report.provider)
    .bind(&report.payment_ref)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let Some(row) = row else {
        // Remembered all the same, so a redelivery is answered at once.
        tx.commit().await.map_err(db)?;
        return Ok(PaymentApplied {
            outcome: PaymentOutcome::UnknownPayment,
            booking: None,
        });
    };
    let booking = BookingId(row.booking_id);
    if !payments::whole_refund(&report, &row) {
        tx.commit().await.map_err(db)?;
        return Ok(PaymentApplied {
            outcome: PaymentOutcome::NoChange,
            booking: crate::bookings::load(store, crate::bookings::Which::One(booking))
                .await?
                .pop(),
        });
    }
    let (booking_status, payment_status) = row.statuses(report.now)?;
    let stored_status = codec::booking_status(&row.booking_status)?;
    let sellable = if payments::needs_seat_check(report.reported, booking_status, payment_status) {
        let seats = sqlx::query_as::<_, BookedSeatRow>(
            "SELECT s.label, s.status, s.booking_id, s.held_until
             FROM booking_seats bs JOIN showtime_seats s ON s.showtime_id = ? AND s.label = bs.label
             WHERE bs.booking_id = ?",
        )
        .bind(row.showtime_id)
        .bind(booking.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        payments::seats_can_be_sold(booking, &seats, report.now)?
    } else {
        false
    };
    let plan = payments::plan_report(
        report.reported,
        stored_status,
        booking_status,
        payment_status,
        sellable,
    );
    write_plan(&mut tx, &plan, &row, &report).await?;
    tx.commit().await.map_err(db)?;
    let booking = crate::bookings::load(store, crate::bookings::Which::One(booking))
        .await?
        .pop();
    Ok(PaymentApplied {
        outcome: plan.outcome,
        booking,
    })
}

/// Writes what `plan_report` decided: the booking's moves, its seats, its tickets, its payment
/// and the customer's message.
async fn write_plan(
    conn: &mut SqliteConnection,
    plan: &ReportPlan,
    row: &ReportRow,
    report: &PaymentReport,
) -> StoreResult<()> {
    let (booking, now) = (BookingId(row.booking_id), millis(report.now));
    if plan.expired_first {
        let stored = codec::booking_status(&row.booking_status)?;
        let expired_at = codec::instant(row.expires_at)?;
        crate::bookings::record_transition(
            conn,
            booking,
            Some(stored),
            BookingStatus::Expired,
            expired_at,
        )
        .await?;
    }
    for (from, to) in &plan.booking_moves {
        crate::bookings::record_transition(conn, booking, Some(*from), *to, report.now).await?;
    }
    if let Some((_, to)) = plan.booking_moves.last() {
        sqlx::query("UPDATE bookings SET status = ?, updated_at = ? WHERE id = ?")
            .bind(to.as_str())
            .bind(now)
            .bind(booking.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    match plan.seats {
        SeatsBecome::Unchanged => {}
        SeatsBecome::Sold => {
            let labels: Vec<String> = sqlx::query_scalar(
                "SELECT label FROM booking_seats WHERE booking_id = ? ORDER BY position",
            )
            .bind(booking.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
            let sold = sqlx::query(
                "UPDATE showtime_seats SET status = 'sold', booking_id = ?1, held_until = NULL
                 WHERE showtime_id = ?2
                   AND label IN (SELECT label FROM booking_seats WHERE booking_id = ?1)
                   AND (status = 'available'
                        OR (status = 'held' AND (booking_id = ?1 OR held_until <= ?3)))",
            )
            .bind(booking.0)
            .bind(row.showtime_id)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected();
            if sold != labels.len() as u64 || labels.len() > report.ticket_codes.len() {
                return Err(StoreError::corrupt(format!(
                    "confirming {} seats sold {sold}, with {} ticket codes",
                    labels.len(),
                    report.ticket_codes.len()
                )));
            }
            for (label, code) in labels.iter().zip(&report.ticket_codes) {
                sqlx::query(
                    "INSERT INTO tickets (code, booking_id, seat, created_at) VALUES (?, ?, ?, ?)",
                )
                .bind(code.as_str())
                .bind(booking.0)
                .bind(label)
                .bind(now)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            }
        }
        SeatsBecome::Unsold => {
            sqlx::query(
                "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
                 WHERE booking_id = ?1 AND status = 'sold'",
            )
            .bind(booking.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
            sqlx::query(
                "UPDATE tickets SET voided_at = ?2 WHERE booking_id = ?1 AND voided_at IS NULL",
            )
            .bind(booking.0)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        SeatsBecome::Free => {
            sqlx::query(
                "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
                 WHERE booking_id = ? AND status = 'held'",
            )
            .bind(booking.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
    }
    if let Some(status) = plan.payment_becomes {
        sqlx::query("UPDATE payments SET status = ?, updated_at = ? WHERE booking_id = ?")
            .bind(status.as_str())
            .bind(now)
            .bind(booking.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    if let Some((kind, why)) = plan.message {
        sqlx::query(
            "INSERT INTO outbox (kind, booking_id, payload, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(kind)
        .bind(booking.0)
        .bind(payments::message_payload(booking, kind, why))
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

pub async fn unsettled_payments(
    store: &SqliteStore,
    before: DateTime<Utc>,
) -> StoreResult<Vec<Payment>> {
    sqlx::query_as::<_, PaymentRow>(&format!(
        "{PAYMENT_SELECT} WHERE status IN ('pending', 'failed', 'refund_due') AND updated_at < ?
         ORDER BY updated_at"
    ))
    .bind(millis(before))
    .fetch_all(&store.reader)
    .await
    .map_err(db)?
    .into_iter()
    .map(PaymentRow::decode)
    .collect()
}

pub async fn booking_of_ticket(
    store: &SqliteStore,
    code: &TicketCode,
) -> StoreResult<Option<Booking>> {
    let booking: Option<i64> =
        sqlx::query_scalar("SELECT booking_id FROM tickets WHERE voided_at IS NULL AND code = ?")
            .bind(code.as_str())
            .fetch_optional(&store.reader)
            .await
            .map_err(db)?;
    match booking {
        Some(id) => Ok(
            crate::bookings::load(store, crate::bookings::Which::One(BookingId(id)))
                .await?
                .pop(),
        ),
        None => Ok(None),
    }
}

pub async fn outbox_kinds(store: &SqliteStore, booking: BookingId) -> StoreResult<Vec<String>> {
    sqlx::query_scalar("SELECT kind FROM outbox WHERE booking_id = ? ORDER BY id")
        .bind(booking.0)
        .fetch_all(&store.reader)
        .await
        .map_err(db)
}
