//! The back office in a real browser: headless Chromium through WebDriver, the real binary
//! on a fresh SQLite database with the demo catalog. One browser session walks through what
//! an admin does; what changed is read from the API, never from the page.
//! `scripts/screenshots` runs `screenshots` (ignored here) to redraw docs/screenshots/.

mod common;

use common::api::{shown_money, Client, PASSWORD};
use common::browser::Browser;
use fantoccini::Locator;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const ADMIN: &str = "admin@example.com";

/// `marquee admin create` in `dir`, then `serve --demo <args>` there.
fn server_with_admin(dir: &Path, args: &[&str]) -> common::Server {
    let created = common::marquee(dir)
        .args(["admin", "create", "--email", ADMIN])
        .env("MARQUEE_ADMIN_PASSWORD", PASSWORD)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("marquee admin create runs");
    assert!(created.success());
    common::serve(dir, &[&["--demo"], args].concat())
}

/// What the customer did through the API before the admin looks: a paid booking of two
/// seats and a hold of one, at the first showtime on sale in London. Its venue, and the two
/// bookings.
async fn bookings_through_the_api(address: &str) -> (String, Value, Value) {
    let mut customer = Client::new(address);
    customer.sign_up("ana@example.com").await;
    let showtime = customer.showtime_on_sale("London").await;
    let venue = customer.get(&format!("/showtimes/{showtime}")).await["venue"]["name"]
        .as_str()
        .expect("a venue")
        .to_string();
    let paid = customer.hold(&showtime, 2).await;
    let paid = customer
        .pay(paid["id"].as_str().expect("a booking id"))
        .await;
    let held = customer.hold(&showtime, 1).await;
    (venue, paid, held)
}

