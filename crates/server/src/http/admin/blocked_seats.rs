//! `/admin/showtimes/{id}/blocked-seats`: seats of one showtime taken off sale (house seats, a
//! broken seat) and put back.

use super::{by, json};
use crate::app::App;
use crate::http::error::{parse_id, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::http::staff::{Manager, Staff};
use crate::scheduling;
use axum::extract::State;
use marquee_domain::{Entity, ShowtimeId};
use marquee_store::BlockedSeats;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockedSeatsRequest {
    /// Seat labels of the showtime's hall.
    #[schema(example = json!(["A1", "A2"]), min_items = 1)]
    pub seats: Vec<String>,
}

/// A showtime's blocked seats, in the hall's order.
#[derive(Serialize, ToSchema)]
pub struct BlockedSeatsBody {
    pub showtime_id: i64,
    #[schema(example = json!(["A1", "A2"]))]
    pub seats: Vec<String>,
}

impl From<&BlockedSeats> for BlockedSeatsBody {
    fn from(blocked: &BlockedSeats) -> Self {
        BlockedSeatsBody {
            showtime_id: blocked.showtime_id.0,
            seats: blocked.labels.clone(),
        }
    }
}

pub fn blocked_json(blocked: &BlockedSeats) -> serde_json::Value {
    json(BlockedSeatsBody::from(blocked))
}

/// The showtime's blocked seats.
#[utoipa::path(get, path = "/admin/showtimes/{id}/blocked-seats", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = BlockedSeatsBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`showtime_not_found` (also another venue's)", body = ErrorBody),
    ))]
pub async fn list_blocked_seats(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<BlockedSeatsBody>> {
    let id = ShowtimeId(parse_id(&id, Entity::Showtime)?);
    let blocked = scheduling::blocked_seats(&app, &staff, id).await?;
    Ok(axum::Json(BlockedSeatsBody::from(&blocked)))
}

/// Take seats of a showtime off sale: house seats, a broken seat. Only free seats can be
/// blocked (seats someone holds or bought are refused, and nothing changes); seats blocked
/// already stay so. Customers see them taken at once, and no hold can take them.
#[utoipa::path(post, path = "/admin/showtimes/{id}/blocked-seats", tag = "back office", security(("bearer" = [])), request_body = BlockedSeatsRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The showtime's blocked seats now", body = BlockedSeatsBody),
        (status = 400, description = "`unknown_seats` (`seats` names them), `invalid_seats` (none, or too many), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`showtime_not_found` (also another venue's)", body = ErrorBody),
        (status = 409, description = "`seats_unavailable`: held or sold (`seats` names them); `showtime_started`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn block_seats(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<BlockedSeatsRequest>,
) -> ApiResult<axum::Json<BlockedSeatsBody>> {
    set(app, staff, id, body, true).await
}

/// Put blocked seats of a showtime back on sale; seats not blocked are left as they are.
#[utoipa::path(delete, path = "/admin/showtimes/{id}/blocked-seats", tag = "back office", security(("bearer" = [])), request_body = BlockedSeatsRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The showtime's blocked seats now", body = BlockedSeatsBody),
        (status = 400, description = "`unknown_seats` (`seats` names them), `invalid_seats` (none, or too many), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`showtime_not_found` (also another venue's)", body = ErrorBody),
        (status = 409, description = "`showtime_started`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn unblock_seats(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<BlockedSeatsRequest>,
) -> ApiResult<axum::Json<BlockedSeatsBody>> {
    set(app, staff, id, body, false).await
}

async fn set(
    app: App,
    staff: Staff<Manager>,
    id: String,
    body: BlockedSeatsRequest,
    block: bool,
) -> ApiResult<axum::Json<BlockedSeatsBody>> {
    let id = ShowtimeId(parse_id(&id, Entity::Showtime)?);
    let action = if block {
        "showtime.block_seats"
    } else {
        "showtime.unblock_seats"
    };
    let actor = by(&app, &staff, action, blocked_json);
    let blocked = scheduling::set_blocked_seats(&app, &staff, id, body.seats, block, actor).await?;
    Ok(axum::Json(BlockedSeatsBody::from(&blocked)))
}
