//! The customer site in a real browser: headless Chromium through WebDriver, the real binary
//! on a fresh SQLite database with the demo catalog. People choose seats on the live seat
//! map, hold them, pay on the sandbox's test page and get their tickets; what changed is read
//! from the API, never only from the page.

mod common;

use common::api::{shown_money, Client, PASSWORD};
use common::browser::Browser;
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A customer with an account (made through the API), logged in through the login page in a
/// new browser; and their API client.
async fn customer(address: &str, email: &str) -> (Browser, Client) {
    customer_in(Browser::start(1280, 1100).await, address, email).await
}

/// `customer`, in `browser`.
async fn customer_in(browser: Browser, address: &str, email: &str) -> (Browser, Client) {
    let mut api = Client::new(address);
    api.sign_up(email).await;
    browser
        .client
        .goto(&format!("http://{address}/login"))
        .await
        .expect("the login page");
    browser.type_into("#email", email).await;
    browser.type_into("#password", PASSWORD).await;
    browser
        .click_to_next_page("form[action='/login'] button")
        .await;
    (browser, api)
}

/// Waits (at most `within`) until the browser is at a path `wanted` accepts; that path.
async fn wait_for_path(
    browser: &Browser,
    wanted: impl Fn(&str) -> bool,
    within: Duration,
    what: &str,
) -> String {
    let deadline = Instant::now() + within;
    loop {
        let path = browser.path().await;
        if wanted(&path) {
            return path;
        }
        assert!(Instant::now() < deadline, "{what}: still at {path}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the seat `label`'s checkbox is disabled (taken) on the page.
fn taken(label: &str) -> String {
    format!("return document.getElementById('seat-{label}').disabled")
}

fn free(label: &str) -> String {
    format!("return !document.getElementById('seat-{label}').disabled")
}

async fn open_seats(browser: &Browser, address: &str, showtime: &Value) {
    browser
        .client
        .goto(&format!("http://{address}/showtimes/{showtime}"))
        .await
        .expect("the seat map");
    // The live map has said hello (its first snapshot) once the script has run.
    browser
        .until(
            "return document.querySelectorAll('input.seat[tabindex=\"0\"]').length === 1",
            Duration::from_secs(10),
            "the seat map's script",
        )
        .await;
}

async fn choose(browser: &Browser, label: &str) {
    browser
        .client
        .find(Locator::Id(&format!("seat-{label}")))
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"))
        .click()
        .await
        .expect("clicked");
}

/// Two free seats side by side in the map's first row that has them.
async fn two_free_seats(browser: &Browser) -> (String, String) {
    let found = browser
        .client
        .execute(
            "const free = [...document.querySelectorAll('input.seat:not(:disabled)')];
             for (const a of free) {
               const b = free.find((s) => s.dataset.row === a.dataset.row
                 && Number(s.dataset.column) === Number(a.dataset.column) + 1);
               if (b) return [a.value, b.value];
             }
             return null;",
            vec![],
        )
        .await
        .expect("the seats");
    let pair = found.as_array().expect("two free seats side by side");
    (
        pair[0].as_str().unwrap_or_default().to_string(),
        pair[1].as_str().unwrap_or_default().to_string(),
    )
}

/// On a booking's page, pays with `card` on the sandbox's test page; the browser comes back
/// to the booking by itself.
async fn pay_with(browser: &Browser, card: &str) {
    browser
        .click_to_next_page("form[action$='/checkout'] button")
        .await;
    assert!(browser.path().await.starts_with("/sandbox/checkout/"));
    browser.type_into("#card", card).await;
    browser
        .client
        .find(Locator::Css("#pay button"))
        .await
        .expect("the pay button")
        .click()
        .await
        .expect("clicked");
}

fn booking_of(path: &str) -> String {
    path.trim_start_matches("/bookings/").to_string()
}

#[tokio::test]
async fn a_new_person_signs_up_picks_two_seats_pays_and_sees_two_qr_tickets() {
    let dir = common::TempDir::new("customer-pays");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let api = Client::new(&address);
    let showtime = api.showtime_on_sale("London").await;
    // Not signed in: choosing seats and holding them goes through the login, then sign-up,
    // and back to the same seats.
    let browser = Browser::start(1280, 1100).await;
    open_seats(&browser, &address, &showtime).await;
    let (first, second) = two_free_seats(&browser).await;
    choose(&browser, &first).await;
    choose(&browser, &second).await;
    browser
        .click_to_next_page("#hold button[type='submit']")
        .await;
    assert!(browser.path().await.starts_with("/login?next="));
    browser.click_to_next_page("a[href^='/signup']").await;
    browser.type_into("#email", "ana@example.com").await;
    browser.type_into("#password", PASSWORD).await;
    browser.type_into("#password-again", PASSWORD).await;
    browser
        .click_to_next_page("form[action='/signup'] button")
        .await;
    assert_eq!(
        browser.path().await,
        format!("/showtimes/{showtime}?seats={first},{second}")
    );
    browser.until(&format!(
            "return document.getElementById('seat-{first}').checked && document.getElementById('seat-{second}').checked"
        ),
        Duration::from_secs(5),
        "the seats chosen again",
    )
    .await;
    let mut api = api;
    api.log_in("ana@example.com").await;
    let total = browser.text_of("#total").await;
    assert!(
        total.starts_with(&format!("2 seats ({first}, {second}):"))
            && total.ends_with("booking fee included."),
        "{total}"
    );
    browser
        .click_to_next_page("#hold button[type='submit']")
        .await;
    let path = browser.path().await;
    assert!(path.starts_with("/bookings/"), "{path}");
    let countdown = browser.text_of("#countdown").await;
    assert!(countdown.contains("left"), "{countdown}");

    pay_with(&browser, "4242 4242 4242 4242").await;
    browser
        .until(
            "return document.querySelectorAll('.ticket img').length === 2",
            Duration::from_secs(20),
            "two tickets",
        )
        .await;
    assert_eq!(browser.path().await, path);
    assert!(browser.text_of("h1").await.contains("You're going"));
    // The QR codes are images that load.
    browser.until("return [...document.querySelectorAll('.ticket img')].every((i) => i.complete && i.naturalWidth > 0)",
        Duration::from_secs(10),
        "the QR codes",
    )
    .await;
    let booking = api.get(&format!("/bookings/{}", booking_of(&path))).await;
    assert_eq!(booking["status"], "confirmed");
    assert_eq!(booking["tickets"].as_array().map(Vec::len), Some(2));
    browser.close().await;
}

#[tokio::test]
async fn a_declined_card_returns_to_the_seat_map_with_the_seats_free() {
    let dir = common::TempDir::new("customer-declined");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let (browser, api) = customer(&address, "ben@example.com").await;
    let showtime = api.showtime_on_sale("London").await;
    open_seats(&browser, &address, &showtime).await;
    let (first, second) = two_free_seats(&browser).await;
    choose(&browser, &first).await;
    choose(&browser, &second).await;
    browser
        .click_to_next_page("#hold button[type='submit']")
        .await;
    let booking = booking_of(&browser.path().await);
    pay_with(&browser, "4000 0000 0000 0002").await;
    let back = format!("/showtimes/{showtime}?notice=payment_failed");
    wait_for_path(
        &browser,
        |p| p == back,
        Duration::from_secs(20),
        "back at the seat map",
    )
    .await;
    browser
        .until(
            "return document.readyState === 'complete'",
            Duration::from_secs(10),
            "the seat map",
        )
        .await;
    browser
        .until(
            &free(&first),
            Duration::from_secs(5),
            "the first seat free again",
        )
        .await;
    browser
        .until(
            &free(&second),
            Duration::from_secs(5),
            "the second seat free again",
        )
        .await;
    let message = browser.text_of("#hold-message").await;
    assert!(message.contains("did not go through"), "{message}");
    assert_eq!(
        api.get(&format!("/bookings/{booking}")).await["status"],
        "payment_failed"
    );
    browser.close().await;
}

#[tokio::test]
async fn two_people_go_for_the_same_seat_and_exactly_one_gets_it_while_the_map_stays_live() {
    let dir = common::TempDir::new("customer-race");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let (ana, api) = customer(&address, "ana@example.com").await;
    let (ben, _) = customer(&address, "ben@example.com").await;
    let showtime = api.showtime_on_sale("London").await;
    open_seats(&ana, &address, &showtime).await;
    open_seats(&ben, &address, &showtime).await;
    let (seat, other) = two_free_seats(&ana).await;

    // Both choose the seat and send their forms at once.
    choose(&ana, &seat).await;
    choose(&ben, &seat).await;
    let submit = "document.getElementById('hold').requestSubmit(); return true;";
    let (a, b) = tokio::join!(
        ana.client.execute(submit, vec![]),
        ben.client.execute(submit, vec![])
    );
    a.expect("Ana's form sent");
    b.expect("Ben's form sent");
    let deadline = Instant::now() + Duration::from_secs(10);
    let (ana_at, ben_at) = loop {
        let at = (ana.path().await, ben.path().await);
        let settled = |p: &str| p.starts_with("/bookings/") || p.ends_with("/hold");
        if settled(&at.0) && settled(&at.1) {
            break at;
        }
        assert!(Instant::now() < deadline, "both answered: {at:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (winner, loser) = match (
        ana_at.starts_with("/bookings/"),
        ben_at.starts_with("/bookings/"),
    ) {
        (true, false) => (&ana, &ben),
        (false, true) => (&ben, &ana),
        other => panic!("exactly one gets the seat: {other:?} ({ana_at}, {ben_at})"),
    };
    loser
        .until(
            "return document.readyState === 'complete'",
            Duration::from_secs(5),
            "the page",
        )
        .await;
    let message = loser.text_of("#hold-message").await;
    assert!(
        message.contains(&format!("Sorry, {seat} just went to someone else")),
        "{message}"
    );
    loser
        .until(
            &taken(&seat),
            Duration::from_secs(5),
            "the seat shown taken",
        )
        .await;

    // Live: the winner gives the seat up; the loser's open map shows it free within a second
    // or so, without reloading; then the winner's next hold shows taken there too.
    winner
        .click_to_next_page("form[action$='/release'] button")
        .await;
    loser
        .until(
            &free(&seat),
            Duration::from_secs(3),
            "the released seat free on the other map",
        )
        .await;
    open_seats(winner, &address, &showtime).await;
    choose(winner, &other).await;
    winner
        .click_to_next_page("#hold button[type='submit']")
        .await;
    loser
        .until(
            &taken(&other),
            Duration::from_secs(3),
            "the new hold taken on the other map",
        )
        .await;
    ana.close().await;
    ben.close().await;
}

#[tokio::test]
async fn a_hold_that_runs_out_frees_the_seats_on_both_pages() {
    let dir = common::TempDir::new("customer-expiry");
    let server = common::serve(
        &dir.0,
        &["--demo", "--hold-ttl", "10s", "--sweep-interval", "1s"],
    );
    let address = server.address.clone();
    let (ana, api) = customer(&address, "ana@example.com").await;
    let (ben, _) = customer(&address, "ben@example.com").await;
    let showtime = api.showtime_on_sale("London").await;
    open_seats(&ana, &address, &showtime).await;
    open_seats(&ben, &address, &showtime).await;
    let (seat, _) = two_free_seats(&ana).await;
    choose(&ana, &seat).await;
    ana.click_to_next_page("#hold button[type='submit']").await;
    assert!(ana.path().await.starts_with("/bookings/"));
    ben.until(
        &taken(&seat),
        Duration::from_secs(3),
        "the hold taken on Ben's map",
    )
    .await;
    // Ten seconds later the hold has run out: Ana's page goes back to the map by itself, and
    // Ben's map frees the seat once the sweeper records it.
    let back = format!("/showtimes/{showtime}?notice=expired");
    wait_for_path(
        &ana,
        |p| p == back,
        Duration::from_secs(20),
        "Ana's page back at the map",
    )
    .await;
    ben.until(
        &free(&seat),
        Duration::from_secs(5),
        "the seat free on Ben's map",
    )
    .await;
    ana.until(
        &free(&seat),
        Duration::from_secs(5),
        "the seat free on Ana's map",
    )
    .await;
    ana.close().await;
    ben.close().await;
}

/// The value (seat label) of the focused element.
async fn active(browser: &Browser) -> String {
    browser
        .client
        .execute("return document.activeElement.value", vec![])
        .await
        .expect("the focus")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_customer_books_with_the_keyboard_alone() {
    let dir = common::TempDir::new("customer-keyboard");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let (browser, api) = customer(&address, "kim@example.com").await;
    let showtime = api.showtime_on_sale("London").await;
    open_seats(&browser, &address, &showtime).await;
    // Focus the map's one seat in the tab order, as Tab would reach it.
    let start = browser
        .client
        .execute(
            "const s = document.querySelector('input.seat[tabindex=\"0\"]'); s.focus(); return s.value;",
            vec![],
        )
        .await
        .expect("a seat in the tab order");
    let start = start.as_str().unwrap_or_default().to_string();
    browser.press(Key::Right).await;
    let moved = active(&browser).await;
    assert_ne!(moved, start, "the right arrow moves to the next seat");
    browser.press(Key::Down).await;
    let chosen = active(&browser).await;
    assert_ne!(chosen, moved, "the down arrow moves to the next row");
    browser
        .client
        .active_element()
        .await
        .expect("the focus")
        .send_keys(" ")
        .await
        .expect("space");
    let total = browser.text_of("#total").await;
    assert!(total.starts_with(&format!("1 seat ({chosen})")), "{total}");
    // Tab leaves the map at once (it is one stop), past the ticket types, to the hold
    // button; Enter holds.
    let mut presses = 0;
    loop {
        browser.press(Key::Tab).await;
        presses += 1;
        let on_button = browser
            .client
            .execute(
                "return document.activeElement.matches('#hold button[type=\"submit\"]')",
                vec![],
            )
            .await
            .expect("the focus");
        if on_button == Value::Bool(true) {
            break;
        }
        let on_seat = browser
            .client
            .execute(
                "return document.activeElement.matches('input.seat')",
                vec![],
            )
            .await
            .expect("the focus");
        assert_eq!(on_seat, Value::Bool(false), "Tab left the map");
        assert!(presses < 8, "the hold button within a few Tabs");
    }
    browser.press(Key::Enter).await;
    let path = wait_for_path(
        &browser,
        |p| p.starts_with("/bookings/"),
        Duration::from_secs(10),
        "a booking",
    )
    .await;
    let booking = api.get(&format!("/bookings/{}", booking_of(&path))).await;
    assert_eq!(booking["seats"], serde_json::json!([chosen]));
    browser.close().await;
}

#[tokio::test]
#[ignore = "writes docs/screenshots; run by scripts/screenshots"]
async fn customer_screenshots() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&out).expect("docs/screenshots");
    let dir = common::TempDir::new("customer-screenshots");
    let server = common::serve(&dir.0, &["--demo", "--rate-limits", "off"]);
    let address = server.address.clone();
    // Others have bought and hold seats of the showtime.
    let mut others = Client::new(&address);
    others.sign_up("others@example.com").await;
    let showtime = others.showtime_on_sale("London").await;
    let sold = others.hold(&showtime, 4).await;
    others.pay(sold["id"].as_str().expect("a booking")).await;
    others.hold(&showtime, 3).await;
    for (name, width) in [("desktop", 1280), ("phone", 390)] {
        let browser = match name {
            "desktop" => Browser::start(width, 1300).await,
            _ => Browser::phone(width, 1400).await,
        };
        let (browser, api) = customer_in(browser, &address, &format!("{name}@example.com")).await;
        open_seats(&browser, &address, &showtime).await;
        let (first, second) = two_free_seats(&browser).await;
        choose(&browser, &first).await;
        choose(&browser, &second).await;
        let png = browser.client.screenshot().await.expect("a screenshot");
        std::fs::write(out.join(format!("seat-map-{name}.png")), png).expect("written");
        browser
            .click_to_next_page("#hold button[type='submit']")
            .await;
        let png = browser.client.screenshot().await.expect("a screenshot");
        std::fs::write(out.join(format!("booking-held-{name}.png")), png).expect("written");
        let booking = booking_of(&browser.path().await);
        api.pay(&booking).await;
        browser.client.refresh().await.expect("reloaded");
        browser.until("return [...document.querySelectorAll('.ticket img')].every((i) => i.complete && i.naturalWidth > 0)",
            Duration::from_secs(10),
            "the QR codes",
        )
        .await;
        let png = browser.client.screenshot().await.expect("a screenshot");
        std::fs::write(out.join(format!("booking-confirmed-{name}.png")), png).expect("written");
        browser.close().await;
    }
}

/// axe-core finds nothing serious or critical on the customer's pages: the seat map (at
/// desktop and phone widths), a held booking, a paid one with its tickets.
#[tokio::test]
async fn the_customer_pages_pass_axe() {
    let dir = common::TempDir::new("customer-axe");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let phone = Browser::phone(390, 900).await;
    let (phone, api) = customer_in(phone, &address, "pat@example.com").await;
    let showtime = api.showtime_on_sale("London").await;
    open_seats(&phone, &address, &showtime).await;
    phone.assert_accessible("the seat map on a phone").await;
    phone.close().await;

    let (browser, _) = customer(&address, "ana@example.com").await;
    open_seats(&browser, &address, &showtime).await;
    let (first, _) = two_free_seats(&browser).await;
    choose(&browser, &first).await;
    browser.assert_accessible("the seat map").await;
    browser
        .click_to_next_page("#hold button[type='submit']")
        .await;
    browser.assert_accessible("a held booking").await;
    pay_with(&browser, "4242424242424242").await;
    browser
        .until(
            "return document.querySelectorAll('.ticket img').length === 1",
            Duration::from_secs(20),
            "the ticket",
        )
        .await;
    browser.assert_accessible("a paid booking").await;
    browser.close().await;
}

/// A customer with a paid booking of two seats follows its page's "Cancel booking" link, reads
/// the refund the cancel page offers and why (the API's dry run says the same), keeps one seat
/// ticked and cancels it; the booking's page then shows the cancellation and its refund as the
/// API has them, and one ticket left. axe-core finds nothing serious or critical on either page
/// at desktop and phone widths; at desktop width the form is used with the keyboard alone.
#[tokio::test]
async fn a_customer_cancels_one_seat_of_two_on_the_cancel_page() {
    let dir = common::TempDir::new("customer-cancel");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    for (name, width) in [("desktop", 1280), ("phone", 390)] {
        let browser = match name {
            "desktop" => Browser::start(width, 1100).await,
            _ => Browser::phone(width, 1500).await,
        };
        let email = format!("{name}@example.com");
        let (browser, api) = customer_in(browser, &address, &email).await;
        // Not starting within 2 hours, when the standard policy refunds nothing any more.
        let showtime = api
            .showtime_on_sale_in("London", chrono::Duration::hours(3))
            .await;
        let held = api.hold(&showtime, 2).await;
        let booking = held["id"].as_str().expect("a booking").to_string();
        let paid = api.pay(&booking).await;
        let seats: Vec<String> = serde_json::from_value(paid["seats"].clone()).expect("the seats");
        let [kept, dropped] = &seats[..] else {
            panic!("two seats: {seats:?}")
        };
        let page = format!("/bookings/{booking}");
        browser
            .client
            .goto(&format!("http://{address}{page}"))
            .await
            .expect("the booking's page");
        browser
            .click_to_next_page(&format!("a[href='{page}/cancel']"))
            .await;
        assert_eq!(browser.path().await, format!("{page}/cancel"));

        // What cancelling both would refund, and why, as the API's dry run says; both ticked.
        let both = api
            .post(
                &format!("{page}/cancel?dry_run=true"),
                serde_json::json!({ "seats": seats }),
            )
            .await;
        let offer = browser.text_of(".refund-offer").await;
        let refund = shown_money(&both["refund"], &both["currency"]);
        let why = both["why"].as_str().expect("why");
        assert!(
            offer.contains(&format!(
                "now refunds {refund} to the card you paid with: {why}."
            )),
            "{name}: {offer}"
        );
        let ticked = browser
            .read(
                "[...document.querySelectorAll(\"input[name='seats']\")]\
                   .map((b) => [b.value, b.checked])",
            )
            .await;
        assert_eq!(ticked, serde_json::json!([[kept, true], [dropped, true]]));
        browser
            .assert_accessible(&format!("the cancel page ({name})"))
            .await;

        // Only the second seat stays ticked, and the form is sent.
        let one = api
            .post(
                &format!("{page}/cancel?dry_run=true"),
                serde_json::json!({ "seats": [dropped] }),
            )
            .await;
        let kept_box = format!("input[name='seats'][value='{kept}']");
        if name == "desktop" {
            // From the top of the page: Tab to the first seat's box, Space unticks it, Tab to
            // the button, Enter.
            browser.tab_to(&kept_box, 15).await;
            browser.press(Key::Space).await;
            let presses = browser.tab_to("form.cancel-form button.primary", 3).await;
            assert_eq!(presses, 2, "the button after the second seat");
            browser.press_to_next_page(Key::Enter).await;
        } else {
            browser
                .element(&kept_box)
                .await
                .click()
                .await
                .expect("unticked");
            browser
                .click_to_next_page("form.cancel-form button.primary")
                .await;
        }
        assert_eq!(browser.path().await, format!("{page}?cancelled=1"));

        // The booking's page after: the cancellation and its refund as the API has them, the
        // seat marked cancelled, one ticket left.
        let read = api.get(&format!("/bookings/{booking}")).await;
        let cancellations = read["cancellations"].as_array().expect("cancellations");
        assert_eq!(cancellations.len(), 1, "{read}");
        let cancelled = &cancellations[0];
        assert_eq!(cancelled["seats"], serde_json::json!([dropped]));
        assert_eq!(cancelled["refund"], one["refund"], "the refund offered");
        let refund = shown_money(&cancelled["refund"], &read["currency"]);
        let listed = browser.strings(
            "[...document.querySelectorAll('.cancellations li')].map((li) => li.textContent.trim())",
        )
        .await;
        let [listed] = &listed[..] else {
            panic!("one cancellation listed: {listed:?}")
        };
        assert!(
            listed.starts_with(&format!("Seat {dropped}: {refund} "))
                && listed.ends_with(&format!("({})", cancelled["why"].as_str().expect("why"))),
            "{name}: {listed}"
        );
        let rows = browser.strings(
            "[...document.querySelectorAll('table.lines tbody th')].map((th) => th.textContent)",
        )
        .await;
        let marked: Vec<(&str, bool)> = rows
            .iter()
            .map(|row| {
                let seat = row.split_whitespace().next().unwrap_or_default();
                (seat, row.contains(", cancelled)"))
            })
            .collect();
        assert_eq!(
            marked,
            [(kept.as_str(), false), (dropped.as_str(), true)],
            "{rows:?}"
        );
        let tickets = browser
            .strings("[...document.querySelectorAll('.ticket strong')].map((s) => s.textContent)")
            .await;
        let expected: Vec<String> = read["tickets"]
            .as_array()
            .expect("tickets")
            .iter()
            .map(|t| format!("Seat {}", t["seat"].as_str().expect("a seat")))
            .collect();
        assert_eq!(tickets, expected);
        assert_eq!(tickets, [format!("Seat {kept}")]);
        browser
            .assert_accessible(&format!("the booking after cancelling ({name})"))
            .await;
        browser.close().await;
    }
}
