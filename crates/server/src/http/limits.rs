//! `/limits`: what one account may do, so that a client can say so before it is refused.

use crate::app::App;
use axum::extract::State;
use axum::Json;
use marquee_domain::HoldLimits;
use serde::Serialize;
use utoipa::ToSchema;

/// One account's share of a sale; a limit that is off is `null`.
#[derive(Serialize, ToSchema)]
pub struct HoldLimitsBody {
    /// Most seats in holds and sales of one showtime.
    pub seats_per_showtime: Option<u32>,
    /// Most holds (held or being paid for) at once, over all showtimes.
    pub live_holds: Option<u32>,
    /// After a hold ran out unpaid, seconds before its account may hold seats of that
    /// showtime again.
    pub cooldown_seconds: Option<i64>,
}

impl From<HoldLimits> for HoldLimitsBody {
    fn from(limits: HoldLimits) -> Self {
        HoldLimitsBody {
            seats_per_showtime: limits.seats_per_showtime,
            live_holds: limits.live_holds,
            cooldown_seconds: limits.cooldown.map(|d| d.num_seconds()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LimitsBody {
    pub holds: HoldLimitsBody,
}

/// The limits this node applies to every account.
#[utoipa::path(get, path = "/limits", tag = "bookings", responses((status = 200, body = LimitsBody)))]
pub async fn limits(State(app): State<App>) -> Json<LimitsBody> {
    Json(LimitsBody {
        holds: app.config().hold_limits.into(),
    })
}
