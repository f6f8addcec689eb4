//! The store conformance suite on SQLite: each test on its own database file.

use marquee_store_sqlite::SqliteStore;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Removes a test's database files when the test ends, passed or not.
struct TempDatabase(PathBuf);

impl Drop for TempDatabase {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn fresh() -> (Arc<SqliteStore>, TempDatabase) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "marquee-conformance-{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let guard = TempDatabase(path.clone());
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("a fresh SQLite store");
    (Arc::new(store), guard)
}

marquee_store::conformance_suite!(fresh);
