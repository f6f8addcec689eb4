//! The catalog fields search reads beside the title (issue 21): an event's original title and
//! its director, written by staff and read back by everyone.

use crate::both_backends;
use crate::helpers::TestApp;
use axum::http::{Method, StatusCode};
use marquee_domain::StaffRole;
use serde_json::json;

both_backends!(
    an_events_original_title_and_director_round_trip_through_the_api,
    an_original_title_or_director_too_long_is_refused_and_changes_nothing,
);

async fn an_events_original_title_and_director_round_trip_through_the_api(app: TestApp) {
    let (manager, _) = app.staff("max@example.com", StaffRole::Owner, &[]).await;
    let created = app
        .post(
            "/api/v1/admin/events",
            Some(&manager),
            json!({ "title": "Letters on the Wind", "original_title": "風の手紙",
                    "director": "Agnès Mérieux", "language": "ja", "runtime_minutes": 104 }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["original_title"], "風の手紙");
    assert_eq!(created.body["director"], "Agnès Mérieux");
    let id = created.body["id"].as_i64().unwrap();

    // Everyone reads them in the public event.
    let public = app.get(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(public.status, StatusCode::OK, "{:?}", public.body);
    assert_eq!(public.body["original_title"], "風の手紙");
    assert_eq!(public.body["director"], "Agnès Mérieux");

    // A change of one leaves the other; an empty one clears it.
    let patched = app
        .request(
            Method::PATCH,
            &format!("/api/v1/admin/events/{id}"),
            Some(&manager),
            Some(json!({ "director": "  Jun Sato  " })),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(patched.body["director"], "Jun Sato", "trimmed");
    assert_eq!(
        patched.body["original_title"], "風の手紙",
        "what is not given stays"
    );
    let cleared = app
        .request(
            Method::PATCH,
            &format!("/api/v1/admin/events/{id}"),
            Some(&manager),
            Some(json!({ "original_title": "" })),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{:?}", cleared.body);
    assert_eq!(cleared.body["original_title"], "");
    assert_eq!(cleared.body["director"], "Jun Sato");

    // The back office's list reads what was stored.
    let listed = app
        .get("/api/v1/admin/events?per_page=100", Some(&manager))
        .await;
    let listed = listed.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .cloned()
        .expect("the new event is listed");
    assert_eq!(listed["original_title"], "");
    assert_eq!(listed["director"], "Jun Sato");

    // Without them, an event has them empty.
    let plain = app
        .post(
            "/api/v1/admin/events",
            Some(&manager),
            json!({ "title": "Plain", "language": "en", "runtime_minutes": 90 }),
        )
        .await;
    assert_eq!(plain.status, StatusCode::CREATED, "{:?}", plain.body);
    assert_eq!(plain.body["original_title"], "");
    assert_eq!(plain.body["director"], "");
    let stored = app
        .store
        .get_event(marquee_domain::EventId(plain.body["id"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.original_title.as_str(), stored.director.as_str()),
        ("", "")
    );
}

async fn an_original_title_or_director_too_long_is_refused_and_changes_nothing(app: TestApp) {
    let (manager, _) = app.staff("max@example.com", StaffRole::Owner, &[]).await;
    let id = app.world.event.id.0;
    // Read from the database, not the node's catalog (which a refused write leaves alone).
    let stored = || async { app.store.get_event(app.world.event.id).await.unwrap() };
    let before = stored().await;
    for field in ["original_title", "director"] {
        let answer = app
            .request(
                Method::PATCH,
                &format!("/api/v1/admin/events/{id}"),
                Some(&manager),
                Some(json!({ field: "é".repeat(201), "title": "Changed" })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(answer.code(), "invalid_request", "{field}");
        let wrong_type = app
            .request(
                Method::PATCH,
                &format!("/api/v1/admin/events/{id}"),
                Some(&manager),
                Some(json!({ field: ["a list"] })),
            )
            .await;
        assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST, "{field}");
    }
    assert_eq!(stored().await, before);
}
