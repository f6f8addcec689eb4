//! `marquee loadtest`: Marquee under load, measured.
//!
//! The load generator drives a running Marquee over HTTP, the way customers would. Set-up
//! (showtimes created for the run, users logged in) writes straight to the same database
//! before the clock starts, and is not measured. During the measured phase the server's
//! resident memory is sampled. Afterwards each scenario's CHECK says whether what the clients
//! saw is right: for bookings, the database itself is asked whether any seat went to two live
//! bookings and whether every hold the clients were told about is really there. A CHECK that
//! is not clean fails the run.

mod browse;
mod check;
mod client;
mod drive;
mod logins;
mod onsale;
mod progress;
mod resources;
mod search;
mod seed;
mod stats;
mod steady;

use clap::{Args, Subcommand};
use marquee_domain::SystemClock;
use marquee_server::{App, Config};
use marquee_store::Store;
use std::sync::Arc;

/// The longest measured phase any scenario takes: an hour is a soak test already.
const MAX_SECONDS: u64 = 3600;

#[derive(Args, Debug, Clone)]
pub struct LoadtestArgs {
    #[command(subcommand)]
    pub scenario: Scenario,
    /// The Marquee to drive (loopback only: this is a load generator).
    #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
    pub target: String,
    /// The database that Marquee uses, for set-up and for the CHECK afterwards.
    #[arg(
        long,
        global = true,
        env = "MARQUEE_DATABASE_URL",
        default_value = "sqlite://marquee.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// The server's process, for its memory; found from the target's port when not given.
    #[arg(long, global = true)]
    pub server_pid: Option<u32>,
    /// Print one JSON object instead of the table.
    #[arg(long, global = true)]
    pub json: bool,
    /// The limits the server says it applies (`GET /api/v1/limits`), read before the run and
    /// reported with its figures: a figure means little without them.
    #[arg(skip)]
    pub server_limits: serde_json::Value,
}

/// The server's limits as one line of the report.
pub fn limits_line(limits: &serde_json::Value) -> String {
    match limits {
        serde_json::Value::Null => "limits: not said (a server without GET /api/v1/limits)".into(),
        limits => format!("limits: {limits}"),
    }
}

/// `GET /api/v1/limits`, or `null` from a server that does not have it.
async fn server_limits(target: &str) -> anyhow::Result<serde_json::Value> {
    let response = reqwest::get(format!("{}/api/v1/limits", target.trim_end_matches('/'))).await?;
    if !response.status().is_success() {
        return Ok(serde_json::Value::Null);
    }
    Ok(response.json().await?)
}

#[derive(Subcommand, Debug, Clone)]
pub enum Scenario {
    /// One large showtime goes on sale; everyone wants two seats at once.
    Onsale(onsale::OnsaleArgs),
    /// Customers reading the catalog and seat maps of many showtimes.
    Browse(browse::BrowseArgs),
    /// Searching a large catalog: words, typos and type-ahead, with and without filters.
    Search(search::SearchArgs),
    /// Holds and releases spread over many showtimes, for a fixed time.
    Steady(steady::SteadyArgs),
    /// A login flood: many logins at once with real password hashes; the server's memory.
    Logins(logins::LoginsArgs),
}

/// Runs a scenario; an error when the CHECK fails, so scripts and CI can rely on the exit code.
/// `store` is the load generator's own way into the database (`--database-url`): set-up and
/// the CHECK need only a few connections, which leaves the rest to the server.
pub async fn run(mut args: LoadtestArgs, store: Arc<dyn Store>) -> anyhow::Result<()> {
    let url = reqwest::Url::parse(&args.target)?;
    let host = url.host_str().unwrap_or_default();
    anyhow::ensure!(
        host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127."),
        "the load generator only targets this machine (127.0.0.0/8, ::1, localhost), not {host}"
    );
    args.server_limits = server_limits(&args.target).await?;
    let server = args
        .server_pid
        .or_else(|| resources::listener_pid(url.port_or_known_default()?));
    match &args.scenario {
        Scenario::Onsale(onsale) => onsale::run(&args, server, onsale, connect(store).await?).await,
        Scenario::Browse(browse) => browse::run(&args, server, browse, connect(store).await?).await,
        Scenario::Search(search) => search::run(&args, server, search, connect(store).await?).await,
        Scenario::Steady(steady) => steady::run(&args, server, steady, connect(store).await?).await,
        Scenario::Logins(logins) => logins::run(&args, server, logins, connect(store).await?).await,
    }
}

async fn connect(store: Arc<dyn Store>) -> anyhow::Result<App> {
    App::new(store, Arc::new(SystemClock), Config::default()).await
}
