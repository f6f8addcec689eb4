//! `GET /events` with text and every filter, answered from the node's search catalog, and
//! `GET /events/suggest`: ranking, typos and accents, filters and facets that agree with the
//! store's plain SQL over the same catalog, pages that never repeat or skip, a catalog change
//! seen at once on this node and by a refresh on another, and bad input answered cleanly.

use crate::helpers::{titles, TestApp};
use axum::http::StatusCode;
use chrono::Duration;
use marquee_domain::{Event, StaffRole};
use marquee_store::conformance::fixtures::{self, t0};
use marquee_store::{Actor, EventFilter, NewEvent};
use serde_json::{json, Value};
use std::collections::HashSet;

crate::both_backends!(
    text_forgives_typos_and_accents_and_ranks_titles_before_people_before_synopses,
    every_filter_and_facet_agrees_with_the_plain_sql_over_the_same_catalog,
    pages_never_repeat_or_skip_an_event,
    a_catalog_change_is_found_at_once_here_and_after_a_refresh_from_the_store,
    sold_out_showtimes_drop_out_of_available_after_their_seats_change,
    suggestions_are_titles_with_their_next_showtime,
    bad_search_input_is_answered_cleanly,
);

async fn film(
    app: &TestApp,
    title: &str,
    cast: &[&str],
    director: &str,
    synopsis: &str,
    genres: &[&str],
    language: &str,
) -> Event {
    app.store
        .create_event(
            NewEvent {
                kind: "movie".into(),
                title: title.into(),
                original_title: String::new(),
                synopsis: synopsis.into(),
                cast: cast.iter().map(|c| c.to_string()).collect(),
                director: director.into(),
                genres: genres.iter().map(|g| g.to_string()).collect(),
                language: language.into(),
                runtime_minutes: 100,
                certificate: "12A".into(),
                poster_url: None,
                trailer_url: None,
                release_date: None,
            },
            Actor::System,
        )
        .await
        .unwrap()
}

/// Schedules `event` in the world's hall `days` after t0 (at 12:00 UTC).
async fn on(app: &TestApp, event: &Event, days: i64) -> i64 {
    fixtures::schedule(
        &*app.store,
        event,
        &app.world.auditorium,
        t0() + Duration::days(days),
    )
    .await
    .showtime
    .id
    .0
}

/// The films below, each on screen; the world's own film plays tomorrow.
async fn films(app: &TestApp) {
    let avengers = film(
        app,
        "The Avengers",
        &["Scarlett Johansson"],
        "Joss Whedon",
        "Earth's mightiest heroes assemble.",
        &["action"],
        "en",
    )
    .await;
    let interstellar = film(
        app,
        "Interstellar",
        &["Matthew McConaughey"],
        "Christopher Nolan",
        "Explorers travel through a wormhole.",
        &["sci-fi"],
        "en",
    )
    .await;
    let amelie = film(
        app,
        "Amélie",
        &["Audrey Tautou"],
        "Jean-Pierre Jeunet",
        "A shy waitress in Montmartre.",
        &["comedy", "romance"],
        "fr",
    )
    .await;
    let nolan = film(
        app,
        "Nolan: A Life in Film",
        &[],
        "",
        "A documentary.",
        &["documentary"],
        "en",
    )
    .await;
    let loops = film(
        app,
        "Time Loops",
        &[],
        "",
        "Critics compare it to Nolan at his best.",
        &["sci-fi"],
        "en",
    )
    .await;
    for (event, day) in [
        (&avengers, 2),
        (&interstellar, 3),
        (&amelie, 4),
        (&nolan, 5),
        (&loops, 6),
    ] {
        on(app, event, day).await;
    }
}

