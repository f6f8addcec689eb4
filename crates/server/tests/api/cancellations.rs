//! Cancelling a paid booking (`POST /bookings/{id}/cancel`): the refund by the venue's policy
//! on each of its edges, the seats free at once, the tickets void, the refund made once
//! through the gateway (also when cancels race, and when the gateway refuses at first), and
//! refusals that change nothing.

use crate::helpers::{Response, TestApp};
use crate::payments::{booking_when, pay_until_confirmed};
use axum::http::{Method, StatusCode};
use chrono::Duration;
use marquee_domain::cancellation::{RefundPolicy, RefundTier};
use marquee_domain::{BookingId, StaffRole, TicketCode};
use marquee_store::Actor;
use serde_json::{json, Value};

crate::both_backends!(
    cancelling_frees_the_seats_at_once_voids_the_tickets_and_refunds_once,
    a_dry_run_says_what_would_be_refunded_and_changes_nothing,
    the_refund_follows_the_policy_on_each_of_its_edges,
    cancelling_some_seats_keeps_the_rest_and_the_last_ones_cancel_the_booking,
    concurrent_cancels_of_one_booking_refund_once,
    a_refund_the_gateway_refuses_is_shown_and_asked_again_until_it_is_made,
    cancellations_that_cannot_be_made_are_refused_and_change_nothing,
    staff_find_a_booking_and_refund_it_in_full_with_a_reason,
    the_box_office_resends_a_paid_bookings_tickets,
    managers_set_their_venues_refund_policy,
    cancelling_a_showtime_refunds_every_booking_once_and_stops_its_sales,
);

/// A paid booking: the customer's token and the booking's id. `tickets` are (seat, type).
pub async fn paid(app: &TestApp, email: &str, tickets: &[(&str, &str)]) -> (String, String) {
    let token = app.customer(email).await;
    let tickets: Vec<Value> = tickets
        .iter()
        .map(|(seat, kind)| json!({ "seat": seat, "type": kind }))
        .collect();
    let hold = app
        .post(
            "/api/v1/bookings",
            Some(&token),
            json!({ "showtime_id": app.showtime_id(), "tickets": tickets }),
        )
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{:?}", hold.body);
    let booking = hold.body["id"].as_str().unwrap().to_string();
    pay_until_confirmed(app, &token, &booking).await;
    (token, booking)
}

/// Cancels with `body` (`None`: no body at all, which cancels every seat).
async fn cancel(
    app: &TestApp,
    token: &str,
    booking: &str,
    query: &str,
    body: Option<Value>,
) -> Response {
    app.request(
        Method::POST,
        &format!("/api/v1/bookings/{booking}/cancel{query}"),
        Some(token),
        body,
    )
    .await
}

fn id(booking: &str) -> BookingId {
    BookingId(booking.parse().unwrap())
}

/// The world's showtime starts at `starts`; the clock goes to `starts - before`.
fn at_before_start(app: &TestApp, before: Duration) {
    let target = app.world.showtime.showtime.starts_at - before;
    app.advance(target - app.clock_now());
}

/// 100% until 24 h before, 50% until 2 h before, a fee of 0.25 per ticket.
async fn tiered_policy(app: &TestApp) {
    let policy = RefundPolicy::new(
        vec![
            RefundTier {
                minutes_before: 24 * 60,
                percent: 100,
            },
            RefundTier {
                minutes_before: 120,
                percent: 50,
            },
        ],
        25,
    )
    .unwrap();
    app.store
        .put_refund_policy(app.world.venue.id, &policy, Actor::System)
        .await
        .unwrap();
}

/// What the sandbox gateway refunded of the booking's payment, from its own records.
pub async fn refunded_at_gateway(app: &TestApp, booking: &str) -> i64 {
    let payment = app.store.payment(id(booking)).await.unwrap().unwrap();
    let sandbox = app
        .store
        .sandbox_payment(&payment.payment_ref)
        .await
        .unwrap()
        .unwrap();
    sandbox.refunded_minor
}

