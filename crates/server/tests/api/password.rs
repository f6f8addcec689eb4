//! Changing the password and logging out everywhere: the account's other sessions end in the
//! database and on this node at once, on both backends; over-long or unknown credentials are
//! refused before anything is hashed.

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};
use axum::http::StatusCode;
use serde_json::json;

both_backends!(
    a_password_change_ends_every_session_and_the_new_password_logs_in,
    a_wrong_current_password_changes_nothing_and_counts_as_a_failed_login,
    logging_out_everywhere_ends_the_other_sessions_only,
    credentials_with_unknown_fields_or_over_long_values_are_refused,
);

const NEW_PASSWORD: &str = "battery staple horse";

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/me", Some(token)).await.status
}

async fn a_password_change_ends_every_session_and_the_new_password_logs_in(app: TestApp) {
    let phone = app.customer("cleo@example.com").await;
    let laptop = app.login("cleo@example.com", PASSWORD).await.body["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Both are known to this node's session cache.
    assert_eq!(me(&app, &phone).await, StatusCode::OK);
    assert_eq!(me(&app, &laptop).await, StatusCode::OK);
    let changed = app
        .post(
            "/api/v1/me/password",
            Some(&laptop),
            json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::CREATED, "{:?}", changed.body);
    let fresh = changed.body["token"].as_str().unwrap().to_string();
    // Every old token stops at once, on this node too (no waiting out the cache).
    assert_eq!(me(&app, &phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &laptop).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &fresh).await, StatusCode::OK);
    assert_eq!(
        app.login("cleo@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("cleo@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

async fn a_wrong_current_password_changes_nothing_and_counts_as_a_failed_login(app: TestApp) {
    let token = app.customer("cleo@example.com").await;
    let change = || {
        app.post(
            "/api/v1/me/password",
            Some(&token),
            json!({ "current_password": "not the password", "new_password": NEW_PASSWORD }),
        )
    };
    for _ in 0..5 {
        let refused = change().await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(refused.code(), "invalid_credentials");
    }
    // Guessing through this route closes logins like guessing at the login.
    let throttled = change().await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.code(), "login_throttled");
    assert_eq!(
        app.login("cleo@example.com", PASSWORD).await.code(),
        "login_throttled"
    );
    // Nothing changed: the session still works, and after the wait the old password logs in.
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    app.advance(chrono::Duration::seconds(1));
    assert_eq!(
        app.login("cleo@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    // A new password that breaks the policy is refused, and changes nothing either.
    let short = app
        .post(
            "/api/v1/me/password",
            Some(&token),
            json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    assert_eq!(short.code(), "invalid_password");
    assert_eq!(me(&app, &token).await, StatusCode::OK);
}

async fn logging_out_everywhere_ends_the_other_sessions_only(app: TestApp) {
    let here = app.customer("cleo@example.com").await;
    let there = app.login("cleo@example.com", PASSWORD).await.body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let someone_else = app.customer("dan@example.com").await;
    assert_eq!(me(&app, &there).await, StatusCode::OK);
    let revoked = app
        .post("/api/v1/me/sessions/revoke", Some(&here), json!({}))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{:?}", revoked.body);
    assert_eq!(revoked.body["revoked"], 1);
    assert_eq!(me(&app, &there).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &here).await, StatusCode::OK);
    assert_eq!(me(&app, &someone_else).await, StatusCode::OK);
    // A new login works, and the password is unchanged.
    let again = app.login("cleo@example.com", PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        me(&app, again.body["token"].as_str().unwrap()).await,
        StatusCode::OK
    );
}

async fn credentials_with_unknown_fields_or_over_long_values_are_refused(app: TestApp) {
    let extra = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({ "email": "cleo@example.com", "password": PASSWORD, "roles": ["admin"] }),
        )
        .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);
    assert_eq!(extra.code(), "invalid_body");
    let cleo = marquee_domain::Email::parse("cleo@example.com").unwrap();
    assert!(app.store.find_user_by_email(&cleo).await.unwrap().is_none());
    let long_password = "p".repeat(100_000);
    let login = app.login("cleo@example.com", &long_password).await;
    assert_eq!(
        (login.status, login.code()),
        (StatusCode::BAD_REQUEST, "invalid_password")
    );
    let long_email = format!("{}@example.com", "e".repeat(300));
    let login = app.login(&long_email, PASSWORD).await;
    assert_eq!(
        (login.status, login.code()),
        (StatusCode::BAD_REQUEST, "invalid_email")
    );
    // Neither counted as a failed login for the account.
    app.register("cleo@example.com", PASSWORD).await;
    for _ in 0..5 {
        app.login("cleo@example.com", &long_password).await;
    }
    assert_eq!(
        app.login("cleo@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}
