//! What an operator sees of each request: a request id (kept from the client when it is a
//! sane one, made up otherwise) in the `x-request-id` answer header and in every log line
//! the request causes, one INFO access log line per request, and the HTTP metrics.
//!
//! Logs name the route template (`/api/v1/bookings/{id}`), not the path, and never a query
//! string or a header: a path can carry a ticket code, a query a token.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::time::{Duration, Instant};
use tracing::Span;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Drops an incoming `x-request-id` that is too long or has characters other than letters,
/// digits and `-_.:`, so that a new one is made: a client's id ends up in log lines.
pub async fn drop_odd_request_id(mut request: Request, next: Next) -> Response {
    let sane = request.headers().get(&REQUEST_ID).is_none_or(|id| {
        let id = id.as_bytes();
        (1..=128).contains(&id.len())
            && id
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
    });
    if !sane {
        request.headers_mut().remove(&REQUEST_ID);
    }
    next.run(request).await
}

/// The template of the route a request matched; `unmatched` for what no route takes.
fn route(request: &Request) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
}

/// The span every log line of a request is in.
pub fn request_span(request: &Request<Body>) -> Span {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = route(request),
        request_id = id,
    )
}

/// The access log line.
pub fn log_response(response: &Response, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "answered"
    );
}

/// Counts each request and its latency by method, route template and status.
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let route = route(&request).to_string();
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("marquee_http_requests_total", &labels).increment(1);
    metrics::histogram!("marquee_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A method as a label: the standard ones, else `other` (a client may invent methods, and
/// each label value is a new series).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