/// The figures of `venue`'s card on the dashboard: tickets sold, revenue, live holds.
async fn figures_of(browser: &Browser, venue: &str) -> Vec<String> {
    let card = browser
        .client
        .find(Locator::XPath(&format!(
            "//section[contains(@class, 'venue')][.//h2[normalize-space() = '{venue}']]"
        )))
        .await
        .expect("the venue's card");
    let mut figures = Vec::new();
    for figure in card.find_all(Locator::Css("dd")).await.expect("figures") {
        let text = figure.text().await.expect("text");
        figures.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    figures
}

async fn log_in(browser: &Browser, password: &str) {
    let email = browser
        .client
        .find(Locator::Id("email"))
        .await
        .expect("the email field");
    email.clear().await.expect("cleared");
    email.send_keys(ADMIN).await.expect("typed");
    browser
        .client
        .find(Locator::Id("password"))
        .await
        .expect("the password field")
        .send_keys(password)
        .await
        .expect("typed");
    browser
        .click_to_next_page("form[action='/login'] button")
        .await;
}

/// The session token the browser holds (WebDriver reads HttpOnly cookies too).
async fn session_token(browser: &Browser) -> String {
    browser
        .client
        .get_named_cookie("marquee_session")
        .await
        .expect("the session cookie")
        .value()
        .to_string()
}

async fn me_status(address: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("http://{address}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("an answer")
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_admin_logs_in_sees_today_and_logs_out_in_a_browser() {
    let dir = common::TempDir::new("browser");
    let server = server_with_admin(&dir.0, &[]);
    let address = server.address.clone();
    let (venue, paid, held) = bookings_through_the_api(&address).await;
    let browser = Browser::start(1280, 900).await;

    // The back office sends a stranger to the login page, and back after it.
    browser
        .client
        .goto(&format!("http://{address}/admin"))
        .await
        .expect("a page");
    assert_eq!(browser.path().await, "/login?next=%2Fadmin");

    // A wrong password: the error next to the form, the email as typed.
    log_in(&browser, "not the password").await;
    let error = browser
        .client
        .find(Locator::Id("login-error"))
        .await
        .expect("an error next to the form");
    assert_eq!(
        error.text().await.expect("text"),
        "The email or password is wrong."
    );
    let email = browser
        .client
        .find(Locator::Id("email"))
        .await
        .expect("email");
    assert_eq!(
        email.prop("value").await.expect("its value").as_deref(),
        Some(ADMIN)
    );

    // The right one: today at a glance, with the API's bookings in the figures.
    log_in(&browser, PASSWORD).await;
    assert_eq!(browser.path().await, "/admin");
    let figures = figures_of(&browser, &venue).await;
    let total = paid["total"].as_i64().expect("a total");
    let currency = paid["currency"].as_str().expect("a currency");
    assert_eq!(
        figures,
        [
            "2".to_string(),
            format!("{}.{:02} {currency}", total / 100, total % 100),
            "1 (1 seat)".to_string()
        ],
        "tickets sold, revenue, live holds of {venue}"
    );
    let source = browser.client.source().await.expect("the page");
    for booking in [&paid, &held] {
        let reference = booking["reference"].as_str().expect("a reference");
        assert!(
            source.contains(reference),
            "{reference} among the latest bookings"
        );
    }
    let token = session_token(&browser).await;
    assert_eq!(me_status(&address, &token).await, 200);

    // A log-out posted without its CSRF token is refused, and the session lives on.
    browser
        .client
        .execute(
            "document.querySelector(\"form[action='/logout'] input[name='csrf']\").remove()",
            vec![],
        )
        .await
        .expect("the token removed");
    browser
        .click_to_next_page("form[action='/logout'] button")
        .await;
    let refused = browser
        .client
        .find(Locator::Css("h1"))
        .await
        .expect("a heading");
    assert_eq!(refused.text().await.expect("text"), "Not allowed");
    assert_eq!(me_status(&address, &token).await, 200, "still logged in");

    // Logging out ends the session: the API no longer takes its token.
    browser
        .client
        .goto(&format!("http://{address}/admin"))
        .await
        .expect("a page");
    browser
        .click_to_next_page("form[action='/logout'] button")
        .await;
    assert_eq!(browser.path().await, "/login");
    assert_eq!(me_status(&address, &token).await, 401, "the session ended");
    browser.close().await;
}

/// The next showtime of each film on in London with seats sold and held (a customer each,
/// within the hold limits), so the bars show something.
async fn busy_london(address: &str) {
    let lister = Client::new(address);
    let events = lister.get("/events?city=London&per_page=12").await;
    let events = events["events"].as_array().expect("events").clone();
    for (n, event) in events.iter().enumerate() {
        let mut customer = Client::new(address);
        customer.sign_up(&format!("customer{n}@example.com")).await;
        let showtimes = customer
            .get(&format!("/events/{}/showtimes?city=London", event["id"]))
            .await;
        let Some(showtime) = showtimes["showtimes"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["on_sale"] == true))
        else {
            continue;
        };
        let paid = customer.hold(&showtime["id"], 2 + n as u32 % 4).await;
        customer
            .pay(paid["id"].as_str().expect("a booking id"))
            .await;
        customer.hold(&showtime["id"], 1 + n as u32 % 2).await;
    }
}

/// Draws docs/screenshots/admin-dashboard-{desktop,phone}.png,
/// admin-seat-editor-{desktop,phone}.png and admin-week-{desktop,phone}.png (run by
/// `scripts/screenshots`).
#[tokio::test]
#[ignore = "writes docs/screenshots; run by scripts/screenshots"]
async fn screenshots() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&out).expect("docs/screenshots");
    let dir = common::TempDir::new("screenshots");
    // Many customers sign up at once from here.
    let server = server_with_admin(&dir.0, &["--rate-limits", "off"]);
    let address = server.address.clone();
    busy_london(&address).await;
    for name in ["desktop", "phone"] {
        let browser = match name {
            "desktop" => Browser::start(1280, 1500).await,
            _ => Browser::phone(360, 1100).await,
        };
        browser
            .client
            .goto(&format!("http://{address}/login"))
            .await
            .expect("a page");
        log_in(&browser, PASSWORD).await;
        assert_eq!(browser.path().await, "/admin");
        let png = browser.client.screenshot().await.expect("a screenshot");
        std::fs::write(out.join(format!("admin-dashboard-{name}.png")), png).expect("written");
        // The seat-map editor on the demo's first hall, the grid's focus on a place.
        browser
            .client
            .goto(&format!("http://{address}/admin/auditoriums/1/layout"))
            .await
            .expect("a page");
        browser
            .element("[data-row='2'][data-column='3']")
            .await
            .send_keys(&char::from(fantoccini::key::Key::Right).to_string())
            .await
            .expect("focus on the grid");
        let png = browser.client.screenshot().await.expect("a screenshot");
        std::fs::write(out.join(format!("admin-seat-editor-{name}.png")), png).expect("written");
        // The first venue's week; on a phone, from its first day with showtimes.
        browser
            .client
            .goto(&format!("http://{address}/admin/venues/1/week"))
            .await
            .expect("a page");
        if name == "phone" {
            browser
                .client
                .execute(
                    "document.querySelector('.day-scroll').closest('.day').scrollIntoView()",
                    vec![],
                )
                .await
                .expect("scrolled");
        }
        let png = browser.client.screenshot().await.expect("a screenshot");
        std::fs::write(out.join(format!("admin-week-{name}.png")), png).expect("written");
        browser.close().await;
    }
}

