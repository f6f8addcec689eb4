//! The back office's API: who reaches which route (walked from the OpenAPI document, so a new
//! route cannot be missed), the catalog as staff build it, and the audit log of each write.

use crate::both_backends;
use crate::helpers::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use marquee_domain::StaffRole;
use serde_json::{json, Value};

both_backends!(
    every_admin_route_refuses_strangers_customers_and_other_venues_staff,
    a_manager_builds_a_hall_and_each_write_is_audited,
    a_layout_with_an_error_names_its_row_and_column_and_saves_nothing,
    a_poster_must_be_an_image_and_is_served_for_ever,
    roles_below_the_route_are_forbidden,
    the_dashboard_shows_a_venues_day_to_its_own_staff,
);

/// Path segments after `/admin/` whose `{id}` belongs to a venue: staff of another venue get
/// 404 for them. Every other route with an id must be listed in `NOT_VENUE_SCOPED`.
const VENUE_SCOPED: &[&str] = &["venues", "auditoriums", "showtimes", "bookings"];
const NOT_VENUE_SCOPED: &[&str] = &["staff", "events"];

/// A body each write route takes, so that a request is refused for who sends it, not for
/// what it says.
fn valid_body(method: &str, path: &str) -> Option<Value> {
    let layout = json!({ "layout": "A  ss.ss" });
    Some(match (method, path) {
        ("patch", "/api/v1/admin/venues/{id}") => json!({ "name": "Renamed" }),
        ("post", "/api/v1/admin/venues/{id}/auditoriums") => {
            json!({ "name": "Screen 9", "layout": "A  ss.ss" })
        }
        ("put", "/api/v1/admin/auditoriums/{id}/layout") => layout,
        ("put", "/api/v1/admin/venues/{id}/price-plan") => crate::schedule::plan(),
        ("patch", "/api/v1/admin/showtimes/{id}") => json!({ "starts_at": "2026-12-20T20:00:00Z" }),
        ("delete", "/api/v1/admin/showtimes/{id}") => json!({}),
        ("post", "/api/v1/admin/bookings/{id}/resend") => json!({}),
        ("post" | "delete", "/api/v1/admin/showtimes/{id}/blocked-seats") => {
            json!({ "seats": ["A1"] })
        }
        ("post", "/api/v1/admin/bookings/{id}/refund" | "/api/v1/admin/showtimes/{id}/cancel") => {
            json!({ "reason": "a test" })
        }
        ("put", "/api/v1/admin/venues/{id}/reminder") => json!({ "hours_before": 2 }),
        ("put", "/api/v1/admin/venues/{id}/refund-policy") => {
            json!({ "tiers": [{ "minutes_before": 120, "percent": 100 }], "fee_per_ticket": 0 })
        }
        ("post", "/api/v1/admin/venues/{id}/schedule/copy") => {
            json!({ "from_week": "2026-11-23", "to_week": "2026-11-30" })
        }
        _ => return None,
    })
}

async fn every_admin_route_refuses_strangers_customers_and_other_venues_staff(app: TestApp) {
    let customer = app.customer("carla@example.com").await;
    // A manager of another venue: the world's venue is not theirs.
    let (_, elsewhere) = marquee_store::conformance::fixtures::city_in(
        &*app.store,
        "Porto",
        chrono_tz::Europe::Lisbon,
    )
    .await;
    let (outsider, _) = app
        .staff("mo@example.com", StaffRole::Manager, &[elsewhere.id])
        .await;
    // A booking of the world's venue (a hold will do: the outsider must not even find it).
    let held = app.hold(&customer, &["A8"]).await;
    let booking: i64 = held.body["id"].as_str().unwrap().parse().unwrap();
    let ids = [
        ("venues", app.world.venue.id.0),
        ("auditoriums", app.world.auditorium.auditorium.id.0),
        ("showtimes", app.showtime_id()),
        ("bookings", booking),
    ];

    let document = marquee_server::http::openapi_json(&marquee_server::http::openapi()).unwrap();
    let mut walked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/admin/") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            walked += 1;
            let kind = path["/api/v1/admin/".len()..].split('/').next().unwrap();
            let id = ids.iter().find(|(k, _)| *k == kind).map(|(_, id)| *id);
            let concrete = path.replace("{id}", &id.unwrap_or(1).to_string());
            let method_ = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = valid_body(method, path);

            let anonymous = app
                .request(method_.clone(), &concrete, None, body.clone())
                .await;
            assert_eq!(
                anonymous.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            let as_customer = app
                .request(method_.clone(), &concrete, Some(&customer), body.clone())
                .await;
            assert_eq!(as_customer.status, StatusCode::FORBIDDEN, "{method} {path}");
            assert_eq!(as_customer.code(), "forbidden", "{method} {path}");

            if !path.contains('{') {
                continue;
            }
            if NOT_VENUE_SCOPED.contains(&kind) {
                continue;
            }
            assert!(
                VENUE_SCOPED.contains(&kind),
                "{method} {path}: say whether its id belongs to a venue"
            );
            if method != "get" && body.is_none() {
                panic!("{method} {path}: add a body it takes to valid_body");
            }
            let other_venue = app.request(method_, &concrete, Some(&outsider), body).await;
            assert_eq!(
                other_venue.status,
                StatusCode::NOT_FOUND,
                "{method} {path}: {:?}",
                other_venue.body
            );
        }
    }
    assert!(walked >= 15, "the admin routes were found: {walked}");
    // Nothing the outsider sent changed the world's venue.
    let venue = app
        .store
        .get_venue(app.world.venue.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(venue.name, app.world.venue.name);
    let halls = app.store.auditoriums(app.world.venue.id).await.unwrap();
    assert_eq!(halls.len(), 1);
    assert!(
        app.stored_seats()
            .await
            .iter()
            .all(|s| s.state == "available" || s.label == "A8"),
        "no seat blocked"
    );
    assert!(app
        .store
        .refund_policy(app.world.venue.id)
        .await
        .unwrap()
        .is_none());
}

