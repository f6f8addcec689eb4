//! How a store's connection pools are bounded, and what they report for metrics.

use std::time::Duration;

/// Limits that keep a database in trouble from holding requests: a request waits at most
/// `acquire_timeout` for a connection, and on PostgreSQL a statement runs at most
/// `statement_timeout` and waits at most `lock_timeout` for a row another transaction holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub acquire_timeout: Duration,
    /// PostgreSQL only (SQLite's waits are bounded by its busy timeout).
    pub statement_timeout: Duration,
    /// PostgreSQL only.
    pub lock_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            acquire_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(2),
        }
    }
}

/// One pool's connections at a moment: open, and of those, idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// `main` (PostgreSQL), `writer` or `reader` (SQLite).
    pub pool: &'static str,
    pub open: u32,
    pub idle: u32,
}

impl PoolStats {
    pub fn of<DB: sqlx::Database>(pool: &'static str, of: &sqlx::Pool<DB>) -> PoolStats {
        let open = of.size();
        PoolStats {
            pool,
            open,
            idle: (of.num_idle() as u32).min(open),
        }
    }

    pub fn in_use(&self) -> u32 {
        self.open - self.idle
    }
}
