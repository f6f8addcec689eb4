//! `POST /api/v1/checkin`: a ticket admitted at the door (`check_in::admit`); `GET
//! /api/v1/admin/showtimes/{id}/door`: how many are in.

use super::error::{parse_id, ApiResult, ErrorBody};
use super::extract::{Json, Path};
use super::staff::{Staff, Usher};
use crate::app::App;
use crate::check_in;
use axum::extract::State;
use chrono::{DateTime, Utc};
use marquee_domain::{Entity, ShowtimeId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The ticket's code, as its QR code holds it.
    #[schema(example = "YMHY4H6Z9SRXFDH99QMSX5FYY2", max_length = 64)]
    pub code: String,
}

/// A ticket admitted.
#[derive(Serialize, ToSchema)]
pub struct AdmissionBody {
    pub code: String,
    pub seat: String,
    /// The ticket type's name, e.g. `Child`.
    pub ticket_type: String,
    pub film: String,
    pub venue: String,
    pub auditorium: String,
    pub starts_at: DateTime<Utc>,
    /// The start on the venue's wall clock, with its offset.
    pub starts_at_local: String,
    /// What the customer told the cinema about their access needs.
    pub access_needs: Option<String>,
    pub admitted_at: DateTime<Utc>,
    /// The showtime's valid tickets, and how many of them are admitted now (this one too).
    pub showtime_sold: u32,
    pub showtime_admitted: u32,
}

/// Admit a ticket at the door, once: a second scan (from this scanner or another, even at the
/// same moment) is refused with when and by whom it was admitted. For ushers and up, at their
/// venues, from three hours before the showtime until its end.
#[utoipa::path(post, path = "/checkin", tag = "check-in", security(("bearer" = [])), request_body = CheckInRequest,
    responses(
        (status = 200, description = "Admitted", body = AdmissionBody),
        (status = 400, description = "`invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: staff only; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`: no ticket has this code (or it is no code)", body = ErrorBody),
        (status = 409, description = "`ticket_already_admitted` (the message says when and by whom), `ticket_void` (its sale was undone), `ticket_not_today` (another day's showtime), `ticket_for_another_venue`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn check_in(
    State(app): State<App>,
    staff: Staff<Usher>,
    Json(body): Json<CheckInRequest>,
) -> ApiResult<axum::Json<AdmissionBody>> {
    let admitted = check_in::admit(&app, &staff, &body.code).await?;
    let info = &admitted.showtime;
    Ok(axum::Json(AdmissionBody {
        code: admitted.code.to_string(),
        seat: admitted.seat.clone(),
        ticket_type: admitted.ticket_type.clone(),
        film: info.event_title.clone(),
        venue: info.venue.name.clone(),
        auditorium: info.auditorium_name.clone(),
        starts_at: info.showtime.starts_at,
        starts_at_local: info
            .showtime
            .starts_at
            .with_timezone(&info.city.timezone)
            .to_rfc3339(),
        access_needs: admitted.access_needs.clone(),
        admitted_at: admitted.admitted_at,
        showtime_sold: admitted.door.sold,
        showtime_admitted: admitted.door.admitted,
    }))
}

/// A showtime's door.
#[derive(Serialize, ToSchema)]
pub struct DoorBody {
    pub showtime_id: i64,
    /// Its valid tickets (sold and not cancelled).
    pub sold: u32,
    /// How many of them are admitted.
    pub admitted: u32,
}

/// How many of a showtime's tickets are admitted so far, of how many sold: read afresh on
/// each call (the back office's showtime page asks every few seconds). For ushers and up, at
/// their venues.
#[utoipa::path(get, path = "/admin/showtimes/{id}/door", tag = "check-in", security(("bearer" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = DoorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: staff only; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`showtime_not_found` (also another venue's)", body = ErrorBody),
    ))]
pub async fn door(
    State(app): State<App>,
    staff: Staff<Usher>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<DoorBody>> {
    let id = ShowtimeId(parse_id(&id, Entity::Showtime)?);
    let door = check_in::door(&app, &staff, id).await?;
    Ok(axum::Json(DoorBody {
        showtime_id: id.0,
        sold: door.sold,
        admitted: door.admitted,
    }))
}
