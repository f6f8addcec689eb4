//! The indexes a hot or periodic query depends on are ones PostgreSQL's planner can use for it.

use marquee_store::sql::Sql;
use marquee_store::Backend;

#[tokio::test]
async fn the_sweeper_finds_run_out_holds_through_its_index() {
    let (store, _database) = marquee_store_postgres::testing::fresh_store().await;
    let mut tx = store.begin_write().await.unwrap();
    // On an empty table a sequential scan is cheapest; forbid it to see whether the index
    // can serve the query at all.
    tx.execute("SET LOCAL enable_seqscan = off", &[])
        .await
        .unwrap();
    let plan: Vec<String> = tx
        .fetch_column(
            "EXPLAIN SELECT id FROM bookings
             WHERE status IN ('held', 'payment_pending') AND expires_at <= ts($1)",
            marquee_store::args![0i64],
        )
        .await
        .unwrap();
    assert!(
        plan.iter()
            .any(|line| line.contains("bookings_live_by_expiry")),
        "{plan:#?}"
    );
}
