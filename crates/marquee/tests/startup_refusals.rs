//! `serve` refuses to start where it would give tickets away: without a chosen payment
//! gateway, or with the test-card sandbox on a node others can reach. Runs the real binary;
//! every refused start exits non-zero at once and says what to set.

mod common;

fn refused(bind: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let dir = common::TempDir::new(&format!("refused-{}", args.len() + env.len() * 10));
    let (started, said) = common::refused(&dir.0, bind, args, env);
    assert!(
        !started,
        "serve {args:?} {env:?} should refuse to start: {said}"
    );
    assert!(
        !said.contains("Marquee is serving"),
        "it refused before serving: {said}"
    );
    said
}

#[test]
fn serve_without_a_gateway_refuses_and_says_how_to_choose() {
    let said = refused("127.0.0.1:0", &[], &[]);
    assert!(said.contains("MARQUEE_PAYMENTS=stripe"), "{said}");
    assert!(said.contains("MARQUEE_PAYMENTS=sandbox"), "{said}");
}

#[test]
fn the_sandbox_on_a_public_address_refuses_unless_allowed() {
    let said = refused("0.0.0.0:0", &[], &[("MARQUEE_PAYMENTS", "sandbox")]);
    assert!(said.contains("MARQUEE_ALLOW_TEST_PAYMENTS=true"), "{said}");
    // --demo picks the sandbox, and the same rule applies.
    let said = refused("0.0.0.0:0", &["--demo"], &[]);
    assert!(said.contains("MARQUEE_ALLOW_TEST_PAYMENTS=true"), "{said}");
}

#[test]
fn the_sandbox_behind_an_https_address_refuses_unless_allowed() {
    let said = refused(
        "127.0.0.1:0",
        &[],
        &[
            ("MARQUEE_PAYMENTS", "sandbox"),
            ("MARQUEE_PUBLIC_URL", "https://tickets.example.com"),
        ],
    );
    assert!(said.contains("https://tickets.example.com"), "{said}");
}

#[test]
fn the_sandbox_allowed_outright_starts_and_says_test_mode() {
    let dir = common::TempDir::new("allowed-sandbox");
    let server = common::serve_with_env(
        &dir.0,
        &["--demo"],
        &[
            ("MARQUEE_PUBLIC_URL", "https://tickets.example.com"),
            ("MARQUEE_ALLOW_TEST_PAYMENTS", "true"),
        ],
    );
    assert!(
        server.log.iter().any(|line| line.contains("TEST MODE")),
        "{:?}",
        server.log
    );
}

/// Two nodes on one PostgreSQL database with one node id could give two bookings one id: the
/// second is refused while the first lives, and another id starts.
#[test]
fn a_node_id_in_use_on_the_database_is_refused() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let database = runtime.block_on(marquee_store_postgres::testing::fresh_database());
    let url = database.url().to_string();
    let dir = common::TempDir::new("node-id-first");
    let args = [
        "--payments",
        "sandbox",
        "--database-url",
        &url,
        "--node-id",
        "7",
    ];
    let _first = common::serve(&dir.0, &args);
    let said = refused("127.0.0.1:0", &args, &[]);
    assert!(said.contains("node id 7 is in use"), "{said}");
    let other = common::TempDir::new("node-id-other");
    let second = common::serve(
        &other.0,
        &[
            "--payments",
            "sandbox",
            "--database-url",
            &url,
            "--node-id",
            "8",
        ],
    );
    assert!(!second.address.is_empty());
}
