//! Blocked seats: staff take seats of one showtime off sale (house seats, a broken seat). The
//! database, the cached seat map and the hold path all agree at once; a seat someone holds or
//! bought is never blocked; each change is audited.

use crate::helpers::TestApp;
use axum::http::{Method, StatusCode};
use chrono::Duration;
use marquee_domain::StaffRole;
use serde_json::json;

crate::both_backends!(
    a_blocked_seat_shows_taken_and_no_hold_takes_it_until_unblocked,
    a_held_or_sold_seat_is_never_blocked_and_nothing_changes,
    a_seat_whose_hold_ran_out_can_be_blocked_and_the_sweeper_leaves_it,
    a_showtime_with_blocked_seats_stays_in_its_hall,
    blocking_refuses_bad_input_and_started_showtimes,
);

fn path(app: &TestApp) -> String {
    format!(
        "/api/v1/admin/showtimes/{}/blocked-seats",
        app.showtime_id()
    )
}

async fn manager(app: &TestApp) -> String {
    app.staff("max@example.com", StaffRole::Manager, &[app.world.venue.id])
        .await
        .0
}

async fn block(app: &TestApp, token: &str, seats: &[&str]) -> crate::helpers::Response {
    app.post(&path(app), Some(token), json!({ "seats": seats }))
        .await
}

async fn unblock(app: &TestApp, token: &str, seats: &[&str]) -> crate::helpers::Response {
    app.request(
        Method::DELETE,
        &path(app),
        Some(token),
        Some(json!({ "seats": seats })),
    )
    .await
}

