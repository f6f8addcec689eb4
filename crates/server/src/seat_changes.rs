//! The seat-change stream: every committed change of a seat's state, published once by the
//! service layer after its commit (`Committed::publish`), heard by everything that shows seats.
//!
//! Two kinds of subscriber. Listeners (the seat-map cache) are told inside `publish`, before
//! the write's answer goes back, so a customer who reads the map after their hold sees it. The
//! broadcast channel is for subscribers that may lag (the live seat map's Server-Sent Events,
//! a bridge to other nodes): one that falls more than `CAPACITY` changes behind is told it
//! lagged and reloads, rather than slowing the writers down.

use marquee_domain::SeatChange;
use marquee_store::SeatChangeSink;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Changes a slow broadcast subscriber may fall behind by before it must reload.
const CAPACITY: usize = 4096;

/// Told of each committed seat change before `publish` returns.
pub trait SeatChangeListener: Send + Sync {
    fn seat_changed(&self, change: &SeatChange);
}

pub struct SeatChanges {
    listeners: Vec<Arc<dyn SeatChangeListener>>,
    broadcast: broadcast::Sender<SeatChange>,
}

impl SeatChanges {
    pub fn new(listeners: Vec<Arc<dyn SeatChangeListener>>) -> SeatChanges {
        SeatChanges {
            listeners,
            broadcast: broadcast::channel(CAPACITY).0,
        }
    }

    /// Every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SeatChange> {
        self.broadcast.subscribe()
    }
}

impl SeatChangeSink for SeatChanges {
    fn publish(&self, changes: &[SeatChange]) {
        for change in changes {
            tracing::debug!(showtime = %change.showtime_id, booking = ?change.booking_id, cause = change.cause.as_str(), seats = change.labels.len(), "seats changed");
            for listener in &self.listeners {
                listener.seat_changed(change);
            }
            // No subscriber is not an error: nobody is watching a live map.
            let _ = self.broadcast.send(change.clone());
        }
    }
}
