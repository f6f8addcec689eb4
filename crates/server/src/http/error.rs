//! Every error the API answers, in one table: a status and a stable snake_case code per case.
//! Codes are part of the API; clients match on them, never on messages.

use crate::error::{AppError, ErrorCode};
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use marquee_domain::schedule::Slot;
use marquee_domain::{BookingStatus, Entity, ShowtimeError};
use marquee_payments::{GatewayError, WebhookError};
use marquee_store::ScheduleClash;
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
    pub code: ErrorCode,
    /// For people; may change.
    pub message: String,
    /// The seats an error is about (`seats_unavailable`, `unknown_seats`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<Vec<String>>,
    /// The clashes of a `schedule_conflict`: each showtime asked for that would overlap
    /// another in its hall.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clashes: Option<Vec<ClashBody>>,
    /// The showtimes of a `layout_conflict`: each that cannot take the new layout, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<LayoutConflictBody>>,
}

/// An upcoming showtime that cannot take its hall's new layout.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LayoutConflictBody {
    pub showtime_id: i64,
    pub starts_at: DateTime<Utc>,
    /// Seats held, sold or blocked that the layout drops, moves or puts in another category.
    pub seats: Vec<String>,
    /// Seat categories of the layout the showtime's frozen prices do not price.
    pub unpriced_categories: Vec<String>,
}

impl From<&marquee_store::ShowtimeLayoutConflict> for LayoutConflictBody {
    fn from(c: &marquee_store::ShowtimeLayoutConflict) -> Self {
        LayoutConflictBody {
            showtime_id: c.showtime_id.0,
            starts_at: c.starts_at,
            seats: c.conflict.disturbed.clone(),
            unpriced_categories: c
                .conflict
                .unpriced
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
        }
    }
}

/// A hall's time from `starts_at` to `ends_at` (adverts, film and cleaning).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotBody {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl From<Slot> for SlotBody {
    fn from(slot: Slot) -> Self {
        SlotBody {
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
        }
    }
}

/// A showtime asked for that overlaps another.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClashBody {
    /// The slot asked for.
    pub proposed: SlotBody,
    /// The showtime of the hall it overlaps; `null` when it overlaps another showtime of
    /// the same request.
    pub showtime_id: Option<i64>,
    /// The slot it overlaps.
    pub with: SlotBody,
}

impl From<&ScheduleClash> for ClashBody {
    fn from(clash: &ScheduleClash) -> Self {
        ClashBody {
            proposed: clash.proposed.into(),
            showtime_id: clash.showtime.map(|s| s.0),
            with: clash.with.into(),
        }
    }
}

