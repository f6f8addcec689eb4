//! `/api/v1/admin`: the back office's API. Every handler takes a `Staff<Role>` extractor (the
//! one place a role is checked) and calls a service (`back_office`, `staff`) that checks the
//! venue and the rules. The route list is `routes`; the tests walk it to prove every route
//! refuses strangers.

pub mod audit;
pub mod blocked_seats;
pub mod bookings;
pub mod catalog;
pub mod dashboard;
pub mod pricing;
pub mod refund_policy;
pub mod reminders;
pub mod schedule;
pub mod staff;
pub mod week;

use crate::app::App;
use crate::staff::StaffUser;
use marquee_store::Actor;
use serde::Serialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(staff::invite, staff::list))
        .routes(routes!(staff::remove))
        .routes(routes!(catalog::list_cities, catalog::create_city))
        .routes(routes!(catalog::list_venues, catalog::create_venue))
        .routes(routes!(catalog::update_venue))
        .routes(routes!(pricing::get_price_plan, pricing::put_price_plan))
        .routes(routes!(
            catalog::list_auditoriums,
            catalog::create_auditorium
        ))
        .routes(routes!(catalog::get_auditorium))
        .routes(routes!(catalog::replace_layout))
        .routes(routes!(catalog::preview_layout))
        .routes(routes!(catalog::list_events, catalog::create_event))
        .routes(routes!(catalog::update_event))
        .routes(
            routes!(catalog::upload_poster).layer(axum::extract::DefaultBodyLimit::max(
                crate::back_office::MAX_POSTER_BYTES,
            )),
        )
        .routes(routes!(schedule::create_showtime))
        .routes(routes!(
            schedule::update_showtime,
            schedule::delete_showtime
        ))
        .routes(routes!(
            blocked_seats::list_blocked_seats,
            blocked_seats::block_seats,
            blocked_seats::unblock_seats
        ))
        .routes(routes!(schedule::cancel_showtime))
        .routes(routes!(schedule::create_schedule))
        .routes(routes!(schedule::copy_week))
        .routes(routes!(week::venue_week))
        .routes(routes!(
            refund_policy::get_refund_policy,
            refund_policy::put_refund_policy
        ))
        .routes(routes!(reminders::get_reminder, reminders::put_reminder))
        .routes(routes!(bookings::find_bookings))
        .routes(routes!(bookings::get_booking))
        .routes(routes!(bookings::refund_booking))
        .routes(routes!(bookings::resend_tickets))
        .routes(routes!(audit::audit_log))
        .routes(routes!(dashboard::dashboard))
}

/// `staff`'s write `action`, recorded in the audit log with the values rendered by `render`
/// (the API's own JSON of the thing).
fn by<T>(app: &App, staff: &StaffUser, action: &'static str, render: fn(&T) -> Value) -> Actor<T> {
    Actor::staff(staff.user.id, app.now(), action, render)
}

/// A value as the audit log keeps it: the JSON the API answers with.
fn json(body: impl Serialize) -> Value {
    serde_json::to_value(body).unwrap_or(Value::Null)
}
