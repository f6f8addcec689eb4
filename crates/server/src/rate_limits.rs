//! Rate limits (GCRA, the `governor` crate) per client address and per account, for three
//! classes of route: `auth` (strict: register, log in, change the password, log out
//! everywhere), `booking` (moderate: hold, release, checkout, the sandbox's pay) and `read`
//! (generous: every other GET under `/api/v1`). A request over a limit gets `429
//! rate_limited` with `Retry-After`. The limits live in this node's memory: with N nodes
//! behind a balancer a client gets up to N times the rate.
//!
//! The limiters run on the app's clock, so tests move time instead of sleeping. Their state is
//! kept only for keys seen within the last burst's worth of time, and pruned of the rest every
//! `PRUNE_EVERY` checks: memory follows the clients active in that window, not all ever seen.

use crate::error::{AppError, AppResult, ErrorCode};
use axum::http::Method;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use ipnet::IpNet;
use marquee_domain::{Clock, UserId};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Which limit a route counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteClass {
    Auth,
    Booking,
    Read,
}

impl RouteClass {
    /// The class of `method` on the route template `route` (as axum's `MatchedPath` spells
    /// it), or `None` for a route no class limits (logout, the gateway's webhooks).
    pub fn of(method: &Method, route: &str) -> Option<RouteClass> {
        let route = route.strip_prefix("/api/v1")?;
        match (method, route) {
            (
                &Method::POST,
                "/auth/register" | "/auth/login" | "/me/password" | "/me/sessions/revoke",
            ) => Some(RouteClass::Auth),
            (&Method::POST, "/bookings" | "/bookings/{id}/checkout")
            | (&Method::DELETE, "/bookings/{id}")
            | (&Method::POST, "/sandbox/sessions/{id}/pay") => Some(RouteClass::Booking),
            (&Method::GET | &Method::HEAD, _) => Some(RouteClass::Read),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RouteClass::Auth => "auth",
            RouteClass::Booking => "booking",
            RouteClass::Read => "read",
        }
    }
}

/// A rate: `count` requests per `period`, written `10/min`, `5/s`, `100/hour`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub period: Duration,
}

impl Rate {
    /// `10/min`; `off` is `None`.
    pub fn parse(text: &str) -> Result<Option<Rate>, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let bad = || format!("{text:?} is not a rate: write it like 10/min, 5/s, 100/hour or off");
        let (count, unit) = text.split_once('/').ok_or_else(bad)?;
        let count = count.trim().parse::<NonZeroU32>().map_err(|_| bad())?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        Ok(Some(Rate { count, period }))
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.period.as_secs() {
            1 => "s",
            60 => "min",
            3600 => "hour",
            _ => return write!(f, "{} per {:?}", self.count, self.period),
        };
        write!(f, "{}/{unit}", self.count)
    }
}

/// One class's limit: its sustained rate and how many requests may come at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassLimit {
    pub rate: Rate,
    pub burst: NonZeroU32,
}

impl ClassLimit {
    fn quota(self) -> Quota {
        // `with_period` is `None` only for a zero period, which `Rate` cannot hold.
        let per_request = self.rate.period / self.rate.count.get();
        Quota::with_period(per_request.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(self.rate.count))
            .allow_burst(self.burst)
    }
}

/// The limits of each class (`None`: not limited), and the proxies whose `X-Forwarded-For`
/// is believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitConfig {
    pub auth: Option<ClassLimit>,
    pub booking: Option<ClassLimit>,
    pub read: Option<ClassLimit>,
    pub trusted_proxies: Vec<IpNet>,
}

const fn limit(count: u32, period_secs: u64, burst: u32) -> Option<ClassLimit> {
    match (NonZeroU32::new(count), NonZeroU32::new(burst)) {
        (Some(count), Some(burst)) => Some(ClassLimit {
            rate: Rate {
                count,
                period: Duration::from_secs(period_secs),
            },
            burst,
        }),
        _ => None,
    }
}

