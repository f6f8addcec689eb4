//! `/bookings/{id}/moved`: the cinema moved the customer's showtime (the link in their
//! email). The page says what changed and offers the three answers: keep the new time
//! (`POST /bookings/{id}/moved/keep`), exchange for another showing of the film (its seat map
//! in exchange mode, `/showtimes/{other}?exchange={id}`), or cancel for a full refund (the
//! cancel page, whose refund is then in full).

use crate::page::{html, PageError};
use crate::session::SignedIn;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use marquee_domain::showtime_move::MoveAnswer;
use marquee_domain::BookingStatus;
use marquee_server::catalog::{self, Days};
use marquee_server::error::AppError;
use marquee_server::{bookings, showtime_moves, App};

#[derive(Template)]
#[template(path = "site/moved.html")]
struct MovedPage {
    shell: Shell,
    csrf: String,
    id: String,
    reference: String,
    film: String,
    /// When and where it was, and is now, on the venue's clock.
    was: String,
    is: String,
    reason: String,
    seats_now: String,
    /// The seats before, when they changed.
    seats_before: Option<String>,
    /// What the customer answered, in words; none yet.
    answered: Option<&'static str>,
    /// Whether they may still exchange or cancel for a full refund.
    open: bool,
    city: String,
    /// Other showings of the film to exchange for: (showtime id, when and where).
    others: Vec<(i64, String)>,
}

/// The most other showings offered (the soonest, in the booking's city).
const MAX_OTHERS: usize = 12;

/// `GET /bookings/{id}/moved`.
pub async fn page(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = super::booking_id(&id)?;
    let booking = bookings::get(&app, &signed_in.user, id).await?;
    let Some(moved) = booking.moved.clone() else {
        return Ok(Redirect::to(&format!("/bookings/{id}")).into_response());
    };
    let now = app.now();
    let info = app
        .store()
        .get_showtime(booking.showtime_id, now)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound(marquee_domain::Entity::Showtime))?;
    let zone = info.city.timezone;
    let when = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&zone)
            .format("%A %-d %B %Y, %H:%M")
            .to_string()
    };
    let open = MoveAnswer::open(moved.answer)
        && booking.status_at(now) == BookingStatus::Confirmed
        && now < info.showtime.starts_at;
    let others = if open {
        let mut same_city: Vec<_> =
            catalog::event_showtimes(&app, info.showtime.event_id, None, Days::default(), None)
                .await?
                .into_iter()
                .filter(|s| {
                    s.showtime.id != booking.showtime_id
                        && s.cancelled_at.is_none()
                        && s.city.id == info.city.id
                })
                .collect();
        same_city.sort_by_key(|s| s.showtime.starts_at);
        same_city
            .into_iter()
            .take(MAX_OTHERS)
            .map(|s| {
                let at = s
                    .showtime
                    .starts_at
                    .with_timezone(&s.city.timezone)
                    .format("%a %-d %b, %H:%M");
                (
                    s.showtime.id.0,
                    format!("{at}, {} ({})", s.venue.name, s.auditorium_name),
                )
            })
            .collect()
    } else {
        vec![]
    };
    let seats_now = booking
        .seat_labels()
        .into_iter()
        .filter(|l| !booking.is_cancelled(l))
        .collect::<Vec<_>>()
        .join(", ");
    let before = moved.seats_before.join(", ");
    let page = MovedPage {
        shell: Shell::customer(Some(&signed_in), "/bookings"),
        csrf: signed_in.csrf.clone(),
        id: id.to_string(),
        reference: booking.reference.to_string(),
        film: info.event_title.clone(),
        was: format!("{} in {}", when(moved.from_starts_at), moved.from_hall),
        is: format!("{} in {}", when(moved.to_starts_at), moved.to_hall),
        reason: moved.reason.clone(),
        seats_before: (before != seats_now).then_some(before),
        seats_now,
        answered: moved.answer.map(|a| match a {
            MoveAnswer::Kept => "You are keeping the new time.",
            MoveAnswer::Exchanged => "You exchanged this booking for another showing.",
            MoveAnswer::Cancelled => "You cancelled this booking for a full refund.",
        }),
        open,
        city: info.city.name.clone(),
        others,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /bookings/{id}/moved/keep`: keeps the new time, back to the booking.
pub async fn keep(
    State(app): State<App>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = super::booking_id(&id)?;
    match showtime_moves::keep(&app, &signed_in.user, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/bookings/{id}?kept=1")).into_response()),
        // Answered already, started, or no longer confirmed: the page says where it stands.
        Err(AppError::Conflict { .. } | AppError::WrongBookingState(_)) => {
            Ok(Redirect::to(&format!("/bookings/{id}/moved")).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
