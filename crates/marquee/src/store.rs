//! Which store a database URL names: the binary is the one place that knows the backends.

use anyhow::{bail, Context};
use marquee_store::{PoolSettings, Store};
use marquee_store_postgres::PgStore;
use marquee_store_sqlite::SqliteStore;
use std::sync::Arc;

/// Opens (and migrates) the store a database URL names. Anything but a `sqlite:` or
/// `postgres:` URL is refused rather than taken for a file name.
pub async fn open(
    url: &str,
    max_connections: u32,
    settings: PoolSettings,
) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::connect_with(url, settings)
            .await
            .with_context(|| format!("opening SQLite at {url}"))?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PgStore::connect_with(url, max_connections, settings)
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Arc::new(store))
    } else {
        bail!("unrecognised database URL {url:?}: use sqlite://FILE or postgres://USER@HOST/DB")
    }
}
