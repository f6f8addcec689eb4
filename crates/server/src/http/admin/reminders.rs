//! `/admin/venues/{id}/reminder`: how many hours before its showtimes a venue reminds its
//! customers by mail.

use crate::app::App;
use crate::http::error::{parse_id, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::http::staff::{Manager, Staff};
use crate::reminders;
use axum::extract::State;
use marquee_domain::{Entity, VenueId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderBody {
    /// Hours before the start each confirmed booking's customer is reminded, once; 0 for no
    /// reminders. 3 unless set.
    #[schema(minimum = 0, maximum = 48, example = 3)]
    pub hours_before: u32,
}

/// A venue's reminder setting.
#[utoipa::path(get, path = "/admin/venues/{id}/reminder", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ReminderBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
    ))]
pub async fn get_reminder(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ReminderBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let hours_before = reminders::hours_before(&app, &staff, id).await?;
    Ok(axum::Json(ReminderBody { hours_before }))
}

/// Set how many hours before its showtimes a venue reminds its customers (0: never).
#[utoipa::path(put, path = "/admin/venues/{id}/reminder", tag = "back office", security(("bearer" = [])), request_body = ReminderBody,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ReminderBody),
        (status = 400, description = "`invalid_request` (more than 48 hours), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn put_reminder(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<ReminderBody>,
) -> ApiResult<axum::Json<ReminderBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    reminders::set_hours_before(&app, &staff, id, body.hours_before).await?;
    Ok(axum::Json(body))
}
