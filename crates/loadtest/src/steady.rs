//! `steady`: booking traffic spread over many showtimes, an ordinary evening rather than an
//! on-sale. Every virtual user loops until the time is up: hold two seats on a random showtime
//! (by turns the best available, and a pair picked off the seat map), then release them. A
//! user who gets an error leaves, as a customer would; a 409 just means another try.

use crate::check::{check, ClientHold};
use crate::client::{Api, Outcome};
use crate::resources::{self, Sampler};
use crate::stats::print_table;
use crate::LoadtestArgs;
use clap::Args;
use marquee_domain::ShowtimeId;
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
    /// Seats in each showtime: enough that none sells out.
    #[arg(long, default_value_t = 200)]
    pub capacity: usize,
    /// Virtual users, each holding and releasing in a loop.
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
) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.users > 0 && args.connections > 0,
        "users and connections must be positive"
    );
    let app = crate::connect(common).await?;
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
                let outcome = if turn % 2 == 0 {
                    api.hold_best(&token, showtime).await
                } else {
                    api.hold_from_map(&token, showtime).await
                };
                let mut hold = match outcome {
                    Outcome::Held(hold) => hold,
                    Outcome::Taken | Outcome::SoldOut => continue,
                    Outcome::Failed => break,
                };
                // Checkout (pay for the hold) goes here once payments exist.
                let Some(released) = api.release(&token, hold.booking_id).await else {
                    break;
                };
                hold.released = released;
                holds.lock().unwrap_or_else(|p| p.into_inner()).push(hold);
            }
        })
    });
    futures::future::join_all(users).await;
    let measured = started.elapsed();
    let usage = sampler.finish().await;

    let holds = std::mem::take(&mut *holds.lock().unwrap_or_else(|p| p.into_inner()));
    let result = check(&app, &showtimes, &holds).await?;
    let rows = api.stats.summary(measured);
    let transactions: u64 = rows
        .iter()
        .filter(|r| r.kind.starts_with("hold") || r.kind == "release")
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
                "requests": rows,
                "server": usage,
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
        println!("booking transactions/s (holds and releases that succeeded) {per_second:.1}");
        print_table(&rows);
        println!("{}", resources::line(usage.as_ref()));
        println!("{}", result.line());
    }
    anyhow::ensure!(result.passed(), "{}", result.line());
    Ok(())
}
