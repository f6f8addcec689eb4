//! The schedule as staff make it: a venue's price plan, showtimes one at a time and many at
//! once, priced by the plan and refused whole when any would clash in its hall.

use crate::both_backends;
use crate::helpers::TestApp;
use axum::http::{Method, StatusCode};
use marquee_domain::StaffRole;
use serde_json::{json, Value};

both_backends!(
    a_manager_replaces_the_price_plan_and_a_wrong_one_names_its_fault,
    each_showtime_is_priced_by_the_plan_at_its_local_start_and_keeps_it,
    a_showtime_clashes_until_the_hall_is_cleaned,
    a_schedule_is_made_whole_or_refused_with_every_clash,
    scheduling_refuses_bad_input_and_other_venues_halls,
    access_tags_are_set_at_scheduling_shown_and_filtered_on,
    a_showtime_moves_only_without_live_bookings_and_is_priced_again,
    a_live_booking_pins_its_showtime_and_any_booking_keeps_it,
    a_week_is_copied_whole_at_the_same_local_times_or_not_at_all,
);

/// Adult and child, cheaper before 17:00 on weekdays; every seat category priced.
pub fn plan() -> Value {
    json!({
        "currency": "EUR",
        "booking_fee_minor": 50,
        "ticket_types": [
            { "code": "adult", "name": "Adult" },
            { "code": "child", "name": "Child" }
        ],
        "rules": [
            { "ticket_type": "adult", "weekdays": ["mon", "tue", "wed", "thu", "fri"],
              "until": "17:00", "price_minor": 800 },
            { "ticket_type": "adult", "category": "premium", "price_minor": 1400 },
            { "ticket_type": "adult", "price_minor": 1000 },
            { "ticket_type": "child", "price_minor": 600 }
        ]
    })
}

fn plan_path(app: &TestApp) -> String {
    format!("/api/v1/admin/venues/{}/price-plan", app.world.venue.id.0)
}

async fn manager(app: &TestApp) -> String {
    app.staff("max@example.com", StaffRole::Manager, &[app.world.venue.id])
        .await
        .0
}

async fn a_manager_replaces_the_price_plan_and_a_wrong_one_names_its_fault(app: TestApp) {
    let manager = manager(&app).await;
    let path = plan_path(&app);
    let none = app.get(&path, Some(&manager)).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(none.code(), "price_plan_not_found");

    let put = app
        .request(Method::PUT, &path, Some(&manager), Some(plan()))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    let read = app.get(&path, Some(&manager)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["rules"][0]["until"], "17:00");
    assert_eq!(read.body["rules"][0]["weekdays"][4], "fri");
    assert_eq!(read.body["rules"][1]["category"], "premium");
    assert_eq!(read.body["ticket_types"][1]["name"], "Child");
    assert_eq!(read.body["booking_fee_minor"], 50);

    // Each fault is named, and nothing changes.
    for (change, named) in [
        (json!({ "currency": "EURO" }), "currency"),
        (
            json!({ "rules": [{ "ticket_type": "senior", "price_minor": 1 }] }),
            "senior",
        ),
        (
            json!({ "rules": [{ "ticket_type": "adult", "weekdays": ["monday"], "price_minor": 1 }] }),
            "rule 1 weekdays",
        ),
        (
            json!({ "rules": [{ "ticket_type": "adult", "from": "18:00", "until": "17:00",
                                "price_minor": 1 }] }),
            "rule 1: from must be before until",
        ),
        (json!({ "ticket_types": [] }), "ticket types"),
    ] {
        let mut wrong = plan();
        for (key, value) in change.as_object().unwrap() {
            wrong[key] = value.clone();
        }
        let refused = app
            .request(Method::PUT, &path, Some(&manager), Some(wrong))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{change}");
        assert_eq!(refused.code(), "invalid_request", "{change}");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{change}: {message}");
    }
    assert_eq!(app.get(&path, Some(&manager)).await.body, read.body);

    // The change is audited with the plan before and after.
    let mut cheaper = plan();
    cheaper["rules"][2]["price_minor"] = json!(900);
    let put = app
        .request(Method::PUT, &path, Some(&manager), Some(cheaper))
        .await;
    assert_eq!(put.status, StatusCode::OK);
    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    let entries = audit.body["entries"].as_array().unwrap();
    assert_eq!(entries[0]["action"], "price_plan.update");
    assert_eq!(entries[0]["before"]["rules"][2]["price_minor"], 1000);
    assert_eq!(entries[0]["after"]["rules"][2]["price_minor"], 900);
    assert_eq!(entries[1]["before"], Value::Null, "the venue's first plan");
}

