//! Paying through the sandbox gateway, as a client and the gateway see it, on both backends.
//! The sandbox's webhooks really travel over HTTP to the app's own port, so tests wait (a
//! bounded time) for a booking to reach the state a webhook gives it.

use crate::helpers::{Response, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::Duration;
use serde_json::{json, Value};
use std::time::Instant;

crate::both_backends!(
    paying_with_the_success_card_confirms_with_a_ticket_per_seat,
    declined_cards_fail_the_booking_and_free_its_seats,
    checkout_answers_one_payment_and_only_for_a_live_hold_of_ones_own,
    webhooks_must_be_signed_recently_and_each_is_applied_once,
    a_success_after_a_failure_still_confirms,
    a_lost_webhook_is_finished_by_reconciliation,
    a_payment_after_the_seats_were_resold_is_refunded,
    the_sandbox_takes_only_test_cards,
    releasing_a_hold_being_paid_for_cancels_its_payment,
    reconciliation_cancels_a_payment_nobody_made_and_never_one_that_succeeded,
    a_success_unlike_its_payment_is_kept_for_review_and_never_confirms,
);

pub const SUCCEEDS: &str = "4242 4242 4242 4242";
const DECLINED: &str = "4000000000000002";
const NO_FUNDS: &str = "4000000000009995";
/// A well-formed Visa number (16 digits, Luhn check passes) that is no published test card.
const REAL_CARD: &str = "4716 3852 0197 6349";

/// The Luhn check a card number's last digit makes.
fn passes_luhn(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| match (i % 2, d * 2) {
            (0, _) => *d,
            (_, doubled) if doubled > 9 => doubled - 9,
            (_, doubled) => doubled,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A customer's token and the id of their hold on `seats`.
pub async fn held(app: &TestApp, email: &str, seats: &[&str]) -> (String, String) {
    let token = app.customer(email).await;
    let hold = app.hold(&token, seats).await;
    assert_eq!(hold.status, StatusCode::CREATED, "{:?}", hold.body);
    (token, hold.body["id"].as_str().unwrap().to_string())
}

pub async fn checkout(app: &TestApp, token: &str, booking: &str) -> Response {
    app.post(
        &format!("/api/v1/bookings/{booking}/checkout"),
        Some(token),
        json!({}),
    )
    .await
}

pub async fn pay(app: &TestApp, payment_ref: &str, card: &str) -> Response {
    app.post(
        &format!("/api/v1/sandbox/sessions/{payment_ref}/pay"),
        None,
        json!({ "card_number": card }),
    )
    .await
}

/// Checks out `booking` and pays it with the success card: the booking once confirmed.
pub async fn pay_until_confirmed(app: &TestApp, token: &str, booking: &str) -> Value {
    let started = checkout(app, token, booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap().to_string();
    pay(app, &payment_ref, SUCCEEDS).await;
    booking_when(app, token, booking, "confirmed").await
}

/// The booking once it has reached `status` (webhooks arrive asynchronously), at most 10 s.
pub async fn booking_when(app: &TestApp, token: &str, booking: &str, status: &str) -> Value {
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let read = app
            .get(&format!("/api/v1/bookings/{booking}"), Some(token))
            .await;
        if read.body["status"] == status || Instant::now() > deadline {
            assert_eq!(read.body["status"], status, "{:?}", read.body);
            return read.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The seat's state on the map once it is `state`, at most 10 s: the map is patched just after
/// the webhook's transaction commits, so it may trail the booking by a moment.
async fn seat_when(app: &TestApp, seat: &str, state: &str) {
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = app.state_of(seat).await;
        if now == state || Instant::now() > deadline {
            assert_eq!(now, state, "{seat}");
            // The map is a cache: the database has it too (it commits before the map is told).
            assert_eq!(app.db_state_of(seat).await, state, "{seat} in the database");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The booking's total as the API answers it, in minor units.
async fn booking_total(app: &TestApp, token: &str, booking: &str) -> i64 {
    let read = app
        .get(&format!("/api/v1/bookings/{booking}"), Some(token))
        .await;
    read.body["total"].as_i64().expect("a total")
}

/// Posts a webhook body signed as Stripe signs, `age` ago, with `secret`.
async fn post_webhook(app: &TestApp, secret: &str, body: &Value, age: Duration) -> Response {
    let body = body.to_string();
    let signed_at = (app.clock_now() - age).timestamp();
    let signature = marquee_payments::signature::sign(secret, signed_at, body.as_bytes());
    webhook_with(app, Some(&signature), body).await
}

async fn webhook_with(app: &TestApp, signature: Option<&str>, body: String) -> Response {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/payments/webhooks/sandbox")
        .header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    app.send(request.body(Body::from(body)).unwrap()).await
}

async fn sandbox_secret(app: &TestApp) -> String {
    app.store
        .setting_or_insert("sandbox_webhook_secret", "unused")
        .await
        .unwrap()
}

fn succeeded_event(id: &str, payment_ref: &str, amount: i64, booking: &str) -> Value {
    marquee_payments::events::payment_succeeded_event(
        id,
        payment_ref,
        marquee_domain::Money::new(amount, marquee_domain::Currency::parse("EUR").unwrap()),
        booking.parse().unwrap(),
        chrono::Utc::now(),
    )
}

async fn paying_with_the_success_card_confirms_with_a_ticket_per_seat(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["A1", "A2"]).await;
    let started = checkout(&app, &token, &booking).await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    assert_eq!(started.body["provider"], "sandbox");
    assert_eq!(started.body["status"], "pending");
    assert_eq!(started.body["test_mode"], true);
    assert_eq!(started.body["amount"], 2150);
    assert_eq!(
        started.body["amount"].as_i64(),
        Some(booking_total(&app, &token, &booking).await)
    );
    let payment_ref = started.body["payment_ref"].as_str().unwrap().to_string();
    let url = started.body["checkout_url"].as_str().unwrap();
    assert!(
        url.ends_with(&format!("/sandbox/checkout/{payment_ref}")),
        "{url}"
    );
    booking_when(&app, &token, &booking, "payment_pending").await;

    // The checkout page, as the customer's browser gets it.
    let page = app
        .get(&format!("/sandbox/checkout/{payment_ref}"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.as_str().unwrap().contains("4242 4242 4242 4242"));
    assert!(page.body.as_str().unwrap().contains("TEST MODE"));

    let paid = pay(&app, &payment_ref, SUCCEEDS).await;
    assert_eq!(paid.status, StatusCode::OK, "{:?}", paid.body);
    assert_eq!(paid.body["status"], "succeeded");
    let confirmed = booking_when(&app, &token, &booking, "confirmed").await;
    let tickets = confirmed["tickets"].as_array().unwrap();
    assert_eq!(
        tickets
            .iter()
            .map(|t| t["seat"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["A1", "A2"]
    );
    assert_ne!(tickets[0]["code"], tickets[1]["code"]);
    seat_when(&app, "A1", "sold").await;

    let qr = app
        .send(
            Request::get(tickets[0]["qr"].as_str().unwrap())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(qr.status, StatusCode::OK);
    assert!(qr.body.as_str().unwrap().contains("<svg"));
    let unknown = app
        .get("/api/v1/tickets/AAAAAAAAAAAAAAAAAAAAAAAAAA/qr.svg", None)
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::NOT_FOUND, "ticket_not_found")
    );
    // Paying twice is refused by the gateway; the booking stays as it is.
    assert_eq!(
        pay(&app, &payment_ref, SUCCEEDS).await.code(),
        "payment_settled"
    );
}

async fn declined_cards_fail_the_booking_and_free_its_seats(app: TestApp) {
    for (email, seat, card, reason) in [
        ("ana@example.com", "A3", DECLINED, "generic_decline"),
        ("ben@example.com", "A4", NO_FUNDS, "insufficient_funds"),
    ] {
        let (token, booking) = held(&app, email, &[seat]).await;
        let started = checkout(&app, &token, &booking).await;
        let payment_ref = started.body["payment_ref"].as_str().unwrap();
        let paid = pay(&app, payment_ref, card).await;
        assert_eq!(paid.status, StatusCode::OK);
        assert_eq!(
            (
                paid.body["status"].as_str(),
                paid.body["decline_code"].as_str()
            ),
            (Some("declined"), Some(reason))
        );
        let failed = booking_when(&app, &token, &booking, "payment_failed").await;
        assert!(failed["tickets"].as_array().unwrap().is_empty());
        seat_when(&app, seat, "available").await;
        let again = checkout(&app, &token, &booking).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
    }
}

async fn checkout_answers_one_payment_and_only_for_a_live_hold_of_ones_own(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["B2"]).await;
    let first = checkout(&app, &token, &booking).await;
    let second = checkout(&app, &token, &booking).await;
    assert_eq!(
        (first.status, second.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(first.body, second.body);

    let ben = app.customer("ben@example.com").await;
    let theirs = checkout(&app, &ben, &booking).await;
    assert_eq!(
        (theirs.status, theirs.code()),
        (StatusCode::NOT_FOUND, "booking_not_found")
    );

    let (_, released) = {
        let hold = app.hold(&ben, &["B3"]).await;
        (ben.clone(), hold.body["id"].as_str().unwrap().to_string())
    };
    app.release(&ben, &released).await;
    let refused = checkout(&app, &ben, &released).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "invalid_booking_state")
    );

    let expiring = app.hold(&ben, &["B4"]).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.advance(Duration::minutes(10));
    let late = checkout(&app, &ben, &expiring).await;
    assert_eq!(
        (late.status, late.code()),
        (StatusCode::CONFLICT, "hold_expired")
    );
}

async fn webhooks_must_be_signed_recently_and_each_is_applied_once(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["C4", "C5"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap();
    // The event pays what the booking costs (C4 standard 1000 + C5 companion 500 + fees 150),
    // as the gateway would report it.
    let total = booking_total(&app, &token, &booking).await;
    assert_eq!(started.body["amount"].as_i64(), Some(total));
    let secret = sandbox_secret(&app).await;
    let event = succeeded_event("evt_test_once", payment_ref, total, &booking);

    let forged = post_webhook(&app, "whsec_not_the_secret", &event, Duration::zero()).await;
    assert_eq!(
        (forged.status, forged.code()),
        (StatusCode::BAD_REQUEST, "invalid_signature")
    );
    let unsigned = webhook_with(&app, None, event.to_string()).await;
    assert_eq!(unsigned.code(), "invalid_signature");
    let stale = post_webhook(&app, &secret, &event, Duration::minutes(6)).await;
    assert_eq!(stale.code(), "invalid_signature");
    booking_when(&app, &token, &booking, "payment_pending").await;

    let malformed = post_webhook(&app, &secret, &json!({ "id": 7 }), Duration::zero()).await;
    assert_eq!(
        (malformed.status, malformed.code()),
        (StatusCode::BAD_REQUEST, "malformed_event")
    );
    let other = json!({ "id": "evt_other", "type": "customer.created", "data": { "object": {} } });
    assert_eq!(
        post_webhook(&app, &secret, &other, Duration::zero())
            .await
            .status,
        StatusCode::OK
    );
    let elsewhere = app
        .post("/api/v1/payments/webhooks/paypal", None, json!({}))
        .await;
    assert_eq!(
        (elsewhere.status, elsewhere.code()),
        (StatusCode::NOT_FOUND, "provider_not_found")
    );

    // One event delivered a hundred times, all at once: one effect.
    let deliveries = futures::future::join_all(
        (0..100).map(|_| post_webhook(&app, &secret, &event, Duration::seconds(30))),
    )
    .await;
    assert!(deliveries.iter().all(|d| d.status == StatusCode::OK));
    let confirmed = booking_when(&app, &token, &booking, "confirmed").await;
    assert_eq!(confirmed["tickets"].as_array().unwrap().len(), 2);
    let id: i64 = booking.parse().unwrap();
    assert_eq!(
        app.store
            .outbox_kinds(marquee_domain::BookingId(id))
            .await
            .unwrap(),
        ["booking_confirmed"]
    );
}

async fn a_success_after_a_failure_still_confirms(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["A5"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap();
    // Declined first, then paid with another card: the events may arrive in either order.
    pay(&app, payment_ref, DECLINED).await;
    booking_when(&app, &token, &booking, "payment_failed").await;
    pay(&app, payment_ref, SUCCEEDS).await;
    let confirmed = booking_when(&app, &token, &booking, "confirmed").await;
    assert_eq!(confirmed["tickets"].as_array().unwrap().len(), 1);
    seat_when(&app, "A5", "sold").await;
}

async fn a_lost_webhook_is_finished_by_reconciliation(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["A6"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap();
    // The customer paid at the gateway, and its webhook never came.
    assert!(app
        .store
        .settle_sandbox_payment(
            payment_ref,
            "requires_payment_method",
            "succeeded",
            app.clock_now()
        )
        .await
        .unwrap());
    assert_eq!(
        marquee_server::payments::reconcile(&app.app, Duration::minutes(15))
            .await
            .unwrap(),
        0,
        "too early: the webhook may still come"
    );
    app.advance(Duration::minutes(16));
    assert_eq!(
        marquee_server::payments::reconcile(&app.app, Duration::minutes(15))
            .await
            .unwrap(),
        1
    );
    let confirmed = booking_when(&app, &token, &booking, "confirmed").await;
    assert_eq!(confirmed["tickets"].as_array().unwrap().len(), 1);
}

async fn a_payment_after_the_seats_were_resold_is_refunded(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["B5"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap().to_string();
    app.advance(Duration::minutes(11));
    let ben = app.customer("ben@example.com").await;
    let bens_hold = app.hold(&ben, &["B5"]).await;
    assert_eq!(bens_hold.status, StatusCode::CREATED);
    let bens = bens_hold.body["id"].as_str().unwrap().to_string();
    // Ana pays on the page she still has open.
    assert_eq!(
        pay(&app, &payment_ref, SUCCEEDS).await.body["status"],
        "succeeded"
    );
    let refunded = booking_when(&app, &token, &booking, "refunded").await;
    assert!(refunded["tickets"].as_array().unwrap().is_empty());
    assert_eq!(app.state_of("B5").await, "held", "Ben keeps the seat");
    let (state, holder) = app.stored_state_of("B5").await;
    assert_eq!(
        (state.as_str(), holder),
        ("held", Some(bens.parse().unwrap())),
        "Ben keeps the seat, in the database"
    );
    assert_eq!(
        app.store
            .sandbox_payment(&payment_ref)
            .await
            .unwrap()
            .unwrap()
            .status,
        "refunded"
    );
}

async fn the_sandbox_takes_only_test_cards(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["A7"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap();
    let before = app.stored_seats().await;
    // A number that would pass a processor's own format checks, so only the list refuses it.
    assert_eq!(REAL_CARD.chars().filter(char::is_ascii_digit).count(), 16);
    assert!(passes_luhn(REAL_CARD) && passes_luhn(SUCCEEDS) && !passes_luhn("4242424242424241"));
    let real = pay(&app, payment_ref, REAL_CARD).await;
    assert_eq!(
        (real.status, real.code()),
        (StatusCode::BAD_REQUEST, "not_a_test_card")
    );
    let missing = pay(&app, "pi_sandbox_nothing", SUCCEEDS).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "payment_not_found")
    );
    booking_when(&app, &token, &booking, "payment_pending").await;
    assert_eq!(app.stored_seats().await, before, "no seat changed");
    assert_eq!(
        app.store
            .sandbox_payment(payment_ref)
            .await
            .unwrap()
            .unwrap()
            .status,
        "requires_payment_method"
    );
}

/// A stand-in for Stripe's PaymentIntents API that answers slowly while `slow` is set.
async fn fake_stripe(slow: std::sync::Arc<std::sync::atomic::AtomicBool>) -> String {
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = axum::Router::new().route(
        "/v1/payment_intents",
        post(move |body: String| {
            let slow = slow.clone();
            async move {
                if slow.load(std::sync::atomic::Ordering::SeqCst) {
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                }
                let form: std::collections::HashMap<String, String> = form_fields(&body);
                axum::Json(json!({
                    "id": "pi_fake_1",
                    "object": "payment_intent",
                    "amount": form.get("amount").and_then(|a| a.parse::<i64>().ok()),
                    "currency": form.get("currency"),
                    "status": "requires_payment_method",
                    "client_secret": "pi_fake_1_secret_abc",
                }))
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{address}")
}

/// `a=1&b=2` into a map (the fake reads only plain fields).
fn form_fields(body: &str) -> std::collections::HashMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn a_gateway_that_does_not_answer_leaves_the_hold_as_it_was(
    app: TestApp,
    slow: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let (token, booking) = held(&app, "ana@example.com", &["A1"]).await;
    let timed_out = checkout(&app, &token, &booking).await;
    assert_eq!(
        (timed_out.status, timed_out.code()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "payment_gateway_unavailable"
        )
    );
    booking_when(&app, &token, &booking, "held").await;
    let id: i64 = booking.parse().unwrap();
    assert_eq!(
        app.store
            .payment(marquee_domain::BookingId(id))
            .await
            .unwrap(),
        None
    );

    slow.store(false, std::sync::atomic::Ordering::SeqCst);
    let started = checkout(&app, &token, &booking).await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    assert_eq!(started.body["provider"], "stripe");
    assert_eq!(started.body["payment_ref"], "pi_fake_1");
    assert_eq!(started.body["client_secret"], "pi_fake_1_secret_abc");
    assert_eq!(started.body["checkout_url"], Value::Null);
    assert_eq!(started.body["test_mode"], true, "a test key is test mode");
    booking_when(&app, &token, &booking, "payment_pending").await;
    // The sandbox's pay call does not exist with Stripe.
    assert_eq!(
        pay(&app, "pi_fake_1", SUCCEEDS).await.status,
        StatusCode::NOT_FOUND
    );
}

fn stripe(api_base: String) -> marquee_server::config::PaymentsConfig {
    marquee_server::config::PaymentsConfig::Stripe {
        secret_key: marquee_payments::Secret::new("sk_test_fake"),
        webhook_secret: marquee_payments::Secret::new("whsec_fake"),
        api_base,
        timeout: std::time::Duration::from_millis(200),
    }
}

mod stripe_gateway {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_payment_that_will_not_settle_is_asked_about_later_on_sqlite() {
        let app = TestApp::sqlite_paying_with(stripe(UNREACHABLE.into())).await;
        a_payment_that_will_not_settle_is_asked_about_later(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_payment_that_will_not_settle_is_asked_about_later_on_postgres() {
        let app = TestApp::postgres_paying_with(stripe(UNREACHABLE.into())).await;
        a_payment_that_will_not_settle_is_asked_about_later(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_gateway_timeout_during_checkout_changes_nothing_on_sqlite() {
        let slow = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let app = TestApp::sqlite_paying_with(stripe(fake_stripe(slow.clone()).await)).await;
        a_gateway_that_does_not_answer_leaves_the_hold_as_it_was(app, slow).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_gateway_timeout_during_checkout_changes_nothing_on_postgres() {
        let slow = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let app = TestApp::postgres_paying_with(stripe(fake_stripe(slow.clone()).await)).await;
        a_gateway_that_does_not_answer_leaves_the_hold_as_it_was(app, slow).await;
    }
}

async fn releasing_a_hold_being_paid_for_cancels_its_payment(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["A8"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap();
    let released = app.release(&token, &booking).await;
    assert_eq!(released.body["status"], "released");
    let late = pay(&app, payment_ref, SUCCEEDS).await;
    assert_eq!(
        (late.status, late.code()),
        (StatusCode::CONFLICT, "payment_settled")
    );
    seat_when(&app, "A8", "available").await;
}

async fn reconciliation_cancels_a_payment_nobody_made_and_never_one_that_succeeded(app: TestApp) {
    use marquee_domain::{BookingId, PaymentStatus};
    let (token, declined) = held(&app, "ana@example.com", &["C4"]).await;
    let started = checkout(&app, &token, &declined).await;
    let declined_ref = started.body["payment_ref"].as_str().unwrap().to_string();
    pay(&app, &declined_ref, DECLINED).await;
    booking_when(&app, &token, &declined, "payment_failed").await;

    let (_, paid) = held(&app, "ben@example.com", &["C5"]).await;
    let ben = app
        .login("ben@example.com", crate::helpers::PASSWORD)
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let paid_ref = checkout(&app, &ben, &paid).await.body["payment_ref"]
        .as_str()
        .unwrap()
        .to_string();
    // Paid at the gateway: the gateway refuses to cancel it.
    assert!(app
        .store
        .settle_sandbox_payment(
            &paid_ref,
            "requires_payment_method",
            "succeeded",
            app.clock_now()
        )
        .await
        .unwrap());
    assert!(app
        .app
        .payments()
        .gateway
        .cancel_payment(&paid_ref)
        .await
        .is_err());

    app.advance(Duration::minutes(16));
    assert_eq!(
        marquee_server::payments::reconcile(&app.app, Duration::minutes(15))
            .await
            .unwrap(),
        2
    );
    let status = |id: &str| {
        let id = BookingId(id.parse().unwrap());
        let store = app.store.clone();
        async move { store.payment(id).await.unwrap().unwrap().status }
    };
    assert_eq!(status(&declined).await, PaymentStatus::Canceled);
    assert_eq!(status(&paid).await, PaymentStatus::Succeeded);
    // The declined payment cannot be paid any more.
    assert_eq!(
        pay(&app, &declined_ref, SUCCEEDS).await.code(),
        "payment_settled"
    );
    booking_when(&app, &ben, &paid, "confirmed").await;
}

async fn a_success_unlike_its_payment_is_kept_for_review_and_never_confirms(app: TestApp) {
    let secret = sandbox_secret(&app).await;
    let (token, booking) = held(&app, "ana@example.com", &["A3", "A4"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap().to_string();
    let amount = started.body["amount"].as_i64().unwrap();
    let id = marquee_domain::BookingId(booking.parse().unwrap());
    let payment_status = || async {
        app.store
            .payment(id)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str()
    };
    // One cent paid for the whole amount; a live payment on a test gateway: neither confirms.
    let cheap = succeeded_event("evt_cheap", &payment_ref, 1, &booking);
    let mut live = succeeded_event("evt_live", &payment_ref, amount, &booking);
    live["livemode"] = json!(true);
    for event in [&cheap, &live] {
        let answer = post_webhook(&app, &secret, event, Duration::zero()).await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        assert_eq!(payment_status().await, "review");
        let read = booking_when(&app, &token, &booking, "payment_pending").await;
        assert!(read["tickets"].as_array().unwrap().is_empty());
    }
    // Its seats stay held for it past the hold's end, until the showtime starts.
    let starts_at = app.world.showtime.showtime.starts_at;
    for seat in app.stored_seats().await {
        if ["A3", "A4"].contains(&seat.label.as_str()) {
            assert_eq!(
                (seat.state, seat.held_until),
                ("held", Some(starts_at)),
                "{}",
                seat.label
            );
        }
    }
    app.advance(Duration::minutes(30));
    marquee_server::jobs::sweep_once(&app.app).await.unwrap();
    assert_eq!(app.db_state_of("A3").await, "held");
    // A matching success now does not confirm it either: staff decide.
    let right = succeeded_event("evt_right", &payment_ref, amount, &booking);
    assert_eq!(
        post_webhook(&app, &secret, &right, Duration::zero())
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(payment_status().await, "review");
    booking_when(&app, &token, &booking, "payment_pending").await;
    // Refunded (from the gateway's dashboard): the seats are free again.
    let refund = marquee_payments::events::charge_refunded_event(
        "evt_refund",
        "ch_1",
        &payment_ref,
        marquee_domain::Money::new(amount, marquee_domain::Currency::parse("EUR").unwrap()),
        amount,
        id.0,
        chrono::Utc::now(),
    );
    assert_eq!(
        post_webhook(&app, &secret, &refund, Duration::zero())
            .await
            .status,
        StatusCode::OK
    );
    booking_when(&app, &token, &booking, "refunded").await;
    seat_when(&app, "A3", "available").await;
}

/// A gateway no one answers at (nothing listens on the discard port).
const UNREACHABLE: &str = "http://127.0.0.1:9";

/// Reconciliation cannot reach the gateway: the payment is not asked about again at once but
/// after a wait (a minute after the first failure), so an outage is not hammered every run.
async fn a_payment_that_will_not_settle_is_asked_about_later(app: TestApp) {
    use marquee_store::{NewPayment, Unsettled};
    let (_, booking) = held(&app, "ana@example.com", &["A5"]).await;
    let id = marquee_domain::BookingId(booking.parse().unwrap());
    let stored = app.store.get_booking(id).await.unwrap().unwrap();
    app.store
        .start_checkout(NewPayment {
            booking_id: id,
            user_id: stored.user_id,
            provider: "stripe".into(),
            payment_ref: "pi_out_of_reach".into(),
            client_secret: None,
            checkout_url: None,
            amount: stored.quote.total,
            now: app.clock_now(),
        })
        .await
        .unwrap();
    app.advance(Duration::minutes(20));
    let store = app.store.clone();
    let open_at = |now| {
        let store = store.clone();
        async move {
            store
                .unsettled_payments(Unsettled {
                    changed_before: now,
                    now,
                    limit: 10,
                })
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(open_at(app.clock_now()).await, 1);
    let settled = marquee_server::payments::reconcile(&app.app, Duration::minutes(15))
        .await
        .expect("a run that could not settle still ends");
    assert_eq!(settled, 0);
    assert_eq!(open_at(app.clock_now()).await, 0, "waiting out the failure");
    assert_eq!(
        open_at(app.clock_now() + Duration::minutes(1)).await,
        1,
        "asked about again a minute later"
    );
}
