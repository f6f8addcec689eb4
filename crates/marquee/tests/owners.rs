//! The back office's first owner, as a newcomer makes one: `serve --demo` prints a password
//! for `admin@example.com`, and `marquee admin create` reads one from standard input. Both log
//! in through the real binary's API.

mod common;

use common::api::Client;
use serde_json::json;
use std::io::Write;
use std::process::Stdio;

/// The password `serve --demo` printed for its owner.
fn printed_password(log: &[String]) -> String {
    let line = log
        .iter()
        .find(|l| l.contains("Log in as admin@example.com with the password "))
        .unwrap_or_else(|| panic!("no password printed: {log:?}"));
    line.rsplit(' ').next().unwrap_or("").trim().to_string()
}

#[tokio::test]
async fn the_demo_prints_its_owners_password_and_it_logs_in() {
    let dir = common::TempDir::new("demo-owner");
    let server = common::serve(&dir.0, &["--demo", "--rate-limits", "off"]);
    let password = printed_password(&server.log);
    assert_eq!(password.len(), 16, "{password}");
    let client = Client::new(&server.address);
    let login = client
        .post(
            "/auth/login",
            json!({ "email": "admin@example.com", "password": password }),
        )
        .await;
    let mut owner = Client::new(&server.address);
    owner.token = login["token"].as_str().map(str::to_string);
    // With --demo an owner may put off the authenticator app: the back office answers.
    let venues = owner.get("/admin/venues").await;
    assert_eq!(venues["venues"].as_array().map(Vec::len), Some(6));
    drop(server);

    // A second start leaves the account (and its password) alone.
    let again = common::serve(&dir.0, &["--demo", "--rate-limits", "off"]);
    assert!(
        again.log.iter().all(|l| !l.contains(&password)),
        "the password is printed once"
    );
    let client = Client::new(&again.address);
    client
        .post(
            "/auth/login",
            json!({ "email": "admin@example.com", "password": password }),
        )
        .await;
}

#[tokio::test]
async fn admin_create_reads_the_password_from_standard_input() {
    let dir = common::TempDir::new("owner-stdin");
    let mut create = common::marquee(&dir.0)
        .args(["admin", "create", "--email", "boss@example.com"])
        .env_remove("MARQUEE_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("marquee admin create starts");
    create
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long owner password\n")
        .expect("written");
    assert!(create.wait().expect("it ends").success());

    let server = common::serve(&dir.0, &["--payments", "sandbox", "--rate-limits", "off"]);
    let client = Client::new(&server.address);
    let login = client
        .post(
            "/auth/login",
            json!({ "email": "boss@example.com", "password": "a long owner password" }),
        )
        .await;
    let mut owner = Client::new(&server.address);
    owner.token = login["token"].as_str().map(str::to_string);
    // Without --demo an owner must enrol an authenticator first: enrolment is what answers.
    let enrolment = owner.post("/me/totp", json!({})).await;
    assert!(enrolment["otpauth_uri"]
        .as_str()
        .is_some_and(|u| u.starts_with("otpauth://totp/")));
}