async fn cancelling_frees_the_seats_at_once_voids_the_tickets_and_refunds_once(app: TestApp) {
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    let before = app.store.get_booking(id(&booking)).await.unwrap().unwrap();
    let codes: Vec<TicketCode> = before.tickets.iter().map(|t| t.code.clone()).collect();

    let cancelled = cancel(&app, &token, &booking, "", None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
    // Two seats at 10.00 and 0.75 of fees each, all back under the standard policy.
    assert_eq!(cancelled.body["refund"], 2150);
    assert_eq!(cancelled.body["percent"], 100);
    assert_eq!(cancelled.body["whole"], true);
    assert_eq!(cancelled.body["refund_status"], "due");
    // Cancelled, and refunded as soon as the gateway's report arrives (it may have already).
    let status = &cancelled.body["booking"]["status"];
    assert!(status == "cancelled" || status == "refunded", "{status}");

    // The seats are free in the database at once, and someone else can hold them.
    for seat in ["A1", "A2"] {
        assert_eq!(app.db_state_of(seat).await, "available", "{seat}");
    }
    let other = app.customer("bea@example.com").await;
    let hold = app.hold(&other, &["A1", "A2"]).await;
    assert_eq!(hold.status, StatusCode::CREATED, "{:?}", hold.body);
    // The tickets are void.
    for code in &codes {
        let door = app.store.door_ticket(code).await.unwrap().unwrap();
        assert!(door.voided_at.is_some(), "{code:?}");
    }

    // The gateway reports the refund: the booking is refunded, once.
    let refunded = booking_when(&app, &token, &booking, "refunded").await;
    assert_eq!(refunded["cancellations"][0]["refund_status"], "succeeded");
    assert_eq!(refunded["tickets"], json!([]));
    assert_eq!(refunded_at_gateway(&app, &booking).await, 2150);
    let kinds = app.store.outbox_kinds(id(&booking)).await.unwrap();
    assert_eq!(
        kinds,
        ["booking_confirmed", "booking_cancelled", "booking_refunded"]
    );
    // Asking again changes nothing and refunds nothing.
    let again = cancel(&app, &token, &booking, "", None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "invalid_booking_state");
    marquee_server::payments::reconcile(&app.app, Duration::zero())
        .await
        .unwrap();
    assert_eq!(refunded_at_gateway(&app, &booking).await, 2150);
}

async fn a_dry_run_says_what_would_be_refunded_and_changes_nothing(app: TestApp) {
    tiered_policy(&app).await;
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult")]).await;
    at_before_start(&app, Duration::hours(5));
    let dry = cancel(&app, &token, &booking, "?dry_run=true", None).await;
    assert_eq!(dry.status, StatusCode::OK, "{:?}", dry.body);
    assert_eq!(dry.body["dry_run"], true);
    assert_eq!(dry.body["percent"], 50);
    assert_eq!(dry.body["refund"], 1075 / 2 - 25);
    assert_eq!(dry.body["fee"], 25);
    assert_eq!(dry.body["refund_status"], Value::Null);
    let why = dry.body["why"].as_str().unwrap();
    assert!(
        why.contains("50% refund") && why.contains("0.25 EUR"),
        "{why}"
    );
    assert!(
        why.contains("until Tue 24 Nov 2026, 10:00"),
        "on the venue's clock: {why}"
    );
    let until = app.world.showtime.showtime.starts_at - Duration::hours(2);
    assert_eq!(dry.body["refund_applies_until"], json!(until));
    // Nothing changed: read from the database.
    assert_eq!(app.db_state_of("A1").await, "sold");
    let stored = app.store.get_booking(id(&booking)).await.unwrap().unwrap();
    assert_eq!(stored.stored_status.as_str(), "confirmed");
    assert!(stored.cancellations.is_empty());
    assert_eq!(stored.tickets.len(), 1);
    assert_eq!(refunded_at_gateway(&app, &booking).await, 0);
}

async fn the_refund_follows_the_policy_on_each_of_its_edges(app: TestApp) {
    tiered_policy(&app).await;
    // An adult standard seat (10.75 with its fee) and a child premium seat (9.75).
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult"), ("B3", "child")]).await;
    let dry_run = "?dry_run=true";
    at_before_start(&app, Duration::hours(24));
    let full = cancel(&app, &token, &booking, dry_run, None).await;
    assert_eq!(full.body["percent"], 100, "exactly 24 h before");
    assert_eq!(full.body["refund"], (1075 - 25) + (975 - 25));
    app.advance(Duration::seconds(1));
    let half = cancel(&app, &token, &booking, dry_run, None).await;
    assert_eq!(half.body["percent"], 50, "just after 24 h before");
    // Half of each seat, rounded down per seat, less the fee per ticket.
    assert_eq!(half.body["refund"], (537 - 25) + (487 - 25));
    at_before_start(&app, Duration::hours(2));
    let last = cancel(&app, &token, &booking, dry_run, None).await;
    assert_eq!(last.body["percent"], 50, "exactly 2 h before");
    app.advance(Duration::seconds(1));
    let closed = cancel(&app, &token, &booking, dry_run, None).await;
    assert_eq!(closed.status, StatusCode::CONFLICT);
    assert_eq!(closed.code(), "cancellation_closed");
    let closed = cancel(&app, &token, &booking, "", None).await;
    assert_eq!(closed.code(), "cancellation_closed");
    assert_eq!(app.db_state_of("A1").await, "sold", "nothing changed");
}

async fn cancelling_some_seats_keeps_the_rest_and_the_last_ones_cancel_the_booking(app: TestApp) {
    tiered_policy(&app).await;
    let (token, booking) = paid(
        &app,
        "ana@example.com",
        &[("A1", "adult"), ("A2", "child"), ("B3", "adult")],
    )
    .await;
    at_before_start(&app, Duration::hours(30));
    let some = cancel(&app, &token, &booking, "", Some(json!({ "seats": ["B3"] }))).await;
    assert_eq!(some.status, StatusCode::OK, "{:?}", some.body);
    assert_eq!(some.body["whole"], false);
    assert_eq!(some.body["refund"], 1450 + 75 - 25);
    assert_eq!(some.body["booking"]["status"], "confirmed");
    assert_eq!(app.db_state_of("B3").await, "available");
    assert_eq!(app.db_state_of("A1").await, "sold");
    // The booking keeps two valid tickets; the refund is settled when the gateway says so.
    let read = app.store.get_booking(id(&booking)).await.unwrap().unwrap();
    let seats: Vec<&str> = read.tickets.iter().map(|t| t.seat.as_str()).collect();
    assert_eq!(seats, ["A1", "A2"]);
    let settled = wait_for(&app, &booking, |b| {
        b.cancellations[0].refund_status.as_str() == "succeeded"
    })
    .await;
    assert_eq!(settled.stored_status.as_str(), "confirmed");

    // A cancelled seat cannot be cancelled again.
    let twice = cancel(&app, &token, &booking, "", Some(json!({ "seats": ["B3"] }))).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.code(), "seats_already_cancelled");

    // Later, at 50%: the rest, and with them the booking.
    at_before_start(&app, Duration::hours(3));
    let rest = cancel(&app, &token, &booking, "", None).await;
    assert_eq!(rest.status, StatusCode::OK, "{:?}", rest.body);
    assert_eq!(rest.body["seats"], json!(["A1", "A2"]));
    assert_eq!(rest.body["whole"], true);
    assert_eq!(rest.body["refund"], (1075 / 2 - 25) + (675 / 2 - 25));
    booking_when(&app, &token, &booking, "refunded").await;
    let refunded = 1500 + (1075 / 2 - 25) + (675 / 2 - 25);
    assert_eq!(refunded_at_gateway(&app, &booking).await, refunded);

    // The letters say which seats went and what came back (no SMTP here: the mailbox).
    marquee_server::mail::deliver_once(&app.app).await.unwrap();
    let letters = app
        .store
        .mailbox(marquee_store::mail::MailFilter::all(20))
        .await
        .unwrap();
    let letter = |kind: &str| {
        letters
            .iter()
            .filter(|l| l.kind == kind && l.booking_id == Some(id(&booking)))
            .map(|l| l.entry.text_body.clone())
            .collect::<Vec<_>>()
    };
    let cancelled = letter("booking_cancelled");
    assert_eq!(cancelled.len(), 2, "{letters:?}");
    assert!(
        cancelled
            .iter()
            .any(|t| t.contains("Seat B3 of your booking") && t.contains("Your other seats stand")),
        "{cancelled:?}"
    );
    let total = format!(
        "{}",
        marquee_domain::Money::new(refunded, marquee_store::conformance::fixtures::eur())
    );
    let done = letter("booking_refunded");
    assert!(
        done.iter().any(|t| t.contains(&total)),
        "{total} in {done:?}"
    );
}

