//! The back office's pages over HTTP, in process: joining the staff and enrolling an
//! authenticator, venues and halls, the seat-map editor's form. What a page changed is read
//! back through the services or the store, not from the page.

mod common;

use axum::http::{header, StatusCode};
use common::{Answer, TestApp, PASSWORD};
use marquee_server::staff::{self, StaffUser};
use marquee_server::totp;
use marquee_store::conformance::fixtures;
use marquee_store::TotpSecret;

/// The text between `start` and the next `end` in a page.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let at = page
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {page}"))
        + start.len();
    page[at..].split(end).next().unwrap_or("")
}

fn location(answer: &Answer) -> &str {
    answer.header(header::LOCATION)
}

#[tokio::test]
async fn an_invited_member_joins_and_enrols_before_seeing_the_back_office() {
    let app = TestApp::with_mfa_required().await;
    let owner = app.owner("owner@example.com").await;
    let owner = app
        .store
        .staff_member(owner)
        .await
        .expect("a read")
        .expect("the owner");
    let owner = StaffUser {
        user: owner.user,
        access: owner.access,
    };
    let link = staff::invite(&app.app, &owner, "sam@example.com", "owner", vec![])
        .await
        .expect("an invitation");
    let path = format!("/admin/join/{}", link.token);

    // The invitation names whom it is for; its form comes with a login secret for CSRF.
    let form = app.get(&path, None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(">sam@example.com<"), "{}", form.body);
    let secret_cookie = form.cookies()[0]
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();

    // Too short a password: the error next to the field, nothing joined.
    let short = app
        .post_form(
            &path,
            Some(&secret_cookie),
            &[("csrf", &form.csrf_field()), ("password", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("id=\"password-error\""),
        "{}",
        short.body
    );
    assert!(short.body.contains("aria-invalid=\"true\""));
    assert!(
        staff::invitation(&app.app, &link.token).await.is_ok(),
        "still open"
    );

    let joined = app
        .post_form(
            &path,
            Some(&secret_cookie),
            &[("csrf", &form.csrf_field()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    assert_eq!(location(&joined), "/login?next=%2Fadmin&joined=1");
    assert_eq!(
        app.get(&path, None).await.status,
        StatusCode::NOT_FOUND,
        "used once"
    );

    // Logged in, the back office sends the new member to enrol first.
    let (cookie, _) = app.session_of("sam@example.com").await;
    let today = app.get("/admin", Some(&cookie)).await;
    assert_eq!(today.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&today), "/admin/totp");

    let enrol = app.get("/admin/totp", Some(&cookie)).await;
    assert_eq!(enrol.status, StatusCode::OK);
    assert!(enrol.body.contains("<svg"), "the QR code inline");
    assert!(!enrol.body.contains("<?xml"));
    let secret: String = between(&enrol.body, "id=\"totp-secret\">", "<")
        .split_whitespace()
        .collect();
    let again = app.get("/admin/totp", Some(&cookie)).await;
    assert!(
        again
            .body
            .contains(&between(&enrol.body, "id=\"totp-secret\">", "<").to_string()),
        "a reload keeps the secret"
    );

    let code = totp::code_at(
        &TotpSecret(secret.clone()),
        "sam@example.com",
        fixtures::t0(),
    )
    .expect("a code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .post_form(
            "/admin/totp",
            Some(&cookie),
            &[("csrf", &enrol.csrf_field()), ("code", wrong)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("id=\"code-error\""),
        "{}",
        refused.body
    );
    assert!(refused
        .body
        .contains(&between(&enrol.body, "id=\"totp-secret\">", "<").to_string()));
    assert_eq!(
        location(&app.get("/admin", Some(&cookie)).await),
        "/admin/totp"
    );

    let done = app
        .post_form(
            "/admin/totp",
            Some(&cookie),
            &[("csrf", &enrol.csrf_field()), ("code", &code)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes = between(&done.body, "id=\"recovery-codes\">", "</ol>");
    assert_eq!(codes.matches("<li>").count(), totp::RECOVERY_CODES);
    assert_eq!(
        app.get("/admin", Some(&cookie)).await.status,
        StatusCode::OK
    );
    let later = app.get("/admin/totp", Some(&cookie)).await;
    assert!(later.body.contains("is set up") && !later.body.contains("<svg"));
}

#[tokio::test]
async fn an_unknown_invitation_is_not_found_and_a_customer_cannot_enrol() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let unknown = app.get("/admin/join/not-a-token", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(common::is_html(&unknown));
    app.account("ana@example.com").await;
    let (customer, _) = app.session_of("ana@example.com").await;
    let refused = app.get("/admin/totp", Some(&customer)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("<svg"));
}
