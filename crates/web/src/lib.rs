//! Marquee's web pages, rendered on the server over the same services as the JSON API (a rule
//! lives in the service, never only in a page). Browsing works without JavaScript.
//!
//! Where things are:
//! - `routes` below: every page route, in one list. A page's handler is in the module named
//!   after it (`login`, `admin::today`), its template in `templates/` under the same name.
//! - `shell`: the header, navigation and account around every page (`templates/base.html`).
//! - `page`: rendering a template into an answer (with the pages' CSP), and the error pages.
//! - `form`: a form's errors next to their fields.
//! - `session`: the session cookie and the `SignedIn` / `Staff` extractors; `csrf`: the
//!   CSRF token and the guard on every state-changing request.
//! - `assets`: the stylesheet and scripts (`assets/`), embedded, served with hashed names.

pub mod admin;
pub mod assets;
pub mod csrf;
pub mod form;
pub mod login;
pub mod page;
pub mod session;
pub mod shell;
pub mod site;
pub mod words;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use marquee_server::http::Pages;
use marquee_server::App;
use tower_http::catch_panic::CatchPanicLayer;

/// The pages, for `marquee_server::http::router_with_pages`.
pub fn pages(app: &App) -> Pages {
    let routes = Router::new()
        // The customer site: browsing, accounts.
        .route("/", get(site::home::page))
        .route("/films/{id}", get(site::film::page))
        .route("/search", get(site::search::page))
        .route(
            "/signup",
            get(site::signup::form).post(site::signup::submit),
        )
        .route("/bookings", get(site::my_bookings::page))
        .route(
            "/password/reset",
            get(site::password_reset::ask).post(site::password_reset::send),
        )
        .route(
            "/password/reset/{token}",
            get(site::password_reset::link).post(site::password_reset::set),
        )
        // The customer site: seats and bookings.
        .route("/showtimes/{id}", get(site::showtime::page))
        .route("/showtimes/{id}/hold", post(site::showtime::hold))
        .route("/bookings/{id}", get(site::booking::page))
        .route("/bookings/{id}/checkout", post(site::booking::checkout))
        .route("/bookings/{id}/pay", get(site::booking::pay))
        .route("/bookings/{id}/release", post(site::booking::release))
        .route("/bookings/{id}/moved", get(site::moved::page))
        .route("/bookings/{id}/moved/keep", post(site::moved::keep))
        .route(
            "/bookings/{id}/cancel",
            get(site::cancel::form).post(site::cancel::submit),
        )
        .route(
            "/bookings/{id}/tickets.pdf",
            get(site::booking::tickets_pdf),
        )
        .route(
            "/bookings/{id}/calendar.ics",
            get(site::booking::calendar_ics),
        )
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/admin", get(admin::today::page))
        .route(
            "/admin/totp",
            get(admin::totp::form).post(admin::totp::confirm),
        )
        .route(
            "/admin/venues",
            get(admin::venues::list).post(admin::venues::create),
        )
        .route("/admin/cities", post(admin::venues::create_city))
        .route(
            "/admin/venues/{id}",
            get(admin::venues::show).post(admin::venues::update),
        )
        .route(
            "/admin/venues/{id}/auditoriums",
            post(admin::venues::add_auditorium),
        )
        .route("/admin/venues/{id}/week", get(admin::week::page))
        .route("/admin/venues/{id}/week/copy", post(admin::week::copy))
        .route(
            "/admin/venues/{id}/schedule",
            get(admin::schedule::form).post(admin::schedule::submit),
        )
        .route(
            "/admin/venues/{id}/price-plan",
            get(admin::price_plan::page).post(admin::price_plan::save),
        )
        .route("/admin/price-plans", get(admin::price_plan::list))
        .route(
            "/admin/showtimes/{id}",
            get(admin::showtime::page).post(admin::showtime::move_to),
        )
        .route("/admin/showtimes/{id}/door", get(admin::showtime::door))
        .route("/admin/showtimes/{id}/block", post(admin::showtime::block))
        .route(
            "/admin/showtimes/{id}/unblock",
            post(admin::showtime::unblock),
        )
        .route(
            "/admin/showtimes/{id}/delete",
            post(admin::showtime::delete),
        )
        .route(
            "/admin/showtimes/{id}/cancel",
            post(admin::showtime::cancel),
        )
        .route("/admin/bookings", get(admin::bookings::find))
        .route("/admin/bookings/{id}", get(admin::bookings::booking))
        .route("/admin/bookings/{id}/refund", post(admin::bookings::refund))
        .route("/admin/bookings/{id}/resend", post(admin::bookings::resend))
        .route(
            "/admin/auditoriums/{id}/layout",
            get(admin::layout::page).post(admin::layout::save),
        )
        .route("/admin/layouts/preview", post(admin::layout::preview))
        .route(
            "/admin/films",
            get(admin::films::list).post(admin::films::create),
        )
        .route(
            "/admin/films/{id}",
            get(admin::films::show).post(admin::films::update),
        )
        .route(
            "/admin/films/{id}/poster",
            post(admin::films::upload_poster).layer(DefaultBodyLimit::max(csrf::MULTIPART_LIMIT)),
        )
        .route("/admin/audit", get(admin::audit::page))
        .route("/admin/mail", get(admin::mail::page))
        .route(
            "/admin/checkin",
            get(admin::checkin::form).post(admin::checkin::admit),
        )
        .route(
            "/admin/staff",
            get(admin::staff::list).post(admin::staff::invite),
        )
        .route("/admin/staff/{user}/remove", post(admin::staff::remove))
        .route(
            "/admin/join/{token}",
            get(admin::join::form).post(admin::join::submit),
        )
        .route("/assets/{file}", get(assets::serve));
    Pages {
        routes: guarded(app, routes),
        error_page: page::error_page,
    }
}

/// What every page route gets: the CSRF check of state-changing requests, and a panic
/// answered with the HTML 500 page.
pub fn guarded(app: &App, routes: Router<App>) -> Router<App> {
    routes
        .layer(middleware::from_fn_with_state(app.clone(), csrf::guard))
        .layer(CatchPanicLayer::custom(page::panic_page))
}
