use crate::bookings::retrying;
use crate::PgStore;
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
        Some(id) => store.booking(id).await?,
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
