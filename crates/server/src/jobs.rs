//! Background work of a node. Every node may run it: each pass is one store transaction, so
//! nodes sweeping at once only find less to do.

use crate::app::App;
use tokio::sync::watch;

/// Moves expired holds to `expired` every `sweep_interval` until `shutdown` turns true.
pub async fn sweep_expired_holds(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(app.config().sweep_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match sweep_once(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "expired stale holds"),
            Err(err) => {
                tracing::warn!(error = %err, "sweeping expired holds failed; trying again next time")
            }
        }
    }
}

/// One pass of the sweeper: expires the holds run out by now and publishes the seats freed.
pub async fn sweep_once(app: &App) -> Result<u64, marquee_store::StoreError> {
    Ok(app
        .store()
        .expire_stale_holds(app.now())
        .await?
        .publish(app.seat_changes()))
}

/// Settles payments left open longer than `reconcile_after` every `reconcile_interval`: a
/// lost webhook never loses money or seats (see `payments::reconcile`).
pub async fn reconcile_payments(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(app.config().reconcile_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        let stopping = || *shutdown.borrow();
        match crate::payments::reconcile_until(&app, app.config().reconcile_after, stopping).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(settled = n, "reconciled open payments"),
            Err(err) => {
                tracing::warn!(error = %err, "reconciling payments failed; trying again next time")
            }
        }
    }
}

/// How often the metrics recorder is tidied (see `prometheus::upkeep`).
const METRICS_UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Keeps the metrics recorder's memory bounded until `shutdown` turns true.
pub async fn metrics_upkeep(mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(METRICS_UPKEEP_INTERVAL);
    loop {
        tokio::select! {
            _ = tick.tick() => crate::prometheus::upkeep(),
            _ = shutdown.changed() => return,
        }
    }
}
