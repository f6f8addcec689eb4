//! A node under trouble: a database that goes away and comes back, rows locked too long,
//! requests that take too long, more requests than it serves at once, a hold queue behind.
//! Each refusal is a 503 with a code and `Retry-After`, changes nothing, and the node
//! recovers by itself.

use crate::both_backends;
use crate::helpers::{Response, TestApp};
use crate::proxy::{address_of, Proxy};
use axum::http::StatusCode;
use marquee_server::Config;
use sqlx::{Connection, PgConnection};
use std::time::Duration;

fn assert_refused(answer: &Response, code: &str) {
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        answer.body
    );
    assert_eq!(answer.code(), code, "{:?}", answer.body);
    let retry_after: u64 = answer
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("a Retry-After in whole seconds");
    assert!(retry_after >= 1);
}

/// A transaction of the test's own that holds a seat's row locked until it is dropped.
async fn lock_seat(url: &str, app: &TestApp, label: &str) -> PgConnection {
    let mut locker = PgConnection::connect(url).await.expect("a connection");
    sqlx::query("BEGIN")
        .execute(&mut locker)
        .await
        .expect("begin");
    sqlx::query("SELECT 1 FROM showtime_seats WHERE showtime_id = $1 AND label = $2 FOR UPDATE")
        .bind(app.showtime_id())
        .bind(label)
        .execute(&mut locker)
        .await
        .expect("the seat's row locked");
    locker
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_goes_away_answers_503_and_everything_recovers_with_nothing_lost() {
    let upstream = address_of(&marquee_store_postgres::testing::admin_url());
    let proxy = Proxy::start(upstream).await;
    let (app, _) = TestApp::postgres_behind(&proxy, |c| c).await;
    let token = app.customer("ana@example.com").await;
    let before = app.hold(&token, &["A1"]).await;
    assert_eq!(before.status, StatusCode::CREATED, "{:?}", before.body);
    let booking = before.body["id"].as_str().expect("an id").to_string();

    proxy.cut();
    assert_refused(
        &app.get("/api/v1/bookings", Some(&token)).await,
        "database_unavailable",
    );
    assert_refused(
        &app.get(&format!("/api/v1/bookings/{booking}"), Some(&token))
            .await,
        "database_unavailable",
    );
    assert_refused(&app.hold(&token, &["A2"]).await, "database_unavailable");
    assert_refused(&app.get("/readyz", None).await, "database_unavailable");
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);

    proxy.restore().await;
    // The pool drops its broken connections and opens new ones by itself.
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    let kept = app
        .get(&format!("/api/v1/bookings/{booking}"), Some(&token))
        .await;
    assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.body);
    assert_eq!(kept.body["status"], "held");
    let after = app.hold(&token, &["A2"]).await;
    assert_eq!(after.status, StatusCode::CREATED, "{:?}", after.body);
    let stored = app.stored_seats().await;
    let seat = |label: &str| {
        stored
            .iter()
            .find(|s| s.label == label)
            .expect("a seat")
            .clone()
    };
    assert_eq!(seat("A1").state, "held");
    assert_eq!(
        seat("A1").booking.map(|b| b.to_string()),
        Some(booking.clone()),
        "the hold made before the outage is still there"
    );
    assert_eq!(seat("A2").state, "held");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_waiting_on_a_locked_row_gives_up_with_503_and_changes_nothing() {
    let upstream = address_of(&marquee_store_postgres::testing::admin_url());
    let proxy = Proxy::start(upstream).await;
    let (app, url) = TestApp::postgres_behind(&proxy, |c| c).await;
    let token = app.customer("ana@example.com").await;
    let before = app.stored_seats().await;
    let locker = lock_seat(&url, &app, "A1").await;
    // lock_timeout (2 s by default) ends the wait, well within the request timeout.
    assert_refused(
        &app.hold(&token, &["A1", "A2"]).await,
        "database_unavailable",
    );
    drop(locker);
    assert_eq!(app.stored_seats().await, before);
    assert_eq!(
        app.hold(&token, &["A1", "A2"]).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_takes_longer_than_the_request_timeout_answers_503() {
    let upstream = address_of(&marquee_store_postgres::testing::admin_url());
    let proxy = Proxy::start(upstream).await;
    let (app, url) = TestApp::postgres_behind(&proxy, |c| Config {
        request_timeout: Duration::from_secs(1),
        ..c
    })
    .await;
    let token = app.customer("ana@example.com").await;
    let locker = lock_seat(&url, &app, "A1").await;
    // The default lock_timeout (2 s) is longer than this request timeout.
    assert_refused(&app.hold(&token, &["A1"]).await, "request_timeout");
    drop(locker);
}

both_backends!(requests_beyond_the_cap_are_shed_but_health_checks_and_metrics_are_not);

async fn requests_beyond_the_cap_are_shed_but_health_checks_and_metrics_are_not(app: TestApp) {
    let cap = app.app.config().max_concurrent_requests as u32;
    // The test's own "requests in flight": every permit.
    let busy = app
        .app
        .request_permits()
        .clone()
        .acquire_many_owned(cap)
        .await
        .expect("the permits");
    assert_refused(&app.get("/api/v1/cities", None).await, "overloaded");
    assert_refused(&app.hold("no-token", &["A1"]).await, "overloaded");
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(app.get(path, None).await.status, StatusCode::OK, "{path}");
    }
    drop(busy);
    assert_eq!(app.get("/api/v1/cities", None).await.status, StatusCode::OK);
}

/// Every hold waits at least as long as a deadline of zero.
fn no_time_in_the_queue(config: Config) -> Config {
    Config {
        hold_queue_deadline: Duration::ZERO,
        ..config
    }
}

async fn a_hold_that_waited_past_the_queue_deadline_is_refused_undecided(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let before = app.stored_seats().await;
    assert_refused(&app.hold(&token, &["A1"]).await, "overloaded");
    assert_eq!(app.stored_seats().await, before);
    let bookings = app.get("/api/v1/bookings", Some(&token)).await;
    assert_eq!(
        bookings.body["bookings"].as_array().map(Vec::len),
        Some(0),
        "{:?}",
        bookings.body
    );
}

mod late_holds {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        a_hold_that_waited_past_the_queue_deadline_is_refused_undecided(
            TestApp::sqlite_configured(no_time_in_the_queue).await,
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        a_hold_that_waited_past_the_queue_deadline_is_refused_undecided(
            TestApp::postgres_configured(no_time_in_the_queue).await,
        )
        .await
    }
}
