use crate::helpers::TestApp;
use axum::http::StatusCode;

crate::both_backends!(
    the_demo_catalog_loads_and_is_browsable_and_bookable,
    a_synthetic_catalog_loads_in_bulk_and_its_showtimes_are_held_through_the_api,
);

async fn the_demo_catalog_loads_and_is_browsable_and_bookable(app: TestApp) {
    let summary = marquee_server::demo::load(&*app.store, app.clock_now())
        .await
        .expect("the demo loads");
    assert!(summary.showtimes >= 300, "{summary:?}");
    let cities = app.get("/api/v1/cities", None).await;
    assert_eq!(
        cities.body["cities"].as_array().unwrap().len(),
        4,
        "three demo cities and the test world's"
    );
    let events = app
        .get("/api/v1/events?city=London&date=2026-11-24", None)
        .await;
    assert_eq!(events.status, StatusCode::OK);
    let first = &events.body["events"][0];
    let showtimes = app
        .get(
            &format!(
                "/api/v1/events/{}/showtimes?city=London&date=2026-11-24",
                first["id"]
            ),
            None,
        )
        .await;
    let showtime = &showtimes.body["showtimes"][0];
    assert_eq!(showtime["city"]["name"], "London");
    assert_eq!(showtime["currency"], "GBP");
    let token = app.customer("ana@example.com").await;
    let hold = app
        .post(
            "/api/v1/bookings",
            Some(&token),
            serde_json::json!({ "showtime_id": showtime["id"], "quantity": 2 }),
        )
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{:?}", hold.body);
}

async fn a_synthetic_catalog_loads_in_bulk_and_its_showtimes_are_held_through_the_api(
    app: TestApp,
) {
    let size = marquee_server::demo::SyntheticSize {
        events: 40,
        showtimes: 120,
        seed: 5,
    };
    let catalog = marquee_server::demo::synthetic(size, app.clock_now());
    let summary = marquee_server::demo::load_bulk(&*app.store, &catalog, app.clock_now(), |_| ())
        .await
        .expect("the synthetic catalog loads");
    assert_eq!((summary.events, summary.showtimes), (40, 120));
    let city = &catalog.cities[0].name;
    let events = app
        .get(&format!("/api/v1/events?city={city}&per_page=100"), None)
        .await;
    assert_eq!(events.status, StatusCode::OK, "{:?}", events.body);
    let listed = events.body["events"].as_array().unwrap();
    assert!(!listed.is_empty());
    assert!(listed.iter().all(|e| e["director"] != ""), "{listed:?}");
    let token = app.customer("ana@example.com").await;
    for event in listed.iter().take(3) {
        let showtimes = app
            .get(
                &format!("/api/v1/events/{}/showtimes?city={city}", event["id"]),
                None,
            )
            .await;
        let showtime = &showtimes.body["showtimes"][0];
        assert_eq!(showtime["city"]["name"], city.as_str());
        let hold = app
            .post(
                "/api/v1/bookings",
                Some(&token),
                serde_json::json!({ "showtime_id": showtime["id"], "quantity": 2 }),
            )
            .await;
        assert_eq!(hold.status, StatusCode::CREATED, "{:?}", hold.body);
        assert_eq!(hold.body["seats"].as_array().map(Vec::len), Some(2));
        let seats = app
            .get(&format!("/api/v1/showtimes/{}/seats", showtime["id"]), None)
            .await;
        assert_eq!(seats.status, StatusCode::OK);
    }
}
