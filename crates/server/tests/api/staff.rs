//! Staff: invitations, the second factor at login, and who reaches which admin route.

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};
use axum::http::{Method, StatusCode};
use chrono::Duration;
use marquee_domain::StaffRole;
use serde_json::json;

both_backends!(
    an_invited_manager_joins_enrols_and_logs_in_with_a_code,
    a_wrong_or_replayed_code_does_not_log_in,
    a_recovery_code_logs_in_once,
    staff_must_enrol_before_anything_else,
    an_invitation_is_taken_up_once_and_not_after_it_expires,
    a_removed_member_is_locked_out_at_once,
);

async fn login_with(app: &TestApp, email: &str, totp: Option<&str>) -> crate::helpers::Response {
    let mut body = json!({ "email": email, "password": PASSWORD });
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    app.post("/api/v1/auth/login", None, body).await
}

async fn an_invited_manager_joins_enrols_and_logs_in_with_a_code(app: TestApp) {
    let (owner, _) = app.staff("owner@example.com", StaffRole::Owner, &[]).await;
    let venue = app.world.venue.id.0;
    let invited = app
        .post(
            "/api/v1/admin/staff",
            Some(&owner),
            json!({ "email": "Sam@Example.com", "role": "manager", "venue_ids": [venue] }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
    assert!(invited.body["invite_url"]
        .as_str()
        .unwrap()
        .contains("/admin/join/"));
    let token = invited.body["token"].as_str().unwrap().to_string();
    // The link is mailed to the invitee too: queued with the invitation.
    let queued = app.store.undelivered_messages(10).await.unwrap();
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].kind, "staff_invitation");
    let payload: serde_json::Value = serde_json::from_str(&queued[0].payload).unwrap();
    assert_eq!(payload["to"], "sam@example.com");
    assert_eq!(payload["link"], invited.body["invite_url"]);
    assert_eq!(payload["role"], "manager");

    let joined = app
        .post(
            "/api/v1/auth/invitations/accept",
            None,
            json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
    assert_eq!(joined.body["email"], "sam@example.com");
    assert_eq!(joined.body["role"], "manager");
    assert_eq!(joined.body["venue_ids"], json!([venue]));

    // Not enrolled yet: the login works, the admin routes do not.
    let login = login_with(&app, "sam@example.com", None).await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let session = login.body["token"].as_str().unwrap().to_string();
    let expires =
        chrono::DateTime::parse_from_rfc3339(login.body["expires_at"].as_str().unwrap()).unwrap();
    assert!(
        expires.with_timezone(&chrono::Utc) - app.clock_now() <= Duration::hours(10),
        "a staff session lasts hours, not weeks"
    );
    let venues = app.get("/api/v1/admin/venues", Some(&session)).await;
    assert_eq!(venues.status, StatusCode::FORBIDDEN);
    assert_eq!(venues.code(), "totp_enrolment_required");

    let enrolment = app.post("/api/v1/me/totp", Some(&session), json!({})).await;
    assert_eq!(
        enrolment.status,
        StatusCode::CREATED,
        "{:?}",
        enrolment.body
    );
    assert!(enrolment.body["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Marquee:sam%40example.com?"));
    assert!(enrolment.body["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = marquee_store::TotpSecret(enrolment.body["secret"].as_str().unwrap().into());
    let confirmed = app
        .post(
            "/api/v1/me/totp/confirm",
            Some(&session),
            json!({ "code": app.totp_code(&secret, "sam@example.com") }),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
    assert_eq!(
        confirmed.body["recovery_codes"].as_array().unwrap().len(),
        10
    );

    let venues = app.get("/api/v1/admin/venues", Some(&session)).await;
    assert_eq!(venues.status, StatusCode::OK, "{:?}", venues.body);
    assert_eq!(venues.body["venues"].as_array().unwrap().len(), 1);

    // From now on a login asks for a code.
    app.advance(Duration::seconds(30));
    let without = login_with(&app, "sam@example.com", None).await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED);
    assert_eq!(without.code(), "totp_required");
    let code = app.totp_code(&secret, "sam@example.com");
    let with = login_with(&app, "sam@example.com", Some(&code)).await;
    assert_eq!(with.status, StatusCode::OK, "{:?}", with.body);

    // The audit log has the invitation and the joining, by whom.
    let audit = app.get("/api/v1/admin/audit", Some(&owner)).await;
    let actions: Vec<&str> = audit.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["staff.add", "staff.invite"], "{:?}", audit.body);
    assert_eq!(audit.body["entries"][1]["actor_email"], "owner@example.com");
    assert_eq!(audit.body["entries"][0]["after"]["role"], "manager");
}

async fn a_wrong_or_replayed_code_does_not_log_in(app: TestApp) {
    let (_, secret) = app.staff("sam@example.com", StaffRole::Owner, &[]).await;
    app.advance(Duration::seconds(30));
    let wrong = login_with(&app, "sam@example.com", Some("000000")).await;
    let right = app.totp_code(&secret, "sam@example.com");
    assert_ne!(right, "000000");
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "invalid_totp");
    let first = login_with(&app, "sam@example.com", Some(&right)).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let replayed = login_with(&app, "sam@example.com", Some(&right)).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replayed.code(), "invalid_totp", "a code counts once");
    // The code of the next step works, and an older one no longer does.
    app.advance(Duration::seconds(30));
    let next = app.totp_code(&secret, "sam@example.com");
    assert_eq!(
        login_with(&app, "sam@example.com", Some(&next))
            .await
            .status,
        StatusCode::OK
    );
}

