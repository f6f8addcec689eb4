//! What a service can answer besides success. The HTTP layer gives each case its status and
//! its stable code in one table (`http::error`).

use marquee_domain::{BookingStatus, Entity, ShowtimeError};
use marquee_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares `ErrorCode` with each variant's code written beside it, `ErrorCode::ALL`, and
/// `as_str`: one list, so a code cannot be added to the enum and forgotten in the table.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal,)*) => {
        /// What went wrong, for machines: the `code` of every error answer. A code is part of
        /// the API: clients match on it (never on `message`), so a code is never renamed or
        /// reused; a new kind of refusal gets a new code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it is written in an answer.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    // 400: the request cannot be read.
    UnsupportedMediaType = "unsupported_media_type",
    InvalidJson = "invalid_json",
    InvalidBody = "invalid_body",
    InvalidQuery = "invalid_query",
    InvalidRequest = "invalid_request",
    // 400: its content is not acceptable.
    InvalidEmail = "invalid_email",
    InvalidPassword = "invalid_password",
    InvalidSeats = "invalid_seats",
    InvalidQuantity = "invalid_quantity",
    UnknownSeats = "unknown_seats",
    /// A ticket `type` the showtime does not sell (its types are in `GET /showtimes/{id}`).
    UnknownTicketType = "unknown_ticket_type",
    InvalidShowtime = "invalid_showtime",
    InvalidLayout = "invalid_layout",
    AuditoriumBusy = "auditorium_busy",
    Duplicate = "duplicate",
    NotATestCard = "not_a_test_card",
    InvalidSignature = "invalid_signature",
    MalformedEvent = "malformed_event",
    // 401.
    Unauthenticated = "unauthenticated",
    InvalidToken = "invalid_token",
    InvalidCredentials = "invalid_credentials",
    /// A member of staff logs in with a code from their authenticator: give `totp`.
    TotpRequired = "totp_required",
    /// The authenticator code (or recovery code) is wrong, or was used already.
    InvalidTotp = "invalid_totp",
    // 402.
    PaymentDeclined = "payment_declined",
    // 404 and 405.
    NotFound = "not_found",
    CityNotFound = "city_not_found",
    VenueNotFound = "venue_not_found",
    AuditoriumNotFound = "auditorium_not_found",
    EventNotFound = "event_not_found",
    ShowtimeNotFound = "showtime_not_found",
    BookingNotFound = "booking_not_found",
    TicketNotFound = "ticket_not_found",
    PaymentNotFound = "payment_not_found",
    ProviderNotFound = "provider_not_found",
    MethodNotAllowed = "method_not_allowed",
    UserNotFound = "user_not_found",
    InvitationNotFound = "invitation_not_found",
    PosterNotFound = "poster_not_found",
    /// The venue has no price plan yet (`PUT /admin/venues/{id}/price-plan` gives it one).
    PricePlanNotFound = "price_plan_not_found",
    // 403.
    /// The account may not do this (a customer on a staff route, or a role too low).
    Forbidden = "forbidden",
    /// Staff must enrol an authenticator (`POST /me/totp`) before anything else.
    TotpEnrolmentRequired = "totp_enrolment_required",
    // 413 and 415.
    PayloadTooLarge = "payload_too_large",
    /// An upload that is not an image of a type we take.
    UnsupportedImage = "unsupported_image",
    // 409.
    EmailTaken = "email_taken",
    SeatsUnavailable = "seats_unavailable",
    NotEnoughSeats = "not_enough_seats",
    ShowtimeStarted = "showtime_started",
    SalesClosed = "sales_closed",
    SalesNotOpen = "sales_not_open",
    /// The cinema cancelled the showtime: nothing is sold any more.
    ShowtimeCancelled = "showtime_cancelled",
    HoldExpired = "hold_expired",
    InvalidBookingState = "invalid_booking_state",
    PaymentSettled = "payment_settled",
    /// Showtimes that would overlap others in their hall; `clashes` lists each.
    ScheduleConflict = "schedule_conflict",
    /// The venue has no price plan to price a showtime with.
    NoPricePlan = "no_price_plan",
    /// A showtime with live bookings cannot be moved, nor one with any booking deleted.
    ShowtimeHasBookings = "showtime_has_bookings",
    /// Upcoming showtimes of the hall cannot take its new layout; `conflicts` lists each.
    LayoutConflict = "layout_conflict",
    /// A showtime with blocked seats is not moved to another hall.
    ShowtimeHasBlockedSeats = "showtime_has_blocked_seats",
    /// Check-in: the ticket was admitted before (the message says when and by whom).
    TicketAlreadyAdmitted = "ticket_already_admitted",
    /// Check-in: the ticket's sale was undone.
    TicketVoid = "ticket_void",
    /// Check-in: the ticket is for another day's showtime.
    TicketNotToday = "ticket_not_today",
    /// Check-in: the ticket is for a venue the member of staff does not work at.
    TicketForAnotherVenue = "ticket_for_another_venue",
    /// Cancelling: the refund policy's last deadline has passed (the message says when it was).
    CancellationClosed = "cancellation_closed",
    /// Cancelling: seats of the booking that were cancelled before.
    SeatsAlreadyCancelled = "seats_already_cancelled",
    /// Tickets to keep (PDF, calendar) exist once the booking is paid and confirmed.
    BookingNotConfirmed = "booking_not_confirmed",
    /// Moving a showtime to another hall that has no place for some seats people have;
    /// the message names them.
    MoveUnseats = "move_unseats",
    /// Exchanging or keeping a booking whose showtime the cinema did not move, or whose
    /// customer answered the move already, or that has started.
    MoveNotOpen = "move_not_open",
    /// An exchange for a showtime of another film, or for the booking's own.
    InvalidExchange = "invalid_exchange",
    // 429: wait (the answer's Retry-After says how long, where waiting helps).
    HoldLimit = "hold_limit",
    HoldCooldown = "hold_cooldown",
    RateLimited = "rate_limited",
    LoginThrottled = "login_throttled",
    // 5xx.
    InternalError = "internal_error",
    PaymentGatewayRefused = "payment_gateway_refused",
    PaymentGatewayError = "payment_gateway_error",
    PaymentGatewayUnavailable = "payment_gateway_unavailable",
    DatabaseUnavailable = "database_unavailable",
    Overloaded = "overloaded",
    RequestTimeout = "request_timeout",
    ShuttingDown = "shutting_down",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is well-formed but its content is not acceptable; `code` is the API's.
    #[error("{message}")]
    Invalid { code: ErrorCode, message: String },
    /// A 409 that needs nothing but its code and message.
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    #[error("{0} not found")]
    NotFound(Entity),
    #[error("log in first: send Authorization: Bearer <token>")]
    Unauthenticated,
    #[error("the token is not valid or has expired; log in again")]
    InvalidToken,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("give the code from your authenticator app as `totp`")]
    TotpRequired,
    #[error("that code is wrong or was used already")]
    InvalidTotp,
    /// Not for this account (a customer, or a role too low); the message says what would do.
    #[error("{0}")]
    Forbidden(String),
    #[error("enrol an authenticator app first: POST /api/v1/me/totp")]
    TotpEnrolmentRequired,
    #[error("an account with this email exists already")]
    EmailTaken,
    #[error("no such seats: {}", .0.join(", "))]
    UnknownSeats(Vec<String>),
    #[error("seats not available: {}", .0.join(", "))]
    SeatsUnavailable(Vec<String>),
    #[error("no {0} seats side by side are left for this request")]
    NotEnoughSeats(usize),
    #[error("no wheelchair space with a free companion seat beside it is left")]
    NoWheelchairPair,
    #[error("{0}")]
    NotOnSale(ShowtimeError),
    #[error("the booking is {0}")]
    WrongBookingState(BookingStatus),
    #[error("{} showtime(s) would overlap another in the hall (each is in `clashes`)", .0.len())]
    ScheduleConflict(Vec<marquee_store::ScheduleClash>),
    #[error("{}", if *live {
        "the showtime has live bookings (held, waiting for payment or sold): it moves only \
         with a `reason`, which each customer is told"
    } else {
        "the showtime has bookings: it cannot be deleted"
    })]
    ShowtimeHasBookings { live: bool },
    #[error("{}", layout_conflicts(.0))]
    LayoutConflict(Vec<marquee_store::ShowtimeLayoutConflict>),
    #[error("the venue has no price plan yet: PUT /api/v1/admin/venues/{{id}}/price-plan first")]
    NoPricePlan,
    /// The payment gateway said no, or did not answer.
    #[error("{0}")]
    Gateway(marquee_payments::GatewayError),
    /// A webhook whose signature or body was not accepted.
    #[error("{0}")]
    Webhook(marquee_payments::WebhookError),
    /// Not now: too many requests (429) or the node cannot serve it (503). `retry_after`
    /// says when trying again may help, when it is known.
    #[error("{message}")]
    Wait {
        code: ErrorCode,
        message: String,
        retry_after: Option<std::time::Duration>,
    },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// A refusal that waiting may cure (429 or 503, by `code`).
    pub fn wait(
        code: ErrorCode,
        message: impl Into<String>,
        retry_after: Option<std::time::Duration>,
    ) -> Self {
        AppError::Wait {
            code,
            message: message.into(),
            retry_after,
        }
    }

    /// A hold beyond its account's share: `hold_cooldown` for the cool-down, `hold_limit` for
    /// the others; `Retry-After` when waiting will help.
    pub fn over_limit(reached: marquee_domain::LimitReached) -> Self {
        let code = match reached.limit {
            marquee_domain::Limit::Cooldown(_) => ErrorCode::HoldCooldown,
            _ => ErrorCode::HoldLimit,
        };
        let retry_after = reached.retry_after.and_then(|after| after.to_std().ok());
        AppError::wait(code, reached.to_string(), retry_after)
    }

    pub fn invalid(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Invalid {
            code,
            message: message.into(),
        }
    }
}

