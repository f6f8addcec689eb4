//! Moving a showtime that has sales (`PATCH /admin/showtimes/{id}` with a reason): seats kept
//! where the new hall allows, every customer told, and what they may answer: keep the new
//! time, exchange for another showtime of the film (`POST /bookings/{id}/exchange`, the old
//! booking refunded in full when the new one is paid), or cancel for a full refund.

use crate::cancellations::{paid, refunded_at_gateway};
use crate::helpers::{Response, TestApp};
use crate::payments::{booking_when, pay_until_confirmed};
use crate::schedule::{showtime_at, with_plan};
use axum::http::{Method, StatusCode};
use chrono::Duration;
use marquee_domain::{BookingId, ShowtimeId};
use marquee_server::mail::deliver_once;
use marquee_store::conformance::fixtures;
use serde_json::{json, Value};
use std::collections::HashSet;

crate::both_backends!(
    a_showtime_with_sales_moves_with_a_reason_and_each_buyer_is_told,
    a_moved_booking_is_kept_or_cancelled_for_a_full_refund_until_the_start,
    in_a_smaller_hall_seats_keep_their_labels_where_they_can_and_the_rest_sit_together,
    a_hall_without_room_for_everyone_refuses_the_move_and_changes_nothing,
    an_exchange_refunds_the_old_booking_in_full_once_the_new_one_is_paid,
    an_exchange_paid_after_the_old_booking_was_cancelled_refunds_nothing_twice,
    exchanges_that_cannot_be_made_are_refused_and_change_nothing,
);

fn id(booking: &str) -> BookingId {
    BookingId(booking.parse().unwrap())
}

async fn move_world_showtime(app: &TestApp, manager: &str, change: Value) -> Response {
    app.request(
        Method::PATCH,
        &format!("/api/v1/admin/showtimes/{}", app.showtime_id()),
        Some(manager),
        Some(change),
    )
    .await
}

async fn booking(app: &TestApp, token: &str, booking: &str) -> Value {
    let read = app
        .get(&format!("/api/v1/bookings/{booking}"), Some(token))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    read.body
}

/// The world's showtime as the store has it now (not a cache).
async fn stored_start(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    app.store
        .get_showtime(app.world.showtime.showtime.id, app.clock_now())
        .await
        .unwrap()
        .unwrap()
        .showtime
        .starts_at
}