/// How many showtimes the world's hall has.
async fn showtimes_in_store(app: &TestApp) -> usize {
    app.store
        .list_showtimes(&marquee_store::ShowtimeFilter {
            event_id: None,
            city_id: None,
            starts_from: None,
            starts_until: None,
            access: None,
            limit: 10_000,
            now: app.clock_now(),
        })
        .await
        .unwrap()
        .len()
}

/// A showtime of the world's film in the world's hall at `starts_at`.
pub fn showtime_at(app: &TestApp, starts_at: &str) -> Value {
    json!({
        "event_id": app.world.event.id.0,
        "auditorium_id": app.world.auditorium.auditorium.id.0,
        "starts_at": starts_at,
        "format": "2D",
    })
}

fn price(body: &Value, ticket_type: usize, category: &str) -> i64 {
    body["ticket_types"][ticket_type]["prices"][category]
        .as_i64()
        .unwrap()
}

/// A manager of the world's venue, which has `plan()` as its price plan.
pub async fn with_plan(app: &TestApp) -> String {
    let manager = manager(app).await;
    put_plan(app, &manager).await;
    manager
}

async fn put_plan(app: &TestApp, manager: &str) {
    let put = app
        .request(Method::PUT, &plan_path(app), Some(manager), Some(plan()))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
}

