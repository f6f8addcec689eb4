use crate::helpers::TestApp;
use axum::http::StatusCode;

crate::both_backends!(the_demo_catalog_loads_and_is_browsable_and_bookable);

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
