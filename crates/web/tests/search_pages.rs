//! The site's search (`/search`) over HTTP, in process: words with a typo, the filter chips
//! and their counts (each a link that adds or removes its filter), the other cities' chip,
//! pages that neither repeat nor skip a film, what it refuses, and the box on the home page.
//! The clock stands at `fixtures::t0()` (Monday 23 November 2026, 12:00 UTC).

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::{Answer, TestApp};
use marquee_domain::Event;
use marquee_store::conformance::fixtures::{self, World};

const URL: &str = "http://127.0.0.1:8080";

/// The world (Lisbon: "The Long Light", drama and mystery, Tuesday at 12:00), a comedy in
/// Lisbon on Wednesday, and Berlin with "Der Himmel". The Lisbon cookie, and the comedy.
async fn catalog(app: &TestApp) -> (World, String, Event) {
    let world = fixtures::world(&*app.store).await;
    let comedy = fixtures::event_in(&*app.store, "Sunny Afternoon", 90, &["comedy"]).await;
    fixtures::schedule(
        &*app.store,
        &comedy,
        &world.auditorium,
        fixtures::t0() + Duration::hours(48),
    )
    .await;
    let (_, venue) = fixtures::city_in(&*app.store, "Berlin", chrono_tz::Europe::Berlin).await;
    let hall = fixtures::auditorium(&*app.store, venue.id, "Saal 1", fixtures::LAYOUT).await;
    let film = fixtures::event(&*app.store, "Der Himmel", 95).await;
    fixtures::schedule(
        &*app.store,
        &film,
        &hall,
        fixtures::t0() + Duration::hours(30),
    )
    .await;
    let lisbon = format!("marquee_city={}", world.city.id.0);
    (world, lisbon, comedy)
}

/// The films a results page lists, by their links, in order.
fn films(page: &Answer) -> Vec<String> {
    page.body
        .match_indices("<h2 id=\"film-")
        .map(|(at, _)| {
            let rest = &page.body[at + 13..];
            rest[..rest.find('"').unwrap_or(0)].to_string()
        })
        .collect()
}

/// The `href` of the chip whose text starts with `label`.
fn chip(page: &Answer, label: &str) -> String {
    page.body
        .split("<a class=\"chip")
        .skip(1)
        .find_map(|rest| {
            let start = rest.find("href=\"")? + 6;
            let end = start + rest[start..].find('"')?;
            rest[end..]
                .starts_with(&format!("\">{label}"))
                .then(|| rest[start..end].replace("&#38;", "&"))
        })
        .unwrap_or_else(|| panic!("a chip {label} in {}", page.body))
}

