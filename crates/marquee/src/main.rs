//! `marquee`: one binary that serves the site and API, migrates the database, loads the demo
//! catalog and manages the staff's owners. Every flag can also come from a `MARQUEE_*` variable.

mod mail_list;
mod settings_file;
mod store;

use anyhow::Context;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use marquee_domain::{Email, HoldLimits, StaffAccess, StaffRole, SystemClock};
use marquee_payments::Secret;
use marquee_server::client_address;
use marquee_server::config::StaffMfa;
use marquee_server::config::{HashingConfig, PaymentsConfig, RateLimitConfig};
use marquee_server::rate_limits::{ClassLimit, Rate};
use marquee_server::{accounts, demo, App, Config};
use marquee_store::PoolSettings;
use marquee_store::User;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpSocket};

#[derive(Parser)]
#[command(
    name = "marquee",
    version,
    about = "Sell seats for movies and live events"
)]
struct Cli {
    /// How log lines are written: `text` or `json`.
    #[arg(
        long,
        global = true,
        env = "MARQUEE_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and run the background jobs).
    Serve(Box<ServeArgs>),
    /// Create or update the database schema, then exit.
    Migrate(DatabaseArgs),
    /// Load the demo catalog (cities, venues, films, a week of showtimes) into an empty database;
    /// with --events, a synthetic catalog of that size instead.
    Demo(DemoArgs),
    /// Drive a running Marquee with load and check the database afterwards.
    Loadtest(marquee_loadtest::LoadtestArgs),
    /// Manage administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Look at the mail: what went to the mailbox (no SMTP configured) and the dead letters.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Look at `serve`'s settings.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check `serve`'s settings (flags, `MARQUEE_*` variables, `--config` file) and print
    /// the effective ones, secrets masked; exits non-zero on an invalid one.
    Check(Box<ServeArgs>),
}

#[derive(Subcommand)]
enum MailCommand {
    /// Print the mailbox (newest first: time, recipient, subject) and the dead letters (with
    /// their last error), from the database; the server need not run.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
        /// How many of each to print, at most.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
        /// Print each letter's text body too (it holds the links of password resets and
        /// invitations).
        #[arg(long)]
        bodies: bool,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Make an owner: a new account, or an existing one (whose password is then replaced).
    /// The password is asked for at the terminal, or read from standard input's first line,
    /// or taken from MARQUEE_ADMIN_PASSWORD; never from the command line, which others can read.
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long, env = "MARQUEE_ADMIN_EMAIL")]
        email: String,
    },
}

#[derive(Args)]
struct DemoArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Make a synthetic catalog of this many films instead of the demo's, for search and scale
    /// tests: invented titles, casts and directors, real cities with invented cinemas, and
    /// showtimes over the coming two weeks. Only into an empty database.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200_000))]
    events: Option<u32>,
    /// How many showtimes the synthetic catalog has (three a film unless given).
    #[arg(long, requires = "events", value_parser = clap::value_parser!(u32).range(0..=600_000))]
    showtimes: Option<u32>,
    /// The synthetic catalog's seed: the same seed, sizes and day make the same catalog.
    #[arg(long, requires = "events")]
    seed: Option<u64>,
}

#[derive(Args)]
struct DatabaseArgs {
    /// `sqlite://FILE` or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "MARQUEE_DATABASE_URL",
        default_value = "sqlite://marquee.db",
        hide_env_values = true
    )]
    database_url: String,
    /// PostgreSQL connections per node.
    #[arg(long, env = "MARQUEE_DATABASE_MAX_CONNECTIONS", default_value_t = 20)]
    database_max_connections: u32,
    /// How long a request waits for a free database connection before it is answered
    /// `503 database_unavailable`.
    #[arg(long, env = "MARQUEE_DATABASE_ACQUIRE_TIMEOUT", default_value = "3s", value_parser = parse_duration)]
    database_acquire_timeout: std::time::Duration,
    /// PostgreSQL's `statement_timeout` on every connection: a statement running longer is
    /// cancelled.
    #[arg(long, env = "MARQUEE_DATABASE_STATEMENT_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    database_statement_timeout: std::time::Duration,
    /// PostgreSQL's `lock_timeout` on every connection: how long a statement waits for a row
    /// another transaction holds.
    #[arg(long, env = "MARQUEE_DATABASE_LOCK_TIMEOUT", default_value = "2s", value_parser = parse_duration)]
    database_lock_timeout: std::time::Duration,
}

