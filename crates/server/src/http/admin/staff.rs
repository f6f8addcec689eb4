//! `/admin/staff`: who works here. Owners only.

use crate::app::App;
use crate::error::AppError;
use crate::http::error::{parse_id, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::http::staff::{Owner, Staff};
use crate::staff;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use marquee_domain::{Entity, UserId, VenueId};
use marquee_store::StaffMember;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    #[schema(example = "sam@example.com", format = Email, max_length = 254)]
    pub email: String,
    /// `owner`, `manager`, `box_office` or `usher`.
    #[schema(example = "manager")]
    pub role: String,
    /// The venues they work at; none for an owner, at least one for the others.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub venue_ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationBody {
    pub email: String,
    pub role: String,
    pub venue_ids: Vec<i64>,
    /// The single-use link the invitee opens to set a password. It is mailed to them too
    /// (outbox `staff_invitation`); here it is shown this once.
    pub invite_url: String,
    /// The token inside the link, for `POST /auth/invitations/accept`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Invite someone to the staff with a role (and, but for owners, the venues they work at).
#[utoipa::path(post, path = "/admin/staff", tag = "staff", security(("bearer" = [])), request_body = NewStaff,
    responses(
        (status = 201, body = InvitationBody),
        (status = 400, description = "`invalid_email`, `invalid_request` (role, venues), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn invite(
    State(app): State<App>,
    owner: Staff<Owner>,
    Json(body): Json<NewStaff>,
) -> ApiResult<(StatusCode, axum::Json<InvitationBody>)> {
    let venues: Vec<VenueId> = body.venue_ids.iter().map(|&id| VenueId(id)).collect();
    let link = staff::invite(&app, &owner, &body.email, &body.role, venues).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(InvitationBody {
            email: body.email.trim().to_lowercase(),
            role: body.role,
            venue_ids: body.venue_ids,
            invite_url: link.url,
            token: link.token,
            expires_at: link.expires_at,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct StaffBody {
    pub user_id: i64,
    pub email: String,
    pub role: String,
    pub venue_ids: Vec<i64>,
    /// Whether they have enrolled an authenticator app.
    pub totp_enrolled: bool,
    pub since: DateTime<Utc>,
}

impl From<&StaffMember> for StaffBody {
    fn from(m: &StaffMember) -> Self {
        StaffBody {
            user_id: m.user.id.0,
            email: m.user.email.to_string(),
            role: m.access.role.as_str().to_string(),
            venue_ids: m.access.venues.iter().map(|v| v.0).collect(),
            totp_enrolled: m.totp_enabled_at.is_some(),
            since: m.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffListBody {
    pub staff: Vec<StaffBody>,
}

/// Everyone on the staff.
#[utoipa::path(get, path = "/admin/staff", tag = "staff", security(("bearer" = [])),
    responses(
        (status = 200, body = StaffListBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only; `totp_enrolment_required`", body = ErrorBody),
    ))]
pub async fn list(
    State(app): State<App>,
    _owner: Staff<Owner>,
) -> ApiResult<axum::Json<StaffListBody>> {
    let members = app.store().list_staff(None).await.map_err(AppError::from)?;
    Ok(axum::Json(StaffListBody {
        staff: members.iter().map(StaffBody::from).collect(),
    }))
}

/// Take someone off the staff: their role goes and their sessions end at once.
#[utoipa::path(delete, path = "/admin/staff/{id}", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The member's user id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "`invalid_request`: an owner cannot remove themselves", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`user_not_found`: not on the staff", body = ErrorBody),
    ))]
pub async fn remove(
    State(app): State<App>,
    owner: Staff<Owner>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = UserId(parse_id(&id, Entity::User)?);
    staff::remove(&app, &owner, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