/// The code the authenticator app would show `at`, for the key the enrolment page shows.
fn code_for(key: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let secret = marquee_store::TotpSecret(key.split_whitespace().collect());
    marquee_server::totp::code_at(&secret, ADMIN, at).expect("a code")
}

/// Clicks the grid's place at (`row`, `column`) `times` times.
async fn click_place(browser: &Browser, row: u32, column: u32, times: u32) {
    for _ in 0..times {
        browser
            .element(&format!("[data-row='{row}'][data-column='{column}']"))
            .await
            .click()
            .await
            .expect("clicked");
    }
}

/// Presses `key` on whatever has the keyboard.
async fn press(browser: &Browser, key: &str) {
    let focused = browser.client.active_element().await.expect("a focus");
    focused.send_keys(key).await.expect("a key");
}

#[tokio::test]
async fn an_owner_enrols_draws_a_hall_uploads_a_poster_and_invites_a_manager_in_a_browser() {
    let dir = common::TempDir::new("editor");
    let server = server_with_admin(&dir.0, &["--staff-mfa", "required"]);
    let address = server.address.clone();
    let browser = Browser::start(1280, 1000).await;
    let page = |path: &str| format!("http://{address}{path}");

    // Owing an authenticator, the owner is sent to enrol it, and enrols with the app's code.
    browser.client.goto(&page("/login")).await.expect("a page");
    log_in(&browser, PASSWORD).await;
    assert_eq!(browser.path().await, "/admin/totp");
    let key = browser
        .element("#totp-secret")
        .await
        .text()
        .await
        .expect("the key");
    browser
        .type_into("#code", &code_for(&key, chrono::Utc::now()))
        .await;
    browser
        .click_to_next_page("form[action='/admin/totp'] button")
        .await;
    let codes = browser
        .client
        .find_all(Locator::Css("#recovery-codes li"))
        .await
        .expect("recovery codes");
    assert_eq!(codes.len(), marquee_server::totp::RECOVERY_CODES);
    browser
        .click_to_next_page("form[action='/logout'] button")
        .await;

    // Logging in again takes a code (the next one: the enrolment's cannot be used twice).
    log_in(&browser, PASSWORD).await;
    browser.type_into("#password", PASSWORD).await;
    let next = chrono::Utc::now() + chrono::Duration::seconds(30);
    browser.type_into("#code", &code_for(&key, next)).await;
    browser
        .click_to_next_page("form[action='/login'] button")
        .await;
    assert_eq!(browser.path().await, "/admin");

    // A venue in the demo's first city, and a hall of three rows to draw from.
    browser
        .client
        .goto(&page("/admin/venues"))
        .await
        .expect("a page");
    browser.type_into("#venue-name", "Cinema <Browser>").await;
    browser.type_into("#venue-address", "1 Test Street").await;
    browser
        .click_to_next_page("form[action='/admin/venues'] button")
        .await;
    let venue_path = browser.path().await;
    assert!(venue_path.starts_with("/admin/venues/"), "{venue_path}");
    browser.type_into("#hall-name", "Screen 9").await;
    browser
        .click_to_next_page("form[action$='/auditoriums'] button")
        .await;
    let editor_path = browser.path().await;
    let hall: i64 = editor_path
        .trim_start_matches("/admin/auditoriums/")
        .trim_end_matches("/layout")
        .parse()
        .expect("the hall's id");

    // Six rows; an aisle down the fifth place, keyed; two wheelchair spaces with companion
    // seats at the back, clicked.
    for _ in 0..3 {
        browser
            .element("[data-action='add-row']")
            .await
            .click()
            .await
            .expect("a row added");
    }
    browser
        .element("[data-row='0'][data-column='4']")
        .await
        .send_keys(" ")
        .await
        .expect("Space");
    for _ in 1..6 {
        press(
            &browser,
            &char::from(fantoccini::key::Key::Down).to_string(),
        )
        .await;
        press(
            &browser,
            &char::from(fantoccini::key::Key::Enter).to_string(),
        )
        .await;
    }
    click_place(&browser, 5, 0, 2).await;
    click_place(&browser, 5, 1, 3).await;
    click_place(&browser, 5, 7, 2).await;
    click_place(&browser, 5, 6, 3).await;
    let expected = "A  ssss.sss\nB  ssss.sss\nC  ssss.sss\nD  ssss.sss\nE  ssss.sss\nF  wcss.scw";
    let text = browser
        .element("#layout")
        .await
        .prop("value")
        .await
        .expect("the text");
    assert_eq!(text.as_deref(), Some(expected));

    // The live preview (drawn by the server) follows, then the layout is saved.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let summary = browser
            .element("#layout-preview")
            .await
            .text()
            .await
            .unwrap_or_default();
        if summary.contains("42 seats in 6 rows") && summary.contains("2 wheelchair spaces") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the preview: {summary}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    browser
        .click_to_next_page("form[action$='/layout'] button")
        .await;

    // What was saved, read through the API.
    let mut api = Client::new(&address);
    api.token = Some(session_token(&browser).await);
    let saved = api.get(&format!("/admin/auditoriums/{hall}")).await;
    assert_eq!(saved["layout"], expected);
    assert_eq!(
        (saved["layout_version"].as_u64(), saved["capacity"].as_u64()),
        (Some(2), Some(42))
    );

    // A film added, and its poster uploaded through the page's form.
    browser
        .client
        .goto(&page("/admin/films"))
        .await
        .expect("a page");
    browser.type_into("#film-title", "The Long Light").await;
    browser.type_into("#film-language", "en").await;
    browser.type_into("#film-runtime", "104").await;
    browser
        .click_to_next_page("form[action='/admin/films'] button")
        .await;
    let film: i64 = browser
        .path()
        .await
        .trim_start_matches("/admin/films/")
        .parse()
        .expect("the film's id");
    let poster = dir.0.join("poster.png");
    std::fs::write(&poster, ONE_PIXEL_PNG).expect("a poster file");
    browser
        .element("#poster")
        .await
        .send_keys(&poster.display().to_string())
        .await
        .expect("a file chosen");
    browser
        .click_to_next_page("form[action$='/poster'] button")
        .await;
    let events = api.get("/admin/events?per_page=100").await;
    let stored = events["events"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["id"] == film))
        .expect("the film through the API")
        .clone();
    let url = stored["poster_url"].as_str().expect("a poster URL");
    let image = reqwest::get(format!("http://{address}{url}"))
        .await
        .expect("the poster");
    assert_eq!(
        image.bytes().await.expect("its bytes").as_ref(),
        ONE_PIXEL_PNG
    );

    // A manager invited on the page takes the invitation up, enrols and reaches today's page.
    browser
        .client
        .goto(&page("/admin/staff"))
        .await
        .expect("a page");
    browser.type_into("#invite-email", "sam@example.com").await;
    let role = browser.element("#invite-role").await;
    role.select_by_value("manager").await.expect("a role");
    browser
        .element("input[name='venue_ids']")
        .await
        .click()
        .await
        .expect("a venue");
    browser
        .click_to_next_page("form[action='/admin/staff'] button")
        .await;
    let link = browser
        .element("#invite-url")
        .await
        .text()
        .await
        .expect("the link");
    browser
        .click_to_next_page("form[action='/logout'] button")
        .await;
    browser.client.goto(&link).await.expect("the invitation");
    assert_eq!(
        browser
            .element("#invited-email")
            .await
            .text()
            .await
            .expect("text"),
        "sam@example.com"
    );
    browser.type_into("#password", PASSWORD).await;
    browser
        .click_to_next_page("form[action^='/admin/join/'] button")
        .await;
    browser.type_into("#email", "sam@example.com").await;
    browser.type_into("#password", PASSWORD).await;
    browser
        .click_to_next_page("form[action='/login'] button")
        .await;
    assert_eq!(browser.path().await, "/admin/totp");
    let key = browser
        .element("#totp-secret")
        .await
        .text()
        .await
        .expect("the key");
    let secret = marquee_store::TotpSecret(key.split_whitespace().collect());
    let code = marquee_server::totp::code_at(&secret, "sam@example.com", chrono::Utc::now())
        .expect("a code");
    browser.type_into("#code", &code).await;
    browser
        .click_to_next_page("form[action='/admin/totp'] button")
        .await;
    browser.click_to_next_page("a[href='/admin']").await;
    assert_eq!(browser.path().await, "/admin");
    assert_eq!(
        browser.element("h1").await.text().await.expect("text"),
        "Today at a glance"
    );
    browser.close().await;
}

