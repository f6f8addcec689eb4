//! `onsale`: one large showtime goes on sale and every virtual user wants two seats. Half pick
//! seats off the seat map, half ask for the best available; on a 409 they try again with
//! fresh seats, until the showtime is sold out or they give up. Then, after the measured
//! selling phase, a share release and the rest pay (checkout, then the sandbox's pay call),
//! and the CHECK waits for the payments' webhooks before it reads the database.

use crate::check::{await_confirmations, check, ClientHold, Fate};
use crate::client::{Api, Outcome};
use crate::resources::{self, Sampler};
use crate::stats::print_table;
use crate::LoadtestArgs;
use anyhow::Context;
use clap::Args;
use marquee_domain::ShowtimeId;
use marquee_server::App;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The longest the releases and payments after the sale may take. A few hundred of each
/// take about a second; the holds are still well within their time (10 minutes by default).
const AFTER_SALE: Duration = Duration::from_secs(60);

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
    /// Share of successful holds released afterwards (0 to 1); the rest are paid for.
    #[arg(long, default_value_t = 0.2)]
    pub release_share: f64,
    /// Stop the measured phase after this many seconds, sold out or not.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=crate::MAX_SECONDS))]
    pub max_seconds: u64,
}

pub async fn run(
    common: &LoadtestArgs,
    server: Option<u32>,
    args: &OnsaleArgs,
    app: App,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.users > 0 && args.connections > 0,
        "users and connections must be positive"
    );
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.release_share),
        "release-share is between 0 and 1"
    );
    let setup = Instant::now();
    let catalog = crate::seed::showtimes(&app, 1, args.capacity).await?;
    let showtimes: Vec<ShowtimeId> = catalog.showtimes.iter().map(|s| s.id).collect();
    let showtime = *showtimes.first().context("the run's showtime")?;
    let tokens = crate::seed::users(&app, args.users).await?;
    if !common.json {
        eprintln!(
            "set up showtime {showtime} ({} seats) and {} users in {:.1?}",
            catalog.capacity,
            args.users,
            setup.elapsed()
        );
    }

    let api = Arc::new(Api::new(&common.target, args.connections)?);
    api.connect(&common.target, args.connections).await?;
    let gate = Arc::new(Semaphore::new(args.connections));
    let sold_out = Arc::new(AtomicBool::new(false));
    let holds = Arc::new(Mutex::new(Vec::<(String, ClientHold)>::new()));
    let last_success = Arc::new(Mutex::new(None::<Instant>));
    let progress = if common.json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(args.users as u64)
    };
    let limit = Duration::from_secs(args.max_seconds);
    let sampler = Sampler::start(server, limit);
    let started = Instant::now();
    let deadline = started + limit;
    let mut tasks = Vec::with_capacity(args.users);
    for (vu, token) in tokens.into_iter().enumerate() {
        let (api, gate, sold_out, holds, last_success, progress) = (
            api.clone(),
            gate.clone(),
            sold_out.clone(),
            holds.clone(),
            last_success.clone(),
            progress.clone(),
        );
        let attempts = args.attempts;
        tasks.push(tokio::spawn(async move {
            for _ in 0..attempts {
                if sold_out.load(Ordering::Relaxed) || Instant::now() > deadline {
                    break;
                }
                // A user keeps one connection for a whole attempt (read the map, then hold), as a
                // browser does; gating each request instead queues a second request behind
                // everyone's first one.
                let Ok(_connection) = gate.acquire().await else {
                    break;
                };
                let outcome = if vu % 2 == 0 {
                    api.hold_from_map(&token, showtime).await
                } else {
                    api.hold_best(&token, showtime).await
                };
                match outcome {
                    Outcome::Held(hold) => {
                        *last_success.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(Instant::now());
                        holds
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((token, hold));
                        break;
                    }
                    Outcome::Taken => continue,
                    Outcome::SoldOut => {
                        sold_out.store(true, Ordering::Relaxed);
                        break;
                    }
                    // One hold per user: a user refused a share has one already.
                    Outcome::Limited | Outcome::Failed => break,
                }
            }
            progress.inc(1);
        }));
    }
    futures::future::join_all(tasks).await;
    let measured = started.elapsed();
    let usage = sampler.finish().await;
    progress.finish_and_clear();
    let sell_out = last_success
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .map(|t| t - started);

    // Some change their minds; the rest pay. Timed apart from the sale, over the same
    // connections; a hold not reached by the phase's end stays a live hold.
    let after = api.next_phase();
    let mut releasing = std::mem::take(&mut *holds.lock().unwrap_or_else(|p| p.into_inner()));
    let share = (releasing.len() as f64 * args.release_share).round() as usize;
    let buying = releasing.split_off(share.min(releasing.len()));
    let after_started = Instant::now();
    let after_deadline = after_started + AFTER_SALE;
    let steps = releasing
        .into_iter()
        .map(|hold| (true, hold))
        .chain(buying.into_iter().map(|hold| (false, hold)))
        .map(|(release, (token, mut hold))| {
            let (after, gate) = (&after, &gate);
            async move {
                let Ok(_connection) = gate.acquire().await else {
                    return Some(hold);
                };
                if Instant::now() >= after_deadline {
                    return Some(hold);
                }
                if release {
                    if after.release(&token, hold.booking_id).await? {
                        hold.fate = Fate::Released;
                    }
                } else if after.buy(&token, hold.booking_id).await == Some(true) {
                    hold.fate = Fate::Paid;
                }
                Some(hold)
            }
        });
    let holds: Vec<ClientHold> = futures::future::join_all(steps)
        .await
        .into_iter()
        .flatten()
        .collect();
    let after_sale = after_started.elapsed();
    let confirmed_within = await_confirmations(&app, &holds).await?;

    let result = check(&app, &showtimes, &holds).await?;
    let rows = api.stats.summary(measured);
    let hold_rows = rows.iter().filter(|r| r.kind.starts_with("hold"));
    let attempts: u64 = hold_rows.clone().map(|r| r.requests).sum();
    let successes: u64 = hold_rows.map(|r| r.ok).sum();
    // The rate of selling is measured while there was something to sell: up to the last
    // successful hold. After it, users only hear "sold out".
    let selling = sell_out.unwrap_or(measured).as_secs_f64().max(1e-3);
    let after_rows = after.stats.summary(after_sale);
    let count = |fate: Fate| holds.iter().filter(|h| h.fate == fate).count();
    let (released, paid) = (count(Fate::Released), count(Fate::Paid));
    if common.json {
        println!(
            "{}",
            json!({
                "scenario": "onsale",
                "backend": app.store().backend(),
                "users": args.users,
                "connections": args.connections,
                "capacity": catalog.capacity,
                "measured_seconds": measured.as_secs_f64(),
                "sold_out_seconds": sell_out.map(|d| d.as_secs_f64()),
                "hold_attempts_per_second": attempts as f64 / measured.as_secs_f64(),
                "successful_holds_per_second": successes as f64 / selling,
                "requests": rows,
                "server": usage,
                "after_sale": {
                    "seconds": after_sale.as_secs_f64(),
                    "released": released,
                    "paid": paid,
                    "all_confirmed_after_seconds": confirmed_within.map(|d| d.as_secs_f64()),
                    "requests": after_rows,
                },
                "limits": common.server_limits,
                "check": result,
            })
        );
    } else {
        println!(
            "onsale on {}: {} users, {} connections, {} seats; measured {:.2?}",
            app.store().backend(),
            args.users,
            args.connections,
            catalog.capacity,
            measured
        );
        match sell_out {
            Some(t) => println!("last seat taken after {t:.2?}"),
            None => println!("no hold succeeded"),
        }
        println!(
            "hold attempts/s {:.1}; successful holds/s until the last seat {:.1}",
            attempts as f64 / measured.as_secs_f64(),
            successes as f64 / selling
        );
        print_table(&rows);
        println!("{}", resources::line(usage.as_ref()));
        println!(
            "after the sale, in {after_sale:.2?}: {released} holds released, {paid} paid (checkout, then pay); {}",
            match confirmed_within {
                Some(t) => format!("all paid bookings confirmed {t:.2?} after that"),
                None => format!(
                    "not all paid bookings confirmed within {:?} after that",
                    crate::check::CONFIRMATION_WAIT
                ),
            }
        );
        print_table(&after_rows);
        println!("{}", crate::limits_line(&common.server_limits));
        println!("{}", result.line());
    }
    anyhow::ensure!(result.passed(), "{}", result.line());
    Ok(())
}
