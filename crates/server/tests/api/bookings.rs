use crate::helpers::TestApp;
use axum::http::{Method, StatusCode};
use chrono::Duration;
use serde_json::json;

crate::both_backends!(
    a_hold_answers_the_booking_with_its_expiry_and_total,
    a_taken_seat_is_refused_with_the_list_of_unavailable_seats,
    a_user_reads_and_releases_only_their_own_bookings,
    releasing_a_hold_frees_its_seats_at_once,
    an_expired_hold_blocks_no_one_and_shows_as_expired,
    best_available_picks_adjacent_seats_near_the_middle,
    best_available_gives_wheelchair_spaces_only_when_asked,
    bookings_are_listed_a_page_at_a_time,
);

async fn bookings_are_listed_a_page_at_a_time(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let mut made = Vec::new();
    for seat in ["A1", "A2", "A3"] {
        let held = app.hold(&ana, &[seat]).await;
        made.push(held.body["id"].as_str().unwrap().to_string());
        app.advance(Duration::seconds(1));
    }
    made.reverse();
    let ids = |body: &serde_json::Value| -> Vec<String> {
        body["bookings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_string())
            .collect()
    };
    let first = app.get("/api/v1/bookings?limit=2", Some(&ana)).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(ids(&first.body), made[..2]);
    let next = first.body["next_before"].as_str().expect("a next page");
    assert_eq!(next, made[1]);
    let second = app
        .get(
            &format!("/api/v1/bookings?limit=2&before={next}"),
            Some(&ana),
        )
        .await;
    assert_eq!(ids(&second.body), made[2..]);
    assert_eq!(second.body["next_before"], serde_json::Value::Null);
    let all = app.get("/api/v1/bookings", Some(&ana)).await;
    assert_eq!(ids(&all.body), made);
    for bad in ["limit=0", "limit=101", "before=yesterday", "limit=-1"] {
        let refused = app
            .get(&format!("/api/v1/bookings?{bad}"), Some(&ana))
            .await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::BAD_REQUEST, "invalid_query"),
            "{bad}"
        );
    }
}

async fn a_hold_answers_the_booking_with_its_expiry_and_total(app: TestApp) {
    let token = app.customer("ana@example.com").await;
    let held = app.hold(&token, &["B3", "A1"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    let b = &held.body;
    assert_eq!(b["status"], "held");
    assert_eq!(b["seats"], json!(["B3", "A1"]));
    assert_eq!(b["expires_at"], "2026-11-23T12:10:00Z");
    assert_eq!(
        (
            b["subtotal"].as_i64(),
            b["fees"].as_i64(),
            b["total"].as_i64()
        ),
        (Some(2450), Some(150), Some(2600))
    );
    assert_eq!(b["currency"], "EUR");
    assert_eq!(
        b["lines"][0],
        json!({ "seat": "B3", "category": "premium", "type": "adult", "price": 1450 })
    );
    assert_eq!(b["showtime_id"], app.showtime_id());
    let reference = b["reference"].as_str().unwrap();
    assert_eq!(reference.len(), 8);
    assert!(
        b["id"].as_str().unwrap().parse::<i64>().is_ok(),
        "ids are strings of digits"
    );

    let id = b["id"].as_str().unwrap();
    let read = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&token))
        .await;
    assert_eq!((read.status, &read.body), (StatusCode::OK, b));
    let list = app.get("/api/v1/bookings", Some(&token)).await;
    assert_eq!(list.body["bookings"], json!([b]));
    assert_eq!(app.state_of("B3").await, "held");
    let id: i64 = id.parse().unwrap();
    for seat in ["B3", "A1"] {
        assert_eq!(app.stored_state_of(seat).await, ("held".into(), Some(id)));
    }
}

