use crate::statements::PAYMENT_SELECT;
use crate::SqliteStore;
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::codec::millis;
use marquee_store::rows::PaymentRow;
use marquee_store::writes;
use marquee_store::*;

pub async fn start_checkout(store: &SqliteStore, payment: NewPayment) -> StoreResult<Payment> {
    let mut tx = store.write().await?;
    let payment = writes::start_checkout(&mut tx, payment).await?;
    tx.0.commit().await?;
    Ok(payment)
}

pub async fn payment(store: &SqliteStore, booking: BookingId) -> StoreResult<Option<Payment>> {
    sqlx::query_as::<_, PaymentRow>(&format!("{PAYMENT_SELECT} WHERE booking_id = ?"))
        .bind(booking.0)
        .fetch_optional(&store.reader)
        .await?
        .map(PaymentRow::decode)
        .transpose()
}

pub async fn apply_report(
    store: &SqliteStore,
    report: PaymentReport,
) -> StoreResult<Committed<PaymentApplied>> {
    let mut tx = store.write().await?;
    let written = writes::apply_report(&mut tx, &report).await?;
    tx.0.commit().await?;
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
    store: &SqliteStore,
    before: DateTime<Utc>,
) -> StoreResult<Vec<Payment>> {
    sqlx::query_as::<_, PaymentRow>(&format!(
        "{PAYMENT_SELECT} WHERE status IN ('pending', 'failed', 'refund_due') AND updated_at < ?
         ORDER BY updated_at"
    ))
    .bind(millis(before))
    .fetch_all(&store.reader)
    .await?
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

pub async fn outbox_kinds(store: &SqliteStore, booking: BookingId) -> StoreResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT kind FROM outbox WHERE booking_id = ? ORDER BY id")
            .bind(booking.0)
            .fetch_all(&store.reader)
            .await?,
    )
}
