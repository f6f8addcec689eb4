//! `/auth/*` and `/me`.

use super::error::{ApiResult, ErrorBody};
use super::extract::{AuthUser, Json};
use crate::accounts;
use crate::app::App;
use crate::error::AppError;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use marquee_store::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Unknown fields are refused (`invalid_body`), and an over-long email or password is refused
/// before any password is hashed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// Compared ignoring case and surrounding spaces.
    #[schema(example = "ana@example.com", format = Email, max_length = 254)]
    pub email: String,
    /// 8 to 256 characters.
    #[schema(example = "correct horse battery", min_length = 8, max_length = 256)]
    pub password: String,
}

/// A login: the account's email and password and, for staff with an authenticator app, its
/// current code (or one of their recovery codes).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "ana@example.com", format = Email, max_length = 254)]
    pub email: String,
    #[schema(example = "correct horse battery", min_length = 8, max_length = 256)]
    pub password: String,
    /// Staff only: the 6-digit code from their authenticator app, or a recovery code
    /// (`abcde-fghij`). Each code is taken once.
    #[schema(example = "123456", max_length = 32)]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserBody {
    pub id: i64,
    pub email: String,
    /// `customer`.
    pub roles: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        UserBody {
            id: user.id.0,
            email: user.email.to_string(),
            roles: user.roles.iter().map(|r| r.as_str().to_string()).collect(),
            created_at: user.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginBody {
    /// Send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    pub user: UserBody,
}

/// Create a customer account.
#[utoipa::path(post, path = "/auth/register", tag = "accounts", request_body = Credentials,
    responses(
        (status = 201, description = "Account created", body = UserBody),
        (status = 400, description = "`invalid_email`, `invalid_password`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 409, description = "`email_taken`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
        (status = 429, description = "`rate_limited`, with `Retry-After`", body = ErrorBody),
        (status = 503, description = "`overloaded`: too many passwords being hashed; `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub async fn register(
    State(app): State<App>,
    Json(body): Json<Credentials>,
) -> ApiResult<(StatusCode, axum::Json<UserBody>)> {
    let user = accounts::register(&app, &body.email, &body.password).await?;
    Ok((StatusCode::CREATED, axum::Json(user.into())))
}

/// Log in: trade an email and password for a bearer token. Staff with an authenticator app
/// also give its code; their sessions last hours (`--staff-session-ttl`), not weeks.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginBody),
        (status = 400, description = "`invalid_json`, `invalid_body`; `invalid_email`, `invalid_password` for one longer than any can be", body = ErrorBody),
        (status = 401, description = "`invalid_credentials` (also for an email that is not one); `totp_required`: staff give `totp`; `invalid_totp`: that code is wrong or was used already", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
        (status = 429, description = "`rate_limited`; `login_throttled`: too many wrong passwords for this account lately. With `Retry-After`", body = ErrorBody),
        (status = 503, description = "`overloaded`: too many passwords being hashed; `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub async fn login(
    State(app): State<App>,
    Json(body): Json<LoginRequest>,
) -> ApiResult<axum::Json<LoginBody>> {
    if body.totp.as_ref().is_some_and(|t| t.len() > 32) {
        return Err(AppError::InvalidTotp.into());
    }
    let login = accounts::login(&app, &body.email, &body.password, body.totp.as_deref()).await?;
    Ok(axum::Json(LoginBody {
        token: login.token.expose().to_string(),
        token_type: "Bearer",
        expires_at: login.expires_at,
        user: login.user.into(),
    }))
}

/// Log out: the token stops working.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
    ))]
pub async fn logout(State(app): State<App>, auth: AuthUser) -> ApiResult<StatusCode> {
    accounts::logout(&app, &auth.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, body = UserBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
    ))]
pub async fn me(auth: AuthUser) -> axum::Json<UserBody> {
    axum::Json(auth.user.into())
}

/// A password change: the current password, and the new one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(example = "correct horse battery", max_length = 256)]
    pub current_password: String,
    /// 8 to 256 characters.
    #[schema(example = "battery staple horse", min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// Change the password. Every session of the account ends, this one too (other nodes stop
/// accepting their tokens within 5 s); the answer carries a new token.
#[utoipa::path(post, path = "/me/password", tag = "accounts", security(("bearer" = [])), request_body = PasswordChange,
    responses(
        (status = 201, description = "Changed: a new session", body = LoginBody),
        (status = 400, description = "`invalid_password` (the new one), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`invalid_credentials` (the current password is wrong), `unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
        (status = 429, description = "`rate_limited`; `login_throttled`: too many wrong passwords for this account lately. With `Retry-After`", body = ErrorBody),
        (status = 503, description = "`overloaded`: too many passwords being hashed; `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub async fn change_password(
    State(app): State<App>,
    auth: AuthUser,
    Json(body): Json<PasswordChange>,
) -> ApiResult<(StatusCode, axum::Json<LoginBody>)> {
    let login =
        accounts::change_password(&app, &auth.user, &body.current_password, &body.new_password)
            .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(LoginBody {
            token: login.token.expose().to_string(),
            token_type: "Bearer",
            expires_at: login.expires_at,
            user: login.user.into(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RevokedBody {
    /// How many other sessions ended.
    pub revoked: u64,
}

/// Log out everywhere else: every other session of the account ends (other nodes stop
/// accepting their tokens within 5 s); this one stays.
#[utoipa::path(post, path = "/me/sessions/revoke", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, body = RevokedBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
    ))]
pub async fn revoke_sessions(
    State(app): State<App>,
    auth: AuthUser,
) -> ApiResult<axum::Json<RevokedBody>> {
    let revoked = accounts::end_other_sessions(&app, &auth.user, &auth.token).await?;
    Ok(axum::Json(RevokedBody { revoked }))
}