/// The booking as stored once `done` holds, at most 10 s (refunds are reported by webhook).
async fn wait_for(
    app: &TestApp,
    booking: &str,
    done: impl Fn(&marquee_domain::Booking) -> bool,
) -> marquee_domain::Booking {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let read = app.store.get_booking(id(booking)).await.unwrap().unwrap();
        if done(&read) {
            return read;
        }
        assert!(std::time::Instant::now() < deadline, "{read:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn concurrent_cancels_of_one_booking_refund_once(app: TestApp) {
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    let tries = (0..8).map(|i| {
        let (app, token, booking) = (&app, &token, &booking);
        async move {
            // Half ask for the whole booking, half for one seat of it.
            let body = (i % 2 == 1).then(|| json!({ "seats": ["A1"] }));
            cancel(app, token, booking, "", body).await
        }
    });
    let answers = futures::future::join_all(tries).await;
    let made: Vec<&Response> = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .collect();
    let refused = answers
        .iter()
        .filter(|a| a.status == StatusCode::CONFLICT)
        .count();
    let statuses: Vec<StatusCode> = answers.iter().map(|a| a.status).collect();
    assert_eq!(made.len() + refused, 8, "{statuses:?}");
    let refunded: i64 = made
        .iter()
        .map(|a| a.body["refund"].as_i64().unwrap())
        .sum();
    // Whatever won, the two seats were refunded once each, never more.
    assert!(refunded <= 2150, "{refunded}");
    let read = wait_for(&app, &booking, |b| {
        b.cancellations
            .iter()
            .all(|c| c.refund_status.as_str() == "succeeded")
    })
    .await;
    let cancelled: Vec<&String> = read.cancellations.iter().flat_map(|c| &c.seats).collect();
    let mut unique = cancelled.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(cancelled.len(), unique.len(), "a seat cancelled twice");
    let stored: i64 = read.cancellations.iter().map(|c| c.refund.minor).sum();
    assert_eq!(stored, refunded);
    assert_eq!(refunded_at_gateway(&app, &booking).await, refunded);
}

async fn a_refund_the_gateway_refuses_is_shown_and_asked_again_until_it_is_made(app: TestApp) {
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult")]).await;
    let payment = app.store.payment(id(&booking)).await.unwrap().unwrap();
    let now = app.clock_now();
    // The gateway will not refund this payment for now (as if it were disputed).
    assert!(app
        .store
        .settle_sandbox_payment(&payment.payment_ref, "succeeded", "disputed", now)
        .await
        .unwrap());
    let cancelled = cancel(&app, &token, &booking, "", None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
    // The cancellation stands; the refund is owed, and staff can see why it was not made.
    let read = app.store.get_booking(id(&booking)).await.unwrap().unwrap();
    let owed = &read.cancellations[0];
    assert_eq!(owed.refund_status.as_str(), "due");
    assert_eq!(owed.attempts, 1);
    assert!(
        owed.last_error
            .as_deref()
            .is_some_and(|e| e.contains("charge_not_refundable")),
        "{owed:?}"
    );
    assert_eq!(app.db_state_of("A1").await, "available");
    // Not asked again before its time; asked again after it, refused again.
    marquee_server::payments::reconcile(&app.app, Duration::zero())
        .await
        .unwrap();
    assert_eq!(
        app.store
            .get_booking(id(&booking))
            .await
            .unwrap()
            .unwrap()
            .cancellations[0]
            .attempts,
        1
    );
    app.advance(Duration::minutes(2));
    marquee_server::payments::reconcile(&app.app, Duration::zero())
        .await
        .unwrap();
    let read = app.store.get_booking(id(&booking)).await.unwrap().unwrap();
    assert_eq!(read.cancellations[0].attempts, 2);
    // The gateway takes it now: the next run refunds, once, and the booking is refunded.
    assert!(app
        .store
        .settle_sandbox_payment(&payment.payment_ref, "disputed", "succeeded", now)
        .await
        .unwrap());
    app.advance(Duration::minutes(5));
    marquee_server::payments::reconcile(&app.app, Duration::zero())
        .await
        .unwrap();
    booking_when(&app, &token, &booking, "refunded").await;
    app.advance(Duration::hours(1));
    marquee_server::payments::reconcile(&app.app, Duration::zero())
        .await
        .unwrap();
    assert_eq!(refunded_at_gateway(&app, &booking).await, 1075);
}

async fn cancellations_that_cannot_be_made_are_refused_and_change_nothing(app: TestApp) {
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "adult")]).await;
    // Someone else's booking is not found.
    let other = app.customer("bea@example.com").await;
    let stranger = cancel(&app, &other, &booking, "", None).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.code(), "booking_not_found");
    // A hold is not a sale.
    let hold = app.hold(&other, &["A5"]).await;
    let held = hold.body["id"].as_str().unwrap();
    let not_paid = cancel(&app, &other, held, "", None).await;
    assert_eq!(not_paid.status, StatusCode::CONFLICT);
    assert_eq!(not_paid.code(), "invalid_booking_state");
    // Seats the booking does not have, malformed ones, a list with a seat twice, bad JSON.
    let unknown = cancel(&app, &token, &booking, "", Some(json!({ "seats": ["A9"] }))).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.code(), "unknown_seats");
    let malformed = cancel(
        &app,
        &token,
        &booking,
        "",
        Some(json!({ "seats": ["'; --"] })),
    )
    .await;
    assert_eq!(malformed.code(), "unknown_seats");
    let twice = cancel(
        &app,
        &token,
        &booking,
        "",
        Some(json!({ "seats": ["A1", "A1"] })),
    )
    .await;
    assert_eq!(twice.code(), "invalid_seats");
    let extra = cancel(
        &app,
        &token,
        &booking,
        "",
        Some(json!({ "everything": true })),
    )
    .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);
    let bad_query = cancel(&app, &token, &booking, "?dry_run=maybe", None).await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    // A ticket admitted at the door cannot be cancelled by the customer.
    let code = app
        .store
        .get_booking(id(&booking))
        .await
        .unwrap()
        .unwrap()
        .tickets[0]
        .code
        .clone();
    assert!(app
        .store
        .admit_ticket(&code, app.clock_now(), app.world.alice.id)
        .await
        .unwrap());
    let admitted = cancel(&app, &token, &booking, "", None).await;
    assert_eq!(admitted.status, StatusCode::CONFLICT);
    assert_eq!(admitted.code(), "ticket_already_admitted");
    // Nothing changed, as the database says.
    assert_eq!(app.db_state_of("A1").await, "sold");
    assert_eq!(app.db_state_of("A2").await, "sold");
    let read = app.store.get_booking(id(&booking)).await.unwrap().unwrap();
    assert_eq!(read.stored_status.as_str(), "confirmed");
    assert!(read.cancellations.is_empty());
    assert_eq!(read.tickets.len(), 2);
    assert_eq!(refunded_at_gateway(&app, &booking).await, 0);
}

