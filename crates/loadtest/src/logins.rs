//! `logins`: a login flood. `--concurrency` clients each log in once, all at the same moment,
//! to a few accounts with real password hashes, so every login makes the server verify an
//! argon2 hash (19 MiB of working memory each). The figures that matter are the server's
//! memory: its peak during the flood and where it settles afterwards (`--settle-seconds`
//! later). A flood beyond what the server hashes at once is refused with `503 overloaded` (or
//! `429`) and `Retry-After`, which counts as a correct answer here; anything else does not.
//!
//! Run the server with rate limits off (`MARQUEE_RATE_LIMITS=off`): hundreds of logins from
//! one address to a few accounts are exactly what they are there to stop.

use crate::client::Api;
use crate::resources::{self, Sampler};
use crate::stats::print_table;
use crate::LoadtestArgs;
use anyhow::Context;
use clap::Args;
use marquee_domain::{Email, Role};
use marquee_server::{accounts, App};
use marquee_store::NewUser;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args, Debug, Clone)]
pub struct LoginsArgs {
    /// Logins sent at once, each on a connection of its own.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=5000))]
    pub concurrency: u64,
    /// Accounts the logins are spread over (each has a real password hash).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=5000))]
    pub accounts: u64,
    /// How long to keep watching the server's memory after the last answer: its end figure
    /// is the memory it keeps after the flood.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=600))]
    pub settle_seconds: u64,
}

/// What the clients were answered.
#[derive(Debug, Default, Serialize)]
pub struct LoginsCheck {
    pub logins: u64,
    /// 200 with a token.
    pub logged_in: u64,
    /// 503 or 429 with `Retry-After`: the server said when to come back.
    pub told_to_retry: u64,
    /// Anything else, or no answer. Must be 0.
    pub wrong: u64,
}

impl LoginsCheck {
    pub fn passed(&self) -> bool {
        self.wrong == 0 && self.logged_in > 0
    }

    pub fn line(&self) -> String {
        format!(
            "CHECK {}: of {} logins, {} logged in, {} told to retry (503/429 with Retry-After), {} wrong",
            if self.passed() { "ok" } else { "FAILED" },
            self.logins,
            self.logged_in,
            self.told_to_retry,
            self.wrong
        )
    }
}

enum Answer {
    LoggedIn,
    Retry,
    Wrong,
}

pub async fn run(
    common: &LoadtestArgs,
    server: Option<u32>,
    args: &LoginsArgs,
    app: App,
) -> anyhow::Result<()> {
    let setup = Instant::now();
    let emails = accounts_with_one_password(&app, args.accounts).await?;
    let concurrency = usize::try_from(args.concurrency)?;
    let api = Arc::new(Api::new(&common.target, concurrency)?);
    api.connect(&common.target, concurrency).await?;
    if !common.json {
        eprintln!(
            "set up {} accounts and {} connections in {:.1?}; {} logins at once",
            args.accounts,
            concurrency,
            setup.elapsed(),
            concurrency
        );
    }

    let settle = Duration::from_secs(args.settle_seconds);
    // Long enough for any flood the flags allow; the sampler stops when told.
    let sampler = Sampler::start(server, Duration::from_secs(crate::MAX_SECONDS));
    let started = Instant::now();
    let logins = (0..concurrency).map(|i| {
        let api = api.clone();
        let email = emails.emails[i % emails.emails.len()].clone();
        let password = emails.password.clone();
        tokio::spawn(async move { login(&api, &email, &password).await })
    });
    let answers = futures::future::join_all(logins).await;
    let measured = started.elapsed();
    tokio::time::sleep(settle).await;
    let usage = sampler.finish().await;

    let mut check = LoginsCheck::default();
    for answer in answers {
        check.logins += 1;
        match answer {
            Ok(Answer::LoggedIn) => check.logged_in += 1,
            Ok(Answer::Retry) => check.told_to_retry += 1,
            Ok(Answer::Wrong) | Err(_) => check.wrong += 1,
        }
    }
    let rows = api.stats.summary(measured);
    if common.json {
        println!(
            "{}",
            json!({
                "scenario": "logins",
                "backend": app.store().backend(),
                "concurrency": concurrency,
                "accounts": args.accounts,
                "measured_seconds": measured.as_secs_f64(),
                "settle_seconds": args.settle_seconds,
                "requests": rows,
                "server": usage,
                "check": check,
            })
        );
    } else {
        println!(
            "logins on {}: {} at once over {} accounts; all answered in {:.2?}, memory watched {} s more",
            app.store().backend(),
            concurrency,
            args.accounts,
            measured,
            args.settle_seconds
        );
        print_table(&rows);
        println!("{}", resources::line(usage.as_ref()));
        println!("{}", check.line());
    }
    anyhow::ensure!(check.passed(), "{}", check.line());
    Ok(())
}

async fn login(api: &Api, email: &str, password: &str) -> Answer {
    let request = api
        .post("/auth/login")
        .json(&json!({ "email": email, "password": password }));
    match api.send_status("login", request).await {
        Some((200, _)) => Answer::LoggedIn,
        Some((429 | 503, true)) => Answer::Retry,
        _ => Answer::Wrong,
    }
}

struct Accounts {
    emails: Vec<String>,
    password: String,
}

/// `count` accounts sharing one random password. One is registered through the account
/// service (one real hash); the others are written with the same hash, so set-up hashes once.
async fn accounts_with_one_password(app: &App, count: u64) -> anyhow::Result<Accounts> {
    let run = app.now().timestamp_millis();
    let password: String = (0..24)
        .map(|_| char::from(b'a' + rand::random::<u8>() % 26))
        .collect();
    let emails: Vec<String> = (0..count)
        .map(|i| format!("login{i}-{run}@loadtest.invalid"))
        .collect();
    let first = accounts::register(app, &emails[0], &password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = app
        .store()
        .find_user_by_email(&first.email)
        .await?
        .context("the first account")?
        .password_hash;
    for email in &emails[1..] {
        app.store()
            .create_user(NewUser {
                email: Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?,
                password_hash: hash.clone(),
                roles: vec![Role::Customer],
                now: app.now(),
            })
            .await?;
    }
    Ok(Accounts { emails, password })
}