impl RateLimitConfig {
    /// Production's: a person logs in a few times a minute at most, holds and pays a few
    /// times, and reads pages (and seat maps every few seconds while choosing).
    pub const DEFAULT_AUTH: Option<ClassLimit> = limit(20, 60, 10);
    pub const DEFAULT_BOOKING: Option<ClassLimit> = limit(60, 60, 20);
    pub const DEFAULT_READ: Option<ClassLimit> = limit(600, 60, 100);

    /// No class limited (load tests; in-process tests that do not test the limits).
    pub fn off() -> Self {
        RateLimitConfig {
            auth: None,
            booking: None,
            read: None,
            trusted_proxies: Vec::new(),
        }
    }

    fn of(&self, class: RouteClass) -> Option<ClassLimit> {
        match class {
            RouteClass::Auth => self.auth,
            RouteClass::Booking => self.booking,
            RouteClass::Read => self.read,
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            auth: Self::DEFAULT_AUTH,
            booking: Self::DEFAULT_BOOKING,
            read: Self::DEFAULT_READ,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Whose requests an account limit counts: a logged-in user, or the email a login names
/// (whether or not it has an account, so the answer tells nothing of which exist).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountKey {
    User(UserId),
    Email(String),
}

/// A governor clock reading the app's clock (a manual one in tests), as time since the Unix
/// epoch. A wall clock stepped back makes the limits stricter for that long, never looser.
#[derive(Clone)]
struct AppClock(Arc<dyn Clock>);

impl governor::clock::Clock for AppClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        (self.0.now() - chrono::DateTime::UNIX_EPOCH)
            .to_std()
            .unwrap_or_default()
    }
}

type Limiter<K> = RateLimiter<K, DashMapStateStore<K>, AppClock, NoOpMiddleware<Duration>>;

/// Checks between two prunes of idle keys.
const PRUNE_EVERY: u64 = 4096;

struct ClassLimiters {
    by_address: Limiter<IpAddr>,
    by_account: Limiter<AccountKey>,
}

/// This node's limiters, one pair per limited class.
pub struct RateLimits {
    auth: Option<ClassLimiters>,
    booking: Option<ClassLimiters>,
    read: Option<ClassLimiters>,
    clock: AppClock,
    checks: AtomicU64,
}