async fn staff_find_a_booking_and_refund_it_in_full_with_a_reason(app: TestApp) {
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult"), ("A2", "child")]).await;
    let venue = app.world.venue.id;
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[venue])
        .await;
    let (clerk, _) = app
        .staff("bo@example.com", StaffRole::BoxOffice, &[venue])
        .await;
    let outsider = app.other_venues_manager().await;
    let read = app.store.get_booking(id(&booking)).await.unwrap().unwrap();
    let reference = read.reference.to_string();
    let code = read.tickets[0].code.to_string();
    app.store
        .set_access_needs(id(&booking), "A wheelchair space")
        .await
        .unwrap();

    // Found by reference (any case), by email, by ticket code; not by another venue's staff.
    for q in [reference.to_lowercase(), "ANA@example.com".into(), code] {
        let found = app
            .get(
                &format!("/api/v1/admin/bookings?q={}", urlencode(&q)),
                Some(&clerk),
            )
            .await;
        assert_eq!(found.status, StatusCode::OK, "{q}: {:?}", found.body);
        let bookings = found.body["bookings"].as_array().unwrap();
        assert_eq!(bookings.len(), 1, "{q}");
        assert_eq!(bookings[0]["booking"]["id"], booking.as_str());
        assert_eq!(bookings[0]["customer_email"], "ana@example.com");
        assert_eq!(bookings[0]["access_needs"], "A wheelchair space");
        assert_eq!(bookings[0]["payment_status"], "succeeded");
    }
    let hidden = app
        .get(
            &format!("/api/v1/admin/bookings?q={reference}"),
            Some(&outsider),
        )
        .await;
    assert_eq!(hidden.body["bookings"], json!([]));
    let path = format!("/api/v1/admin/bookings/{booking}/refund");
    let not_theirs = app
        .post(&path, Some(&outsider), json!({ "reason": "goodwill" }))
        .await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    // Box office staff look up; refunds regardless of the policy are for managers.
    let clerk_refund = app
        .post(&path, Some(&clerk), json!({ "reason": "goodwill" }))
        .await;
    assert_eq!(clerk_refund.status, StatusCode::FORBIDDEN);
    let no_reason = app
        .post(&path, Some(&manager), json!({ "reason": " " }))
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_reason.code(), "invalid_request");
    assert_eq!(app.db_state_of("A1").await, "sold", "nothing changed");

    // After the policy's last deadline (the film has started), staff still refund in full.
    at_before_start(&app, Duration::minutes(-10));
    let customer_late = cancel(&app, &token, &booking, "", None).await;
    assert_eq!(customer_late.code(), "cancellation_closed");
    let refunded = app
        .post(
            &path,
            Some(&manager),
            json!({ "seats": ["A2"], "reason": "projector failure" }),
        )
        .await;
    assert_eq!(refunded.status, StatusCode::OK, "{:?}", refunded.body);
    assert_eq!(refunded.body["refund"], 600 + 75);
    assert_eq!(refunded.body["percent"], 100);
    assert!(refunded.body["why"]
        .as_str()
        .unwrap()
        .contains("projector failure"));
    let read = wait_for(&app, &booking, |b| {
        b.cancellations[0].refund_status.as_str() == "succeeded"
    })
    .await;
    assert!(read.cancellations[0].by_staff);
    // The audit log keeps who refunded what and why.
    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    let entry = audit.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "booking.cancel")
        .cloned()
        .unwrap_or_else(|| panic!("{:?}", audit.body));
    assert_eq!(entry["actor_email"], "max@example.com");
    assert!(entry["after"].to_string().contains("projector failure"));
    let staff_view = app
        .get(&format!("/api/v1/admin/bookings/{booking}"), Some(&clerk))
        .await;
    assert_eq!(staff_view.body["refunds"][0]["refund_status"], "succeeded");
    assert_eq!(staff_view.body["refunds"][0]["by_staff"], true);
}

