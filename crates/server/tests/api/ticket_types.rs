//! Ticket types through the API: a booking's seats each with its type and price, the
//! showtime and its seat map with prices per type. The test world's showtime sells adult (the
//! default) and child tickets: standard 1000 / 600, premium 1450 / 900, fee 75 a seat.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::{json, Value};

crate::both_backends!(
    a_booking_with_a_child_and_an_adult_ticket_prices_each_line,
    seats_without_types_are_the_default_ticket_type,
    an_unknown_ticket_type_is_refused_and_holds_nothing,
    the_showtime_and_its_seat_map_show_prices_per_ticket_type,
);

fn lines(booking: &Value) -> Vec<(String, String, i64)> {
    booking["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["seat"].as_str().unwrap().to_string(),
                l["type"].as_str().unwrap().to_string(),
                l["price"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn line(seat: &str, ticket_type: &str, price: i64) -> (String, String, i64) {
    (seat.to_string(), ticket_type.to_string(), price)
}

async fn a_booking_with_a_child_and_an_adult_ticket_prices_each_line(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let held = app
        .post(
            "/api/v1/bookings",
            Some(&ana),
            json!({
                "showtime_id": app.showtime_id(),
                "tickets": [
                    {"seat": "B3", "type": "child"},
                    {"seat": "A1", "type": "adult"},
                    {"seat": "A2", "type": "child"},
                ],
            }),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    assert_eq!(
        lines(&held.body),
        [
            line("B3", "child", 900),
            line("A1", "adult", 1000),
            line("A2", "child", 600)
        ]
    );
    assert_eq!(held.body["seats"], json!(["B3", "A1", "A2"]));
    assert_eq!(
        (
            &held.body["subtotal"],
            &held.body["fees"],
            &held.body["total"]
        ),
        (&json!(2500), &json!(225), &json!(2725))
    );
    let id = held.body["id"].as_str().unwrap();
    let read = app.get(&format!("/api/v1/bookings/{id}"), Some(&ana)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(lines(&read.body), lines(&held.body));
}

async fn seats_without_types_are_the_default_ticket_type(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let held = app.hold(&ana, &["B3", "A1"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    assert_eq!(
        lines(&held.body),
        [line("B3", "adult", 1450), line("A1", "adult", 1000)]
    );
}

async fn an_unknown_ticket_type_is_refused_and_holds_nothing(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let tickets = |second: Value| {
        json!({
            "showtime_id": app.showtime_id(),
            "tickets": [{"seat": "A1", "type": "adult"}, second],
        })
    };
    for (body, code) in [
        (
            tickets(json!({"seat": "A2", "type": "senior"})),
            "unknown_ticket_type",
        ),
        (
            tickets(json!({"seat": "A2", "type": "Adult ticket"})),
            "unknown_ticket_type",
        ),
        (
            tickets(json!({"seat": "A1", "type": "child"})),
            "invalid_seats",
        ),
        (tickets(json!({"seat": "A2"})), "invalid_body"),
        (
            json!({"showtime_id": app.showtime_id(), "seats": ["A1"],
                   "tickets": [{"seat": "A2", "type": "adult"}]}),
            "invalid_request",
        ),
    ] {
        let refused = app.post("/api/v1/bookings", Some(&ana), body.clone()).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::BAD_REQUEST, code),
            "{body} -> {:?}",
            refused.body
        );
    }
    assert_eq!(app.db_state_of("A1").await, "available");
    assert_eq!(app.db_state_of("A2").await, "available");
    let mine = app.get("/api/v1/bookings", Some(&ana)).await;
    assert_eq!(mine.body["bookings"], json!([]));
}

async fn the_showtime_and_its_seat_map_show_prices_per_ticket_type(app: TestApp) {
    let expected = json!([
        {"code": "adult", "name": "Adult",
         "prices": {"standard": 1000, "premium": 1450, "accessible": 1000, "companion": 500}},
        {"code": "child", "name": "Child",
         "prices": {"standard": 600, "premium": 900, "accessible": 600, "companion": 300}},
    ]);
    let id = app.showtime_id();
    let showtime = app.get(&format!("/api/v1/showtimes/{id}"), None).await;
    assert_eq!(showtime.status, StatusCode::OK);
    assert_eq!(showtime.body["ticket_types"], expected);
    assert_eq!(showtime.body["prices"], expected[0]["prices"]);
    let map = app
        .get(&format!("/api/v1/showtimes/{id}/seats"), None)
        .await;
    assert_eq!(map.status, StatusCode::OK);
    assert_eq!(map.body["ticket_types"], expected);
    let b3 = map.body["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == "B3")
        .expect("seat B3");
    assert_eq!(b3["price"], 1450, "a seat shows the default type's price");
}
