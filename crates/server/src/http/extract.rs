//! Extractors whose rejections answer in the API's error format, and the logged-in user.

use super::error::ApiError;
use crate::app::App;
use crate::error::AppError;
use crate::rate_limits::{AccountKey, RouteClass};
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::{header, request::Parts};
use marquee_store::User;
use serde::de::DeserializeOwned;

/// `axum::Json`, answering malformed bodies with our error body.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Json(value))
    }
}

/// A JSON body that may be left out: a request with no body and no Content-Type is `None`,
/// and so is a body of `null`; any other body is read as `Json` reads it.
pub struct MaybeJson<T>(pub Option<T>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for MaybeJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let headers = req.headers();
        let empty = headers
            .get(header::CONTENT_LENGTH)
            .is_none_or(|length| length.as_bytes() == b"0")
            && !headers.contains_key(header::TRANSFER_ENCODING);
        if empty && !headers.contains_key(header::CONTENT_TYPE) {
            return Ok(MaybeJson(None));
        }
        let Json(value) = Json::<Option<T>>::from_request(req, state).await?;
        Ok(MaybeJson(value))
    }
}

/// `axum::extract::Path`; a path that does not parse is "not found".
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

/// `axum::extract::Query`, answering bad parameters with our error body.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// The user whose bearer token came with the request. The token is kept for logging out and
/// is never printed: this type has no `Debug`.
pub struct AuthUser {
    pub user: User,
    pub token: String,
}

impl FromRequestParts<App> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(AppError::Unauthenticated)?
            .to_str()
            .map_err(|_| AppError::InvalidToken)?;
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty())
            .ok_or(AppError::InvalidToken)?;
        let user = crate::accounts::authenticate(app, token).await?;
        // The account's own limit for this class of route, beside its address's.
        let class = parts
            .extensions
            .get::<MatchedPath>()
            .and_then(|route| RouteClass::of(&parts.method, route.as_str()));
        if let Some(class) = class {
            app.rate_limits()
                .check_account(class, AccountKey::User(user.id))?;
        }
        Ok(AuthUser {
            user,
            token: token.to_string(),
        })
    }
}