/// What the searches here hold that a query string must escape: an email's `@`.
fn urlencode(text: &str) -> String {
    text.replace('@', "%40")
}

async fn managers_set_their_venues_refund_policy(app: TestApp) {
    let venue = app.world.venue.id;
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[venue])
        .await;
    let path = format!("/api/v1/admin/venues/{}/refund-policy", venue.0);
    let standard = app.get(&path, Some(&manager)).await;
    assert_eq!(standard.status, StatusCode::OK, "{:?}", standard.body);
    assert_eq!(
        standard.body,
        json!({ "tiers": [{ "minutes_before": 120, "percent": 100 }], "fee_per_ticket": 0, "custom": false })
    );
    let increasing = json!({ "tiers": [
        { "minutes_before": 120, "percent": 100 }, { "minutes_before": 1440, "percent": 50 }
    ], "fee_per_ticket": 0 });
    let refused = app
        .request(Method::PUT, &path, Some(&manager), Some(increasing))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.code(), "invalid_request");
    assert!(app.store.refund_policy(venue).await.unwrap().is_none());
    let tiered = json!({ "tiers": [
        { "minutes_before": 120, "percent": 50 }, { "minutes_before": 1440, "percent": 100 }
    ], "fee_per_ticket": 25 });
    let set = app
        .request(Method::PUT, &path, Some(&manager), Some(tiered))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(
        set.body["tiers"][0]["minutes_before"], 1440,
        "earliest first"
    );
    assert_eq!(set.body["custom"], true);
    // A customer's cancellation follows it.
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult")]).await;
    at_before_start(&app, Duration::hours(3));
    let dry = cancel(&app, &token, &booking, "?dry_run=true", None).await;
    assert_eq!(dry.body["refund"], 1075 / 2 - 25);
}