/// Sets a form field's value as a script would: Chromium's date inputs take typed keys in
/// the locale's order, which a test should not depend on.
async fn set_value(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1]",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

#[tokio::test]
async fn an_owner_schedules_a_week_on_the_form_sees_it_on_the_week_and_customers_find_it() {
    let dir = common::TempDir::new("schedule");
    let server = server_with_admin(&dir.0, &[]);
    let address = server.address.clone();
    let browser = Browser::start(1280, 1000).await;
    let page = |path: &str| format!("http://{address}{path}");
    browser.client.goto(&page("/login")).await.expect("a page");
    log_in(&browser, PASSWORD).await;

    // From the first venue's page to its schedule form, for the week three weeks on, when the
    // demo has nothing on.
    browser
        .client
        .goto(&page("/admin/venues/1"))
        .await
        .expect("a page");
    browser
        .click_to_next_page("a[href='/admin/venues/1/schedule']")
        .await;
    // The form starts from the venue's today.
    let today: chrono::NaiveDate = browser
        .element("#schedule-from")
        .await
        .prop("value")
        .await
        .expect("a value")
        .expect("today")
        .parse()
        .expect("a date");
    let monday = marquee_server::scheduling::monday_of(today) + chrono::Days::new(21);
    let sunday = monday + chrono::Days::new(6);
    let film = browser.element("#schedule-film option:nth-child(2)").await;
    let film_id = film.attr("value").await.expect("a value").expect("an id");
    let title = film.text().await.expect("its title");
    let title = title
        .rsplit_once(" (")
        .map_or(title.as_str(), |(t, _)| t)
        .to_string();
    browser
        .element("#schedule-film")
        .await
        .select_by_value(&film_id)
        .await
        .expect("a film");
    browser.type_into("#schedule-times", "10:15, 13:45").await;
    set_value(&browser, "#schedule-from", &monday.to_string()).await;
    set_value(&browser, "#schedule-to", &sunday.to_string()).await;
    browser.type_into("#schedule-format", "IMAX").await;
    browser
        .element("input[name='access'][value='audio_described']")
        .await
        .click()
        .await
        .expect("a tag");
    browser
        .click_to_next_page("form[action='/admin/venues/1/schedule'] button")
        .await;

    // The week of the new showtimes, each a block in its hall's column.
    assert_eq!(
        browser.path().await,
        format!("/admin/venues/1/week?week={monday}&scheduled=14")
    );
    assert_eq!(
        browser
            .element("p.notice")
            .await
            .text()
            .await
            .expect("text"),
        "14 showtimes scheduled."
    );
    let mut shown = 0;
    for block in browser
        .client
        .find_all(Locator::Css("a.slot"))
        .await
        .expect("blocks")
    {
        let label = block
            .attr("aria-label")
            .await
            .expect("a label")
            .unwrap_or_default();
        assert!(
            label.contains(&title) && label.contains("IMAX, Audio described"),
            "{label}"
        );
        shown += 1;
    }
    assert_eq!(shown, 14);
    let first_hall = browser
        .element(".day-grid .hall-head")
        .await
        .text()
        .await
        .expect("a hall");
    let lane = browser.element(".day-grid .lane").await;
    assert!(lane
        .attr("aria-label")
        .await
        .expect("a label")
        .unwrap_or_default()
        .starts_with(&first_hall));
    assert_eq!(
        lane.find_all(Locator::Css("a.slot"))
            .await
            .expect("blocks")
            .len(),
        2
    );

    // A customer finds them through the public API: the film's showtimes in London with an
    // audio description (the demo's have no tags).
    let customer = Client::new(&address);
    let found = customer
        .get(&format!(
            "/events/{film_id}/showtimes?city=London&access=audio_described"
        ))
        .await;
    let found = found["showtimes"].as_array().expect("showtimes").clone();
    assert_eq!(found.len(), 14, "{found:?}");
    for showtime in &found {
        let local = showtime["starts_at_local"].as_str().expect("a start");
        let day: chrono::NaiveDate = local[..10].parse().expect("a date");
        assert!((monday..=sunday).contains(&day), "{local}");
        assert!(
            local[11..16] == *"10:15" || local[11..16] == *"13:45",
            "{local}"
        );
        assert_eq!(showtime["format"], "IMAX");
        assert_eq!(showtime["venue"]["id"], 1);
        assert_eq!(showtime["on_sale"], true);
    }
    browser.close().await;
}

