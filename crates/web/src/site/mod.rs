//! The customer site's pages: one module per page, the seat map's HTML in `seat_grid`.

pub mod booking;
pub mod seat_grid;
pub mod showtime;
