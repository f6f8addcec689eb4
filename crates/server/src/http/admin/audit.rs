//! `/admin/audit`: every staff write, newest first.

use crate::app::App;
use crate::back_office;
use crate::error::{AppError, ErrorCode};
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::Query;
use crate::http::staff::{Manager, Staff};
use axum::extract::State;
use chrono::{DateTime, Utc};
use marquee_domain::{UserId, VenueId};
use marquee_store::{AuditFilter, AuditRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const MAX_LIMIT: u32 = 200;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Entries by this member of staff (their user id).
    pub actor: Option<i64>,
    /// Entries about this venue and what is in it.
    pub venue: Option<i64>,
    /// From this time on.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub to: Option<DateTime<Utc>>,
    /// Entries older than this id: the `next_before` of the page before.
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryBody {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_email: Option<String>,
    /// What was done, e.g. `venue.update`.
    pub action: String,
    /// What it was done to: `city`, `venue`, `auditorium`, `event`, `staff`, `invitation`...
    pub entity: String,
    pub entity_id: Option<i64>,
    pub venue_id: Option<i64>,
    /// The thing before the change (none for a creation), as the API shows it.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The thing after the change (none for a removal).
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl From<AuditRecord> for AuditEntryBody {
    fn from(r: AuditRecord) -> Self {
        AuditEntryBody {
            id: r.id,
            at: r.at,
            actor_id: r.actor.map(|a| a.0),
            actor_email: r.actor_email,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            venue_id: r.venue.map(|v| v.0),
            before: r.before,
            after: r.after,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditBody {
    pub entries: Vec<AuditEntryBody>,
    /// Pass as `before` for the next page; absent on the last.
    pub next_before: Option<i64>,
}

/// The audit log: who changed what, when, with the values before and after. An owner reads
/// all of it; a manager their venues' entries.
#[utoipa::path(get, path = "/admin/audit", tag = "back office", security(("bearer" = [])),
    params(AuditParams),
    responses(
        (status = 200, body = AuditBody),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
    ))]
pub async fn audit_log(
    State(app): State<App>,
    staff: Staff<Manager>,
    Query(params): Query<AuditParams>,
) -> ApiResult<axum::Json<AuditBody>> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::invalid(
            ErrorCode::InvalidQuery,
            format!("limit is from 1 to {MAX_LIMIT}"),
        )
        .into());
    }
    let filter = AuditFilter {
        actor: params.actor.map(UserId),
        venues: params.venue.map(|v| vec![VenueId(v)]),
        from: params.from,
        until: params.to,
        before: params.before,
        limit,
    };
    let entries = back_office::audit(&app, &staff, filter).await?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(axum::Json(AuditBody {
        entries: entries.into_iter().map(AuditEntryBody::from).collect(),
        next_before,
    }))
}
