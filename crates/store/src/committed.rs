//! What a write answers together with the seats it changed, so that the seat-change stream
//! hears of every committed change: the value comes out only through `publish`.

use marquee_domain::SeatChange;

/// Where committed seat changes go: the server's seat-change stream.
pub trait SeatChangeSink {
    fn publish(&self, changes: &[SeatChange]);
}

/// A write's answer, and the seat changes its transaction committed.
#[derive(Debug)]
#[must_use = "publish its seat changes: `Committed::publish`"]
pub struct Committed<T> {
    value: T,
    changes: Vec<SeatChange>,
}

impl<T> Committed<T> {
    pub fn new(value: T, changes: Vec<SeatChange>) -> Committed<T> {
        Committed { value, changes }
    }

    /// Tells `sink` what changed, and answers the value.
    pub fn publish(self, sink: &dyn SeatChangeSink) -> T {
        if !self.changes.is_empty() {
            sink.publish(&self.changes);
        }
        self.value
    }

    /// The value, telling no one: for tests and tools that keep no seat maps.
    pub fn unpublished(self) -> T {
        self.value
    }
}
