//! What a service can answer besides success. The HTTP layer gives each case its status and
//! its stable code in one table (`http::error`).

use marquee_domain::{BookingStatus, Entity, ShowtimeError};
use marquee_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is well-formed but its content is not acceptable; `code` is the API's.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{0} not found")]
    NotFound(Entity),
    #[error("log in first: send Authorization: Bearer <token>")]
    Unauthenticated,
    #[error("the token is not valid or has expired; log in again")]
    InvalidToken,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("an account with this email exists already")]
    EmailTaken,
    #[error("no such seats: {}", .0.join(", "))]
    UnknownSeats(Vec<String>),
    #[error("seats not available: {}", .0.join(", "))]
    SeatsUnavailable(Vec<String>),
    #[error("no {0} seats side by side are left for this request")]
    NotEnoughSeats(usize),
    #[error("{0}")]
    NotOnSale(ShowtimeError),
    #[error("the booking is {0}")]
    WrongBookingState(BookingStatus),
    /// The payment gateway said no, or did not answer.
    #[error("{0}")]
    Gateway(marquee_payments::GatewayError),
    /// A webhook whose signature or body was not accepted.
    #[error("{0}")]
    Webhook(marquee_payments::WebhookError),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            code,
            message: message.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::EmailTaken => AppError::EmailTaken,
            StoreError::UnknownSeats(seats) => AppError::UnknownSeats(seats),
            StoreError::SeatsUnavailable(seats) => AppError::SeatsUnavailable(seats),
            StoreError::NotOnSale(why) => AppError::NotOnSale(why),
            StoreError::InvalidTransition { from, .. } => AppError::WrongBookingState(from),
            StoreError::InvalidShowtime(why) => {
                AppError::invalid("invalid_showtime", why.to_string())
            }
            StoreError::InvalidLayout(why) => AppError::invalid("invalid_layout", why.to_string()),
            StoreError::AuditoriumBusy(id) => AppError::invalid(
                "auditorium_busy",
                format!("the auditorium is busy then with showtime {id}"),
            ),
            StoreError::Duplicate(what) => {
                AppError::invalid("duplicate", format!("{what} already exists"))
            }
            other @ (StoreError::ReferenceTaken
            | StoreError::Corrupt(_)
            | StoreError::Database(_)) => AppError::Internal(other.into()),
        }
    }
}

impl From<marquee_payments::GatewayError> for AppError {
    fn from(err: marquee_payments::GatewayError) -> Self {
        AppError::Gateway(err)
    }
}

pub type AppResult<T> = Result<T, AppError>;
