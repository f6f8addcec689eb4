use crate::helpers::{titles, TestApp};
use axum::http::StatusCode;
use marquee_store::conformance::fixtures;
use serde_json::json;

crate::both_backends!(
    cities_events_and_showtimes_are_listed,
    events_are_filtered_by_city_and_local_date,
    the_seat_map_shows_each_seat_with_its_state_category_and_price,
    unknown_catalog_ids_are_not_found,
    late_showtimes_are_listed_on_their_local_date_west_and_east_of_utc,
    free_seats_are_current_on_a_showtime_and_follow_on_its_events_showtimes,
    showtimes_written_past_the_node_are_listed,
    a_showtime_moved_or_cancelled_through_this_node_shows_so_at_once,
    an_event_edited_through_this_node_shows_so_at_once,
);

async fn cities_events_and_showtimes_are_listed(app: TestApp) {
    let cities = app.get("/api/v1/cities", None).await;
    assert_eq!(cities.status, StatusCode::OK);
    assert_eq!(
        cities.body["cities"],
        json!([{ "id": app.world.city.id.0, "name": "Lisbon", "timezone": "Europe/Lisbon" }])
    );

    let event_id = app.world.event.id.0;
    let event = app.get(&format!("/api/v1/events/{event_id}"), None).await;
    assert_eq!(event.status, StatusCode::OK);
    assert_eq!(event.body["title"], "The Long Light");
    assert_eq!(event.body["genres"], json!(["drama", "mystery"]));
    assert_eq!(event.body["runtime_minutes"], 100);

    let showtimes = app
        .get(&format!("/api/v1/events/{event_id}/showtimes"), None)
        .await;
    assert_eq!(showtimes.status, StatusCode::OK);
    let list = showtimes.body["showtimes"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let showtime = &list[0];
    assert_eq!(showtime["id"], app.showtime_id());
    assert_eq!(showtime["starts_at"], "2026-11-24T12:00:00Z");
    assert_eq!(showtime["starts_at_local"], "2026-11-24T12:00:00+00:00");
    assert_eq!(showtime["venue"]["name"], "Cinema Tejo");
    assert_eq!(showtime["city"]["name"], "Lisbon");
    assert_eq!(showtime["currency"], "EUR");
    assert_eq!(
        showtime["prices"],
        json!({ "standard": 1000, "premium": 1450, "accessible": 1000, "companion": 500 })
    );
    assert_eq!(showtime["booking_fee"], 75);
    assert_eq!(
        (
            showtime["capacity"].as_u64(),
            showtime["seats_available"].as_u64()
        ),
        (Some(21), Some(21))
    );
    assert_eq!(showtime["on_sale"], true);

    let one = app
        .get(&format!("/api/v1/showtimes/{}", app.showtime_id()), None)
        .await;
    assert_eq!((one.status, &one.body), (StatusCode::OK, showtime));
}

async fn events_are_filtered_by_city_and_local_date(app: TestApp) {
    let titles = |body: &serde_json::Value| {
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let city = app.world.city.id.0;
    for query in [
        format!("city={city}&date=2026-11-24"),
        "city=lisbon&date=2026-11-24".into(),
        "city=Lisbon".into(),
        "date=2026-11-24".into(),
        "from=2026-11-23&to=2026-11-30".into(),
        "genre=Drama".into(),
    ] {
        let events = app.get(&format!("/api/v1/events?{query}"), None).await;
        assert_eq!(events.status, StatusCode::OK, "{query}");
        assert_eq!(titles(&events.body), ["The Long Light"], "{query}");
    }
    for query in [
        "city=Lisbon&date=2026-11-25",
        "date=2026-11-23",
        "genre=comedy",
        "language=en",
        "page=2",
    ] {
        let events = app.get(&format!("/api/v1/events?{query}"), None).await;
        assert_eq!(
            (events.status, titles(&events.body).len()),
            (StatusCode::OK, 0),
            "{query}"
        );
    }
    let elsewhere = app.get("/api/v1/events?city=Atlantis", None).await;
    assert_eq!(
        (elsewhere.status, elsewhere.code()),
        (StatusCode::NOT_FOUND, "city_not_found")
    );
    let showtimes = app
        .get(
            &format!(
                "/api/v1/events/{}/showtimes?city=Lisbon&date=2026-11-25",
                app.world.event.id.0
            ),
            None,
        )
        .await;
    assert_eq!(showtimes.body["showtimes"], json!([]));
}

async fn the_seat_map_shows_each_seat_with_its_state_category_and_price(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    assert_eq!(
        app.hold(&token, &["B3", "B4"]).await.status,
        StatusCode::CREATED
    );
    let map = app
        .get(
            &format!("/api/v1/showtimes/{}/seats", app.showtime_id()),
            None,
        )
        .await;
    assert_eq!(map.status, StatusCode::OK);
    assert_eq!(
        (map.body["rows"].as_u64(), map.body["columns"].as_u64()),
        (Some(3), Some(8))
    );
    assert_eq!(map.body["currency"], "EUR");
    assert_eq!(map.body["seats_available"], 19);
    let seats = map.body["seats"].as_array().unwrap();
    assert_eq!(seats.len(), 21);
    let seat = |label: &str| seats.iter().find(|s| s["label"] == label).unwrap().clone();
    assert_eq!(
        seat("B3"),
        json!({ "label": "B3", "row": "B", "number": 3, "x": 2, "y": 1, "category": "premium", "state": "held", "price": 1450 })
    );
    assert_eq!(seat("C1")["category"], "accessible");
    assert_eq!(seat("C2")["price"], 500);
    assert_eq!(seat("C3")["x"], 3, "the aisle is a gap in the grid");
    assert_eq!(seat("A1")["state"], "available");
}

/// A showtime at 23:30 in New York (UTC−5 in November) is on the 24th there and on the 25th in
/// UTC; one at 23:30 in Berlin (UTC+1) is on the 24th both ways, and one at 00:30 in Berlin is on
/// the 25th there and on the 24th in UTC. Each is listed on its local date only.
async fn late_showtimes_are_listed_on_their_local_date_west_and_east_of_utc(app: TestApp) {
    use chrono_tz::{America::New_York, Europe::Berlin};
    let store = &*app.store;
    let (new_york, ny_cinema) = fixtures::city_in(store, "New York", New_York).await;
    let (berlin, berlin_cinema) = fixtures::city_in(store, "Berlin", Berlin).await;
    let ny_hall = fixtures::auditorium(store, ny_cinema.id, "Screen 1", fixtures::LAYOUT).await;
    let berlin_hall =
        fixtures::auditorium(store, berlin_cinema.id, "Saal 1", fixtures::LAYOUT).await;
    let berlin_hall_2 =
        fixtures::auditorium(store, berlin_cinema.id, "Saal 2", fixtures::LAYOUT).await;
    let cases = [
        // city, hall, title, local start, UTC start, local date, another date it is not on
        (
            &new_york,
            &ny_hall,
            "Late in New York",
            "2026-11-24 23:30",
            "2026-11-25T04:30:00Z",
            "2026-11-24T23:30:00-05:00",
            "2026-11-24",
            "2026-11-25",
        ),
        (
            &berlin,
            &berlin_hall,
            "Late in Berlin",
            "2026-11-24 23:30",
            "2026-11-24T22:30:00Z",
            "2026-11-24T23:30:00+01:00",
            "2026-11-24",
            "2026-11-25",
        ),
        (
            &berlin,
            &berlin_hall_2,
            "After midnight in Berlin",
            "2026-11-25 00:30",
            "2026-11-24T23:30:00Z",
            "2026-11-25T00:30:00+01:00",
            "2026-11-25",
            "2026-11-24",
        ),
    ];
    for (city, hall, title, local, utc, local_json, on, not_on) in cases {
        let event = fixtures::event(store, title, 100).await;
        let starts_at = fixtures::at_local(city.timezone, local);
        assert_eq!(
            starts_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            utc
        );
        let showtime = fixtures::schedule(store, &event, hall, starts_at).await;
        // Written past the node, as another node would: seen when the node refreshes (its
        // job does every 2 seconds).
        marquee_server::search::refresh(&app.app).await.unwrap();
        let name = city.name.replace(' ', "%20");

        let events = app
            .get(&format!("/api/v1/events?city={name}&date={on}"), None)
            .await;
        assert_eq!(events.status, StatusCode::OK, "{title}");
        assert!(
            titles(&events.body).contains(&title.to_string()),
            "{title} on {on}: {:?}",
            events.body
        );
        let events = app
            .get(&format!("/api/v1/events?city={name}&date={not_on}"), None)
            .await;
        assert!(
            !titles(&events.body).contains(&title.to_string()),
            "{title} not on {not_on}"
        );

        let path = format!("/api/v1/events/{}/showtimes?city={name}", event.id.0);
        let listed = app.get(&format!("{path}&date={on}"), None).await;
        assert_eq!(listed.status, StatusCode::OK, "{title}");
        let list = listed.body["showtimes"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{title} on {on}: {:?}", listed.body);
        assert_eq!(list[0]["id"], showtime.showtime.id.0);
        assert_eq!(list[0]["starts_at"], utc);
        assert_eq!(list[0]["starts_at_local"], local_json);
        let other_day = app.get(&format!("{path}&date={not_on}"), None).await;
        assert_eq!(
            other_day.body["showtimes"],
            json!([]),
            "{title} not on {not_on}"
        );
    }
}

async fn unknown_catalog_ids_are_not_found(app: TestApp) {
    for (path, code) in [
        ("/api/v1/events/999999", "event_not_found"),
        ("/api/v1/events/999999/showtimes", "event_not_found"),
        // The event first: its city is not looked at.
        (
            "/api/v1/events/999999/showtimes?city=Atlantis",
            "event_not_found",
        ),
        ("/api/v1/showtimes/999999", "showtime_not_found"),
        ("/api/v1/showtimes/999999/seats", "showtime_not_found"),
        ("/api/v1/showtimes/not-a-number", "showtime_not_found"),
        ("/api/v1/events/1e3", "event_not_found"),
        ("/api/v1/nothing-here", "not_found"),
    ] {
        let response = app.get(path, None).await;
        assert_eq!(
            (response.status, response.code()),
            (StatusCode::NOT_FOUND, code),
            "{path}"
        );
    }
}

/// The free seats of one showtime and of its event's listing.
async fn free_seats(app: &TestApp) -> (u64, u64, u64) {
    let id = app.showtime_id();
    let one = app.get(&format!("/api/v1/showtimes/{id}"), None).await;
    let map = app
        .get(&format!("/api/v1/showtimes/{id}/seats"), None)
        .await;
    let listed = app
        .get(
            &format!("/api/v1/events/{}/showtimes", app.world.event.id.0),
            None,
        )
        .await;
    let count = |v: &serde_json::Value| v["seats_available"].as_u64().expect("a count");
    assert_eq!(one.body["seats_available"], map.body["seats_available"]);
    (
        count(&one.body),
        count(&map.body),
        count(&listed.body["showtimes"][0]),
    )
}

/// A showtime's own answer counts its seats at once (on its seat map); its event's listing
/// counts them when this node's catalog reads the changed showtimes again (every 2 seconds).
async fn free_seats_are_current_on_a_showtime_and_follow_on_its_events_showtimes(app: TestApp) {
    assert_eq!(free_seats(&app).await, (21, 21, 21));
    let token = app.customer("ana@example.com").await;
    let hold = app.hold(&token, &["B3", "B4"]).await;
    assert_eq!(hold.status, StatusCode::CREATED);
    assert_eq!(free_seats(&app).await.0, 19);
    marquee_server::search::refresh(&app.app).await.unwrap();
    assert_eq!(free_seats(&app).await, (19, 19, 19));

    let booking = hold.body["id"].as_str().unwrap();
    let released = app.release(&token, booking).await;
    assert!(released.status.is_success(), "{:?}", released.body);
    assert_eq!(free_seats(&app).await.0, 21);
    marquee_server::search::refresh(&app.app).await.unwrap();
    assert_eq!(free_seats(&app).await, (21, 21, 21));
}

/// Showtimes written past this node (as another node would): a film its catalog does not know
/// yet is listed from the database at once; a new showtime of a film it knows, once it
/// refreshes.
async fn showtimes_written_past_the_node_are_listed(app: TestApp) {
    let store = &*app.store;
    let starts = |list: &serde_json::Value| {
        list["showtimes"]
            .as_array()
            .expect("showtimes")
            .iter()
            .map(|s| s["starts_at"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let known = app.world.event.id.0;
    let before = app
        .get(&format!("/api/v1/events/{known}/showtimes"), None)
        .await;
    assert_eq!(starts(&before.body), ["2026-11-24T12:00:00Z"]);

    let new = fixtures::event(store, "Made Elsewhere", 90).await;
    let at = "2026-11-25T18:00:00Z".parse().unwrap();
    fixtures::schedule(store, &new, &app.world.auditorium, at).await;
    let listed = app
        .get(&format!("/api/v1/events/{}/showtimes", new.id.0), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(starts(&listed.body), ["2026-11-25T18:00:00Z"]);
    assert_eq!(listed.body["showtimes"][0]["seats_available"], 21);
    let film = app.get(&format!("/api/v1/events/{}", new.id.0), None).await;
    assert_eq!(
        (film.status, film.body["title"].as_str()),
        (StatusCode::OK, Some("Made Elsewhere"))
    );

    fixtures::schedule(
        store,
        &app.world.event,
        &app.world.auditorium,
        at + chrono::Duration::hours(4),
    )
    .await;
    marquee_server::search::refresh(&app.app).await.unwrap();
    let after = app
        .get(&format!("/api/v1/events/{known}/showtimes"), None)
        .await;
    assert_eq!(
        starts(&after.body),
        ["2026-11-24T12:00:00Z", "2026-11-25T22:00:00Z"]
    );
}

/// When the world's showtimes start as its event's listing has them, and when the world's
/// showtime starts as its own answer has it.
async fn starts_listed_and_one(app: &TestApp) -> (Vec<String>, String) {
    let listed = app
        .get(
            &format!("/api/v1/events/{}/showtimes", app.world.event.id.0),
            None,
        )
        .await;
    let one = app
        .get(&format!("/api/v1/showtimes/{}", app.showtime_id()), None)
        .await;
    (
        listed.body["showtimes"]
            .as_array()
            .expect("showtimes")
            .iter()
            .map(|s| s["starts_at"].as_str().unwrap().to_string())
            .collect(),
        one.body["starts_at"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// The catalog built (by a listing), then a manager moves the showtime and cancels it through
/// this node: the listing and the showtime's own answer show each change at once.
async fn a_showtime_moved_or_cancelled_through_this_node_shows_so_at_once(app: TestApp) {
    // A move prices the showtime again: its venue needs a price plan.
    let manager = crate::schedule::with_plan(&app).await;
    let id = app.showtime_id();
    let noon = "2026-11-24T12:00:00Z".to_string();
    assert_eq!(
        starts_listed_and_one(&app).await,
        (vec![noon.clone()], noon)
    );

    let moved = app
        .request(
            axum::http::Method::PATCH,
            &format!("/api/v1/admin/showtimes/{id}"),
            Some(&manager),
            Some(json!({ "starts_at": "2026-11-24T18:00:00Z" })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let six = "2026-11-24T18:00:00Z".to_string();
    assert_eq!(starts_listed_and_one(&app).await, (vec![six.clone()], six));

    let cancelled = app
        .post(
            &format!("/api/v1/admin/showtimes/{id}/cancel"),
            Some(&manager),
            json!({ "reason": "The projector broke." }),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
    assert_eq!(starts_listed_and_one(&app).await.0, Vec::<String>::new());
}

/// The catalog built (by a read of the event), then an owner renames the film: the event, and a
/// search for its new title, show it at once.
async fn an_event_edited_through_this_node_shows_so_at_once(app: TestApp) {
    let (owner, _) = app
        .staff("olga@example.com", marquee_domain::StaffRole::Owner, &[])
        .await;
    let path = format!("/api/v1/events/{}", app.world.event.id.0);
    assert_eq!(app.get(&path, None).await.body["title"], "The Long Light");
    let renamed = app
        .request(
            axum::http::Method::PATCH,
            &format!("/api/v1/admin/events/{}", app.world.event.id.0),
            Some(&owner),
            Some(json!({ "title": "The Longest Night" })),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(
        app.get(&path, None).await.body["title"],
        "The Longest Night"
    );
    let found = app.get("/api/v1/events?q=longest", None).await;
    assert_eq!(titles(&found.body), ["The Longest Night"]);
}
