//! The small things a review found: bodies over the limit, security headers on every answer,
//! and a gateway's own words kept from clients.

use crate::both_backends;
use crate::helpers::TestApp;
use crate::payments::{checkout, held};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

both_backends!(
    bodies_over_the_limit_are_refused_with_413,
    every_answer_has_security_headers_and_private_ones_are_not_stored,
);

async fn bodies_over_the_limit_are_refused_with_413(app: TestApp) {
    let big = json!({ "email": "ana@example.com", "password": "x".repeat(3 * 1024 * 1024) });
    let login = app.post("/api/v1/auth/login", None, big).await;
    assert_eq!(
        login.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{:?}",
        login.body
    );
    assert_eq!(login.code(), "payload_too_large");

    let webhook = |body: String| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/payments/webhooks/sandbox")
            .header(header::CONTENT_TYPE, "application/json")
            .header("stripe-signature", "t=1,v1=00")
            .body(Body::from(body))
            .expect("a request")
    };
    let over = app.send(webhook("x".repeat(64 * 1024 + 1))).await;
    assert_eq!(
        over.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{:?}",
        over.body
    );
    assert_eq!(over.code(), "payload_too_large");
    let within = app.send(webhook("x".repeat(64 * 1024))).await;
    assert_eq!(
        within.code(),
        "invalid_signature",
        "a body of 64 KiB is read"
    );
}

async fn every_answer_has_security_headers_and_private_ones_are_not_stored(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let (_, booking) = held(&app, "bea@example.com", &["A1"]).await;
    let public = app.get("/api/v1/cities", None).await;
    let missing = app.get("/api/v1/nothing-here", None).await;
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "ana@example.com", "password": crate::helpers::PASSWORD }),
        )
        .await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    let bookings = app.get("/api/v1/bookings", Some(&token)).await;
    let unauthenticated = app.get(&format!("/api/v1/bookings/{booking}"), None).await;
    for answer in [&public, &missing, &login, &me, &bookings, &unauthenticated] {
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(answer.header("referrer-policy"), Some("no-referrer"));
    }
    assert_eq!(
        public.header("cache-control"),
        None,
        "the catalog may be cached"
    );
    for private in [&login, &me, &bookings, &unauthenticated] {
        assert_eq!(private.header("cache-control"), Some("no-store"));
    }
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(
        public.header("content-security-policy"),
        None,
        "JSON needs none"
    );
}

/// The sandbox's checkout page: framed by no one, its own script and style allowed by a nonce
/// that is on the page.
async fn the_checkout_page_has_a_content_security_policy_its_script_passes(app: TestApp) {
    let (token, booking) = held(&app, "ana@example.com", &["A1"]).await;
    let started = checkout(&app, &token, &booking).await;
    let payment_ref = started.body["payment_ref"].as_str().expect("a payment");
    assert_eq!(started.header("cache-control"), Some("no-store"));
    let page = app
        .get(&format!("/sandbox/checkout/{payment_ref}"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = page.header("content-security-policy").expect("a policy");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce");
    let html = page.body.as_str().expect("HTML");
    assert!(
        html.contains(&format!("<script nonce=\"{nonce}\">")),
        "{html}"
    );
    assert!(
        html.contains(&format!("<style nonce=\"{nonce}\">")),
        "{html}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkout_page_has_a_content_security_policy() {
    the_checkout_page_has_a_content_security_policy_its_script_passes(TestApp::sqlite().await).await
}

/// A stand-in for Stripe that refuses every request, naming things of its account.
async fn refusing_stripe() -> String {
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let router = axum::Router::new().route(
        "/v1/payment_intents",
        post(|| async {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "error": {
                    "type": "invalid_request_error",
                    "code": "parameter_invalid",
                    "message": "No such customer: 'cus_SECRET42' on account acct_PRIVATE7",
                }})),
            )
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateways_own_error_text_is_not_passed_to_the_client() {
    let app = TestApp::sqlite_paying_with(marquee_server::config::PaymentsConfig::Stripe {
        secret_key: marquee_payments::Secret::new("sk_test_fake"),
        webhook_secret: marquee_payments::Secret::new("whsec_fake"),
        api_base: refusing_stripe().await,
        timeout: std::time::Duration::from_secs(5),
    })
    .await;
    let (token, booking) = held(&app, "ana@example.com", &["A1"]).await;
    let refused = checkout(&app, &token, &booking).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_GATEWAY,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.code(), "payment_gateway_refused");
    let text = refused.body.to_string();
    for secret in ["cus_SECRET42", "acct_PRIVATE7", "No such customer"] {
        assert!(
            !text.contains(secret),
            "{secret} reached the client: {text}"
        );
    }
}
