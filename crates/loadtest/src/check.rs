//! The CHECK: what the database says after the run, against what the clients were told.

use marquee_domain::{SeatState, ShowtimeId};
use marquee_server::App;
use serde::Serialize;
use std::collections::HashMap;

/// A hold a client was told succeeded.
pub struct ClientHold {
    pub showtime: ShowtimeId,
    pub booking_id: i64,
    pub seats: Vec<String>,
    pub released: bool,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub showtimes: usize,
    /// Seats of all the run's showtimes.
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
            "CHECK {}: seats held or sold {}/{} in {} showtime{}, seats in two live bookings {}, holds lost {}, releases not applied {}",
            if self.passed() { "ok" } else { "FAILED" },
            self.seats_taken,
            self.capacity,
            self.showtimes,
            if self.showtimes == 1 { "" } else { "s" },
            self.seats_in_two_live_bookings,
            self.holds_lost,
            self.releases_not_applied
        )
    }
}

/// Reads each of the run's showtimes once from the database and holds every client's view
/// against it.
pub async fn check(
    app: &App,
    showtimes: &[ShowtimeId],
    holds: &[ClientHold],
) -> anyhow::Result<Check> {
    let now = app.now();
    // Who the database says holds each taken seat, by showtime and label.
    let mut holder: HashMap<ShowtimeId, HashMap<String, i64>> = HashMap::new();
    let mut capacity = 0;
    for &showtime in showtimes {
        let map = app
            .store()
            .seat_map(showtime, now)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the run's showtime {showtime} is gone"))?;
        capacity += map.seats.len();
        let taken = map
            .seats
            .into_iter()
            .filter(|s| s.state_at(now) != SeatState::Available)
            .filter_map(|s| Some((s.seat.label, s.booking_id?.0)));
        holder.entry(showtime).or_default().extend(taken);
    }
    let mut claims: HashMap<(ShowtimeId, &str), usize> = HashMap::new();
    let (mut holds_lost, mut releases_not_applied) = (0, 0);
    for hold in holds {
        let seats = holder.get(&hold.showtime);
        let has =
            |label: &String| seats.and_then(|s| s.get(label.as_str())) == Some(&hold.booking_id);
        if hold.released {
            releases_not_applied += usize::from(hold.seats.iter().any(has));
            continue;
        }
        for label in &hold.seats {
            *claims.entry((hold.showtime, label)).or_default() += 1;
        }
        holds_lost += usize::from(!hold.seats.iter().all(has));
    }
    Ok(Check {
        showtimes: showtimes.len(),
        capacity,
        seats_taken: holder.values().map(HashMap::len).sum(),
        seats_in_two_live_bookings: claims.values().filter(|n| **n > 1).count(),
        holds_lost,
        releases_not_applied,
    })
}

/// The `browse` CHECK: reads change nothing and every showtime exists, so any answer but a
/// success is wrong, and so is a seat map that misses seats.
#[derive(Debug, Serialize)]
pub struct BrowseCheck {
    pub requests: u64,
    /// Answers other than 2xx, and requests that got no answer. Must be 0.
    pub not_ok: u64,
    /// Seat maps answered 2xx.
    pub seat_maps: u64,
    /// Of those, the ones that did not parse or did not have every seat. Must be 0.
    pub seat_maps_wrong: u64,
}

impl BrowseCheck {
    pub fn passed(&self) -> bool {
        self.not_ok == 0 && self.seat_maps_wrong == 0
    }

    pub fn line(&self) -> String {
        format!(
            "CHECK {}: answers not 2xx {} of {}, seat maps wrong {} of {}",
            if self.passed() { "ok" } else { "FAILED" },
            self.not_ok,
            self.requests,
            self.seat_maps_wrong,
            self.seat_maps
        )
    }
}
