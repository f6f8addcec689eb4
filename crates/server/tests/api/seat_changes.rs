//! The seat-change stream: every path that changes seats publishes what it changed, once,
//! after its commit, and the database and the cached seat map then agree with it.
//!
//! The paths are one list (`write_paths!`): a test per path and backend is generated from it,
//! and `every_cause_of_a_seat_change_has_a_write_path` fails to build when a new cause of a
//! change is added and fails when a cause has no path in the list.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use chrono::Duration;
use marquee_domain::{BookingId, SeatChange, SeatChangeCause, StaffRole};
use marquee_store::SeatChangeSink;
use serde_json::json;
use tokio::sync::broadcast::Receiver;

macro_rules! write_paths {
    ($($path:ident => $cause:ident),* $(,)? ; also $($other:ident),* $(,)?) => {
        crate::both_backends!($($path,)* $($other),*);

        #[test]
        fn every_cause_of_a_seat_change_has_a_write_path() {
            let listed = [$(stringify!($cause)),*];
            for cause in every_cause() {
                assert!(listed.contains(&name(cause)), "no write path publishes {cause:?}");
            }
        }
    };
}

write_paths! {
    holding_named_seats => Held,
    holding_the_best_available => Held,
    releasing_a_hold => Released,
    sweeping_an_expired_hold => Expired,
    paying_for_a_hold => Sold,
    a_declined_payment => PaymentFailed,
    refunding_a_sale => Refunded,
    cancelling_seats_of_a_sale => Cancelled,
    blocking_seats => Blocked,
    unblocking_seats => Unblocked;
    also an_expiry_published_after_the_late_sale_it_preceded_frees_nothing,
}

/// Every cause, by its variant's name. Adding a cause breaks this match until it is named here
/// (and then the test above until a path publishes it).
fn name(cause: SeatChangeCause) -> &'static str {
    match cause {
        SeatChangeCause::Held { .. } => "Held",
        SeatChangeCause::Released => "Released",
        SeatChangeCause::Expired => "Expired",
        SeatChangeCause::PaymentFailed => "PaymentFailed",
        SeatChangeCause::Sold => "Sold",
        SeatChangeCause::Refunded { .. } => "Refunded",
        SeatChangeCause::Cancelled => "Cancelled",
        SeatChangeCause::Blocked => "Blocked",
        SeatChangeCause::Unblocked => "Unblocked",
    }
}

fn every_cause() -> [SeatChangeCause; 9] {
    [
        SeatChangeCause::Held {
            until: chrono::Utc::now(),
        },
        SeatChangeCause::Released,
        SeatChangeCause::Expired,
        SeatChangeCause::PaymentFailed,
        SeatChangeCause::Sold,
        SeatChangeCause::Refunded { was_sold: true },
        SeatChangeCause::Cancelled,
        SeatChangeCause::Blocked,
        SeatChangeCause::Unblocked,
    ]
}

/// The next change published, within 10 s (payments arrive by webhook, over HTTP).
async fn next(changes: &mut Receiver<SeatChange>) -> SeatChange {
    tokio::time::timeout(std::time::Duration::from_secs(10), changes.recv())
        .await
        .expect("a seat change within 10 s")
        .expect("the stream is open")
}

/// Checks a published change: its cause, booking (none for staff's) and seats, exactly once,
/// and that the database and the cached map (the API's seat map) show those seats as the
/// change says.
async fn check(
    app: &TestApp,
    changes: &mut Receiver<SeatChange>,
    cause: &str,
    booking: Option<&str>,
    seats: &[&str],
) {
    let change = next(changes).await;
    assert_eq!(name(change.cause), cause, "{change:?}");
    let booking = booking.map(|b| BookingId(b.parse().unwrap()));
    assert_eq!(change.booking_id, booking);
    assert_eq!(change.labels, seats);
    let state = change.cause.state();
    let stored = app
        .store
        .seat_map(change.showtime_id, app.clock_now())
        .await
        .unwrap()
        .unwrap();
    for label in seats {
        let seat = stored.seats.iter().find(|s| s.label() == *label).unwrap();
        assert_eq!(
            seat.state_at(app.clock_now()),
            state,
            "{label} in the database"
        );
        assert_eq!(
            app.state_of(label).await,
            state.as_str(),
            "{label} on the map"
        );
    }
    assert!(
        changes.try_recv().is_err(),
        "published once: {:?}",
        changes.try_recv()
    );
}

async fn hold(app: &TestApp, token: &str, seats: &[&str]) -> String {
    let held = app.hold(token, seats).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    held.body["id"].as_str().unwrap().to_string()
}

