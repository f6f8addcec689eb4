use crate::{db, PgStore};
use marquee_domain::*;
use marquee_store::payments::{self, Checkout, CheckoutRow};
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
