//! `/bookings/{id}/cancel`: a customer cancels a paid booking, or some of its seats. The page
//! first says what would come back and why (the service's dry run, under the venue's refund
//! policy), with a checkbox per seat; posting it cancels the seats ticked and goes back to the
//! booking, which shows the cancellation and its refund.

use crate::page::{html, PageError};
use crate::session::SignedIn;
use crate::shell::Shell;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use marquee_domain::{Booking, BookingId, BookingStatus};
use marquee_server::error::AppError;
use marquee_server::{bookings, cancellations, App};

#[derive(Template)]
#[template(path = "site/cancel.html")]
struct CancelPage {
    shell: Shell,
    csrf: String,
    id: String,
    reference: String,
    /// The seats still live, each ticked unless the customer unticked it.
    seats: Vec<(String, bool)>,
    /// What cancelling the ticked seats now refunds, and why; `None` when it cannot be done.
    refund: Option<String>,
    why: String,
    refusal: Option<String>,
}

/// `GET /bookings/{id}/cancel`.
pub async fn form(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = super::booking_id(&id)?;
    page(&app, &signed_in, id, None, StatusCode::OK).await
}

/// The page for the seats `ticked` (all live seats when `None`).
async fn page(
    app: &App,
    signed_in: &SignedIn,
    id: BookingId,
    ticked: Option<Vec<String>>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let booking = bookings::get(app, &signed_in.user, id).await?;
    if booking.status_at(app.now()) != BookingStatus::Confirmed {
        return Ok(Redirect::to(&format!("/bookings/{id}")).into_response());
    }
    let live: Vec<String> = booking
        .seat_labels()
        .into_iter()
        .filter(|l| !booking.is_cancelled(l))
        .map(str::to_string)
        .collect();
    if ticked.as_ref().is_some_and(Vec::is_empty) {
        let page = cancel_page(
            signed_in,
            &booking,
            &live,
            ticked,
            None,
            String::new(),
            Some(TICK.into()),
        );
        return Ok(html(status, &page));
    }
    let dry = cancellations::cancel_own(app, signed_in.user.id, id, ticked.clone(), true).await;
    let (refund, why, refusal) = match dry {
        Ok(plan) => (Some(plan.plan.refund.to_string()), plan.why.clone(), None),
        Err(AppError::Conflict { message, .. } | AppError::Invalid { message, .. }) => {
            (None, String::new(), Some(message))
        }
        Err(AppError::UnknownSeats(_)) => (None, String::new(), Some(TICK.to_string())),
        Err(error) => return Err(error.into()),
    };
    let page = cancel_page(signed_in, &booking, &live, ticked, refund, why, refusal);
    Ok(html(status, &page))
}

const TICK: &str = "Tick the seats to cancel.";

fn cancel_page(
    signed_in: &SignedIn,
    booking: &Booking,
    live: &[String],
    ticked: Option<Vec<String>>,
    refund: Option<String>,
    why: String,
    refusal: Option<String>,
) -> CancelPage {
    CancelPage {
        shell: Shell::customer(Some(signed_in), "/bookings"),
        csrf: signed_in.csrf.clone(),
        id: booking.id.to_string(),
        reference: booking.reference.to_string(),
        seats: live
            .iter()
            .map(|l| {
                let on = ticked.as_ref().is_none_or(|t| t.contains(l));
                (l.clone(), on)
            })
            .collect(),
        refund,
        why,
        refusal,
    }
}

/// `POST /bookings/{id}/cancel` (`seats`, one field per seat ticked): cancels them, back to the
/// booking; a refusal (too late, nothing ticked) is said on the page.
pub async fn submit(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = super::booking_id(&id)?;
    let ticked: Vec<String> = form_urlencoded::parse(&body)
        .filter(|(name, _)| name == "seats")
        .map(|(_, value)| value.into_owned())
        .collect();
    let seats = if ticked.is_empty() {
        return page(&app, &signed_in, id, Some(vec![]), StatusCode::BAD_REQUEST).await;
    } else {
        Some(ticked.clone())
    };
    match cancellations::cancel_own(&app, signed_in.user.id, id, seats, false).await {
        Ok(_) => Ok(Redirect::to(&format!("/bookings/{id}?cancelled=1")).into_response()),
        Err(AppError::Conflict { .. } | AppError::Invalid { .. } | AppError::UnknownSeats(_)) => {
            page(&app, &signed_in, id, Some(ticked), StatusCode::CONFLICT).await
        }
        Err(AppError::WrongBookingState(_)) => {
            Ok(Redirect::to(&format!("/bookings/{id}")).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
