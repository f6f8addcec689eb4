//! Tiny `marquee loadtest` runs of every scenario against a real server on each backend, the
//! booking ones paying through the server's sandbox gateway too. They fail on any correctness
//! violation (the CHECK line, the exit code), never on speed: these machines are shared.

mod common;

/// Serves `database_url` from a fresh directory, runs `loadtest <scenario...>` against it and
/// asserts that the run passed; returns its CHECK line for the scenario's own assertions.
fn smoke(name: &str, database_url: &str, scenario: &[&str]) -> String {
    let dir = common::TempDir::new(name);
    let server = common::serve(&dir.0, &["--database-url", database_url]);
    let output = common::marquee(&dir.0)
        .args([
            "loadtest",
            "--target",
            &format!("http://{}", server.address),
            "--database-url",
            database_url,
        ])
        .args(scenario)
        .output()
        .expect("the load generator runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let check = stdout
        .lines()
        .find(|l| l.starts_with("CHECK"))
        .expect("a CHECK line");
    assert!(check.starts_with("CHECK ok:"), "{check}");
    check.to_string()
}

fn on_sqlite(name: &str, scenario: &[&str]) -> String {
    smoke(name, "sqlite://loadtest.db", scenario)
}

fn on_postgres(name: &str, scenario: &[&str]) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let database = runtime.block_on(marquee_store_postgres::testing::fresh_database());
    smoke(name, database.url(), scenario)
}

const ONSALE: &[&str] = &[
    "onsale",
    "--users",
    "120",
    "--connections",
    "16",
    "--capacity",
    "80",
    "--max-seconds",
    "60",
];

const BROWSE: &[&str] = &[
    "browse",
    "--showtimes",
    "5",
    "--seconds",
    "2",
    "--connections",
    "4",
];

const STEADY: &[&str] = &[
    "steady",
    "--showtimes",
    "5",
    "--users",
    "10",
    "--seconds",
    "2",
    "--connections",
    "4",
];

/// Every scenario that books: nothing wrong, and some holds were paid for and confirmed.
fn assert_bookings_clean(check: &str) {
    assert!(
        check.contains("paid but not confirmed 0, seats in two live bookings 0, holds lost 0, releases not applied 0"),
        "{check}"
    );
    assert!(
        !check.contains("confirmed bookings 0 "),
        "some holds were paid for: {check}"
    );
}

fn assert_onsale_clean(check: &str) {
    assert_bookings_clean(check);
    assert!(
        !check.contains("held or sold 0/"),
        "some seats were sold: {check}"
    );
}

#[test]
fn onsale_smoke_run_on_sqlite_is_correct() {
    assert_onsale_clean(&on_sqlite("onsale-sqlite", ONSALE));
}

#[test]
fn onsale_smoke_run_on_postgres_is_correct() {
    assert_onsale_clean(&on_postgres("onsale-postgres", ONSALE));
}

#[test]
fn browse_smoke_run_on_sqlite_is_correct() {
    on_sqlite("browse-sqlite", BROWSE);
}

#[test]
fn browse_smoke_run_on_postgres_is_correct() {
    on_postgres("browse-postgres", BROWSE);
}

#[test]
fn steady_smoke_run_on_sqlite_is_correct() {
    assert_bookings_clean(&on_sqlite("steady-sqlite", STEADY));
}

#[test]
fn steady_smoke_run_on_postgres_is_correct() {
    assert_bookings_clean(&on_postgres("steady-postgres", STEADY));
}
