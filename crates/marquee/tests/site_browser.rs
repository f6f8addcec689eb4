//! The customer site's browsing and account pages in real headless Chromium: the real binary
//! with `--demo` on a fresh SQLite database. A new person finds a film from the home page,
//! signs up on the way and comes back to it, and finds their bookings under My bookings; axe-core
//! checks each page. `scripts/screenshots` runs `site_screenshots` (ignored here) to draw them
//! into docs/screenshots/.

mod common;

use common::api::{Client, PASSWORD};
use common::browser::Browser;
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// The id of the demo's London.
async fn london(api: &Client) -> Value {
    let cities = api.get("/cities").await;
    cities["cities"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == "London"))
        .expect("London")["id"]
        .clone()
}

async fn goto(browser: &Browser, address: &str, path: &str) {
    browser
        .client
        .goto(&format!("http://{address}{path}"))
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
}

async fn fill(browser: &Browser, fields: &[(&str, &str)]) {
    for (id, text) in fields {
        browser
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .send_keys(text)
            .await
            .expect("typed");
    }
}

/// What a new person does, on a phone: the home page in London, a film from it, sign-up from
/// the film's page and back to it, a hold and a payment (through the API, with the session the
/// browser holds), My bookings; and axe-core finds nothing serious or critical on the home
/// page, a film, sign-up, a forgotten password and My bookings, at phone and desktop widths.
#[tokio::test]
async fn a_new_person_browses_signs_up_and_finds_their_bookings() {
    let dir = common::TempDir::new("site-browser");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let lister = Client::new(&address);
    let london = london(&lister).await;

    let browser = Browser::phone(390, 900).await;
    goto(&browser, &address, &format!("/?city={london}")).await;
    assert_eq!(browser.text_of("h1").await, "What's on in London");
    browser.assert_accessible("the home page").await;
    // The city is remembered: the home page again, without asking.
    goto(&browser, &address, "/").await;
    assert_eq!(browser.text_of("h1").await, "What's on in London");

    // Tomorrow, from its link: late in the evening today's showings have all begun.
    browser.click_to_next_page(".days li:nth-child(2) a").await;
    assert!(
        browser.path().await.contains("date="),
        "{}",
        browser.path().await
    );
    let title = browser.text_of(".film-card h2 a").await;
    browser.click_to_next_page(".film-card h2 a").await;
    let film_path = browser
        .client
        .current_url()
        .await
        .expect("a URL")
        .path()
        .to_string();
    assert!(film_path.starts_with("/films/"), "{film_path}");
    assert_eq!(browser.text_of("h1").await, title);
    assert_eq!(
        browser.text_of("#showings-heading").await,
        "Showtimes in London"
    );
    browser.assert_accessible("a film").await;

    goto(&browser, &address, &format!("/signup?next={film_path}")).await;
    browser.assert_accessible("sign-up").await;
    fill(
        &browser,
        &[
            ("email", "new.person@example.com"),
            ("password", PASSWORD),
            ("password-again", PASSWORD),
        ],
    )
    .await;
    browser
        .click_to_next_page("form[action='/signup'] button")
        .await;
    let back = browser.client.current_url().await.expect("a URL");
    assert_eq!(back.path(), film_path, "back to the film after signing up");
    assert_eq!(
        browser.text_of(".account .who").await,
        "new.person@example.com"
    );

    // The browser's session is the API's token too.
    let token = browser
        .client
        .get_named_cookie("marquee_session")
        .await
        .expect("the session cookie")
        .value()
        .to_string();
    let mut api = Client::new(&address);
    api.token = Some(token);
    let showtime = api.showtime_on_sale("London").await;
    let paid = api.hold(&showtime, 2).await;
    api.pay(paid["id"].as_str().expect("a booking id")).await;
    api.hold(&showtime, 1).await;

    goto(&browser, &address, "/bookings").await;
    let list = browser.text_of(".booking-list").await;
    assert!(list.contains("Confirmed"), "{list}");
    assert!(list.contains("Seats held"), "{list}");
    browser.assert_accessible("My bookings").await;
    goto(&browser, &address, "/password/reset").await;
    browser.assert_accessible("a forgotten password").await;
    browser.close().await;

    let desktop = Browser::start(1280, 1000).await;
    for path in [format!("/?city={london}"), film_path.clone()] {
        goto(&desktop, &address, &path).await;
        desktop.assert_accessible(&path).await;
    }
    desktop.close().await;
}

