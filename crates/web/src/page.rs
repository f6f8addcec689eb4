//! Turning a template into an answer, and the error pages.
//!
//! Every HTML answer is built by `html`, which sets the pages' Content-Security-Policy
//! (`PAGE_CSP`: no inline script or style). An error shows a page in the site's shell that
//! says what went wrong for a 4xx (those messages are written for users) and nothing but
//! "something went wrong" for a 5xx, whose details go to the log.

use crate::shell::Shell;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use marquee_server::error::AppError;
use marquee_server::http::error::ApiError;
use marquee_server::http::headers::PAGE_CSP;

/// `template` rendered, with `status`. A template that fails to render (a bug: its
/// values are checked when it is compiled) is logged and answered with the 500 page.
pub fn html(status: StatusCode, template: &impl Template) -> Response {
    html_under(status, template, PAGE_CSP)
}

/// `html` under another Content-Security-Policy than the pages' own: for the one page that
/// must load a payment provider's script and frames (`site::booking::pay`).
pub fn html_under(status: StatusCode, template: &impl Template, policy: &'static str) -> Response {
    match template.render() {
        Ok(body) => with_policy(status, body, policy),
        Err(error) => {
            tracing::error!(%error, "a page template failed to render");
            with_policy(
                StatusCode::INTERNAL_SERVER_ERROR,
                LAST_RESORT.to_string(),
                PAGE_CSP,
            )
        }
    }
}

fn with_policy(status: StatusCode, body: String, policy: &'static str) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(policy),
            ),
        ],
        body,
    )
        .into_response()
}

/// The 500 page when even the error template cannot render: plain, and it cannot fail.
const LAST_RESORT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
<title>Something went wrong</title><h1>Something went wrong</h1>\
<p>Please try again in a moment.</p></html>";

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    shell: Shell,
    status: u16,
    heading: &'a str,
    message: &'a str,
}

/// The error page for `status`, with the words `message` below its heading.
pub fn error_with(status: StatusCode, message: &str) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::METHOD_NOT_ALLOWED => "Not here",
        StatusCode::TOO_MANY_REQUESTS => "Too many requests",
        StatusCode::PAYLOAD_TOO_LARGE => "Too much at once",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    html(
        status,
        &ErrorPage {
            shell: Shell::anonymous(),
            status: status.as_u16(),
            heading,
            message,
        },
    )
}

/// The error page for `status` with its usual words: what `http::Pages` answers for a
/// path nobody serves (404) or a method a page does not take (405).
pub fn error_page(status: StatusCode) -> Response {
    let message = match status {
        StatusCode::NOT_FOUND => "There is no page at this address.",
        StatusCode::METHOD_NOT_ALLOWED => "This page cannot be used that way.",
        s if s.is_server_error() => "Please try again in a moment.",
        _ => "",
    };
    error_with(status, message)
}

/// A page handler panicked: the 500 page, and nothing of the panic (logged by the router's
/// tracing as a 500).
pub fn panic_page(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a page handler panicked");
    error_page(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A page that could not be served. Handlers return it with `?`.
pub enum PageError {
    /// A service's refusal or failure, answered as the API's table maps it.
    App(AppError),
    Status(StatusCode, &'static str),
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError::App(error)
    }
}

impl From<marquee_store::StoreError> for PageError {
    fn from(error: marquee_store::StoreError) -> Self {
        PageError::App(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Status(status, message) => error_with(status, message),
            PageError::App(error) => {
                if let AppError::Internal(source) = &error {
                    tracing::error!(error = ?source, "a page failed");
                }
                let api = ApiError::from(error);
                let status = api.status();
                let mut response = if status.is_server_error() {
                    error_page(status)
                } else {
                    error_with(status, api.message())
                };
                if let Some(after) = api.retry_after() {
                    let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
                    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, value);
                    }
                }
                response
            }
        }
    }
}
