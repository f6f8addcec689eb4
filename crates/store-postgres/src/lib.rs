//! Marquee's store on PostgreSQL: for several nodes sharing one database.
//!
//! Every node talks to the primary through one pool. Transactions run at PostgreSQL's default
//! READ COMMITTED: a hold takes its seats with one conditional `UPDATE`, which waits for a row
//! another transaction is writing and then re-checks its condition on the committed row, so
//! the database itself decides who gets a seat. Overlapping holds can still deadlock on each
//! other's rows (PostgreSQL aborts one of them); writes that can meet that are retried a few
//! times as a whole. Reads that must agree with each other (a seat map, a list of bookings) run
//! in one REPEATABLE READ, READ ONLY transaction.
//!
//! Times are bound as Unix milliseconds from the caller's clock and stored as `timestamptz`
//! through the schema's `ts()`, read back through `ms()`, into the row types every backend
//! shares (see `marquee_store::sql`).

mod bookings;
mod statements;
pub mod testing;

use async_trait::async_trait;
use marquee_store::*;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPool, PgPoolOptions};
use sqlx::Connection;
use statements::{OnPool, Tx};
use std::str::FromStr;
use tokio::sync::mpsc;

pub struct PgStore {
    pool: PgPool,
    options: PgConnectOptions,
    /// The connection that holds this node's number (`claim_node`), and the number.
    node_claim: tokio::sync::Mutex<Option<(u16, PgConnection)>>,
}

/// The first key of the advisory locks that claim node numbers (the second is the number):
/// "MQND", so that they cannot be mistaken for another application's locks.
const NODE_LOCKS: i32 = 0x4d51_4e44;

/// Whether an error is the named UNIQUE constraint (or primary key) failing.
pub(crate) fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation() && e.constraint() == Some(constraint))
}

/// Whether a store error is PostgreSQL aborting the transaction for a deadlock (40P01) or a
/// serialization failure (40001): running the whole transaction again is then safe.
pub(crate) fn is_retryable(err: &StoreError) -> bool {
    let StoreError::Database(source) = err else {
        return false;
    };
    source
        .downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .and_then(|e| e.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}

/// The statement that starts a read-only transaction whose reads all see one snapshot.
pub(crate) const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

impl PgStore {
    /// Connects to the database at `url`, e.g. `postgres://marquee@db.internal/marquee`, and
    /// brings its schema up to date. Migrations take an advisory lock, so many nodes may start
    /// at once.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<PgStore> {
        PgStore::connect_with(url, max_connections, PoolSettings::default()).await
    }

    /// `connect`, with the pool's acquire timeout and each connection's `statement_timeout`
    /// and `lock_timeout` from `settings`.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        settings: PoolSettings,
    ) -> StoreResult<PgStore> {
        let options = PgConnectOptions::from_str(url)?.options([
            (
                "statement_timeout",
                settings.statement_timeout.as_millis().to_string(),
            ),
            (
                "lock_timeout",
                settings.lock_timeout.as_millis().to_string(),
            ),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(Box::new(e)))?;
        Ok(PgStore {
            pool,
            options,
            node_claim: tokio::sync::Mutex::new(None),
        })
    }

    /// Closes the pool, waiting for connections in use to come back, and gives up the node
    /// number this store claimed.
    pub async fn close(&self) {
        Backend::close_pools(self).await;
    }
}

#[async_trait]
impl Backend for PgStore {
    type Tx = Tx;
    type Pool<'a> = OnPool<'a>;

    fn name(&self) -> &'static str {
        "postgres"
    }

    fn statistics_statement(&self) -> &'static str {
        "ANALYZE"
    }

    /// A few batches in flight overlap one's commit with the next one's statements; more only
    /// queue on the same hot rows.
    fn writers(&self) -> usize {
        4
    }

    fn reading(&self) -> OnPool<'_> {
        OnPool(&self.pool)
    }

    fn writing(&self) -> OnPool<'_> {
        OnPool(&self.pool)
    }

    async fn begin_write(&self) -> StoreResult<Tx> {
        Ok(Tx(self.pool.begin().await?))
    }

    async fn begin_snapshot(&self) -> StoreResult<Tx> {
        Ok(Tx(self.pool.begin_with(BEGIN_SNAPSHOT).await?))
    }

    async fn commit(&self, tx: Tx) -> StoreResult<()> {
        Ok(tx.0.commit().await?)
    }

    /// A deadlock or a serialization failure, or another node storing a batch's booking
    /// reference between its check and its insert: running it again is then safe (and the
    /// second run refuses that hold alone, as a reference taken).
    fn retryable(&self, error: &StoreError) -> bool {
        is_retryable(error) || matches!(error, StoreError::ReferenceTaken)
    }

    fn pool_stats(&self) -> Vec<PoolStats> {
        vec![PoolStats::of("main", &self.pool)]
    }

    async fn close_pools(&self) {
        if let Some((_, claim)) = self.node_claim.lock().await.take() {
            let _ = claim.close().await;
        }
        self.pool.close().await;
    }

    /// A session-level advisory lock on a connection of its own, outside the pool: the
    /// lock lives exactly as long as that connection, so a node that crashes frees its number
    /// at once (a lease row would keep it taken until the lease ran out).
    async fn notify(&self, channel: &str, payloads: &[String]) -> StoreResult<()> {
        if payloads.is_empty() {
            return Ok(());
        }
        // One statement for them all, in order.
        sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n")
            .bind(channel)
            .bind(payloads)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn listen(
        &self,
        channel: &'static str,
    ) -> StoreResult<Option<mpsc::Receiver<Option<String>>>> {
        // A connection of its own, outside the pool that serves requests, made again when
        // lost.
        let own = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(self.options.clone());
        let mut listener = PgListener::connect_with(&own).await?;
        listener.listen(channel).await?;
        let (tell, told) = mpsc::channel(1024);
        tokio::spawn(async move {
            loop {
                let heard = tokio::select! {
                    heard = listener.try_recv() => heard,
                    () = tell.closed() => break,
                };
                let item = match heard {
                    Ok(Some(notice)) => Some(notice.payload().to_string()),
                    // Lost; the next call connects and listens again.
                    Ok(None) => None,
                    Err(error) => {
                        tracing::warn!(%error, "listening for other nodes' seat changes failed; trying again");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        None
                    }
                };
                if tell.send(item).await.is_err() {
                    break;
                }
            }
        });
        Ok(Some(told))
    }

    async fn lock_node_number(&self, node: u16) -> StoreResult<bool> {
        let mut claim = self.node_claim.lock().await;
        if let Some((claimed, connection)) = claim.as_mut() {
            if *claimed == node
                && sqlx::query("SELECT 1")
                    .execute(&mut *connection)
                    .await
                    .is_ok()
            {
                return Ok(true);
            }
        }
        *claim = None;
        let mut connection = PgConnection::connect_with(&self.options).await?;
        let claimed: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(NODE_LOCKS)
            .bind(i32::from(node))
            .fetch_one(&mut connection)
            .await?;
        if claimed {
            *claim = Some((node, connection));
        }
        Ok(claimed)
    }
}
