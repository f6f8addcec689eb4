//! Marquee's store on an embedded SQLite file: the default, for one machine.
//!
//! SQLite lets one writer in at a time, so this store keeps exactly one writing connection and
//! a few reading ones (WAL mode lets readers go on while the writer writes). Every write
//! transaction starts with `BEGIN IMMEDIATE`, taking the write lock up front, so a transaction
//! never fails half-way because another one upgraded to writing first. With
//! `synchronous = NORMAL` in WAL mode a committed transaction survives the process being
//! killed (not a power cut in the same instant).

mod bookings;
mod statements;
pub mod testing;

use async_trait::async_trait;
use marquee_store::*;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use statements::{OnPool, Tx};
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it if missing) and migrates the database at `url`, e.g.
    /// `sqlite://marquee.db` or `sqlite:///var/lib/marquee/marquee.db`.
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        SqliteStore::connect_with(url, PoolSettings::default()).await
    }

    /// `connect`, waiting at most `settings.acquire_timeout` for a connection.
    pub async fn connect_with(url: &str, settings: PoolSettings) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|e| StoreError::Database(Box::new(e)))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { writer, reader })
    }

    /// Closes both pools, so the file can be removed.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

#[async_trait]
impl Backend for SqliteStore {
    type Tx = Tx;
    type Pool<'a> = OnPool<'a>;

    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn statistics_statement(&self) -> &'static str {
        // 0x10000: every table, not only those this connection has read (SQLite 3.46+).
        "PRAGMA optimize=0x10002"
    }

    /// One writer: SQLite lets one in at a time.
    fn writers(&self) -> usize {
        1
    }

    fn reading(&self) -> OnPool<'_> {
        OnPool(&self.reader)
    }

    fn writing(&self) -> OnPool<'_> {
        OnPool(&self.writer)
    }

    /// `BEGIN IMMEDIATE` takes the write lock up front.
    async fn begin_write(&self) -> StoreResult<Tx> {
        Ok(Tx(self.writer.begin_with("BEGIN IMMEDIATE").await?))
    }

    /// A reading connection's transaction sees one snapshot of the WAL.
    async fn begin_snapshot(&self) -> StoreResult<Tx> {
        Ok(Tx(self.reader.begin().await?))
    }

    async fn commit(&self, tx: Tx) -> StoreResult<()> {
        Ok(tx.0.commit().await?)
    }

    fn pool_stats(&self) -> Vec<PoolStats> {
        vec![
            PoolStats::of("writer", &self.writer),
            PoolStats::of("reader", &self.reader),
        ]
    }

    async fn close_pools(&self) {
        self.close().await;
    }
}