/// Checks a hold out and pays with `card` on the sandbox's test page.
async fn pay(app: &TestApp, token: &str, booking: &str, card: &str) {
    let checkout = app
        .post(
            &format!("/api/v1/bookings/{booking}/checkout"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(checkout.status, StatusCode::OK, "{:?}", checkout.body);
    let payment_ref = checkout.body["payment_ref"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/sandbox/sessions/{payment_ref}/pay"),
        None,
        json!({ "card_number": card }),
    )
    .await;
}

async fn holding_named_seats(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let mut changes = app.app.seat_changes().subscribe();
    let booking = hold(&app, &token, &["A1", "A2"]).await;
    check(&app, &mut changes, "Held", Some(&booking), &["A1", "A2"]).await;
}

async fn holding_the_best_available(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let mut changes = app.app.seat_changes().subscribe();
    let held = app
        .post(
            "/api/v1/bookings",
            Some(&token),
            json!({ "showtime_id": app.showtime_id(), "quantity": 2 }),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    let seats: Vec<String> = held.body["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let seats: Vec<&str> = seats.iter().map(String::as_str).collect();
    check(&app, &mut changes, "Held", held.body["id"].as_str(), &seats).await;
}

async fn releasing_a_hold(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let booking = hold(&app, &token, &["B3"]).await;
    let mut changes = app.app.seat_changes().subscribe();
    let released = app.release(&token, &booking).await;
    assert_eq!(released.status, StatusCode::OK, "{:?}", released.body);
    check(&app, &mut changes, "Released", Some(&booking), &["B3"]).await;
}

async fn sweeping_an_expired_hold(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let booking = hold(&app, &token, &["C1", "C2"]).await;
    let mut changes = app.app.seat_changes().subscribe();
    app.advance(app.app.config().hold_ttl + Duration::seconds(1));
    assert_eq!(marquee_server::jobs::sweep_once(&app.app).await.unwrap(), 1);
    check(&app, &mut changes, "Expired", Some(&booking), &["C1", "C2"]).await;
}

async fn paying_for_a_hold(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let booking = hold(&app, &token, &["A4"]).await;
    let mut changes = app.app.seat_changes().subscribe();
    pay(&app, &token, &booking, "4242424242424242").await;
    check(&app, &mut changes, "Sold", Some(&booking), &["A4"]).await;
}

async fn a_declined_payment(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let booking = hold(&app, &token, &["A5"]).await;
    let mut changes = app.app.seat_changes().subscribe();
    pay(&app, &token, &booking, "4000000000000002").await;
    check(&app, &mut changes, "PaymentFailed", Some(&booking), &["A5"]).await;
}

async fn refunding_a_sale(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let booking = hold(&app, &token, &["A6", "A7"]).await;
    let mut changes = app.app.seat_changes().subscribe();
    pay(&app, &token, &booking, "4242424242424242").await;
    check(&app, &mut changes, "Sold", Some(&booking), &["A6", "A7"]).await;
    let id = BookingId(booking.parse().unwrap());
    let payment = app.store.payment(id).await.unwrap().unwrap();
    app.app
        .payments()
        .gateway
        .refund(&marquee_payments::RefundRequest {
            payment_ref: payment.payment_ref,
            amount: payment.amount,
            booking_id: id.0,
            idempotency_key: marquee_payments::refund_idempotency_key(id.0),
        })
        .await
        .unwrap();
    check(
        &app,
        &mut changes,
        "Refunded",
        Some(&booking),
        &["A6", "A7"],
    )
    .await;
}

async fn cancelling_seats_of_a_sale(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let booking = hold(&app, &token, &["A2", "A3"]).await;
    let mut changes = app.app.seat_changes().subscribe();
    pay(&app, &token, &booking, "4242424242424242").await;
    check(&app, &mut changes, "Sold", Some(&booking), &["A2", "A3"]).await;
    let cancelled = app
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            Some(&token),
            json!({ "seats": ["A3"] }),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
    check(&app, &mut changes, "Cancelled", Some(&booking), &["A3"]).await;
}

async fn blocking_seats(app: TestApp) {
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[app.world.venue.id])
        .await;
    let mut changes = app.app.seat_changes().subscribe();
    let path = format!(
        "/api/v1/admin/showtimes/{}/blocked-seats",
        app.showtime_id()
    );
    let blocked = app
        .post(&path, Some(&manager), json!({ "seats": ["C4", "C5"] }))
        .await;
    assert_eq!(blocked.status, StatusCode::OK, "{:?}", blocked.body);
    check(&app, &mut changes, "Blocked", None, &["C4", "C5"]).await;
}

async fn unblocking_seats(app: TestApp) {
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[app.world.venue.id])
        .await;
    let path = format!(
        "/api/v1/admin/showtimes/{}/blocked-seats",
        app.showtime_id()
    );
    let blocked = app
        .post(&path, Some(&manager), json!({ "seats": ["C4", "C5"] }))
        .await;
    assert_eq!(blocked.status, StatusCode::OK, "{:?}", blocked.body);
    let mut changes = app.app.seat_changes().subscribe();
    // Only the seat that was blocked changes.
    let unblocked = app
        .request(
            axum::http::Method::DELETE,
            &path,
            Some(&manager),
            Some(json!({ "seats": ["C5", "A1"] })),
        )
        .await;
    assert_eq!(unblocked.status, StatusCode::OK, "{:?}", unblocked.body);
    check(&app, &mut changes, "Unblocked", None, &["C5"]).await;
}

/// Changes published by different tasks may reach the cache in another order than they were
/// committed: the sweeper expires a booking waiting for its payment, the late payment then
/// buys the seats back, and the sale is published before the expiry. The sold seats stay sold.
async fn an_expiry_published_after_the_late_sale_it_preceded_frees_nothing(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let booking = hold(&app, &token, &["B5"]).await;
    let mut changes = app.app.seat_changes().subscribe();
    pay(&app, &token, &booking, "4242424242424242").await;
    check(&app, &mut changes, "Sold", Some(&booking), &["B5"]).await;
    let late_expiry = SeatChange {
        showtime_id: marquee_domain::ShowtimeId(app.showtime_id()),
        booking_id: Some(BookingId(booking.parse().unwrap())),
        labels: vec!["B5".to_string()],
        cause: SeatChangeCause::Expired,
    };
    app.app.seat_changes().publish(&[late_expiry]);
    assert_eq!(app.state_of("B5").await, "sold", "the cached map");
}
