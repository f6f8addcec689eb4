//! Tiny `marquee loadtest` runs of every scenario against a real server on each backend (the
//! search one over a small synthetic catalog it writes), the booking ones paying through the
//! server's sandbox gateway too. They fail on any correctness violation (the CHECK counts in
//! the `--json` report, the exit code), or when a run did nothing, never on speed: these
//! machines are shared.

mod common;

use serde_json::Value;

/// Serves `database_url` from a fresh directory, runs `loadtest --json <scenario...>` against
/// it and asserts that the run passed and did something: its JSON report, and the count of
/// live bookings the database has afterwards (`live_bookings`).
fn smoke(name: &str, database_url: &str, scenario: &[&str]) -> (Value, usize) {
    let dir = common::TempDir::new(name);
    // The load generator is many customers on one address: the rate limits would stop it.
    println!("{name}: the server runs with rate limits off (--rate-limits off)");
    let server = common::serve(
        &dir.0,
        &[
            "--payments",
            "sandbox",
            "--database-url",
            database_url,
            "--rate-limits",
            "off",
        ],
    );
    let output = common::marquee(&dir.0)
        .args([
            "loadtest",
            "--json",
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
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("a JSON report: {stdout}"));
    let requests = report["requests"].as_array().expect("request rows");
    let sum = |field: &str| -> u64 { requests.iter().map(|r| r[field].as_u64().unwrap()).sum() };
    assert!(sum("requests") > 0, "requests were made: {report}");
    assert!(sum("ok") > 0, "requests succeeded: {report}");
    let live = live_bookings(&dir.0, database_url);
    (report, live)
}

/// The number of bookings that hold or bought a seat in the database now, over every showtime
/// in it (the load generator's own catalog), read straight from the database.
fn live_bookings(dir: &std::path::Path, database_url: &str) -> usize {
    let url = match database_url.strip_prefix("sqlite://") {
        Some(file) => format!("sqlite://{}", dir.join(file).display()),
        None => database_url.to_string(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store: std::sync::Arc<dyn marquee_store::Store> = if url.starts_with("sqlite:") {
            std::sync::Arc::new(
                marquee_store_sqlite::SqliteStore::connect(&url)
                    .await
                    .expect("the database"),
            )
        } else {
            std::sync::Arc::new(
                marquee_store_postgres::PgStore::connect(&url, 2)
                    .await
                    .expect("the database"),
            )
        };
        let now = chrono::Utc::now();
        let showtimes = store
            .list_showtimes(&marquee_store::ShowtimeFilter {
                event_id: None,
                city_id: None,
                starts_from: None,
                starts_until: None,
                access: None,
                limit: 10_000,
                now,
            })
            .await
            .expect("showtimes");
        let mut live = std::collections::HashSet::new();
        for showtime in showtimes {
            let map = store
                .seat_map(showtime.showtime.id, now)
                .await
                .expect("a seat map")
                .expect("the showtime");
            for seat in map.seats {
                if seat.state_at(now) != marquee_domain::SeatState::Available {
                    live.insert(seat.booking_id.expect("a taken seat has a booking"));
                }
            }
        }
        live.len()
    })
}

/// Answers 2xx of the rows `kind` picks.
fn ok(rows: &Value, kind: impl Fn(&str) -> bool) -> u64 {
    rows.as_array()
        .expect("request rows")
        .iter()
        .filter(|r| kind(r["kind"].as_str().unwrap()))
        .map(|r| r["ok"].as_u64().unwrap())
        .sum()
}

fn on_sqlite(name: &str, scenario: &[&str]) -> (Value, usize) {
    smoke(name, "sqlite://loadtest.db", scenario)
}

fn on_postgres(name: &str, scenario: &[&str]) -> (Value, usize) {
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

/// A small synthetic catalog, written by the scenario into the empty database.
const SEARCH: &[&str] = &[
    "search",
    "--events",
    "60",
    "--showtimes",
    "180",
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

/// Every scenario that books: every CHECK count of something wrong is zero, some holds were
/// paid for and confirmed, and the database has no live booking that no client was told about:
/// its live bookings are exactly the holds answered 201 less the releases answered 200
/// (`holds`, `releases`).
fn assert_bookings_clean((report, live): &(Value, usize), holds: u64, releases: u64) {
    let check = &report["check"];
    for count in [
        "paid_not_confirmed",
        "seats_in_two_live_bookings",
        "holds_lost",
        "releases_not_applied",
    ] {
        assert_eq!(check[count], 0, "{count}: {check}");
    }
    assert!(holds > 0, "some holds succeeded: {report}");
    assert!(
        check["confirmed_bookings"].as_u64() > Some(0),
        "some holds were paid for: {check}"
    );
    assert!(check["seats_taken"].as_u64() > Some(0), "{check}");
    assert_eq!(
        *live as u64,
        holds - releases,
        "live bookings in the database = holds answered - releases answered: {report}"
    );
}

fn is_hold(kind: &str) -> bool {
    kind.starts_with("hold")
}

fn assert_onsale_clean(run: (Value, usize)) {
    let report = &run.0;
    let holds = ok(&report["requests"], is_hold) + ok(&report["after_sale"]["requests"], is_hold);
    let releases = ok(&report["requests"], |k| k == "release")
        + ok(&report["after_sale"]["requests"], |k| k == "release");
    assert_eq!(report["after_sale"]["released"].as_u64(), Some(releases));
    assert!(report["after_sale"]["paid"].as_u64() > Some(0), "{report}");
    assert_bookings_clean(&run, holds, releases);
}

fn assert_steady_clean(run: (Value, usize)) {
    let report = &run.0;
    let holds = ok(&report["requests"], is_hold);
    let releases = ok(&report["requests"], |k| k == "release");
    assert_bookings_clean(&run, holds, releases);
}

fn assert_browse_clean((report, _): (Value, usize)) {
    let check = &report["check"];
    assert_eq!(check["not_ok"], 0, "{check}");
    assert_eq!(check["seat_maps_wrong"], 0, "{check}");
    assert!(check["requests"].as_u64() > Some(0), "{check}");
    assert!(check["seat_maps"].as_u64() > Some(0), "{check}");
}

/// Every query found something (each is made from a showing of the catalog), every kind of
/// query was asked, and the catalog the scenario wrote is the size asked for.
fn assert_search_clean((report, _): (Value, usize)) {
    let check = &report["check"];
    assert_eq!(check["not_ok"], 0, "{check}");
    assert_eq!(check["found_nothing"], 0, "{check}");
    assert!(check["answered"].as_u64() > Some(0), "{check}");
    assert_eq!(report["events"], 60, "{report}");
    let kinds: Vec<&str> = report["requests"]
        .as_array()
        .expect("request rows")
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    for kind in ["one word", "two words, city, date", "typo", "prefix, city"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(report["text_index_bytes"].as_u64() > Some(0), "{report}");
}

#[test]
fn onsale_smoke_run_on_sqlite_is_correct() {
    assert_onsale_clean(on_sqlite("onsale-sqlite", ONSALE));
}

#[test]
fn onsale_smoke_run_on_postgres_is_correct() {
    assert_onsale_clean(on_postgres("onsale-postgres", ONSALE));
}

#[test]
fn browse_smoke_run_on_sqlite_is_correct() {
    assert_browse_clean(on_sqlite("browse-sqlite", BROWSE));
}

#[test]
fn browse_smoke_run_on_postgres_is_correct() {
    assert_browse_clean(on_postgres("browse-postgres", BROWSE));
}

#[test]
fn search_smoke_run_on_sqlite_is_correct() {
    assert_search_clean(on_sqlite("search-sqlite", SEARCH));
}

#[test]
fn search_smoke_run_on_postgres_is_correct() {
    assert_search_clean(on_postgres("search-postgres", SEARCH));
}

#[test]
fn steady_smoke_run_on_sqlite_is_correct() {
    assert_steady_clean(on_sqlite("steady-sqlite", STEADY));
}

#[test]
fn steady_smoke_run_on_postgres_is_correct() {
    assert_steady_clean(on_postgres("steady-postgres", STEADY));
}
