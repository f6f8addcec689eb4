//! The indexes a hot or periodic query depends on are the ones SQLite's planner uses for it.

use marquee_store::sql::Sql;
use marquee_store::Backend;

#[tokio::test]
async fn the_sweeper_finds_run_out_holds_through_its_index() {
    let (store, _file) = marquee_store_sqlite::testing::fresh_store().await;
    let plan: Vec<(i64, i64, i64, String)> = store
        .reading()
        .fetch_all(
            "EXPLAIN QUERY PLAN
             SELECT id FROM bookings
             WHERE status IN ('held', 'payment_pending') AND expires_at <= $1",
            marquee_store::args![0i64],
        )
        .await
        .unwrap();
    let steps: Vec<&str> = plan.iter().map(|(.., detail)| detail.as_str()).collect();
    assert!(
        steps
            .iter()
            .any(|s| s.contains("USING INDEX bookings_live_by_expiry")),
        "{steps:?}"
    );
}