async fn a_taken_seat_is_refused_with_the_list_of_unavailable_seats(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let ben = app.customer("ben@example.com").await;
    assert_eq!(
        app.hold(&ana, &["A4", "A5"]).await.status,
        StatusCode::CREATED
    );
    let refused = app.hold(&ben, &["A3", "A4", "A5", "A6"]).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "seats_unavailable")
    );
    assert_eq!(refused.body["error"]["seats"], json!(["A4", "A5"]));
    // All or nothing: A3 and A6 were not held for ben (read in the database, not the cache).
    assert_eq!(app.stored_state_of("A3").await, ("available".into(), None));
    assert_eq!(app.stored_state_of("A6").await, ("available".into(), None));
    assert_eq!(
        app.get("/api/v1/bookings", Some(&ben)).await.body["bookings"],
        json!([])
    );
}

async fn a_user_reads_and_releases_only_their_own_bookings(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let ben = app.customer("ben@example.com").await;
    let held = app.hold(&ana, &["A1"]).await;
    let path = format!("/api/v1/bookings/{}", held.body["id"].as_str().unwrap());
    let before = app.stored_seats().await;
    let missing = app.get("/api/v1/bookings/123456789", Some(&ben)).await;
    for response in [
        app.get(&path, Some(&ben)).await,
        app.request(Method::DELETE, &path, Some(&ben), None).await,
    ] {
        assert_eq!(
            (response.status, &response.body),
            (StatusCode::NOT_FOUND, &missing.body),
            "looks like nothing is there"
        );
    }
    assert_eq!(
        app.get("/api/v1/bookings", Some(&ben)).await.body["bookings"],
        json!([])
    );
    assert_eq!(
        app.stored_seats().await,
        before,
        "ben's release changed nothing"
    );
    assert_eq!(app.get(&path, Some(&ana)).await.body["status"], "held");
}

async fn releasing_a_hold_frees_its_seats_at_once(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let held = app.hold(&ana, &["A7", "A8"]).await;
    let path = format!("/api/v1/bookings/{}", held.body["id"].as_str().unwrap());
    let released = app.request(Method::DELETE, &path, Some(&ana), None).await;
    assert_eq!(
        (released.status, &released.body["status"]),
        (StatusCode::OK, &json!("released"))
    );
    assert_eq!(app.state_of("A7").await, "available");
    assert_eq!(app.stored_state_of("A7").await, ("available".into(), None));
    assert_eq!(app.stored_state_of("A8").await, ("available".into(), None));
    let again = app.request(Method::DELETE, &path, Some(&ana), None).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "invalid_booking_state")
    );
    let ben = app.customer("ben@example.com").await;
    assert_eq!(
        app.hold(&ben, &["A7", "A8"]).await.status,
        StatusCode::CREATED
    );
}

async fn an_expired_hold_blocks_no_one_and_shows_as_expired(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let held = app.hold(&ana, &["A2"]).await;
    let path = format!("/api/v1/bookings/{}", held.body["id"].as_str().unwrap());
    app.advance(Duration::minutes(10));
    assert_eq!(app.get(&path, Some(&ana)).await.body["status"], "expired");
    assert_eq!(app.state_of("A2").await, "available");
    assert_eq!(app.stored_state_of("A2").await, ("available".into(), None));
    let release = app.request(Method::DELETE, &path, Some(&ana), None).await;
    assert_eq!(
        (release.status, release.code()),
        (StatusCode::CONFLICT, "hold_expired")
    );
    let ben = app.customer("ben@example.com").await;
    assert_eq!(app.hold(&ben, &["A2"]).await.status, StatusCode::CREATED);
}

