//! Screenshots of the customer site's browsing pages, drawn by `scripts/screenshots` (the
//! test is ignored otherwise): the real binary with `--demo` on a fresh SQLite database, a
//! customer with a paid booking and a hold made through the API, then headless Chromium at
//! desktop width (1280 px) and a phone's (390 px). With `MARQUEE_AXE_JS` naming axe-core's
//! `axe.min.js` (npm's `axe-core`), each page is checked by axe too, and a serious or
//! critical violation fails the test.

mod common;

use common::api::{Client, PASSWORD};
use common::browser::Browser;
use fantoccini::Locator;
use std::path::Path;

const CUSTOMER: &str = "ana@example.com";

/// Logs the customer in through the login form.
async fn log_in(browser: &Browser, address: &str) {
    browser
        .client
        .goto(&format!("http://{address}/login?next=/bookings"))
        .await
        .expect("a page");
    for (id, text) in [("email", CUSTOMER), ("password", PASSWORD)] {
        browser
            .client
            .find(Locator::Id(id))
            .await
            .expect("a field")
            .send_keys(text)
            .await
            .expect("typed");
    }
    browser
        .click_to_next_page("form[action='/login'] button")
        .await;
}

async fn shoot(browser: &Browser, out: &Path, name: &str) {
    let png = browser.client.screenshot().await.expect("a screenshot");
    std::fs::write(out.join(name), png).expect("written");
    if let Ok(axe) = std::env::var("MARQUEE_AXE_JS") {
        check_with_axe(browser, &axe, name).await;
    }
}

/// Runs axe-core (the file `axe`) on the page: its serious and critical violations fail.
async fn check_with_axe(browser: &Browser, axe: &str, page: &str) {
    let source = std::fs::read_to_string(axe).expect("axe.min.js");
    // Scripts run through WebDriver are not the page's, so its CSP does not refuse them.
    browser
        .client
        .execute(&format!("{source}\nreturn true;"), vec![])
        .await
        .expect("axe loaded");
    let violations = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run().then(r => done(r.violations.filter(
                 v => v.impact === 'serious' || v.impact === 'critical')));",
            vec![],
        )
        .await
        .expect("axe ran");
    let violations = violations.as_array().cloned().unwrap_or_default();
    assert!(
        violations.is_empty(),
        "{page}: {}",
        serde_json::to_string_pretty(&violations).unwrap_or_default()
    );
}

/// Draws docs/screenshots/site-{home,film,my-bookings,signup}-{desktop,phone}.png.
#[tokio::test]
#[ignore = "writes docs/screenshots; run by scripts/screenshots"]
async fn site_screenshots() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&out).expect("docs/screenshots");
    let dir = common::TempDir::new("site-screenshots");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();
    let mut customer = Client::new(&address);
    customer.sign_up(CUSTOMER).await;
    let showtime = customer.showtime_on_sale("London").await;
    let paid = customer.hold(&showtime, 2).await;
    customer
        .pay(paid["id"].as_str().expect("a booking id"))
        .await;
    customer.hold(&showtime, 1).await;
    let film = customer.get("/events?city=London").await["events"][0]["id"].clone();
    let cities = customer.get("/cities").await;
    let london = cities["cities"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == "London"))
        .expect("London")["id"]
        .clone();

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
        ] {
            browser
                .client
                .goto(&format!("http://{address}{path}"))
                .await
                .expect("a page");
            shoot(&browser, &out, &format!("site-{shot}-{name}.png")).await;
        }
        log_in(&browser, &address).await;
        shoot(&browser, &out, &format!("site-my-bookings-{name}.png")).await;
        browser.close().await;
    }
}