async fn events(app: &TestApp, query: &str) -> Value {
    let answer = app.get(&format!("/api/v1/events?{query}"), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {:?}", answer.body);
    answer.body
}

async fn text_forgives_typos_and_accents_and_ranks_titles_before_people_before_synopses(
    app: TestApp,
) {
    films(&app).await;
    let found = |q: &'static str| {
        let app = &app;
        async move { titles(&events(app, &format!("q={q}")).await) }
    };
    assert_eq!(
        found("nolan").await,
        ["Nolan: A Life in Film", "Interstellar", "Time Loops"]
    );
    assert_eq!(found("avengrs").await, ["The Avengers"]);
    assert_eq!(found("interstelar").await, ["Interstellar"]);
    assert_eq!(found("amelie").await, ["Amélie"]);
    assert_eq!(found("AM%C3%89LIE").await, ["Amélie"]);
    assert_eq!(found("johansson").await, ["The Avengers"]);
    assert_eq!(found("montmartre").await, ["Amélie"]);
    assert_eq!(found("ave").await, ["The Avengers"], "an unfinished word");
    // The seed's name for it.
    assert_eq!(
        titles(&events(&app, "keyword=interstellar").await),
        ["Interstellar"]
    );
    let one = events(&app, "q=interstellar").await;
    assert_eq!(one["total"], 1);
    assert!(one["events"][0]["next_showtime"]["id"].as_i64().is_some());
    assert_eq!(one["events"][0]["director"], "Christopher Nolan");
}

/// How many events the store's plain SQL lists for `filter` (over every page).
async fn sql_count(app: &TestApp, filter: EventFilter) -> usize {
    app.store
        .list_events(&EventFilter {
            limit: 1000,
            offset: 0,
            ..filter
        })
        .await
        .unwrap()
        .len()
}

fn all_from(now: chrono::DateTime<chrono::Utc>) -> EventFilter {
    EventFilter {
        city_id: None,
        starts_from: Some(now),
        starts_until: None,
        genre: None,
        language: None,
        access: None,
        limit: 1000,
        offset: 0,
    }
}

async fn every_filter_and_facet_agrees_with_the_plain_sql_over_the_same_catalog(app: TestApp) {
    films(&app).await;
    // A second city with one of the films, in a hall of its own.
    let (porto, venue) = fixtures::city_in(&*app.store, "Porto", chrono_tz::Europe::Lisbon).await;
    let hall = fixtures::auditorium(&*app.store, venue.id, "Sala P", fixtures::LAYOUT).await;
    let porto_film = film(&app, "Porto Nights", &[], "", "", &["drama"], "pt").await;
    fixtures::schedule(&*app.store, &porto_film, &hall, t0() + Duration::days(2)).await;
    let now = app.clock_now();
    let all = events(&app, "per_page=100").await;
    assert_eq!(all["total"], sql_count(&app, all_from(now)).await);
    // Each genre's count is what a filter on it lists, and what the SQL lists.
    for facet in all["facets"]["genre"].as_array().unwrap() {
        let genre = facet["value"].as_str().unwrap();
        let listed = events(&app, &format!("genre={genre}&per_page=100")).await;
        let sql = sql_count(
            &app,
            EventFilter {
                genre: Some(genre.to_string()),
                ..all_from(now)
            },
        )
        .await;
        assert_eq!(facet["count"], listed["total"], "{genre}");
        assert_eq!(listed["total"], sql, "{genre}");
    }
    for facet in all["facets"]["language"].as_array().unwrap() {
        let language = facet["value"].as_str().unwrap();
        let listed = events(&app, &format!("language={language}")).await;
        let sql = sql_count(
            &app,
            EventFilter {
                language: Some(language.to_string()),
                ..all_from(now)
            },
        )
        .await;
        assert_eq!(facet["count"], listed["total"], "{language}");
        assert_eq!(listed["total"], sql, "{language}");
    }
    let cities = all["facets"]["city"].as_array().unwrap();
    assert_eq!(cities.len(), 2);
    for facet in cities {
        let id = facet["id"].as_i64().unwrap();
        let listed = events(&app, &format!("city={id}")).await;
        let sql = sql_count(
            &app,
            EventFilter {
                city_id: Some(marquee_domain::CityId(id)),
                ..all_from(now)
            },
        )
        .await;
        assert_eq!(facet["count"], listed["total"], "{}", facet["name"]);
        assert_eq!(listed["total"], sql);
    }
    assert!(cities
        .iter()
        .any(|c| c["name"] == "Porto" && c["count"] == 1));
    assert_eq!(porto.name, "Porto");
    // A date: the local day's events, as the SQL lists them.
    let day = events(&app, "date=2026-11-27&city=Lisbon").await;
    let (from, until) = marquee_domain::catalog::day_bounds(
        chrono_tz::Europe::Lisbon,
        "2026-11-27".parse().unwrap(),
    );
    let sql = sql_count(
        &app,
        EventFilter {
            city_id: Some(app.world.city.id),
            starts_from: Some(from.max(now)),
            starts_until: Some(until),
            ..all_from(now)
        },
    )
    .await;
    assert_eq!(day["total"], sql);
    assert_eq!(titles(&day), ["Amélie"]);
    // The seed's names for the range.
    let range = events(&app, "start=2026-11-27&end=2026-11-28&city=Lisbon").await;
    assert_eq!(titles(&range), ["Amélie", "Nolan: A Life in Film"]);
    // Text and filters together: the count is the SQL's for the filter, among the matches.
    let scifi = events(&app, "q=nolan&genre=sci-fi").await;
    assert_eq!(titles(&scifi), ["Interstellar", "Time Loops"]);
    assert_eq!(
        scifi["facets"]["genre"],
        json!([{ "value": "sci-fi", "count": 2 }])
    );
    // Formats: every fixture showtime is 2D.
    assert_eq!(events(&app, "format=imax").await["total"], 0);
    assert_eq!(
        events(&app, "format=2d").await["total"],
        all["total"],
        "any case"
    );
    // Every film made here is 12A; the world's is M/12.
    let twelve = events(&app, "certificate=12A&per_page=100").await;
    assert_eq!(twelve["total"], all["total"].as_u64().unwrap() - 1);
    assert!(!titles(&twelve).contains(&app.world.event.title));
}

