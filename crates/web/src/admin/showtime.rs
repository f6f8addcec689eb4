//! `/admin/showtimes/{id}`: one showtime as staff see it (the film, the hall, the slot, its
//! terms, the prices frozen at scheduling, its seats), with a form to retime it or move it to
//! another hall (`scheduling::move_showtime`) and a button to delete it
//! (`scheduling::delete_showtime`). A refusal (live bookings, a clash) is shown on the page.

use super::clashes::{refusal, ClashView, Refusal};
use super::{by, id_of, local, tag_words};
use crate::form::{FieldErrors, FORM};
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, NaiveTime};
use marquee_domain::money::decimal;
use marquee_domain::schedule::local_instant;
use marquee_domain::{AuditoriumId, SeatCategory, SeatState, ShowtimeId};
use marquee_server::error::AppError;
use marquee_server::http::admin::blocked_seats::blocked_json;
use marquee_server::http::admin::schedule::showtime_json;
use marquee_server::http::staff::{Manager, Usher};
use marquee_server::scheduling::{self, monday_of};
use marquee_server::{back_office, App};
use marquee_store::check_in::DoorCounts;
use marquee_store::SeatMap;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/showtime.html")]
struct ShowtimePage {
    shell: Shell,
    csrf: String,
    id: i64,
    title: String,
    event_id: i64,
    venue_id: i64,
    venue: String,
    hall: String,
    /// The Monday of its week, for the week view.
    week: String,
    /// "Tuesday 24 November 2026".
    date: String,
    /// "12:00–14:15": its start, and when its hall is free again.
    slot: String,
    zone: String,
    format: String,
    audio_language: String,
    subtitles: String,
    tags: Vec<&'static str>,
    sales: String,
    currency: String,
    booking_fee: String,
    categories: Vec<&'static str>,
    /// A ticket type's name and its price in each of `categories` ("" where none).
    prices: Vec<(String, Vec<String>)>,
    seats: SeatCounts,
    started: bool,
    halls: Vec<(String, String)>,
    moving: MoveForm,
    errors: FieldErrors,
    clashes: Vec<ClashView>,
    /// Its blocked seats, in the hall's order.
    blocked: Vec<String>,
    /// The block form as typed, and its errors.
    block_typed: String,
    block_errors: FieldErrors,
    /// The door: valid tickets, and how many were admitted.
    door: DoorCounts,
    /// When the cinema cancelled it ("" while it is on), and the cancel form's errors.
    cancelled: String,
    cancel_errors: FieldErrors,
    message: Option<&'static str>,
    /// Its latest move with sales: when, why, and how its customers answered.
    moved: Option<(String, marquee_store::showtime_moves::MoveTally)>,
}

#[derive(Default)]
struct SeatCounts {
    capacity: usize,
    sold: usize,
    held: usize,
    blocked: usize,
    available: usize,
}

/// The move form as typed: the start on the venue's clock, and the hall.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    date: String,
    time: String,
    auditorium_id: String,
    /// Told to the customers; needed when the showtime has sales.
    #[serde(default)]
    reason: String,
}

const MOVE_FIELDS: [&str; 4] = ["date", "time", "auditorium_id", "reason"];

