//! The live seat map (`GET /showtimes/{id}/live`): a snapshot, then each change of the
//! showtime's seats as it is committed, on this node or (PostgreSQL) on another.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use marquee_domain::{SeatChange, SeatChangeCause, ShowtimeId, StaffRole};
use marquee_store::SeatChangeSink;
use serde_json::json;

crate::both_backends!(
    a_live_map_starts_with_every_seat_and_hears_each_change_of_its_showtime,
    a_live_map_that_fell_behind_starts_again_with_a_snapshot,
    a_live_map_ends_when_the_node_shuts_down,
    an_unknown_showtime_has_no_live_map,
);

async fn a_live_map_starts_with_every_seat_and_hears_each_change_of_its_showtime(app: TestApp) {
    let customer = app.customer("carla@example.com").await;
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[app.world.venue.id])
        .await;
    let held = app.hold(&customer, &["A1"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);

    let (status, live) = app.live(app.showtime_id()).await;
    assert_eq!(status, StatusCode::OK);
    let mut live = live.unwrap();
    let snapshot = live.expect("snapshot").await;
    assert_eq!(snapshot["held"], json!(["A1"]));
    assert_eq!(snapshot["sold"], json!([]));
    assert_eq!(snapshot["available"].as_array().unwrap().len(), 20);

    // Another showtime's change is not this map's.
    app.app.seat_changes().publish(&[SeatChange {
        showtime_id: ShowtimeId(app.showtime_id() + 1000),
        booking_id: None,
        labels: vec!["A9".into()],
        cause: SeatChangeCause::Blocked,
    }]);
    let second = app.hold(&customer, &["B1", "B2"]).await;
    assert_eq!(second.status, StatusCode::CREATED, "{:?}", second.body);
    assert_eq!(
        live.expect("seats").await,
        json!({ "state": "held", "seats": ["B1", "B2"] })
    );
    let released = app
        .release(&customer, second.body["id"].as_str().unwrap())
        .await;
    assert_eq!(released.status, StatusCode::OK, "{:?}", released.body);
    assert_eq!(
        live.expect("seats").await,
        json!({ "state": "available", "seats": ["B1", "B2"] })
    );
    let blocked = app
        .post(
            &format!(
                "/api/v1/admin/showtimes/{}/blocked-seats",
                app.showtime_id()
            ),
            Some(&manager),
            json!({ "seats": ["C4"] }),
        )
        .await;
    assert_eq!(blocked.status, StatusCode::OK, "{:?}", blocked.body);
    assert_eq!(
        live.expect("seats").await,
        json!({ "state": "blocked", "seats": ["C4"] })
    );

    // A reconnect starts from the seats as they are now.
    let (_, again) = app.live(app.showtime_id()).await;
    let snapshot = again.unwrap().expect("snapshot").await;
    assert_eq!(snapshot["held"], json!(["A1"]));
    assert_eq!(snapshot["blocked"], json!(["C4"]));
}

async fn a_live_map_that_fell_behind_starts_again_with_a_snapshot(app: TestApp) {
    let (_, live) = app.live(app.showtime_id()).await;
    let mut live = live.unwrap();
    live.expect("snapshot").await;
    // More changes than the stream keeps for a reader that does not read.
    let change = SeatChange {
        showtime_id: ShowtimeId(app.showtime_id()),
        booking_id: None,
        labels: vec!["A9".into()],
        cause: SeatChangeCause::Unblocked,
    };
    for _ in 0..5000 {
        app.app
            .seat_changes()
            .publish(std::slice::from_ref(&change));
    }
    let snapshot = live.expect("snapshot").await;
    assert_eq!(snapshot["available"].as_array().unwrap().len(), 21);
}

async fn a_live_map_ends_when_the_node_shuts_down(app: TestApp) {
    let (_, live) = app.live(app.showtime_id()).await;
    let mut live = live.unwrap();
    live.expect("snapshot").await;
    app.app.start_draining();
    assert_eq!(live.next().await, None, "the stream ended");
}

async fn an_unknown_showtime_has_no_live_map(app: TestApp) {
    let (status, _) = app.live(987654).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let answer = app.get("/api/v1/showtimes/987654/live", None).await;
    assert_eq!(answer.code(), "showtime_not_found");
    let answer = app.get("/api/v1/showtimes/x/live", None).await;
    assert_eq!(answer.code(), "showtime_not_found");
}

/// Two nodes on one database: a change committed on one reaches the other's live maps and
/// seat-map cache at once (not when its cache is `max_age` old: its clock does not move).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_nodes_changes_reach_this_nodes_live_map_and_cache() {
    let (one, two) = TestApp::postgres_two_nodes().await;
    // Node one reads (and caches) the map, then opens a live map.
    assert_eq!(one.state_of("A1").await, "available");
    let (_, live) = one.live(one.showtime_id()).await;
    let mut live = live.unwrap();
    live.expect("snapshot").await;

    let customer = two.customer("carla@example.com").await;
    let held = two.hold(&customer, &["A1", "A2"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    assert_eq!(
        live.expect("seats").await,
        json!({ "state": "held", "seats": ["A1", "A2"] })
    );
    assert_eq!(one.state_of("A1").await, "held", "node one's cached map");

    // Node one's own changes are not heard back as if they were another's: the next event is
    // the release made on node one, once.
    let released = one
        .release(&customer, held.body["id"].as_str().unwrap())
        .await;
    assert_eq!(released.status, StatusCode::OK, "{:?}", released.body);
    assert_eq!(
        live.expect("seats").await,
        json!({ "state": "available", "seats": ["A1", "A2"] })
    );
    let (_, other) = two.live(two.showtime_id()).await;
    let snapshot = other.unwrap().expect("snapshot").await;
    assert_eq!(snapshot["held"], json!([]));
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(500), live.next()).await;
    assert!(
        quiet.is_err(),
        "no echo of node one's own change: {quiet:?}"
    );
}