#[derive(Args)]
struct ServeArgs {
    /// A TOML file of these settings (`hold_ttl = "10m"`; see marquee.example.toml). The
    /// `MARQUEE_*` variables override it, and flags override both.
    #[arg(long, env = "MARQUEE_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, env = "MARQUEE_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Load the demo catalog first if the database has no catalog yet.
    #[arg(long, env = "MARQUEE_DEMO")]
    demo: bool,
    /// How long a hold keeps its seats: `10m`, `90s`, or a number of seconds.
    #[arg(long, env = "MARQUEE_HOLD_TTL", default_value = "10m", value_parser = parse_duration)]
    hold_ttl: std::time::Duration,
    /// Most seats one account may have in holds and sales of one showtime (0: no limit).
    #[arg(
        long,
        env = "MARQUEE_HOLD_MAX_SEATS_PER_SHOWTIME",
        default_value_t = 10
    )]
    hold_max_seats_per_showtime: u32,
    /// Most holds one account may have at once, over all showtimes (0: no limit).
    #[arg(long, env = "MARQUEE_HOLD_MAX_LIVE_HOLDS", default_value_t = 3)]
    hold_max_live_holds: u32,
    /// After a hold runs out unpaid, how long its account may not hold seats of that showtime
    /// (0: no cool-down).
    #[arg(long, env = "MARQUEE_HOLD_COOLDOWN", default_value = "2m", value_parser = parse_duration)]
    hold_cooldown: std::time::Duration,
    /// How long a login lasts.
    #[arg(long, env = "MARQUEE_SESSION_TTL", default_value = "30days", value_parser = parse_duration)]
    session_ttl: std::time::Duration,
    /// How long a staff member's login lasts.
    #[arg(long, env = "MARQUEE_STAFF_SESSION_TTL", default_value = "10h", value_parser = parse_duration)]
    staff_session_ttl: std::time::Duration,
    /// Whether staff must enrol an authenticator app before they can do anything: `required`
    /// (the default) or `optional` (the default with `--demo`).
    #[arg(long, env = "MARQUEE_STAFF_MFA", value_parser = ["required", "optional"])]
    staff_mfa: Option<String>,
    /// How often expired holds are swept (they block no one before that either).
    #[arg(long, env = "MARQUEE_SWEEP_INTERVAL", default_value = "15s", value_parser = parse_duration)]
    sweep_interval: std::time::Duration,
    /// How old a cached seat map may grow before it is read again (this node's own changes
    /// show at once; other nodes' within this time).
    #[arg(long, env = "MARQUEE_SEAT_MAP_MAX_AGE", default_value = "1s", value_parser = parse_duration)]
    seat_map_max_age: std::time::Duration,
    /// The payment gateway: `stripe`, or `sandbox` (built in; Stripe's test cards only, so
    /// anyone gets tickets). Must be chosen, except with `--demo`, which picks the sandbox.
    #[arg(long, env = "MARQUEE_PAYMENTS", value_parser = ["sandbox", "stripe"])]
    payments: Option<String>,
    /// Let the sandbox take payments on a node reachable from other machines (a bind address
    /// other than loopback, or an https public URL): for test sites only.
    #[arg(long, env = "MARQUEE_ALLOW_TEST_PAYMENTS")]
    allow_test_payments: bool,
    /// Stripe's secret API key (`sk_...`). Better given through the environment.
    #[arg(long, env = "MARQUEE_STRIPE_SECRET_KEY", hide_env_values = true)]
    stripe_secret_key: Option<String>,
    /// The signing secret of Marquee's webhook endpoint in Stripe (`whsec_...`).
    #[arg(long, env = "MARQUEE_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    stripe_webhook_secret: Option<String>,
    /// Stripe's API address.
    #[arg(long, env = "MARQUEE_STRIPE_API_BASE", default_value = marquee_payments::stripe::DEFAULT_API_BASE)]
    stripe_api_base: String,
    /// Stripe's publishable key (`pk_...`): the web site shows Stripe's card form with it.
    #[arg(long, env = "MARQUEE_STRIPE_PUBLISHABLE_KEY")]
    stripe_publishable_key: Option<String>,
    /// The sandbox's webhook signing secret; generated and kept in the database when not set.
    #[arg(long, env = "MARQUEE_SANDBOX_WEBHOOK_SECRET", hide_env_values = true)]
    sandbox_webhook_secret: Option<String>,
    /// This node's address as customers reach it (the sandbox's pages and webhooks use it).
    /// Default: `http://` and the address it listens on.
    #[arg(long, env = "MARQUEE_PUBLIC_URL")]
    public_url: Option<String>,
    /// How long a payment may wait for its webhook before the gateway is asked where it stands.
    #[arg(long, env = "MARQUEE_RECONCILE_AFTER", default_value = "15m", value_parser = parse_duration)]
    reconcile_after: std::time::Duration,
    /// How often ended sessions, old webhook event ids (30 days) and delivered outbox messages
    /// (7 days) are deleted.
    #[arg(long, env = "MARQUEE_HOUSEKEEPING_INTERVAL", default_value = "1h", value_parser = parse_duration)]
    housekeeping_interval: std::time::Duration,
    /// This node's number, 0-1023, unique among the nodes sharing a database.
    #[arg(long, env = "MARQUEE_NODE_ID", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=1023))]
    node_id: u16,
    /// How long a client may take to send a request's headers before the connection is closed.
    #[arg(long, env = "MARQUEE_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    header_read_timeout: std::time::Duration,
    /// How long a request may take before it is answered `503 request_timeout`.
    #[arg(long, env = "MARQUEE_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    request_timeout: std::time::Duration,
    /// Requests served at once; more are answered `503 overloaded` (never /healthz, /readyz
    /// or /metrics).
    #[arg(long, env = "MARQUEE_MAX_CONCURRENT_REQUESTS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_concurrent_requests: u32,
    /// How long a hold may wait for its turn in the hold queue before it is answered
    /// `503 overloaded`, undecided.
    #[arg(long, env = "MARQUEE_HOLD_QUEUE_DEADLINE", default_value = "5s", value_parser = parse_duration)]
    hold_queue_deadline: std::time::Duration,
    /// After SIGTERM or Ctrl-C: how long requests in flight may take to finish.
    #[arg(long, env = "MARQUEE_SHUTDOWN_GRACE", default_value = "10s", value_parser = parse_duration)]
    shutdown_grace: std::time::Duration,
    /// Passwords hashed at once (each hasher keeps 19 MiB). Default: the cores, at most 4.
    #[arg(long, env = "MARQUEE_PASSWORD_HASHERS", value_parser = clap::value_parser!(u16).range(1..=64))]
    password_hashers: Option<u16>,
    /// Logins and registrations that may wait for a hasher; beyond it they get `503 overloaded`.
    #[arg(long, env = "MARQUEE_PASSWORD_HASH_QUEUE", default_value_t = 64)]
    password_hash_queue: usize,
    /// How long a login may wait for a hasher before it gets `503 overloaded` instead.
    #[arg(long, env = "MARQUEE_PASSWORD_HASH_MAX_WAIT", default_value = "3s", value_parser = parse_duration)]
    password_hash_max_wait: std::time::Duration,
    /// Rate limits per client address and per account: `on`, or `off` for all (load tests).
    #[arg(long, env = "MARQUEE_RATE_LIMITS", default_value = "on", value_parser = ["on", "off"])]
    rate_limits: String,
    /// Register, log in, change the password: requests per address and per account (`off`: none).
    #[arg(long, env = "MARQUEE_RATE_LIMIT_AUTH", default_value_t = RateArg::of(RateLimitConfig::DEFAULT_AUTH), value_parser = RateArg::parse)]
    rate_limit_auth: RateArg,
    /// How many `auth` requests may come at once before the rate applies.
    #[arg(long, env = "MARQUEE_RATE_LIMIT_AUTH_BURST", default_value_t = burst(RateLimitConfig::DEFAULT_AUTH))]
    rate_limit_auth_burst: NonZeroU32,
    /// Hold, release, checkout, pay: requests per address and per account (`off`: none).
    #[arg(long, env = "MARQUEE_RATE_LIMIT_BOOKING", default_value_t = RateArg::of(RateLimitConfig::DEFAULT_BOOKING), value_parser = RateArg::parse)]
    rate_limit_booking: RateArg,
    /// How many `booking` requests may come at once before the rate applies.
    #[arg(long, env = "MARQUEE_RATE_LIMIT_BOOKING_BURST", default_value_t = burst(RateLimitConfig::DEFAULT_BOOKING))]
    rate_limit_booking_burst: NonZeroU32,
    /// Every other GET under /api/v1: requests per address and per account (`off`: none).
    #[arg(long, env = "MARQUEE_RATE_LIMIT_READ", default_value_t = RateArg::of(RateLimitConfig::DEFAULT_READ), value_parser = RateArg::parse)]
    rate_limit_read: RateArg,
    /// How many `read` requests may come at once before the rate applies.
    #[arg(long, env = "MARQUEE_RATE_LIMIT_READ_BURST", default_value_t = burst(RateLimitConfig::DEFAULT_READ))]
    rate_limit_read_burst: NonZeroU32,
    /// Reverse proxies whose X-Forwarded-For names the client: comma-separated addresses or
    /// networks (`10.0.0.0/8,192.0.2.1`). From anyone else the header is ignored.
    #[arg(long, env = "MARQUEE_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: String,
    /// Slow an account's logins down after repeated wrong passwords (`on` or `off`).
    #[arg(long, env = "MARQUEE_LOGIN_THROTTLE", default_value = "on", value_parser = ["on", "off"])]
    login_throttle: String,
    /// The SMTP server mail goes through: `smtp://host:25` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465` (implicit TLS). Unset: mail goes to the database's `mailbox` table.
    #[arg(long, env = "MARQUEE_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The SMTP account's name and password.
    #[arg(long, env = "MARQUEE_SMTP_USERNAME")]
    smtp_username: Option<String>,
    #[arg(long, env = "MARQUEE_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The sender of the mail, e.g. `Cinema Tejo <tickets@example.com>`; by default
    /// `Marquee <noreply@{the public URL's host}>`.
    #[arg(long, env = "MARQUEE_MAIL_FROM")]
    mail_from: Option<String>,
    /// Attempts at a message before it is a dead letter.
    #[arg(long, env = "MARQUEE_MAIL_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    mail_max_attempts: u32,
}