async fn showtime_page(
    app: &App,
    staff: &Staff<Manager>,
    map: SeatMap,
    moving: Option<MoveForm>,
) -> Result<ShowtimePage, PageError> {
    let now = app.now();
    let info = &map.info;
    let s = &info.showtime;
    let zone = info.city.timezone;
    let mut seats = SeatCounts {
        capacity: map.seats.len(),
        ..SeatCounts::default()
    };
    for seat in &map.seats {
        match seat.state_at(now) {
            SeatState::Available => seats.available += 1,
            SeatState::Held => seats.held += 1,
            SeatState::Sold => seats.sold += 1,
            SeatState::Blocked => seats.blocked += 1,
        }
    }
    let categories: Vec<SeatCategory> = SeatCategory::ALL
        .into_iter()
        .filter(|c| s.prices.entries().iter().any(|(_, had, _)| had == c))
        .collect();
    let prices = s
        .prices
        .ticket_types()
        .map(|t| {
            let each = categories
                .iter()
                .map(|c| {
                    s.prices
                        .price_of(&t.code, *c)
                        .map_or_else(String::new, |m| decimal(m.minor))
                })
                .collect();
            (t.name.clone(), each)
        })
        .collect();
    let window = s.sales_window();
    let halls = back_office::auditoriums(app, &staff.staff, info.venue.id)
        .await?
        .into_iter()
        .map(|h| (h.auditorium.id.0.to_string(), h.auditorium.name))
        .collect();
    Ok(ShowtimePage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/venues"),
        csrf: staff.signed_in.csrf.clone(),
        id: s.id.0,
        title: info.event_title.clone(),
        event_id: s.event_id.0,
        venue_id: info.venue.id.0,
        venue: info.venue.name.clone(),
        hall: info.auditorium_name.clone(),
        week: monday_of(s.starts_at.with_timezone(&zone).date_naive()).to_string(),
        date: local(s.starts_at, zone, "%A %-d %B %Y"),
        slot: format!(
            "{}–{}",
            local(s.starts_at, zone, "%H:%M"),
            local(s.ends_at, zone, "%H:%M")
        ),
        zone: zone.name().to_string(),
        format: s.format.clone(),
        audio_language: s.audio_language.clone(),
        subtitles: s.subtitles.clone().unwrap_or_default(),
        tags: s.access.iter().map(|t| tag_words(*t).1).collect(),
        sales: format!(
            "From {} until {}",
            local(window.opens_at, zone, "%-d %b %Y %H:%M"),
            local(window.closes_at(), zone, "%-d %b %Y %H:%M")
        ),
        currency: s.prices.currency().to_string(),
        booking_fee: decimal(s.prices.booking_fee_minor()),
        categories: categories.iter().map(|c| c.as_str()).collect(),
        prices,
        seats,
        started: s.starts_at <= now,
        halls,
        moving: moving.unwrap_or_else(|| MoveForm {
            date: local(s.starts_at, zone, "%Y-%m-%d"),
            time: local(s.starts_at, zone, "%H:%M"),
            auditorium_id: s.auditorium_id.0.to_string(),
            reason: String::new(),
        }),
        errors: FieldErrors::default(),
        clashes: Vec::new(),
        blocked: map
            .seats
            .iter()
            .filter(|seat| seat.state_at(now) == SeatState::Blocked)
            .map(|seat| seat.label().to_string())
            .collect(),
        block_typed: String::new(),
        block_errors: FieldErrors::default(),
        door: app
            .store()
            .door_counts(s.id)
            .await
            .map_err(AppError::from)?,
        cancelled: info
            .cancelled_at
            .map_or_else(String::new, |at| local(at, zone, "%-d %b %Y %H:%M")),
        cancel_errors: FieldErrors::default(),
        message: None,
        moved: app
            .store()
            .move_tally(s.id)
            .await
            .map_err(AppError::from)?
            .map(|t| (local(t.moved_at, zone, "%-d %b %Y %H:%M"), t)),
    })
}

/// `GET /admin/showtimes/{id}`.
pub async fn page(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Query(said): Query<Said>,
) -> Result<Response, PageError> {
    let id = ShowtimeId(id_of(&id)?);
    let map = scheduling::showtime_seats(&app, &staff.staff, id).await?;
    let mut page = showtime_page(&app, &staff, map, None).await?;
    page.message = said.cancelled.is_some().then_some(CANCELLED);
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/door.html")]
struct DoorFragment {
    door: DoorCounts,
}

/// `GET /admin/showtimes/{id}/door`: the page's door counts as they are now, the fragment
/// `assets/door.js` puts in place every few seconds.
pub async fn door(
    State(app): State<App>,
    staff: Staff<Usher>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = ShowtimeId(id_of(&id)?);
    let door = marquee_server::check_in::door(&app, &staff.staff, id).await?;
    Ok(html(StatusCode::OK, &DoorFragment { door }))
}

/// What the page was sent back to say.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Said {
    cancelled: Option<String>,
}

const CANCELLED: &str =
    "Cancelled. Every booking is refunded in full and its customer told; nothing more is sold.";

/// The cancel form: why.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
}