/// A refused cancellation as the API answers it.
fn cannot_cancel(refused: marquee_domain::cancellation::CancelRefused) -> AppError {
    use marquee_domain::cancellation::CancelRefused;
    let conflict = |code| AppError::Conflict {
        code,
        message: refused.to_string(),
    };
    match &refused {
        CancelRefused::NotConfirmed(status) => AppError::WrongBookingState(*status),
        CancelRefused::UnknownSeats(seats) => AppError::UnknownSeats(seats.clone()),
        CancelRefused::AlreadyCancelled(_) => conflict(ErrorCode::SeatsAlreadyCancelled),
        CancelRefused::Admitted(_) => conflict(ErrorCode::TicketAlreadyAdmitted),
        CancelRefused::Closed { .. } => conflict(ErrorCode::CancellationClosed),
        CancelRefused::Overflow => {
            AppError::invalid(ErrorCode::InvalidRequest, refused.to_string())
        }
    }
}

/// Why scheduled showtimes cannot take a new layout, for people: each, with its seats and
/// unpriced categories.
fn layout_conflicts(conflicts: &[marquee_store::ShowtimeLayoutConflict]) -> String {
    let each: Vec<String> = conflicts
        .iter()
        .map(|c| {
            let mut why = Vec::new();
            if !c.conflict.disturbed.is_empty() {
                why.push(format!(
                    "it would drop or move seats people have ({})",
                    c.conflict.disturbed.join(", ")
                ));
            }
            if !c.conflict.unpriced.is_empty() {
                let categories: Vec<&str> =
                    c.conflict.unpriced.iter().map(|c| c.as_str()).collect();
                why.push(format!(
                    "its prices have no {} seats",
                    categories.join(" or ")
                ));
            }
            format!(
                "showtime {} at {}: {}",
                c.showtime_id,
                c.starts_at.format("%Y-%m-%d %H:%M UTC"),
                why.join("; ")
            )
        })
        .collect();
    format!(
        "scheduled showtimes cannot take this layout: {}",
        each.join("; ")
    )
}

