//! Seat changes between the nodes that share one database. Each node announces the changes it
//! committed, and hears every node's (its own included: it skips those by their node number).
//! On PostgreSQL this is `NOTIFY`/`LISTEN`; SQLite serves one node and has nothing to tell.
//!
//! What is announced is what the seat-change stream carries (`SeatChange`), as JSON. A
//! notification is at most 8000 bytes, so a change of many seats (staff blocking a hall) is
//! sent in parts of `LABELS_PER_NOTICE` labels, each a change of its own.

use chrono::{DateTime, Utc};
use marquee_domain::{BookingId, SeatChange, SeatChangeCause, ShowtimeId};
use serde_json::{json, Value};

/// The channel every node listens on.
pub const CHANNEL: &str = "marquee_seat_changes";

/// Seat labels are at most 16 characters: 200 of them, quoted, stay well under 8000 bytes.
const LABELS_PER_NOTICE: usize = 200;

/// What a node hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A change committed by the node numbered `node`.
    Change { node: u16, change: SeatChange },
    /// The connection was lost and made again: changes announced meanwhile were missed.
    Gap,
}

/// The notifications that announce `change`, made by the node numbered `node`.
pub fn notices(node: u16, change: &SeatChange) -> Vec<String> {
    let (until, was_sold) = match change.cause {
        SeatChangeCause::Held { until } => (Some(until.timestamp_millis()), false),
        SeatChangeCause::Refunded { was_sold } => (None, was_sold),
        _ => (None, false),
    };
    change
        .labels
        .chunks(LABELS_PER_NOTICE)
        .map(|labels| {
            json!({
                "node": node,
                "showtime": change.showtime_id.0,
                "booking": change.booking_id.map(|b| b.0),
                "labels": labels,
                "cause": change.cause.as_str(),
                "until": until,
                "was_sold": was_sold,
            })
            .to_string()
        })
        .collect()
}

/// The change a notification announces, or `None` when it is none of ours (another program
/// on the channel, a newer node's format).
pub fn heard(payload: &str) -> Option<Heard> {
    let v: Value = serde_json::from_str(payload).ok()?;
    let node = u16::try_from(v["node"].as_u64()?).ok()?;
    let until =
        || -> Option<DateTime<Utc>> { DateTime::from_timestamp_millis(v["until"].as_i64()?) };
    let cause = match v["cause"].as_str()? {
        "held" => SeatChangeCause::Held { until: until()? },
        "released" => SeatChangeCause::Released,
        "expired" => SeatChangeCause::Expired,
        "payment_failed" => SeatChangeCause::PaymentFailed,
        "sold" => SeatChangeCause::Sold,
        "refunded" => SeatChangeCause::Refunded {
            was_sold: v["was_sold"].as_bool()?,
        },
        "blocked" => SeatChangeCause::Blocked,
        "unblocked" => SeatChangeCause::Unblocked,
        _ => return None,
    };
    let labels = v["labels"]
        .as_array()?
        .iter()
        .map(|l| l.as_str().map(str::to_string))
        .collect::<Option<Vec<String>>>()?;
    Some(Heard::Change {
        node,
        change: SeatChange {
            showtime_id: ShowtimeId(v["showtime"].as_i64()?),
            booking_id: v["booking"].as_i64().map(BookingId),
            labels,
            cause,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(cause: SeatChangeCause, booking: Option<i64>, labels: usize) -> SeatChange {
        SeatChange {
            showtime_id: ShowtimeId(7),
            booking_id: booking.map(BookingId),
            labels: (1..=labels).map(|n| format!("AB{n}")).collect(),
            cause,
        }
    }

    #[test]
    fn every_cause_is_heard_as_it_was_announced() {
        let until = DateTime::from_timestamp_millis(1_790_000_000_123).unwrap();
        for (cause, booking) in [
            (SeatChangeCause::Held { until }, Some(42)),
            (SeatChangeCause::Released, Some(42)),
            (SeatChangeCause::Expired, Some(42)),
            (SeatChangeCause::PaymentFailed, Some(42)),
            (SeatChangeCause::Sold, Some(42)),
            (SeatChangeCause::Refunded { was_sold: true }, Some(42)),
            (SeatChangeCause::Refunded { was_sold: false }, Some(42)),
            (SeatChangeCause::Blocked, None),
            (SeatChangeCause::Unblocked, None),
        ] {
            let sent = change(cause, booking, 3);
            let notices = notices(9, &sent);
            assert_eq!(notices.len(), 1);
            assert_eq!(
                heard(&notices[0]),
                Some(Heard::Change {
                    node: 9,
                    change: sent
                })
            );
        }
    }

    #[test]
    fn many_seats_go_in_parts_that_fit_a_notification() {
        let sent = change(SeatChangeCause::Blocked, None, 450);
        let notices = notices(1, &sent);
        assert_eq!(notices.len(), 3);
        assert!(notices.iter().all(|n| n.len() < 8000));
        let labels: Vec<String> = notices
            .iter()
            .flat_map(|n| match heard(n) {
                Some(Heard::Change { change, .. }) => change.labels,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(labels, sent.labels);
    }

    #[test]
    fn what_is_not_ours_is_not_heard() {
        for payload in [
            "",
            "hello",
            "{}",
            r#"{"node":1,"showtime":1,"labels":["A1"],"cause":"teleported"}"#,
            r#"{"node":70000,"showtime":1,"labels":["A1"],"cause":"sold"}"#,
            r#"{"node":1,"showtime":1,"labels":["A1"],"cause":"held"}"#,
        ] {
            assert_eq!(heard(payload), None, "{payload}");
        }
    }
}