/// A 1x1 PNG: a poster as small as they come.
const ONE_PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The door's scanner on a phone: a ticket's code typed in admits its seat, once; the same
/// code again is refused with when and by whom it was admitted. Read back through the page and
/// the database's record of it (`GET /bookings/{id}` does not show admissions, so the second
/// refusal is the proof the first was stored). Then the showtime's page counts the door, and
/// counts a second admission from another scanner without being reloaded.
#[tokio::test]
async fn an_usher_checks_a_ticket_in_once_on_the_scanner_page() {
    let dir = common::TempDir::new("browser-checkin");
    let server = server_with_admin(&dir.0, &[]);
    let address = server.address.clone();
    // A paid booking for a showtime the admin schedules to start within the hour (the doors
    // open three hours before).
    let showtime = showtime_starting_soon(&address).await;
    let mut customer = Client::new(&address);
    customer.sign_up("ana@example.com").await;
    let booking = customer.hold(&showtime, 2).await;
    let paid = customer
        .pay(booking["id"].as_str().expect("a booking id"))
        .await;
    let code = paid["tickets"][0]["code"]
        .as_str()
        .expect("a ticket")
        .to_string();
    let seat = paid["tickets"][0]["seat"]
        .as_str()
        .expect("a seat")
        .to_string();

    let browser = Browser::phone(390, 900).await;
    browser
        .client
        .goto(&format!("http://{address}/admin/checkin"))
        .await
        .expect("a page");
    log_in(&browser, PASSWORD).await;
    assert_eq!(browser.path().await, "/admin/checkin");
    browser.type_into("#code", &code).await;
    browser
        .click_to_next_page("form.scanner button[type='submit']")
        .await;
    let admitted = browser
        .element(".admit h2")
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(admitted, format!("✓ Admit: seat {seat}"));
    browser.type_into("#code", &code).await;
    browser
        .click_to_next_page("form.scanner button[type='submit']")
        .await;
    let refused = browser
        .element(".refuse p")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        refused.starts_with("Already admitted at") && refused.contains(ADMIN),
        "{refused}"
    );

    // The showtime's page counts the door, and counts on as another scanner admits.
    browser
        .client
        .goto(&format!("http://{address}/admin/showtimes/{showtime}"))
        .await
        .expect("a page");
    let door = |admitted: &str| {
        format!(
            "return document.getElementById('door-admitted').textContent === '{admitted}' \
             && document.getElementById('door-sold').textContent === '2';"
        )
    };
    browser
        .until(&door("1"), Duration::from_secs(5), "1 of 2 admitted")
        .await;
    let mut usher = Client::new(&address);
    usher.log_in(ADMIN).await;
    let second = paid["tickets"][1]["code"]
        .as_str()
        .expect("a second ticket");
    usher
        .post("/checkin", serde_json::json!({ "code": second }))
        .await;
    browser
        .until(
            &door("2"),
            Duration::from_secs(15),
            "the second admission counted without a reload",
        )
        .await;
    browser.close().await;
}

