//! Throwaway databases for tests: each test gets its own freshly migrated database on the
//! PostgreSQL server at `DATABASE_URL` (else `postgres://postgres@127.0.0.1:5432/postgres`),
//! dropped again when the test's guard is dropped, passed or failed.
//!
//! For tests only: these functions panic when the server cannot be reached.

use crate::PgStore;
use sqlx::{Connection, PgConnection};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The server used when `DATABASE_URL` is not set.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Connections in the pool of a store from `fresh_store`.
pub const MAX_CONNECTIONS: u32 = 10;

/// The URL of a database on the server from which test databases are created and dropped:
/// `DATABASE_URL`, else `DEFAULT_ADMIN_URL`.
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN_URL.to_string())
}

/// `url` naming the database `name` instead of its own, keeping its user, password, host,
/// port and query: `postgres://u@h:5/postgres?sslmode=disable` becomes
/// `postgres://u@h:5/{name}?sslmode=disable`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.find(['?', '#']) {
        Some(at) => url.split_at(at),
        None => (url, ""),
    };
    let authority = base.find("://").map_or(0, |at| at + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |at| authority + at);
    format!("{}/{name}{query}", &base[..path])
}

/// A test database, dropped (with `WITH (FORCE)`, ending any connection still open to it)
/// when this guard is dropped.
pub struct DropDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl DropDatabase {
    /// The database's name, `marquee_test_…`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL of the database, to connect more stores to it (more "nodes").
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Debug for DropDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DropDatabase")
            .field("name", &self.name)
            .finish()
    }
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        // Drop cannot wait on a future, and may run inside a runtime that must not be
        // blocked on: a thread of its own with its own small runtime does the dropping.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropping = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map_err(|e| e.to_string())?;
                admin.close().await.map_err(|e| e.to_string())
            })
        });
        match dropping.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("dropping test database {} panicked", self.name),
        }
    }
}

/// A name no other test database has: the process, a counter, and the clock's nanoseconds
/// (so that a pid reused after a crash does not meet its predecessor's leftovers).
fn unique_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() % 1_000_000_000_000);
    format!(
        "marquee_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates a new, empty database (not migrated) and the guard that drops it.
///
/// # Panics
/// When the server cannot be reached or refuses to create the database: this is for tests.
pub async fn fresh_database() -> DropDatabase {
    let admin_url = admin_url();
    let name = unique_name();
    let mut admin = match PgConnection::connect(&admin_url).await {
        Ok(admin) => admin,
        Err(e) => panic!("cannot connect to the PostgreSQL server at {admin_url}: {e}"),
    };
    if let Err(e) = sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
    {
        panic!("cannot create test database {name}: {e}");
    }
    // The guard exists from here on, so the database is dropped even if what follows fails.
    let guard = DropDatabase {
        url: with_database(&admin_url, &name),
        admin_url,
        name,
    };
    let _ = admin.close().await;
    guard
}

/// A store on a new, migrated database of its own, with `MAX_CONNECTIONS` connections, and
/// the guard that drops the database. Keep the guard alive as long as the store is used;
/// connect more stores to `guard.url()` to play several nodes.
///
/// # Panics
/// As `fresh_database`, or when the store cannot connect or migrate.
pub async fn fresh_store() -> (Arc<PgStore>, DropDatabase) {
    let database = fresh_database().await;
    match PgStore::connect(database.url(), MAX_CONNECTIONS).await {
        Ok(store) => (Arc::new(store), database),
        Err(e) => panic!("cannot open a store on {}: {e}", database.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p%2Fw@db:6543/main?sslmode=disable&x=1", "t2"),
            "postgres://u:p%2Fw@db:6543/t2?sslmode=disable&x=1"
        );
        assert_eq!(with_database("postgres://db", "t3"), "postgres://db/t3");
        assert_eq!(with_database("postgres://db/", "t4"), "postgres://db/t4");
        assert_eq!(
            with_database("postgresql:///marquee?host=/run/postgresql", "t5"),
            "postgresql:///t5?host=/run/postgresql"
        );
    }
}
