//! `/bookings` (My bookings): the signed-in customer's bookings, newest first
//! (`bookings::list`, as the API's `GET /bookings`), a page at a time (`?before=<id>`): each
//! with its film, cinema, time on the venue's clock, seats, status in words and total, linking
//! to the booking's page. Someone not signed in is sent to log in first.

use crate::page::{html, PageError};
use crate::session::SignedIn;
use crate::shell::Shell;
use crate::words::{booking_status, local_time};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use futures::future::try_join_all;
use marquee_domain::{Booking, BookingId, ShowtimeId};
use marquee_server::{bookings, App};
use marquee_store::{BookingPage, ShowtimeInfo};
use serde::Deserialize;
use std::collections::BTreeSet;

/// Bookings a page shows.
const PER_PAGE: u32 = 20;

#[derive(Template)]
#[template(path = "site/my_bookings.html")]
struct MyBookingsPage {
    shell: Shell,
    bookings: Vec<Row>,
    /// The next page's link, when there may be one.
    older: Option<String>,
    /// Whether this is a later page than the first.
    later_page: bool,
}

struct Row {
    id: i64,
    reference: String,
    film: String,
    cinema: String,
    when: String,
    seats: String,
    status: &'static str,
    /// The status as a class name (`confirmed`), for its colour; the words say it too.
    status_class: &'static str,
    total: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MyBookingsQuery {
    before: Option<String>,
}

/// `GET /bookings`.
pub async fn page(
    State(app): State<App>,
    signed_in: SignedIn,
    Query(query): Query<MyBookingsQuery>,
) -> Result<Response, PageError> {
    let before = match query.before.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(BookingId(id.parse().map_err(|_| {
            PageError::Status(
                StatusCode::BAD_REQUEST,
                "That page of bookings could not be read.",
            )
        })?)),
    };
    let list = bookings::list(
        &app,
        &signed_in.user,
        BookingPage {
            before,
            limit: PER_PAGE,
        },
    )
    .await?;
    let now = app.now();
    // Each showtime once, read at the same time.
    let ids: BTreeSet<ShowtimeId> = list.iter().map(|b| b.showtime_id).collect();
    let store = app.store();
    let showtimes: Vec<Option<ShowtimeInfo>> =
        try_join_all(ids.iter().map(|id| store.get_showtime(*id, now))).await?;
    let showtimes: Vec<ShowtimeInfo> = showtimes.into_iter().flatten().collect();
    let older = (list.len() == PER_PAGE as usize)
        .then(|| list.last().map(|b| format!("/bookings?before={}", b.id.0)))
        .flatten();
    let rows = list
        .iter()
        .map(|booking| row(booking, &showtimes, now))
        .collect();
    let page = MyBookingsPage {
        shell: Shell::customer(Some(&signed_in), "/bookings"),
        bookings: rows,
        older,
        later_page: before.is_some(),
    };
    Ok(html(StatusCode::OK, &page))
}

fn row(booking: &Booking, showtimes: &[ShowtimeInfo], now: chrono::DateTime<chrono::Utc>) -> Row {
    let info = showtimes
        .iter()
        .find(|s| s.showtime.id == booking.showtime_id);
    let status = booking.status_at(now);
    Row {
        id: booking.id.0,
        reference: booking.reference.to_string(),
        film: info.map_or_else(
            || "A showing no longer listed".to_string(),
            |i| i.event_title.clone(),
        ),
        cinema: info.map_or_else(String::new, |i| {
            format!("{}, {}", i.venue.name, i.auditorium_name)
        }),
        when: info.map_or_else(String::new, |i| {
            local_time(i.showtime.starts_at, i.city.timezone)
        }),
        seats: booking.seat_labels().join(", "),
        status: booking_status(status),
        status_class: status.as_str(),
        total: booking.quote.total.to_string(),
    }
}
