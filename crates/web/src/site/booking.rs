//! `/bookings/{id}`: a customer's booking, as it stands. A hold shows its seats, the total and
//! a countdown (`assets/booking.js`; the time it ends is written on the page too), with a
//! button to pay (`POST /bookings/{id}/checkout`: on to the gateway's checkout page) and one to
//! give the seats up (`POST /bookings/{id}/release`). While a payment is under way the page
//! looks again every few seconds; paid, it shows the tickets with their QR codes.
//!
//! A hold that ran out, a payment that did not go through, or seats given up send the customer
//! back to the seat map with the seats free and a word on what happened.

use super::booking_id;
use crate::page::{html, html_under, PageError};
use crate::session::SignedIn;
use crate::shell::Shell;
use crate::words::{category_name, local_time};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use marquee_domain::cancellation::RefundStatus;
use marquee_domain::{Booking, BookingId, BookingStatus, Entity};
use marquee_server::error::{AppError, ErrorCode};
use marquee_server::http::tickets::download;
use marquee_server::tickets::{self, Keepsake};
use marquee_server::{bookings, payments, App};

#[derive(Template)]
#[template(path = "site/booking.html")]
struct BookingPage {
    shell: Shell,
    csrf: String,
    id: String,
    reference: String,
    film: String,
    cinema: String,
    when: String,
    status: BookingStatus,
    /// When a hold ends: as people read it on the venue's clock, and as RFC 3339 for the
    /// countdown.
    until: String,
    until_rfc3339: String,
    lines: Vec<Line>,
    fees: String,
    total: String,
    tickets: Vec<TicketView>,
    message: Option<&'static str>,
    /// While a payment is under way: its page at the gateway, to go back to.
    payment_url: Option<String>,
    /// What the customer told the cinema about their access needs.
    access_needs: Option<String>,
    /// Its cancellations: which seats, what each refunds and where the refund stands.
    cancellations: Vec<CancellationView>,
    /// The cinema moved its showing and the customer may still answer: why.
    moved: Option<String>,
    /// The booking this one exchanges: (its id, its reference).
    replaces: Option<(String, String)>,
}

struct CancellationView {
    seats: String,
    refund: String,
    refunded: bool,
    why: String,
}

struct Line {
    seat: String,
    category: &'static str,
    ticket: String,
    /// The seat's price with its booking fee: what the customer pays for it.
    price: String,
    /// Cancelled since: its ticket is void.
    cancelled: bool,
}

struct TicketView {
    seat: String,
    code: String,
    qr: String,
}

/// Where a customer whose booking came to nothing goes: its seat map, with a word on why.
fn back_to_seats(booking: &Booking, why: &str) -> Response {
    Redirect::to(&format!(
        "/showtimes/{}?notice={why}",
        booking.showtime_id.0
    ))
    .into_response()
}

/// `GET /bookings/{id}`.
pub async fn page(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(said): Query<Said>,
) -> Result<Response, PageError> {
    let id = booking_id(&id)?;
    let booking = bookings::get(&app, &signed_in.user, id).await?;
    let message = match (&said.cancelled, &said.kept) {
        (Some(_), _) => Some(CANCELLED),
        (None, Some(_)) => Some(KEPT),
        (None, None) => None,
    };
    show(&app, &signed_in, booking, message).await
}

/// What the page was sent back to say.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Said {
    cancelled: Option<String>,
    kept: Option<String>,
}

const KEPT: &str = "You are keeping the new time. Your tickets are valid for it.";

