//! The customer site's pages: one module per page, the seat map's HTML in `seat_grid`;
//! `city` is the city a visitor browses and `listing` what the home page and a film's page
//! show alike.

pub mod booking;
pub mod cancel;
pub mod city;
pub mod film;
pub mod home;
pub mod listing;
pub mod moved;
pub mod my_bookings;
pub mod password_reset;
pub mod search;
pub mod seat_grid;
pub mod showtime;
pub mod signup;

use crate::session::SignedIn;
use marquee_server::error::AppResult;
use marquee_server::rate_limits::{AccountKey, RouteClass};
use marquee_server::App;

/// The API's per-account limit on booking actions (hold, checkout, release), for the page
/// that takes one: the same budget whichever way the customer comes.
pub fn within_booking_limit(app: &App, signed_in: &SignedIn) -> AppResult<()> {
    app.rate_limits()
        .check_account(RouteClass::Booking, AccountKey::User(signed_in.user.id))
}

/// A booking id from a page's address; anything else is no page.
pub(crate) fn booking_id(text: &str) -> Result<marquee_domain::BookingId, crate::page::PageError> {
    text.parse().map(marquee_domain::BookingId).map_err(|_| {
        crate::page::PageError::Status(
            axum::http::StatusCode::NOT_FOUND,
            "There is no page at this address.",
        )
    })
}