/// A `--rate-limit-*` value: `10/min`, or `off`.
#[derive(Clone, Copy)]
struct RateArg(Option<Rate>);

impl RateArg {
    fn of(limit: Option<ClassLimit>) -> RateArg {
        RateArg(limit.map(|l| l.rate))
    }

    fn parse(text: &str) -> Result<RateArg, String> {
        Rate::parse(text).map(RateArg)
    }

    fn with_burst(self, burst: NonZeroU32) -> Option<ClassLimit> {
        self.0.map(|rate| ClassLimit { rate, burst })
    }
}

impl std::fmt::Display for RateArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(rate) => rate.fmt(f),
            None => f.write_str("off"),
        }
    }
}

fn burst(limit: Option<ClassLimit>) -> NonZeroU32 {
    limit.map_or(NonZeroU32::MIN, |l| l.burst)
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    if let Ok(seconds) = text.trim().parse::<u64>() {
        return Ok(std::time::Duration::from_secs(seconds));
    }
    humantime::parse_duration(text.trim()).map_err(|e| format!("{e} (try 10m, 90s or 600)"))
}

impl DatabaseArgs {
    fn config(&self) -> Config {
        Config {
            database_url: self.database_url.clone(),
            database_max_connections: self.database_max_connections,
            database: PoolSettings {
                acquire_timeout: self.database_acquire_timeout,
                statement_timeout: self.database_statement_timeout,
                lock_timeout: self.database_lock_timeout,
            },
            ..Config::default()
        }
    }

