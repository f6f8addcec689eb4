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

/// How often due reminders are queued: a reminder comes at most this late.
const REMIND_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);
/// Bookings looked at per pass.
const REMIND_PAGE: u32 = 500;

/// Queues each confirmed booking's reminder once it is due (its venue's hours before the
/// show), every minute until `shutdown` turns true. Every node may run it: the outbox takes one
/// reminder per booking.
pub async fn queue_reminders(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(REMIND_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match app.store().queue_reminders(app.now(), REMIND_PAGE).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "queued reminders"),
            Err(err) => {
                tracing::warn!(error = %err, "queuing reminders failed; trying again next time")
            }
        }
    }
}

/// How long webhook event ids are kept: Stripe redelivers an event for up to three days, so a
/// month is far beyond any redelivery.
const EVENT_IDS_KEPT: chrono::Duration = chrono::Duration::days(30);
/// How long a delivered outbox message is kept (to answer "did we tell them?").
const DELIVERED_KEPT: chrono::Duration = chrono::Duration::days(7);
/// Rows of each kind deleted per transaction.
const PURGE_BATCH: u32 = 1000;

/// Deletes ended sessions, old webhook event ids and delivered outbox messages every
/// `housekeeping_interval`, a batch per transaction, until `shutdown` turns true (checked
/// between batches).
pub async fn housekeeping(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(app.config().housekeeping_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        let mut purged = marquee_store::housekeeping::Purged::default();
        loop {
            match purge_once(&app).await {
                Ok(batch) => {
                    purged.sessions += batch.sessions;
                    purged.webhook_events += batch.webhook_events;
                    purged.outbox += batch.outbox;
                    purged.password_resets += batch.password_resets;
                    if !batch.more(PURGE_BATCH) || *shutdown.borrow() {
                        break;
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "housekeeping failed; trying again next time");
                    break;
                }
            }
        }
        if purged != Default::default() {
            tracing::info!(?purged, "housekeeping deleted old rows");
        }
    }
}

/// One batch of housekeeping at the app's now.
pub async fn purge_once(
    app: &App,
) -> Result<marquee_store::housekeeping::Purged, marquee_store::StoreError> {
    let now = app.now();
    app.store()
        .purge(marquee_store::housekeeping::Purge {
            sessions_ended_before: now,
            events_received_before: now - EVENT_IDS_KEPT,
            delivered_before: now - DELIVERED_KEPT,
            batch: PURGE_BATCH,
        })
        .await
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
