//! Invariant 7 on PostgreSQL rests on the server's settings: a commit is acknowledged only
//! once its WAL record is flushed to disk (`fsync = on`, `synchronous_commit` not `off`). A
//! kill -9 of Marquee cannot tell (the database server is not killed), so they are read here,
//! live, on the store's own connections (which see role, database and session settings too).

use marquee_store::sql::Sql;
use marquee_store::Backend;

#[tokio::test]
async fn commits_are_flushed_before_they_are_acknowledged() {
    let (store, _database) = marquee_store_postgres::testing::fresh_store().await;
    let mut sql = store.writing();
    let fsync: Vec<(String,)> = sql.fetch_all("SHOW fsync", &[]).await.unwrap();
    assert_eq!(fsync, [("on".to_string(),)], "fsync");
    let commit: Vec<(String,)> = sql.fetch_all("SHOW synchronous_commit", &[]).await.unwrap();
    // `on`, `remote_write` and `remote_apply` all flush the local WAL before answering;
    // `local` too. Only `off` acknowledges a commit that a crash can lose.
    assert!(
        matches!(
            commit.first().map(|(v,)| v.as_str()),
            Some("on" | "local" | "remote_write" | "remote_apply")
        ),
        "synchronous_commit is {commit:?}"
    );
    let full_pages: Vec<(String,)> = sql.fetch_all("SHOW full_page_writes", &[]).await.unwrap();
    assert_eq!(full_pages, [("on".to_string(),)], "full_page_writes");
}