/// The search box on the home page suggests titles as one types, and the keyboard alone
/// chooses one (Down, Enter) or closes the list (Escape); the search page finds a mistyped
/// title and its chips filter. axe-core finds nothing serious or critical with the list open
/// and on the results, at phone and desktop widths.
#[tokio::test]
async fn a_search_is_typed_ahead_chosen_with_the_keyboard_and_filtered_by_chips() {
    let dir = common::TempDir::new("site-search");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let lister = Client::new(&address);
    let london = london(&lister).await;
    let listed = lister.get("/events?city=London").await;
    let title = listed["events"][0]["title"]
        .as_str()
        .expect("a title")
        .to_string();
    let typed: String = title.chars().take(8).collect();

    for browser in [
        Browser::phone(390, 900).await,
        Browser::start(1280, 1000).await,
    ] {
        goto(&browser, &address, &format!("/?city={london}")).await;
        browser.element("#q").await.click().await.expect("the box");
        browser.type_into("#q", &typed).await;
        browser
            .until(
                "return document.querySelectorAll('#q-suggestions [role=option]').length > 0 \
                 && document.querySelector('#q').getAttribute('aria-expanded') === 'true'",
                Duration::from_secs(10),
                "suggestions",
            )
            .await;
        let first = browser.text_of("#q-suggestions [role=option] .title").await;
        let offered = browser.text_of("#q-suggestions").await;
        assert!(offered.contains(&title), "{title} among {offered}");
        browser
            .assert_accessible("the home page with suggestions")
            .await;
        // Escape closes the list; typing again opens it; Down chooses, Enter opens.
        browser.press(Key::Escape).await;
        browser
            .until(
                "return document.querySelector('#q-suggestions').hidden",
                Duration::from_secs(5),
                "closed",
            )
            .await;
        browser.press(Key::Backspace).await;
        browser.type_into("#q", &typed).await;
        browser
            .until(
                "return !document.querySelector('#q-suggestions').hidden",
                Duration::from_secs(10),
                "open again",
            )
            .await;
        browser.press(Key::Down).await;
        browser
            .until(
                "return document.querySelector('#q').getAttribute('aria-activedescendant') \
                 === 'q-suggestions-0'",
                Duration::from_secs(5),
                "the first chosen",
            )
            .await;
        browser.press(Key::Enter).await;
        browser
            .until(
                "return location.pathname.startsWith('/films/') \
                 && document.readyState === 'complete'",
                Duration::from_secs(10),
                "the film's page",
            )
            .await;
        assert_eq!(browser.text_of("h1").await, first);

        // A mistyped word on the search page, then a chip.
        let word = title
            .split(' ')
            .find(|w| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
            .unwrap_or(&title);
        let mut letters: Vec<char> = word.chars().collect();
        letters.swap(1, 2);
        let mistyped: String = letters.into_iter().collect();
        goto(&browser, &address, &format!("/search?q={mistyped}")).await;
        let cards = browser.text_of(".film-cards").await;
        assert!(cards.contains(&title), "{mistyped}: {cards}");
        browser.assert_accessible("search results").await;
        goto(&browser, &address, "/search").await;
        let everything = browser.text_of(".found").await;
        browser.click_to_next_page(".chips-row .chip").await;
        assert!(
            browser.path().await.contains("genre="),
            "{}",
            browser.path().await
        );
        assert_ne!(browser.text_of(".found").await, everything);
        assert!(browser.text_of(".chip-on").await.contains('×'));
        browser.assert_accessible("a filtered search").await;
        browser.close().await;
    }
}

async fn shoot(browser: &Browser, out: &Path, name: &str) {
    let png = browser.client.screenshot().await.expect("a screenshot");
    std::fs::write(out.join(name), png).expect("written");
}

/// Draws docs/screenshots/site-{home,film,signup,password-reset,search,typeahead,my-bookings}-
/// {desktop,phone}.png
/// (run by `scripts/screenshots`).
#[tokio::test]
#[ignore = "writes docs/screenshots; run by scripts/screenshots"]
async fn site_screenshots() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&out).expect("docs/screenshots");
    let dir = common::TempDir::new("site-screenshots");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let mut customer = Client::new(&address);
    customer.sign_up("ana@example.com").await;
    let showtime = customer.showtime_on_sale("London").await;
    let paid = customer.hold(&showtime, 2).await;
    customer
        .pay(paid["id"].as_str().expect("a booking id"))
        .await;
    customer.hold(&showtime, 1).await;
    let film = customer.get("/events?city=London").await["events"][0]["id"].clone();
    let london = london(&customer).await;

    for name in ["desktop", "phone"] {
        let browser = match name {
            "desktop" => Browser::start(1280, 1400).await,
            _ => Browser::phone(390, 1000).await,
        };
        for (path, shot) in [
            (format!("/?city={london}"), "home"),
            (format!("/films/{film}"), "film"),
            ("/signup".to_string(), "signup"),
            ("/password/reset".to_string(), "password-reset"),
            ("/search?q=the".to_string(), "search"),
        ] {
            goto(&browser, &address, &path).await;
            shoot(&browser, &out, &format!("site-{shot}-{name}.png")).await;
        }
        // Type-ahead open, the second suggestion chosen.
        goto(&browser, &address, &format!("/?city={london}")).await;
        browser.element("#q").await.click().await.expect("the box");
        browser.type_into("#q", "the").await;
        browser
            .until(
                "return !document.querySelector('#q-suggestions').hidden",
                Duration::from_secs(10),
                "suggestions",
            )
            .await;
        browser.press(Key::Down).await;
        browser.press(Key::Down).await;
        shoot(&browser, &out, &format!("site-typeahead-{name}.png")).await;
        goto(&browser, &address, "/login?next=/bookings").await;
        fill(
            &browser,
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        )
        .await;
        browser
            .click_to_next_page("form[action='/login'] button")
            .await;
        shoot(&browser, &out, &format!("site-my-bookings-{name}.png")).await;
        browser.close().await;
    }
}
