//! Check-in at the door (`POST /checkin`): a ticket admits one person once, also when two
//! scanners send it at once; a refusal says why; only staff of the showtime's venue admit.

use crate::helpers::TestApp;
use crate::payments::{booking_when, checkout, held, pay};
use axum::http::StatusCode;
use chrono::Duration;
use marquee_domain::StaffRole;
use serde_json::json;

crate::both_backends!(
    a_ticket_admits_once_and_says_what_it_admits,
    two_scanners_at_once_admit_a_ticket_once,
    a_ticket_is_refused_at_another_venue_another_day_or_when_void,
    the_door_counts_admissions_of_the_tickets_sold,
);

/// A paid booking of `seats` (through the sandbox, its webhook awaited): the customer's token,
/// the booking, and its tickets' codes.
pub async fn paid(app: &TestApp, email: &str, seats: &[&str]) -> (String, String, Vec<String>) {
    let (token, booking) = held(app, email, seats).await;
    let started = checkout(app, &token, &booking).await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    let payment_ref = started.body["payment_ref"].as_str().unwrap().to_string();
    pay(app, &payment_ref, "4242424242424242").await;
    let confirmed = booking_when(app, &token, &booking, "confirmed").await;
    let codes = confirmed["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_string())
        .collect();
    (token, booking, codes)
}

async fn usher(app: &TestApp, email: &str) -> String {
    app.staff(email, StaffRole::Usher, &[app.world.venue.id])
        .await
        .0
}

/// The doors are open: an hour before the world's showtime.
fn doors_open(app: &TestApp) {
    let until = app.world.showtime.showtime.starts_at - app.clock_now() - Duration::hours(1);
    app.advance(until);
}

async fn scan(app: &TestApp, token: &str, code: &str) -> crate::helpers::Response {
    app.post("/api/v1/checkin", Some(token), json!({ "code": code }))
        .await
}

async fn a_ticket_admits_once_and_says_what_it_admits(app: TestApp) {
    let (_, booking, codes) = paid(&app, "carla@example.com", &["C1", "C2"]).await;
    app.store
        .set_access_needs(
            marquee_domain::BookingId(booking.parse().unwrap()),
            "A wheelchair; C2 is for my companion.",
        )
        .await
        .unwrap();
    let usher = usher(&app, "una@example.com").await;
    doors_open(&app);

    let admitted = scan(&app, &usher, &codes[0]).await;
    assert_eq!(admitted.status, StatusCode::OK, "{:?}", admitted.body);
    assert_eq!(admitted.body["seat"], "C1");
    assert_eq!(admitted.body["ticket_type"], "Adult");
    assert_eq!(admitted.body["film"], "The Long Light");
    assert_eq!(admitted.body["auditorium"], "Sala 1");
    assert_eq!(
        admitted.body["access_needs"],
        "A wheelchair; C2 is for my companion."
    );
    let again = scan(&app, &usher, &codes[0]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "ticket_already_admitted");
    let said = again.body["error"]["message"].as_str().unwrap();
    assert!(said.contains("by una@example.com"), "{said}");
    // The stored admission: once, by the usher.
    let code = marquee_domain::TicketCode::parse(&codes[0]).unwrap();
    let door = app.store.door_ticket(&code).await.unwrap().unwrap();
    assert_eq!(
        door.admitted.map(|(_, by)| by).as_deref(),
        Some("una@example.com")
    );
    // The other ticket is its own.
    assert_eq!(scan(&app, &usher, &codes[1]).await.status, StatusCode::OK);

    // Unknown or no code at all; a customer; nobody.
    for code in ["0000000000000000000000000A", "not a code", ""] {
        let unknown = scan(&app, &usher, code).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{code}");
        assert_eq!(unknown.code(), "ticket_not_found");
    }
    let customer = app.customer("dora@example.com").await;
    assert_eq!(scan(&app, &customer, &codes[0]).await.code(), "forbidden");
    assert_eq!(
        app.post("/api/v1/checkin", None, json!({ "code": codes[0] }))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn two_scanners_at_once_admit_a_ticket_once(app: TestApp) {
    let (_, _, codes) = paid(&app, "carla@example.com", &["B2"]).await;
    let one = usher(&app, "una@example.com").await;
    let two = usher(&app, "ugo@example.com").await;
    doors_open(&app);
    let answers = futures::future::join_all(
        [&one, &two, &one, &two]
            .into_iter()
            .map(|token| scan(&app, token, &codes[0])),
    )
    .await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(answers
        .iter()
        .filter(|a| a.status != StatusCode::OK)
        .all(|a| a.code() == "ticket_already_admitted"));
}

async fn a_ticket_is_refused_at_another_venue_another_day_or_when_void(app: TestApp) {
    let (token, booking, codes) = paid(&app, "carla@example.com", &["A3", "A4"]).await;
    let usher = usher(&app, "una@example.com").await;
    let (_, elsewhere) = marquee_store::conformance::fixtures::city_in(
        &*app.store,
        "Porto",
        chrono_tz::Europe::Lisbon,
    )
    .await;
    let (outsider, _) = app
        .staff("otto@example.com", StaffRole::Usher, &[elsewhere.id])
        .await;

    // A day early.
    let early = scan(&app, &usher, &codes[0]).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.code(), "ticket_not_today");
    doors_open(&app);
    let other_venue = scan(&app, &outsider, &codes[0]).await;
    assert_eq!(other_venue.code(), "ticket_for_another_venue");

    // Refunded: its tickets are void.
    let id = marquee_domain::BookingId(booking.parse().unwrap());
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
    booking_when(&app, &token, &booking, "refunded").await;
    let void = scan(&app, &usher, &codes[1]).await;
    assert_eq!(void.status, StatusCode::CONFLICT, "{:?}", void.body);
    assert_eq!(void.code(), "ticket_void");
    // After the showtime's end, no more.
    app.advance(Duration::days(1));
    let late = scan(&app, &usher, &codes[0]).await;
    assert_eq!(late.code(), "ticket_not_today");
    // Nothing any refusal did admitted anything.
    for code in &codes {
        let code = marquee_domain::TicketCode::parse(code).unwrap();
        let door = app.store.door_ticket(&code).await.unwrap().unwrap();
        assert_eq!(
            door.admitted,
            None::<(chrono::DateTime<chrono::Utc>, String)>
        );
    }
}

/// `GET /admin/showtimes/{id}/door`: as it is now, after each admission and cancellation.
async fn the_door_counts_admissions_of_the_tickets_sold(app: TestApp) {
    let usher = usher(&app, "una@example.com").await;
    let path = format!("/api/v1/admin/showtimes/{}/door", app.showtime_id());
    let door = |token: String| {
        let (app, path) = (&app, &path);
        async move {
            let answer = app.get(path, Some(&token)).await;
            assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
            assert_eq!(answer.body["showtime_id"], app.showtime_id());
            (answer.body["admitted"].clone(), answer.body["sold"].clone())
        }
    };
    assert_eq!(door(usher.clone()).await, (json!(0), json!(0)));
    let (carla, booking, codes) = paid(&app, "carla@example.com", &["C1", "C2", "C3"]).await;
    assert_eq!(door(usher.clone()).await, (json!(0), json!(3)));
    let cancelled = app
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            Some(&carla),
            json!({ "seats": ["C3"] }),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
    assert_eq!(door(usher.clone()).await, (json!(0), json!(2)));
    doors_open(&app);
    assert_eq!(scan(&app, &usher, &codes[0]).await.status, StatusCode::OK);
    assert_eq!(door(usher.clone()).await, (json!(1), json!(2)));
    assert_eq!(
        app.get(&path, Some(&carla)).await.code(),
        "forbidden",
        "not for customers"
    );
}
