//! The back office's pages, under `/admin`: one module per page.

pub mod audit;
pub mod bookings;
pub mod checkin;
pub mod clashes;
pub mod films;
pub mod join;
pub mod layout;
pub mod mail;
pub mod price_plan;
pub mod schedule;
pub mod showtime;
pub mod staff;
pub mod today;
pub mod totp;
pub mod venues;
pub mod week;

use marquee_server::staff::StaffUser;
use marquee_server::App;
use marquee_store::Actor;

/// `staff`'s write `action` as the audit log records it, with the values rendered by the
/// API's own `render` (`http::admin::catalog::venue_json`...): the log reads the same whether
/// a write came from a page or the API.
pub fn by<T>(
    app: &App,
    staff: &StaffUser,
    action: &'static str,
    render: fn(&T) -> serde_json::Value,
) -> Actor<T> {
    Actor::staff(staff.user.id, app.now(), action, render)
}

/// A number of minutes typed into a form: `None` when left empty, an error when it is no
/// whole number (the form shows one next to the field).
pub fn minutes(typed: &str) -> Result<Option<u32>, std::num::ParseIntError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    typed.parse().map(Some)
}

/// An id in a page's path; anything else is the 404 page (no such page).
pub fn id_of(text: &str) -> Result<i64, crate::page::PageError> {
    text.parse().map_err(|_| {
        crate::page::PageError::Status(
            axum::http::StatusCode::NOT_FOUND,
            "There is no page at this address.",
        )
    })
}

pub use crate::words::{local, tag_words};