    /// Refuses limits outside the range where they make sense.
    fn check(&self) -> anyhow::Result<()> {
        within(
            "--database-acquire-timeout",
            self.database_acquire_timeout,
            1,
            600,
        )?;
        within(
            "--database-statement-timeout",
            self.database_statement_timeout,
            1,
            24 * 3600,
        )?;
        within(
            "--database-lock-timeout",
            self.database_lock_timeout,
            1,
            3600,
        )
    }
}

/// How log lines are written.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    /// One line of text per event.
    Text,
    /// One JSON object per line, with the request's fields (request id, route) in each.
    Json,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (command_line, from_file) =
        settings_file::apply(std::env::args_os().collect(), &Cli::command())?;
    let matches = Cli::command().get_matches_from(command_line);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let _flush_logs = init_logging(cli.log_format);
    match cli.command {
        Command::Config {
            command: ConfigCommand::Check(args),
        } => {
            let (_, gateway) = settings(&args, args.bind)?;
            let checked = matches
                .subcommand_matches("config")
                .and_then(|m| m.subcommand_matches("check"))
                .context("the matches of config check")?;
            print!(
                "{}",
                effective_settings(checked, &Cli::command(), &from_file)
            );
            println!("# every setting is valid; payments go through {gateway}");
            Ok(())
        }
        Command::Serve(args) => serve(*args).await,
        Command::Migrate(db) => {
            connect(db.config()).await?;
            tracing::info!("database is migrated");
            Ok(())
        }
        Command::Demo(args) => {
            args.database.check()?;
            let app = connect(args.database.config()).await?;
            match args.events {
                None => load_demo(&app).await,
                Some(events) => {
                    let size = demo::SyntheticSize {
                        events: events as usize,
                        showtimes: args.showtimes.map_or(3 * events as usize, |s| s as usize),
                        seed: args.seed.unwrap_or(demo::DEFAULT_SEED),
                    };
                    load_synthetic(&app, size).await
                }
            }
        }
        Command::Loadtest(args) => {
            // The load generator's set-up and CHECK need only a few connections.
            let store = store::open(&args.database_url, 4, PoolSettings::default()).await?;
            marquee_loadtest::run(args, store).await
        }
        Command::Mail {
            command:
                MailCommand::List {
                    database,
                    limit,
                    bodies,
                },
        } => {
            let config = database.config();
            let store = store::open(
                &config.database_url,
                config.database_max_connections,
                config.database,
            )
            .await?;
            print!("{}", mail_list::list(&*store, limit, bodies).await?);
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { database, email },
        } => {
            let password = admin_password()?;
            let app = connect(database.config()).await?;
            let user = staff_owner(&app, &email, &password).await?;
            tracing::info!(user = user.id.0, email = %user.email, "owner created");
            Ok(())
        }
    }
}

