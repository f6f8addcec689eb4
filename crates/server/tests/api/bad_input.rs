//! Invariant 9: bad input gets a clear 4xx with a machine-readable error, and changes nothing.

use crate::helpers::TestApp;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Duration;
use serde_json::{json, Value};

crate::both_backends!(
    bad_holds_are_refused_and_change_nothing,
    holds_on_a_started_showtime_are_refused,
);

async fn bad_holds_are_refused_and_change_nothing(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let showtime = app.showtime_id();
    // "Nothing changed" is read from the database: the API's seat map is a cache, and a hold
    // written without being published would not show on it.
    let before = app.stored_seats().await;
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({ "showtime_id": 999999, "seats": ["A1"] }),
            StatusCode::NOT_FOUND,
            "showtime_not_found",
        ),
        (
            json!({ "showtime_id": showtime, "seats": ["A1", "Z9"] }),
            StatusCode::BAD_REQUEST,
            "unknown_seats",
        ),
        (
            json!({ "showtime_id": showtime, "seats": ["A1", "A1"] }),
            StatusCode::BAD_REQUEST,
            "invalid_seats",
        ),
        (
            json!({ "showtime_id": showtime, "seats": [] }),
            StatusCode::BAD_REQUEST,
            "invalid_seats",
        ),
        (
            json!({ "showtime_id": showtime, "seats": ["A1","A2","A3","A4","A5","A6","A7","A8","B1","B2","B3"] }),
            StatusCode::BAD_REQUEST,
            "invalid_seats",
        ),
        (
            json!({ "showtime_id": showtime, "quantity": 0 }),
            StatusCode::BAD_REQUEST,
            "invalid_quantity",
        ),
        (
            json!({ "showtime_id": showtime, "quantity": 11 }),
            StatusCode::BAD_REQUEST,
            "invalid_quantity",
        ),
        (
            json!({ "showtime_id": showtime, "quantity": 2, "category": "balcony" }),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({ "showtime_id": showtime, "seats": ["A1"], "quantity": 1 }),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({ "showtime_id": showtime }),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({ "showtime_id": "first", "seats": ["A1"] }),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({ "showtime_id": showtime, "seats": ["A1"], "price": 0 }),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let response = app
            .post("/api/v1/bookings", Some(&token), body.clone())
            .await;
        assert_eq!((response.status, response.code()), (status, code), "{body}");
        assert!(response.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let unknown = app
        .post(
            "/api/v1/bookings",
            Some(&token),
            json!({ "showtime_id": showtime, "seats": ["A1", "Z9", "Q1"] }),
        )
        .await;
    assert_eq!(unknown.body["error"]["seats"], json!(["Z9", "Q1"]));

    let malformed = Request::post("/api/v1/bookings")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"showtime_id\": 1, \"seats\": [\"A1\""))
        .unwrap();
    let response = app.send(malformed).await;
    assert_eq!(
        (response.status, response.code()),
        (StatusCode::BAD_REQUEST, "invalid_json")
    );
    let not_json = Request::post("/api/v1/bookings")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from("showtime_id=1"))
        .unwrap();
    let response = app.send(not_json).await;
    assert_eq!(
        (response.status, response.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let bad_query = app.get("/api/v1/events?date=tomorrow", None).await;
    assert_eq!(
        (bad_query.status, bad_query.code()),
        (StatusCode::BAD_REQUEST, "invalid_query")
    );

    assert_eq!(app.stored_seats().await, before, "no seat changed");
    assert_eq!(
        app.get("/api/v1/bookings", Some(&token)).await.body["bookings"],
        json!([])
    );
}

async fn holds_on_a_started_showtime_are_refused(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    app.advance(Duration::days(1) - Duration::minutes(10));
    let closed = app.hold(&token, &["A1"]).await;
    assert_eq!(
        (closed.status, closed.code()),
        (StatusCode::CONFLICT, "sales_closed")
    );
    app.advance(Duration::minutes(10));
    let started = app.hold(&token, &["A1"]).await;
    assert_eq!(
        (started.status, started.code()),
        (StatusCode::CONFLICT, "showtime_started")
    );
    let best = app
        .post(
            "/api/v1/bookings",
            Some(&token),
            json!({ "showtime_id": app.showtime_id(), "quantity": 1 }),
        )
        .await;
    assert_eq!(
        (best.status, best.code()),
        (StatusCode::CONFLICT, "showtime_started")
    );
    assert_eq!(app.stored_state_of("A1").await, ("available".into(), None));
    assert_eq!(
        app.get("/api/v1/bookings", Some(&token)).await.body["bookings"],
        json!([])
    );
    let showtime = app
        .get(&format!("/api/v1/showtimes/{}", app.showtime_id()), None)
        .await;
    assert_eq!(showtime.body["on_sale"], false);
}
