//! The rate limits at the HTTP edge: each `/api/v1` request counts against its client
//! address's limit for its route class before anything else runs (the account's limit is
//! counted once the account is known, in `extract::AuthUser` and in `accounts::login`), and
//! the OpenAPI document says which routes can answer `429 rate_limited`.

use super::error::ApiError;
use crate::app::App;
use crate::client_address;
use crate::rate_limits::RouteClass;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};

/// Runs after routing (a route layer), when the route's template is known.
pub async fn by_address(State(app): State<App>, request: Request, next: Next) -> Response {
    let class = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|route| RouteClass::of(request.method(), route.as_str()));
    if let Some(class) = class {
        let address = client_address::of(&request, &app.config().rate_limits.trusted_proxies);
        if let Err(refused) = app.rate_limits().check_address(class, address) {
            return ApiError::from(refused).into_response();
        }
    }
    next.run(request).await
}

/// Adds a `429` answer to every operation a rate limit applies to, unless it documents its
/// own (which then names `rate_limited` among its codes).
pub fn document(openapi: &mut OpenApi) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [
            (Method::GET, &mut item.get),
            (Method::POST, &mut item.post),
            (Method::PUT, &mut item.put),
            (Method::DELETE, &mut item.delete),
            (Method::PATCH, &mut item.patch),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            if RouteClass::of(&method, path).is_none() {
                continue;
            }
            operation
                .responses
                .responses
                .entry("429".to_string())
                .or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(
                                "`rate_limited`: too many requests from this address or account; `Retry-After` says when to try again",
                            )
                            .content(
                                "application/json",
                                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                            )
                            .build(),
                    )
                });
        }
    }
}
