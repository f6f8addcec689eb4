//! Security headers on every answer: no content sniffing, no referrer sent on, HTML (and
//! SVG) that no other site may frame and that loads nothing from elsewhere, and nothing
//! private kept in a cache. The web pages (`PAGE_CSP`, which they set themselves) load our own stylesheet, scripts
//! and images, and post forms to us; nothing inline, nothing from another origin.

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// For a page that sets none of its own: nothing loads, nothing frames it.
const DEFAULT_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// For the web pages: our own files only, no inline script or style (an injected `<script>`
/// or `style=` does nothing), forms post only to us, no other site may frame a page.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
    frame-ancestors 'none'";

/// Routes whose answers are the same for everyone (the public catalog, posters, the pages' assets):
/// they may be cached, as long as the answer says so itself. Everything else may carry a
/// token, a booking or a ticket, and is `no-store`.
const PUBLIC_ROUTES: &[&str] = &[
    "/api/v1/cities",
    "/api/v1/events",
    "/api/v1/showtimes",
    "/media/",
    "/assets/",
];

pub async fn security_headers(request: Request, next: Next) -> Response {
    let public = request
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|route| {
            PUBLIC_ROUTES
                .iter()
                .any(|public| route.as_str().starts_with(public))
        });
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    let markup = headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("image/svg+xml"));
    if markup && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    if !public {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