async fn a_showtime_with_sales_moves_with_a_reason_and_each_buyer_is_told(app: TestApp) {
    let manager = with_plan(&app).await;
    let (ana, bought) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    let codes_before = booking(&app, &ana, &bought).await["tickets"].clone();
    let bea = app.customer("bea@example.com").await;
    let held = app.hold(&bea, &["A5"]).await;
    assert_eq!(held.status, StatusCode::CREATED);
    let held = held.body["id"].as_str().unwrap().to_string();
    let before = stored_start(&app).await;
    // Drain the confirmation, so that what follows is the move's letter alone.
    deliver_once(&app.app).await.unwrap();

    let later = json!({ "starts_at": "2026-11-24T18:00:00Z" });
    let refused = move_world_showtime(&app, &manager, later.clone()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "showtime_has_bookings");
    assert_eq!(stored_start(&app).await, before, "nothing moved");
    for blank in ["", "   ", "line\nbreak", &"x".repeat(501)] {
        let mut change = later.clone();
        change["reason"] = json!(blank);
        let bad = move_world_showtime(&app, &manager, change).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{blank:?}");
        assert_eq!(bad.code(), "invalid_request");
    }
    assert_eq!(stored_start(&app).await, before, "nothing moved");

    let mut change = later;
    change["reason"] = json!("the projector is being repaired");
    let moved = move_world_showtime(&app, &manager, change).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.body["starts_at"], "2026-11-24T18:00:00Z");
    // The buyer is told; a plain hold is not (its checkout shows the new time).
    assert_eq!(moved.body["customers_told"], json!([bought]));
    assert_eq!(
        stored_start(&app).await.to_rfc3339(),
        "2026-11-24T18:00:00+00:00"
    );

    let after = booking(&app, &ana, &bought).await;
    assert_eq!(after["status"], "confirmed");
    assert_eq!(after["seats"], json!(["A1", "A2"]));
    assert_eq!(after["tickets"], codes_before, "the same tickets admit");
    let notice = &after["moved"];
    assert_eq!(notice["from_starts_at"], "2026-11-24T12:00:00Z");
    assert_eq!(notice["to_starts_at"], "2026-11-24T18:00:00Z");
    assert_eq!(notice["from_hall"], "Sala 1");
    assert_eq!(notice["to_hall"], "Sala 1");
    assert_eq!(notice["reason"], "the projector is being repaired");
    assert_eq!(notice["seats_before"], json!(["A1", "A2"]));
    assert_eq!(notice["answer"], Value::Null);
    assert_eq!(app.db_state_of("A1").await, "sold");
    assert_eq!(
        app.db_state_of("A5").await,
        "held",
        "the hold keeps its seat"
    );
    assert_eq!(booking(&app, &bea, &held).await["moved"], Value::Null);

    let kinds = app.store.outbox_kinds(id(&bought)).await.unwrap();
    assert_eq!(
        kinds.iter().filter(|k| *k == "showtime_moved").count(),
        1,
        "{kinds:?}"
    );
    assert!(!app
        .store
        .outbox_kinds(id(&held))
        .await
        .unwrap()
        .contains(&"showtime_moved".to_string()));
    assert_eq!(deliver_once(&app.app).await.unwrap().sent, 1);
    let letters = app
        .store
        .mailbox(marquee_store::mail::MailFilter::all(10))
        .await
        .unwrap();
    let letter = &letters
        .iter()
        .find(|l| l.entry.subject.contains("moved"))
        .expect("the move's letter")
        .entry;
    assert_eq!(letter.recipient, "ana@example.com");
    assert!(
        letter.text_body.contains("the projector is being repaired"),
        "{}",
        letter.text_body
    );
    assert!(
        letter
            .text_body
            .contains(&format!("/bookings/{bought}/moved")),
        "{}",
        letter.text_body
    );
    // Times on the venue's clock (Lisbon is on UTC in November).
    assert!(letter.text_body.contains("12:00"), "{}", letter.text_body);
    assert!(letter.text_body.contains("18:00"), "{}", letter.text_body);
}