/// `POST /admin/showtimes/{id}/cancel`: the showtime cancelled, every booking refunded in full
/// (`box_office::cancel_showtime`, safe to repeat), back to its page.
pub async fn cancel(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(typed): Form<CancelForm>,
) -> Result<Response, PageError> {
    let id = ShowtimeId(id_of(&id)?);
    match marquee_server::box_office::cancel_showtime(&app, &staff.staff, id, &typed.reason).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/showtimes/{}?cancelled=1", id.0)).into_response())
        }
        Err(AppError::Invalid { message, .. }) => {
            let map = scheduling::showtime_seats(&app, &staff.staff, id).await?;
            let mut page = showtime_page(&app, &staff, map, None).await?;
            page.cancel_errors = FieldErrors::one("reason", &message);
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /admin/showtimes/{id}` (date, time, hall): moved or retimed, back to it. Only what
/// differs from the showtime is changed (a move prices it again).
pub async fn move_to(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(typed): Form<MoveForm>,
) -> Result<Response, PageError> {
    let id = ShowtimeId(id_of(&id)?);
    let map = scheduling::showtime_seats(&app, &staff.staff, id).await?;
    let s = &map.info.showtime;
    let zone = map.info.city.timezone;
    let attempt = async {
        let date: NaiveDate = typed
            .date
            .trim()
            .parse()
            .map_err(|_| Ok(FieldErrors::one("date", "Give the date as 2026-12-24.")))?;
        let time = NaiveTime::parse_from_str(typed.time.trim(), "%H:%M")
            .map_err(|_| Ok(FieldErrors::one("time", "Give the time as 20:30.")))?;
        let starts_at = local_instant(zone, date.and_time(time))
            .map_err(|e| Ok(FieldErrors::one("time", &e.to_string())))?;
        let hall = typed
            .auditorium_id
            .trim()
            .parse()
            .map(AuditoriumId)
            .map_err(|_| Ok(FieldErrors::one("auditorium_id", "Choose an auditorium.")))?;
        let starts_at = (starts_at != s.starts_at).then_some(starts_at);
        let hall = (hall != s.auditorium_id).then_some(hall);
        if starts_at.is_none() && hall.is_none() {
            return Err(Ok(FieldErrors::default()));
        }
        let actor = by(&app, &staff.staff, "showtime.update", showtime_json);
        let reason = Some(typed.reason.trim()).filter(|r| !r.is_empty());
        scheduling::move_showtime(&app, &staff.staff, id, starts_at, hall, reason, actor)
            .await
            .map_err(Err)
    };
    let refused = match attempt.await {
        Ok(_) => None,
        // Nothing to change.
        Err(Ok(errors)) if errors.is_empty() => None,
        Err(Ok(errors)) => Some(Refusal {
            status: StatusCode::BAD_REQUEST,
            errors,
            clashes: Vec::new(),
        }),
        Err(Err(error)) => Some(refusal(&app, zone, error, &MOVE_FIELDS).await?),
    };
    match refused {
        None => Ok(Redirect::to(&format!("/admin/showtimes/{}", id.0)).into_response()),
        Some(Refusal {
            status,
            errors,
            clashes,
        }) => {
            let mut page = showtime_page(&app, &staff, map, Some(typed)).await?;
            page.errors = errors;
            page.clashes = clashes;
            Ok(html(status, &page))
        }
    }
}

/// The block and unblock forms: seat labels, apart by spaces or commas.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SeatsForm {
    seats: String,
}

/// `POST /admin/showtimes/{id}/block`: the seats typed taken off sale, back to the page.
pub async fn block(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(typed): Form<SeatsForm>,
) -> Result<Response, PageError> {
    set_blocked(app, staff, id, typed, true).await
}

/// `POST /admin/showtimes/{id}/unblock`: the seats given put back on sale, back to the page.
pub async fn unblock(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(typed): Form<SeatsForm>,
) -> Result<Response, PageError> {
    set_blocked(app, staff, id, typed, false).await
}

async fn set_blocked(
    app: App,
    staff: Staff<Manager>,
    id: String,
    typed: SeatsForm,
    block: bool,
) -> Result<Response, PageError> {
    let id = ShowtimeId(id_of(&id)?);
    let seats: Vec<String> = typed
        .seats
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(|s| s.to_uppercase())
        .collect();
    let action = if block {
        "showtime.block_seats"
    } else {
        "showtime.unblock_seats"
    };
    let actor = by(&app, &staff.staff, action, blocked_json);
    let error =
        match scheduling::set_blocked_seats(&app, &staff.staff, id, seats, block, actor).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/admin/showtimes/{}#showtime-blocked", id.0))
                        .into_response(),
                )
            }
            Err(error) => error,
        };
    let (status, errors) = match &error {
        AppError::SeatsUnavailable(seats) => (
            StatusCode::CONFLICT,
            FieldErrors::one(
                "seats",
                &format!(
                    "{} {} held or sold: only free seats can be blocked",
                    seats.join(", "),
                    if seats.len() == 1 { "is" } else { "are" }
                ),
            ),
        ),
        AppError::UnknownSeats(seats) => (
            StatusCode::BAD_REQUEST,
            FieldErrors::one("seats", &format!("No such seat here: {}", seats.join(", "))),
        ),
        AppError::Invalid { .. } => (
            StatusCode::BAD_REQUEST,
            FieldErrors::one("seats", "Give one or more seats, e.g. A1 A2 B7"),
        ),
        AppError::NotOnSale(_) => (
            StatusCode::CONFLICT,
            FieldErrors::one(FORM, &error.to_string()),
        ),
        _ => return Err(PageError::from(error)),
    };
    let map = scheduling::showtime_seats(&app, &staff.staff, id).await?;
    let mut page = showtime_page(&app, &staff, map, None).await?;
    page.block_errors = errors;
    if block {
        page.block_typed = typed.seats;
    }
    Ok(html(status, &page))
}

/// `POST /admin/showtimes/{id}/delete`: deleted, then its week; refused while it has had a
/// booking.
pub async fn delete(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = ShowtimeId(id_of(&id)?);
    let map = scheduling::showtime_seats(&app, &staff.staff, id).await?;
    let actor = by(&app, &staff.staff, "showtime.delete", showtime_json);
    match scheduling::delete_showtime(&app, &staff.staff, id, actor).await {
        Ok(()) => {
            let zone = map.info.city.timezone;
            let week = monday_of(
                map.info
                    .showtime
                    .starts_at
                    .with_timezone(&zone)
                    .date_naive(),
            );
            Ok(Redirect::to(&format!(
                "/admin/venues/{}/week?week={week}&deleted=1",
                map.info.venue.id.0
            ))
            .into_response())
        }
        Err(error) => {
            let zone = map.info.city.timezone;
            let Refusal {
                status,
                errors,
                clashes,
            } = refusal(&app, zone, error, &[]).await?;
            let mut page = showtime_page(&app, &staff, map, None).await?;
            page.errors = errors;
            page.clashes = clashes;
            Ok(html(status, &page))
        }
    }
}
