//! `steady`: booking traffic spread over many showtimes, an ordinary evening rather than an
//! on-sale. Every virtual user loops until the time is up: hold two seats on a random showtime
//! (by turns the best available, and a pair picked off the seat map), then by turns release
//! them, or pay for them (checkout, then the sandbox's pay call with the card that succeeds).
//! A user who gets an error leaves, as a customer would; a 409 (seats taken, or a showtime
//! sold out) just means another try, on another random showtime.
//!
//! The figure is booking transactions per second: the holds, releases, checkouts and pays
//! that succeeded. The confirmations that follow by webhook are the server's own work and
//! are not counted; the CHECK waits for them after the measured phase.

use crate::check::{await_confirmations, check, ClientHold, Fate};
use crate::client::{Api, Outcome};
use crate::resources::{self, Sampler};
use crate::stats::print_table;
use crate::LoadtestArgs;
use clap::Args;
use marquee_domain::ShowtimeId;
use marquee_server::App;
use rand::seq::SliceRandom;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Args, Debug, Clone)]
pub struct SteadyArgs {
    /// Showtimes made for the run.
    #[arg(long, default_value_t = 200)]
    pub showtimes: usize,
    // Sold seats stay sold, but a default run (15 s) sells about a fifth of the 40,000 (2,800
    // in 5 s on the 2-core machine, the fullest showtime 30 of 200): none comes near selling
    // out, so the load stays the same from start to end, and 200-seat maps keep the pickers'
    // reads as in `browse` and the earlier figures. A sold-out showtime only sends its users
    // to another one; the output says how full the fullest got.
    /// Seats in each showtime: enough that a default run sells out none.
    #[arg(long, default_value_t = 200)]
    pub capacity: usize,
    /// Virtual users, each holding, then releasing or paying, in a loop.
    #[arg(long, default_value_t = 400)]
    pub users: usize,
    /// Requests in flight at once (HTTP connections).
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Length of the measured phase.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=crate::MAX_SECONDS))]
    pub seconds: u64,
}

pub async fn run(
    common: &LoadtestArgs,
    server: Option<u32>,
    args: &SteadyArgs,
    app: App,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.users > 0 && args.connections > 0,
        "users and connections must be positive"
    );
    let setup = Instant::now();
    let catalog = crate::seed::showtimes(&app, args.showtimes, args.capacity).await?;
    let showtimes: Arc<Vec<ShowtimeId>> =
        Arc::new(catalog.showtimes.iter().map(|s| s.id).collect());
    let tokens = crate::seed::users(&app, args.users).await?;
    if !common.json {
        eprintln!(
            "set up {} showtimes of {} seats and {} users in {:.1?}; booking for {} s",
            args.showtimes,
            args.capacity,
            args.users,
            setup.elapsed(),
            args.seconds
        );
    }

    let api = Arc::new(Api::new(&common.target, args.connections)?);
    api.connect(&common.target, args.connections).await?;
    let gate = Arc::new(Semaphore::new(args.connections));
    let holds = Arc::new(Mutex::new(Vec::<ClientHold>::new()));
    let limit = Duration::from_secs(args.seconds);
    let sampler = Sampler::start(server, limit);
    let progress = crate::progress::Progress::start(common.json, limit, api.clone());
    let started = Instant::now();
    let deadline = started + limit;
    let users = tokens.into_iter().enumerate().map(|(vu, token)| {
        let (api, gate, holds, showtimes) =
            (api.clone(), gate.clone(), holds.clone(), showtimes.clone());
        tokio::spawn(async move {
            let mut turn = vu;
            while Instant::now() < deadline {
                // A user keeps one connection for a whole transaction, as a browser does.
                let Ok(_connection) = gate.acquire().await else {
                    break;
                };
                if Instant::now() >= deadline {
                    break;
                }
                let Some(&showtime) = showtimes.choose(&mut rand::thread_rng()) else {
                    break;
                };
                turn += 1;
                // Hold kinds alternate turn by turn, releasing and paying every other turn,
                // so each kind of hold is released as often as it is paid for.
                let outcome = if turn % 2 == 0 {
                    api.hold_best(&token, showtime).await
                } else {
                    api.hold_from_map(&token, showtime).await
                };
                let mut hold = match outcome {
                    Outcome::Held(hold) => hold,
                    Outcome::Taken | Outcome::SoldOut | Outcome::Limited => continue,
                    Outcome::Failed => break,
                };
                let paying = (turn / 2) % 2 == 1;
                let done = if paying {
                    api.buy(&token, hold.booking_id).await
                } else {
                    api.release(&token, hold.booking_id).await
                };
                let mut kept = holds.lock().unwrap_or_else(|p| p.into_inner());
                match done {
                    Some(true) if paying => hold.fate = Fate::Paid,
                    Some(true) => hold.fate = Fate::Released,
                    Some(false) => {}
                    // A payment that got no answer leaves the seats the booking's either way
                    // (held, or sold to it): still a live hold. A release that got none may or
                    // may not have happened, so the CHECK cannot judge that hold.
                    None => {
                        if paying {
                            kept.push(hold);
                        }
                        break;
                    }
                }
                kept.push(hold);
            }
        })
    });
    futures::future::join_all(users).await;
    let measured = started.elapsed();
    progress.finish();
    let usage = sampler.finish().await;

    let holds = std::mem::take(&mut *holds.lock().unwrap_or_else(|p| p.into_inner()));
    let paid = holds.iter().filter(|h| h.fate == Fate::Paid).count();
    let confirmed_within = await_confirmations(&app, &holds).await?;
    let result = check(&app, &showtimes, &holds).await?;
    let rows = api.stats.summary(measured);
    let transactions: u64 = rows
        .iter()
        .filter(|r| r.kind.starts_with("hold") || ["release", "checkout", "pay"].contains(&r.kind))
        .map(|r| r.ok)
        .sum();
    let per_second = transactions as f64 / measured.as_secs_f64();
    if common.json {
        println!(
            "{}",
            json!({
                "scenario": "steady",
                "backend": app.store().backend(),
                "users": args.users,
                "connections": args.connections,
                "showtimes": args.showtimes,
                "capacity": args.capacity,
                "measured_seconds": measured.as_secs_f64(),
                "booking_transactions_per_second": per_second,
                "paid": paid,
                "all_confirmed_after_seconds": confirmed_within.map(|d| d.as_secs_f64()),
                "requests": rows,
                "server": usage,
                "limits": common.server_limits,
                "check": result,
            })
        );
    } else {
        println!(
            "steady on {}: {} users, {} connections, {} showtimes of {} seats; measured {:.2?}",
            app.store().backend(),
            args.users,
            args.connections,
            args.showtimes,
            args.capacity,
            measured
        );
        println!(
            "booking transactions/s (holds, releases, checkouts and pays that succeeded) {per_second:.1}"
        );
        print_table(&rows);
        println!("{}", resources::line(usage.as_ref()));
        println!(
            "{paid} holds paid; {}; fullest showtime {} of {} seats held or sold",
            match confirmed_within {
                Some(t) => format!("all confirmed {t:.2?} after the measured phase"),
                None => format!(
                    "not all confirmed within {:?} after the measured phase",
                    crate::check::CONFIRMATION_WAIT
                ),
            },
            result.fullest_showtime_taken,
            args.capacity
        );
        println!("{}", crate::limits_line(&common.server_limits));
        println!("{}", result.line());
    }
    anyhow::ensure!(result.passed(), "{}", result.line());
    Ok(())
}