async fn each_showtime_is_priced_by_the_plan_at_its_local_start_and_keeps_it(app: TestApp) {
    let manager = manager(&app).await;
    // No plan, no showtime.
    let before = showtimes_in_store(&app).await;
    let refused = app
        .post(
            "/api/v1/admin/showtimes",
            Some(&manager),
            showtime_at(&app, "2026-11-25T16:59:00Z"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "no_price_plan");
    assert_eq!(showtimes_in_store(&app).await, before);

    put_plan(&app, &manager).await;
    // Lisbon is on UTC in winter. Wednesday 16:59 is before 17:00 on a weekday.
    let early = app
        .post(
            "/api/v1/admin/showtimes",
            Some(&manager),
            showtime_at(&app, "2026-11-25T16:59:00Z"),
        )
        .await;
    assert_eq!(early.status, StatusCode::CREATED, "{:?}", early.body);
    assert_eq!(price(&early.body, 0, "standard"), 800);
    assert_eq!(price(&early.body, 1, "standard"), 600, "the child's rule");
    assert_eq!(early.body["audio_language"], "pt", "the film's language");
    assert_eq!(early.body["booking_fee"], 50);
    // Thursday 17:00 is not before 17:00; Saturday is not a weekday.
    for (at, standard) in [
        ("2026-11-26T17:00:00Z", 1000),
        ("2026-11-28T14:00:00Z", 1000),
    ] {
        let later = app
            .post(
                "/api/v1/admin/showtimes",
                Some(&manager),
                showtime_at(&app, at),
            )
            .await;
        assert_eq!(later.status, StatusCode::CREATED, "{:?}", later.body);
        assert_eq!(price(&later.body, 0, "standard"), standard, "{at}");
        assert_eq!(price(&later.body, 0, "premium"), 1400, "{at}");
    }
    // A later plan does not change what is scheduled.
    let mut dearer = plan();
    dearer["rules"][0]["price_minor"] = json!(1200);
    let put = app
        .request(Method::PUT, &plan_path(&app), Some(&manager), Some(dearer))
        .await;
    assert_eq!(put.status, StatusCode::OK);
    let id = early.body["id"].as_i64().unwrap();
    let public = app.get(&format!("/api/v1/showtimes/{id}"), None).await;
    assert_eq!(public.body["prices"]["standard"], 800);
    assert_eq!(public.body["on_sale"], true, "on sale at once");

    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    let entry = &audit.body["entries"][1];
    assert_eq!(entry["action"], "showtime.create");
    assert_eq!(entry["before"], Value::Null);
    assert_eq!(entry["after"]["starts_at"], "2026-11-28T14:00:00Z");
}

async fn a_showtime_clashes_until_the_hall_is_cleaned(app: TestApp) {
    let manager = with_plan(&app).await;
    // The world's showtime starts at 12:00 on the 24th: 20 minutes of adverts, 100 of film,
    // 15 of cleaning; the hall is free at 14:15.
    let existing = app.world.showtime.showtime.id.0;
    let before = showtimes_in_store(&app).await;
    let early = app
        .post(
            "/api/v1/admin/showtimes",
            Some(&manager),
            showtime_at(&app, "2026-11-24T14:14:00Z"),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.body);
    assert_eq!(early.code(), "schedule_conflict");
    let clash = &early.body["error"]["clashes"][0];
    assert_eq!(clash["showtime_id"], existing);
    assert_eq!(clash["proposed"]["starts_at"], "2026-11-24T14:14:00Z");
    assert_eq!(clash["proposed"]["ends_at"], "2026-11-24T16:29:00Z");
    assert_eq!(clash["with"]["starts_at"], "2026-11-24T12:00:00Z");
    assert_eq!(clash["with"]["ends_at"], "2026-11-24T14:15:00Z");
    // Ending exactly when it starts is no clash either.
    let before_it = app
        .post(
            "/api/v1/admin/showtimes",
            Some(&manager),
            showtime_at(&app, "2026-11-24T09:46:00Z"),
        )
        .await;
    assert_eq!(before_it.code(), "schedule_conflict");
    assert_eq!(showtimes_in_store(&app).await, before, "nothing was made");
    for at in ["2026-11-24T14:15:00Z", "2026-11-24T09:45:00Z"] {
        let on_time = app
            .post(
                "/api/v1/admin/showtimes",
                Some(&manager),
                showtime_at(&app, at),
            )
            .await;
        assert_eq!(
            on_time.status,
            StatusCode::CREATED,
            "{at}: {:?}",
            on_time.body
        );
    }
}

fn week(app: &TestApp, times: &[&str], from: &str, to: &str) -> Value {
    json!({
        "event_id": app.world.event.id.0,
        "auditorium_id": app.world.auditorium.auditorium.id.0,
        "times": times,
        "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "from": from,
        "to": to,
        "format": "2D",
        "subtitles": "en",
    })
}

async fn a_schedule_is_made_whole_or_refused_with_every_clash(app: TestApp) {
    let manager = with_plan(&app).await;
    let before = showtimes_in_store(&app).await;
    // 16:00 and 17:00 clash with each other every day; 12:00 on the 24th with the world's
    // (the hall is free at 14:15).
    let refused = app
        .post(
            "/api/v1/admin/schedules",
            Some(&manager),
            week(
                &app,
                &["17:00", "12:00", "16:00"],
                "2026-11-24",
                "2026-11-25",
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "schedule_conflict");
    let clashes = refused.body["error"]["clashes"].as_array().unwrap();
    let described: Vec<(Value, Value)> = clashes
        .iter()
        .map(|c| (c["proposed"]["starts_at"].clone(), c["showtime_id"].clone()))
        .collect();
    assert_eq!(
        described,
        [
            (
                json!("2026-11-24T12:00:00Z"),
                json!(app.world.showtime.showtime.id.0)
            ),
            (json!("2026-11-24T16:00:00Z"), Value::Null),
            (json!("2026-11-25T16:00:00Z"), Value::Null),
        ],
        "{clashes:?}"
    );
    assert_eq!(clashes[1]["with"]["starts_at"], "2026-11-24T17:00:00Z");
    assert_eq!(showtimes_in_store(&app).await, before, "nothing was made");

    // A week at three times a day: 21 showtimes a customer then finds.
    let made = app
        .post(
            "/api/v1/admin/schedules",
            Some(&manager),
            week(
                &app,
                &["21:00", "14:30", "18:00"],
                "2026-11-30",
                "2026-12-06",
            ),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let showtimes = made.body["showtimes"].as_array().unwrap();
    assert_eq!(showtimes.len(), 21);
    assert_eq!(showtimes[0]["starts_at"], "2026-11-30T14:30:00Z");
    assert_eq!(showtimes[20]["starts_at"], "2026-12-06T21:00:00Z");
    assert_eq!(showtimes[0]["subtitles"], "en");
    assert_eq!(price(&showtimes[0], 0, "standard"), 800, "Monday 14:30");
    assert_eq!(price(&showtimes[1], 0, "standard"), 1000, "Monday 18:00");
    assert_eq!(showtimes_in_store(&app).await, before + 21);
    let public = app
        .get(
            &format!(
                "/api/v1/events/{}/showtimes?date=2026-12-01",
                app.world.event.id.0
            ),
            None,
        )
        .await;
    assert_eq!(
        public.body["showtimes"].as_array().unwrap().len(),
        3,
        "{:?}",
        public.body
    );
}

async fn scheduling_refuses_bad_input_and_other_venues_halls(app: TestApp) {
    let manager = with_plan(&app).await;
    let before = showtimes_in_store(&app).await;
    let cases = [
        (
            "/api/v1/admin/showtimes",
            showtime_at(&app, "2026-11-23T11:00:00Z"),
            "in the past",
        ),
        (
            "/api/v1/admin/showtimes",
            {
                let mut s = showtime_at(&app, "2026-11-27T11:00:00Z");
                s["format"] = json!("");
                s
            },
            "format",
        ),
        (
            "/api/v1/admin/schedules",
            week(&app, &["25:00"], "2026-11-30", "2026-12-01"),
            "25:00",
        ),
        (
            "/api/v1/admin/schedules",
            week(&app, &["14:00", "14:00"], "2026-11-30", "2026-12-01"),
            "twice",
        ),
        (
            "/api/v1/admin/schedules",
            week(&app, &["14:00"], "2026-12-01", "2026-11-30"),
            "before it starts",
        ),
        (
            "/api/v1/admin/schedules",
            {
                let mut s = week(&app, &["14:00"], "2026-11-30", "2026-12-01");
                s["weekdays"] = json!(["monday"]);
                s
            },
            "monday",
        ),
    ];
    for (path, body, named) in cases {
        let refused = app.post(path, Some(&manager), body.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{body}: {:?}",
            refused.body
        );
        assert_eq!(refused.code(), "invalid_request", "{body}");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{body}: {message}");
    }
    let unknown_film = {
        let mut s = showtime_at(&app, "2026-11-27T11:00:00Z");
        s["event_id"] = json!(999_999);
        s
    };
    let refused = app
        .post("/api/v1/admin/showtimes", Some(&manager), unknown_film)
        .await;
    assert_eq!(refused.code(), "event_not_found");

    // A manager of another venue does not find this venue's hall.
    let (_, elsewhere) = marquee_store::conformance::fixtures::city_in(
        &*app.store,
        "Porto",
        chrono_tz::Europe::Lisbon,
    )
    .await;
    let (outsider, _) = app
        .staff("mo@example.com", StaffRole::Manager, &[elsewhere.id])
        .await;
    let one = app
        .post(
            "/api/v1/admin/showtimes",
            Some(&outsider),
            showtime_at(&app, "2026-11-27T11:00:00Z"),
        )
        .await;
    assert_eq!(one.status, StatusCode::NOT_FOUND);
    assert_eq!(one.code(), "auditorium_not_found");
    let many = app
        .post(
            "/api/v1/admin/schedules",
            Some(&outsider),
            week(&app, &["14:00"], "2026-11-30", "2026-12-01"),
        )
        .await;
    assert_eq!(many.code(), "auditorium_not_found");
    assert_eq!(showtimes_in_store(&app).await, before);
}

async fn access_tags_are_set_at_scheduling_shown_and_filtered_on(app: TestApp) {
    let manager = with_plan(&app).await;
    let mut captioned = showtime_at(&app, "2026-11-25T18:00:00Z");
    captioned["access"] = json!(["relaxed", "captioned"]);
    let made = app
        .post("/api/v1/admin/showtimes", Some(&manager), captioned)
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    assert_eq!(made.body["access"], json!(["captioned", "relaxed"]));
    let id = made.body["id"].as_i64().unwrap();
    let plain = app
        .post(
            "/api/v1/admin/showtimes",
            Some(&manager),
            showtime_at(&app, "2026-11-25T21:00:00Z"),
        )
        .await;
    assert_eq!(plain.body["access"], json!([]));

    // Wherever the showtime is shown.
    let one = app.get(&format!("/api/v1/showtimes/{id}"), None).await;
    assert_eq!(one.body["access"], json!(["captioned", "relaxed"]));
    let seats = app
        .get(&format!("/api/v1/showtimes/{id}/seats"), None)
        .await;
    assert_eq!(seats.body["access"], json!(["captioned", "relaxed"]));
    let film = app.world.event.id.0;
    let all = app
        .get(&format!("/api/v1/events/{film}/showtimes"), None)
        .await;
    assert_eq!(all.body["showtimes"].as_array().unwrap().len(), 3);

    // And as a filter: a tag matches whole, never part of another.
    let filtered = app
        .get(
            &format!("/api/v1/events/{film}/showtimes?access=captioned"),
            None,
        )
        .await;
    let ids: Vec<&Value> = filtered.body["showtimes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, [&json!(id)]);
    for (query, titles) in [
        ("access=relaxed", 1),
        ("access=audio_described", 0),
        ("access=captioned&date=2026-11-24", 0),
        ("access=captioned&date=2026-11-25", 1),
    ] {
        let events = app.get(&format!("/api/v1/events?{query}"), None).await;
        assert_eq!(events.status, StatusCode::OK, "{query}");
        assert_eq!(
            events.body["events"].as_array().unwrap().len(),
            titles,
            "{query}: {:?}",
            events.body
        );
    }
    let wrong = app
        .get(
            &format!("/api/v1/events/{film}/showtimes?access=deaf"),
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.code(), "invalid_query");
    assert!(wrong.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("parent_and_baby"));
    // White space is no tag either (the document's pattern says so), nor nothing.
    for odd in ["%0A", "%20captioned"] {
        let spaced = app
            .get(
                &format!("/api/v1/events/{film}/showtimes?access={odd}"),
                None,
            )
            .await;
        assert_eq!(spaced.status, StatusCode::BAD_REQUEST, "{odd}");
    }
    let mut unknown = showtime_at(&app, "2026-11-27T18:00:00Z");
    unknown["access"] = json!(["subtitled", "4dx"]);
    let refused = app
        .post("/api/v1/admin/showtimes", Some(&manager), unknown)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("\"4dx\""));
}

async fn a_showtime_moves_only_without_live_bookings_and_is_priced_again(app: TestApp) {
    let manager = with_plan(&app).await;
    let made = app
        .post(
            "/api/v1/admin/showtimes",
            Some(&manager),
            showtime_at(&app, "2026-11-25T16:00:00Z"),
        )
        .await;
    assert_eq!(price(&made.body, 0, "standard"), 800, "before 17:00");
    let id = made.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/showtimes/{id}");
    // The seat map is cached with the old prices; the move must not leave it so.
    let seats = app
        .get(&format!("/api/v1/showtimes/{id}/seats"), None)
        .await;
    assert_eq!(seats.body["ticket_types"][0]["prices"]["standard"], 800);

    let retimed = app
        .request(
            Method::PATCH,
            &path,
            Some(&manager),
            Some(json!({ "starts_at": "2026-11-25T18:00:00Z" })),
        )
        .await;
    assert_eq!(retimed.status, StatusCode::OK, "{:?}", retimed.body);
    assert_eq!(retimed.body["ends_at"], "2026-11-25T20:15:00Z");
    assert_eq!(price(&retimed.body, 0, "standard"), 1000, "after 17:00");
    let seats = app
        .get(&format!("/api/v1/showtimes/{id}/seats"), None)
        .await;
    assert_eq!(seats.body["ticket_types"][0]["prices"]["standard"], 1000);
    // Overlapping its own old slot is no clash; the world's showtime is.
    let nudged = app
        .request(
            Method::PATCH,
            &path,
            Some(&manager),
            Some(json!({ "starts_at": "2026-11-25T18:30:00Z" })),
        )
        .await;
    assert_eq!(nudged.status, StatusCode::OK, "{:?}", nudged.body);
    let clash = app
        .request(
            Method::PATCH,
            &path,
            Some(&manager),
            Some(json!({ "starts_at": "2026-11-24T13:00:00Z" })),
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert_eq!(clash.code(), "schedule_conflict");
    assert_eq!(
        clash.body["error"]["clashes"][0]["showtime_id"],
        app.world.showtime.showtime.id.0
    );

    // To another hall of the venue: its layout, a new inventory.
    let hall = app
        .post(
            &format!("/api/v1/admin/venues/{}/auditoriums", app.world.venue.id.0),
            Some(&manager),
            json!({ "name": "Sala 2", "layout": "A  ss.ss" }),
        )
        .await;
    let hall_id = hall.body["id"].as_i64().unwrap();
    let moved = app
        .request(
            Method::PATCH,
            &path,
            Some(&manager),
            Some(json!({ "auditorium_id": hall_id })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.body["auditorium_id"], hall_id);
    assert_eq!(moved.body["starts_at"], "2026-11-25T18:30:00Z");
    let seats = app
        .get(&format!("/api/v1/showtimes/{id}/seats"), None)
        .await;
    assert_eq!(seats.body["seats"].as_array().unwrap().len(), 4);

    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    let entry = &audit.body["entries"][0];
    assert_eq!(entry["action"], "showtime.update");
    assert_eq!(
        entry["before"]["auditorium_id"],
        app.world.auditorium.auditorium.id.0
    );
    assert_eq!(entry["after"]["auditorium_id"], hall_id);

    // Never had a booking: it can go.
    let deleted = app
        .request(Method::DELETE, &path, Some(&manager), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    assert_eq!(
        app.get(&format!("/api/v1/showtimes/{id}"), None)
            .await
            .code(),
        "showtime_not_found"
    );
    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    assert_eq!(audit.body["entries"][0]["action"], "showtime.delete");
    assert_eq!(audit.body["entries"][0]["after"], Value::Null);
}

async fn a_live_booking_pins_its_showtime_and_any_booking_keeps_it(app: TestApp) {
    let manager = with_plan(&app).await;
    let customer = app.customer("carla@example.com").await;
    let held = app.hold(&customer, &["A1"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    let path = format!("/api/v1/admin/showtimes/{}", app.showtime_id());
    let later = json!({ "starts_at": "2026-11-24T15:00:00Z" });
    let pinned = app
        .request(Method::PATCH, &path, Some(&manager), Some(later.clone()))
        .await;
    assert_eq!(pinned.status, StatusCode::CONFLICT, "{:?}", pinned.body);
    assert_eq!(pinned.code(), "showtime_has_bookings");
    let kept = app
        .request(Method::DELETE, &path, Some(&manager), None)
        .await;
    assert_eq!(kept.code(), "showtime_has_bookings");

    // Once the hold has run out (swept or not), it pins nothing; it still keeps the showtime.
    app.advance(chrono::Duration::minutes(11));
    let moved = app
        .request(Method::PATCH, &path, Some(&manager), Some(later))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.body["starts_at"], "2026-11-24T15:00:00Z");
    let kept = app
        .request(Method::DELETE, &path, Some(&manager), None)
        .await;
    assert_eq!(kept.status, StatusCode::CONFLICT);
    assert_eq!(kept.code(), "showtime_has_bookings");
    assert!(app
        .store
        .get_showtime(app.world.showtime.showtime.id, app.clock_now())
        .await
        .unwrap()
        .is_some());
}

async fn a_week_is_copied_whole_at_the_same_local_times_or_not_at_all(app: TestApp) {
    let manager = with_plan(&app).await;
    let mut friday = showtime_at(&app, "2026-11-27T18:00:00Z");
    friday["access"] = json!(["captioned"]);
    let friday = app
        .post("/api/v1/admin/showtimes", Some(&manager), friday)
        .await;
    assert_eq!(friday.status, StatusCode::CREATED, "{:?}", friday.body);
    let path = format!(
        "/api/v1/admin/venues/{}/schedule/copy",
        app.world.venue.id.0
    );
    // The week of Monday 23 November: the world's Tuesday 12:00 and this Friday 18:00.
    let copied = app
        .post(
            &path,
            Some(&manager),
            json!({ "from_week": "2026-11-23", "to_week": "2026-11-30" }),
        )
        .await;
    assert_eq!(copied.status, StatusCode::CREATED, "{:?}", copied.body);
    let copies = copied.body["showtimes"].as_array().unwrap();
    let starts: Vec<&Value> = copies.iter().map(|s| &s["starts_at"]).collect();
    assert_eq!(
        starts,
        [
            &json!("2026-12-01T12:00:00Z"),
            &json!("2026-12-04T18:00:00Z")
        ]
    );
    assert_eq!(copies[1]["access"], json!(["captioned"]));
    assert_eq!(
        price(&copies[0], 0, "standard"),
        800,
        "a weekday before 17:00"
    );
    assert_eq!(price(&copies[1], 0, "standard"), 1000);

    // Again: both copies clash with the first ones, and nothing is made.
    let before = showtimes_in_store(&app).await;
    let again = app
        .post(
            &path,
            Some(&manager),
            json!({ "from_week": "2026-11-23", "to_week": "2026-11-30" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    assert_eq!(again.code(), "schedule_conflict");
    let clashing: Vec<&Value> = again.body["error"]["clashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["showtime_id"])
        .collect();
    assert_eq!(clashing, [&copies[0]["id"], &copies[1]["id"]]);
    assert_eq!(showtimes_in_store(&app).await, before);

    for (weeks, named) in [
        (
            json!({ "from_week": "2026-11-24", "to_week": "2026-12-01" }),
            "not a Monday",
        ),
        (
            json!({ "from_week": "2026-11-30", "to_week": "2026-11-16" }),
            "started",
        ),
    ] {
        let refused = app.post(&path, Some(&manager), weeks.clone()).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{weeks}");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{weeks}: {message}");
    }
    assert_eq!(showtimes_in_store(&app).await, before);
}
