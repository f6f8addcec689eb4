//! The CHECK: what the database says after the run, against what the clients were told.

use futures::StreamExt;
use marquee_domain::{Booking, BookingId, BookingStatus, SeatState, ShowtimeId};
use marquee_server::App;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// How long the CHECK waits for the webhooks of the payments the clients made: the sandbox
/// retries a failed delivery for about a minute, but one that takes this long on loopback is
/// a finding in itself.
pub const CONFIRMATION_WAIT: Duration = Duration::from_secs(30);
/// How often the database is asked meanwhile.
const POLL: Duration = Duration::from_millis(100);
/// Bookings read at once: the load generator's own pool has 4 connections (`crate::connect`).
const READS_AT_ONCE: usize = 4;

/// A hold a client was told succeeded.
pub struct ClientHold {
    pub showtime: ShowtimeId,
    pub booking_id: i64,
    pub seats: Vec<String>,
    pub fate: Fate,
}

/// What the client did with a hold afterwards, as far as the answers it got tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Still the booking's: kept, a release refused, or a checkout or payment that was refused
    /// or got no answer. Its seats are held or sold to it whichever way that went.
    Live,
    /// The release was answered 200: the seats must be free of it.
    Released,
    /// The gateway said the payment succeeded: the booking must end `confirmed`, its seats
    /// `sold` to it, one ticket each.
    Paid,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub showtimes: usize,
    /// Seats of all the run's showtimes.
    pub capacity: usize,
    /// Seats held or sold in the database.
    pub seats_taken: usize,
    /// The most seats held or sold in one showtime: how near the run came to a sell-out.
    pub fullest_showtime_taken: usize,
    /// Seats sold in the database.
    pub seats_sold: usize,
    /// Bookings those sold seats belong to.
    pub confirmed_bookings: usize,
    /// Paid holds that are not `confirmed` with their seats sold to them and one ticket per
    /// seat. Must be 0.
    pub paid_not_confirmed: usize,
    /// Seats that two live holds the clients saw succeed both claim (a paid hold is live).
    /// Must be 0.
    pub seats_in_two_live_bookings: usize,
    /// Live holds the clients saw succeed whose seats the database does not give them (held
    /// or sold), all of them. Must be 0.
    pub holds_lost: usize,
    /// Released holds whose seats the database still gives them. Must be 0.
    pub releases_not_applied: usize,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.paid_not_confirmed == 0
            && self.seats_in_two_live_bookings == 0
            && self.holds_lost == 0
            && self.releases_not_applied == 0
    }

    pub fn line(&self) -> String {
        format!(
            "CHECK {}: seats held or sold {}/{} in {} showtime{}, confirmed bookings {} ({} seats sold), paid but not confirmed {}, seats in two live bookings {}, holds lost {}, releases not applied {}",
            if self.passed() { "ok" } else { "FAILED" },
            self.seats_taken,
            self.capacity,
            self.showtimes,
            if self.showtimes == 1 { "" } else { "s" },
            self.confirmed_bookings,
            self.seats_sold,
            self.paid_not_confirmed,
            self.seats_in_two_live_bookings,
            self.holds_lost,
            self.releases_not_applied
        )
    }
}

/// Reads the given bookings from the database, `READS_AT_ONCE` at a time.
async fn bookings(
    app: &App,
    ids: impl IntoIterator<Item = i64>,
) -> anyhow::Result<HashMap<i64, Booking>> {
    let reads = futures::stream::iter(ids)
        .map(|id| async move { app.store().get_booking(BookingId(id)).await })
        .buffer_unordered(READS_AT_ONCE);
    let mut found = HashMap::new();
    futures::pin_mut!(reads);
    while let Some(read) = reads.next().await {
        if let Some(booking) = read? {
            found.insert(booking.id.0, booking);
        }
    }
    Ok(found)
}

