use crate::helpers::{TestApp, PASSWORD};
use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;
use sha2::{Digest, Sha256};

crate::both_backends!(
    a_customer_registers_logs_in_and_out,
    an_email_has_one_account_whatever_its_case,
    bad_credentials_are_refused_without_saying_which_part_was_wrong,
    a_token_stops_working_when_it_expires,
    requests_without_a_valid_token_are_unauthenticated,
    a_logout_on_another_node_takes_effect_here_within_seconds,
    housekeeping_deletes_sessions_that_ended,
);

async fn housekeeping_deletes_sessions_that_ended(app: TestApp) {
    let old = app.customer("ana@example.com").await;
    app.advance(Duration::days(20));
    let recent = app.customer("ben@example.com").await;
    let hash = |token: &str| Sha256::digest(token.as_bytes()).to_vec();
    let asked_at = app.clock_now();
    app.advance(Duration::days(11));
    // Ana's 30-day session ended a day ago; Ben's has 19 days to go.
    let purged = marquee_server::jobs::purge_once(&app.app)
        .await
        .expect("a purge");
    assert_eq!(purged.sessions, 1);
    // Asked at a time both were valid: only deletion explains Ana's absence.
    assert_eq!(
        app.store.session(&hash(&old), asked_at).await.unwrap(),
        None
    );
    assert!(app
        .store
        .session(&hash(&recent), asked_at)
        .await
        .unwrap()
        .is_some());
}

async fn a_customer_registers_logs_in_and_out(app: TestApp) {
    let registered = app.register("Ana@Example.com", PASSWORD).await;
    assert_eq!(registered.status, StatusCode::CREATED);
    assert_eq!(registered.body["email"], "ana@example.com");
    assert_eq!(registered.body["roles"], json!(["customer"]));
    assert!(registered.body.get("password_hash").is_none());

    let login = app.login("ana@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.body["token_type"], "Bearer");
    assert_eq!(login.body["user"]["id"], registered.body["id"]);
    let token = login.body["token"].as_str().unwrap().to_string();

    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        (me.status, &me.body["email"]),
        (StatusCode::OK, &json!("ana@example.com"))
    );

    let logout = app
        .post("/api/v1/auth/logout", Some(&token), json!({}))
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    let after = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        (after.status, after.code()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
}

async fn an_email_has_one_account_whatever_its_case(app: TestApp) {
    assert_eq!(
        app.register("ana@example.com", PASSWORD).await.status,
        StatusCode::CREATED
    );
    let again = app.register("  ANA@example.COM ", "another password").await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "email_taken")
    );
    // The first password still works, the second never did.
    assert_eq!(
        app.login("ana@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.login("ana@example.com", "another password")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn bad_credentials_are_refused_without_saying_which_part_was_wrong(app: TestApp) {
    let short = app.register("ana@example.com", "1234567").await;
    assert_eq!(
        (short.status, short.code()),
        (StatusCode::BAD_REQUEST, "invalid_password")
    );
    let not_email = app.register("ana-at-example.com", PASSWORD).await;
    assert_eq!(
        (not_email.status, not_email.code()),
        (StatusCode::BAD_REQUEST, "invalid_email")
    );
    assert_eq!(
        app.login("ana@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "nothing was created"
    );

    app.register("ana@example.com", PASSWORD).await;
    let wrong_password = app.login("ana@example.com", "wrong password").await;
    let no_account = app.login("nobody@example.com", PASSWORD).await;
    for refused in [&wrong_password, &no_account] {
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::UNAUTHORIZED, "invalid_credentials")
        );
    }
    assert_eq!(wrong_password.body, no_account.body);
}

async fn a_token_stops_working_when_it_expires(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    app.advance(Duration::days(30) - Duration::seconds(1));
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );
    app.advance(Duration::seconds(1));
    let expired = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        (expired.status, expired.code()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
}

async fn requests_without_a_valid_token_are_unauthenticated(app: TestApp) {
    let none = app.get("/api/v1/me", None).await;
    assert_eq!(
        (none.status, none.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let forged = app.get("/api/v1/me", Some("mq_forged")).await;
    assert_eq!(
        (forged.status, forged.code()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    let hold = app.hold("mq_forged", &["A1"]).await;
    assert_eq!(hold.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/api/v1/bookings", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Read from the database: the API's map is a cache.
    let before = app.stored_seats().await;
    assert!(before.iter().all(|s| s.state == "available"), "{before:?}");
}

/// Logins are cached per node for a few seconds: a logout made on another node (here, straight
/// in the database) takes effect once this node's memory of the token runs out.
async fn a_logout_on_another_node_takes_effect_here_within_seconds(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    assert!(app.store.delete_session(&hash).await.unwrap());
    app.advance(Duration::seconds(5));
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}
