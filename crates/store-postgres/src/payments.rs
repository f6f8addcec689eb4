use crate::bookings::retrying;
use crate::statements::PAYMENT_SELECT;
use crate::PgStore;
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::rows::PaymentRow;
use marquee_store::writes;
use marquee_store::*;

pub async fn start_checkout(store: &PgStore, payment: NewPayment) -> StoreResult<Payment> {
    retrying("checkout", || async {
        let mut tx = store.write().await?;
        let payment = writes::start_checkout(&mut tx, payment.clone()).await?;
        tx.0.commit().await?;
        Ok(payment)
    })
    .await
}

pub async fn payment(store: &PgStore, booking: BookingId) -> StoreResult<Option<Payment>> {
    sqlx::query_as::<_, PaymentRow>(&format!("{PAYMENT_SELECT} WHERE booking_id = $1"))
        .bind(booking.0)
        .fetch_optional(&store.pool)
        .await?
        .map(PaymentRow::decode)
        .transpose()
}

pub async fn apply_report(
    store: &PgStore,
    report: PaymentReport,
) -> StoreResult<Committed<PaymentApplied>> {
    let written = retrying("payment report", || async {
        let mut tx = store.write().await?;
        let written = writes::apply_report(&mut tx, &report).await?;
        tx.0.commit().await?;
        Ok(written)
    })
    .await?;
    let booking = match written.booking {
        Some(id) => crate::bookings::load(store, crate::bookings::Which::One(id))
            .await?
            .pop(),
        None => None,
    };
    Ok(Committed::new(
        PaymentApplied {
            outcome: written.outcome,
            booking,
        },
        written.changes,
    ))
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
    .await?
    .into_iter()
    .map(PaymentRow::decode)
    .collect()
}

pub async fn booking_of_ticket(store: &PgStore, code: &TicketCode) -> StoreResult<Option<Booking>> {
    let booking: Option<i64> =
        sqlx::query_scalar("SELECT booking_id FROM tickets WHERE voided_at IS NULL AND code = $1")
            .bind(code.as_str())
            .fetch_optional(&store.pool)
            .await?;
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
        .map_err(StoreError::from)
}
