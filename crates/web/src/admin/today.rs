//! `/admin`: today at a glance. Per venue, today's sales, today's showtimes still to come
//! with their occupancy as a bar (SVG drawn here, readable without JavaScript), live holds;
//! and the newest bookings. The figures come from `dashboard::today`, as the API's do.

use super::local;
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono_tz::Tz;
use marquee_server::dashboard::{self, Today};
use marquee_server::http::staff::BoxOffice;
use marquee_server::App;
use marquee_store::dashboard::ShowtimeOccupancy;

#[derive(Template)]
#[template(path = "admin/today.html")]
struct TodayPage {
    shell: Shell,
    venues: Vec<VenueView>,
    recent: Vec<BookingView>,
}

struct VenueView {
    name: String,
    city: String,
    /// "Thursday 3 December".
    date: String,
    tickets: u32,
    /// Each currency's amount ("26.50") and code ("GBP"), the code shown smaller.
    revenue: Vec<(String, String)>,
    holds: u32,
    held_seats: u32,
    showtimes: Vec<ShowtimeView>,
    /// Today's showtimes after those shown.
    later: usize,
}

/// How many of a venue's next showtimes the page shows; the rest are counted.
const NEXT_SHOWTIMES: usize = 5;

struct ShowtimeView {
    /// Local to the venue: "19:30".
    time: String,
    /// For `<time datetime>`.
    at: String,
    title: String,
    auditorium: String,
    bar: Bar,
}

/// An occupancy bar: widths on a 0–`Bar::WIDTH` scale, and the same in words.
pub struct Bar {
    pub sold: u32,
    pub held: u32,
    pub label: String,
}

impl Bar {
    /// The bar's length in SVG units (the `viewBox`); it stretches to its box.
    pub const WIDTH: u32 = 200;

    pub fn of(showtime: &ShowtimeOccupancy) -> Bar {
        Bar::new(showtime.seats, showtime.sold, showtime.held)
    }

    /// The bar of `sold` and `held` of `seats` seats.
    pub fn new(seats: u32, sold: u32, held: u32) -> Bar {
        let all = seats;
        let seats = seats.max(1);
        let width =
            |n: u32| (u64::from(n.min(seats)) * u64::from(Self::WIDTH) / u64::from(seats)) as u32;
        let sold_width = width(sold);
        let held_width = width(sold.saturating_add(held)).saturating_sub(sold_width);
        let percent = u64::from(sold) * 100 / u64::from(seats);
        Bar {
            sold: sold_width,
            held: held_width,
            label: format!("{sold} of {all} seats sold ({percent}%), {held} held"),
        }
    }
}

struct BookingView {
    reference: String,
    status: &'static str,
    title: String,
    venue: String,
    showtime: String,
    seats: u32,
    total: String,
    booked: String,
}

/// `GET /admin`: for the box office and up, their venues' figures.
pub async fn page(State(app): State<App>, staff: Staff<BoxOffice>) -> Result<Response, PageError> {
    let today = dashboard::today(&app, staff.staff.venue_filter()).await?;
    let signed_in = &staff.signed_in;
    let page = TodayPage {
        shell: Shell::staff(signed_in, &staff.staff, "/admin"),
        recent: bookings(&today),
        venues: today.venues.into_iter().map(venue).collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

fn venue(v: marquee_server::dashboard::VenueToday) -> VenueView {
    let revenue = v
        .revenue
        .iter()
        .map(|money| {
            let shown = money.to_string();
            match shown.rsplit_once(' ') {
                Some((amount, currency)) => (amount.to_string(), currency.to_string()),
                None => (shown, String::new()),
            }
        })
        .collect();
    VenueView {
        date: v.date.format("%A %-d %B").to_string(),
        later: v.showtimes.len().saturating_sub(NEXT_SHOWTIMES),
        showtimes: v
            .showtimes
            .iter()
            .take(NEXT_SHOWTIMES)
            .map(|s| ShowtimeView {
                time: local(s.starts_at, v.timezone, "%H:%M"),
                at: s.starts_at.to_rfc3339(),
                title: s.title.clone(),
                auditorium: s.auditorium.clone(),
                bar: Bar::of(s),
            })
            .collect(),
        name: v.name,
        city: v.city,
        tickets: v.tickets,
        revenue,
        holds: v.holds,
        held_seats: v.held_seats,
    }
}

fn bookings(today: &Today) -> Vec<BookingView> {
    today
        .recent
        .iter()
        .map(|b| {
            let (venue, zone) = today
                .venue(b.venue)
                .map_or((String::new(), Tz::UTC), |v| (v.name.clone(), v.timezone));
            BookingView {
                reference: b.reference.clone(),
                status: b.status.as_str(),
                title: b.title.clone(),
                venue,
                showtime: local(b.starts_at, zone, "%a %-d %b %H:%M"),
                seats: b.seats,
                total: b.total.to_string(),
                booked: local(b.created_at, zone, "%-d %b %H:%M"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use marquee_domain::{ShowtimeId, VenueId};

    fn occupancy(seats: u32, sold: u32, held: u32) -> ShowtimeOccupancy {
        ShowtimeOccupancy {
            showtime: ShowtimeId(1),
            venue: VenueId(1),
            auditorium: "1".into(),
            title: "A film".into(),
            starts_at: DateTime::UNIX_EPOCH,
            seats,
            sold,
            held,
        }
    }

    #[test]
    fn a_bar_is_as_long_as_the_share_of_seats_taken() {
        let bar = Bar::of(&occupancy(100, 25, 10));
        assert_eq!((bar.sold, bar.held), (50, 20));
        assert_eq!(bar.label, "25 of 100 seats sold (25%), 10 held");
        let full = Bar::of(&occupancy(3, 3, 0));
        assert_eq!((full.sold, full.held), (Bar::WIDTH, 0));
        let empty = Bar::of(&occupancy(0, 0, 0));
        assert_eq!((empty.sold, empty.held), (0, 0));
    }
}
