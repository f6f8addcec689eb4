//! Every error the API answers, in one table: a status and a stable snake_case code per case.
//! Codes are part of the API; clients match on them, never on messages.

use crate::error::AppError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use marquee_domain::{BookingStatus, Entity, ShowtimeError};
use marquee_payments::{GatewayError, WebhookError};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, e.g. `seats_unavailable`.
    pub code: &'static str,
    /// For people; may change.
    pub message: String,
    /// The seats an error is about (`seats_unavailable`, `unknown_seats`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<Vec<String>>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    seats: Option<Vec<String>>,
    /// Kept for the log line of a 5xx; never sent.
    source: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            seats: None,
            source: None,
        }
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "there is nothing here")
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        use StatusCode as S;
        let message = err.to_string();
        let (status, code) = match &err {
            AppError::Invalid { code, .. } => (S::BAD_REQUEST, *code),
            AppError::NotFound(what) => (
                S::NOT_FOUND,
                match what {
                    Entity::City => "city_not_found",
                    Entity::Venue => "venue_not_found",
                    Entity::Auditorium => "auditorium_not_found",
                    Entity::Event => "event_not_found",
                    Entity::Showtime => "showtime_not_found",
                    Entity::Booking => "booking_not_found",
                    Entity::Ticket => "ticket_not_found",
                    Entity::Payment => "payment_not_found",
                    Entity::Provider => "provider_not_found",
                },
            ),
            AppError::Unauthenticated => (S::UNAUTHORIZED, "unauthenticated"),
            AppError::InvalidToken => (S::UNAUTHORIZED, "invalid_token"),
            AppError::InvalidCredentials => (S::UNAUTHORIZED, "invalid_credentials"),
            AppError::EmailTaken => (S::CONFLICT, "email_taken"),
            AppError::UnknownSeats(_) => (S::BAD_REQUEST, "unknown_seats"),
            AppError::SeatsUnavailable(_) => (S::CONFLICT, "seats_unavailable"),
            AppError::NotEnoughSeats(_) => (S::CONFLICT, "not_enough_seats"),
            AppError::NotOnSale(ShowtimeError::Started(_)) => (S::CONFLICT, "showtime_started"),
            AppError::NotOnSale(ShowtimeError::SalesClosed(_)) => (S::CONFLICT, "sales_closed"),
            AppError::NotOnSale(ShowtimeError::NotOnSaleYet(_)) => (S::CONFLICT, "sales_not_open"),
            AppError::NotOnSale(_) => (S::BAD_REQUEST, "invalid_showtime"),
            AppError::WrongBookingState(BookingStatus::Expired) => (S::CONFLICT, "hold_expired"),
            AppError::WrongBookingState(_) => (S::CONFLICT, "invalid_booking_state"),
            AppError::Gateway(GatewayError::Declined { .. }) => {
                (S::PAYMENT_REQUIRED, "payment_declined")
            }
            AppError::Gateway(GatewayError::Refused { .. }) => {
                (S::BAD_GATEWAY, "payment_gateway_refused")
            }
            AppError::Gateway(GatewayError::Unavailable(_)) => {
                (S::SERVICE_UNAVAILABLE, "payment_gateway_unavailable")
            }
            AppError::Gateway(GatewayError::Invalid(_)) => {
                (S::BAD_GATEWAY, "payment_gateway_error")
            }
            AppError::Webhook(WebhookError::Signature(_)) => (S::BAD_REQUEST, "invalid_signature"),
            AppError::Webhook(WebhookError::Malformed(_)) => (S::BAD_REQUEST, "malformed_event"),
            AppError::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal_error"),
        };
        let seats = match &err {
            AppError::UnknownSeats(seats) | AppError::SeatsUnavailable(seats) => {
                Some(seats.clone())
            }
            _ => None,
        };
        let source = match err {
            AppError::Internal(source) => Some(source),
            _ => None,
        };
        ApiError {
            status,
            code,
            message,
            seats,
            source,
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            JsonRejection::JsonDataError(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
            _ => (StatusCode::BAD_REQUEST, "invalid_json"),
        };
        ApiError::new(status, code, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    }
}

impl From<PathRejection> for ApiError {
    /// A path that does not parse names nothing that exists.
    fn from(_: PathRejection) -> Self {
        ApiError::not_found()
    }
}

/// An id from a path; one that does not parse is "not found" like one that does not exist.
pub fn parse_id(raw: &str, what: Entity) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| AppError::NotFound(what).into())
}

/// A panic in a handler answers like any other server error, and is logged as one.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError {
        source: Some(anyhow::anyhow!("a request handler panicked")),
        ..ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "internal error",
        )
    }
    .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            match &self.source {
                Some(source) => {
                    tracing::error!(error = ?source, code = self.code, "request failed")
                }
                None => {
                    tracing::error!(code = self.code, message = %self.message, "request failed")
                }
            }
        }
        let unauthenticated = self.status == StatusCode::UNAUTHORIZED;
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                seats: self.seats,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if unauthenticated {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
