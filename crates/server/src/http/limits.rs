//! `/limits`: what one account may do, so that a client can say so before it is refused.

use crate::app::App;
use crate::rate_limits::ClassLimit;
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

/// One route class's rate limit, per client address and per account.
#[derive(Serialize, ToSchema)]
pub struct RateBody {
    /// The sustained rate: `20/min`.
    #[schema(example = "20/min")]
    pub rate: String,
    /// How many requests may come at once before the rate applies.
    pub burst: u32,
}

impl From<ClassLimit> for RateBody {
    fn from(limit: ClassLimit) -> Self {
        RateBody {
            rate: limit.rate.to_string(),
            burst: limit.burst.get(),
        }
    }
}

/// The rate limits by route class (`null`: off); see the README's *Rate limits*.
#[derive(Serialize, ToSchema)]
pub struct RateLimitsBody {
    /// Register, log in, password changes.
    pub auth: Option<RateBody>,
    /// Hold, release, checkout, pay.
    pub booking: Option<RateBody>,
    /// Every other GET under /api/v1.
    pub read: Option<RateBody>,
}

#[derive(Serialize, ToSchema)]
pub struct LimitsBody {
    pub holds: HoldLimitsBody,
    pub rate_limits: RateLimitsBody,
}

/// The limits this node applies to every account and client.
#[utoipa::path(get, path = "/limits", tag = "bookings", responses((status = 200, body = LimitsBody)))]
pub async fn limits(State(app): State<App>) -> Json<LimitsBody> {
    let rates = &app.config().rate_limits;
    Json(LimitsBody {
        holds: app.config().hold_limits.into(),
        rate_limits: RateLimitsBody {
            auth: rates.auth.map(RateBody::from),
            booking: rates.booking.map(RateBody::from),
            read: rates.read.map(RateBody::from),
        },
    })
}