async fn a_blocked_seat_shows_taken_and_no_hold_takes_it_until_unblocked(app: TestApp) {
    let manager = manager(&app).await;
    let customer = app.customer("carla@example.com").await;
    // The map is read (and cached) before the change: the change must reach the cache.
    assert_eq!(app.state_of("A1").await, "available");

    let blocked = block(&app, &manager, &["A2", "A1", "A1"]).await;
    assert_eq!(blocked.status, StatusCode::OK, "{:?}", blocked.body);
    assert_eq!(
        blocked.body["seats"],
        json!(["A1", "A2"]),
        "in the hall's order"
    );
    for seat in ["A1", "A2"] {
        assert_eq!(app.stored_state_of(seat).await, ("blocked".into(), None));
        assert_eq!(
            app.state_of(seat).await,
            "blocked",
            "{seat} on the cached map"
        );
    }
    let listed = app.get(&path(&app), Some(&manager)).await;
    assert_eq!(listed.body["seats"], json!(["A1", "A2"]));

    let refused = app.hold(&customer, &["A1", "A3"]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "seats_unavailable");
    assert_eq!(refused.body["error"]["seats"], json!(["A1"]));
    assert_eq!(app.db_state_of("A3").await, "available", "nothing held");

    // Blocking again changes nothing and records nothing.
    let entries = app.get("/api/v1/admin/audit", Some(&manager)).await;
    let again = block(&app, &manager, &["A1"]).await;
    assert_eq!(again.status, StatusCode::OK);
    let entries_after = app.get("/api/v1/admin/audit", Some(&manager)).await;
    assert_eq!(entries.body["entries"], entries_after.body["entries"]);
    let entry = &entries.body["entries"][0];
    assert_eq!(entry["action"], "showtime.block_seats");
    assert_eq!(entry["entity_id"], app.showtime_id());
    assert_eq!(entry["before"]["seats"], json!([]));
    assert_eq!(entry["after"]["seats"], json!(["A1", "A2"]));

    let unblocked = unblock(&app, &manager, &["A1", "A5"]).await;
    assert_eq!(unblocked.status, StatusCode::OK, "{:?}", unblocked.body);
    assert_eq!(unblocked.body["seats"], json!(["A2"]));
    assert_eq!(app.db_state_of("A1").await, "available");
    assert_eq!(app.state_of("A1").await, "available", "on the cached map");
    assert_eq!(app.db_state_of("A5").await, "available", "left as it was");
    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    assert_eq!(audit.body["entries"][0]["action"], "showtime.unblock_seats");
    assert_eq!(audit.body["entries"][0]["after"]["seats"], json!(["A2"]));

    let held = app.hold(&customer, &["A1"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
}

async fn a_held_or_sold_seat_is_never_blocked_and_nothing_changes(app: TestApp) {
    let manager = manager(&app).await;
    let customer = app.customer("carla@example.com").await;
    let held = app.hold(&customer, &["B1"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    let booking: i64 = held.body["id"].as_str().unwrap().parse().unwrap();
    let before = app.stored_seats().await;

    let refused = block(&app, &manager, &["B2", "B1"]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "seats_unavailable");
    assert_eq!(refused.body["error"]["seats"], json!(["B1"]));
    assert_eq!(app.stored_seats().await, before, "nothing changed");
    assert_eq!(
        app.stored_state_of("B1").await,
        ("held".into(), Some(booking))
    );
    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    assert!(
        audit.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "showtime.block_seats"),
        "a refused change is not audited: {:?}",
        audit.body
    );
    // Unblocking a held seat leaves it held.
    let unblocked = unblock(&app, &manager, &["B1"]).await;
    assert_eq!(unblocked.status, StatusCode::OK, "{:?}", unblocked.body);
    assert_eq!(
        app.stored_state_of("B1").await,
        ("held".into(), Some(booking))
    );
}

async fn a_seat_whose_hold_ran_out_can_be_blocked_and_the_sweeper_leaves_it(app: TestApp) {
    let manager = manager(&app).await;
    let customer = app.customer("carla@example.com").await;
    let held = app.hold(&customer, &["C4", "C5"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    app.advance(app.app.config().hold_ttl + Duration::seconds(1));

    let blocked = block(&app, &manager, &["C4"]).await;
    assert_eq!(blocked.status, StatusCode::OK, "{:?}", blocked.body);
    assert_eq!(marquee_server::jobs::sweep_once(&app.app).await.unwrap(), 1);
    assert_eq!(app.stored_state_of("C4").await, ("blocked".into(), None));
    assert_eq!(app.state_of("C4").await, "blocked");
    assert_eq!(app.db_state_of("C5").await, "available");
}

async fn a_showtime_with_blocked_seats_stays_in_its_hall(app: TestApp) {
    let manager = crate::schedule::with_plan(&app).await;
    let hall = app
        .post(
            &format!("/api/v1/admin/venues/{}/auditoriums", app.world.venue.id.0),
            Some(&manager),
            json!({ "name": "Sala 2", "layout": "A  ss.ss" }),
        )
        .await;
    assert_eq!(hall.status, StatusCode::CREATED, "{:?}", hall.body);
    assert_eq!(block(&app, &manager, &["A8"]).await.status, StatusCode::OK);
    let showtime = format!("/api/v1/admin/showtimes/{}", app.showtime_id());
    let move_ = json!({ "auditorium_id": hall.body["id"] });
    let refused = app
        .request(
            Method::PATCH,
            &showtime,
            Some(&manager),
            Some(move_.clone()),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "showtime_has_blocked_seats");
    assert_eq!(app.stored_state_of("A8").await, ("blocked".into(), None));
    let stored = app
        .store
        .get_showtime(app.world.showtime.showtime.id, app.clock_now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.showtime.auditorium_id,
        app.world.auditorium.auditorium.id
    );

    assert_eq!(
        unblock(&app, &manager, &["A8"]).await.status,
        StatusCode::OK
    );
    let moved = app
        .request(Method::PATCH, &showtime, Some(&manager), Some(move_))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
}

async fn blocking_refuses_bad_input_and_started_showtimes(app: TestApp) {
    let manager = manager(&app).await;
    let before = app.stored_seats().await;
    for (body, code) in [
        (json!({ "seats": [] }), "invalid_seats"),
        (json!({ "seats": ["Z99"] }), "unknown_seats"),
        (json!({ "seats": ["A1", "not a seat"] }), "unknown_seats"),
        (json!({ "seats": "A1" }), "invalid_body"),
        (json!({ "seats": ["A1"], "extra": 1 }), "invalid_body"),
    ] {
        let answer = app.post(&path(&app), Some(&manager), body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.code(), code, "{body}: {:?}", answer.body);
    }
    let unknown = block(&app, &manager, &["A1", "Z99"]).await;
    assert_eq!(unknown.body["error"]["seats"], json!(["Z99"]));
    assert_eq!(app.stored_seats().await, before, "nothing changed");

    let started = app.world.showtime.showtime.starts_at - app.clock_now() + Duration::minutes(1);
    app.advance(started);
    let late = block(&app, &manager, &["A1"]).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{:?}", late.body);
    assert_eq!(late.code(), "showtime_started");
    assert_eq!(app.db_state_of("A1").await, "available");
}