/// Waits, at most `CONFIRMATION_WAIT`, until the database shows every paid hold confirmed:
/// the gateway's webhooks arrive after the payments' answers. How long that took, or `None`
/// when some were still not confirmed at the end (the CHECK then says which count).
pub async fn await_confirmations(
    app: &App,
    holds: &[ClientHold],
) -> anyhow::Result<Option<Duration>> {
    let started = Instant::now();
    let mut waiting: HashSet<i64> = holds
        .iter()
        .filter(|h| h.fate == Fate::Paid)
        .map(|h| h.booking_id)
        .collect();
    let rounds = CONFIRMATION_WAIT.as_millis() / POLL.as_millis() + 1;
    for _ in 0..rounds {
        let now = app.now();
        let read = bookings(app, waiting.iter().copied()).await?;
        waiting.retain(|id| {
            read.get(id)
                .is_none_or(|b| b.status_at(now) != BookingStatus::Confirmed)
        });
        if waiting.is_empty() {
            return Ok(Some(started.elapsed()));
        }
        if started.elapsed() >= CONFIRMATION_WAIT {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(None)
}

/// Reads each of the run's showtimes once from the database, and each booking the clients
/// paid for, and holds every client's view against them.
pub async fn check(
    app: &App,
    showtimes: &[ShowtimeId],
    holds: &[ClientHold],
) -> anyhow::Result<Check> {
    let now = app.now();
    // Who the database says holds or bought each taken seat, by showtime and label.
    let mut holder: HashMap<ShowtimeId, HashMap<String, (i64, SeatState)>> = HashMap::new();
    let (mut capacity, mut fullest_showtime_taken) = (0, 0);
    for &showtime in showtimes {
        let map = app
            .store()
            .seat_map(showtime, now)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the run's showtime {showtime} is gone"))?;
        capacity += map.seats.len();
        let taken: HashMap<String, (i64, SeatState)> = map
            .seats
            .into_iter()
            .filter_map(|s| {
                let state = s.state_at(now);
                (state != SeatState::Available).then_some((s.seat.label, (s.booking_id?.0, state)))
            })
            .collect();
        fullest_showtime_taken = fullest_showtime_taken.max(taken.len());
        holder.entry(showtime).or_default().extend(taken);
    }
    let paid = bookings(
        app,
        holds
            .iter()
            .filter(|h| h.fate == Fate::Paid)
            .map(|h| h.booking_id),
    )
    .await?;
    let mut claims: HashMap<(ShowtimeId, &str), usize> = HashMap::new();
    let (mut holds_lost, mut releases_not_applied, mut paid_not_confirmed) = (0, 0, 0);
    for hold in holds {
        let seats = holder.get(&hold.showtime);
        let seat = |label: &String| seats.and_then(|s| s.get(label.as_str()));
        let has = |label: &String| seat(label).is_some_and(|(id, _)| *id == hold.booking_id);
        if hold.fate == Fate::Released {
            releases_not_applied += usize::from(hold.seats.iter().any(has));
            continue;
        }
        for label in &hold.seats {
            *claims.entry((hold.showtime, label)).or_default() += 1;
        }
        holds_lost += usize::from(!hold.seats.iter().all(has));
        if hold.fate == Fate::Paid {
            let sold = |label: &String| seat(label) == Some(&(hold.booking_id, SeatState::Sold));
            let confirmed = paid.get(&hold.booking_id).is_some_and(|booking| {
                let mut ticketed: Vec<&str> =
                    booking.tickets.iter().map(|t| t.seat.as_str()).collect();
                let mut seats: Vec<&str> = hold.seats.iter().map(String::as_str).collect();
                ticketed.sort_unstable();
                seats.sort_unstable();
                booking.status_at(now) == BookingStatus::Confirmed && ticketed == seats
            });
            paid_not_confirmed += usize::from(!confirmed || !hold.seats.iter().all(sold));
        }
    }
    let sold: Vec<i64> = holder
        .values()
        .flat_map(HashMap::values)
        .filter(|(_, state)| *state == SeatState::Sold)
        .map(|(id, _)| *id)
        .collect();
    Ok(Check {
        showtimes: showtimes.len(),
        capacity,
        seats_taken: holder.values().map(HashMap::len).sum(),
        fullest_showtime_taken,
        seats_sold: sold.len(),
        confirmed_bookings: sold.iter().collect::<HashSet<_>>().len(),
        paid_not_confirmed,
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

/// The `search` CHECK: every query is made from a showing of the catalog (a word of its
/// film's title, two, one mistyped, or the title's start, with the showing's city and day), so
/// each must be answered 2xx and find something.
#[derive(Debug, Serialize)]
pub struct SearchCheck {
    pub requests: u64,
    /// Answers other than 2xx, and requests that got no answer. Must be 0.
    pub not_ok: u64,
    /// Answers 2xx.
    pub answered: u64,
    /// Of those, the ones that found nothing (or did not parse). Must be 0.
    pub found_nothing: u64,
}

impl SearchCheck {
    pub fn passed(&self) -> bool {
        self.not_ok == 0 && self.found_nothing == 0
    }

    pub fn line(&self) -> String {
        format!(
            "CHECK {}: answers not 2xx {} of {}, found nothing {} of {}",
            if self.passed() { "ok" } else { "FAILED" },
            self.not_ok,
            self.requests,
            self.found_nothing,
            self.answered
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marquee_domain::SystemClock;
    use marquee_server::bookings::{self, SeatChoice};
    use marquee_server::{accounts, Config};
    use std::sync::Arc;

    /// A fresh SQLite database with one 40-seat showtime and one customer's hold on A1 and A2.
    async fn one_hold(name: &str) -> (App, std::path::PathBuf, ShowtimeId, i64) {
        let path =
            std::env::temp_dir().join(format!("marquee-check-{name}-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let store =
            marquee_store_sqlite::SqliteStore::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
        let app = App::new(Arc::new(store), Arc::new(SystemClock), Config::default())
            .await
            .unwrap();
        let showtime = crate::seed::showtimes(&app, 1, 40).await.unwrap().showtimes[0].id;
        let user = accounts::register(&app, "ana@loadtest.invalid", "a long enough secret")
            .await
            .unwrap();
        let seats = SeatChoice::seats(vec!["A1".into(), "A2".into()]);
        let booking = bookings::hold(&app, &user, showtime, seats).await.unwrap();
        (app, path, showtime, booking.id.0)
    }

    fn hold(showtime: ShowtimeId, booking_id: i64, fate: Fate) -> ClientHold {
        ClientHold {
            showtime,
            booking_id,
            seats: vec!["A1".into(), "A2".into()],
            fate,
        }
    }

    #[tokio::test]
    async fn a_kept_hold_is_clean_and_every_wrong_view_is_counted() {
        let (app, path, showtime, id) = one_hold("views").await;
        let kept = check(&app, &[showtime], &[hold(showtime, id, Fate::Live)])
            .await
            .unwrap();
        assert!(kept.passed(), "{}", kept.line());
        assert_eq!((kept.seats_taken, kept.seats_sold), (2, 0));

        // Told it was paid, but no webhook confirmed it.
        let paid = check(&app, &[showtime], &[hold(showtime, id, Fate::Paid)])
            .await
            .unwrap();
        assert_eq!((paid.paid_not_confirmed, paid.holds_lost), (1, 0));
        assert!(!paid.passed());

        // Told it was released, but the seats are still the booking's.
        let released = check(&app, &[showtime], &[hold(showtime, id, Fate::Released)])
            .await
            .unwrap();
        assert_eq!(released.releases_not_applied, 1);

        // Another client told it holds the same seats.
        let twice = [
            hold(showtime, id, Fate::Live),
            hold(showtime, id + 1, Fate::Live),
        ];
        let twice = check(&app, &[showtime], &twice).await.unwrap();
        assert_eq!((twice.seats_in_two_live_bookings, twice.holds_lost), (2, 1));
        assert!(
            twice.line().starts_with("CHECK FAILED:"),
            "{}",
            twice.line()
        );
        for file in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{file}", path.display()));
        }
    }
}
