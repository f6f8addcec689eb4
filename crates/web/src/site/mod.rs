//! The customer site's pages: one module per page, the seat map's HTML in `seat_grid`;
//! `city` is the city a visitor browses and `listing` what the home page and a film's page
//! show alike.

pub mod booking;
pub mod city;
pub mod film;
pub mod home;
pub mod listing;
pub mod my_bookings;
pub mod password_reset;
pub mod seat_grid;
pub mod showtime;
pub mod signup;
