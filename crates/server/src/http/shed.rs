//! Bounds on the work a node takes on: a cap on requests served at once (more are shed at
//! once, not queued) and a time limit per request. Health checks and `/metrics` are routed
//! outside these, so that a busy node still answers its monitoring.

use super::error::ApiError;
use crate::app::App;
use crate::error::{AppError, ErrorCode};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// What a shed request is told to wait: a moment, as a burst passes quickly.
const OVERLOADED_RETRY_AFTER: Duration = Duration::from_secs(1);

pub async fn shed_and_time_out(State(app): State<App>, request: Request, next: Next) -> Response {
    let Ok(_permit) = app.request_permits().clone().try_acquire_owned() else {
        return ApiError::from(AppError::wait(
            ErrorCode::Overloaded,
            "the server is busy; try again shortly",
            Some(OVERLOADED_RETRY_AFTER),
        ))
        .into_response();
    };
    let limit = app.config().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        // The handler's future is dropped: a hold it queued is then not decided.
        Err(_) => ApiError::from(AppError::wait(
            ErrorCode::RequestTimeout,
            format!(
                "the request took longer than {}s; try again",
                limit.as_secs_f64()
            ),
            Some(OVERLOADED_RETRY_AFTER),
        ))
        .into_response(),
    }
}
