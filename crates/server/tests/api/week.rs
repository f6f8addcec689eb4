//! A venue's week of showtimes as the week view reads it: the week of the venue's own wall
//! clock, its halls, each showtime's slot and how full it is.

use crate::both_backends;
use crate::helpers::TestApp;
use crate::payments::{booking_when, checkout, held, pay, SUCCEEDS};
use crate::schedule::plan;
use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, Utc};
use marquee_domain::StaffRole;
use marquee_store::conformance::fixtures;
use serde_json::{json, Value};

both_backends!(
    a_venues_week_lists_its_showtimes_by_hall_with_their_slots_and_seats,
    a_week_is_the_venues_own_from_local_monday_to_sunday,
);

fn week_path(venue: i64, week: Option<&str>) -> String {
    match week {
        Some(week) => format!("/api/v1/admin/venues/{venue}/schedule?week={week}"),
        None => format!("/api/v1/admin/venues/{venue}/schedule"),
    }
}

fn ids(week: &Value) -> Vec<i64> {
    week["showtimes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

async fn a_venues_week_lists_its_showtimes_by_hall_with_their_slots_and_seats(app: TestApp) {
    let venue = app.world.venue.id;
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[venue])
        .await;
    let put = app
        .request(
            Method::PUT,
            &format!("/api/v1/admin/venues/{}/price-plan", venue.0),
            Some(&manager),
            Some(plan()),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    // Next week's showtime is not this week's.
    let next_week = app
        .post(
            "/api/v1/admin/showtimes",
            Some(&manager),
            json!({ "event_id": app.world.event.id.0,
                    "auditorium_id": app.world.auditorium.auditorium.id.0,
                    "starts_at": "2026-12-01T20:00:00Z", "format": "3D",
                    "access": ["captioned", "relaxed"] }),
        )
        .await;
    assert_eq!(
        next_week.status,
        StatusCode::CREATED,
        "{:?}",
        next_week.body
    );

    // Two seats sold and one held at the world's showtime (Tuesday 24 November, 12:00).
    let (buyer, booking) = held(&app, "ana@example.com", &["A1", "A2"]).await;
    let started = checkout(&app, &buyer, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().unwrap().to_string();
    assert_eq!(
        pay(&app, &payment_ref, SUCCEEDS).await.status,
        StatusCode::OK
    );
    booking_when(&app, &buyer, &booking, "confirmed").await;
    held(&app, "bo@example.com", &["A3"]).await;

    // Any day names its week; no day is this week on the venue's clock (t0 is its Monday).
    let week = app
        .get(&week_path(venue.0, Some("2026-11-26")), Some(&manager))
        .await;
    assert_eq!(week.status, StatusCode::OK, "{:?}", week.body);
    let default = app.get(&week_path(venue.0, None), Some(&manager)).await;
    assert_eq!(default.body, week.body);
    let body = &week.body;
    assert_eq!(body["week"], "2026-11-23");
    assert_eq!(body["previous_week"], "2026-11-16");
    assert_eq!(body["next_week"], "2026-11-30");
    assert_eq!(body["timezone"], "Europe/Lisbon");
    assert_eq!(
        body["auditoriums"],
        json!([{ "id": app.world.auditorium.auditorium.id.0, "name": "Sala 1", "capacity": 21 }])
    );
    assert_eq!(ids(body), [app.showtime_id()]);
    let shown = &body["showtimes"][0];
    assert_eq!(shown["event_title"], "The Long Light");
    assert_eq!(shown["auditorium_name"], "Sala 1");
    assert_eq!(shown["starts_at"], "2026-11-24T12:00:00Z");
    // Adverts 20, the film 100, cleaning 15 minutes.
    assert_eq!(shown["ends_at"], "2026-11-24T14:15:00Z");
    assert_eq!(
        (
            &shown["capacity"],
            &shown["seats_sold"],
            &shown["seats_held"],
            &shown["seats_available"]
        ),
        (&json!(21), &json!(2), &json!(1), &json!(18))
    );

    let next = app
        .get(&week_path(venue.0, Some("2026-11-30")), Some(&manager))
        .await;
    assert_eq!(ids(&next.body), [next_week.body["id"].as_i64().unwrap()]);
    let shown = &next.body["showtimes"][0];
    assert_eq!(shown["format"], "3D");
    assert_eq!(shown["access"], json!(["captioned", "relaxed"]));
    assert_eq!(shown["starts_at_local"], "2026-12-01T20:00:00+00:00");
    assert_eq!(
        (&shown["seats_sold"], &shown["seats_held"]),
        (&json!(0), &json!(0))
    );

    // A hold that has run out holds nothing.
    app.advance(Duration::minutes(11));
    let later = app
        .get(&week_path(venue.0, Some("2026-11-23")), Some(&manager))
        .await;
    assert_eq!(later.body["showtimes"][0]["seats_held"], 0);
    assert_eq!(later.body["showtimes"][0]["seats_sold"], 2);

    for wrong in ["2026-13-01", "monday", "2026-11-31"] {
        let refused = app
            .get(&week_path(venue.0, Some(wrong)), Some(&manager))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{wrong}");
        assert_eq!(refused.code(), "invalid_query", "{wrong}");
    }
    // The calendar's last week has no week after it to page to.
    let last = chrono::NaiveDate::MAX.to_string().replace('+', "%2B");
    let edge = app
        .get(&week_path(venue.0, Some(&last)), Some(&manager))
        .await;
    assert_eq!(edge.status, StatusCode::BAD_REQUEST, "{:?}", edge.body);
    assert_eq!(edge.code(), "invalid_request");
    let (_, elsewhere) = fixtures::city_in(&*app.store, "Porto", chrono_tz::Europe::Lisbon).await;
    let (other, _) = app
        .staff("mo@example.com", StaffRole::Manager, &[elsewhere.id])
        .await;
    let hidden = app.get(&week_path(venue.0, None), Some(&other)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.code(), "venue_not_found");
    let theirs = app
        .get(&week_path(elsewhere.id.0, None), Some(&other))
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.body["showtimes"], json!([]));
    assert_eq!(theirs.body["auditoriums"], json!([]));
}

/// New York is five hours behind UTC in November: a showtime on Sunday evening there starts
/// on Monday in UTC, and is still the week's.
async fn a_week_is_the_venues_own_from_local_monday_to_sunday(app: TestApp) {
    let (_, venue) = fixtures::city_in(&*app.store, "New York", chrono_tz::America::New_York).await;
    let hall = fixtures::auditorium(&*app.store, venue.id, "Screen 1", fixtures::LAYOUT).await;
    let (owner, _) = app.staff("olga@example.com", StaffRole::Owner, &[]).await;
    let put = app
        .request(
            Method::PUT,
            &format!("/api/v1/admin/venues/{}/price-plan", venue.id.0),
            Some(&owner),
            Some(plan()),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    let at =
        |local: &str| -> DateTime<Utc> { fixtures::at_local(chrono_tz::America::New_York, local) };
    let mut scheduled = Vec::new();
    for local in ["2026-11-23 20:00", "2026-11-29 21:00", "2026-11-30 10:00"] {
        let made = app
            .post(
                "/api/v1/admin/showtimes",
                Some(&owner),
                json!({ "event_id": app.world.event.id.0,
                        "auditorium_id": hall.auditorium.id.0,
                        "starts_at": at(local), "format": "2D" }),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{local}: {:?}", made.body);
        scheduled.push(made.body["id"].as_i64().unwrap());
    }
    let week = app
        .get(&week_path(venue.id.0, Some("2026-11-29")), Some(&owner))
        .await;
    assert_eq!(week.body["timezone"], "America/New_York");
    assert_eq!(week.body["week"], "2026-11-23");
    assert_eq!(ids(&week.body), scheduled[..2]);
    assert_eq!(
        week.body["showtimes"][1]["starts_at_local"],
        "2026-11-29T21:00:00-05:00"
    );
    let next = app
        .get(&week_path(venue.id.0, Some("2026-11-30")), Some(&owner))
        .await;
    assert_eq!(ids(&next.body), scheduled[2..]);
}
