//! A member of staff's own account: enrolling an authenticator (`/me/totp`) and taking up an
//! invitation to join (`/auth/invitations/accept`).

use super::error::{ApiResult, ErrorBody};
use super::extract::{AuthUser, Json};
use crate::app::App;
use crate::staff;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct EnrolmentBody {
    /// The shared secret (base32), for typing into an app by hand.
    pub secret: String,
    /// The `otpauth://` URI an authenticator app scans.
    pub otpauth_uri: String,
    /// That URI as a QR code (SVG).
    pub qr_svg: String,
}

/// Staff: start enrolling an authenticator app. Scan the QR code (or type the secret), then
/// confirm with a code (`POST /me/totp/confirm`). Starting again replaces an unconfirmed
/// enrolment; an account with an authenticator in force is refused.
#[utoipa::path(post, path = "/me/totp", tag = "staff", security(("bearer" = [])),
    responses(
        (status = 201, body = EnrolmentBody),
        (status = 400, description = "`duplicate`: an authenticator is enrolled already", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not staff", body = ErrorBody),
    ))]
pub async fn start_enrolment(
    State(app): State<App>,
    auth: AuthUser,
) -> ApiResult<(StatusCode, axum::Json<EnrolmentBody>)> {
    let enrolment = staff::start_enrolment(&app, &auth.user).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(EnrolmentBody {
            secret: enrolment.secret.0,
            otpauth_uri: enrolment.otpauth_uri,
            qr_svg: enrolment.qr_svg,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// The 6-digit code the app shows now.
    #[schema(example = "123456", max_length = 32)]
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesBody {
    /// Single-use codes for a lost phone, shown this once: keep them somewhere safe. Each
    /// logs in once in place of an app's code.
    pub recovery_codes: Vec<String>,
}

/// Staff: confirm the enrolment with a code from the app. From now on every login asks for a
/// code.
#[utoipa::path(post, path = "/me/totp/confirm", tag = "staff", security(("bearer" = [])), request_body = TotpCode,
    responses(
        (status = 200, body = RecoveryCodesBody),
        (status = 400, description = "`duplicate`: enrolled already; `invalid_request`: no enrolment started; `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`invalid_totp`: the code is wrong; `unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not staff", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn confirm_enrolment(
    State(app): State<App>,
    auth: AuthUser,
    Json(body): Json<TotpCode>,
) -> ApiResult<axum::Json<RecoveryCodesBody>> {
    let recovery_codes = staff::confirm_enrolment(&app, &auth.user, &body.code).await?;
    Ok(axum::Json(RecoveryCodesBody { recovery_codes }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The token of the invitation link.
    #[schema(max_length = 128)]
    pub token: String,
    /// A new account's password; or, when the invited email has an account, its password.
    #[schema(example = "correct horse battery", min_length = 8, max_length = 256)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct JoinedBody {
    pub user_id: i64,
    pub email: String,
    /// `owner`, `manager`, `box_office` or `usher`.
    pub role: String,
    pub venue_ids: Vec<i64>,
}

/// Take up an invitation to join the staff (once, within 72 hours). Then log in and enrol an
/// authenticator app.
#[utoipa::path(post, path = "/auth/invitations/accept", tag = "staff", request_body = Acceptance,
    responses(
        (status = 201, body = JoinedBody),
        (status = 400, description = "`invalid_password`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`invalid_credentials`: the email has an account and that is not its password", body = ErrorBody),
        (status = 404, description = "`invitation_not_found`: unknown, used or expired", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn accept_invitation(
    State(app): State<App>,
    Json(body): Json<Acceptance>,
) -> ApiResult<(StatusCode, axum::Json<JoinedBody>)> {
    let member = staff::accept(&app, &body.token, &body.password).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(JoinedBody {
            user_id: member.user.id.0,
            email: member.user.email.to_string(),
            role: member.access.role.as_str().to_string(),
            venue_ids: member.access.venues.iter().map(|v| v.0).collect(),
        }),
    ))
}