async fn a_recovery_code_logs_in_once(app: TestApp) {
    let token = app
        .unenrolled_staff("sam@example.com", StaffRole::Owner, &[])
        .await;
    let enrolment = app.post("/api/v1/me/totp", Some(&token), json!({})).await;
    let secret = marquee_store::TotpSecret(enrolment.body["secret"].as_str().unwrap().into());
    let confirmed = app
        .post(
            "/api/v1/me/totp/confirm",
            Some(&token),
            json!({ "code": app.totp_code(&secret, "sam@example.com") }),
        )
        .await;
    let recovery = confirmed.body["recovery_codes"][3]
        .as_str()
        .unwrap()
        .to_uppercase();
    let first = login_with(&app, "sam@example.com", Some(&recovery)).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let again = login_with(&app, "sam@example.com", Some(&recovery)).await;
    assert_eq!(again.code(), "invalid_totp", "a recovery code counts once");
}

async fn staff_must_enrol_before_anything_else(app: TestApp) {
    let token = app
        .unenrolled_staff("sam@example.com", StaffRole::Owner, &[])
        .await;
    let refused = app.get("/api/v1/admin/staff", Some(&token)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "totp_enrolment_required");
    // A wrong first code does not enrol.
    app.post("/api/v1/me/totp", Some(&token), json!({})).await;
    let wrong = app
        .post(
            "/api/v1/me/totp/confirm",
            Some(&token),
            json!({ "code": "12345x" }),
        )
        .await;
    assert_eq!(wrong.code(), "invalid_totp");
    assert_eq!(
        app.get("/api/v1/admin/staff", Some(&token)).await.code(),
        "totp_enrolment_required"
    );
}

async fn an_invitation_is_taken_up_once_and_not_after_it_expires(app: TestApp) {
    let (owner, _) = app.staff("owner@example.com", StaffRole::Owner, &[]).await;
    let invite = |email: &'static str| {
        let owner = owner.clone();
        let app = &app;
        async move {
            let answer = app
                .post(
                    "/api/v1/admin/staff",
                    Some(&owner),
                    json!({ "email": email, "role": "owner" }),
                )
                .await;
            assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
            answer.body["token"].as_str().unwrap().to_string()
        }
    };
    let accept = |token: String| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/invitations/accept",
                None,
                json!({ "token": token, "password": PASSWORD }),
            )
            .await
        }
    };
    let once = invite("one@example.com").await;
    assert_eq!(accept(once.clone()).await.status, StatusCode::CREATED);
    let twice = accept(once).await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    assert_eq!(twice.code(), "invitation_not_found");

    let late = invite("two@example.com").await;
    app.advance(Duration::hours(73));
    assert_eq!(accept(late).await.code(), "invitation_not_found");
    assert!(app
        .store
        .find_user_by_email(&marquee_domain::Email::parse("two@example.com").unwrap())
        .await
        .unwrap()
        .is_none());

    // A customer who is invited proves the account is theirs with its password.
    app.customer("carla@example.com").await;
    let carla = invite("carla@example.com").await;
    let wrong = app
        .post(
            "/api/v1/auth/invitations/accept",
            None,
            json!({ "token": carla, "password": "not her password" }),
        )
        .await;
    assert_eq!(wrong.code(), "invalid_credentials");
    assert_eq!(accept(carla.clone()).await.status, StatusCode::CREATED);

    // Guessing an account's password through an invitation is throttled as at the login.
    app.customer("dora@example.com").await;
    let dora = invite("dora@example.com").await;
    let guess = || {
        app.post(
            "/api/v1/auth/invitations/accept",
            None,
            json!({ "token": dora.clone(), "password": "a guess at it" }),
        )
    };
    for _ in 0..5 {
        assert_eq!(guess().await.code(), "invalid_credentials");
    }
    let throttled = guess().await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.code(), "login_throttled");
    assert_eq!(
        app.login("dora@example.com", PASSWORD).await.code(),
        "login_throttled"
    );

    // Invitations need a valid role and venues that fit it.
    for body in [
        json!({ "email": "x@example.com", "role": "admin" }),
        json!({ "email": "x@example.com", "role": "manager" }),
        json!({ "email": "x@example.com", "role": "owner", "venue_ids": [app.world.venue.id.0] }),
    ] {
        let refused = app.post("/api/v1/admin/staff", Some(&owner), body).await;
        assert_eq!(refused.code(), "invalid_request", "{:?}", refused.body);
    }
    let unknown_venue = app
        .post(
            "/api/v1/admin/staff",
            Some(&owner),
            json!({ "email": "x@example.com", "role": "usher", "venue_ids": [987654] }),
        )
        .await;
    assert_eq!(unknown_venue.code(), "venue_not_found");
}

async fn a_removed_member_is_locked_out_at_once(app: TestApp) {
    let (owner, _) = app.staff("owner@example.com", StaffRole::Owner, &[]).await;
    let venue = app.world.venue.id;
    let (manager, _) = app
        .staff("sam@example.com", StaffRole::Manager, &[venue])
        .await;
    assert_eq!(
        app.get("/api/v1/admin/venues", Some(&manager)).await.status,
        StatusCode::OK
    );
    let list = app.get("/api/v1/admin/staff", Some(&owner)).await;
    let sam = list.body["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "sam@example.com")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let removed = app
        .request(
            Method::DELETE,
            &format!("/api/v1/admin/staff/{sam}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);
    assert_eq!(
        app.get("/api/v1/admin/venues", Some(&manager)).await.status,
        StatusCode::UNAUTHORIZED,
        "their sessions ended"
    );
    assert!(app
        .store
        .staff_member(marquee_domain::UserId(sam))
        .await
        .unwrap()
        .is_none());
}
