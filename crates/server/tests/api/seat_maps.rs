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
    let ana = app.customer("ana@example.com").await;
    let body = json!({ "showtime_id": app.showtime_id(), "quantity": 2 });
    // All at once: each would compute the same best pair from the same map if it did not see
    // the others' claims, and most would run out of tries.
    let answers = futures::future::join_all(
        (0..6).map(|_| app.post("/api/v1/bookings", Some(&ana), body.clone())),
    )
    .await;
    let mut seats = HashSet::new();
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
        for seat in answer.body["seats"].as_array().unwrap() {
            assert!(
                seats.insert(seat.as_str().unwrap().to_string()),
                "{seat} twice"
            );
        }
    }
    assert_eq!(seats.len(), 12);
    let held: HashSet<String> = app
        .seat_states()
        .await
        .into_iter()
        .filter(|(_, state)| state == "held")
        .map(|(label, _)| label)
        .collect();
    assert_eq!(held, seats);
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
    // The database agrees with every answer: each seat a client was given is that booking's.
    let stored =
        fixtures::states(&*app.store, app.world.showtime.showtime.id, app.clock_now()).await;
    for answer in answers.iter().filter(|a| a.status == StatusCode::CREATED) {
        let id: i64 = answer.body["id"].as_str().unwrap().parse().unwrap();
        for seat in answer.body["seats"].as_array().unwrap() {
            let holder = stored
                .iter()
                .find(|(label, ..)| label == seat.as_str().unwrap())
                .and_then(|(.., holder)| *holder);
            assert_eq!(holder.map(|b| b.0), Some(id), "{seat}");
        }
    }
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