impl RateLimits {
    pub fn new(config: &RateLimitConfig, clock: Arc<dyn Clock>) -> RateLimits {
        let clock = AppClock(clock);
        let limiters = |class| {
            config.of(class).map(|limit| ClassLimiters {
                by_address: RateLimiter::dashmap_with_clock(limit.quota(), clock.clone()),
                by_account: RateLimiter::dashmap_with_clock(limit.quota(), clock.clone()),
            })
        };
        RateLimits {
            auth: limiters(RouteClass::Auth),
            booking: limiters(RouteClass::Booking),
            read: limiters(RouteClass::Read),
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts a request of `class` from `address` (an IPv6 address by its /64: one customer's
    /// network, however many addresses it uses).
    pub fn check_address(&self, class: RouteClass, address: IpAddr) -> AppResult<()> {
        let Some(limiters) = self.limiters(class) else {
            return Ok(());
        };
        self.prune_now_and_then();
        self.answer(class, limiters.by_address.check_key(&network(address)))
    }

    /// Counts a request of `class` for `account`.
    pub fn check_account(&self, class: RouteClass, account: AccountKey) -> AppResult<()> {
        let Some(limiters) = self.limiters(class) else {
            return Ok(());
        };
        self.prune_now_and_then();
        self.answer(class, limiters.by_account.check_key(&account))
    }

    fn limiters(&self, class: RouteClass) -> Option<&ClassLimiters> {
        match class {
            RouteClass::Auth => self.auth.as_ref(),
            RouteClass::Booking => self.booking.as_ref(),
            RouteClass::Read => self.read.as_ref(),
        }
    }

    fn answer(
        &self,
        class: RouteClass,
        outcome: Result<(), governor::NotUntil<Duration>>,
    ) -> AppResult<()> {
        use governor::clock::Clock as _;
        outcome.map_err(|not_until| {
            AppError::wait(
                ErrorCode::RateLimited,
                format!("too many {} requests; try again later", class.as_str()),
                Some(not_until.wait_time_from(self.clock.now())),
            )
        })
    }

    fn prune_now_and_then(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY != PRUNE_EVERY - 1 {
            return;
        }
        for limiters in [&self.auth, &self.booking, &self.read]
            .into_iter()
            .flatten()
        {
            limiters.by_address.retain_recent();
            limiters.by_address.shrink_to_fit();
            limiters.by_account.retain_recent();
            limiters.by_account.shrink_to_fit();
        }
    }

    /// Keys held now, over every limiter (for tests of the pruning).
    pub fn keys(&self) -> usize {
        [&self.auth, &self.booking, &self.read]
            .into_iter()
            .flatten()
            .map(|l| l.by_address.len() + l.by_account.len())
            .sum()
    }

    /// Drops every key whose limit is back to fresh.
    pub fn prune(&self) {
        for limiters in [&self.auth, &self.booking, &self.read]
            .into_iter()
            .flatten()
        {
            limiters.by_address.retain_recent();
            limiters.by_account.retain_recent();
        }
    }
}

/// An IPv4 address as is; an IPv6 address as its /64 network.
fn network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marquee_domain::ManualClock;

    #[test]
    fn rates_parse_and_print() {
        let rate = Rate::parse("10/min").unwrap().unwrap();
        assert_eq!((rate.count.get(), rate.period.as_secs()), (10, 60));
        assert_eq!(rate.to_string(), "10/min");
        assert_eq!(Rate::parse("5/s").unwrap().unwrap().to_string(), "5/s");
        assert_eq!(Rate::parse(" OFF ").unwrap(), None);
        for bad in ["", "10", "0/min", "10/day", "x/min", "-1/s"] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn routes_fall_in_their_classes() {
        use RouteClass::*;
        let class = |m: Method, r: &str| RouteClass::of(&m, r);
        assert_eq!(class(Method::POST, "/api/v1/auth/login"), Some(Auth));
        assert_eq!(class(Method::POST, "/api/v1/auth/register"), Some(Auth));
        assert_eq!(class(Method::POST, "/api/v1/me/password"), Some(Auth));
        assert_eq!(class(Method::POST, "/api/v1/bookings"), Some(Booking));
        assert_eq!(
            class(Method::DELETE, "/api/v1/bookings/{id}"),
            Some(Booking)
        );
        assert_eq!(
            class(Method::POST, "/api/v1/bookings/{id}/checkout"),
            Some(Booking)
        );
        assert_eq!(
            class(Method::POST, "/api/v1/sandbox/sessions/{id}/pay"),
            Some(Booking)
        );
        assert_eq!(class(Method::GET, "/api/v1/bookings"), Some(Read));
        assert_eq!(
            class(Method::GET, "/api/v1/showtimes/{id}/seats"),
            Some(Read)
        );
        assert_eq!(
            class(Method::POST, "/api/v1/payments/webhooks/{provider}"),
            None
        );
        assert_eq!(class(Method::POST, "/api/v1/auth/logout"), None);
        assert_eq!(class(Method::GET, "/healthz"), None);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_bit_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(network(a), network(b));
        assert_ne!(network(a), network(c));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(network(v4), v4);
    }

    #[test]
    fn idle_keys_are_pruned() {
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let limits = RateLimits::new(
            &RateLimitConfig {
                read: limit(60, 60, 2),
                ..RateLimitConfig::off()
            },
            clock.clone(),
        );
        for i in 0..100u8 {
            limits
                .check_address(RouteClass::Read, IpAddr::from([10, 0, 0, i]))
                .unwrap();
        }
        assert_eq!(limits.keys(), 100);
        limits.prune();
        assert_eq!(limits.keys(), 100, "all still within their window");
        clock.advance(chrono::Duration::seconds(5));
        limits.prune();
        assert_eq!(limits.keys(), 0);
    }
}
