//! The API as a client sees it, in process, on both database backends.
//!
//! Each test is written once as `async fn name(app: TestApp)` and run twice by `both_backends!`:
//! on a fresh SQLite file and on a fresh PostgreSQL database. Time is a manual clock.

mod helpers;

mod accounts;
mod back_office;
mod bad_input;
mod blocked_seats;
mod bookings;
mod cancellations;
mod catalog;
mod check_in;
mod demo;
mod event_fields;
mod headers;
mod hold_limits;
mod layout_edits;
mod live;
mod mail;
mod observe;
mod openapi;
mod outage;
mod password;
mod payments;
mod proxy;
mod rate_limits;
mod schedule;
mod search;
mod seat_changes;
mod seat_maps;
mod showtime_moves;
mod staff;
mod ticket_types;
mod tickets;
mod week;
