//! The CHECK: what the database says after the run, against what the clients were told.

use marquee_domain::{SeatState, ShowtimeId};
use marquee_server::App;
use serde::Serialize;
use std::collections::HashMap;

/// A hold a client was told succeeded.
pub struct ClientHold {
    pub booking_id: i64,
    pub seats: Vec<String>,
    pub released: bool,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub capacity: usize,
    /// Seats held or sold in the database.
    pub seats_taken: usize,
    /// Seats that two live holds the clients saw succeed both claim. Must be 0.
    pub seats_in_two_live_bookings: usize,
    /// Live holds the clients saw succeed that the database does not have, whole. Must be 0.
    pub holds_lost: usize,
    /// Released holds whose seats the database still gives them. Must be 0.
    pub releases_not_applied: usize,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.seats_in_two_live_bookings == 0
            && self.holds_lost == 0
            && self.releases_not_applied == 0
    }

    pub fn line(&self) -> String {
        format!(
            "CHECK {}: seats held or sold {}/{}, seats in two live bookings {}, holds lost {}, releases not applied {}",
            if self.passed() { "ok" } else { "FAILED" },
            self.seats_taken,
            self.capacity,
            self.seats_in_two_live_bookings,
            self.holds_lost,
            self.releases_not_applied
        )
    }
}

pub async fn check(app: &App, showtime: ShowtimeId, holds: &[ClientHold]) -> anyhow::Result<Check> {
    let now = app.now();
    let map = app
        .store()
        .seat_map(showtime, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the run's showtime is gone"))?;
    let holder: HashMap<&str, i64> = map
        .seats
        .iter()
        .filter(|s| s.state_at(now) != SeatState::Available)
        .filter_map(|s| Some((s.seat.label.as_str(), s.booking_id?.0)))
        .collect();
    let mut claims: HashMap<&str, usize> = HashMap::new();
    let (mut holds_lost, mut releases_not_applied) = (0, 0);
    for hold in holds {
        let has = |label: &String| holder.get(label.as_str()) == Some(&hold.booking_id);
        if hold.released {
            releases_not_applied += usize::from(hold.seats.iter().any(has));
            continue;
        }
        for label in &hold.seats {
            *claims.entry(label).or_default() += 1;
        }
        holds_lost += usize::from(!hold.seats.iter().all(has));
    }
    Ok(Check {
        capacity: map.seats.len(),
        seats_taken: holder.len(),
        seats_in_two_live_bookings: claims.values().filter(|n| **n > 1).count(),
        holds_lost,
        releases_not_applied,
    })
}
