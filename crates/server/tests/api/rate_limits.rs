//! Rate limits per client address and per account, and the login throttle: each trips, says
//! when to come back (`Retry-After`), and lets the client in again once that time has passed
//! on the app's clock. Requests carry the peer address a real connection would
//! (`ConnectInfo`), so each test picks its clients' addresses.

use crate::both_backends;
use crate::helpers::{Response, TestApp, PASSWORD};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use chrono::Duration;
use marquee_server::config::RateLimitConfig;
use marquee_server::rate_limits::{ClassLimit, Rate};
use serde_json::{json, Value};
use std::net::SocketAddr;

/// `count` requests a minute, all of them at once if they like.
fn per_minute(count: u32) -> Option<ClassLimit> {
    let rate = Rate::parse(&format!("{count}/min")).unwrap();
    rate.map(|rate| ClassLimit {
        rate,
        burst: rate.count,
    })
}

async fn limited(limits: RateLimitConfig) -> TestApp {
    TestApp::sqlite_configured(|config| marquee_server::Config {
        rate_limits: limits,
        ..config
    })
    .await
}

/// A request from `peer`, with an `X-Forwarded-For` header if given.
async fn from(
    app: &TestApp,
    peer: &str,
    forwarded_for: Option<&str>,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(xff) = forwarded_for {
        request = request.header("x-forwarded-for", xff);
    }
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    app.send(request).await
}

async fn cities(app: &TestApp, peer: &str, xff: Option<&str>) -> Response {
    from(app, peer, xff, Method::GET, "/api/v1/cities", None, None).await
}

fn assert_limited(response: &Response, code: &str, retry_after: u64) {
    assert_eq!(
        response.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        response.body
    );
    assert_eq!(response.code(), code);
    assert_eq!(
        response.retry_after(),
        Some(retry_after),
        "{:?}",
        response.headers
    );
}