async fn show(
    app: &App,
    signed_in: &SignedIn,
    booking: Booking,
    message: Option<&'static str>,
) -> Result<Response, PageError> {
    let now = app.now();
    let status = booking.status_at(now);
    match status {
        BookingStatus::Expired => return Ok(back_to_seats(&booking, "expired")),
        BookingStatus::PaymentFailed => return Ok(back_to_seats(&booking, "payment_failed")),
        BookingStatus::Released => return Ok(back_to_seats(&booking, "released")),
        _ => {}
    }
    let info = app
        .store()
        .get_showtime(booking.showtime_id, now)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    let payment_url = match status {
        // The gateway's page, or this site's own for a payment completed here.
        BookingStatus::PaymentPending => app
            .store()
            .payment(booking.id)
            .await
            .map_err(AppError::from)?
            .map(|p| {
                p.checkout_url
                    .unwrap_or_else(|| format!("/bookings/{}/pay", booking.id))
            }),
        _ => None,
    };
    let access_needs = app
        .store()
        .access_needs(booking.id)
        .await
        .map_err(AppError::from)?;
    let moved = booking
        .moved
        .as_ref()
        .filter(|m| {
            marquee_domain::showtime_move::MoveAnswer::open(m.answer)
                && status == BookingStatus::Confirmed
                && now < info.showtime.starts_at
        })
        .map(|m| m.reason.clone());
    let replaces = match booking.replaces {
        Some(old) => bookings::get(app, &signed_in.user, old)
            .await
            .ok()
            .map(|b| (b.id.to_string(), b.reference.to_string())),
        None => None,
    };
    let zone = info.city.timezone;
    let prices = &info.showtime.prices;
    let lines = booking
        .quote
        .lines
        .iter()
        .map(|line| Line {
            seat: line.label.clone(),
            category: category_name(line.category),
            ticket: prices.type_name(&line.ticket_type),
            price: prices.with_fee(line.price).to_string(),
            cancelled: booking.is_cancelled(&line.label),
        })
        .collect();
    let page = BookingPage {
        shell: Shell::customer(Some(signed_in), "/bookings"),
        csrf: signed_in.csrf.clone(),
        id: booking.id.to_string(),
        reference: booking.reference.to_string(),
        film: info.event_title.clone(),
        cinema: format!("{}, {}", info.venue.name, info.auditorium_name),
        when: local_time(info.showtime.starts_at, zone),
        status,
        until: booking
            .expires_at
            .with_timezone(&zone)
            .format("%H:%M")
            .to_string(),
        until_rfc3339: booking.expires_at.to_rfc3339(),
        lines,
        fees: booking.quote.fees.to_string(),
        total: booking.quote.total.to_string(),
        tickets: booking
            .tickets
            .iter()
            .map(|t| TicketView {
                seat: t.seat.clone(),
                code: t.code.to_string(),
                qr: format!("/api/v1/tickets/{}/qr.svg", t.code),
            })
            .collect(),
        message,
        payment_url,
        access_needs,
        cancellations: booking
            .cancellations
            .iter()
            .map(|c| CancellationView {
                seats: c.seats.join(", "),
                refund: c.refund.to_string(),
                refunded: c.refund_status == RefundStatus::Succeeded,
                why: c.why.clone(),
            })
            .collect(),
        moved,
        replaces,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /bookings/{id}/checkout`: on to the gateway's page to pay for the hold (the same
/// payment again if it was started before).
pub async fn checkout(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = booking_id(&id)?;
    let started = async {
        super::within_booking_limit(&app, &signed_in)?;
        payments::checkout(&app, &signed_in.user, id).await
    };
    match started.await {
        Ok(payment) => match payment.checkout_url {
            Some(url) => Ok(Redirect::to(&url).into_response()),
            // Paid on this site, in the gateway's form.
            None => Ok(Redirect::to(&format!("/bookings/{id}/pay")).into_response()),
        },
        Err(error) => refused(&app, &signed_in, id, error).await,
    }
}

#[derive(Template)]
#[template(path = "site/pay.html")]
struct PayPage {
    shell: Shell,
    id: String,
    total: String,
    publishable_key: String,
    /// Stripe's client secret of this payment: it lets this customer's browser complete it,
    /// nothing more; it is on this page only, never in a log.
    client_secret: String,
}

/// What the page that shows Stripe's card form may load: Stripe.js and its frames, as Stripe
/// asks; nothing else from anywhere else, and still no inline script or style.
const STRIPE_PAGE_CSP: &str = "default-src 'none'; script-src 'self' https://js.stripe.com; \
    style-src 'self'; img-src 'self' data: https://*.stripe.com; \
    connect-src 'self' https://api.stripe.com; \
    frame-src https://js.stripe.com https://hooks.stripe.com; form-action 'self'; \
    base-uri 'none'; frame-ancestors 'none'";

/// `GET /bookings/{id}/pay`: the payment started for this booking, completed in the gateway's
/// own form on this page (Stripe's Payment Element, with the payment's client secret), or on
/// the gateway's page it has one (the sandbox's). Stripe sends the browser back to the booking.
pub async fn pay(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = booking_id(&id)?;
    let booking = bookings::get(&app, &signed_in.user, id).await?;
    let payment = match booking.status_at(app.now()) {
        BookingStatus::PaymentPending => app.store().payment(id).await.map_err(AppError::from)?,
        _ => None,
    };
    let Some(payment) = payment else {
        return Ok(Redirect::to(&format!("/bookings/{id}")).into_response());
    };
    if let Some(url) = payment.checkout_url {
        return Ok(Redirect::to(&url).into_response());
    }
    match (&app.config().stripe_publishable_key, payment.client_secret) {
        (Some(key), Some(secret)) => {
            let page = PayPage {
                shell: Shell::customer(Some(&signed_in), "/bookings"),
                id: id.to_string(),
                total: booking.quote.total.to_string(),
                publishable_key: key.clone(),
                client_secret: secret,
            };
            Ok(html_under(StatusCode::OK, &page, STRIPE_PAGE_CSP))
        }
        _ => show(&app, &signed_in, booking, Some(NO_CHECKOUT_PAGE)).await,
    }
}

/// A checkout or release refused: a hold that ran out, was paid or given up meanwhile (a
/// second click) goes to its page, which says where it is; a limit is said on the page.
async fn refused(
    app: &App,
    signed_in: &SignedIn,
    id: BookingId,
    error: AppError,
) -> Result<Response, PageError> {
    match error {
        AppError::WrongBookingState(_) => {
            Ok(Redirect::to(&format!("/bookings/{}", id)).into_response())
        }
        AppError::Wait { .. } => {
            let booking = bookings::get(app, &signed_in.user, id).await?;
            show(app, signed_in, booking, Some(TOO_MANY)).await
        }
        error => Err(error.into()),
    }
}

/// `POST /bookings/{id}/release`: the seats given up, back to the seat map.
pub async fn release(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = booking_id(&id)?;
    let released = async {
        super::within_booking_limit(&app, &signed_in)?;
        bookings::release(&app, &signed_in.user, id).await
    };
    match released.await {
        Ok(booking) => Ok(back_to_seats(&booking, "released")),
        Err(error) => refused(&app, &signed_in, id, error).await,
    }
}

/// `GET /bookings/{id}/tickets.pdf`: the tickets to print or keep, one a page (the API's
/// file, for the browser's session).
pub async fn tickets_pdf(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    keepsake(&app, &signed_in, &id, Keepsake::Pdf).await
}

/// `GET /bookings/{id}/calendar.ics`: the showtime as an event for the customer's calendar.
pub async fn calendar_ics(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    keepsake(&app, &signed_in, &id, Keepsake::Calendar).await
}

/// A file of the tickets of a booking of the signed-in customer's; a booking not confirmed
/// (yet, or any more) goes to its own page, which says where it stands.
async fn keepsake(
    app: &App,
    signed_in: &SignedIn,
    id: &str,
    keepsake: Keepsake,
) -> Result<Response, PageError> {
    let id = booking_id(id)?;
    match tickets::file_of_user(app, &signed_in.user, id, keepsake).await {
        Ok(file) => Ok(download(file)),
        Err(AppError::Conflict {
            code: ErrorCode::BookingNotConfirmed,
            ..
        }) => Ok(Redirect::to(&format!("/bookings/{id}")).into_response()),
        Err(error) => Err(error.into()),
    }
}

const NO_CHECKOUT_PAGE: &str =
    "Card payments are not set up on this site (the cinema has not given Stripe's publishable key): please pay at the box office.";
const CANCELLED: &str =
    "Cancelled. The seats are back on sale; the refund goes back to the card you paid with.";
const TOO_MANY: &str = "That was a lot of clicks at once: wait a moment and try again.";
