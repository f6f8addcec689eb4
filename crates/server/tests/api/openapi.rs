use crate::helpers::TestApp;
use axum::http::StatusCode;

crate::both_backends!(the_openapi_document_describes_every_route_of_the_contract);

async fn the_openapi_document_describes_every_route_of_the_contract(app: TestApp) {
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().expect("paths");
    let contract = [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/me/sessions/revoke", "post"),
        ("/api/v1/cities", "get"),
        ("/api/v1/events", "get"),
        ("/api/v1/events/{id}", "get"),
        ("/api/v1/events/{id}/showtimes", "get"),
        ("/api/v1/showtimes/{id}", "get"),
        ("/api/v1/showtimes/{id}/live", "get"),
        ("/api/v1/checkin", "post"),
        ("/api/v1/showtimes/{id}/seats", "get"),
        ("/api/v1/bookings", "post"),
        ("/api/v1/bookings", "get"),
        ("/api/v1/bookings/{id}", "get"),
        ("/api/v1/bookings/{id}", "delete"),
        ("/api/v1/bookings/{id}/checkout", "post"),
        ("/api/v1/bookings/{id}/cancel", "post"),
        ("/api/v1/events/suggest", "get"),
        ("/api/v1/bookings/{id}/keep", "post"),
        ("/api/v1/bookings/{id}/exchange", "post"),
        ("/api/v1/bookings/{id}/tickets.pdf", "get"),
        ("/api/v1/bookings/{id}/calendar.ics", "get"),
        ("/api/v1/payments/webhooks/{provider}", "post"),
        ("/api/v1/tickets/{code}/qr.svg", "get"),
        ("/api/v1/sandbox/sessions/{id}/pay", "post"),
        ("/api/v1/limits", "get"),
        ("/api/v1/me/totp", "post"),
        ("/api/v1/me/totp/confirm", "post"),
        ("/api/v1/auth/invitations/accept", "post"),
        ("/api/v1/admin/staff", "post"),
        ("/api/v1/admin/staff", "get"),
        ("/api/v1/admin/staff/{id}", "delete"),
        ("/api/v1/admin/cities", "get"),
        ("/api/v1/admin/cities", "post"),
        ("/api/v1/admin/venues", "get"),
        ("/api/v1/admin/venues", "post"),
        ("/api/v1/admin/venues/{id}", "patch"),
        ("/api/v1/admin/venues/{id}/price-plan", "get"),
        ("/api/v1/admin/venues/{id}/price-plan", "put"),
        ("/api/v1/admin/venues/{id}/auditoriums", "get"),
        ("/api/v1/admin/venues/{id}/auditoriums", "post"),
        ("/api/v1/admin/auditoriums/{id}", "get"),
        ("/api/v1/admin/auditoriums/{id}/layout", "put"),
        ("/api/v1/admin/layouts/preview", "post"),
        ("/api/v1/admin/events", "get"),
        ("/api/v1/admin/events", "post"),
        ("/api/v1/admin/events/{id}", "patch"),
        ("/api/v1/admin/events/{id}/poster", "put"),
        ("/api/v1/admin/showtimes", "post"),
        ("/api/v1/admin/venues/{id}/schedule", "get"),
        ("/api/v1/admin/venues/{id}/schedule/copy", "post"),
        ("/api/v1/admin/showtimes/{id}", "patch"),
        ("/api/v1/admin/showtimes/{id}", "delete"),
        ("/api/v1/admin/showtimes/{id}/blocked-seats", "get"),
        ("/api/v1/admin/showtimes/{id}/blocked-seats", "post"),
        ("/api/v1/admin/showtimes/{id}/blocked-seats", "delete"),
        ("/api/v1/admin/showtimes/{id}/door", "get"),
        ("/api/v1/admin/showtimes/{id}/cancel", "post"),
        ("/api/v1/admin/bookings/{id}/resend", "post"),
        ("/api/v1/admin/schedules", "post"),
        ("/api/v1/admin/venues/{id}/refund-policy", "get"),
        ("/api/v1/admin/venues/{id}/refund-policy", "put"),
        ("/api/v1/admin/venues/{id}/reminder", "get"),
        ("/api/v1/admin/venues/{id}/reminder", "put"),
        ("/api/v1/admin/bookings", "get"),
        ("/api/v1/admin/bookings/{id}", "get"),
        ("/api/v1/admin/bookings/{id}/refund", "post"),
        ("/api/v1/admin/audit", "get"),
        ("/api/v1/admin/dashboard", "get"),
    ];
    for (path, method) in contract {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    let listed: std::collections::BTreeSet<&str> = contract.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        paths.len(),
        listed.len(),
        "every documented path is one of the above: {:?}",
        paths.keys()
    );
    assert!(doc.body["components"]["schemas"]["ErrorBody"].is_object());
}

/// The whole contract as one reviewed file (`snapshots/api__openapi__openapi.snap`): a change
/// to a route, a schema, a status or an error code shows in review as a diff of this file.
/// The document does not depend on the database, so SQLite alone serves it. Accept an
/// intended change with `cargo insta review` (or `INSTA_UPDATE=always`); CI never writes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_the_reviewed_snapshot() {
    let app = TestApp::sqlite().await;
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    insta::assert_json_snapshot!("openapi", doc.body);
}
