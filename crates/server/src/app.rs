//! The state every request and job shares: the store, the clock and the settings.

use crate::config::{Config, PaymentsConfig};
use crate::hold_queue::HoldQueue;
use crate::login_throttle::LoginThrottle;
use crate::password_hashers::PasswordHashers;
use crate::payments::sandbox::SandboxGateway;
use crate::payments::Payments;
use crate::rate_limits::RateLimits;
use crate::seat_changes::SeatChanges;
use crate::seat_maps::SeatMaps;
use crate::session_cache::SessionCache;
use crate::whats_on::Listings;
use marquee_domain::{BookingIdGenerator, Clock};
use marquee_payments::{StripeConfig, StripeGateway};
use marquee_store::Store;
use std::sync::Arc;
use tokio::sync::{watch, Semaphore};

#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    holds: HoldQueue,
    seat_maps: Arc<SeatMaps>,
    seat_changes: Arc<SeatChanges>,
    search: Arc<crate::search::Search>,
    sessions: SessionCache,
    listings: Listings,
    hashers: PasswordHashers,
    rate_limits: RateLimits,
    login_throttle: LoginThrottle,
    payments: Payments,
    clock: Arc<dyn Clock>,
    booking_ids: BookingIdGenerator,
    config: Config,
    /// True once a shutdown began: `/readyz` answers 503 from then on, and live streams end.
    draining: watch::Sender<bool>,
    /// A permit per request served at once (`max_concurrent_requests`).
    requests: Arc<Semaphore>,
}

/// Stripe's test-mode secret and restricted keys.
fn is_test_key(key: &str) -> bool {
    key.starts_with("sk_test_") || key.starts_with("rk_test_")
}

impl App {
    /// An app on a store and clock of the caller's choosing (tests bring a manual clock).
    /// Starts the hold queue's workers and the payment gateway, so it must be called inside a
    /// Tokio runtime.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> anyhow::Result<App> {
        let payments = match &config.payments {
            PaymentsConfig::Sandbox { webhook_secret } => {
                let sandbox = Arc::new(
                    SandboxGateway::start(
                        store.clone(),
                        clock.clone(),
                        webhook_secret.as_ref().map(|s| s.expose().to_string()),
                        config.public_url.clone(),
                        config.self_url.clone(),
                    )
                    .await?,
                );
                Payments {
                    gateway: sandbox.clone(),
                    sandbox: Some(sandbox),
                    test_mode: true,
                }
            }
            PaymentsConfig::Stripe {
                secret_key,
                webhook_secret,
                api_base,
                timeout,
            } => Payments {
                gateway: Arc::new(
                    StripeGateway::new(StripeConfig {
                        api_base: api_base.clone(),
                        timeout: *timeout,
                        ..StripeConfig::new(secret_key.clone(), webhook_secret.clone())
                    })
                    .map_err(|e| anyhow::anyhow!("Stripe configuration: {e}"))?,
                ),
                sandbox: None,
                test_mode: is_test_key(secret_key.expose()),
            },
        };
        crate::prometheus::handle();
        let seat_maps = Arc::new(SeatMaps::new(store.clone(), config.seat_map_max_age));
        let search = Arc::new(crate::search::Search::default());
        let seat_changes = SeatChanges::bridged(
            vec![seat_maps.clone(), search.clone()],
            store.clone(),
            config.node_id,
        )
        .await?;
        Ok(App {
            inner: Arc::new(Inner {
                booking_ids: BookingIdGenerator::new(config.node_id),
                holds: HoldQueue::start(
                    store.clone(),
                    seat_changes.clone(),
                    clock.clone(),
                    config.hold_ttl,
                    config.hold_queue_deadline,
                ),
                draining: watch::channel(false).0,
                requests: Arc::new(Semaphore::new(config.max_concurrent_requests.max(1))),
                seat_maps,
                seat_changes,
                search,
                sessions: SessionCache::default(),
                listings: Listings::default(),
                hashers: PasswordHashers::start(config.password_hashing)?,
                rate_limits: RateLimits::new(&config.rate_limits, clock.clone()),
                login_throttle: LoginThrottle::default(),
                payments,
                store,
                clock,
                config,
            }),
        })
    }

    /// The payment gateway (and the sandbox, when that is it).
    pub fn payments(&self) -> &Payments {
        &self.inner.payments
    }

    pub fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    /// Where holds go to be decided in batches (group commit).
    pub fn holds(&self) -> &HoldQueue {
        &self.inner.holds
    }

    pub fn seat_maps(&self) -> &SeatMaps {
        &self.inner.seat_maps
    }

    /// Where every committed seat change is published (see `seat_changes`).
    pub fn seat_changes(&self) -> &SeatChanges {
        &self.inner.seat_changes
    }

    /// The catalog search of this node.
    pub fn search(&self) -> &crate::search::Search {
        &self.inner.search
    }

    /// Logins checked lately (see `session_cache`).
    pub fn sessions(&self) -> &SessionCache {
        &self.inner.sessions
    }

    /// A city's days of showtimes, kept a few seconds (see `whats_on`).
    pub fn listings(&self) -> &Listings {
        &self.inner.listings
    }

    /// Where passwords are hashed and checked (see `password_hashers`).
    pub fn password_hashers(&self) -> &PasswordHashers {
        &self.inner.hashers
    }

    /// This node's rate limiters (see `rate_limits`).
    pub fn rate_limits(&self) -> &RateLimits {
        &self.inner.rate_limits
    }

    /// Failed logins per account (see `login_throttle`).
    pub fn login_throttle(&self) -> &LoginThrottle {
        &self.inner.login_throttle
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    pub fn booking_ids(&self) -> &BookingIdGenerator {
        &self.inner.booking_ids
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Tells `/readyz` and the live streams that this node is shutting down.
    pub fn start_draining(&self) {
        self.inner.draining.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.inner.draining.borrow()
    }

    /// Becomes true when this node starts shutting down: a response that streams until its
    /// client leaves (a live seat map) ends then, so the drain need not wait for it.
    pub fn draining(&self) -> watch::Receiver<bool> {
        self.inner.draining.subscribe()
    }

    /// The permits of requests served at once.
    pub fn request_permits(&self) -> &Arc<Semaphore> {
        &self.inner.requests
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_stripes_test_keys_are_test_mode() {
        assert!(super::is_test_key("sk_test_51H"));
        assert!(super::is_test_key("rk_test_51H"));
        assert!(!super::is_test_key("sk_live_51H"));
        assert!(!super::is_test_key("rk_live_51H"));
    }
}
