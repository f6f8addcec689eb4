//! Reminding customers of their showtime a few hours before it, once.

use chrono::{DateTime, Duration, Utc};

/// Hours before the start a venue that set nothing reminds its customers.
pub const DEFAULT_HOURS_BEFORE: u32 = 3;
/// The most hours before the start a reminder can be set for (two days).
pub const MAX_HOURS_BEFORE: u32 = 48;

/// Whether a booking of a showtime starting at `starts_at` is due its reminder at `now`, for a
/// venue that reminds `hours_before` (0: never): from that many hours before the start until
/// the start.
pub fn due(starts_at: DateTime<Utc>, hours_before: u32, now: DateTime<Utc>) -> bool {
    hours_before > 0
        && now < starts_at
        && now >= starts_at - Duration::hours(i64::from(hours_before))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_reminder_is_due_from_its_hours_before_until_the_start() {
        let start = Utc.with_ymd_and_hms(2026, 12, 24, 20, 0, 0).unwrap();
        let hours = |h: i64| start - Duration::hours(h);
        assert!(!due(start, 3, hours(3) - Duration::seconds(1)));
        assert!(due(start, 3, hours(3)), "exactly 3 h before");
        assert!(due(start, 3, hours(1)));
        assert!(!due(start, 3, start), "not once it has started");
        assert!(!due(start, 0, hours(1)), "0: the venue sends none");
    }
}
