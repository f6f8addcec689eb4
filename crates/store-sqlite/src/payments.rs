use crate::SqliteStore;
use marquee_store::writes;
use marquee_store::*;

pub async fn start_checkout(store: &SqliteStore, payment: NewPayment) -> StoreResult<Payment> {
    let mut tx = store.write().await?;
    let payment = writes::start_checkout(&mut tx, payment).await?;
    tx.0.commit().await?;
    Ok(payment)
}

pub async fn apply_report(
    store: &SqliteStore,
    report: PaymentReport,
) -> StoreResult<Committed<PaymentApplied>> {
    let mut tx = store.write().await?;
    let written = writes::apply_report(&mut tx, &report).await?;
    tx.0.commit().await?;
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