#[tokio::test]
async fn the_read_limit_trips_per_address_and_recovers_after_retry_after() {
    let app = limited(RateLimitConfig {
        read: per_minute(2),
        ..RateLimitConfig::off()
    })
    .await;
    for _ in 0..2 {
        assert_eq!(cities(&app, "192.0.2.1", None).await.status, StatusCode::OK);
    }
    // Two a minute: the next one may come 30 s after the last.
    assert_limited(&cities(&app, "192.0.2.1", None).await, "rate_limited", 30);
    // Another address has its own allowance; routes no class limits are not counted.
    assert_eq!(cities(&app, "192.0.2.2", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    app.advance(Duration::seconds(29));
    assert_limited(&cities(&app, "192.0.2.1", None).await, "rate_limited", 1);
    app.advance(Duration::seconds(1));
    assert_eq!(cities(&app, "192.0.2.1", None).await.status, StatusCode::OK);
    assert_limited(&cities(&app, "192.0.2.1", None).await, "rate_limited", 30);
}

#[tokio::test]
async fn the_auth_limit_trips_before_any_password_is_hashed() {
    let app = limited(RateLimitConfig {
        auth: per_minute(3),
        ..RateLimitConfig::off()
    })
    .await;
    let register = |email: &'static str| {
        from(
            &app,
            "198.51.100.7",
            None,
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({ "email": email, "password": PASSWORD })),
        )
    };
    assert_eq!(register("a@example.com").await.status, StatusCode::CREATED);
    assert_eq!(register("b@example.com").await.status, StatusCode::CREATED);
    assert_eq!(register("c@example.com").await.status, StatusCode::CREATED);
    assert_limited(&register("d@example.com").await, "rate_limited", 20);
    // Nothing was written for the refused one.
    let refused = marquee_domain::Email::parse("d@example.com").unwrap();
    assert!(app
        .store
        .find_user_by_email(&refused)
        .await
        .unwrap()
        .is_none());
    app.advance(Duration::seconds(20));
    assert_eq!(register("d@example.com").await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_booking_limit_follows_the_account_across_addresses() {
    let app = limited(RateLimitConfig {
        booking: per_minute(2),
        ..RateLimitConfig::off()
    })
    .await;
    let cleo = app.customer("cleo@example.com").await;
    let dan = app.customer("dan@example.com").await;
    let release = |peer: &'static str, token: String| {
        let app = &app;
        async move {
            from(
                app,
                peer,
                None,
                Method::DELETE,
                "/api/v1/bookings/1",
                Some(&token),
                None,
            )
            .await
        }
    };
    // Cleo's two from two addresses use up her allowance (each address has one left).
    assert_eq!(
        release("192.0.2.1", cleo.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        release("192.0.2.2", cleo.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    assert_limited(
        &release("192.0.2.3", cleo.clone()).await,
        "rate_limited",
        30,
    );
    // Dan, from Cleo's first address, is not held back by her.
    assert_eq!(
        release("192.0.2.1", dan.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    // That address has now sent two: its own limit trips, for anyone.
    assert_limited(&release("192.0.2.1", dan.clone()).await, "rate_limited", 30);
    app.advance(Duration::seconds(30));
    assert_eq!(
        release("192.0.2.3", cleo).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() {
    let app = limited(RateLimitConfig {
        read: per_minute(1),
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..RateLimitConfig::off()
    })
    .await;
    // Through the proxy, each client counts on its own.
    let proxy = "10.0.0.1";
    assert_eq!(
        cities(&app, proxy, Some("198.51.100.1")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        cities(&app, proxy, Some("198.51.100.2")).await.status,
        StatusCode::OK
    );
    assert_limited(
        &cities(&app, proxy, Some("198.51.100.1")).await,
        "rate_limited",
        60,
    );
    // What a client writes before the proxy's own entry does not change who it is.
    assert_limited(
        &cities(&app, proxy, Some("203.0.113.50, 198.51.100.1")).await,
        "rate_limited",
        60,
    );
    // From anyone else the header is ignored: a new header each time does not help.
    let direct = "203.0.113.9";
    assert_eq!(
        cities(&app, direct, Some("198.51.100.3")).await.status,
        StatusCode::OK
    );
    assert_limited(
        &cities(&app, direct, Some("198.51.100.4")).await,
        "rate_limited",
        60,
    );
}

both_backends!(
    repeated_wrong_passwords_slow_the_accounts_logins_down_until_one_succeeds,
    an_email_without_an_account_is_throttled_like_one_with,
);

async fn repeated_wrong_passwords_slow_the_accounts_logins_down_until_one_succeeds(app: TestApp) {
    assert_eq!(
        app.register("cleo@example.com", PASSWORD).await.status,
        StatusCode::CREATED
    );
    let wrong = "not the password";
    // Five mistakes are free.
    for _ in 0..5 {
        let answer = app.login("cleo@example.com", wrong).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.retry_after(), None);
    }
    // Then logins close for 1 s, even with the right password, before anything is hashed.
    assert_limited(
        &app.login("cleo@example.com", PASSWORD).await,
        "login_throttled",
        1,
    );
    // Another account is not affected.
    assert_eq!(
        app.register("dan@example.com", PASSWORD).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.login("dan@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    // Each further mistake doubles the wait.
    app.advance(Duration::seconds(1));
    assert_eq!(
        app.login("cleo@example.com", wrong).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_limited(
        &app.login("cleo@example.com", wrong).await,
        "login_throttled",
        2,
    );
    app.advance(Duration::seconds(2));
    assert_eq!(
        app.login("cleo@example.com", wrong).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_limited(
        &app.login("cleo@example.com", PASSWORD).await,
        "login_throttled",
        4,
    );
    app.advance(Duration::seconds(3));
    assert_limited(
        &app.login("cleo@example.com", PASSWORD).await,
        "login_throttled",
        1,
    );
    app.advance(Duration::seconds(1));
    // The right password logs in and clears the count: the next mistakes are free again.
    assert_eq!(
        app.login("cleo@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    for _ in 0..2 {
        let answer = app.login("cleo@example.com", wrong).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.login("cleo@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

async fn an_email_without_an_account_is_throttled_like_one_with(app: TestApp) {
    for _ in 0..5 {
        assert_eq!(
            app.login("nobody@example.com", "whatever1").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_limited(
        &app.login("nobody@example.com", "whatever1").await,
        "login_throttled",
        1,
    );
}

#[tokio::test]
async fn the_rate_limits_in_force_are_public() {
    let app = limited(RateLimitConfig {
        read: per_minute(2),
        ..RateLimitConfig::off()
    })
    .await;
    let limits = app.get("/api/v1/limits", None).await;
    assert_eq!(limits.status, StatusCode::OK);
    assert_eq!(limits.body["rate_limits"]["read"]["rate"], "2/min");
    assert_eq!(limits.body["rate_limits"]["auth"], serde_json::Value::Null);
}
