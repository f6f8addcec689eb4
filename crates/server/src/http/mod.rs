//! The HTTP API. Handlers are thin: they parse, call a service, and map the answer. Every
//! `/api/v1` route is listed once, in `api_v1`, which builds both the router and the OpenAPI
//! document, so the two cannot drift.

pub mod admin;
pub mod auth;
pub mod bookings;
pub mod cancellations;
pub mod catalog;
pub mod check_in;
pub mod error;
pub mod exchanges;
pub mod extract;
pub mod headers;
pub mod limits;
pub mod live;
pub mod observe;
pub mod payments;
pub mod rate_limit;
pub mod seat_map_json;
pub mod shed;
pub mod staff;
pub mod staff_account;
pub mod tickets;

use crate::app::App;
use crate::error::{AppError, ErrorCode};
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use error::{ApiError, ErrorBody};
use serde_json::Value;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Marquee", description = "Sell seats for movies and live events. Amounts are integer minor units of the showtime's currency. An integer in a JSON body is written as one: `2`, not `2.0`."),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody)),
    tags(
        (name = "accounts", description = "Register, log in, log out"),
        (name = "catalog", description = "Cities, events, showtimes and seat maps"),
        (name = "bookings", description = "Holding seats"),
        (name = "payments", description = "Checkout, the gateway's webhooks, tickets"),
        (name = "staff", description = "Staff accounts: invitations, the second factor"),
        (name = "back office", description = "The catalog as staff run it; the audit log"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

fn api_v1() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::revoke_sessions))
        .routes(routes!(staff_account::start_enrolment))
        .routes(routes!(staff_account::confirm_enrolment))
        .routes(routes!(staff_account::accept_invitation))
        .routes(routes!(catalog::list_cities))
        .routes(routes!(catalog::list_events))
        .routes(routes!(catalog::suggest))
        .routes(routes!(catalog::get_event))
        .routes(routes!(catalog::event_showtimes))
        .routes(routes!(catalog::get_showtime))
        .routes(routes!(catalog::seat_map))
        .routes(routes!(live::live))
        .routes(routes!(check_in::check_in))
        .routes(routes!(check_in::door))
        .routes(routes!(bookings::hold, bookings::list))
        .routes(routes!(bookings::get, bookings::release))
        .routes(routes!(cancellations::cancel))
        .routes(routes!(exchanges::keep))
        .routes(routes!(exchanges::exchange))
        .routes(routes!(tickets::pdf))
        .routes(routes!(tickets::calendar))
        .routes(routes!(limits::limits))
        .routes(routes!(payments::checkout))
        .routes(
            routes!(payments::webhook).layer(DefaultBodyLimit::max(payments::WEBHOOK_BODY_LIMIT)),
        )
        .routes(routes!(payments::ticket_qr))
        .routes(routes!(payments::sandbox_pay))
        .merge(admin::routes())
}

/// The OpenAPI document of `/api/v1`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut openapi = OpenApiRouter::<App>::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api_v1())
        .into_openapi();
    document_edge_refusals(&mut openapi);
    rate_limit::document(&mut openapi);
    openapi
}

/// Any `/api/v1` request can be refused by the node's limits (`limits`) or a database out
/// of reach, and any that takes a body can send one too large: written into every operation
/// here, once, rather than on each handler.
fn document_edge_refusals(openapi: &mut utoipa::openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            add_refusal(
                operation,
                "503",
                "`overloaded`, `request_timeout`, `database_unavailable`: try again after `Retry-After` seconds",
                true,
            );
            if operation.request_body.is_some() {
                add_refusal(
                    operation,
                    "413",
                    "`payload_too_large`: the body is larger than this route takes",
                    false,
                );
            }
        }
    }
}

fn add_refusal(
    operation: &mut utoipa::openapi::path::Operation,
    status: &str,
    description: &str,
    retry_after: bool,
) {
    use utoipa::openapi::{Content, Header, ObjectBuilder, Ref, RefOr, ResponseBuilder, Type};
    let retry_after_header = || {
        Header::builder()
            .schema(ObjectBuilder::new().schema_type(Type::Integer))
            .description(Some("Seconds to wait before trying again"))
            .build()
    };
    let responses = &mut operation.responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            response.description = format!("{}; {description}", response.description);
            if retry_after {
                response
                    .headers
                    .insert("Retry-After".into(), retry_after_header());
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let mut response = ResponseBuilder::new().description(description).content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
            );
            if retry_after {
                response = response.header("Retry-After", retry_after_header());
            }
            responses.insert(status.to_string(), RefOr::T(response.build()));
        }
    }
}

/// The document as `/api/openapi.json` serves it.
pub fn openapi_json(openapi: &utoipa::openapi::OpenApi) -> serde_json::Result<Value> {
    let mut document = serde_json::to_value(openapi)?;
    spell_links_in_camel_case(&mut document);
    Ok(document)
}

/// utoipa 5.5 writes a Link object's fields as `operation_id`, `operation_ref` and
/// `request_body`; OpenAPI spells them `operationId`, `operationRef` and `requestBody`, and a
/// tool that follows links (schemathesis) finds no target without that. Drop this once utoipa
/// renames them itself: the snapshot test shows the day it does.
fn spell_links_in_camel_case(document: &mut Value) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("responses"))
        .filter_map(Value::as_object_mut)
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        let Some(links) = response.get_mut("links").and_then(Value::as_object_mut) else {
            continue;
        };
        for link in links.values_mut().filter_map(Value::as_object_mut) {
            for (written, spelled) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(value) = link.remove(written) {
                    link.insert(spelled.to_string(), value);
                }
            }
        }
    }
}