async fn a_moved_booking_is_kept_or_cancelled_for_a_full_refund_until_the_start(app: TestApp) {
    let manager = with_plan(&app).await;
    let (ana, bought) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    let keep = |token: String, booking: String| {
        let app = &app;
        async move {
            app.request(
                Method::POST,
                &format!("/api/v1/bookings/{booking}/keep"),
                Some(&token),
                None,
            )
            .await
        }
    };
    // Nothing was moved: nothing to keep.
    let early = keep(ana.clone(), bought.clone()).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.body);
    assert_eq!(early.code(), "move_not_open");

    let moved = move_world_showtime(
        &app,
        &manager,
        json!({ "starts_at": "2026-11-24T18:00:00Z", "reason": "a private screening" }),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let bea = app.customer("bea@example.com").await;
    let theirs = keep(bea, bought.clone()).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "someone else's");
    let kept = keep(ana.clone(), bought.clone()).await;
    assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.body);
    assert_eq!(kept.body["moved"]["answer"], "kept");

    // Half an hour before the new start: the standard policy (until 2 h before) refunds
    // nothing any more, but a moved booking is refunded in full, even after keeping it.
    let starts = chrono::DateTime::parse_from_rfc3339("2026-11-24T18:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.advance(starts - Duration::minutes(30) - app.clock_now());
    let path = format!("/api/v1/bookings/{bought}/cancel");
    let dry = app
        .request(
            Method::POST,
            &format!("{path}?dry_run=true"),
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{:?}", dry.body);
    assert_eq!(dry.body["refund"], 2150);
    assert_eq!(dry.body["percent"], 100);
    assert!(dry.body["why"].as_str().unwrap().contains("moved"));
    let cancelled = app.request(Method::POST, &path, Some(&ana), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["refund"], 2150);
    assert_eq!(refunded_at_gateway(&app, &bought).await, 2150);
    let after = booking(&app, &ana, &bought).await;
    assert_eq!(after["moved"]["answer"], "cancelled");
    assert_eq!(app.db_state_of("A1").await, "available");
    // A cancelled booking has nothing to keep.
    let again = keep(ana.clone(), bought.clone()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "invalid_booking_state");
}

/// A second hall of the world's venue with `layout`; answers its id.
async fn hall(app: &TestApp, manager: &str, name: &str, layout: &str) -> i64 {
    let made = app
        .post(
            &format!("/api/v1/admin/venues/{}/auditoriums", app.world.venue.id.0),
            Some(manager),
            json!({ "name": name, "layout": layout }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    made.body["id"].as_i64().unwrap()
}

/// (label, state, booking) of each seat of the world's showtime, from the database.
async fn inventory(app: &TestApp) -> Vec<(String, &'static str, Option<i64>)> {
    app.stored_seats()
        .await
        .into_iter()
        .map(|s| (s.label, s.state, s.booking))
        .collect()
}

async fn in_a_smaller_hall_seats_keep_their_labels_where_they_can_and_the_rest_sit_together(
    app: TestApp,
) {
    let manager = with_plan(&app).await;
    let (ana, a) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    // Row C's standard seats; the new hall has no row C.
    let (bea, b) = paid(&app, "bea@example.com", &[("C3", "adult"), ("C4", "adult")]).await;
    // A premium seat; the new hall's B3 is standard.
    let (carl, c) = paid(&app, "carl@example.com", &[("B3", "adult")]).await;
    let small = hall(&app, &manager, "Sala 2", "A  ssssss\nB  ssssss").await;

    let moved = move_world_showtime(
        &app,
        &manager,
        json!({ "auditorium_id": small, "reason": "Sala 1 is flooded" }),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.body["auditorium_id"], small);
    let told: HashSet<&str> = moved.body["customers_told"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(told, HashSet::from([a.as_str(), b.as_str(), c.as_str()]));

    let seats_of = |body: &Value| -> Vec<String> {
        body["seats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let ana_after = booking(&app, &ana, &a).await;
    assert_eq!(
        seats_of(&ana_after),
        ["A1", "A2"],
        "kept where the hall has them"
    );
    let bea_after = booking(&app, &bea, &b).await;
    let bea_seats = seats_of(&bea_after);
    assert_eq!(bea_after["moved"]["seats_before"], json!(["C3", "C4"]));
    assert_eq!(bea_seats.len(), 2);
    assert_eq!(
        bea_seats[0][..1],
        bea_seats[1][..1],
        "one row: {bea_seats:?}"
    );
    let numbers: Vec<u32> = bea_seats.iter().map(|s| s[1..].parse().unwrap()).collect();
    assert_eq!(
        numbers[0].abs_diff(numbers[1]),
        1,
        "side by side: {bea_seats:?}"
    );
    let carl_seats = seats_of(&booking(&app, &carl, &c).await);
    assert_eq!(carl_seats.len(), 1);

    // The database agrees: each booking's seats sold to it, nobody else's, nothing double.
    let stored = inventory(&app).await;
    assert_eq!(stored.len(), 12, "the new hall's inventory");
    let mut sold: Vec<(String, i64)> = stored
        .iter()
        .filter(|(_, state, _)| *state == "sold")
        .map(|(label, _, booking)| (label.clone(), booking.unwrap()))
        .collect();
    sold.sort();
    let mut expected: Vec<(String, i64)> = [(&ana_after, &a), (&bea_after, &b)]
        .iter()
        .flat_map(|(body, booking)| {
            seats_of(body)
                .into_iter()
                .map(|s| (s, booking.parse::<i64>().unwrap()))
                .collect::<Vec<_>>()
        })
        .chain(carl_seats.iter().map(|s| (s.clone(), c.parse().unwrap())))
        .collect();
    expected.sort();
    assert_eq!(sold, expected);
    // The tickets follow their seats (the same codes), and the door reads the new seat.
    let bea_tickets: Vec<(String, String)> = bea_after["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["seat"].as_str().unwrap().to_string(),
                t["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        bea_tickets
            .iter()
            .map(|(s, _)| s.clone())
            .collect::<Vec<_>>(),
        bea_seats
    );
    let door = app
        .store
        .door_ticket(&marquee_domain::TicketCode::from_stored(
            bea_tickets[0].1.clone(),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(door.seat, bea_seats[0]);
}

async fn a_hall_without_room_for_everyone_refuses_the_move_and_changes_nothing(app: TestApp) {
    let manager = with_plan(&app).await;
    paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    paid(&app, "bea@example.com", &[("C3", "adult")]).await;
    let tiny = hall(&app, &manager, "Sala 3", "A  ss").await;
    let before = inventory(&app).await;

    let refused = move_world_showtime(
        &app,
        &manager,
        json!({ "auditorium_id": tiny, "reason": "Sala 1 is flooded" }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "move_unseats");
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("C3"));
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
    assert_eq!(inventory(&app).await, before);
}

/// The world's film again, on Wednesday 25 November at 18:00 in the world's hall (adult
/// 10.00 by the plan, a fee of 0.50).
async fn another_showing(app: &TestApp, manager: &str) -> i64 {
    let made = app
        .post(
            "/api/v1/admin/showtimes",
            Some(manager),
            showtime_at(app, "2026-11-25T18:00:00Z"),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    made.body["id"].as_i64().unwrap()
}

async fn exchange(app: &TestApp, token: &str, booking: &str, body: Value) -> Response {
    app.post(
        &format!("/api/v1/bookings/{booking}/exchange"),
        Some(token),
        body,
    )
    .await
}

/// Moves the world's showtime six hours later, with a reason.
async fn move_later(app: &TestApp, manager: &str) {
    let moved = move_world_showtime(
        app,
        manager,
        json!({ "starts_at": "2026-11-24T18:00:00Z", "reason": "a private screening" }),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
}

async fn an_exchange_refunds_the_old_booking_in_full_once_the_new_one_is_paid(app: TestApp) {
    let manager = with_plan(&app).await;
    let other = another_showing(&app, &manager).await;
    let (ana, old) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    move_later(&app, &manager).await;

    let made = exchange(
        &app,
        &ana,
        &old,
        json!({ "showtime_id": other, "seats": ["A3", "A4", "A5"] }),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    // Three seats at 10.00 + 0.50 against two at 10.00 + 0.75: 10.00 more in all.
    assert_eq!(made.body["refund"], 2150);
    assert_eq!(made.body["booking"]["total"], 3150);
    assert_eq!(made.body["difference"], 1000);
    assert_eq!(made.body["booking"]["status"], "held");
    assert_eq!(made.body["booking"]["replaces"], old.as_str());
    let new = made.body["booking"]["id"].as_str().unwrap().to_string();
    // Until it is paid the old booking stands.
    assert_eq!(booking(&app, &ana, &old).await["status"], "confirmed");
    assert_eq!(app.db_state_of("A1").await, "sold");
    assert_eq!(refunded_at_gateway(&app, &old).await, 0);

    pay_until_confirmed(&app, &ana, &new).await;
    let after = booking_when(&app, &ana, &old, "refunded").await;
    assert_eq!(after["moved"]["answer"], "exchanged");
    assert_eq!(after["cancellations"][0]["refund"], 2150);
    assert!(after["cancellations"][0]["why"]
        .as_str()
        .unwrap()
        .contains("exchanged"));
    assert_eq!(refunded_at_gateway(&app, &old).await, 2150);
    // The old seats are free for anyone; the new ones are sold.
    assert_eq!(app.db_state_of("A1").await, "available");
    assert_eq!(app.db_state_of("A2").await, "available");
    let new_seats = app.stored_seats_of(ShowtimeId(other)).await;
    for label in ["A3", "A4", "A5"] {
        let seat = new_seats.iter().find(|s| s.label == label).unwrap();
        assert_eq!(seat.state, "sold", "{label}");
    }
    let kinds = app.store.outbox_kinds(id(&old)).await.unwrap();
    assert!(
        kinds.contains(&"booking_exchanged".to_string()),
        "{kinds:?}"
    );
    // Answered: no second exchange of it.
    let again = exchange(
        &app,
        &ana,
        &old,
        json!({ "showtime_id": other, "seats": ["A6"] }),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
}

async fn an_exchange_paid_after_the_old_booking_was_cancelled_refunds_nothing_twice(app: TestApp) {
    let manager = with_plan(&app).await;
    let other = another_showing(&app, &manager).await;
    let (ana, old) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    move_later(&app, &manager).await;
    let made = exchange(
        &app,
        &ana,
        &old,
        json!({ "showtime_id": other, "seats": ["A3"] }),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let new = made.body["booking"]["id"].as_str().unwrap().to_string();
    // The customer cancels the old one meanwhile (in full: it was moved), then pays the new.
    let cancelled = app
        .request(
            Method::POST,
            &format!("/api/v1/bookings/{old}/cancel"),
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
    pay_until_confirmed(&app, &ana, &new).await;
    let after = booking_when(&app, &ana, &old, "refunded").await;
    assert_eq!(after["cancellations"].as_array().unwrap().len(), 1);
    assert_eq!(refunded_at_gateway(&app, &old).await, 2150, "refunded once");
}

async fn exchanges_that_cannot_be_made_are_refused_and_change_nothing(app: TestApp) {
    let manager = with_plan(&app).await;
    let other = another_showing(&app, &manager).await;
    let (ana, old) = paid(&app, "ana@example.com", &[("A1", "adult")]).await;
    let to_other = json!({ "showtime_id": other, "seats": ["A3"] });
    // Not moved: nothing to exchange.
    let early = exchange(&app, &ana, &old, to_other.clone()).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.body);
    assert_eq!(early.code(), "move_not_open");
    move_later(&app, &manager).await;

    // Someone else's booking is not found.
    let bea = app.customer("bea@example.com").await;
    let theirs = exchange(&app, &bea, &old, to_other.clone()).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    // Its own showtime, or another film's.
    let own = exchange(
        &app,
        &ana,
        &old,
        json!({ "showtime_id": app.showtime_id(), "seats": ["A3"] }),
    )
    .await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST, "{:?}", own.body);
    assert_eq!(own.code(), "invalid_exchange");
    let film = fixtures::event(&*app.store, "Another Film", 90).await;
    let elsewhere = fixtures::schedule(
        &*app.store,
        &film,
        &app.world.auditorium,
        fixtures::t0() + Duration::days(3),
    )
    .await;
    let foreign = exchange(
        &app,
        &ana,
        &old,
        json!({ "showtime_id": elsewhere.showtime.id.0, "seats": ["A3"] }),
    )
    .await;
    assert_eq!(
        foreign.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        foreign.body
    );
    assert_eq!(foreign.code(), "invalid_exchange");
    // An unknown showtime, a malformed body: refused like a hold.
    let missing = exchange(
        &app,
        &ana,
        &old,
        json!({ "showtime_id": 999_999, "seats": ["A3"] }),
    )
    .await;
    assert_eq!(missing.code(), "showtime_not_found");
    let malformed = exchange(&app, &ana, &old, json!({ "showtime_id": other })).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    // Nothing was held on the other showtime, and the booking stands as it was.
    let seats = app.stored_seats_of(ShowtimeId(other)).await;
    assert!(seats.iter().all(|s| s.state == "available"), "{seats:?}");
    let after = booking(&app, &ana, &old).await;
    assert_eq!(after["status"], "confirmed");
    assert_eq!(after["moved"]["answer"], Value::Null);
}