/// A showtime the admin schedules (through the API) to start in half an hour, in a new hall of
/// the demo's first venue (its own halls are busy with the demo's showtimes).
async fn showtime_starting_soon(address: &str) -> Value {
    let mut admin = Client::new(address);
    admin.log_in(ADMIN).await;
    let event = admin.get("/events?city=London").await["events"][0]["id"].clone();
    let venue = admin.get("/admin/venues").await["venues"][0]["id"].clone();
    let hall = admin
        .post(
            &format!("/admin/venues/{venue}/auditoriums"),
            serde_json::json!({ "name": "Screen by the door", "layout": "A  ssssss" }),
        )
        .await;
    let starts = chrono::Utc::now() + chrono::Duration::minutes(30);
    let made = admin
        .post(
            "/admin/showtimes",
            serde_json::json!({
                "event_id": event,
                "auditorium_id": hall["id"],
                "starts_at": starts.to_rfc3339(),
                "format": "2D",
            }),
        )
        .await;
    made["id"].clone()
}

/// A manager moves a showtime that has sales on its page, with a reason; its customer opens
/// the link of the letter, finds the page clean for axe at phone and desktop widths (and
/// drawn in docs/screenshots when `MARQUEE_SCREENSHOTS` is set), and keeps the new time.
#[tokio::test]
async fn a_showtime_moved_in_the_back_office_is_kept_by_its_customer() {
    let dir = common::TempDir::new("browser-moved");
    let server = server_with_admin(&dir.0, &[]);
    let address = server.address.clone();
    let mut ana = Client::new(&address);
    ana.sign_up("ana@example.com").await;
    let showtime = ana.showtime_on_sale("London").await;
    let paid = ana.hold(&showtime, 2).await;
    let booking = paid["id"].as_str().expect("a booking").to_string();
    ana.pay(&booking).await;

    let admin = Browser::start(1280, 900).await;
    admin
        .client
        .goto(&format!("http://{address}/admin/showtimes/{showtime}"))
        .await
        .expect("a page");
    log_in(&admin, PASSWORD).await;
    assert_eq!(admin.path().await, format!("/admin/showtimes/{showtime}"));
    // Three weeks on, late: a day the demo has not scheduled.
    admin
        .client
        .execute(
            "document.getElementById('move-date').value = \
             new Date(Date.now() + 21 * 864e5).toISOString().slice(0, 10);\
             document.getElementById('move-time').value = '21:30';",
            vec![],
        )
        .await
        .expect("the new date");
    admin
        .type_into("#move-reason", "the projector is being repaired")
        .await;
    admin
        .click_to_next_page(&format!(
            "form[action='/admin/showtimes/{showtime}'] button.primary"
        ))
        .await;
    assert_eq!(admin.path().await, format!("/admin/showtimes/{showtime}"));
    admin.close().await;
    let moved = ana.get(&format!("/bookings/{booking}")).await;
    assert_eq!(
        moved["moved"]["reason"], "the projector is being repaired",
        "{moved}"
    );

    let shots = std::env::var_os("MARQUEE_SCREENSHOTS").is_some();
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    for (name, width) in [("desktop", 1280), ("phone", 390)] {
        let browser = match name {
            "desktop" => Browser::start(width, 1100).await,
            _ => Browser::phone(width, 1500).await,
        };
        browser
            .client
            .goto(&format!("http://{address}/login"))
            .await
            .expect("the login page");
        browser.type_into("#email", "ana@example.com").await;
        browser.type_into("#password", PASSWORD).await;
        browser
            .click_to_next_page("form[action='/login'] button")
            .await;
        browser
            .client
            .goto(&format!("http://{address}/bookings/{booking}/moved"))
            .await
            .expect("the moved page");
        browser
            .assert_accessible(&format!("the moved page ({name})"))
            .await;
        if shots {
            let png = browser.client.screenshot().await.expect("a screenshot");
            std::fs::write(out.join(format!("booking-moved-{name}.png")), png).expect("written");
        }
        if name == "phone" {
            browser
                .click_to_next_page(&format!(
                    "form[action='/bookings/{booking}/moved/keep'] button"
                ))
                .await;
            assert_eq!(browser.path().await, format!("/bookings/{booking}?kept=1"));
        }
        browser.close().await;
    }
    let kept = ana.get(&format!("/bookings/{booking}")).await;
    assert_eq!(kept["moved"]["answer"], "kept");
}

