use crate::{db, PgStore};
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::codec;
use marquee_store::payments::{
    self, BookedSeatRow, Checkout, CheckoutRow, ReportPlan, ReportRow, SeatsBecome,
};
use marquee_store::rows::PaymentRow;
use marquee_store::*;
use sqlx::PgConnection;

const PAYMENT_SELECT: &str =
    "SELECT booking_id, provider, payment_ref, client_secret, checkout_url,
        amount_minor, currency, status, ms(created_at) AS created_at, ms(updated_at) AS updated_at
        FROM payments";

pub async fn start_checkout(store: &PgStore, payment: NewPayment) -> StoreResult<Payment> {
    let mut tx = store.pool.begin().await.map_err(db)?;
    // Locks the booking: a second checkout, a release or the sweeper waits its turn.
    let row = sqlx::query_as::<_, CheckoutRow>(
        "SELECT user_id, status, ms(expires_at) AS expires_at, total_minor, currency
         FROM bookings WHERE id = $1 FOR UPDATE",
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
    sqlx::query(
        "INSERT INTO payments (booking_id, provider, payment_ref, client_secret, checkout_url,
                               amount_minor, currency, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
    )
    .bind(payment.booking_id.0)
    .bind(&payment.provider)
    .bind(&payment.payment_ref)
    .bind(&payment.client_secret)
    .bind(&payment.checkout_url)
    .bind(payment.amount.minor)
    .bind(payment.amount.currency.as_str())
    .bind(payment.now)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    sqlx::query("UPDATE bookings SET status = 'payment_pending', updated_at = $1 WHERE id = $2")
        .bind(payment.now)
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

pub async fn payment(store: &PgStore, booking: BookingId) -> StoreResult<Option<Payment>> {
    let mut conn = store.pool.acquire().await.map_err(db)?;
    read_payment(&mut conn, booking).await
}

async fn read_payment(conn: &mut PgConnection, booking: BookingId) -> StoreResult<Option<Payment>> {
    sqlx::query_as::<_, PaymentRow>(&format!("{PAYMENT_SELECT} WHERE booking_id = $1"))
        .bind(booking.0)
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .map(PaymentRow::decode)
        .transpose()
}

pub async fn apply_report(store: &PgStore, report: PaymentReport) -> StoreResult<PaymentApplied> {
    let (outcome, booking) =
        crate::bookings::retrying("payment report", || apply_once(store, &report)).await?;
    let booking = match booking {
        Some(id) => crate::bookings::load(store, crate::bookings::Which::One(id))
            .await?
            .pop(),
        None => None,
    };
    Ok(PaymentApplied { outcome, booking })
}

async fn apply_once(
    store: &PgStore,
    report: &PaymentReport,
) -> StoreResult<(PaymentOutcome, Option<BookingId>)> {
    let mut tx = store.pool.begin().await.map_err(db)?;
    if let Some(event_id) = &report.event_id {
        // A second delivery of the same event waits here for the first one's transaction,
        // then finds the id taken.
        let fresh = sqlx::query(
            "INSERT INTO webhook_events (provider, event_id, received_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(&report.provider)
        .bind(event_id)
        .bind(report.now)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if !fresh {
            return Ok((PaymentOutcome::Duplicate, None));
        }
    }
    // Locks the payment and its booking: reports, checkouts, releases and the sweeper take turns.
    let row = sqlx::query_as::<_, ReportRow>(
        "SELECT b.id AS booking_id, p.amount_minor, b.showtime_id, b.status AS booking_status,
                ms(b.expires_at) AS expires_at, p.status AS payment_status
         FROM payments p JOIN bookings b ON b.id = p.booking_id
         WHERE p.provider = $1 AND p.payment_ref = $2
         FOR UPDATE OF p, b",
    )
    .bind(&report.provider)
    .bind(&report.payment_ref)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let Some(row) = row else {
        // Remembered all the same, so a redelivery is answered at once.
        tx.commit().await.map_err(db)?;
        return Ok((PaymentOutcome::UnknownPayment, None));
    };
    let booking = BookingId(row.booking_id);
    if !payments::whole_refund(report, &row) {
        tx.commit().await.map_err(db)?;
        return Ok((PaymentOutcome::NoChange, Some(booking)));
    }
    let (booking_status, payment_status) = row.statuses(report.now)?;
    let stored_status = codec::booking_status(&row.booking_status)?;
    let sellable = if payments::needs_seat_check(report.reported, booking_status, payment_status) {
        let seats = sqlx::query_as::<_, BookedSeatRow>(
            "SELECT s.label, s.status, s.booking_id, ms(s.held_until) AS held_until
             FROM booking_seats bs JOIN showtime_seats s ON s.showtime_id = $1 AND s.label = bs.label
             WHERE bs.booking_id = $2
             ORDER BY s.label
             FOR UPDATE OF s",
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
    write_plan(&mut tx, &plan, &row, report).await?;
    tx.commit().await.map_err(db)?;
    Ok((plan.outcome, Some(booking)))
}

/// Writes what `plan_report` decided: the booking's moves, its seats, its tickets, its payment
/// and the customer's message.
async fn write_plan(
    conn: &mut PgConnection,
    plan: &ReportPlan,
    row: &ReportRow,
    report: &PaymentReport,
) -> StoreResult<()> {
    let (booking, now) = (BookingId(row.booking_id), report.now);
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
        crate::bookings::record_transition(conn, booking, Some(*from), *to, now).await?;
    }
    if let Some((_, to)) = plan.booking_moves.last() {
        sqlx::query("UPDATE bookings SET status = $1, updated_at = $2 WHERE id = $3")
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
                "SELECT label FROM booking_seats WHERE booking_id = $1 ORDER BY position",
            )
            .bind(booking.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
            let sold = sqlx::query(
                "UPDATE showtime_seats SET status = 'sold', booking_id = $1, held_until = NULL
                 WHERE showtime_id = $2 AND label = ANY($3)
                   AND (status = 'available'
                        OR (status = 'held' AND (booking_id = $1 OR ms(held_until) <= ms($4))))",
            )
            .bind(booking.0)
            .bind(row.showtime_id)
            .bind(&labels)
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
            let codes: Vec<&str> = report
                .ticket_codes
                .iter()
                .take(labels.len())
                .map(TicketCode::as_str)
                .collect();
            sqlx::query(
                "INSERT INTO tickets (code, booking_id, seat, created_at)
                 SELECT code, $1, seat, $2 FROM UNNEST($3::text[], $4::text[]) AS t(code, seat)",
            )
            .bind(booking.0)
            .bind(now)
            .bind(&codes)
            .bind(&labels)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        SeatsBecome::Unsold => {
            sqlx::query(
                "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
                 WHERE booking_id = $1 AND status = 'sold'",
            )
            .bind(booking.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
            sqlx::query(
                "UPDATE tickets SET voided_at = $2 WHERE booking_id = $1 AND voided_at IS NULL",
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
                 WHERE booking_id = $1 AND status = 'held'",
            )
            .bind(booking.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
    }
    if let Some(status) = plan.payment_becomes {
        sqlx::query("UPDATE payments SET status = $1, updated_at = $2 WHERE booking_id = $3")
            .bind(status.as_str())
            .bind(now)
            .bind(booking.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    if let Some((kind, why)) = plan.message {
        sqlx::query(
            "INSERT INTO outbox (kind, booking_id, payload, created_at) VALUES ($1, $2, $3, $4)",
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
    store: &PgStore,
    before: DateTime<Utc>,
) -> StoreResult<Vec<Payment>> {
    sqlx::query_as::<_, PaymentRow>(&format!(
        "{PAYMENT_SELECT} WHERE status IN ('pending', 'failed', 'refund_due') AND updated_at < $1
         ORDER BY updated_at"
    ))
    .bind(before)
    .fetch_all(&store.pool)
    .await
    .map_err(db)?
    .into_iter()
    .map(PaymentRow::decode)
    .collect()
}

pub async fn booking_of_ticket(store: &PgStore, code: &TicketCode) -> StoreResult<Option<Booking>> {
    let booking: Option<i64> =
        sqlx::query_scalar("SELECT booking_id FROM tickets WHERE voided_at IS NULL AND code = $1")
            .bind(code.as_str())
            .fetch_optional(&store.pool)
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

pub async fn outbox_kinds(store: &PgStore, booking: BookingId) -> StoreResult<Vec<String>> {
    sqlx::query_scalar("SELECT kind FROM outbox WHERE booking_id = $1 ORDER BY id")
        .bind(booking.0)
        .fetch_all(&store.pool)
        .await
        .map_err(db)
}
