//! A tiny `marquee loadtest onsale` against a real server on each backend. It fails on any
//! correctness violation (the CHECK line), never on speed: these machines are shared.

mod common;

fn onsale_smoke(dir: &std::path::Path, database_url: &str) {
    let server = common::serve(dir, &["--database-url", database_url]);
    let output = common::marquee(dir)
        .args([
            "loadtest",
            "--target",
            &format!("http://{}", server.address),
            "--database-url",
            database_url,
        ])
        .args([
            "onsale",
            "--users",
            "120",
            "--connections",
            "16",
            "--capacity",
            "80",
            "--max-seconds",
            "60",
        ])
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
    assert!(
        check.contains("seats in two live bookings 0, holds lost 0, releases not applied 0"),
        "{check}"
    );
    assert!(
        !check.contains("held or sold 0/"),
        "some seats were sold: {check}"
    );
}

#[test]
fn onsale_smoke_run_on_sqlite_is_correct() {
    let dir = common::TempDir::new("onsale-sqlite");
    onsale_smoke(&dir.0, "sqlite://loadtest.db");
}

#[test]
fn onsale_smoke_run_on_postgres_is_correct() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let database = runtime.block_on(marquee_store_postgres::testing::fresh_database());
    let dir = common::TempDir::new("onsale-postgres");
    onsale_smoke(&dir.0, database.url());
}