/// Logs to standard output, filtered by `MARQUEE_LOG` (default: info, sqlx's and tantivy's
/// warnings: tantivy says "save metas" at info each time a node builds its search catalog).
/// Logs to stdout through a writer thread of its own (`tracing_appender`): formatting a line
/// stays on the request's thread, but the write to stdout (a lock, and a system call per
/// line) does not, which at tens of thousands of access-log lines a second is most of their
/// cost. Nothing is dropped: when the writer falls behind, requests wait for it. The guard
/// flushes what is left when it is dropped, at the end of `main`.
fn init_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let (stdout, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stdout());
    let filter = tracing_subscriber::EnvFilter::try_from_env("MARQUEE_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,tantivy=warn,tower_http=info")
    });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(stdout);
    match format {
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .init(),
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    guard
}

async fn load_demo(app: &App) -> anyhow::Result<()> {
    if !demo::is_empty(app.store()).await? {
        tracing::info!("the database has a catalog already; the demo catalog was not loaded");
        return Ok(());
    }
    let summary = demo::load(app.store(), app.now())
        .await
        .context("loading the demo catalog")?;
    tracing::info!(?summary, "demo catalog loaded");
    Ok(())
}

/// A synthetic catalog of `size`, into an empty database only: added to a catalog, its
/// made-up cities and films would be mixed with real ones.
async fn load_synthetic(app: &App, size: demo::SyntheticSize) -> anyhow::Result<()> {
    if demo::has_catalog(app.store()).await? {
        anyhow::bail!(
            "the database has a catalog already: a synthetic catalog is loaded only into an \
             empty database (give --database-url a new one)"
        );
    }
    demo::load_synthetic(app.store(), size, app.now())
        .await
        .context("writing the synthetic catalog")?;
    Ok(())
}

/// The demo's owner, `admin@example.com`: made on the demo's first start with a random
/// password printed to the terminal (not the log), so a newcomer logs in to the back office at
/// once. Later starts leave the account alone (`marquee admin create` sets a new password).
async fn demo_admin(app: &App) -> anyhow::Result<()> {
    let email = Email::parse(demo::ADMIN_EMAIL).map_err(|e| anyhow::anyhow!("{e}"))?;
    let back_office = format!("{}/admin", app.config().public_url);
    if app.store().find_user_by_email(&email).await?.is_some() {
        println!(
            "\n  Back office: {back_office}\n  Log in as {email} with the password printed when \
             it was made\n  (or set one: marquee admin create --email {email})\n"
        );
        return Ok(());
    }
    let password = demo::new_admin_password();
    staff_owner(app, email.as_str(), &password).await?;
    println!(
        "\n  Back office: {back_office}\n  Log in as {email} with the password {password}\n  \
         (an authenticator app is offered, not required, with --demo)\n"
    );
    Ok(())
}

