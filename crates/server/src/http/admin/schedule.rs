//! `/admin/showtimes`, `/admin/schedules`: putting films on in a hall, one showtime or a
//! repeating schedule at once.

use super::{by, json};
use crate::app::App;
use crate::http::catalog::{access_names, TicketTypeBody};
use crate::http::error::{parse_id, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::http::staff::{Manager, Staff};
use crate::scheduling::{self, Repeat, ShowtimeTerms};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use marquee_domain::{AuditoriumId, Entity, EventId, ShowtimeId, VenueId};
use marquee_store::ShowtimeInfo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A showtime as the back office sees it: when, where, and the prices frozen at scheduling.
#[derive(Serialize, ToSchema)]
pub struct AdminShowtimeBody {
    pub id: i64,
    pub event_id: i64,
    pub auditorium_id: i64,
    pub starts_at: DateTime<Utc>,
    /// The start on the venue's wall clock, with its offset.
    pub starts_at_local: String,
    /// When the hall is free again: adverts, the film and cleaning.
    pub ends_at: DateTime<Utc>,
    pub format: String,
    pub audio_language: String,
    pub subtitles: Option<String>,
    /// Access and experience tags.
    pub access: Vec<String>,
    /// ISO 4217; amounts are in its minor units.
    pub currency: String,
    /// Added per seat.
    pub booking_fee: i64,
    /// Resolved from the venue's plan at scheduling, the default first.
    pub ticket_types: Vec<TicketTypeBody>,
    pub sales_open_at: DateTime<Utc>,
    pub sales_close_minutes: u32,
}

impl From<&ShowtimeInfo> for AdminShowtimeBody {
    fn from(info: &ShowtimeInfo) -> Self {
        let s = &info.showtime;
        AdminShowtimeBody {
            id: s.id.0,
            event_id: s.event_id.0,
            auditorium_id: s.auditorium_id.0,
            starts_at: s.starts_at,
            starts_at_local: s.starts_at.with_timezone(&info.city.timezone).to_rfc3339(),
            ends_at: s.ends_at,
            format: s.format.clone(),
            audio_language: s.audio_language.clone(),
            subtitles: s.subtitles.clone(),
            access: access_names(&s.access),
            currency: s.prices.currency().to_string(),
            booking_fee: s.prices.booking_fee_minor(),
            ticket_types: TicketTypeBody::all(&s.prices),
            sales_open_at: s.sales_open_at,
            sales_close_minutes: s.sales_close_minutes,
        }
    }
}

/// A showtime as the audit log keeps it.
pub fn showtime_json(info: &ShowtimeInfo) -> serde_json::Value {
    json(AdminShowtimeBody::from(info))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShowtimeRequest {
    pub event_id: i64,
    pub auditorium_id: i64,
    pub starts_at: DateTime<Utc>,
    /// `2D`, `3D`, `IMAX`...: the price plan's rules may depend on it.
    #[schema(example = "2D", max_length = 16)]
    pub format: String,
    /// The event's language unless given.
    #[schema(example = "en", max_length = 16)]
    pub audio_language: Option<String>,
    #[schema(example = "pt", max_length = 16)]
    pub subtitles: Option<String>,
    /// Access and experience tags: `subtitled`, `captioned` (SDH), `audio_described`,
    /// `relaxed`, `parent_and_baby`.
    #[serde(default)]
    #[schema(example = json!(["captioned", "relaxed"]))]
    pub access: Vec<String>,
    /// When seats go on sale; at once unless given.
    pub sales_open_at: Option<DateTime<Utc>>,
    /// Sales close this many minutes before the start; 0 unless given.
    #[schema(maximum = 1440)]
    pub sales_close_minutes: Option<u32>,
}

/// Schedule one showtime in a hall on its current layout, priced by the venue's plan at its
/// local start (the prices are frozen: a later plan does not change them). Refused when its
/// slot (start, adverts, film, cleaning) overlaps another showtime's in the hall.
#[utoipa::path(post, path = "/admin/showtimes", tag = "back office", security(("bearer" = [])), request_body = NewShowtimeRequest,
    responses(
        (status = 201, body = AdminShowtimeBody),
        (status = 400, description = "`invalid_request` (a field, a start in the past), `invalid_showtime` (the plan prices no seat category of the hall, or the sales window is empty), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`auditorium_not_found` (also another venue's), `event_not_found`", body = ErrorBody),
        (status = 409, description = "`schedule_conflict`: the hall is busy then (`clashes` lists each clash); `no_price_plan`: the venue has no price plan", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn create_showtime(
    State(app): State<App>,
    staff: Staff<Manager>,
    Json(body): Json<NewShowtimeRequest>,
) -> ApiResult<(StatusCode, axum::Json<AdminShowtimeBody>)> {
    let terms = ShowtimeTerms {
        event_id: EventId(body.event_id),
        auditorium_id: AuditoriumId(body.auditorium_id),
        format: body.format,
        audio_language: body.audio_language,
        subtitles: body.subtitles,
        access: body.access,
        sales_open_at: body.sales_open_at,
        sales_close_minutes: body.sales_close_minutes,
    };
    let actor = by(&app, &staff, "showtime.create", showtime_json);
    let showtime = scheduling::schedule_one(&app, &staff, terms, body.starts_at, actor).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AdminShowtimeBody::from(&showtime)),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScheduleRequest {
    pub event_id: i64,
    pub auditorium_id: i64,
    /// Local start times (`HH:MM`, the venue's wall clock), each given once.
    #[schema(example = json!(["14:00", "17:30", "21:00"]))]
    pub times: Vec<String>,
    /// `mon`, `tue`, ... `sun`, each given once.
    #[schema(example = json!(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]))]
    pub weekdays: Vec<String>,
    /// The first day (inclusive).
    pub from: NaiveDate,
    /// The last day (inclusive); at most 92 days in all, 1000 showtimes.
    pub to: NaiveDate,
    #[schema(example = "2D", max_length = 16)]
    pub format: String,
    #[schema(max_length = 16)]
    pub audio_language: Option<String>,
    #[schema(max_length = 16)]
    pub subtitles: Option<String>,
    /// Access and experience tags of every showtime of the schedule.
    #[serde(default)]
    pub access: Vec<String>,
    pub sales_open_at: Option<DateTime<Utc>>,
    #[schema(maximum = 1440)]
    pub sales_close_minutes: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ScheduledBody {
    /// By start time.
    pub showtimes: Vec<AdminShowtimeBody>,
}

/// Schedule a film in a hall at these local times on these weekdays from one date to another,
/// all or nothing: when any showtime would overlap another in the hall, or another of the same
/// request, nothing is scheduled and `clashes` lists every clash. A local time the clocks skip
/// is refused. Each showtime is priced by the venue's plan at its own local start.
#[utoipa::path(post, path = "/admin/schedules", tag = "back office", security(("bearer" = [])), request_body = NewScheduleRequest,
    responses(
        (status = 201, body = ScheduledBody),
        (status = 400, description = "`invalid_request` (a field, a time twice, too many days or showtimes, a start in the past), `invalid_showtime`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`auditorium_not_found` (also another venue's), `event_not_found`", body = ErrorBody),
        (status = 409, description = "`schedule_conflict` (`clashes` lists each clash), `no_price_plan`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn create_schedule(
    State(app): State<App>,
    staff: Staff<Manager>,
    Json(body): Json<NewScheduleRequest>,
) -> ApiResult<(StatusCode, axum::Json<ScheduledBody>)> {
    let terms = ShowtimeTerms {
        event_id: EventId(body.event_id),
        auditorium_id: AuditoriumId(body.auditorium_id),
        format: body.format,
        audio_language: body.audio_language,
        subtitles: body.subtitles,
        access: body.access,
        sales_open_at: body.sales_open_at,
        sales_close_minutes: body.sales_close_minutes,
    };
    let repeat = Repeat {
        times: body.times,
        weekdays: body.weekdays,
        from: body.from,
        to: body.to,
    };
    let actor = by(&app, &staff, "showtime.create", showtime_json);
    let showtimes = scheduling::schedule_many(&app, &staff, terms, repeat, actor).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ScheduledBody {
            showtimes: showtimes.iter().map(AdminShowtimeBody::from).collect(),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowtimePatch {
    /// A new start.
    pub starts_at: Option<DateTime<Utc>>,
    /// Another hall of the venue (the showtime then takes its current layout).
    pub auditorium_id: Option<i64>,
    /// Why: needed to move a showtime with live bookings, and told to each of its customers
    /// (1 to 500 characters on one line).
    pub reason: Option<String>,
}

/// A showtime moved, and how many of its customers were told.
#[derive(Serialize, ToSchema)]
pub struct MovedShowtimeBody {
    #[serde(flatten)]
    pub showtime: AdminShowtimeBody,
    /// The bookings (bought, or being paid for) whose customers were told of the move, each
    /// with a link to keep it, exchange it for another showtime of the film, or cancel it for
    /// a full refund. Empty for a showtime with no sales.
    pub customers_told: Vec<String>,
}

/// Move or retime a showtime: a new start, another hall, or both, before it starts. Its slot
/// is checked for clashes like a new one's, and its prices are resolved again from the
/// venue's plan for the new start (bookings keep what they paid). A showtime with live
/// bookings (a hold that has not run out, a payment under way, a sale) moves only with a
/// `reason`: in another hall each seat keeps its label where the hall has that seat in the
/// same category, the others are placed together again; every customer who bought or is
/// paying is emailed the change with a link to keep it, exchange it
/// (`POST /bookings/{id}/exchange`) or cancel it for a full refund.
#[utoipa::path(patch, path = "/admin/showtimes/{id}", tag = "back office", security(("bearer" = [])), request_body = ShowtimePatch,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = MovedShowtimeBody),
        (status = 400, description = "`invalid_request` (nothing to change, a start in the past, a reason that is empty, too long or not one line), `invalid_showtime`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`showtime_not_found`, `auditorium_not_found` (also another venue's)", body = ErrorBody),
        (status = 409, description = "`showtime_has_bookings`: it has live bookings and no `reason` was given; `move_unseats`: the other hall has no place for some seats people have; `showtime_has_blocked_seats`: moving to another hall would drop them; `showtime_started`; `schedule_conflict` (`clashes`); `no_price_plan`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn update_showtime(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<ShowtimePatch>,
) -> ApiResult<axum::Json<MovedShowtimeBody>> {
    let id = ShowtimeId(parse_id(&id, Entity::Showtime)?);
    let actor = by(&app, &staff, "showtime.update", showtime_json);
    let moved = scheduling::move_showtime(
        &app,
        &staff,
        id,
        body.starts_at,
        body.auditorium_id.map(AuditoriumId),
        body.reason.as_deref(),
        actor,
    )
    .await?;
    Ok(axum::Json(MovedShowtimeBody {
        showtime: AdminShowtimeBody::from(&moved.showtime),
        customers_told: moved.told.iter().map(|b| b.0.to_string()).collect(),
    }))
}

/// Delete a showtime that has never had a booking (one that had is kept for its records).
#[utoipa::path(delete, path = "/admin/showtimes/{id}", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`showtime_not_found` (also another venue's)", body = ErrorBody),
        (status = 409, description = "`showtime_has_bookings`: it has had a booking", body = ErrorBody),
    ))]
pub async fn delete_showtime(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = ShowtimeId(parse_id(&id, Entity::Showtime)?);
    let actor = by(&app, &staff, "showtime.delete", showtime_json);
    scheduling::delete_showtime(&app, &staff, id, actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyWeekRequest {
    /// The Monday of the week to copy.
    pub from_week: NaiveDate,
    /// The Monday of the week to copy it into.
    pub to_week: NaiveDate,
}

/// Copy a venue's showtimes of one week into another: the same films in the same halls at the
/// same weekday and wall-clock time (across a change of the clocks too), on the same terms,
/// priced by the venue's plan at their new starts and on sale at once. All or nothing: any
/// clash refuses the whole copy and `clashes` lists each.
#[utoipa::path(post, path = "/admin/venues/{id}/schedule/copy", tag = "back office", security(("bearer" = [])), request_body = CopyWeekRequest,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = ScheduledBody),
        (status = 400, description = "`invalid_request` (a date that is not a Monday, the same week twice), `invalid_showtime` (a copy would start in the past, or the plan prices no seat category), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
        (status = 409, description = "`schedule_conflict` (`clashes` lists each clash), `no_price_plan`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn copy_week(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<CopyWeekRequest>,
) -> ApiResult<(StatusCode, axum::Json<ScheduledBody>)> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let actor = by(&app, &staff, "showtime.create", showtime_json);
    let copied =
        scheduling::copy_week(&app, &staff, id, body.from_week, body.to_week, actor).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ScheduledBody {
            showtimes: copied.iter().map(AdminShowtimeBody::from).collect(),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelShowtimeRequest {
    /// Why, for the customers' message and the audit log.
    #[schema(min_length = 1, max_length = 500, example = "projector failure")]
    pub reason: String,
}

/// What cancelling a showtime did this time.
#[derive(Serialize, ToSchema)]
pub struct ShowtimeCancelledBody {
    pub showtime_id: i64,
    /// When it was first cancelled (a repeat answers the first time).
    pub cancelled_at: DateTime<Utc>,
    /// Bookings refunded in full by this call (none when repeated).
    pub bookings_refunded: usize,
    /// Minor units refunded by this call, in all.
    pub refunded: i64,
    /// Holds let go by this call.
    pub holds_released: usize,
}

/// Cancel a showtime: nothing more is sold, holds are let go, every booking is refunded in
/// full (whatever the refund policy) and every customer is told. Safe to repeat: a second call
/// finds nothing left to do and refunds nothing twice.
#[utoipa::path(post, path = "/admin/showtimes/{id}/cancel", tag = "back office", security(("bearer" = [])), request_body = CancelShowtimeRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ShowtimeCancelledBody),
        (status = 400, description = "`invalid_request` (no reason), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`showtime_not_found` (also another venue's)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn cancel_showtime(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<CancelShowtimeRequest>,
) -> ApiResult<axum::Json<ShowtimeCancelledBody>> {
    let id = ShowtimeId(parse_id(&id, Entity::Showtime)?);
    let done = crate::box_office::cancel_showtime(&app, &staff, id, &body.reason).await?;
    Ok(axum::Json(ShowtimeCancelledBody {
        showtime_id: id.0,
        cancelled_at: done.cancelled_at,
        bookings_refunded: done.bookings.len(),
        refunded: done.bookings.iter().map(|(_, c)| c.plan.refund.minor).sum(),
        holds_released: done.holds_released.len(),
    }))
}
