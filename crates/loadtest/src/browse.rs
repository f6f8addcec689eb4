//! `browse`: customers looking rather than buying, over many showtimes. Each request picks one
//! of the run's showtimes at random; request number `n` of the run is, by `n % 8`:
//!
//! - 0: the city's events on the showtime's day (`GET /events?city=&date=`),
//! - 1: the event's showtimes that day (`GET /events/{id}/showtimes?city=&date=`),
//! - 2-3: the showtime (`GET /showtimes/{id}`),
//! - 4-7: its seat map (`GET /showtimes/{id}/seats`).
//!
//! So half the requests are seat maps: the page customers keep reloading while they choose.

use crate::check::BrowseCheck;
use crate::client::{Api, EventCount, SeatMap};
use crate::seed::{Catalog, SeededShowtime};
use crate::LoadtestArgs;
use clap::Args;
use marquee_server::App;
use rand::seq::SliceRandom;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args, Debug, Clone)]
pub struct BrowseArgs {
    /// Showtimes made for the run.
    #[arg(long, default_value_t = 200)]
    pub showtimes: usize,
    /// Seats in each showtime.
    #[arg(long, default_value_t = 200)]
    pub capacity: usize,
    /// Requests in flight at once (HTTP connections), one worker each.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Length of the measured phase.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=crate::MAX_SECONDS))]
    pub seconds: u64,
    /// Stop sooner, after this many requests in all.
    #[arg(long, default_value_t = 1_000_000)]
    pub requests: u64,
}

/// How long the server may take to list the showtimes the set-up made.
const LISTED_WITHIN: Duration = Duration::from_secs(60);

/// Seat maps counted for the CHECK.
#[derive(Default)]
struct SeatMaps {
    answered: AtomicU64,
    wrong: AtomicU64,
}

pub async fn run(
    common: &LoadtestArgs,
    server: Option<u32>,
    args: &BrowseArgs,
    app: App,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.connections > 0 && args.requests > 0,
        "connections and requests must be positive"
    );
    let setup = Instant::now();
    let catalog = Arc::new(crate::seed::showtimes(&app, args.showtimes, args.capacity).await?);
    if !common.json {
        eprintln!(
            "set up {} showtimes of {} seats in {:.1?}; browsing for {} s",
            args.showtimes,
            args.capacity,
            setup.elapsed(),
            args.seconds
        );
    }

    let api = Arc::new(Api::new(&common.target, args.connections)?);
    api.connect(&common.target, args.connections).await?;
    until_listed(&api, &catalog).await?;
    let seat_maps = Arc::new(SeatMaps::default());
    let measured = crate::drive::drive(
        &api,
        common.json,
        server,
        (args.connections, args.seconds, args.requests),
        {
            let (api, catalog, seat_maps) = (api.clone(), catalog.clone(), seat_maps.clone());
            move |n| {
                let (api, catalog, seat_maps) = (api.clone(), catalog.clone(), seat_maps.clone());
                async move {
                    let showtime = catalog.showtimes.choose(&mut rand::thread_rng()).copied();
                    if let Some(showtime) = showtime {
                        browse(&api, &catalog, showtime, n, &seat_maps).await;
                    }
                }
            }
        },
    )
    .await;
    let result = BrowseCheck {
        requests: measured.requests(),
        not_ok: measured.not_ok(),
        seat_maps: seat_maps.answered.load(Ordering::Relaxed),
        seat_maps_wrong: seat_maps.wrong.load(Ordering::Relaxed),
    };
    let fields = json!({
        "scenario": "browse",
        "backend": app.store().backend(),
        "connections": args.connections,
        "showtimes": args.showtimes,
        "capacity": args.capacity,
    });
    let heading = format!(
        "browse on {}: {} connections, {} showtimes of {} seats; measured {:.2?}",
        app.store().backend(),
        args.connections,
        args.showtimes,
        args.capacity,
        measured.elapsed
    );
    measured.print(common, fields, &[heading], &result, &result.line());
    anyhow::ensure!(result.passed(), "{}", result.line());
    Ok(())
}

/// Waits (at most `LISTED_WITHIN`) until the server lists the run's showtimes: the set-up
/// wrote them to the database, and the server's search catalog is built again within seconds
/// (`marquee_server::search`). Not measured.
async fn until_listed(api: &Api, catalog: &Catalog) -> anyhow::Result<()> {
    let Some(first) = catalog.showtimes.first() else {
        return Ok(());
    };
    let path = format!("/events?city={}&date={}", catalog.city, first.date);
    let deadline = Instant::now() + LISTED_WITHIN;
    loop {
        let response = api.get(&path).send().await?;
        if response.status().is_success() && response.json::<EventCount>().await?.total > 0 {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the server did not list the run's showtimes within {LISTED_WITHIN:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Request number `n` of the run, as the module's mix says.
async fn browse(
    api: &Api,
    catalog: &Catalog,
    showtime: SeededShowtime,
    n: u64,
    seat_maps: &SeatMaps,
) {
    let (city, date, id) = (catalog.city, showtime.date, showtime.id);
    match n % 8 {
        0 => {
            api.send(
                "events",
                api.get(&format!("/events?city={city}&date={date}")),
            )
            .await;
        }
        1 => {
            let path = format!(
                "/events/{}/showtimes?city={city}&date={date}",
                showtime.event
            );
            api.send("event showtimes", api.get(&path)).await;
        }
        2 | 3 => {
            api.send("showtime", api.get(&format!("/showtimes/{id}")))
                .await;
        }
        _ => {
            let answer = api
                .send("seat map", api.get(&format!("/showtimes/{id}/seats")))
                .await;
            if let Some((200..=299, body)) = answer {
                seat_maps.answered.fetch_add(1, Ordering::Relaxed);
                let whole = serde_json::from_slice::<SeatMap>(&body)
                    .is_ok_and(|map| map.seats.len() == catalog.capacity);
                if !whole {
                    seat_maps.wrong.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}
