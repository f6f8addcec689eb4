//! `onsale`: one large showtime goes on sale and every virtual user wants two seats. Half pick
//! seats off the seat map, half ask for the best available; on a 409 they try again with
//! fresh seats, until the showtime is sold out or they give up. Then a share release.

use crate::check::{check, ClientHold};
use crate::stats::{print_table, Stats};
use crate::LoadtestArgs;
use clap::Args;
use marquee_server::{App, Config};
use rand::seq::SliceRandom;
use serde::Deserialize;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Args, Debug, Clone)]
pub struct OnsaleArgs {
    /// Virtual users, each after two seats.
    #[arg(long, default_value_t = 5000)]
    pub users: usize,
    /// Requests in flight at once (HTTP connections).
    #[arg(long, default_value_t = 256)]
    pub connections: usize,
    /// Seats in the showtime made for the run.
    #[arg(long, default_value_t = 1000)]
    pub capacity: usize,
    /// Tries per user before giving up.
    #[arg(long, default_value_t = 10)]
    pub attempts: usize,
    /// Share of successful holds released afterwards (0 to 1).
    #[arg(long, default_value_t = 0.2)]
    pub release_share: f64,
    /// Stop the measured phase after this many seconds, sold out or not.
    #[arg(long, default_value_t = 300)]
    pub max_seconds: u64,
}

#[derive(Deserialize)]
struct SeatMap {
    seats_available: u32,
    seats: Vec<Seat>,
}

#[derive(Deserialize)]
struct Seat {
    label: String,
    row: String,
    x: u16,
    state: String,
}

#[derive(Deserialize)]
struct Hold {
    id: String,
    seats: Vec<String>,
}

const SEATS_EACH: usize = 2;

pub async fn run(common: &LoadtestArgs, args: &OnsaleArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.users > 0 && args.connections > 0,
        "users and connections must be positive"
    );
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.release_share),
        "release-share is between 0 and 1"
    );
    let app = App::connect(Config {
        database_url: common.database_url.clone(),
        database_max_connections: 4,
        ..Config::default()
    })
    .await?;
    let setup = Instant::now();
    let seeded = crate::seed::onsale_showtime(&app, args.capacity, args.users).await?;
    if !common.json {
        eprintln!(
            "set up showtime {} ({} seats) and {} users in {:.1?}",
            seeded.showtime,
            seeded.capacity,
            args.users,
            setup.elapsed()
        );
    }

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .timeout(Duration::from_secs(30))
        .build()?;
    let base = format!("{}/api/v1", common.target.trim_end_matches('/'));
    let stats = Arc::new(Stats::default());
    let gate = Arc::new(Semaphore::new(args.connections));
    let sold_out = Arc::new(AtomicBool::new(false));
    let holds = Arc::new(Mutex::new(Vec::<(String, ClientHold)>::new()));
    let last_success = Arc::new(Mutex::new(None::<Instant>));
    let progress = if common.json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(args.users as u64)
    };
    let deadline = Instant::now() + Duration::from_secs(args.max_seconds);

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.users);
    for (vu, token) in seeded.tokens.iter().cloned().enumerate() {
        let (client, base, stats, gate, sold_out, holds, last_success, progress) = (
            client.clone(),
            base.clone(),
            stats.clone(),
            gate.clone(),
            sold_out.clone(),
            holds.clone(),
            last_success.clone(),
            progress.clone(),
        );
        let (showtime, attempts) = (seeded.showtime.0, args.attempts);
        tasks.push(tokio::spawn(async move {
            let user = VirtualUser {
                client,
                base,
                token,
                stats,
                gate,
            };
            for _ in 0..attempts {
                if sold_out.load(Ordering::Relaxed) || Instant::now() > deadline {
                    break;
                }
                // A user keeps one connection for a whole attempt (read the map, then hold), as a
                // browser does; gating each request instead queues a second request behind
                // everyone's first one.
                let Ok(_connection) = user.gate.acquire().await else {
                    break;
                };
                let outcome = if vu % 2 == 0 {
                    user.hold_from_map(showtime).await
                } else {
                    user.hold_best(showtime).await
                };
                match outcome {
                    Outcome::Held(hold) => {
                        *last_success.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(Instant::now());
                        holds
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((user.token.clone(), hold));
                        break;
                    }
                    Outcome::Taken => continue,
                    Outcome::SoldOut => {
                        sold_out.store(true, Ordering::Relaxed);
                        break;
                    }
                    Outcome::Failed => break,
                }
            }
            progress.inc(1);
        }));
    }
    futures::future::join_all(tasks).await;
    let measured = started.elapsed();
    progress.finish_and_clear();
    let sell_out = last_success
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .map(|t| t - started);

    // Some change their minds.
    let mut holds = std::mem::take(&mut *holds.lock().unwrap_or_else(|p| p.into_inner()));
    let releases = (holds.len() as f64 * args.release_share).round() as usize;
    let user = VirtualUser {
        client,
        base,
        token: String::new(),
        stats: stats.clone(),
        gate,
    };
    let releases = holds.iter_mut().take(releases).map(|(token, hold)| {
        let user = &user;
        async move {
            let Ok(_connection) = user.gate.acquire().await else {
                return;
            };
            hold.released = user.release(token, hold.booking_id).await;
        }
    });
    futures::future::join_all(releases).await;

    let holds: Vec<ClientHold> = holds.into_iter().map(|(_, h)| h).collect();
    let result = check(&app, seeded.showtime, &holds).await?;
    let rows = stats.summary(measured);
    let hold_rows = rows.iter().filter(|r| r.kind.starts_with("hold"));
    let attempts: u64 = hold_rows.clone().map(|r| r.requests).sum();
    let successes: u64 = hold_rows.map(|r| r.ok).sum();
    if common.json {
        println!(
            "{}",
            json!({
                "scenario": "onsale",
                "backend": app.store().backend(),
                "users": args.users,
                "connections": args.connections,
                "capacity": seeded.capacity,
                "measured_seconds": measured.as_secs_f64(),
                "sold_out_seconds": sell_out.map(|d| d.as_secs_f64()),
                "hold_attempts_per_second": attempts as f64 / measured.as_secs_f64(),
                "successful_holds_per_second": successes as f64 / measured.as_secs_f64(),
                "requests": rows,
                "check": result,
            })
        );
    } else {
        println!(
            "onsale on {}: {} users, {} connections, {} seats; measured {:.2?}",
            app.store().backend(),
            args.users,
            args.connections,
            seeded.capacity,
            measured
        );
        match sell_out {
            Some(t) => println!("last seat taken after {t:.2?}"),
            None => println!("no hold succeeded"),
        }
        println!(
            "hold attempts/s {:.1}, successful holds/s {:.1}",
            attempts as f64 / measured.as_secs_f64(),
            successes as f64 / measured.as_secs_f64()
        );
        print_table(&rows);
        println!("{}", result.line());
    }
    anyhow::ensure!(result.passed(), "{}", result.line());
    Ok(())
}

