//! SIGTERM to the real binary: `/readyz` fails at once, a request in flight still gets its
//! answer, the process exits 0. The request is kept in flight by a row lock the test holds
//! on PostgreSQL: the hold waits for the seat's row. Logs are JSON, and the request's access
//! log line carries its request id.

use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Asks `check` again (every 50 ms, at most 30 s) until it answers something.
async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_request_in_flight_finish_fails_readyz_and_exits_zero() {
    let database = marquee_store_postgres::testing::fresh_database().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--demo",
            "--log-format",
            "json",
        ])
        .args([
            "--database-lock-timeout",
            "60s",
            "--database-statement-timeout",
            "60s",
        ])
        .args(["--shutdown-grace", "60s"])
        .env("MARQUEE_DATABASE_URL", database.url())
        .env("MARQUEE_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("marquee starts");
    let (lines, logged) = mpsc::channel::<Value>();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let parsed = serde_json::from_str(&line).unwrap_or_else(|_| json!({ "text": line }));
            if lines.send(parsed).is_err() {
                return;
            }
        }
    });
    let address = loop {
        let line = logged
            .recv_timeout(Duration::from_secs(120))
            .expect("the server said where it listens");
        if let Some(address) = line["fields"]["address"].as_str() {
            break address.to_string();
        }
    };
    let base = format!("http://{address}");
    let http = reqwest::Client::new();

    // A customer, and a seat of a showtime on sale tomorrow.
    let account = json!({ "email": "ana@example.com", "password": "correct horse battery" });
    let registered = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&account)
        .send()
        .await
        .expect("register");
    assert_eq!(registered.status(), 201);
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&account)
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("a login body");
    let token = login["token"].as_str().expect("a token").to_string();
    let mut db = PgConnection::connect(database.url())
        .await
        .expect("the database");
    let (showtime, label): (i64, String) = sqlx::query_as(
        "SELECT s.showtime_id, s.label FROM showtime_seats s JOIN showtimes t ON t.id = s.showtime_id
         WHERE t.starts_at > now() + interval '1 day' AND t.sales_open_at < now()
           AND s.status = 'available' ORDER BY s.showtime_id, s.label LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .expect("a seat on sale");

    // The test holds the seat's row, so the hold waits for it.
    sqlx::query("BEGIN").execute(&mut db).await.expect("begin");
    sqlx::query("SELECT 1 FROM showtime_seats WHERE showtime_id = $1 AND label = $2 FOR UPDATE")
        .bind(showtime)
        .bind(&label)
        .execute(&mut db)
        .await
        .expect("the row locked");
    let hold = tokio::spawn({
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        async move {
            let answer = http
                .post(format!("{base}/api/v1/bookings"))
                .bearer_auth(token)
                .header("x-request-id", "shutdown-hold-1")
                .json(&json!({ "showtime_id": showtime, "seats": [label] }))
                .send()
                .await
                .expect("the hold is answered");
            let status = answer.status().as_u16();
            (status, answer.json::<Value>().await.expect("a body"))
        }
    });
    let mut watcher = PgConnection::connect(database.url())
        .await
        .expect("the database");
    eventually("the hold waiting for the row", async || {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
        )
        .bind(database.name())
        .fetch_one(&mut watcher)
        .await
        .ok()?;
        (waiting > 0).then_some(())
    })
    .await;

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let ready: Value = eventually("/readyz failing", async || {
        let answer = reqwest::get(format!("{base}/readyz")).await.ok()?;
        if answer.status() != 503 {
            return None;
        }
        answer.json().await.ok()
    })
    .await;
    assert_eq!(ready["error"]["code"], "shutting_down");
    assert!(!hold.is_finished(), "the hold is still waiting for the row");

    sqlx::query("ROLLBACK")
        .execute(&mut db)
        .await
        .expect("the row let go");
    let (status, body) = hold.await.expect("the hold task");
    assert_eq!(status, 201, "the request in flight got its answer: {body}");

    let exited = eventually("the process exiting", async || {
        child.try_wait().ok().flatten()
    })
    .await;
    assert_eq!(exited.code(), Some(0));
    let access_log: Vec<Value> = logged
        .try_iter()
        .filter(|line| line["span"]["request_id"] == "shutdown-hold-1")
        .collect();
    assert!(
        access_log
            .iter()
            .any(|line| line["fields"]["status"] == 201
                && line["span"]["route"] == "/api/v1/bookings"),
        "an access log line with the request id: {access_log:?}"
    );
}
