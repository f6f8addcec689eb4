//! Fresh stores for tests: each on its own database file, removed when the guard drops.

use crate::SqliteStore;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Removes a test's database files when dropped, whether the test passed or not.
pub struct TempDatabase(PathBuf);

impl Drop for TempDatabase {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A new, migrated store on a file in the temp directory.
///
/// # Panics
/// When the file cannot be created: this is for tests only.
pub async fn fresh_store() -> (Arc<SqliteStore>, TempDatabase) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "marquee-test-{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let guard = TempDatabase(path.clone());
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap_or_else(|e| panic!("a fresh SQLite store at {}: {e}", path.display()));
    (Arc::new(store), guard)
}