enum Outcome {
    Held(ClientHold),
    Taken,
    SoldOut,
    Failed,
}

struct VirtualUser {
    client: reqwest::Client,
    base: String,
    token: String,
    stats: Arc<Stats>,
    gate: Arc<Semaphore>,
}

impl VirtualUser {
    /// One request, timed and recorded under `kind`. The caller holds a connection permit.
    async fn send(
        &self,
        kind: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Option<(u16, Vec<u8>)> {
        let start = Instant::now();
        let answer = request.send().await;
        let answer = match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                response
                    .bytes()
                    .await
                    .ok()
                    .map(|body| (status, body.to_vec()))
            }
            Err(_) => None,
        };
        self.stats
            .record(kind, start.elapsed(), answer.as_ref().map(|(s, _)| *s));
        answer
    }

    async fn hold_from_map(&self, showtime: i64) -> Outcome {
        let Some((200, body)) = self
            .send(
                "seat map",
                self.client
                    .get(format!("{}/showtimes/{showtime}/seats", self.base)),
            )
            .await
        else {
            return Outcome::Failed;
        };
        let Ok(map) = serde_json::from_slice::<SeatMap>(&body) else {
            return Outcome::Failed;
        };
        if (map.seats_available as usize) < SEATS_EACH {
            return Outcome::SoldOut;
        }
        let Some(pair) = pick_pair(&map.seats) else {
            return Outcome::SoldOut;
        };
        self.hold(
            "hold (map)",
            json!({ "showtime_id": showtime, "seats": pair }),
        )
        .await
    }

    async fn hold_best(&self, showtime: i64) -> Outcome {
        self.hold(
            "hold (best)",
            json!({ "showtime_id": showtime, "quantity": SEATS_EACH }),
        )
        .await
    }

    async fn hold(&self, kind: &'static str, body: serde_json::Value) -> Outcome {
        let request = self
            .client
            .post(format!("{}/bookings", self.base))
            .bearer_auth(&self.token)
            .json(&body);
        match self.send(kind, request).await {
            Some((201, body)) => match serde_json::from_slice::<Hold>(&body) {
                Ok(hold) => match hold.id.parse() {
                    Ok(booking_id) => Outcome::Held(ClientHold {
                        booking_id,
                        seats: hold.seats,
                        released: false,
                    }),
                    Err(_) => Outcome::Failed,
                },
                Err(_) => Outcome::Failed,
            },
            Some((409, body)) if String::from_utf8_lossy(&body).contains("not_enough_seats") => {
                Outcome::SoldOut
            }
            Some((409, _)) => Outcome::Taken,
            _ => Outcome::Failed,
        }
    }

    async fn release(&self, token: &str, booking_id: i64) -> bool {
        let request = self
            .client
            .delete(format!("{}/bookings/{booking_id}", self.base))
            .bearer_auth(token);
        matches!(self.send("release", request).await, Some((200, _)))
    }
}

/// Two free seats side by side in a random row, as a person clicking on the map would choose.
fn pick_pair(seats: &[Seat]) -> Option<Vec<String>> {
    let free: Vec<&Seat> = seats.iter().filter(|s| s.state == "available").collect();
    let mut pairs: Vec<[&Seat; 2]> = free
        .windows(2)
        .filter(|w| w[0].row == w[1].row && w[0].x + 1 == w[1].x)
        .map(|w| [w[0], w[1]])
        .collect();
    pairs.shuffle(&mut rand::thread_rng());
    pairs
        .first()
        .map(|[a, b]| vec![a.label.clone(), b.label.clone()])
}
