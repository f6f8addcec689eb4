//! The seat-change stream: every committed change of a seat's state, published once by the
//! service layer after its commit (`Committed::publish`), heard by everything that shows seats.
//!
//! Two kinds of subscriber. Listeners (the seat-map cache) are told inside `publish`, before
//! the write's answer goes back, so a customer who reads the map after their hold sees it. The
//! broadcast channel is for subscribers that may lag (the live seat map's Server-Sent Events):
//! one that falls more than `CAPACITY` changes behind is told it lagged and reloads, rather
//! than slowing the writers down.
//!
//! Nodes sharing a database tell each other (`bridged`): this node's changes are announced
//! through the store (`Store::announce_seat_changes`, by a task, so a write never waits for
//! it), and the other nodes' are heard and published here like this node's own, to the
//! listeners and the broadcast alike. A change missed while the connection that hears them was
//! lost is a gap: `gaps` counts them, and live views reload on each (the seat-map cache
//! reloads by age anyway).

use marquee_domain::SeatChange;
use marquee_store::node_bridge::Heard;
use marquee_store::{SeatChangeSink, Store};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use tokio::sync::{broadcast, mpsc, watch};

/// Changes a slow broadcast subscriber may fall behind by before it must reload.
const CAPACITY: usize = 4096;
/// Batches of changes waiting to be announced before more are dropped (other nodes then
/// catch up as their caches age, and their live views at their next reload).
const ANNOUNCE_QUEUE: usize = 1024;

/// Told of each committed seat change before `publish` returns.
pub trait SeatChangeListener: Send + Sync {
    fn seat_changed(&self, change: &SeatChange);
}

pub struct SeatChanges {
    listeners: Vec<Arc<dyn SeatChangeListener>>,
    broadcast: broadcast::Sender<SeatChange>,
    /// This node's changes, on their way to the other nodes (when bridged).
    announce: Option<mpsc::Sender<Vec<SeatChange>>>,
    /// How many times other nodes' changes may have been missed.
    gaps: watch::Sender<u64>,
    /// Whether the last change could not be queued for the other nodes.
    dropping: AtomicBool,
}

impl SeatChanges {
    /// The stream of a node that serves alone.
    pub fn new(listeners: Vec<Arc<dyn SeatChangeListener>>) -> SeatChanges {
        SeatChanges {
            listeners,
            broadcast: broadcast::channel(CAPACITY).0,
            announce: None,
            gaps: watch::channel(0).0,
            dropping: AtomicBool::new(false),
        }
    }

    /// The stream of node `node`, bridged to the other nodes sharing `store`'s database when
    /// the store has others (PostgreSQL); as `new` otherwise.
    pub async fn bridged(
        listeners: Vec<Arc<dyn SeatChangeListener>>,
        store: Arc<dyn Store>,
        node: u16,
    ) -> anyhow::Result<Arc<SeatChanges>> {
        let Some(heard) = store.hear_seat_changes().await? else {
            return Ok(Arc::new(SeatChanges::new(listeners)));
        };
        let (announce, announcements) = mpsc::channel(ANNOUNCE_QUEUE);
        let changes = Arc::new(SeatChanges {
            announce: Some(announce),
            ..SeatChanges::new(listeners)
        });
        tokio::spawn(announce_all(store, node, announcements));
        tokio::spawn(hear_all(Arc::downgrade(&changes), node, heard));
        Ok(changes)
    }

    /// Every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SeatChange> {
        self.broadcast.subscribe()
    }

    /// Changes when other nodes' changes may have been missed: a view kept up to date by
    /// `subscribe` must then read the seats again.
    pub fn gaps(&self) -> watch::Receiver<u64> {
        self.gaps.subscribe()
    }

    /// Tells the listeners and the broadcast (not the other nodes).
    fn tell(&self, change: &SeatChange) {
        for listener in &self.listeners {
            listener.seat_changed(change);
        }
        // No subscriber is not an error: nobody is watching a live map.
        let _ = self.broadcast.send(change.clone());
    }
}

impl SeatChangeSink for SeatChanges {
    fn publish(&self, changes: &[SeatChange]) {
        for change in changes {
            tracing::debug!(showtime = %change.showtime_id, booking = ?change.booking_id, cause = change.cause.as_str(), seats = change.labels.len(), "seats changed");
            self.tell(change);
        }
        if let Some(announce) = &self.announce {
            let queued = announce.try_send(changes.to_vec()).is_ok();
            // Said once each time the queue fills, not once per change dropped.
            if !queued && !self.dropping.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "seat changes are not reaching the other nodes fast enough; their views catch up as they reload"
                );
            } else if queued {
                self.dropping.store(false, Ordering::Relaxed);
            }
        }
    }
}

async fn announce_all(
    store: Arc<dyn Store>,
    node: u16,
    mut announcements: mpsc::Receiver<Vec<SeatChange>>,
) {
    while let Some(mut changes) = announcements.recv().await {
        // What queued up meanwhile goes with it, in one statement.
        while let Ok(more) = announcements.try_recv() {
            changes.extend(more);
        }
        if let Err(error) = store.announce_seat_changes(node, &changes).await {
            tracing::warn!(%error, "seat changes could not be announced to the other nodes");
        }
    }
}

async fn hear_all(changes: Weak<SeatChanges>, node: u16, mut heard: mpsc::Receiver<Heard>) {
    while let Some(item) = heard.recv().await {
        let Some(changes) = changes.upgrade() else {
            break;
        };
        match item {
            Heard::Change { node: from, change } if from != node => changes.tell(&change),
            Heard::Change { .. } => {}
            Heard::Gap => {
                tracing::info!("other nodes' seat changes may have been missed; live views reload");
                changes.gaps.send_modify(|gaps| *gaps += 1);
            }
        }
    }
}
