//! `marquee loadtest`: a blockbuster going on sale, measured.
//!
//! The load generator drives a running Marquee over HTTP, the way customers would. Set-up
//! (a showtime created for the run, users logged in) writes straight to the same database
//! before the clock starts, and is not measured. Afterwards the database itself is asked
//! whether any seat went to two live bookings and whether every hold the clients were told
//! about is really there: the CHECK line, which fails the run when it is not clean.

mod check;
mod onsale;
mod seed;
mod stats;

use clap::{Args, Subcommand};

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
    /// Print one JSON object instead of the table.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Scenario {
    /// One large showtime goes on sale; everyone wants two seats at once.
    Onsale(onsale::OnsaleArgs),
}

/// Runs a scenario; an error when the CHECK fails, so scripts and CI can rely on the exit code.
pub async fn run(args: LoadtestArgs) -> anyhow::Result<()> {
    let host = reqwest::Url::parse(&args.target)?
        .host_str()
        .map(str::to_string)
        .unwrap_or_default();
    anyhow::ensure!(
        host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127."),
        "the load generator only targets this machine (127.0.0.0/8, ::1, localhost), not {host}"
    );
    match &args.scenario {
        Scenario::Onsale(onsale) => onsale::run(&args, onsale).await,
    }
}
