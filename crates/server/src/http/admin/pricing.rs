//! `/admin/venues/{id}/price-plan`: a venue's ticket types and the rules that price them.

use super::{by, json};
use crate::app::App;
use crate::http::error::{parse_id, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::http::staff::{Manager, Staff};
use crate::price_plans::{self, PlanInput, RuleInput};
use axum::extract::State;
use marquee_domain::{Entity, PricePlan, SeatCategory, VenueId};
use marquee_store::price_codec::weekday_name;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketTypeEntry {
    /// What clients send: 1 to 32 of `a-z`, `0-9`, `_`, `-`.
    #[schema(example = "adult")]
    pub code: String,
    /// What people read.
    #[schema(example = "Adult", max_length = 64)]
    pub name: String,
}

/// One line of a plan. A condition left out (or empty) matches anything.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceRuleBody {
    /// The code of one of the plan's ticket types.
    pub ticket_type: String,
    /// `standard`, `premium`, `accessible` or `companion`.
    #[serde(default)]
    pub category: Option<String>,
    /// E.g. `["3D", "IMAX"]` (compared without regard to case).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub formats: Vec<String>,
    /// Of the showtime's local start: `mon`, `tue`, ... `sun`.
    #[serde(default)]
    #[schema(example = json!(["mon", "tue", "wed", "thu", "fri"]))]
    pub weekdays: Vec<String>,
    /// The local start is at or after this `HH:MM`.
    #[serde(default)]
    pub from: Option<String>,
    /// The local start is before this `HH:MM` ("before 17:00" is `until: "17:00"`).
    #[serde(default)]
    #[schema(example = "17:00")]
    pub until: Option<String>,
    /// In the currency's minor units.
    #[schema(minimum = 0)]
    pub price_minor: i64,
}

/// A venue's price plan. Rules are read top to bottom: the first that matches a ticket type,
/// a seat category, the showtime's format, its weekday and local start time gives the price.
/// Scheduling a showtime resolves the plan and freezes its prices.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PricePlanBody {
    /// ISO 4217.
    #[schema(example = "EUR")]
    pub currency: String,
    /// Added per seat, in minor units.
    #[schema(minimum = 0)]
    pub booking_fee_minor: i64,
    /// 1 to 20, the default (what a booking by `seats` sells) first.
    #[schema(min_items = 1, max_items = 20)]
    pub ticket_types: Vec<TicketTypeEntry>,
    #[schema(max_items = 500)]
    pub rules: Vec<PriceRuleBody>,
}

impl From<&PricePlan> for PricePlanBody {
    fn from(plan: &PricePlan) -> Self {
        let time = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
        PricePlanBody {
            currency: plan.currency().as_str().to_string(),
            booking_fee_minor: plan.booking_fee_minor(),
            ticket_types: plan
                .ticket_types()
                .iter()
                .map(|t| TicketTypeEntry {
                    code: t.code.clone(),
                    name: t.name.clone(),
                })
                .collect(),
            rules: plan
                .rules()
                .iter()
                .map(|r| PriceRuleBody {
                    ticket_type: r.ticket_type.clone(),
                    category: r.category.map(|c| SeatCategory::as_str(c).to_string()),
                    formats: r.formats.clone(),
                    weekdays: r.weekdays.iter().map(|d| weekday_name(*d)).collect(),
                    from: time(r.from),
                    until: time(r.until),
                    price_minor: r.price_minor,
                })
                .collect(),
        }
    }
}

impl From<PricePlanBody> for PlanInput {
    fn from(body: PricePlanBody) -> Self {
        PlanInput {
            currency: body.currency,
            booking_fee_minor: body.booking_fee_minor,
            ticket_types: body
                .ticket_types
                .into_iter()
                .map(|t| (t.code, t.name))
                .collect(),
            rules: body
                .rules
                .into_iter()
                .map(|r| RuleInput {
                    ticket_type: r.ticket_type,
                    category: r.category,
                    formats: r.formats,
                    weekdays: r.weekdays,
                    from: r.from,
                    until: r.until,
                    price_minor: r.price_minor,
                })
                .collect(),
        }
    }
}

/// A plan as the audit log keeps it.
pub fn plan_json(plan: &PricePlan) -> serde_json::Value {
    json(PricePlanBody::from(plan))
}

/// A venue's price plan.
#[utoipa::path(get, path = "/admin/venues/{id}/price-plan", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = PricePlanBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's), `price_plan_not_found`: the venue has none yet", body = ErrorBody),
    ))]
pub async fn get_price_plan(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<PricePlanBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let plan = price_plans::venue_plan(&app, &staff, id).await?;
    Ok(axum::Json(PricePlanBody::from(&plan)))
}

/// Replace a venue's price plan whole. Showtimes scheduled already keep the prices they were
/// scheduled with; showtimes scheduled from now on are priced by this plan.
#[utoipa::path(put, path = "/admin/venues/{id}/price-plan", tag = "back office", security(("bearer" = [])), request_body = PricePlanBody,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = PricePlanBody),
        (status = 400, description = "`invalid_request` (the message names the field or rule), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn put_price_plan(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<PricePlanBody>,
) -> ApiResult<axum::Json<PricePlanBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let actor = by(&app, &staff, "price_plan.update", plan_json);
    let plan = price_plans::put_plan(&app, &staff, id, body.into(), actor).await?;
    Ok(axum::Json(PricePlanBody::from(&plan)))
}