async fn roles_below_the_route_are_forbidden(app: TestApp) {
    let venue = app.world.venue.id;
    let (usher, _) = app
        .staff("una@example.com", StaffRole::Usher, &[venue])
        .await;
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[venue])
        .await;
    // An usher sees their venues but may not change them.
    assert_eq!(
        app.get("/api/v1/admin/venues", Some(&usher)).await.status,
        StatusCode::OK
    );
    let refused = app
        .request(
            Method::PATCH,
            &format!("/api/v1/admin/venues/{}", venue.0),
            Some(&usher),
            Some(json!({ "name": "Mine now" })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "forbidden");
    // A manager may not make cities, venues or staff.
    for (path, body) in [
        (
            "/api/v1/admin/cities",
            json!({ "name": "Faro", "timezone": "Europe/Lisbon" }),
        ),
        (
            "/api/v1/admin/venues",
            json!({ "city_id": app.world.city.id.0, "name": "X", "address": "Y" }),
        ),
        (
            "/api/v1/admin/staff",
            json!({ "email": "x@example.com", "role": "owner" }),
        ),
    ] {
        let answer = app.post(path, Some(&manager), body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(app.store.list_cities().await.unwrap().len(), 1);
}

async fn a_manager_builds_a_hall_and_each_write_is_audited(app: TestApp) {
    let (owner, _) = app.staff("olga@example.com", StaffRole::Owner, &[]).await;
    let city = app
        .post(
            "/api/v1/admin/cities",
            Some(&owner),
            json!({ "name": "Porto", "timezone": "Europe/Lisbon" }),
        )
        .await;
    assert_eq!(city.status, StatusCode::CREATED, "{:?}", city.body);
    let venue = app
        .post(
            "/api/v1/admin/venues",
            Some(&owner),
            json!({ "city_id": city.body["id"], "name": "Cinema Douro", "address": "Rua 1",
                    "cleaning_minutes": 25 }),
        )
        .await;
    assert_eq!(venue.status, StatusCode::CREATED, "{:?}", venue.body);
    assert_eq!(venue.body["ads_minutes"], 20, "the default");
    assert_eq!(venue.body["cleaning_minutes"], 25);
    let venue_id = venue.body["id"].as_i64().unwrap();

    let (manager, _) = app
        .staff(
            "max@example.com",
            StaffRole::Manager,
            &[marquee_domain::VenueId(venue_id)],
        )
        .await;
    let patched = app
        .request(
            Method::PATCH,
            &format!("/api/v1/admin/venues/{venue_id}"),
            Some(&manager),
            Some(json!({ "ads_minutes": 10 })),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(patched.body["ads_minutes"], 10);
    assert_eq!(
        patched.body["name"], "Cinema Douro",
        "what is not given stays"
    );

    let hall = app
        .post(
            &format!("/api/v1/admin/venues/{venue_id}/auditoriums"),
            Some(&manager),
            json!({ "name": "Screen 1", "layout": "A  wc.ssss.cw\nB  ss.ssss.ss" }),
        )
        .await;
    assert_eq!(hall.status, StatusCode::CREATED, "{:?}", hall.body);
    assert_eq!(hall.body["capacity"], 16);
    assert_eq!(hall.body["layout_version"], 1);
    let hall_id = hall.body["id"].as_i64().unwrap();
    let relaid = app
        .request(
            Method::PUT,
            &format!("/api/v1/admin/auditoriums/{hall_id}/layout"),
            Some(&manager),
            Some(json!({ "layout": "A  wc.ssss.cw\nB  ss.pppp.ss\nC  ssssssssss" })),
        )
        .await;
    assert_eq!(relaid.status, StatusCode::OK, "{:?}", relaid.body);
    assert_eq!(relaid.body["layout_version"], 2);
    let read = app
        .get(
            &format!("/api/v1/admin/auditoriums/{hall_id}"),
            Some(&manager),
        )
        .await;
    assert!(read.body["layout"]
        .as_str()
        .unwrap()
        .contains("C  ssssssssss"));

    let film = app
        .post(
            "/api/v1/admin/events",
            Some(&manager),
            json!({ "title": "<script>alert(1)</script>", "language": "en", "runtime_minutes": 95,
                    "genres": ["Drama"], "trailer_url": "https://example.com/t" }),
        )
        .await;
    assert_eq!(film.status, StatusCode::CREATED, "{:?}", film.body);
    let film_id = film.body["id"].as_i64().unwrap();
    let cleared = app
        .request(
            Method::PATCH,
            &format!("/api/v1/admin/events/{film_id}"),
            Some(&manager),
            Some(json!({ "trailer_url": null, "runtime_minutes": 97 })),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{:?}", cleared.body);
    assert_eq!(cleared.body["trailer_url"], Value::Null);
    assert_eq!(cleared.body["runtime_minutes"], 97);
    assert_eq!(cleared.body["genres"], json!(["Drama"]));

    // Every write is in the log, newest first, with who and the values before and after.
    let audit = app.get("/api/v1/admin/audit", Some(&owner)).await;
    let entries = audit.body["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "event.update",
            "event.create",
            "auditorium.layout",
            "auditorium.create",
            "venue.update",
            "venue.create",
            "city.create",
        ],
        "{:?}",
        audit.body
    );
    let venue_update = &entries[4];
    assert_eq!(venue_update["actor_email"], "max@example.com");
    assert_eq!(venue_update["before"]["ads_minutes"], 20);
    assert_eq!(venue_update["after"]["ads_minutes"], 10);
    assert_eq!(entries[2]["before"]["layout_version"], 1);
    assert_eq!(entries[2]["after"]["layout_version"], 2);
    assert_eq!(entries[0]["before"]["trailer_url"], "https://example.com/t");
    assert_eq!(entries[0]["after"]["trailer_url"], Value::Null);

    // Filtered by person, and by venue: the manager sees only their venue's entries.
    let by_max = app
        .get(
            &format!("/api/v1/admin/audit?actor={}", venue_update["actor_id"]),
            Some(&owner),
        )
        .await;
    assert_eq!(by_max.body["entries"].as_array().unwrap().len(), 5);
    let seen_by_manager = app.get("/api/v1/admin/audit", Some(&manager)).await;
    let theirs: Vec<&str> = seen_by_manager.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        theirs,
        [
            "auditorium.layout",
            "auditorium.create",
            "venue.update",
            "venue.create"
        ]
    );
    let page = app.get("/api/v1/admin/audit?limit=3", Some(&owner)).await;
    assert_eq!(page.body["entries"].as_array().unwrap().len(), 3);
    let next = page.body["next_before"].as_i64().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/admin/audit?limit=50&before={next}"),
            Some(&owner),
        )
        .await;
    assert_eq!(rest.body["entries"].as_array().unwrap().len(), 4);
    assert_eq!(rest.body["next_before"], Value::Null);
}

async fn a_layout_with_an_error_names_its_row_and_column_and_saves_nothing(app: TestApp) {
    let venue = app.world.venue.id;
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[venue])
        .await;
    let preview = app
        .post(
            "/api/v1/admin/layouts/preview",
            Some(&manager),
            json!({ "layout": "A  wc..ss\nB  ssss" }),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", preview.body);
    assert_eq!(preview.body["capacity"], 8);
    assert_eq!(preview.body["seats"][0]["label"], "A1");
    assert_eq!(preview.body["seats"][0]["category"], "accessible");
    assert_eq!(
        preview.body["seats"][2]["column"], 4,
        "the aisle is counted"
    );

    let wrong = app
        .post(
            "/api/v1/admin/layouts/preview",
            Some(&manager),
            json!({ "layout": "A  ss\nB  sxs" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.code(), "invalid_layout");
    let message = wrong.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("row B") && message.contains("column"),
        "{message}"
    );

    let hall = app.world.auditorium.auditorium.id.0;
    let refused = app
        .request(
            Method::PUT,
            &format!("/api/v1/admin/auditoriums/{hall}/layout"),
            Some(&manager),
            Some(json!({ "layout": "A  s?s" })),
        )
        .await;
    assert_eq!(refused.code(), "invalid_layout");
    let stored = app
        .store
        .auditorium_layout(app.world.auditorium.auditorium.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.info.layout_version, 1, "nothing was saved");
}

async fn a_poster_must_be_an_image_and_is_served_for_ever(app: TestApp) {
    let venue = app.world.venue.id;
    let (manager, _) = app
        .staff("max@example.com", StaffRole::Manager, &[venue])
        .await;
    let film = app.world.event.id.0;
    let upload = |bytes: Vec<u8>| {
        let request = Request::builder()
            .method(Method::PUT)
            .uri(format!("/api/v1/admin/events/{film}/poster"))
            .header(header::AUTHORIZATION, format!("Bearer {manager}"))
            .header(header::CONTENT_TYPE, "image/png")
            .body(Body::from(bytes))
            .unwrap();
        app.send(request)
    };
    let svg = upload(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec()).await;
    assert_eq!(svg.status, StatusCode::BAD_REQUEST);
    assert_eq!(svg.code(), "unsupported_image");
    let huge = upload([b"\x89PNG\r\n\x1a\n".to_vec(), vec![0; 6 * 1024 * 1024]].concat()).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(app
        .store
        .poster(app.world.event.id)
        .await
        .unwrap()
        .is_none());

    let png = [b"\x89PNG\r\n\x1a\n".to_vec(), b"not really pixels".to_vec()].concat();
    let uploaded = upload(png.clone()).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{:?}", uploaded.body);
    let url = uploaded.body["poster_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("/media/posters/{film}/")));
    let served = app
        .send(Request::builder().uri(&url).body(Body::empty()).unwrap())
        .await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(
        served.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    // The public catalog shows the new poster.
    let public = app.get(&format!("/api/v1/events/{film}"), None).await;
    assert_eq!(public.body["poster_url"], url.as_str());
    let stale = app
        .send(
            Request::builder()
                .uri(format!("/media/posters/{film}/000000"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND);
}

async fn the_dashboard_shows_a_venues_day_to_its_own_staff(app: TestApp) {
    let venue = app.world.venue.id;
    let (_, elsewhere) = marquee_store::conformance::fixtures::city_in(
        &*app.store,
        "Porto",
        chrono_tz::Europe::Lisbon,
    )
    .await;
    let (box_office, _) = app
        .staff("bo@example.com", StaffRole::BoxOffice, &[venue])
        .await;
    let (other, _) = app
        .staff("mo@example.com", StaffRole::Manager, &[elsewhere.id])
        .await;
    let (usher, _) = app
        .staff("una@example.com", StaffRole::Usher, &[venue])
        .await;
    let customer = app.customer("carla@example.com").await;
    assert_eq!(
        app.hold(&customer, &["A1", "A2"]).await.status,
        StatusCode::CREATED
    );

    let today = app.get("/api/v1/admin/dashboard", Some(&box_office)).await;
    assert_eq!(today.status, StatusCode::OK, "{:?}", today.body);
    let venues = today.body["venues"].as_array().unwrap();
    assert_eq!(venues.len(), 1, "their venue only: {:?}", today.body);
    assert_eq!(venues[0]["venue_id"], venue.0);
    assert_eq!(venues[0]["holds"], 1);
    assert_eq!(venues[0]["held_seats"], 2);
    assert_eq!(today.body["recent"][0]["seats"], 2);
    assert_eq!(today.body["recent"][0]["status"], "held");

    let theirs = app.get("/api/v1/admin/dashboard", Some(&other)).await;
    let theirs = theirs.body["venues"].as_array().unwrap();
    assert!(theirs.iter().all(|v| v["venue_id"] != venue.0));
    assert!(
        app.get("/api/v1/admin/dashboard", Some(&other)).await.body["recent"]
            .as_array()
            .unwrap()
            .is_empty(),
        "another venue's bookings are not theirs to see"
    );
    let refused = app.get("/api/v1/admin/dashboard", Some(&usher)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