#[tokio::test]
async fn words_find_a_film_even_mistyped_with_its_next_showing() {
    let app = TestApp::start(URL).await;
    let (world, lisbon, comedy) = catalog(&app).await;

    for asked in ["long+light", "Lihgt", "LONG"] {
        let page = app.get(&format!("/search?q={asked}"), Some(&lisbon)).await;
        assert_eq!(page.status, StatusCode::OK, "{asked}");
        assert_eq!(films(&page), [world.event.id.0.to_string()], "{asked}");
        assert!(
            page.body.contains("1 film found in Lisbon"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(&format!(
                "href=\"/showtimes/{}\"><time datetime=\"2026-11-24T12:00:00+00:00\">Tue 24 Nov, 12:00</time>",
                world.showtime.showtime.id.0
            )),
            "{}",
            page.body
        );
    }

    // No words: everything on in the city, by title.
    let all = app.get("/search", Some(&lisbon)).await;
    assert_eq!(
        films(&all),
        [comedy.id.0.to_string(), world.event.id.0.to_string()]
    );
    assert!(all.body.contains("2 films on in Lisbon"));

    let none = app.get("/search?q=zebra", Some(&lisbon)).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(films(&none).is_empty());
    assert!(
        none.body
            .contains("Nothing matches “zebra” in Lisbon: check the spelling"),
        "{}",
        none.body
    );
}

#[tokio::test]
async fn chips_add_and_remove_filters_and_count_the_films() {
    let app = TestApp::start(URL).await;
    let (world, lisbon, comedy) = catalog(&app).await;

    let all = app.get("/search", Some(&lisbon)).await;
    // Each genre counted once per film: drama 1, mystery 1, comedy 1.
    for label in ["Comedy", "Drama", "Mystery"] {
        assert!(
            all.body.contains(&format!(
                "\">{label} <span class=\"count\">1<span class=\"visually-hidden\"> films</span>"
            )),
            "{label}: {}",
            all.body
        );
    }
    assert!(all.body.contains("\">2D <span class=\"count\">2<"));

    let comedies = app.get(&chip(&all, "Comedy"), Some(&lisbon)).await;
    assert_eq!(films(&comedies), [comedy.id.0.to_string()]);
    // The day-and-city form keeps the filter.
    assert!(comedies
        .body
        .contains("<input type=\"hidden\" name=\"genre\" value=\"comedy\">"));
    assert!(comedies.body.contains("1 film found in Lisbon"));
    // In force, the genre shows as a chip that removes it, and no other genre is offered.
    assert!(!comedies.body.contains("\">Drama "));
    let back = app.get(&chip(&comedies, "Comedy "), Some(&lisbon)).await;
    assert_eq!(films(&back).len(), 2);

    // A day: Tuesday has only the world's film.
    let tuesday = app.get("/search?date=2026-11-24", Some(&lisbon)).await;
    assert_eq!(films(&tuesday), [world.event.id.0.to_string()]);
    assert!(tuesday
        .body
        .contains("<option value=\"2026-11-24\" selected>Tomorrow"));
}

#[tokio::test]
async fn another_citys_chip_names_it_when_it_has_what_this_one_has_not() {
    let app = TestApp::start(URL).await;
    let (_, lisbon, _) = catalog(&app).await;

    let page = app
        .get("/search?q=himmel&date=2026-11-24", Some(&lisbon))
        .await;
    assert!(films(&page).is_empty(), "Der Himmel plays in Berlin only");
    assert!(page.body.contains("\">Berlin <span class=\"count\">1<"));
    let berlin = chip(&page, "Berlin");
    assert!(
        berlin.contains("q=himmel") && berlin.contains("city="),
        "{berlin}"
    );
    assert!(!berlin.contains("date="), "Berlin's own days: {berlin}");
    let there = app.get(&berlin, Some(&lisbon)).await;
    assert_eq!(films(&there).len(), 1);
    assert!(there.body.contains("Search Berlin"));
    assert!(
        there
            .cookies()
            .iter()
            .any(|c| c.starts_with("marquee_city=")),
        "the city chosen is remembered"
    );
}

#[tokio::test]
async fn pages_of_results_neither_repeat_nor_skip_a_film() {
    let app = TestApp::start(URL).await;
    let world = fixtures::world(&*app.store).await;
    let mut made = vec![world.event.id.0.to_string()];
    for n in 0..24 {
        let film = fixtures::event(&*app.store, &format!("Film number {n:02}"), 90).await;
        fixtures::schedule(
            &*app.store,
            &film,
            &world.auditorium,
            fixtures::t0() + Duration::hours(30 + 3 * n),
        )
        .await;
        made.push(film.id.0.to_string());
    }
    let lisbon = format!("marquee_city={}", world.city.id.0);

    let first = app.get("/search", Some(&lisbon)).await;
    assert_eq!(films(&first).len(), 20);
    assert!(first
        .body
        .contains("25 films on in Lisbon, showing 1–20 of 25"));
    assert!(!first.body.contains("rel=\"prev\""));
    let next = chip_href(&first, "rel=\"next\"");
    assert!(
        next.contains(&format!("city={}", world.city.id.0)),
        "a page does not depend on the cookie: {next}"
    );
    let second = app.get(&next, Some(&lisbon)).await;
    assert_eq!(films(&second).len(), 5);
    assert!(second.body.contains("showing 21–25 of 25"));
    assert!(!second.body.contains("rel=\"next\""));
    assert!(second.body.contains("rel=\"prev\""));

    let mut seen: Vec<String> = films(&first).into_iter().chain(films(&second)).collect();
    seen.sort();
    made.sort();
    assert_eq!(seen, made);

    // Past the end: nothing, and no error.
    let past = app.get("/search?page=9", Some(&lisbon)).await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(films(&past).is_empty());
}

/// The `href` of the link with `marker` (an attribute after its `href`).
fn chip_href(page: &Answer, marker: &str) -> String {
    let at = page.body.find(marker).expect("the link");
    let start = page.body[..at].rfind("href=\"").expect("its href") + 6;
    let end = start + page.body[start..].find('"').expect("its end");
    page.body[start..end].replace("&#38;", "&")
}

#[tokio::test]
async fn what_search_cannot_read_is_refused_and_odd_words_are_only_words() {
    let app = TestApp::start(URL).await;
    let (_, lisbon, _) = catalog(&app).await;

    let far = app.get("/search?date=2027-01-01", Some(&lisbon)).await;
    assert_eq!(far.status, StatusCode::BAD_REQUEST);
    assert!(far.body.contains("That day is not one this site lists"));
    let long = "a".repeat(1001);
    let too_long = app.get(&format!("/search?q={long}"), Some(&lisbon)).await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);

    for odd in [
        "%22long%22%20AND%20(light",
        "title%3Along*",
        "-long",
        "%F0%9F%8E%AC%20%E2%80%AE",
    ] {
        let page = app.get(&format!("/search?q={odd}"), Some(&lisbon)).await;
        assert_eq!(page.status, StatusCode::OK, "{odd}");
    }
    let escaped = app
        .get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E", Some(&lisbon))
        .await;
    assert!(!escaped.body.contains("<script>alert"));
    assert!(
        escaped.body.contains("&#60;script&#62;alert(1)"),
        "{}",
        escaped.body
    );
}

#[tokio::test]
async fn the_home_page_has_the_search_box_with_its_city() {
    let app = TestApp::start(URL).await;
    let (world, lisbon, _) = catalog(&app).await;
    let home = app.get("/", Some(&lisbon)).await;
    assert!(home
        .body
        .contains("<form class=\"search-box\" method=\"get\" action=\"/search\""));
    assert!(home.body.contains(&format!(
        "data-suggest-city=\"{}\" data-suggest-zone=\"Europe/Lisbon\"",
        world.city.id.0
    )));
    assert!(home.body.contains("href=\"/search\">Search</a>"));
}
