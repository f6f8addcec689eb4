//! Identifiers. Catalog and user ids are numbered by the database; booking ids are minted by
//! the node that takes the hold (`BookingIdGenerator`), so many nodes can take holds at once
//! without asking each other, and ids still sort by time.

use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::Mutex;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    CityId,
    VenueId,
    AuditoriumId,
    /// One version of an auditorium's seat layout; showtimes keep the version they were
    /// scheduled with.
    LayoutId,
    EventId,
    ShowtimeId,
    UserId,
    /// Snowflake-style: milliseconds since `EPOCH`, node id, sequence. Wider than 2^53, so
    /// the API writes it as a string.
    BookingId,
);

/// Time zero of booking ids: 2024-01-01T00:00:00Z. 41 bits of milliseconds last 69 years.
pub const EPOCH_MILLIS: i64 = 1_704_067_200_000;
const NODE_BITS: u32 = 10;
const SEQUENCE_BITS: u32 = 12;
pub const MAX_NODE_ID: u16 = (1 << NODE_BITS) - 1;

/// Mints booking ids for one node: time-ordered and unique as long as no two live nodes share
/// a node id. When the sequence of one millisecond runs out it borrows the next millisecond
/// rather than waiting, so it never blocks and never repeats.
#[derive(Debug)]
pub struct BookingIdGenerator {
    node: i64,
    last: Mutex<(i64, i64)>,
}

impl BookingIdGenerator {
    /// `node` must be at most `MAX_NODE_ID`; larger values are masked.
    pub fn new(node: u16) -> Self {
        BookingIdGenerator {
            node: i64::from(node & MAX_NODE_ID),
            last: Mutex::new((0, 0)),
        }
    }

    pub fn next(&self, now: DateTime<Utc>) -> BookingId {
        let millis = (now.timestamp_millis() - EPOCH_MILLIS).max(0);
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (last_millis, last_seq) = *last;
        let (millis, seq) = if millis > last_millis {
            (millis, 0)
        } else if last_seq + 1 < (1 << SEQUENCE_BITS) {
            (last_millis, last_seq + 1)
        } else {
            (last_millis + 1, 0)
        };
        *last = (millis, seq);
        BookingId((millis << (NODE_BITS + SEQUENCE_BITS)) | (self.node << SEQUENCE_BITS) | seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashSet;

    #[test]
    fn booking_ids_are_unique_and_ordered_even_past_the_sequence_of_one_millisecond() {
        let generator = BookingIdGenerator::new(3);
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let ids: Vec<BookingId> = (0..10_000).map(|_| generator.next(now)).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
        let later = generator.next(now + chrono::Duration::milliseconds(5));
        assert!(
            ids.iter().all(|id| *id < later),
            "a later time mints a larger id"
        );
    }

    #[test]
    fn two_nodes_never_mint_the_same_id() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let (a, b) = (BookingIdGenerator::new(1), BookingIdGenerator::new(2));
        let from_a: HashSet<_> = (0..1000).map(|_| a.next(now)).collect();
        assert!((0..1000)
            .map(|_| b.next(now))
            .all(|id| !from_a.contains(&id)));
    }
}

/// The kinds of thing a lookup can fail to find: an error names one of these, never a string,
/// so every "not found" has its own API code (`booking_not_found`, `venue_not_found`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    City,
    Venue,
    Auditorium,
    Event,
    Showtime,
    Booking,
    Ticket,
    Payment,
    /// A payment provider named in a webhook's path.
    Provider,
    User,
    /// An invitation to join the staff.
    Invitation,
    /// A venue's price plan (a venue may have none yet).
    PricePlan,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::City => "city",
            Entity::Venue => "venue",
            Entity::Auditorium => "auditorium",
            Entity::Event => "event",
            Entity::Showtime => "showtime",
            Entity::Booking => "booking",
            Entity::Ticket => "ticket",
            Entity::Payment => "payment",
            Entity::Provider => "provider",
            Entity::User => "user",
            Entity::Invitation => "invitation",
            Entity::PricePlan => "price plan",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