/// Makes `email` an owner: a new account with `password`, or an existing one whose password
/// becomes `password`.
async fn staff_owner(app: &App, email: &str, password: &str) -> anyhow::Result<User> {
    let parsed = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let user = match app.store().find_user_by_email(&parsed).await? {
        Some(existing) => {
            accounts::set_password(app, &existing.user, password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            existing.user
        }
        None => accounts::register(app, email, password)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let owner = StaffAccess::new(StaffRole::Owner, vec![]).map_err(|e| anyhow::anyhow!("{e}"))?;
    app.store()
        .set_staff_access(user.id, &owner, None, app.now())
        .await?;
    Ok(user)
}

/// The new owner's password: from `MARQUEE_ADMIN_PASSWORD`, else asked for at the terminal
/// (not echoed), else read from the first line of standard input.
fn admin_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("MARQUEE_ADMIN_PASSWORD") {
        return Ok(password);
    }
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("Password for the new owner: ")?;
        let again = rpassword::prompt_password("Once more: ")?;
        anyhow::ensure!(password == again, "the two passwords differ");
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// How long one attempt of a call to Stripe may take (a call makes up to three).
const STRIPE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Refuses a setting outside the range where Marquee makes sense (and cannot overflow).
fn within(name: &str, value: std::time::Duration, min: u64, max: u64) -> anyhow::Result<()> {
    let secs = value.as_secs();
    anyhow::ensure!(
        (min..=max).contains(&secs),
        "{name} must be between {} and {}",
        humantime::format_duration(std::time::Duration::from_secs(min)),
        humantime::format_duration(std::time::Duration::from_secs(max)),
    );
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let listener = listen(args.bind).with_context(|| format!("binding {}", args.bind))?;
    let (config, gateway) = settings(&args, listener.local_addr()?)?;
    let app = connect(config).await?;
    let node = app.config().node_id;
    anyhow::ensure!(
        app.store().claim_node(node).await?,
        "node id {node} is in use by another live node on this database: give each node its \
         own MARQUEE_NODE_ID (0-1023), or two nodes could give two bookings one id"
    );
    let keep_claim = tokio::spawn(keep_node_claim(app.clone()));
    if args.demo {
        load_demo(&app).await?;
        demo_admin(&app).await?;
    }
    if app.payments().test_mode {
        tracing::warn!(
            gateway,
            "TEST MODE: payments take test cards only and no money moves; anyone who types \
             4242 4242 4242 4242 gets tickets. For a real sale: MARQUEE_PAYMENTS=stripe with a live key"
        );
    }
    log_rate_limits(&app.config().rate_limits, app.config().login_throttle);
    tracing::info!(address = %listener.local_addr()?, backend = app.store().backend(), hold_limits = ?app.config().hold_limits, "Marquee is serving");
    // The one router: the JSON API and the web pages (`marquee-web`).
    let router =
        marquee_server::http::router_with_pages(app.clone(), Some(marquee_web::pages(&app)));
    marquee_server::server::run(listener, router, app, shutdown_signal()).await?;
    keep_claim.abort();
    tracing::info!("stopped");
    Ok(())
}

/// How often a node checks it still holds its number.
const NODE_CLAIM_CHECK: std::time::Duration = std::time::Duration::from_secs(10);

/// Checks the node's claim to its number now and then, making it again if the database
/// connection that held it was lost; says so loudly if another node took the number meanwhile.
async fn keep_node_claim(app: App) {
    let node = app.config().node_id;
    let mut tick = tokio::time::interval(NODE_CLAIM_CHECK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match app.store().claim_node(node).await {
            Ok(true) => {}
            Ok(false) => tracing::error!(
                node,
                "another node has taken this node's id while its claim was lost: stop one of them"
            ),
            Err(error) => tracing::warn!(%error, "could not check this node's claim to its id"),
        }
    }
}

/// The node's settings from `serve`'s flags, every one checked, for a node listening on
/// `address`; and the payment gateway chosen.
fn settings(args: &ServeArgs, address: SocketAddr) -> anyhow::Result<(Config, &'static str)> {
    within("--hold-ttl", args.hold_ttl, 10, 24 * 3600)?;
    within("--session-ttl", args.session_ttl, 60, 366 * 24 * 3600)?;
    within(
        "--staff-session-ttl",
        args.staff_session_ttl,
        60,
        7 * 24 * 3600,
    )?;
    within("--sweep-interval", args.sweep_interval, 1, 3600)?;
    within("--seat-map-max-age", args.seat_map_max_age, 0, 60)?;
    let to_chrono =
        |d: std::time::Duration| chrono::Duration::from_std(d).context("duration too long");
    within("--reconcile-after", args.reconcile_after, 10, 7 * 24 * 3600)?;
    within("--hold-cooldown", args.hold_cooldown, 0, 24 * 3600)?;
    within(
        "--housekeeping-interval",
        args.housekeeping_interval,
        60,
        7 * 24 * 3600,
    )?;
    let limit = |n: u32| (n > 0).then_some(n);
    let hold_limits = HoldLimits {
        seats_per_showtime: limit(args.hold_max_seats_per_showtime),
        live_holds: limit(args.hold_max_live_holds),
        cooldown: Some(to_chrono(args.hold_cooldown)?).filter(|d| !d.is_zero()),
    };
    within("--header-read-timeout", args.header_read_timeout, 1, 3600)?;
    within("--request-timeout", args.request_timeout, 1, 3600)?;
    within("--hold-queue-deadline", args.hold_queue_deadline, 1, 3600)?;
    within("--shutdown-grace", args.shutdown_grace, 0, 3600)?;
    args.database.check()?;
    within(
        "--password-hash-max-wait",
        args.password_hash_max_wait,
        1,
        60,
    )?;
    let password_hashing = HashingConfig {
        hashers: args
            .password_hashers
            .map_or(HashingConfig::default().hashers, usize::from),
        queue: args.password_hash_queue,
        max_wait: args.password_hash_max_wait,
    };
    let rate_limits = match args.rate_limits.as_str() {
        "off" => RateLimitConfig::off(),
        _ => RateLimitConfig {
            auth: args.rate_limit_auth.with_burst(args.rate_limit_auth_burst),
            booking: args
                .rate_limit_booking
                .with_burst(args.rate_limit_booking_burst),
            read: args.rate_limit_read.with_burst(args.rate_limit_read_burst),
            trusted_proxies: Vec::new(),
        },
    };
    let rate_limits = RateLimitConfig {
        trusted_proxies: client_address::parse_trusted_proxies(&args.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("MARQUEE_TRUSTED_PROXIES: {e}"))?,
        ..rate_limits
    };
    // This node as seen from this machine: where the sandbox's webhooks go.
    let self_url = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv6() => format!("http://[::1]:{}", address.port()),
        ip if ip.is_unspecified() => format!("http://127.0.0.1:{}", address.port()),
        _ => format!("http://{address}"),
    };
    let public_url = match &args.public_url {
        Some(url) => {
            let parsed = url::Url::parse(url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            anyhow::ensure!(
                parsed.is_some(),
                "MARQUEE_PUBLIC_URL must be an http:// or https:// address, not {url:?}"
            );
            url.trim_end_matches('/').to_string()
        }
        None => self_url.clone(),
    };
    let gateway = chosen_gateway(args, &public_url)?;
    let payments =
        match gateway {
            "stripe" => {
                PaymentsConfig::Stripe {
                    secret_key: Secret::new(args.stripe_secret_key.clone().context(
                        "MARQUEE_STRIPE_SECRET_KEY is needed with MARQUEE_PAYMENTS=stripe",
                    )?),
                    webhook_secret: Secret::new(args.stripe_webhook_secret.clone().context(
                        "MARQUEE_STRIPE_WEBHOOK_SECRET is needed with MARQUEE_PAYMENTS=stripe",
                    )?),
                    api_base: args.stripe_api_base.clone(),
                    timeout: STRIPE_TIMEOUT,
                }
            }
            _ => PaymentsConfig::Sandbox {
                webhook_secret: args
                    .sandbox_webhook_secret
                    .clone()
                    .filter(|s| !s.is_empty())
                    .map(Secret::new),
            },
        };
    let config = Config {
        payments,
        stripe_publishable_key: args
            .stripe_publishable_key
            .clone()
            .filter(|k| !k.is_empty()),
        public_url,
        self_url,
        reconcile_after: to_chrono(args.reconcile_after)?,
        hold_ttl: to_chrono(args.hold_ttl)?,
        hold_limits,
        session_ttl: to_chrono(args.session_ttl)?,
        staff_session_ttl: to_chrono(args.staff_session_ttl)?,
        staff_mfa: match (args.staff_mfa.as_deref(), args.demo) {
            (Some("optional"), _) | (None, true) => StaffMfa::Optional,
            _ => StaffMfa::Required,
        },
        sweep_interval: args.sweep_interval,
        housekeeping_interval: args.housekeeping_interval,
        seat_map_max_age: to_chrono(args.seat_map_max_age)?,
        node_id: args.node_id,
        header_read_timeout: args.header_read_timeout,
        request_timeout: args.request_timeout,
        max_concurrent_requests: args.max_concurrent_requests as usize,
        hold_queue_deadline: args.hold_queue_deadline,
        shutdown_grace: args.shutdown_grace,
        password_hashing,
        login_throttle: args.login_throttle == "on",
        rate_limits,
        mail: marquee_server::mail::MailConfig {
            smtp_url: args
                .smtp_url
                .clone()
                .filter(|u| !u.is_empty())
                .map(Secret::new),
            smtp_username: args.smtp_username.clone().filter(|u| !u.is_empty()),
            smtp_password: args
                .smtp_password
                .clone()
                .filter(|p| !p.is_empty())
                .map(Secret::new),
            from: args.mail_from.clone().filter(|f| !f.is_empty()),
            max_attempts: args.mail_max_attempts,
            ..Default::default()
        },
        ..args.database.config()
    };
    Ok((config, gateway))
}

/// The gateway `serve` takes payments through. Refuses to guess: a node that sells for real
/// must say so, and the sandbox (which gives tickets to anyone who types a test card) is
/// refused on a node reachable from other machines unless it is allowed outright.
fn chosen_gateway(args: &ServeArgs, public_url: &str) -> anyhow::Result<&'static str> {
    let gateway = match (args.payments.as_deref(), args.demo) {
        (Some("stripe"), _) => return Ok("stripe"),
        (Some(_), _) | (None, true) => "sandbox",
        (None, false) => anyhow::bail!(
            "choose how customers pay: MARQUEE_PAYMENTS=stripe (with MARQUEE_STRIPE_SECRET_KEY \
             and MARQUEE_STRIPE_WEBHOOK_SECRET) to sell for real, or MARQUEE_PAYMENTS=sandbox \
             to take Stripe's test cards only (anyone who types 4242 4242 4242 4242 gets \
             tickets). `serve --demo` uses the sandbox."
        ),
    };
    let exposed = if !args.bind.ip().is_loopback() {
        Some(format!("it listens on {}", args.bind))
    } else if public_url.starts_with("https://") {
        Some(format!("its public URL is {public_url}"))
    } else {
        None
    };
    if let (Some(exposed), false) = (exposed, args.allow_test_payments) {
        anyhow::bail!(
            "MARQUEE_PAYMENTS=sandbox takes test cards only, and this node is reachable by \
             others ({exposed}): anyone could get tickets for free. Set MARQUEE_PAYMENTS=stripe \
             to sell for real, or MARQUEE_ALLOW_TEST_PAYMENTS=true if this is a test site."
        );
    }
    Ok(gateway)
}

/// `serve`'s settings as `config check` prints them: one `key = value` line each, in the
/// settings file's spelling, with where it came from; secrets masked.
fn effective_settings(matches: &ArgMatches, cli: &clap::Command, from_file: &[String]) -> String {
    let Some(serve) = cli.find_subcommand("serve") else {
        return String::new();
    };
    let mut out = String::new();
    for arg in serve.get_arguments() {
        let id = arg.get_id().as_str();
        if matches!(id, "help" | "config") {
            continue;
        }
        let values: Vec<String> = matches
            .get_raw(id)
            .into_iter()
            .flatten()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let source = match matches.value_source(id) {
            Some(_) if from_file.iter().any(|k| k == id) => "file",
            Some(clap::parser::ValueSource::CommandLine) => "flag",
            Some(clap::parser::ValueSource::EnvVariable) => "environment",
            Some(clap::parser::ValueSource::DefaultValue) => "default",
            _ => "not set",
        };
        let value = match values.as_slice() {
            [] => {
                out.push_str(&format!("# {id} is not set\n"));
                continue;
            }
            _ if arg.is_hide_env_values_set() => masked(&values.join(",")),
            _ => values.join(","),
        };
        out.push_str(&format!("{id} = {value:?}  # {source}\n"));
    }
    out
}

/// A secret as `config check` shows it: a URL keeps all but its password; anything else is
/// stars.
fn masked(secret: &str) -> String {
    match url::Url::parse(secret) {
        Ok(mut url) if url.has_host() => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        _ => "***".to_string(),
    }
}

/// Says which limits are on: a load test's figures mean something else without them.
fn log_rate_limits(limits: &RateLimitConfig, login_throttle: bool) {
    let show = |limit: Option<ClassLimit>| match limit {
        Some(l) => format!("{} burst {}", l.rate, l.burst),
        None => "off".to_string(),
    };
    tracing::info!(
        auth = %show(limits.auth),
        booking = %show(limits.booking),
        read = %show(limits.read),
        trusted_proxies = limits.trusted_proxies.len(),
        login_throttle,
        "rate limits"
    );
}

/// Connections waiting to be accepted. The usual 128 overflows when an on-sale opens: a few
/// hundred browsers connect in the same millisecond, and a connection the kernel drops is
/// retried only after hundreds of milliseconds. The kernel caps it at `net.core.somaxconn`.
const ACCEPT_BACKLOG: u32 = 4096;

fn listen(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(ACCEPT_BACKLOG)
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// An app on the database the configuration names (migrated), on the wall clock.
async fn connect(config: Config) -> anyhow::Result<App> {
    let store = store::open(
        &config.database_url,
        config.database_max_connections,
        config.database,
    )
    .await?;
    App::new(store, Arc::new(SystemClock), config).await
}
