//! Tickets to keep (`GET /bookings/{id}/tickets.pdf` and `/calendar.ics`): read back with
//! parsers of their own (lopdf, icalendar), not with the code that writes them.

use crate::check_in::paid;
use crate::helpers::TestApp;
use axum::http::{header, StatusCode};
use icalendar::{Component, EventLike};

crate::both_backends!(
    a_paid_booking_prints_one_ticket_a_page,
    a_paid_booking_is_one_calendar_event_with_its_time_and_place,
    tickets_are_only_for_ones_own_confirmed_bookings,
);

/// The text of each page of a PDF, read with lopdf.
fn pages_text(pdf: &[u8]) -> Vec<String> {
    let document = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    document
        .get_pages()
        .keys()
        .map(|&page| document.extract_text(&[page]).expect("a page's text"))
        .collect()
}

async fn a_paid_booking_prints_one_ticket_a_page(app: TestApp) {
    let (token, booking, codes) = paid(&app, "carla@example.com", &["C1", "C2"]).await;
    let (status, headers, pdf) = app
        .get_file(
            &format!("/api/v1/bookings/{booking}/tickets.pdf"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    let reference = app
        .get(&format!("/api/v1/bookings/{booking}"), Some(&token))
        .await
        .body["reference"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"marquee-{reference}.pdf\"").as_str()
    );

    let pages = pages_text(&pdf);
    assert_eq!(pages.len(), 2, "one page per ticket: {pages:?}");
    // The showtime on Lisbon's clock.
    let starts = app.world.showtime.showtime.starts_at;
    let local = starts
        .with_timezone(&chrono_tz::Europe::Lisbon)
        .format("%a %-d %b %Y, %H:%M")
        .to_string();
    for (page, (seat, code)) in pages.iter().zip(["C1", "C2"].iter().zip(&codes)) {
        for expected in [
            "The Long Light",
            "Cinema Tejo",
            "Rua Augusta 1",
            "Sala 1",
            local.as_str(),
            seat,
            "Adult",
            reference.as_str(),
            code.as_str(),
        ] {
            assert!(
                page.contains(expected),
                "{expected:?} not on the page: {page:?}"
            );
        }
    }
    // The price: the seat's with its fee, as Money shows it.
    let body = app
        .get(&format!("/api/v1/bookings/{booking}"), Some(&token))
        .await
        .body;
    let fee = body["fees"].as_i64().unwrap() / 2;
    let price = body["lines"][0]["price"].as_i64().unwrap() + fee;
    let price = format!(
        "{}.{:02} {}",
        price / 100,
        price % 100,
        body["currency"].as_str().unwrap()
    );
    assert!(pages[0].contains(&price), "{price} not on {:?}", pages[0]);

    // A one-seat booking: one page.
    let (token, booking, _) = paid(&app, "dora@example.com", &["A1"]).await;
    let (_, _, pdf) = app
        .get_file(
            &format!("/api/v1/bookings/{booking}/tickets.pdf"),
            Some(&token),
        )
        .await;
    assert_eq!(pages_text(&pdf).len(), 1);
}

async fn a_paid_booking_is_one_calendar_event_with_its_time_and_place(app: TestApp) {
    let (token, booking, _) = paid(&app, "carla@example.com", &["C1", "C2"]).await;
    let path = format!("/api/v1/bookings/{booking}/calendar.ics");
    let (status, headers, ics) = app.get_file(&path, Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    let ics = String::from_utf8(ics).expect("UTF-8");
    // Every line ends with CRLF and none is longer than 75 octets.
    assert!(ics.ends_with("\r\n"));
    for line in ics.trim_end_matches("\r\n").split("\r\n") {
        assert!(!line.contains('\n'), "a bare LF in {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }

    let calendar: icalendar::Calendar = ics.parse().expect("the calendar parses");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 1, "{ics}");
    let event = events[0];
    let starts = app.world.showtime.showtime.starts_at;
    assert_eq!(
        event.property_value("DTSTART"),
        Some(starts.format("%Y%m%dT%H%M%SZ").to_string().as_str())
    );
    assert_eq!(
        event.get_start(),
        Some(icalendar::DatePerhapsTime::DateTime(
            icalendar::CalendarDateTime::Utc(starts)
        ))
    );
    assert!(matches!(
        event.get_end(),
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(end))) if end > starts
    ));
    assert_eq!(event.get_summary(), Some("The Long Light"));
    assert_eq!(
        event.get_location(),
        Some("Cinema Tejo, Rua Augusta 1, Lisbon")
    );
    let description = event.get_description().expect("a description");
    assert!(description.contains("C1, C2"), "{description}");
    // The same UID on every download.
    let uid = event.get_uid().expect("a UID").to_string();
    let (_, _, again) = app.get_file(&path, Some(&token)).await;
    let again: icalendar::Calendar = String::from_utf8(again).unwrap().parse().unwrap();
    assert_eq!(
        again
            .components
            .iter()
            .find_map(|c| c.as_event())
            .and_then(|e| e.get_uid()),
        Some(uid.as_str())
    );
}

async fn tickets_are_only_for_ones_own_confirmed_bookings(app: TestApp) {
    let (_, booking, _) = paid(&app, "carla@example.com", &["C1"]).await;
    let other = app.customer("eve@example.com").await;
    let hold = app.hold(&other, &["B2"]).await;
    let held = hold.body["id"].as_str().unwrap().to_string();
    for file in ["tickets.pdf", "calendar.ics"] {
        // Someone else's: as if it did not exist.
        let theirs = app
            .get(&format!("/api/v1/bookings/{booking}/{file}"), Some(&other))
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{file}");
        assert_eq!(theirs.code(), "booking_not_found");
        let unknown = app
            .get(&format!("/api/v1/bookings/123456/{file}"), Some(&other))
            .await;
        assert_eq!(unknown.code(), "booking_not_found");
        // A hold has no tickets yet.
        let hold = app
            .get(&format!("/api/v1/bookings/{held}/{file}"), Some(&other))
            .await;
        assert_eq!(hold.status, StatusCode::CONFLICT, "{file}");
        assert_eq!(hold.code(), "booking_not_confirmed");
        // Nobody.
        let nobody = app
            .get(&format!("/api/v1/bookings/{booking}/{file}"), None)
            .await;
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    }
}