async fn cancelling_a_showtime_refunds_every_booking_once_and_stops_its_sales(app: TestApp) {
    let venue = app.world.venue.id;
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[venue])
        .await;
    let mut paid_bookings = Vec::new();
    for (i, seat) in ["A1", "A2", "B3"].iter().enumerate() {
        paid_bookings.push(paid(&app, &format!("c{i}@example.com"), &[(seat, "adult")]).await);
    }
    let holder = app.customer("hal@example.com").await;
    let held = app.hold(&holder, &["A5"]).await;
    assert_eq!(held.status, StatusCode::CREATED);
    let path = format!("/api/v1/admin/showtimes/{}/cancel", app.showtime_id());
    let no_reason = app
        .post(&path, Some(&manager), json!({ "reason": "" }))
        .await;
    assert_eq!(no_reason.code(), "invalid_request");

    let first = app
        .post(
            &path,
            Some(&manager),
            json!({ "reason": "projector failure" }),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["bookings_refunded"], 3);
    assert_eq!(first.body["holds_released"], 1);
    assert_eq!(first.body["refunded"], 1075 + 1075 + 1525);
    let again = app
        .post(
            &path,
            Some(&manager),
            json!({ "reason": "projector failure" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["bookings_refunded"], 0);
    assert_eq!(again.body["cancelled_at"], first.body["cancelled_at"]);

    for (token, booking) in &paid_bookings {
        let read = booking_when(&app, token, booking, "refunded").await;
        assert_eq!(read["cancellations"].as_array().unwrap().len(), 1);
        let total = read["total"].as_i64().unwrap();
        assert_eq!(
            refunded_at_gateway(&app, booking).await,
            total,
            "refunded once"
        );
        let told = app.store.outbox_kinds(id(booking)).await.unwrap();
        assert!(told.contains(&"showtime_cancelled".to_string()), "{told:?}");
    }
    // Nothing more is sold, and customers no longer see it listed.
    let late = app.hold(&holder, &["C4"]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.code(), "showtime_cancelled");
    let listed = app
        .get(
            &format!("/api/v1/events/{}/showtimes", app.world.event.id.0),
            None,
        )
        .await;
    assert_eq!(listed.body["showtimes"], json!([]), "{:?}", listed.body);
    marquee_server::payments::reconcile(&app.app, Duration::zero())
        .await
        .unwrap();
    for (_, booking) in &paid_bookings {
        let total = app
            .store
            .get_booking(id(booking))
            .await
            .unwrap()
            .unwrap()
            .quote
            .total;
        assert_eq!(refunded_at_gateway(&app, booking).await, total.minor);
    }
}

async fn the_box_office_resends_a_paid_bookings_tickets(app: TestApp) {
    let (token, booking) = paid(&app, "ana@example.com", &[("A1", "adult")]).await;
    let venue = app.world.venue.id;
    let (clerk, _) = app
        .staff("bo@example.com", StaffRole::BoxOffice, &[venue])
        .await;
    let outsider = app.other_venues_manager().await;
    let path = format!("/api/v1/admin/bookings/{booking}/resend");
    let resent = |who: String| {
        let app = &app;
        let path = path.clone();
        async move { app.post(&path, Some(&who), json!({})).await }
    };
    let kinds = || async { app.store.outbox_kinds(id(&booking)).await.unwrap() };
    let before = kinds().await;

    let theirs = resent(outsider).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "another venue's");
    let customer = resent(token.clone()).await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN, "customers do not");
    assert_eq!(kinds().await, before, "nothing queued");

    let sent = resent(clerk.clone()).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{:?}", sent.body);
    assert_eq!(sent.body["to"], "ana@example.com");
    let after = kinds().await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().map(String::as_str), Some("tickets_resent"));
    // The letter is the confirmation's: the tickets and the calendar event attached.
    let message = app
        .store
        .undelivered_messages(100)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "tickets_resent")
        .expect("queued");
    let letter = marquee_server::mail::letters::compose(&app.app, &message)
        .await
        .unwrap();
    assert_eq!(letter.to, "ana@example.com");
    assert!(
        letter.subject.contains("your tickets"),
        "{}",
        letter.subject
    );
    let files: Vec<&str> = letter
        .attachments
        .iter()
        .map(|(name, _, _)| name.as_str())
        .collect();
    assert!(files.iter().any(|f| f.ends_with(".pdf")), "{files:?}");
    assert!(files.iter().any(|f| f.ends_with(".ics")), "{files:?}");
    let (owner, _) = app.staff("olga@example.com", StaffRole::Owner, &[]).await;
    let audit = app.get("/api/v1/admin/audit", Some(&owner)).await;
    assert_eq!(audit.body["entries"][0]["action"], "booking.resend_tickets");

    // A cancelled booking has no tickets to send.
    cancel(&app, &token, &booking, "", None).await;
    let refused = resent(clerk).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code(), "booking_not_confirmed");
}
