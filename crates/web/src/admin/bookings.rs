//! `/admin/bookings`: the box office finds a booking by its reference, its customer's email or
//! a ticket's code, and reads it (seats, tickets, payment, refunds and what the customer said
//! of their access needs); a manager refunds it in full, whole or some seats, with a reason.
//! Everything goes through `box_office`, as the API's `/admin/bookings` routes do.

use crate::form::FieldErrors;
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use crate::words::{booking_status, local_time};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use marquee_domain::{BookingStatus, StaffRole};
use marquee_server::box_office::{self, StaffBooking};
use marquee_server::error::AppError;
use marquee_server::http::staff::{BoxOffice, Manager};
use marquee_server::App;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FindQuery {
    q: String,
}

#[derive(Template)]
#[template(path = "admin/bookings.html")]
struct FindPage {
    shell: Shell,
    q: String,
    error: Option<String>,
    found: Option<Vec<Row>>,
}

struct Row {
    id: String,
    reference: String,
    customer: String,
    film: String,
    when: String,
    status: &'static str,
    seats: String,
}

/// `GET /admin/bookings?q=`.
pub async fn find(
    State(app): State<App>,
    staff: Staff<BoxOffice>,
    Query(query): Query<FindQuery>,
) -> Result<Response, PageError> {
    let mut page = FindPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/bookings"),
        q: query.q.clone(),
        error: None,
        found: None,
    };
    if !query.q.trim().is_empty() {
        match box_office::find(&app, &staff.staff, &query.q).await {
            Ok(found) => {
                let now = app.now();
                page.found = Some(
                    found
                        .iter()
                        .map(|b| Row {
                            id: b.booking.id.to_string(),
                            reference: b.booking.reference.to_string(),
                            customer: b.customer_email.clone(),
                            film: b.showtime.event_title.clone(),
                            when: local_time(
                                b.showtime.showtime.starts_at,
                                b.showtime.city.timezone,
                            ),
                            status: booking_status(b.booking.status_at(now)),
                            seats: b.booking.seat_labels().join(", "),
                        })
                        .collect(),
                )
            }
            Err(AppError::Invalid { message, .. }) => page.error = Some(message),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/booking.html")]
struct BookingPage {
    shell: Shell,
    csrf: String,
    id: String,
    reference: String,
    status: &'static str,
    customer: String,
    film: String,
    place: String,
    when: String,
    total: String,
    payment: String,
    access_needs: Option<String>,
    lines: Vec<(String, String, bool)>,
    refunds: Vec<RefundView>,
    /// The refund form, for managers, while the booking has seats to refund.
    can_refund: bool,
    /// "Resend the tickets", while the booking is confirmed.
    can_resend: bool,
    errors: FieldErrors,
    reason: String,
    message: Option<&'static str>,
}

struct RefundView {
    seats: String,
    amount: String,
    status: &'static str,
    why: String,
    attempts: u32,
    last_error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Said {
    refunded: Option<String>,
    resent: Option<String>,
}

/// `GET /admin/bookings/{id}`.
pub async fn booking(
    State(app): State<App>,
    staff: Staff<BoxOffice>,
    Path(id): Path<String>,
    Query(said): Query<Said>,
) -> Result<Response, PageError> {
    let id = crate::site::booking_id(&id)?;
    let read = box_office::booking(&app, &staff.staff, id).await?;
    let mut page = booking_page(&app, &staff.signed_in, &staff.staff, read);
    page.message = match (&said.refunded, &said.resent) {
        (Some(_), _) => Some(REFUNDED),
        (None, Some(_)) => Some(RESENT),
        (None, None) => None,
    };
    Ok(html(StatusCode::OK, &page))
}

fn booking_page(
    app: &App,
    signed_in: &crate::session::SignedIn,
    staff: &marquee_server::staff::StaffUser,
    read: StaffBooking,
) -> BookingPage {
    let now = app.now();
    let booking = &read.booking;
    let status = booking.status_at(now);
    let prices = &read.showtime.showtime.prices;
    BookingPage {
        shell: Shell::staff(signed_in, staff, "/admin/bookings"),
        csrf: signed_in.csrf.clone(),
        id: booking.id.to_string(),
        reference: booking.reference.to_string(),
        status: booking_status(status),
        customer: read.customer_email.clone(),
        film: read.showtime.event_title.clone(),
        place: format!(
            "{}, {}",
            read.showtime.venue.name, read.showtime.auditorium_name
        ),
        when: local_time(
            read.showtime.showtime.starts_at,
            read.showtime.city.timezone,
        ),
        total: booking.quote.total.to_string(),
        payment: read
            .payment
            .as_ref()
            .map_or("not started".to_string(), |p| {
                p.status.as_str().replace('_', " ")
            }),
        access_needs: read.access_needs.clone(),
        lines: booking
            .quote
            .lines
            .iter()
            .map(|l| {
                (
                    l.label.clone(),
                    format!(
                        "{}, {}",
                        prices.type_name(&l.ticket_type),
                        prices.with_fee(l.price)
                    ),
                    booking.is_cancelled(&l.label),
                )
            })
            .collect(),
        refunds: booking
            .cancellations
            .iter()
            .map(|c| RefundView {
                seats: c.seats.join(", "),
                amount: c.refund.to_string(),
                status: match c.refund_status.as_str() {
                    "succeeded" => "refunded",
                    "due" => "being refunded",
                    _ => "nothing to refund",
                },
                why: c.why.clone(),
                attempts: c.attempts,
                last_error: c.last_error.clone(),
            })
            .collect(),
        can_refund: status == BookingStatus::Confirmed
            && staff.access.require(StaffRole::Manager).is_ok(),
        can_resend: status == BookingStatus::Confirmed,
        errors: FieldErrors::default(),
        reason: String::new(),
        message: None,
    }
}

/// `POST /admin/bookings/{id}/refund` (`seats` ticked, `reason`): refunds in full, back to the
/// booking; a missing reason or a seat refunded already is said next to the form.
pub async fn refund(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = crate::site::booking_id(&id)?;
    let mut seats = Vec::new();
    let mut reason = String::new();
    for (name, value) in form_urlencoded::parse(&body) {
        match &*name {
            "seats" => seats.push(value.into_owned()),
            "reason" => reason = value.into_owned(),
            _ => {}
        }
    }
    let seats = (!seats.is_empty()).then_some(seats);
    let refusal = match box_office::refund(&app, &staff.staff, id, seats, &reason).await {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/admin/bookings/{id}?refunded=1")).into_response())
        }
        Err(AppError::Invalid { message, .. } | AppError::Conflict { message, .. }) => message,
        Err(AppError::WrongBookingState(status)) => {
            format!(
                "The booking is {}: there is nothing to refund.",
                status.as_str().replace('_', " ")
            )
        }
        Err(AppError::UnknownSeats(seats)) => format!("No seat {} here.", seats.join(", ")),
        Err(error) => return Err(error.into()),
    };
    let read = box_office::booking(&app, &staff.staff, id).await?;
    let mut page = booking_page(&app, &staff.signed_in, &staff.staff, read);
    page.errors = FieldErrors::one("reason", &refusal);
    page.reason = reason;
    Ok(html(StatusCode::BAD_REQUEST, &page))
}

/// `POST /admin/bookings/{id}/resend`: the tickets queued to the customer again, back to
/// the booking.
pub async fn resend(
    State(app): State<App>,
    staff: Staff<BoxOffice>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::site::booking_id(&id)?;
    let said = match box_office::resend_tickets(&app, &staff.staff, id).await {
        Ok(_) => "?resent=1",
        // Not confirmed (any more): the booking's page says what it is.
        Err(AppError::Conflict { .. }) => "",
        Err(error) => return Err(error.into()),
    };
    Ok(Redirect::to(&format!("/admin/bookings/{id}{said}")).into_response())
}

const RESENT: &str = "The tickets are on their way to the customer again.";

const REFUNDED: &str =
    "Refunded. The seats are back on sale, the tickets void, and the customer is told.";
