//! One account's share of a sale: seats per showtime, holds at once, and a cool-down after a
//! hold ran out unpaid. Refusals are 429 with a specific code and, where waiting helps,
//! `Retry-After`; a refusal changes nothing in the database.

use crate::both_backends;
use crate::helpers::{Response, TestApp};
use axum::http::StatusCode;
use chrono::Duration;
use marquee_domain::HoldLimits;
use marquee_server::Config;

both_backends!(
    the_limits_are_public,
    one_account_cannot_hold_a_whole_showtime,
    holds_at_once_are_limited_until_one_ends,
    a_hold_that_ran_out_unpaid_cools_its_showtime_down,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_turned_off_on_sqlite_refuse_nothing() {
    limits_turned_off_refuse_nothing(
        TestApp::sqlite_configured(|c| Config {
            hold_limits: HoldLimits::NONE,
            ..c
        })
        .await,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_turned_off_on_postgres_refuse_nothing() {
    limits_turned_off_refuse_nothing(
        TestApp::postgres_configured(|c| Config {
            hold_limits: HoldLimits::NONE,
            ..c
        })
        .await,
    )
    .await
}

fn seats(labels: &str) -> Vec<&str> {
    labels.split_whitespace().collect()
}

/// The seats held in the database (not the seat-map cache), by booking.
async fn held_in_database(app: &TestApp) -> usize {
    app.stored_seats()
        .await
        .iter()
        .filter(|s| s.state == "held")
        .count()
}

fn assert_refused(answer: &Response, code: &str, retry_after: Option<u64>) {
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::TOO_MANY_REQUESTS, code),
        "{:?}",
        answer.body
    );
    assert_eq!(answer.retry_after(), retry_after, "Retry-After");
}

/// The hoarding script: one account asks for seat after seat of one showtime.
async fn one_account_cannot_hold_a_whole_showtime(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let first = app.hold(&ana, &seats("A1 A2 A3 A4")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(
        app.hold(&ana, &seats("A5 A6 A7 A8")).await.status,
        StatusCode::CREATED
    );
    app.advance(Duration::minutes(1));
    // 12 seats would be more than 10; the first hold ends in 9 minutes, freeing its seats.
    let refused = app.hold(&ana, &seats("B1 B2 B3 B4")).await;
    assert_refused(&refused, "hold_limit", Some(9 * 60));
    assert_eq!(held_in_database(&app).await, 8, "the refusal held nothing");
    // Up to the limit is fine; one more is not.
    assert_eq!(
        app.hold(&ana, &seats("B1 B2")).await.status,
        StatusCode::CREATED
    );
    assert_refused(&app.hold(&ana, &seats("B3")).await, "hold_limit", Some(540));
    assert_eq!(held_in_database(&app).await, 10);
    // Another customer is not held back by ana's share.
    let ben = app.customer("ben@example.com").await;
    assert_eq!(
        app.hold(&ben, &seats("B3 B4")).await.status,
        StatusCode::CREATED
    );
    // Giving seats back makes room at once.
    let id = first.body["id"].as_str().expect("an id");
    let released = app.release(&ana, id).await;
    assert_eq!(released.status, StatusCode::OK, "{:?}", released.body);
    let again = app.hold(&ana, &seats("C3 C4")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{:?}", again.body);
}

async fn holds_at_once_are_limited_until_one_ends(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    assert_eq!(app.hold(&ana, &["A1"]).await.status, StatusCode::CREATED);
    app.advance(Duration::minutes(3));
    assert_eq!(app.hold(&ana, &["A2"]).await.status, StatusCode::CREATED);
    assert_eq!(app.hold(&ana, &["A3"]).await.status, StatusCode::CREATED);
    // The first of the three ends 7 minutes from now.
    assert_refused(&app.hold(&ana, &["A4"]).await, "hold_limit", Some(7 * 60));
    app.advance(Duration::minutes(4));
    assert_refused(&app.hold(&ana, &["A4"]).await, "hold_limit", Some(3 * 60));
    assert_eq!(held_in_database(&app).await, 3);
    // Once it ran out, its showtime cools down for ana (2 minutes): a hold of another seat
    // waits only for that, and then goes through beside the two left.
    app.advance(Duration::minutes(3));
    assert_refused(
        &app.hold(&ana, &["A4"]).await,
        "hold_cooldown",
        Some(2 * 60),
    );
    app.advance(Duration::minutes(2));
    let fourth = app.hold(&ana, &["A4"]).await;
    assert_eq!(fourth.status, StatusCode::CREATED, "{:?}", fourth.body);
}

async fn a_hold_that_ran_out_unpaid_cools_its_showtime_down(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    assert_eq!(app.hold(&ana, &["A1"]).await.status, StatusCode::CREATED);
    app.advance(Duration::minutes(10) + Duration::seconds(30));
    // Whether or not the sweeper has moved it to `expired` yet.
    assert_refused(&app.hold(&ana, &["A1"]).await, "hold_cooldown", Some(90));
    marquee_server::jobs::sweep_once(&app.app)
        .await
        .expect("a sweep");
    assert_refused(&app.hold(&ana, &["A2"]).await, "hold_cooldown", Some(90));
    assert_eq!(held_in_database(&app).await, 0, "the refusals held nothing");
    // Someone else may have the seat meanwhile.
    let ben = app.customer("ben@example.com").await;
    assert_eq!(app.hold(&ben, &["A1"]).await.status, StatusCode::CREATED);
    app.advance(Duration::seconds(90));
    let again = app.hold(&ana, &["A2"]).await;
    assert_eq!(again.status, StatusCode::CREATED, "{:?}", again.body);
}

async fn the_limits_are_public(app: TestApp) {
    let limits = app.get("/api/v1/limits", None).await;
    assert_eq!(limits.status, StatusCode::OK);
    assert_eq!(
        limits.body["holds"],
        serde_json::json!({ "seats_per_showtime": 10, "live_holds": 3, "cooldown_seconds": 120 })
    );
    // The tests' apps run without rate limits.
    assert_eq!(
        limits.body["rate_limits"],
        serde_json::json!({ "auth": null, "booking": null, "read": null })
    );
}

async fn limits_turned_off_refuse_nothing(app: TestApp) {
    let limits = app.get("/api/v1/limits", None).await;
    assert_eq!(
        limits.body["holds"],
        serde_json::json!({ "seats_per_showtime": null, "live_holds": null, "cooldown_seconds": null })
    );
    let ana = app.customer("ana@example.com").await;
    for labels in [
        "A1 A2 A3 A4 A5 A6 A7",
        "B1 B2 B3 B4 B5 B6 B7",
        "C3 C4",
        "A8",
    ] {
        let held = app.hold(&ana, &seats(labels)).await;
        assert_eq!(
            held.status,
            StatusCode::CREATED,
            "{labels}: {:?}",
            held.body
        );
    }
    app.advance(Duration::minutes(11));
    assert_eq!(app.hold(&ana, &["A1"]).await.status, StatusCode::CREATED);
}
