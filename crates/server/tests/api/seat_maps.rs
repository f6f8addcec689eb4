//! The seat-map cache and the hold queue as a client sees them: advisory maps that show this
//! node's changes at once and other nodes' within the max age, best-available requests that
//! do not collide, and concurrent holds that never double-sell.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use chrono::Duration;
use marquee_store::conformance::fixtures;
use serde_json::json;
use std::collections::{HashMap, HashSet};

crate::both_backends!(
    another_nodes_hold_shows_once_the_map_is_max_age_old,
    concurrent_best_available_holds_on_one_node_get_different_seats,
    concurrent_holds_through_the_api_never_double_sell_a_seat,
    a_refused_hold_does_not_hide_a_release_from_the_map,
);

async fn another_nodes_hold_shows_once_the_map_is_max_age_old(app: TestApp) {
    assert_eq!(app.state_of("A1").await, "available");
    // Another node holds A1: it writes to the database, not to this node's cache.
    let elsewhere = fixtures::hold(
        &app.world.bob,
        &app.world.showtime,
        &["A1"],
        app.clock_now(),
    );
    app.store.hold_seats(elsewhere).await.unwrap();
    assert_eq!(
        app.state_of("A1").await,
        "available",
        "a cached map is advisory until it is max-age old"
    );
    app.advance(Duration::seconds(1));
    assert_eq!(app.state_of("A1").await, "held");
    // This node's hold on the same seat is still refused: the database decides, not the map.
    let ana = app.customer("ana@example.com").await;
    let refused = app.hold(&ana, &["A1"]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
}

async fn concurrent_best_available_holds_on_one_node_get_different_seats(app: TestApp) {
    let mut fans = Vec::new();
    for i in 0..6 {
        fans.push(app.customer(&format!("fan{i}@example.com")).await);
    }
    let body = json!({ "showtime_id": app.showtime_id(), "quantity": 2 });
    // All at once: each would compute the same best pair from the same map if it did not see
    // the others' claims, and most would run out of tries.
    let answers = futures::future::join_all(
        fans.iter()
            .map(|fan| app.post("/api/v1/bookings", Some(fan), body.clone())),
    )
    .await;
    let mut seats = HashMap::new();
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
        let id: i64 = answer.body["id"].as_str().unwrap().parse().unwrap();
        for seat in answer.body["seats"].as_array().unwrap() {
            assert!(
                seats
                    .insert(seat.as_str().unwrap().to_string(), id)
                    .is_none(),
                "{seat} twice"
            );
        }
    }
    assert_eq!(seats.len(), 12);
    // The database (not the cached map) holds exactly the seats answered, each for the booking
    // it was answered with.
    assert_eq!(stored_holders(&app).await, seats);
}

async fn concurrent_holds_through_the_api_never_double_sell_a_seat(app: TestApp) {
    let mut tokens = Vec::new();
    for i in 0..4 {
        tokens.push(app.customer(&format!("racer{i}@example.com")).await);
    }
    let row: Vec<String> = (1..=8).map(|n| format!("A{n}")).collect();
    let app = &app;
    // 40 requests for overlapping pairs and triples of row A, decided in whatever batches the
    // hold queue makes of them.
    let answers = futures::future::join_all((0..40).map(|i| {
        let first = i % 6;
        let wanted: Vec<&str> = row[first..first + 2 + i % 2]
            .iter()
            .map(String::as_str)
            .collect();
        let token = tokens[i % tokens.len()].clone();
        async move { app.hold(&token, &wanted).await }
    }))
    .await;
    let mut claimed: HashMap<String, usize> = HashMap::new();
    let mut successes = 0;
    for answer in &answers {
        match answer.status {
            StatusCode::CREATED => {
                successes += 1;
                for seat in answer.body["seats"].as_array().unwrap() {
                    *claimed
                        .entry(seat.as_str().unwrap().to_string())
                        .or_default() += 1;
                }
            }
            StatusCode::CONFLICT => assert_eq!(answer.code(), "seats_unavailable"),
            other => panic!("unexpected {other}: {:?}", answer.body),
        }
    }
    assert!(successes > 0);
    assert!(claimed.values().all(|n| *n == 1), "{claimed:?}");
    // The database agrees with every answer, both ways: each seat a client was given is that
    // booking's, and each seat taken in the database is one a client was given (no booking
    // that nobody was told about holds a seat).
    let mut answered: HashMap<String, i64> = HashMap::new();
    for answer in answers.iter().filter(|a| a.status == StatusCode::CREATED) {
        let id: i64 = answer.body["id"].as_str().unwrap().parse().unwrap();
        for seat in answer.body["seats"].as_array().unwrap() {
            answered.insert(seat.as_str().unwrap().to_string(), id);
        }
    }
    assert_eq!(stored_holders(app).await, answered);
    // And each client's bookings list has exactly the holds it was answered with.
    let mut listed = HashSet::new();
    for token in &tokens {
        for booking in app.get("/api/v1/bookings", Some(token)).await.body["bookings"]
            .as_array()
            .unwrap()
        {
            listed.insert(booking["id"].as_str().unwrap().parse::<i64>().unwrap());
        }
    }
    let answered_ids: HashSet<i64> = answered.values().copied().collect();
    assert_eq!(listed, answered_ids);
}

/// Each seat taken (held or sold) in the database at the clock's now, with its booking.
async fn stored_holders(app: &TestApp) -> HashMap<String, i64> {
    fixtures::states(&*app.store, app.world.showtime.showtime.id, app.clock_now())
        .await
        .into_iter()
        .filter_map(|(label, _, holder)| holder.map(|b| (label, b.0)))
        .collect()
}

/// Ben is refused Ana's seat; when Ana lets it go, the map shows it free at once.
async fn a_refused_hold_does_not_hide_a_release_from_the_map(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let ben = app.customer("ben@example.com").await;
    let held = app.hold(&ana, &["A1"]).await;
    let id = held.body["id"].as_str().unwrap().to_string();
    assert_eq!(app.hold(&ben, &["A1"]).await.status, StatusCode::CONFLICT);
    assert_eq!(app.state_of("A1").await, "held");
    app.request(
        axum::http::Method::DELETE,
        &format!("/api/v1/bookings/{id}"),
        Some(&ana),
        None,
    )
    .await;
    assert_eq!(app.state_of("A1").await, "available");
}