/// The web pages served beside the API (the `marquee-web` crate builds them; this crate
/// cannot name it without a cycle): their routes, and how a page answers an error status
/// (a path nobody serves, a method a path does not take) in HTML.
pub struct Pages {
    pub routes: Router<App>,
    pub error_page: fn(StatusCode) -> Response,
}

/// The API alone: every path outside it is a JSON 404 (the API's tests).
pub fn router(app: App) -> Router {
    router_with_pages(app, None)
}

/// The one router a node serves: `/api` (JSON, errors too), the pages, the monitoring routes.
pub fn router_with_pages(app: App, pages: Option<Pages>) -> Router {
    let (api, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api_v1())
        .split_for_parts();
    document_edge_refusals(&mut openapi);
    rate_limit::document(&mut openapi);
    let document = Arc::new(openapi_json(&openapi));
    let error_page = pages.as_ref().map(|p| p.error_page);
    // A path outside `/api` gets the pages' HTML answer when there are pages.
    let answer = move |uri: Uri, status: StatusCode, code: ErrorCode, message: &'static str| {
        match error_page {
            Some(page) if !is_api(uri.path()) => page(status),
            _ => ApiError::new(status, code, message).into_response(),
        }
    };
    let api = api.route_layer(axum::middleware::from_fn_with_state(
        app.clone(),
        rate_limit::by_address,
    ));
    let api = match pages {
        Some(pages) => api.merge(pages.routes),
        None => api,
    };
    // A staff write (a back office route or page) may change the catalog: search builds again.
    let api = api.route_layer(axum::middleware::from_fn_with_state(
        app.clone(),
        crate::search::after_staff_writes,
    ));
    api.route(
        "/api/openapi.json",
        get(move || async move {
            match document.as_ref() {
                Ok(document) => Ok(Json(document.clone())),
                Err(err) => Err(ApiError::from(AppError::Internal(anyhow::anyhow!(
                    "the OpenAPI document does not serialize: {err}"
                )))),
            }
        }),
    )
    .route(
        "/sandbox/checkout/{id}",
        get(payments::sandbox_checkout_page),
    )
    .route("/media/posters/{event}/{digest}", get(catalog::poster))
    .fallback(move |uri: Uri| async move {
        answer(
            uri,
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "there is nothing here",
        )
    })
    .method_not_allowed_fallback(move |uri: Uri| async move {
        answer(
            uri,
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            "this path does not take that method",
        )
    })
    // Everything above is shed under load and timed out; monitoring below never is.
    .layer(middleware::from_fn_with_state(
        app.clone(),
        shed::shed_and_time_out,
    ))
    .route("/healthz", get(|| async { "ok" }))
    .route("/readyz", get(readyz))
    .route("/metrics", get(render_metrics))
    // Layers run outermost last: a request id first, then its span and access log, then
    // the metrics and the panic net. `Router::layer` wraps each route, after routing, so
    // every layer sees the route template.
    .layer(CatchPanicLayer::custom(error::panic_response))
    .layer(middleware::from_fn(headers::security_headers))
    .layer(middleware::from_fn(observe::record_metrics))
    .layer(PropagateRequestIdLayer::new(observe::REQUEST_ID))
    .layer(
        TraceLayer::new_for_http()
            .make_span_with(observe::request_span)
            .on_response(observe::log_response)
            .on_failure(()),
    )
    .layer(SetRequestIdLayer::new(observe::REQUEST_ID, MakeRequestUuid))
    .layer(middleware::from_fn(observe::drop_odd_request_id))
    .with_state(app)
}

/// Whether a path is the JSON API's, whose answers (errors too) are JSON.
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// How long `/readyz` waits for the database: a probe must answer before its own timeout.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Ready when the database answers on its reading and its writing connections, and the node
/// is not shutting down.
async fn readyz(State(app): State<App>) -> Result<&'static str, ApiError> {
    if app.is_draining() {
        return Err(
            AppError::wait(ErrorCode::ShuttingDown, "this node is shutting down", None).into(),
        );
    }
    let pinged = tokio::time::timeout(READY_TIMEOUT, app.store().ping_reader_and_writer()).await;
    let trouble = match pinged {
        Ok(Ok(())) => return Ok("ready"),
        Ok(Err(error)) => error.to_string(),
        Err(_) => format!("no answer within {READY_TIMEOUT:?}"),
    };
    tracing::warn!(error = %trouble, "database not ready");
    Err(AppError::wait(
        ErrorCode::DatabaseUnavailable,
        "the database does not answer",
        Some(crate::error::DATABASE_RETRY_AFTER),
    )
    .into())
}

/// The Prometheus metrics, in the text format.
async fn render_metrics(State(app): State<App>) -> Response {
    for pool in app.store().pool_stats() {
        metrics::gauge!("marquee_db_connections", "pool" => pool.pool, "state" => "in_use")
            .set(pool.in_use());
        metrics::gauge!("marquee_db_connections", "pool" => pool.pool, "state" => "idle")
            .set(pool.idle);
    }
    let text = crate::prometheus::handle()
        .map(|handle| handle.render())
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
