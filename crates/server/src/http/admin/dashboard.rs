//! `/admin/dashboard`: today at a glance, as the `/admin` page shows it.

use crate::app::App;
use crate::dashboard::{self, VenueToday};
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::staff::{BoxOffice, Staff};
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use marquee_domain::Money;
use marquee_store::dashboard::{RecentBooking, ShowtimeOccupancy};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct AmountBody {
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
}

impl From<&Money> for AmountBody {
    fn from(m: &Money) -> Self {
        AmountBody {
            amount: m.minor,
            currency: m.currency.as_str().to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OccupancyBody {
    pub showtime_id: i64,
    pub title: String,
    pub auditorium: String,
    pub starts_at: DateTime<Utc>,
    pub seats: u32,
    pub sold: u32,
    /// Seats in live holds now.
    pub held: u32,
}

impl From<&ShowtimeOccupancy> for OccupancyBody {
    fn from(s: &ShowtimeOccupancy) -> Self {
        OccupancyBody {
            showtime_id: s.showtime.0,
            title: s.title.clone(),
            auditorium: s.auditorium.clone(),
            starts_at: s.starts_at,
            seats: s.seats,
            sold: s.sold,
            held: s.held,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VenueTodayBody {
    pub venue_id: i64,
    pub name: String,
    pub city: String,
    /// Today in the venue's city.
    pub date: NaiveDate,
    /// Bookings confirmed today (and not undone since), and their tickets.
    pub bookings: u32,
    pub tickets: u32,
    /// What they paid, one amount per currency.
    pub revenue: Vec<AmountBody>,
    /// Today's showtimes that have not ended, by start, with their occupancy.
    pub showtimes: Vec<OccupancyBody>,
    /// Holds alive now, and their seats.
    pub holds: u32,
    pub held_seats: u32,
}

impl From<&VenueToday> for VenueTodayBody {
    fn from(v: &VenueToday) -> Self {
        VenueTodayBody {
            venue_id: v.id.0,
            name: v.name.clone(),
            city: v.city.clone(),
            date: v.date,
            bookings: v.bookings,
            tickets: v.tickets,
            revenue: v.revenue.iter().map(AmountBody::from).collect(),
            showtimes: v.showtimes.iter().map(OccupancyBody::from).collect(),
            holds: v.holds,
            held_seats: v.held_seats,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecentBookingBody {
    /// A string: booking ids are 64-bit.
    pub id: String,
    pub reference: String,
    pub status: String,
    pub venue_id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub seats: u32,
    pub total: AmountBody,
    pub created_at: DateTime<Utc>,
}

impl From<&RecentBooking> for RecentBookingBody {
    fn from(b: &RecentBooking) -> Self {
        RecentBookingBody {
            id: b.id.0.to_string(),
            reference: b.reference.clone(),
            status: b.status.as_str().to_string(),
            venue_id: b.venue.0,
            title: b.title.clone(),
            starts_at: b.starts_at,
            seats: b.seats,
            total: AmountBody::from(&b.total),
            created_at: b.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DashboardBody {
    pub venues: Vec<VenueTodayBody>,
    /// The newest bookings of these venues.
    pub recent: Vec<RecentBookingBody>,
}

/// Today at a glance, per venue you work at (an owner: every venue): tickets sold and revenue
/// today (each venue's own day), the occupancy of today's showtimes still to come, live
/// holds, and the newest bookings.
#[utoipa::path(get, path = "/admin/dashboard", tag = "back office", security(("bearer" = [])),
    responses(
        (status = 200, body = DashboardBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the box office and up; `totp_enrolment_required`", body = ErrorBody),
    ))]
pub async fn dashboard(
    State(app): State<App>,
    staff: Staff<BoxOffice>,
) -> ApiResult<axum::Json<DashboardBody>> {
    let today = dashboard::today(&app, staff.venue_filter()).await?;
    Ok(axum::Json(DashboardBody {
        venues: today.venues.iter().map(VenueTodayBody::from).collect(),
        recent: today.recent.iter().map(RecentBookingBody::from).collect(),
    }))
}