/// What a client is told to wait when the database is out of reach: about a pool's acquire
/// timeout, so that a retry meets a database that had time to come back.
pub const DATABASE_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::EmailTaken => AppError::EmailTaken,
            StoreError::UnknownSeats(seats) => AppError::UnknownSeats(seats),
            StoreError::UnknownTicketTypes(codes) => AppError::invalid(
                ErrorCode::UnknownTicketType,
                format!("this showtime sells no ticket type {}", codes.join(", ")),
            ),
            StoreError::SeatsUnavailable(seats) => AppError::SeatsUnavailable(seats),
            StoreError::NotOnSale(why) => AppError::NotOnSale(why),
            StoreError::InvalidTransition { from, .. } => AppError::WrongBookingState(from),
            StoreError::InvalidShowtime(why) => {
                AppError::invalid(ErrorCode::InvalidShowtime, why.to_string())
            }
            StoreError::InvalidLayout(why) => {
                AppError::invalid(ErrorCode::InvalidLayout, why.to_string())
            }
            StoreError::AuditoriumBusy(id) => AppError::invalid(
                ErrorCode::AuditoriumBusy,
                format!("the auditorium is busy then with showtime {id}"),
            ),
            StoreError::ScheduleConflict(clashes) => AppError::ScheduleConflict(clashes),
            StoreError::NoPricePlan => AppError::NoPricePlan,
            StoreError::LayoutConflict(conflicts) => AppError::LayoutConflict(conflicts),
            StoreError::InvalidSchedule(why) => {
                AppError::invalid(ErrorCode::InvalidRequest, why.to_string())
            }
            StoreError::ShowtimeHasBookings { live } => AppError::ShowtimeHasBookings { live },
            err @ StoreError::ShowtimeHasBlockedSeats => AppError::Conflict {
                code: ErrorCode::ShowtimeHasBlockedSeats,
                message: err.to_string(),
            },
            StoreError::Duplicate(what) => {
                AppError::invalid(ErrorCode::Duplicate, format!("{what} already exists"))
            }
            StoreError::OverLimit(reached) => AppError::over_limit(reached),
            StoreError::CannotCancel(refused) => cannot_cancel(refused),
            err @ StoreError::MoveUnseats(_) => AppError::Conflict {
                code: ErrorCode::MoveUnseats,
                message: err.to_string(),
            },
            err @ StoreError::MoveNotOpen => AppError::Conflict {
                code: ErrorCode::MoveNotOpen,
                message: err.to_string(),
            },
            StoreError::Unavailable(source) => {
                tracing::warn!(error = %source, "the database is unavailable");
                AppError::wait(
                    ErrorCode::DatabaseUnavailable,
                    "the database is not answering; try again shortly",
                    Some(DATABASE_RETRY_AFTER),
                )
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

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    /// The codes the API answered when they became an enum. Clients match on these strings:
    /// one may be added here, never renamed or removed.
    const CODES: &[&str] = &[
        "unsupported_media_type",
        "invalid_json",
        "invalid_body",
        "invalid_query",
        "invalid_request",
        "invalid_email",
        "invalid_password",
        "invalid_seats",
        "invalid_quantity",
        "unknown_seats",
        "unknown_ticket_type",
        "invalid_showtime",
        "invalid_layout",
        "auditorium_busy",
        "duplicate",
        "not_a_test_card",
        "invalid_signature",
        "malformed_event",
        "unauthenticated",
        "invalid_token",
        "invalid_credentials",
        "totp_required",
        "invalid_totp",
        "payment_declined",
        "not_found",
        "city_not_found",
        "venue_not_found",
        "auditorium_not_found",
        "event_not_found",
        "showtime_not_found",
        "booking_not_found",
        "ticket_not_found",
        "payment_not_found",
        "provider_not_found",
        "method_not_allowed",
        "user_not_found",
        "invitation_not_found",
        "poster_not_found",
        "price_plan_not_found",
        "forbidden",
        "totp_enrolment_required",
        "payload_too_large",
        "unsupported_image",
        "email_taken",
        "seats_unavailable",
        "not_enough_seats",
        "showtime_started",
        "sales_closed",
        "sales_not_open",
        "showtime_cancelled",
        "hold_expired",
        "invalid_booking_state",
        "payment_settled",
        "schedule_conflict",
        "no_price_plan",
        "showtime_has_bookings",
        "layout_conflict",
        "showtime_has_blocked_seats",
        "ticket_already_admitted",
        "ticket_void",
        "ticket_not_today",
        "ticket_for_another_venue",
        "cancellation_closed",
        "seats_already_cancelled",
        "booking_not_confirmed",
        "move_unseats",
        "move_not_open",
        "invalid_exchange",
        "hold_limit",
        "hold_cooldown",
        "rate_limited",
        "login_throttled",
        "internal_error",
        "payment_gateway_refused",
        "payment_gateway_error",
        "payment_gateway_unavailable",
        "database_unavailable",
        "overloaded",
        "request_timeout",
        "shutting_down",
    ];

    #[test]
    fn every_error_code_round_trips_to_the_string_clients_match_on() {
        let written: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(written, CODES, "a code was renamed, removed or reordered");
        for &code in ErrorCode::ALL {
            let json = serde_json::to_value(code).expect("a code serializes");
            assert_eq!(json, serde_json::json!(code.as_str()), "{code:?}");
            let back: ErrorCode = serde_json::from_value(json).expect("a code deserializes");
            assert_eq!(back, code);
            assert_eq!(code.to_string(), code.as_str());
        }
        let distinct: HashSet<&str> = written.iter().copied().collect();
        assert_eq!(distinct.len(), written.len(), "two variants share a code");
    }
}
