//! The back office in a real browser: headless Chromium through WebDriver, the real binary
//! on a fresh SQLite database with the demo catalog. One browser session walks through what
//! an admin does; what changed is read from the API, never from the page.
//! `scripts/screenshots` runs `screenshots` (ignored here) to redraw docs/screenshots/.

mod common;

use common::api::{Client, PASSWORD};
use common::browser::Browser;
use fantoccini::Locator;
use serde_json::Value;
use std::path::Path;

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

async fn path_of(browser: &Browser) -> String {
    let url = browser.client.current_url().await.expect("a URL");
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
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
    assert_eq!(path_of(&browser).await, "/login?next=%2Fadmin");

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
    assert_eq!(path_of(&browser).await, "/admin");
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
    assert_eq!(path_of(&browser).await, "/login");
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

/// Draws docs/screenshots/admin-dashboard-{desktop,phone}.png (run by `scripts/screenshots`).
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
        assert_eq!(path_of(&browser).await, "/admin");
        let png = browser.client.screenshot().await.expect("a screenshot");
        std::fs::write(out.join(format!("admin-dashboard-{name}.png")), png).expect("written");
        browser.close().await;
    }
}