/// The box office at desktop and phone widths: the owner finds a customer's paid booking of
/// two seats by its reference (typed, Enter), opens it, refunds one seat with a reason (typed,
/// Enter) and sees the refund listed as the API has it; then opens the mail page and reads the
/// booking's letters, the refund's among them. axe-core finds nothing serious or critical on
/// the search results, the booking with its refund form and after the refund, and the mail.
#[tokio::test]
async fn the_box_office_finds_a_booking_refunds_a_seat_and_reads_its_letters() {
    let dir = common::TempDir::new("browser-box-office");
    let server = server_with_admin(&dir.0, &[]);
    let address = server.address.clone();
    for (name, width) in [("desktop", 1280), ("phone", 390)] {
        let email = format!("{name}@example.com");
        let mut customer = Client::new(&address);
        customer.sign_up(&email).await;
        let showtime = customer.showtime_on_sale("London").await;
        let held = customer.hold(&showtime, 2).await;
        let booking = held["id"].as_str().expect("a booking").to_string();
        let paid = customer.pay(&booking).await;
        let reference = paid["reference"].as_str().expect("a reference");
        let seats: Vec<String> = serde_json::from_value(paid["seats"].clone()).expect("the seats");
        let [kept, refunded] = &seats[..] else {
            panic!("two seats: {seats:?}")
        };

        let browser = match name {
            "desktop" => Browser::start(width, 1100).await,
            _ => Browser::phone(width, 1500).await,
        };
        browser
            .client
            .goto(&format!("http://{address}/admin/bookings"))
            .await
            .expect("a page");
        log_in(&browser, PASSWORD).await;
        assert_eq!(browser.path().await, "/admin/bookings");

        // An email with no booking finds none, said in the table.
        browser.type_into("#bookings-q", "nobody@example.com").await;
        browser
            .press_to_next_page(fantoccini::key::Key::Enter)
            .await;
        assert_eq!(
            browser.text_of("main tbody td.none").await,
            "No booking of your venues has that reference, email or ticket code."
        );
        browser
            .assert_accessible(&format!("no booking found ({name})"))
            .await;

        // Found by its reference: one row, the customer's, with its seats.
        browser.type_into("#bookings-q", reference).await;
        browser
            .press_to_next_page(fantoccini::key::Key::Enter)
            .await;
        assert_eq!(
            browser.path().await,
            format!("/admin/bookings?q={reference}")
        );
        let rows = browser
            .rows(
                "[...document.querySelectorAll('main tbody tr')]\
               .map((tr) => [...tr.children].map((c) => c.textContent.trim()))",
            )
            .await;
        let [row] = &rows[..] else {
            panic!("one booking found ({name}): {rows:?}")
        };
        assert_eq!(
            (&row[0], &row[1], &row[4], row[5].to_lowercase()),
            (
                &reference.to_string(),
                &email,
                &seats.join(", "),
                paid["status"].as_str().expect("a status").to_string()
            ),
            "reference, customer, seats, status: {row:?}"
        );
        browser
            .assert_accessible(&format!("the bookings found ({name})"))
            .await;

        // Its page, with the refund form: every live seat ticked.
        let page = format!("/admin/bookings/{booking}");
        browser
            .click_to_next_page(&format!("a[href='{page}']"))
            .await;
        assert_eq!(browser.path().await, page);
        let ticked = browser
            .read(
                "[...document.querySelectorAll(\"input[name='seats']\")]\
                   .map((b) => [b.value, b.checked])",
            )
            .await;
        assert_eq!(ticked, serde_json::json!([[kept, true], [refunded, true]]));
        let details = browser
            .rows(
                "[...document.querySelectorAll('dl.details > div')]\
               .map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])",
            )
            .await;
        assert!(
            details.contains(&vec!["Customer".to_string(), email.clone()]),
            "{details:?}"
        );
        browser
            .assert_accessible(&format!("a booking with its refund form ({name})"))
            .await;

        // One seat refunded, with a reason.
        let reason = format!("seat {refunded} is broken ({name})");
        browser
            .element(&format!("input[name='seats'][value='{kept}']"))
            .await
            .click()
            .await
            .expect("unticked");
        browser.type_into("#refund-reason", &reason).await;
        browser
            .press_to_next_page(fantoccini::key::Key::Enter)
            .await;
        assert_eq!(browser.path().await, format!("{page}?refunded=1"));
        let read = customer.get(&format!("/bookings/{booking}")).await;
        let cancellations = read["cancellations"].as_array().expect("cancellations");
        assert_eq!(cancellations.len(), 1, "{read}");
        let cancelled = &cancellations[0];
        assert_eq!(cancelled["seats"], serde_json::json!([refunded]));
        let why = cancelled["why"].as_str().expect("why");
        assert!(why.contains(&reason), "{why}");
        let refund = shown_money(&cancelled["refund"], &read["currency"]);
        let listed = browser
            .strings(
                "[...document.querySelectorAll('ul.refunds > li')]\
                   .map((li) => li.textContent.trim())",
            )
            .await;
        let [listed] = &listed[..] else {
            panic!("one refund listed: {listed:?}")
        };
        assert!(
            listed.starts_with(&format!("Seat {refunded}: {refund}, "))
                && listed.ends_with(&format!("({why})")),
            "{name}: {listed}"
        );
        let states = browser
            .rows(
                "[...document.querySelectorAll('main table tbody tr')]\
               .map((tr) => [...tr.children].map((c) => c.textContent))",
            )
            .await;
        let states: Vec<(&str, &str)> = states
            .iter()
            .map(|row| (row[0].as_str(), row[2].as_str()))
            .collect();
        assert_eq!(
            states,
            [(kept.as_str(), "valid"), (refunded.as_str(), "cancelled")]
        );
        browser
            .assert_accessible(&format!("a booking after a refund ({name})"))
            .await;

        // The mail page: the booking's letters (their subjects name its reference) reach the
        // mailbox within a few seconds, the refund's among them.
        browser
            .client
            .goto(&format!("http://{address}/admin/mail"))
            .await
            .expect("the mail page");
        let letters_js = format!(
            "[...document.querySelectorAll('table.mailbox tbody tr')]\
               .filter((tr) => tr.querySelector('summary')?.textContent.includes('({reference})'))\
               .map((tr) => [tr.children[1].textContent, tr.children[3].textContent])"
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let letters = loop {
            let letters = browser.rows(&letters_js).await;
            if letters.iter().any(|l| l[1] == "booking_cancelled") {
                break letters;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the refund's letter in the mailbox ({name}): {letters:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            browser.client.refresh().await.expect("reloaded");
        };
        // (A reminder may come too, when the showtime starts within a few hours.)
        let kinds: Vec<&str> = letters.iter().map(|l| l[1].as_str()).collect();
        assert!(
            kinds.contains(&"booking_confirmed") && kinds.contains(&"booking_cancelled"),
            "{kinds:?}"
        );
        assert!(letters.iter().all(|l| l[0] == email), "{letters:?}");
        // The refund's letter opened: it names the seat, the reason and the reference.
        let row = format!(
            "//table[contains(@class, 'mailbox')]//tr[td/code = 'booking_cancelled']\
             [.//summary[contains(., '({reference})')]]"
        );
        browser
            .client
            .find(Locator::XPath(&format!("{row}//summary")))
            .await
            .expect("the refund's letter")
            .click()
            .await
            .expect("opened");
        let text = browser
            .client
            .find(Locator::XPath(&format!("{row}//pre")))
            .await
            .expect("its text")
            .text()
            .await
            .expect("text");
        assert!(
            text.contains(&format!("Seat {refunded} of your booking"))
                && text.contains(&reason)
                && text.contains(&format!("Booking reference: {reference}.")),
            "{text}"
        );
        browser
            .assert_accessible(&format!("the mail page ({name})"))
            .await;
        browser.close().await;
    }
}
