//! `/admin/venues/{id}/schedule`: a venue's week of showtimes, hall by hall, as the week view
//! draws it.

use crate::app::App;
use crate::http::admin::schedule::AdminShowtimeBody;
use crate::http::error::{parse_id, ApiResult, ErrorBody};
use crate::http::extract::{Path, Query};
use crate::http::staff::{Manager, Staff};
use crate::scheduling::{self, Week};
use axum::extract::State;
use chrono::NaiveDate;
use marquee_domain::{Entity, VenueId};
use marquee_store::VenueShowtime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeekParams {
    /// Any day of the week (its Monday names it best), e.g. `2026-11-23`; this week on the
    /// venue's wall clock unless given.
    #[param(pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-")]
    pub week: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct WeekHallBody {
    pub id: i64,
    pub name: String,
    /// Seats of its current layout.
    pub capacity: u32,
}

/// A showtime of the week: the back office's showtime, with its hall's and film's names and
/// how full it is.
#[derive(Serialize, ToSchema)]
pub struct WeekShowtimeBody {
    #[serde(flatten)]
    pub showtime: AdminShowtimeBody,
    pub auditorium_name: String,
    pub event_title: String,
    /// Seats of the layout it was scheduled on.
    pub capacity: u32,
    pub seats_sold: u32,
    /// Seats of holds alive now.
    pub seats_held: u32,
    /// Neither sold, held nor blocked.
    pub seats_available: u32,
}

impl From<&VenueShowtime> for WeekShowtimeBody {
    fn from(v: &VenueShowtime) -> Self {
        WeekShowtimeBody {
            showtime: AdminShowtimeBody::from(&v.info),
            auditorium_name: v.info.auditorium_name.clone(),
            event_title: v.info.event_title.clone(),
            capacity: v.info.capacity,
            seats_sold: v.seats_sold,
            seats_held: v.seats_held,
            seats_available: v.info.seats_available,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WeekBody {
    pub venue_id: i64,
    /// The venue's time zone: the week's days are its.
    pub timezone: String,
    /// The week's Monday.
    pub week: NaiveDate,
    /// The Mondays before and after, for paging.
    pub previous_week: NaiveDate,
    pub next_week: NaiveDate,
    /// Every hall of the venue, by name.
    pub auditoriums: Vec<WeekHallBody>,
    /// The showtimes that start in the week (local Monday 00:00 to Sunday 24:00), by start.
    pub showtimes: Vec<WeekShowtimeBody>,
}

impl From<&Week> for WeekBody {
    fn from(week: &Week) -> Self {
        WeekBody {
            venue_id: week.venue.id.0,
            timezone: week.zone.name().to_string(),
            week: week.monday,
            previous_week: week.previous,
            next_week: week.next,
            auditoriums: week
                .halls
                .iter()
                .map(|h| WeekHallBody {
                    id: h.auditorium.id.0,
                    name: h.auditorium.name.clone(),
                    capacity: h.auditorium.capacity,
                })
                .collect(),
            showtimes: week.showtimes.iter().map(WeekShowtimeBody::from).collect(),
        }
    }
}

/// A venue's showtimes of one week, with its halls: what a week view draws (halls as columns,
/// each showtime from its start to when its hall is free again) and how full each is.
#[utoipa::path(get, path = "/admin/venues/{id}/schedule", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path), WeekParams),
    responses(
        (status = 200, body = WeekBody),
        (status = 400, description = "`invalid_query`: `week` is no date", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
    ))]
pub async fn venue_week(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Query(params): Query<WeekParams>,
) -> ApiResult<axum::Json<WeekBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let week = scheduling::week(&app, &staff, id, params.week).await?;
    Ok(axum::Json(WeekBody::from(&week)))
}
