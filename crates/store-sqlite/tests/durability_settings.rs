//! Invariant 7 on SQLite rests on two settings of the connections `SqliteStore::connect` opens
//! (the binary opens its store with it too): WAL journaling, and `synchronous` at NORMAL or
//! FULL. A kill -9 test cannot see them (the page cache survives a killed process even with
//! `synchronous = OFF`), so they are read here, live, on the store's own connections.

use marquee_store::sql::Sql;
use marquee_store::Backend;

#[tokio::test]
async fn the_stores_connections_journal_to_a_wal_and_sync_it() {
    let (store, _file) = marquee_store_sqlite::testing::fresh_store().await;
    for (pool, mut sql) in [("writing", store.writing()), ("reading", store.reading())] {
        let mode: Vec<(String,)> = sql.fetch_all("PRAGMA journal_mode", &[]).await.unwrap();
        assert_eq!(
            mode,
            [("wal".to_string(),)],
            "journal_mode on the {pool} pool"
        );
        // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA: NORMAL is enough in WAL mode for a commit to
        // survive the process, FULL also a power cut.
        let sync: Vec<(i64,)> = sql.fetch_all("PRAGMA synchronous", &[]).await.unwrap();
        assert!(
            matches!(sync.as_slice(), [(1..=3,)]),
            "synchronous on the {pool} pool is {sync:?}"
        );
    }
}
