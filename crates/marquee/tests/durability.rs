//! Invariant 7: an answer that says `confirmed` means the commit is durable. The real binary
//! confirms a paid booking, is killed with SIGKILL (no shutdown of any kind), and started again
//! on the same database: the booking is still confirmed, with the same tickets. On each backend.
//!
//! A killed process loses nothing the OS was given, synced or not, so a kill -9 alone would
//! pass with a non-durable setting (SQLite's `synchronous = OFF`, PostgreSQL's
//! `synchronous_commit = off`). Each test therefore also checks, on the database the binary
//! used, what can be read from outside: SQLite's file is in WAL mode; PostgreSQL flushes
//! commits. (SQLite's `synchronous` is a setting of each connection, invisible from another
//! process: `crates/store-sqlite/tests/durability_settings.rs` reads it on the connections
//! `SqliteStore::connect`, which the binary uses, opens.)

mod common;

use common::api::Client;
use serde_json::Value;

async fn confirmed_booking(client: &mut Client) -> (String, Value) {
    client.sign_up("ana@example.com").await;
    let showtime = client.showtime_on_sale("London").await;
    let hold = client.hold(&showtime, 2).await;
    let booking = hold["id"].as_str().expect("an id").to_string();
    let confirmed = client.pay(&booking).await;
    (booking, confirmed)
}

fn survives_a_kill(database_url: &str, name: &str, check: impl FnOnce(&std::path::Path)) {
    let dir = common::TempDir::new(name);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let server = common::serve(&dir.0, &["--demo", "--database-url", database_url]);
    let mut client = Client::new(&server.address);
    let (booking, confirmed) = runtime.block_on(confirmed_booking(&mut client));
    assert_eq!(confirmed["tickets"].as_array().map(Vec::len), Some(2));
    // SIGKILL: no graceful shutdown, no flush beyond what the commit did.
    drop(server);

    let again = common::serve(
        &dir.0,
        &["--payments", "sandbox", "--database-url", database_url],
    );
    let client = Client {
        base: format!("http://{}/api/v1", again.address),
        ..client
    };
    let read = runtime.block_on(client.get(&format!("/bookings/{booking}")));
    assert_eq!(read["status"], "confirmed");
    assert_eq!(read["tickets"], confirmed["tickets"]);
    check(&dir.0);
}

/// The SQLite file's header says WAL (bytes 18 and 19, the write and read versions, are 2
/// in WAL mode and 1 in rollback-journal mode), and the binary wrote through a WAL file.
fn sqlite_file_is_in_wal_mode(dir: &std::path::Path) {
    let header = std::fs::read(dir.join("marquee.db")).expect("the database file");
    assert_eq!(&header[..16], b"SQLite format 3\0");
    assert_eq!((header[18], header[19]), (2, 2), "the file is in WAL mode");
    assert!(
        dir.join("marquee.db-wal").exists(),
        "the server wrote a WAL"
    );
}

/// PostgreSQL acknowledges a commit only once it is flushed: read on a connection to the
/// database the binary used, as a store connects (role and database settings apply).
fn postgres_flushes_commits(url: &str) {
    use marquee_store::sql::Sql;
    use marquee_store::Backend;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store = marquee_store_postgres::PgStore::connect(url, 1)
            .await
            .expect("the database");
        let mut sql = store.writing();
        let show = |name: &'static str| format!("SHOW {name}");
        let fsync: Vec<(String,)> = sql.fetch_all(&show("fsync"), &[]).await.unwrap();
        assert_eq!(fsync, [("on".to_string(),)], "fsync");
        let commit: Vec<(String,)> = sql
            .fetch_all(&show("synchronous_commit"), &[])
            .await
            .unwrap();
        assert!(
            matches!(
                commit.first().map(|(v,)| v.as_str()),
                Some("on" | "local" | "remote_write" | "remote_apply")
            ),
            "synchronous_commit is {commit:?}"
        );
    });
}

#[test]
fn a_confirmed_booking_survives_kill_9_on_sqlite() {
    survives_a_kill(
        "sqlite://marquee.db",
        "durable-sqlite",
        sqlite_file_is_in_wal_mode,
    );
}

#[test]
fn a_confirmed_booking_survives_kill_9_on_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let database = runtime.block_on(marquee_store_postgres::testing::fresh_database());
    survives_a_kill(database.url(), "durable-postgres", |_| {
        postgres_flushes_commits(database.url())
    });
}
