//! A hall's new layout reaches its upcoming showtimes, all of them or none, and never moves a
//! seat someone holds, bought or staff blocked; a showtime that has started keeps its layout.

use crate::helpers::{StoredSeat, TestApp};
use axum::http::{Method, StatusCode};
use chrono::Duration;
use serde_json::{json, Value};

crate::both_backends!(
    a_new_layout_reaches_upcoming_showtimes_and_keeps_the_seats_people_have,
    a_layout_that_would_drop_a_held_or_blocked_seat_is_refused_whole,
    a_showtime_that_has_started_keeps_its_layout,
);

/// The world's hall as fixtures::LAYOUT has it, with a row added.
const WITH_ROW_D: &str = "A  ssssssss\nB  sspppps\nC  wc.ss.cw\nD  ssss";
/// Row A one seat shorter: A8 is gone.
const WITHOUT_A8: &str = "A  sssssss\nB  sspppps\nC  wc.ss.cw";
/// C4 becomes an aisle.
const WITHOUT_C4: &str = "A  ssssssss\nB  sspppps\nC  wc.s..cw";

async fn put_layout(app: &TestApp, token: &str, layout: &str) -> crate::helpers::Response {
    app.request(
        Method::PUT,
        &format!(
            "/api/v1/admin/auditoriums/{}/layout",
            app.world.auditorium.auditorium.id.0
        ),
        Some(token),
        Some(json!({ "layout": layout })),
    )
    .await
}

/// The layout version of the hall, read from the database.
async fn hall_version(app: &TestApp) -> u32 {
    app.store
        .auditorium_layout(app.world.auditorium.auditorium.id)
        .await
        .unwrap()
        .unwrap()
        .info
        .layout_version
}

/// A showtime's seats as stored, by label.
async fn seats_of(app: &TestApp, showtime: i64) -> Vec<StoredSeat> {
    let mut seats = app
        .stored_seats_of(marquee_domain::ShowtimeId(showtime))
        .await;
    seats.sort_by(|a, b| a.label.cmp(&b.label));
    seats
}

/// A second showtime in the world's hall, scheduled through the API.
async fn second_showtime(app: &TestApp, manager: &str) -> i64 {
    let made = app
        .post(
            "/api/v1/admin/showtimes",
            Some(manager),
            crate::schedule::showtime_at(app, "2026-11-25T18:00:00Z"),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    made.body["id"].as_i64().unwrap()
}

fn labels(map: &Value) -> Vec<String> {
    map["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap().to_string())
        .collect()
}

async fn a_new_layout_reaches_upcoming_showtimes_and_keeps_the_seats_people_have(app: TestApp) {
    let manager = crate::schedule::with_plan(&app).await;
    let other = second_showtime(&app, &manager).await;
    let customer = app.customer("carla@example.com").await;
    let held = app.hold(&customer, &["A8", "B3"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    let booking: i64 = held.body["id"].as_str().unwrap().parse().unwrap();
    // The map is cached before the edit: the edit must not leave it so.
    assert!(!labels(
        &app.get(
            &format!("/api/v1/showtimes/{}/seats", app.showtime_id()),
            None
        )
        .await
        .body
    )
    .contains(&"D1".to_string()));

    let saved = put_layout(&app, &manager, WITH_ROW_D).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let mut updated: Vec<i64> = saved.body["showtimes_updated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    updated.sort();
    assert_eq!(updated, vec![app.showtime_id(), other]);
    assert_eq!(saved.body["capacity"], 25);

    for showtime in [app.showtime_id(), other] {
        let seats = seats_of(&app, showtime).await;
        assert_eq!(seats.len(), 25, "showtime {showtime}");
        assert!(seats
            .iter()
            .any(|s| s.label == "D4" && s.state == "available"));
        let map = app
            .get(&format!("/api/v1/showtimes/{showtime}/seats"), None)
            .await;
        assert!(
            labels(&map.body).contains(&"D4".to_string()),
            "the cached map"
        );
    }
    // The held seats are the same rows, held by the same booking.
    let seats = seats_of(&app, app.showtime_id()).await;
    for label in ["A8", "B3"] {
        let seat = seats.iter().find(|s| s.label == label).unwrap();
        assert_eq!(
            (seat.state, seat.booking),
            ("held", Some(booking)),
            "{label}"
        );
    }
    // The new row sells.
    let more = app.hold(&customer, &["D1"]).await;
    assert_eq!(more.status, StatusCode::CREATED, "{:?}", more.body);
}

async fn a_layout_that_would_drop_a_held_or_blocked_seat_is_refused_whole(app: TestApp) {
    let manager = crate::schedule::with_plan(&app).await;
    let other = second_showtime(&app, &manager).await;
    let customer = app.customer("carla@example.com").await;
    assert_eq!(
        app.hold(&customer, &["A8"]).await.status,
        StatusCode::CREATED
    );
    let blocked = app
        .post(
            &format!("/api/v1/admin/showtimes/{other}/blocked-seats"),
            Some(&manager),
            json!({ "seats": ["C4"] }),
        )
        .await;
    assert_eq!(blocked.status, StatusCode::OK, "{:?}", blocked.body);
    let version = hall_version(&app).await;
    let (before, other_before) = (
        seats_of(&app, app.showtime_id()).await,
        seats_of(&app, other).await,
    );

    // A8 is held at the world's showtime; the other may take the layout but none does.
    let refused = put_layout(&app, &manager, WITHOUT_A8).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "layout_conflict");
    assert_eq!(
        refused.body["error"]["conflicts"],
        json!([{
            "showtime_id": app.showtime_id(),
            "starts_at": app.world.showtime.showtime.starts_at,
            "seats": ["A8"],
            "unpriced_categories": [],
        }])
    );
    // C4 is blocked at the other.
    let refused = put_layout(&app, &manager, WITHOUT_C4).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.body["error"]["conflicts"][0]["showtime_id"], other);
    assert_eq!(
        refused.body["error"]["conflicts"][0]["seats"],
        json!(["C4"])
    );

    assert_eq!(hall_version(&app).await, version, "no new version");
    assert_eq!(seats_of(&app, app.showtime_id()).await, before);
    assert_eq!(seats_of(&app, other).await, other_before);
    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    assert_ne!(audit.body["entries"][0]["action"], "auditorium.layout");
}

async fn a_showtime_that_has_started_keeps_its_layout(app: TestApp) {
    let manager = crate::schedule::with_plan(&app).await;
    let customer = app.customer("carla@example.com").await;
    assert_eq!(
        app.hold(&customer, &["A8"]).await.status,
        StatusCode::CREATED
    );
    let before = seats_of(&app, app.showtime_id()).await;
    app.advance(app.world.showtime.showtime.starts_at - app.clock_now() + Duration::minutes(5));

    let saved = put_layout(&app, &manager, WITHOUT_A8).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(saved.body["showtimes_updated"], json!([]));
    assert_eq!(seats_of(&app, app.showtime_id()).await, before);
    let showtime = app
        .store
        .get_showtime(app.world.showtime.showtime.id, app.clock_now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        showtime.showtime.layout_id,
        app.world.showtime.showtime.layout_id
    );
}
