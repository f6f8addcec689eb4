//! The store conformance suite on PostgreSQL: each test on a database of its own, created on
//! the server at `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) and
//! dropped when the test ends, passed or not.

use marquee_store_postgres::testing::{fresh_store, DropDatabase};
use marquee_store_postgres::PgStore;
use std::sync::Arc;

async fn fresh() -> (Arc<PgStore>, DropDatabase) {
    fresh_store().await
}

marquee_store::conformance_suite!(fresh);
