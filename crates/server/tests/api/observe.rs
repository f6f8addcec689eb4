//! What an operator sees: metrics that move when bookings happen, a request id on every
//! answer.

use crate::both_backends;
use crate::helpers::TestApp;
use crate::payments::{booking_when, checkout, held, pay, SUCCEEDS};
use axum::body::Body;
use axum::http::{Request, StatusCode};

both_backends!(
    metrics_move_when_bookings_happen,
    every_answer_carries_a_request_id_and_a_sane_incoming_one_is_kept,
);

/// The value of one series in `/metrics`, 0 while it has none. Series are the process's:
/// other tests running at once move them too, so tests only ever see them grow.
async fn sample(app: &TestApp, series: &str) -> f64 {
    let page = app.get("/metrics", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.body.as_str().unwrap_or_default().to_string();
    text.lines()
        .filter_map(|line| line.strip_prefix(series))
        .filter_map(|rest| rest.strip_prefix(' '))
        .find_map(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn metrics_move_when_bookings_happen(app: TestApp) {
    let series = [
        "marquee_holds_made_total",
        "marquee_bookings_confirmed_total",
        "marquee_webhook_events_total{outcome=\"confirmed\"}",
        "marquee_http_requests_total{method=\"POST\",route=\"/api/v1/bookings\",status=\"201\"}",
        "marquee_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/bookings\",status=\"201\"}",
    ];
    let mut before = Vec::new();
    for s in series {
        before.push(sample(&app, s).await);
    }
    let (token, booking) = held(&app, "ana@example.com", &["A1", "A2"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"]
        .as_str()
        .expect("a payment")
        .to_string();
    assert_eq!(
        pay(&app, &payment_ref, SUCCEEDS).await.status,
        StatusCode::OK
    );
    booking_when(&app, &token, &booking, "confirmed").await;
    for (s, before) in series.into_iter().zip(before) {
        let after = sample(&app, s).await;
        assert!(after > before, "{s} did not move: {before} then {after}");
    }
    let page = app.get("/metrics", None).await;
    let text = page.body.as_str().unwrap_or_default();
    for name in [
        "marquee_hold_batch_size_bucket",
        "marquee_hold_queue_depth",
        "marquee_db_connections{pool=",
        "marquee_http_request_duration_seconds_bucket",
    ] {
        assert!(text.contains(name), "{name} missing from /metrics");
    }
}

async fn every_answer_carries_a_request_id_and_a_sane_incoming_one_is_kept(app: TestApp) {
    for path in ["/api/v1/cities", "/api/v1/nothing-here", "/healthz"] {
        let answer = app.get(path, None).await;
        let id = answer.header("x-request-id").expect("a request id");
        assert_eq!(id.len(), 36, "a UUID: {id}");
    }
    let with_id = |id: &str| {
        Request::get("/api/v1/cities")
            .header("x-request-id", id)
            .body(Body::empty())
            .expect("a request")
    };
    let kept = app.send(with_id("checkout-7f3a.retry:2")).await;
    assert_eq!(kept.header("x-request-id"), Some("checkout-7f3a.retry:2"));
    let odd = "a b\"c";
    let replaced = app.send(with_id(odd)).await;
    let id = replaced.header("x-request-id").expect("a request id");
    assert_ne!(id, odd, "an id that could forge log fields is replaced");
    assert_eq!(id.len(), 36);
}