/// The things an error answer lists, each in its own field of `ErrorDetail`.
#[derive(Debug)]
enum Listed {
    Seats(Vec<String>),
    Clashes(Vec<ClashBody>),
    Conflicts(Vec<LayoutConflictBody>),
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    /// What the error is about, listed (an error lists one kind of thing at most).
    listed: Option<Listed>,
    /// Sent as `Retry-After` (whole seconds, rounded up).
    retry_after: Option<std::time::Duration>,
    /// Kept for the log line of a 5xx; never sent.
    source: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            listed: None,
            retry_after: None,
            source: None,
        }
    }

    /// Tells the client when trying again may help.
    pub fn with_retry_after(mut self, after: std::time::Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// The status the error answers with (the web pages answer with it too).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message a client is shown (the web pages show a 4xx's too).
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.retry_after
    }

    pub fn not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "there is nothing here",
        )
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        use ErrorCode as C;
        use StatusCode as S;
        let message = match &err {
            // The gateway's own words (which may name its account's objects) are logged,
            // not passed on: the client gets a fixed message per code.
            AppError::Gateway(gateway) => {
                tracing::warn!(error = %gateway, "the payment gateway did not take a request");
                gateway_message(gateway).to_string()
            }
            _ => err.to_string(),
        };
        let (status, code) = match &err {
            AppError::Invalid { code, .. } => (S::BAD_REQUEST, *code),
            AppError::Conflict { code, .. } => (S::CONFLICT, *code),
            AppError::NotFound(what) => (
                S::NOT_FOUND,
                match what {
                    Entity::City => C::CityNotFound,
                    Entity::Venue => C::VenueNotFound,
                    Entity::Auditorium => C::AuditoriumNotFound,
                    Entity::Event => C::EventNotFound,
                    Entity::Showtime => C::ShowtimeNotFound,
                    Entity::Booking => C::BookingNotFound,
                    Entity::Ticket => C::TicketNotFound,
                    Entity::Payment => C::PaymentNotFound,
                    Entity::Provider => C::ProviderNotFound,
                    Entity::User => C::UserNotFound,
                    Entity::Invitation => C::InvitationNotFound,
                    Entity::PricePlan => C::PricePlanNotFound,
                },
            ),
            AppError::Unauthenticated => (S::UNAUTHORIZED, C::Unauthenticated),
            AppError::InvalidToken => (S::UNAUTHORIZED, C::InvalidToken),
            AppError::InvalidCredentials => (S::UNAUTHORIZED, C::InvalidCredentials),
            AppError::TotpRequired => (S::UNAUTHORIZED, C::TotpRequired),
            AppError::InvalidTotp => (S::UNAUTHORIZED, C::InvalidTotp),
            AppError::Forbidden(_) => (S::FORBIDDEN, C::Forbidden),
            AppError::TotpEnrolmentRequired => (S::FORBIDDEN, C::TotpEnrolmentRequired),
            AppError::EmailTaken => (S::CONFLICT, C::EmailTaken),
            AppError::UnknownSeats(_) => (S::BAD_REQUEST, C::UnknownSeats),
            AppError::SeatsUnavailable(_) => (S::CONFLICT, C::SeatsUnavailable),
            AppError::NotEnoughSeats(_) | AppError::NoWheelchairPair => {
                (S::CONFLICT, C::NotEnoughSeats)
            }
            AppError::NotOnSale(ShowtimeError::Started(_)) => (S::CONFLICT, C::ShowtimeStarted),
            AppError::NotOnSale(ShowtimeError::SalesClosed(_)) => (S::CONFLICT, C::SalesClosed),
            AppError::NotOnSale(ShowtimeError::NotOnSaleYet(_)) => (S::CONFLICT, C::SalesNotOpen),
            AppError::NotOnSale(ShowtimeError::Cancelled) => (S::CONFLICT, C::ShowtimeCancelled),
            AppError::NotOnSale(_) => (S::BAD_REQUEST, C::InvalidShowtime),
            AppError::WrongBookingState(BookingStatus::Expired) => (S::CONFLICT, C::HoldExpired),
            AppError::WrongBookingState(_) => (S::CONFLICT, C::InvalidBookingState),
            AppError::ScheduleConflict(_) => (S::CONFLICT, C::ScheduleConflict),
            AppError::NoPricePlan => (S::CONFLICT, C::NoPricePlan),
            AppError::LayoutConflict(_) => (S::CONFLICT, C::LayoutConflict),
            AppError::ShowtimeHasBookings { .. } => (S::CONFLICT, C::ShowtimeHasBookings),
            AppError::Gateway(GatewayError::Declined { .. }) => {
                (S::PAYMENT_REQUIRED, C::PaymentDeclined)
            }
            AppError::Gateway(GatewayError::Refused { .. }) => {
                (S::BAD_GATEWAY, C::PaymentGatewayRefused)
            }
            AppError::Gateway(GatewayError::Unavailable(_)) => {
                (S::SERVICE_UNAVAILABLE, C::PaymentGatewayUnavailable)
            }
            AppError::Gateway(GatewayError::Invalid(_)) => (S::BAD_GATEWAY, C::PaymentGatewayError),
            AppError::Webhook(WebhookError::Signature(_)) => (S::BAD_REQUEST, C::InvalidSignature),
            AppError::Webhook(WebhookError::Malformed(_)) => (S::BAD_REQUEST, C::MalformedEvent),
            AppError::Wait { code, .. } => (wait_status(*code), *code),
            AppError::Internal(_) => (S::INTERNAL_SERVER_ERROR, C::InternalError),
        };
        let listed = match &err {
            AppError::UnknownSeats(seats) | AppError::SeatsUnavailable(seats) => {
                Some(Listed::Seats(seats.clone()))
            }
            AppError::ScheduleConflict(clashes) => Some(Listed::Clashes(
                clashes.iter().map(ClashBody::from).collect(),
            )),
            AppError::LayoutConflict(conflicts) => Some(Listed::Conflicts(
                conflicts.iter().map(LayoutConflictBody::from).collect(),
            )),
            _ => None,
        };
        let retry_after = match &err {
            AppError::Wait { retry_after, .. } => *retry_after,
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
            listed,
            retry_after,
            source,
        }
    }
}

/// What a client is told of a gateway's refusal.
fn gateway_message(err: &GatewayError) -> &'static str {
    match err {
        GatewayError::Declined { .. } => "the card was declined",
        GatewayError::Refused { .. } => "the payment provider refused the request",
        GatewayError::Unavailable(_) => "the payment provider is not answering; try again shortly",
        GatewayError::Invalid(_) => "the payment provider answered something unexpected",
    }
}

/// 429 for limits on the client, 503 for the node's own trouble.
fn wait_status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::DatabaseUnavailable
        | ErrorCode::Overloaded
        | ErrorCode::RequestTimeout
        | ErrorCode::ShuttingDown
        | ErrorCode::PaymentGatewayUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::TOO_MANY_REQUESTS,
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match rejection {
            // A body over the route's limit (axum's 2 MB by default).
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
            }
            JsonRejection::MissingJsonContentType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            JsonRejection::JsonDataError(_) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidBody),
            _ => (StatusCode::BAD_REQUEST, ErrorCode::InvalidJson),
        };
        ApiError::new(status, code, rejection.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "the body is larger than this route takes",
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                rejection.body_text(),
            )
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
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
            ErrorCode::InternalError,
            "internal error",
        )
    }
    .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // The node or what it depends on is in trouble, not the code: warned, not an error.
            tracing::warn!(code = self.code.as_str(), message = %self.message, "request refused for now");
        } else if self.status.is_server_error() {
            match &self.source {
                Some(source) => {
                    tracing::error!(error = ?source, code = self.code.as_str(), "request failed")
                }
                None => {
                    tracing::error!(code = self.code.as_str(), message = %self.message, "request failed")
                }
            }
        }
        let unauthenticated = self.status == StatusCode::UNAUTHORIZED;
        let retry_after = self.retry_after.map(whole_seconds);
        let (seats, clashes, conflicts) = match self.listed {
            Some(Listed::Seats(seats)) => (Some(seats), None, None),
            Some(Listed::Clashes(clashes)) => (None, Some(clashes), None),
            Some(Listed::Conflicts(conflicts)) => (None, None, Some(conflicts)),
            None => (None, None, None),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                seats,
                clashes,
                conflicts,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if unauthenticated {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

/// `Retry-After` counts whole seconds: rounded up, and at least one, so a client that obeys it
/// never comes back too early.
fn whole_seconds(after: std::time::Duration) -> u64 {
    let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
    seconds.max(1)
}

pub type ApiResult<T> = Result<T, ApiError>;
