use crate::helpers::TestApp;
use axum::http::StatusCode;

crate::both_backends!(the_openapi_document_describes_every_route_of_the_contract);

async fn the_openapi_document_describes_every_route_of_the_contract(app: TestApp) {
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/cities", "get"),
        ("/api/v1/events", "get"),
        ("/api/v1/events/{id}", "get"),
        ("/api/v1/events/{id}/showtimes", "get"),
        ("/api/v1/showtimes/{id}", "get"),
        ("/api/v1/showtimes/{id}/seats", "get"),
        ("/api/v1/bookings", "post"),
        ("/api/v1/bookings", "get"),
        ("/api/v1/bookings/{id}", "get"),
        ("/api/v1/bookings/{id}", "delete"),
        ("/api/v1/bookings/{id}/checkout", "post"),
        ("/api/v1/payments/webhooks/{provider}", "post"),
        ("/api/v1/tickets/{code}/qr.svg", "get"),
        ("/api/v1/sandbox/sessions/{id}/pay", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    assert_eq!(
        paths.len(),
        16,
        "every documented path is one of the above: {:?}",
        paths.keys()
    );
    assert!(doc.body["components"]["schemas"]["ErrorBody"].is_object());
}
