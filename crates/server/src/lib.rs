//! Marquee's services and HTTP API: everything between the binary and the store.
//!
//! - `accounts`, `bookings`, `catalog`: the services, one per concern; handlers call them.
//!   `password_resets`: links to set a forgotten password; `whats_on`: a city's day of
//!   showtimes, kept a few seconds per node (the customer site's home page).
//! - `http`: the axum router, extractors, error table and OpenAPI document.
//! - `hold_queue`: group commit of holds; `seat_changes`: the stream of committed seat
//!   changes; `seat_maps`: seat maps cached per showtime, kept in step by that stream;
//!   `session_cache`: logins checked lately; `password_hashers`: argon2 on a fixed pool.
//! - `rate_limits`, `client_address`, `login_throttle`: limits on what one client may ask.
//! - `payments`: checkout, webhooks, refunds and reconciliation, and the sandbox gateway.
//! - `jobs`: background work (the hold sweeper, payment reconciliation); `mail`: the outbox
//!   delivered over SMTP or into the mailbox.
//! - `server`: serving HTTP until a shutdown, then draining; `prometheus`: the metrics
//!   recorder behind `/metrics`.
//! - `dashboard`: the back office's "today at a glance"; `check_in`: tickets admitted at the
//!   door, once.
//! - `tickets`: a confirmed booking's tickets to keep, as a PDF and a calendar event.
//! - `demo`: the demo catalog.

pub mod accounts;
pub mod app;
pub mod back_office;
pub mod bookings;
pub mod box_office;
pub mod cancellations;
pub mod catalog;
pub mod check_in;
pub mod client_address;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod hold_queue;
pub mod http;
pub mod jobs;
pub mod login_throttle;
pub mod mail;
pub mod password_hashers;
pub mod password_resets;
pub mod payments;
pub mod price_plans;
pub mod prometheus;
pub mod qr;
pub mod rate_limits;
pub mod reminders;
pub mod scheduling;
pub mod search;
pub mod seat_changes;
pub mod seat_maps;
pub mod server;
pub mod session_cache;
pub mod showtime_moves;
pub mod staff;
pub mod tickets;
pub mod totp;
pub mod whats_on;

pub use app::App;
pub use config::Config;