async fn pages_never_repeat_or_skip_an_event(app: TestApp) {
    films(&app).await;
    for q in ["", "q=a"] {
        let all = titles(&events(&app, &format!("{q}&per_page=100")).await);
        let mut paged = Vec::new();
        for page in 1..=all.len() + 1 {
            paged.extend(titles(
                &events(&app, &format!("{q}&per_page=2&page={page}")).await,
            ));
        }
        assert_eq!(paged, all, "{q}");
        let unique: HashSet<&String> = paged.iter().collect();
        assert_eq!(unique.len(), paged.len());
    }
}

/// A film made through `owner`'s back office (no showtime yet).
async fn gladiator(app: &TestApp, owner: &str) -> Event {
    let made = app
        .post(
            "/api/v1/admin/events",
            Some(owner),
            json!({
                "kind": "movie", "title": "Gladiator", "synopsis": "Rome.",
                "cast": ["Russell Crowe"], "genres": ["drama"], "language": "en",
                "runtime_minutes": 155, "certificate": "15"
            }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    app.store
        .get_event(marquee_domain::EventId(made.body["id"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap()
}

async fn a_catalog_change_is_found_at_once_here_and_after_a_refresh_from_the_store(app: TestApp) {
    films(&app).await;
    assert_eq!(events(&app, "q=gladiator").await["total"], 0);
    let (owner, _) = app.staff("olga@example.com", StaffRole::Owner, &[]).await;
    let gladiator = gladiator(&app, &owner).await;
    // Listed once it has a showtime, scheduled here in the store as another node would: found
    // after a refresh.
    on(&app, &gladiator, 8).await;
    marquee_server::search::refresh(&app.app).await.unwrap();
    assert_eq!(titles(&events(&app, "q=gladiatr").await), ["Gladiator"]);
    // Renamed through the back office: found at once.
    let renamed = app
        .request(
            axum::http::Method::PATCH,
            &format!("/api/v1/admin/events/{}", gladiator.id.0),
            Some(&owner),
            Some(json!({ "title": "Gladiator II" })),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(titles(&events(&app, "q=gladiator").await), ["Gladiator II"]);
}

async fn sold_out_showtimes_drop_out_of_available_after_their_seats_change(app: TestApp) {
    let before = events(&app, "available=true").await;
    assert_eq!(
        titles(&before),
        std::slice::from_ref(&app.world.event.title)
    );
    // Every seat of the world's only showtime held: no seat free.
    let labels: Vec<String> = marquee_domain::SeatLayout::parse(fixtures::LAYOUT)
        .unwrap()
        .seats()
        .iter()
        .map(|s| s.label.clone())
        .collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    for chunk in labels.chunks(7) {
        let customer = app.customer(&format!("c{}@example.com", chunk[0])).await;
        let held = app.hold(&customer, chunk).await;
        assert_eq!(held.status, StatusCode::CREATED, "{:?}", held.body);
    }
    marquee_server::search::refresh(&app.app).await.unwrap();
    assert_eq!(events(&app, "available=true").await["total"], 0);
    assert_eq!(
        events(&app, "").await["total"],
        1,
        "still on, without seats"
    );
}

async fn suggestions_are_titles_with_their_next_showtime(app: TestApp) {
    films(&app).await;
    let answer = app.get("/api/v1/events/suggest?q=ave", None).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let suggestions = answer.body["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1);
    assert_eq!(suggestions[0]["title"], "The Avengers");
    assert!(suggestions[0]["next_showtime"]["starts_at"].is_string());
    let city = app
        .get(
            &format!("/api/v1/events/suggest?q=nol&city={}", app.world.city.id.0),
            None,
        )
        .await;
    assert_eq!(
        city.body["suggestions"][0]["title"],
        "Nolan: A Life in Film"
    );
    let elsewhere = app
        .get("/api/v1/events/suggest?q=nol&city=Atlantis", None)
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    let none = app.get("/api/v1/events/suggest", None).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
}

async fn bad_search_input_is_answered_cleanly(app: TestApp) {
    films(&app).await;
    // 1,000 characters: read (the first 8 words), answered.
    // 998 characters once decoded.
    let long = "avengers%20".repeat(111);
    assert_eq!(
        titles(&events(&app, &format!("q={}", &long[..long.len() - 3])).await),
        ["The Avengers"]
    );
    // A "word" too long to be one is no word: as no text at all.
    let pasted = events(&app, &format!("q={}", "a".repeat(1000))).await;
    assert_eq!(pasted["total"], events(&app, "").await["total"]);
    let longer = app
        .get(&format!("/api/v1/events?q={}", "a".repeat(1001)), None)
        .await;
    assert_eq!(longer.status, StatusCode::BAD_REQUEST);
    assert_eq!(longer.code(), "invalid_query");
    for odd in [
        "%22",
        "%3A",
        "*",
        "(",
        "-",
        "AND",
        "%22the%20avengers%22",
        "%F0%9F%8E%AC",
        "%E2%80%8B",
        "title%3Aavengers",
        "",
    ] {
        let answer = app.get(&format!("/api/v1/events?q={odd}"), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{odd}: {:?}", answer.body);
    }
    let long_format = app
        .get(&format!("/api/v1/events?format={}", "x".repeat(33)), None)
        .await;
    assert_eq!(long_format.code(), "invalid_query");
    let huge = app.get("/api/v1/events?per_page=1000000", None).await;
    assert_eq!(huge.code(), "invalid_query");
    let past = events(&app, "page=999999").await;
    assert_eq!(past["events"], json!([]));
    assert_eq!(past["total"], 6);
    let both = app.get("/api/v1/events?q=a&keyword=b", None).await;
    assert_eq!(both.code(), "invalid_query");
    let twice = app
        .get("/api/v1/events?from=2026-11-24&start=2026-11-24", None)
        .await;
    assert_eq!(twice.code(), "invalid_query");
}

/// A film added through one node is found on the other once it refreshes (as its
/// `keep_fresh` does every 2 seconds), not before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_through_another_node_is_found_after_a_refresh() {
    let (one, two) = TestApp::postgres_two_nodes().await;
    films(&one).await;
    assert_eq!(
        events(&two, "q=gladiator").await["total"],
        0,
        "built on two"
    );
    let (owner, _) = one.staff("olga@example.com", StaffRole::Owner, &[]).await;
    let gladiator = gladiator(&one, &owner).await;
    on(&one, &gladiator, 8).await;
    assert_eq!(titles(&events(&one, "q=gladiator").await), ["Gladiator"]);
    assert_eq!(
        events(&two, "q=gladiator").await["total"],
        0,
        "two has not looked yet"
    );
    marquee_server::search::refresh(&two.app).await.unwrap();
    assert_eq!(titles(&events(&two, "q=gladiator").await), ["Gladiator"]);
}
