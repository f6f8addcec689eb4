//! `/admin/venues/{id}/refund-policy`: what a venue refunds when a customer cancels, by how long
//! before the start, and the fee it keeps per ticket.

use crate::app::App;
use crate::cancellations;
use crate::error::{AppError, ErrorCode};
use crate::http::error::{parse_id, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::http::staff::{BoxOffice, Manager, Staff};
use axum::extract::State;
use marquee_domain::cancellation::{RefundPolicy, RefundTier};
use marquee_domain::{Entity, VenueId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One step: `percent` of what a seat cost goes back when the booking is cancelled at least
/// `minutes_before` the start.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundTierBody {
    #[schema(example = 1440, maximum = 527040)]
    pub minutes_before: u32,
    #[schema(example = 100, maximum = 100)]
    pub percent: u8,
}

/// A venue's refund policy. After the last tier's deadline customers cannot cancel.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundPolicyBody {
    /// 1 to 8 tiers, any order; a tier closer to the start refunds no more than an earlier one.
    #[schema(min_items = 1, max_items = 8, example = json!([
        {"minutes_before": 1440, "percent": 100}, {"minutes_before": 120, "percent": 50}]))]
    pub tiers: Vec<RefundTierBody>,
    /// Minor units kept per ticket cancelled (never more than its refund).
    #[schema(minimum = 0, maximum = 999999)]
    pub fee_per_ticket: i64,
    /// In answers: whether the venue set this policy (else it is the standard one: a full
    /// refund until 2 hours before the start). Ignored in requests.
    #[serde(default)]
    pub custom: bool,
}

impl RefundPolicyBody {
    fn new(policy: &RefundPolicy, custom: bool) -> Self {
        RefundPolicyBody {
            tiers: policy
                .tiers()
                .iter()
                .map(|t| RefundTierBody {
                    minutes_before: t.minutes_before,
                    percent: t.percent,
                })
                .collect(),
            fee_per_ticket: policy.fee_per_ticket_minor(),
            custom,
        }
    }
}

/// A venue's refund policy.
#[utoipa::path(get, path = "/admin/venues/{id}/refund-policy", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = RefundPolicyBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: box office and up; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
    ))]
pub async fn get_refund_policy(
    State(app): State<App>,
    staff: Staff<BoxOffice>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<RefundPolicyBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let (policy, custom) = cancellations::policy(&app, &staff, id).await?;
    Ok(axum::Json(RefundPolicyBody::new(&policy, custom)))
}

/// Replace a venue's refund policy. It applies to every cancellation from now on, of bookings
/// made before as well.
#[utoipa::path(put, path = "/admin/venues/{id}/refund-policy", tag = "back office", security(("bearer" = [])), request_body = RefundPolicyBody,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = RefundPolicyBody),
        (status = 400, description = "`invalid_request` (the message says which rule), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn put_refund_policy(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<RefundPolicyBody>,
) -> ApiResult<axum::Json<RefundPolicyBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let tiers = body
        .tiers
        .iter()
        .map(|t| RefundTier {
            minutes_before: t.minutes_before,
            percent: t.percent,
        })
        .collect();
    let policy = RefundPolicy::new(tiers, body.fee_per_ticket)
        .map_err(|e| AppError::invalid(ErrorCode::InvalidRequest, e.to_string()))?;
    cancellations::put_policy(&app, &staff, id, &policy).await?;
    Ok(axum::Json(RefundPolicyBody::new(&policy, true)))
}
