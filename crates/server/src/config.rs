//! Settings of one Marquee node. The CLI fills them from flags and `MARQUEE_*` variables.

pub use crate::password_hashers::HashingConfig;
pub use crate::rate_limits::RateLimitConfig;
use chrono::Duration;
use marquee_domain::HoldLimits;
use marquee_payments::Secret;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://marquee.db` (the default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Connections to PostgreSQL per node; SQLite uses one writer and four readers whatever this says.
    pub database_max_connections: u32,
    /// How long a hold keeps its seats.
    pub hold_ttl: Duration,
    /// One account's share of a sale, checked in each hold's transaction.
    pub hold_limits: HoldLimits,
    /// How long a login token lasts.
    pub session_ttl: Duration,
    /// How long a staff member's login lasts: a working day, not weeks.
    pub staff_session_ttl: Duration,
    /// Whether staff must enrol an authenticator before they can do anything (`required`,
    /// the default) or may put it off (`optional`, for the demo).
    pub staff_mfa: StaffMfa,
    /// How often the sweeper moves expired holds to `expired`. Expiry does not wait for it:
    /// an expired hold blocks no one from the moment it runs out.
    pub sweep_interval: std::time::Duration,
    /// How old a cached seat map may grow before it is read again. This node's own holds and
    /// releases show at once; other nodes' show within this time.
    pub seat_map_max_age: Duration,
    /// Which payment gateway bookings are paid through.
    pub payments: PaymentsConfig,
    /// Stripe's publishable key (`pk_...`), with which customers' browsers show Stripe's card
    /// form on the booking page. Public by design; without it the site cannot take Stripe
    /// payments (the API still can: its clients bring their own).
    pub stripe_publishable_key: Option<String>,
    /// This node's address as customers and the sandbox's webhooks reach it, without a
    /// trailing slash (e.g. `https://tickets.example.com`).
    pub public_url: String,
    /// This node itself as reached from this machine (loopback), where the sandbox gateway
    /// sends its webhooks: they need not go out and back through a proxy or TLS.
    pub self_url: String,
    /// How long a payment may stay open (no webhook yet) before the reconciliation job asks
    /// the gateway where it stands.
    pub reconcile_after: Duration,
    /// How often ended sessions and password reset links, old webhook event ids and delivered
    /// outbox messages are deleted.
    pub housekeeping_interval: std::time::Duration,
    /// How often the reconciliation job runs.
    pub reconcile_interval: std::time::Duration,
    /// Tells this node's booking ids from other nodes'; unique per live node, 0 to 1023.
    pub node_id: u16,
    /// How long a client may take to send a request's headers before its connection is
    /// closed (slow clients must not hold connections open).
    pub header_read_timeout: std::time::Duration,
    /// How long a request may take before it is answered `503 request_timeout`.
    pub request_timeout: std::time::Duration,
    /// Requests served at once; more are answered `503 overloaded` at once (health checks
    /// and metrics are never refused).
    pub max_concurrent_requests: usize,
    /// How long a hold may wait in the hold queue before it is answered `503 overloaded`
    /// undecided.
    pub hold_queue_deadline: std::time::Duration,
    /// How long requests in flight may take to finish after a shutdown signal.
    pub shutdown_grace: std::time::Duration,
    /// Database pool and per-statement limits.
    pub database: marquee_store::PoolSettings,
    /// How many passwords are hashed at once, and how many logins may wait how long.
    pub password_hashing: HashingConfig,
    /// Requests per client address and per account, by route class (see `rate_limits`).
    pub rate_limits: RateLimitConfig,
    /// Whether repeated wrong passwords slow an account's logins down (see `login_throttle`).
    pub login_throttle: bool,
    /// How the outbox is delivered (SMTP or the mailbox), and its retries.
    pub mail: crate::mail::MailConfig,
}

/// Whether staff must have a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffMfa {
    Required,
    Optional,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://marquee.db".into(),
            database_max_connections: 20,
            hold_ttl: Duration::minutes(10),
            hold_limits: HoldLimits::DEFAULT,
            session_ttl: Duration::days(30),
            staff_session_ttl: Duration::hours(10),
            staff_mfa: StaffMfa::Required,
            sweep_interval: std::time::Duration::from_secs(15),
            seat_map_max_age: Duration::seconds(1),
            payments: PaymentsConfig::Sandbox {
                webhook_secret: None,
            },
            public_url: "http://127.0.0.1:8080".into(),
            stripe_publishable_key: None,
            self_url: "http://127.0.0.1:8080".into(),
            reconcile_after: Duration::minutes(15),
            reconcile_interval: std::time::Duration::from_secs(60),
            housekeeping_interval: std::time::Duration::from_secs(3600),
            node_id: 0,
            header_read_timeout: std::time::Duration::from_secs(10),
            request_timeout: std::time::Duration::from_secs(30),
            max_concurrent_requests: 1024,
            hold_queue_deadline: std::time::Duration::from_secs(5),
            shutdown_grace: std::time::Duration::from_secs(10),
            database: marquee_store::PoolSettings::default(),
            password_hashing: HashingConfig::default(),
            rate_limits: RateLimitConfig::default(),
            login_throttle: true,
            mail: crate::mail::MailConfig::default(),
        }
    }
}

/// The payment gateway and its secrets (which never show in `Debug`).
#[derive(Debug, Clone)]
pub enum PaymentsConfig {
    /// The built-in test gateway (`payments::sandbox`). Its webhook secret is generated and
    /// kept in the database when not given.
    Sandbox { webhook_secret: Option<Secret> },
    /// Stripe's API.
    Stripe {
        secret_key: Secret,
        webhook_secret: Secret,
        api_base: String,
        /// For one attempt of one call (three attempts in all).
        timeout: std::time::Duration,
    },
}