/// A hold lasts the configured time, not the default 10 minutes: its `expires_at` is now plus
/// that time, its seats are held until then and free from then on.
async fn a_hold_lasts_the_configured_time(app: TestApp) {
    let ttl = app.app.config().hold_ttl;
    assert_eq!(
        ttl,
        Duration::minutes(3),
        "the app under test is configured"
    );
    let ana = app.customer("ana@example.com").await;
    let held = app.hold(&ana, &["A3"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    assert_eq!(
        held.body["expires_at"],
        (app.clock_now() + ttl).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let id: i64 = held.body["id"].as_str().unwrap().parse().unwrap();
    let best = app
        .post(
            "/api/v1/bookings",
            Some(&ana),
            json!({ "showtime_id": app.showtime_id(), "quantity": 1 }),
        )
        .await;
    assert_eq!(best.body["expires_at"], held.body["expires_at"]);
    let path = format!("/api/v1/bookings/{id}");

    app.advance(ttl - Duration::seconds(1));
    assert_eq!(app.stored_state_of("A3").await, ("held".into(), Some(id)));
    assert_eq!(app.get(&path, Some(&ana)).await.body["status"], "held");
    let ben = app.customer("ben@example.com").await;
    assert_eq!(app.hold(&ben, &["A3"]).await.status, StatusCode::CONFLICT);

    app.advance(Duration::seconds(1));
    assert_eq!(app.stored_state_of("A3").await, ("available".into(), None));
    assert_eq!(app.state_of("A3").await, "available");
    assert_eq!(app.get(&path, Some(&ana)).await.body["status"], "expired");
    assert_eq!(app.hold(&ben, &["A3"]).await.status, StatusCode::CREATED);
}

mod configured_hold_ttl {
    use crate::helpers::TestApp;
    use marquee_server::Config;

    fn three_minutes(config: Config) -> Config {
        Config {
            hold_ttl: chrono::Duration::minutes(3),
            ..config
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hold_lasts_the_configured_time_on_sqlite() {
        super::a_hold_lasts_the_configured_time(TestApp::sqlite_configured(three_minutes).await)
            .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hold_lasts_the_configured_time_on_postgres() {
        super::a_hold_lasts_the_configured_time(TestApp::postgres_configured(three_minutes).await)
            .await
    }
}

async fn best_available_picks_adjacent_seats_near_the_middle(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let body = json!({ "showtime_id": app.showtime_id(), "quantity": 2 });
    let first = app.post("/api/v1/bookings", Some(&ana), body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    // Row B is the middle row. It has 7 seats in an 8-column grid, so B4-B5 straddle the middle.
    assert_eq!(first.body["seats"], json!(["B4", "B5"]));
    let second = app.post("/api/v1/bookings", Some(&ana), body).await;
    let seats: Vec<&str> = second.body["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(seats.len(), 2);
    assert!(!seats.contains(&"B4") && !seats.contains(&"B5"));
    let too_many = app
        .post(
            "/api/v1/bookings",
            Some(&ana),
            json!({ "showtime_id": app.showtime_id(), "quantity": 9 }),
        )
        .await;
    assert_eq!(
        (too_many.status, too_many.code()),
        (StatusCode::CONFLICT, "not_enough_seats")
    );
}

async fn best_available_gives_wheelchair_spaces_only_when_asked(app: TestApp) {
    let ana = app.customer("ana@example.com").await;
    let asked =
        json!({ "showtime_id": app.showtime_id(), "quantity": 1, "category": "accessible" });
    let held = app.post("/api/v1/bookings", Some(&ana), asked).await;
    assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    assert_eq!(held.body["lines"][0]["category"], "accessible");
    // Fill every general seat; what is left is wheelchair and companion seats, never offered
    // unasked. Many customers: one may hold only a few at once.
    for i in 0..20 {
        let fan = app.customer(&format!("fan{i}@example.com")).await;
        let any = app
            .post(
                "/api/v1/bookings",
                Some(&fan),
                json!({ "showtime_id": app.showtime_id(), "quantity": 1 }),
            )
            .await;
        if any.status != StatusCode::CREATED {
            assert_eq!(any.code(), "not_enough_seats");
            break;
        }
        assert!(
            ["standard", "premium"].contains(&any.body["lines"][0]["category"].as_str().unwrap())
        );
    }
    // Row C is `wc.ss.cw`: of its wheelchair and companion seats only the one asked for is taken.
    let mut special = Vec::new();
    for label in ["C1", "C2", "C5", "C6"] {
        special.push(app.db_state_of(label).await);
    }
    assert_eq!(
        special.iter().filter(|s| *s == "held").count(),
        1,
        "{special:?}"
    );
}
