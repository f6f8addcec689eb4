//! Repeated failed logins for one account slow that account's logins down. The first
//! `FREE_FAILURES` wrong passwords cost nothing (people mistype); each one after that closes
//! the account's logins for twice as long as the last, from `FIRST_WAIT` up to `MAX_WAIT`.
//! While closed, a login is answered `429 login_throttled` with `Retry-After` before any
//! password is hashed. A successful login clears the account's count.
//!
//! Why these numbers: an owner who mistypes a few times waits seconds; someone guessing gets
//! about 14 guesses in the first quarter of an hour and then one per `MAX_WAIT` (12 an hour),
//! on top of the per-address and per-account rate limits. The cap keeps the owner's wait
//! short even while someone else is guessing at their account: never more than `MAX_WAIT`.
//!
//! The counts are kept per node, in memory: behind N nodes a guesser gets up to N times the
//! guesses, and a restart forgets them. Accounts are keyed by the email the login names, so an
//! address with no account is throttled just the same (the answers tell nothing of which
//! addresses have accounts). At most `MAX_ACCOUNTS` are kept.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

pub const FREE_FAILURES: u32 = 5;
pub const FIRST_WAIT: Duration = Duration::seconds(1);
pub const MAX_WAIT: Duration = Duration::minutes(5);
/// A count with no failure for this long is forgotten.
const FORGET_AFTER: Duration = Duration::hours(1);
const MAX_ACCOUNTS: usize = 100_000;

struct Failures {
    count: u32,
    last: DateTime<Utc>,
    closed_until: DateTime<Utc>,
}

#[derive(Default)]
pub struct LoginThrottle {
    accounts: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    /// How long logins to `account` stay closed, if they are closed now.
    pub fn closed_for(&self, account: &str, now: DateTime<Utc>) -> Option<Duration> {
        let accounts = self.lock();
        let failures = accounts.get(account)?;
        (failures.closed_until > now).then(|| failures.closed_until - now)
    }

    /// A wrong password for `account`.
    pub fn failed(&self, account: &str, now: DateTime<Utc>) {
        let mut accounts = self.lock();
        if accounts.len() >= MAX_ACCOUNTS && !accounts.contains_key(account) {
            accounts.retain(|_, f| f.closed_until > now || now - f.last < FORGET_AFTER);
            if accounts.len() >= MAX_ACCOUNTS {
                // Only a flood over that many addresses within the hour gets here: keep the
                // accounts that are closed, which are the ones being guessed at.
                accounts.retain(|_, f| f.closed_until > now);
            }
            if accounts.len() >= MAX_ACCOUNTS {
                accounts.clear();
            }
        }
        let failures = accounts.entry(account.to_string()).or_insert(Failures {
            count: 0,
            last: now,
            closed_until: now,
        });
        if now - failures.last >= FORGET_AFTER {
            failures.count = 0;
        }
        failures.count = failures.count.saturating_add(1);
        failures.last = now;
        if let Some(wait) = wait_after(failures.count) {
            failures.closed_until = now + wait;
        }
    }

    /// The right password for `account`.
    pub fn succeeded(&self, account: &str) {
        self.lock().remove(account);
    }

    /// Plain data that a panic cannot leave half-written: a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Failures>> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How long logins close after the `failures`th wrong password in a row.
pub fn wait_after(failures: u32) -> Option<Duration> {
    let doublings = failures.checked_sub(FREE_FAILURES)?;
    // 2^9 s is past the cap already; no need to shift further.
    let wait = FIRST_WAIT * (1 << doublings.min(9));
    Some(wait.min(MAX_WAIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_the_sixth_failure_up_to_the_cap() {
        let waits: Vec<i64> = (1..=16)
            .map(|n| wait_after(n).map_or(0, |w| w.num_seconds()))
            .collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
        );
        assert_eq!(wait_after(u32::MAX), Some(MAX_WAIT));
    }

    #[test]
    fn failures_close_logins_and_a_success_opens_them() {
        let throttle = LoginThrottle::default();
        let t0 = chrono::Utc::now();
        for _ in 0..4 {
            throttle.failed("ana@example.com", t0);
        }
        assert_eq!(throttle.closed_for("ana@example.com", t0), None);
        throttle.failed("ana@example.com", t0);
        assert_eq!(
            throttle.closed_for("ana@example.com", t0),
            Some(Duration::seconds(1))
        );
        assert_eq!(throttle.closed_for("bob@example.com", t0), None);
        let t1 = t0 + Duration::seconds(1);
        assert_eq!(throttle.closed_for("ana@example.com", t1), None);
        throttle.failed("ana@example.com", t1);
        assert_eq!(
            throttle.closed_for("ana@example.com", t1),
            Some(Duration::seconds(2))
        );
        throttle.succeeded("ana@example.com");
        assert_eq!(throttle.closed_for("ana@example.com", t1), None);
        // An hour without failures starts the count again.
        for _ in 0..5 {
            throttle.failed("bob@example.com", t0);
        }
        throttle.failed("bob@example.com", t0 + FORGET_AFTER);
        assert_eq!(
            throttle.closed_for("bob@example.com", t0 + FORGET_AFTER),
            None
        );
    }
}
