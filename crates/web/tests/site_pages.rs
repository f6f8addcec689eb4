//! The customer site's browsing and account pages over HTTP, in process: what is on in the
//! chosen city (remembered in a cookie) on each of its days, the access filter, a film's page,
//! signing up, a forgotten password reset through its link, My bookings, escaping, 404s.
//! What a page changed is read back from the store. The clock stands at `fixtures::t0()`
//! (Monday 23 November 2026, 12:00 UTC); the world's showtime is on Tuesday at 12:00 in
//! Lisbon.

mod common;

use axum::http::{header, StatusCode};
use chrono::Duration;
use common::{is_html, Answer, TestApp, PASSWORD};
use marquee_domain::{AccessTag, Email};
use marquee_server::accounts;
use marquee_store::conformance::fixtures::{self, World};
use marquee_store::{Actor, NewEvent, ShowtimeInfo, User};

const URL: &str = "http://127.0.0.1:8080";

/// The world (Lisbon: "The Long Light" on Tuesday at 12:00), a showtime of it later today,
/// and Berlin with a film of its own on Tuesday. Berlin's showtime and Lisbon's of today.
async fn two_cities(app: &TestApp) -> (World, ShowtimeInfo, ShowtimeInfo) {
    let world = fixtures::world(&*app.store).await;
    let today = fixtures::schedule(
        &*app.store,
        &world.event,
        &world.auditorium,
        fixtures::t0() + Duration::hours(3),
    )
    .await;
    let (_, venue) = fixtures::city_in(&*app.store, "Berlin", chrono_tz::Europe::Berlin).await;
    let hall = fixtures::auditorium(&*app.store, venue.id, "Saal 1", fixtures::LAYOUT).await;
    let film = fixtures::event(&*app.store, "Der Himmel", 95).await;
    let berlin = fixtures::schedule(
        &*app.store,
        &film,
        &hall,
        fixtures::at_local(chrono_tz::Europe::Berlin, "2026-11-24 20:15"),
    )
    .await;
    (world, today, berlin)
}

fn link_to(showtime: &ShowtimeInfo) -> String {
    format!("href=\"/showtimes/{}\"", showtime.showtime.id.0)
}

fn city_cookie(answer: &Answer) -> String {
    answer
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("marquee_city="))
        .unwrap_or_else(|| panic!("a city cookie in {:?}", answer.headers))
        .to_string()
}

/// A session of `user` as the pages hold it (the world's users have no real password).
async fn cookie_of(app: &TestApp, user: &User) -> String {
    let (token, _) = accounts::start_session(&app.app, user)
        .await
        .expect("a session");
    format!("marquee_session={}", token.expose())
}

#[tokio::test]
async fn the_home_page_lists_the_chosen_citys_day_and_remembers_the_city() {
    let app = TestApp::start(URL).await;
    let (world, today, berlin) = two_cities(&app).await;
    let lisbon = world.city.id.0;

    // Nobody chose yet: the first city by name.
    let first = app.get("/", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(is_html(&first));
    assert!(first.body.contains("What's on in Berlin"), "{}", first.body);
    assert!(first.cookies().is_empty(), "nothing is remembered unasked");

    let chosen = app.get(&format!("/?city={lisbon}"), None).await;
    assert_eq!(chosen.status, StatusCode::OK);
    let cookie = city_cookie(&chosen);
    assert!(
        cookie.starts_with(&format!("marquee_city={lisbon};")),
        "{cookie}"
    );
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(chosen.body.contains("What's on in Lisbon"));
    assert!(chosen.body.contains(&link_to(&today)), "{}", chosen.body);
    assert!(chosen.body.contains(">15:00</time>"), "{}", chosen.body);
    assert!(
        !chosen.body.contains(&link_to(&world.showtime)),
        "tomorrow's is not today's"
    );
    assert!(!chosen.body.contains("Der Himmel"), "another city's film");
    assert!(!chosen.body.contains(&link_to(&berlin)));

    // The choice is remembered.
    let remembered = app.get("/", Some(&format!("marquee_city={lisbon}"))).await;
    assert!(remembered.body.contains("What's on in Lisbon"));
    assert!(remembered.body.contains(&link_to(&today)));

    // Seven days, today marked; tomorrow's link lists tomorrow.
    let tomorrow_link = format!("href=\"/?city={lisbon}&#38;date=2026-11-24\"");
    assert!(
        remembered.body.contains(&tomorrow_link),
        "{}",
        remembered.body
    );
    assert!(remembered.body.contains("2026-11-29"));
    assert!(!remembered.body.contains("2026-11-30"), "seven days only");
    assert!(remembered
        .body
        .contains("aria-current=\"date\"><time datetime=\"2026-11-23\">Today"));
    let tomorrow = app
        .get(&format!("/?city={lisbon}&date=2026-11-24"), None)
        .await;
    assert_eq!(tomorrow.status, StatusCode::OK);
    assert!(tomorrow.body.contains(&link_to(&world.showtime)));
    assert!(tomorrow.body.contains(">12:00</time>"));
    assert!(!tomorrow.body.contains(&link_to(&today)));
    assert!(tomorrow.body.contains("Tuesday 24 November"));
    assert!(tomorrow.body.contains("Cinema Tejo"));
    assert!(tomorrow.body.contains("2D · Portuguese, English subtitles"));
    assert!(
        !tomorrow.body.contains("EUR"),
        "no price before the seat map"
    );

    // Berlin's Tuesday is Berlin's, on Berlin's clock.
    let chose_berlin = app.get(&format!("/?city={}", berlin.city.id.0), None).await;
    let berlin_cookie = cookie_value(&city_cookie(&chose_berlin));
    let other = app.get("/?date=2026-11-24", Some(&berlin_cookie)).await;
    assert!(other.body.contains("What's on in Berlin"));
    assert!(other.body.contains(&link_to(&berlin)));
    assert!(other.body.contains(">20:15</time>"));
    assert!(!other.body.contains("The Long Light"));
}

/// `name=value` of a `Set-Cookie`.
fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or("").to_string()
}

#[tokio::test]
async fn the_home_page_refuses_what_it_cannot_read_and_sends_other_days_to_today() {
    let app = TestApp::start(URL).await;
    let (world, ..) = two_cities(&app).await;
    let lisbon = world.city.id.0;
    let yesterday = app
        .get(&format!("/?city={lisbon}&date=2026-11-22"), None)
        .await;
    assert_eq!(yesterday.status, StatusCode::SEE_OTHER);
    assert_eq!(yesterday.header(header::LOCATION), "/");
    let far = app.get("/?date=2026-11-30", None).await;
    assert_eq!(far.status, StatusCode::SEE_OTHER);
    let garbled = app.get("/?date=tuesday", None).await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    assert!(is_html(&garbled));
    assert!(garbled.body.contains("2026-11-24"), "{}", garbled.body);
    let no_city = app.get("/?city=999999", None).await;
    assert_eq!(no_city.status, StatusCode::NOT_FOUND);
    assert!(no_city.cookies().is_empty());
    let no_tag = app.get("/?access=loud", None).await;
    assert_eq!(no_tag.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_access_filter_lists_only_showtimes_with_the_tag() {
    let app = TestApp::start(URL).await;
    let world = fixtures::world(&*app.store).await;
    let mut captioned = fixtures::new_showtime(
        &world.event,
        &world.auditorium,
        fixtures::t0() + Duration::days(1) + Duration::hours(4),
    );
    captioned.access = vec![AccessTag::Captioned, AccessTag::AudioDescribed];
    let captioned = app
        .store
        .schedule_showtime(captioned)
        .await
        .expect("a showtime");
    let city = world.city.id.0;
    let all = app
        .get(&format!("/?city={city}&date=2026-11-24"), None)
        .await;
    assert!(all.body.contains(&link_to(&world.showtime)));
    assert!(all.body.contains(&link_to(&captioned)));
    assert!(all.body.contains("Captioned (SDH)"));
    assert!(all.body.contains("Audio described"));

    let only = app
        .get(
            &format!("/?city={city}&date=2026-11-24&access=captioned"),
            None,
        )
        .await;
    assert_eq!(only.status, StatusCode::OK);
    assert!(only.body.contains(&link_to(&captioned)));
    assert!(!only.body.contains(&link_to(&world.showtime)));
    assert!(only
        .body
        .contains("<option value=\"captioned\" selected>Captioned (SDH) only</option>"));
    // The days keep the filter.
    assert!(only.body.contains(&format!(
        "href=\"/?city={city}&#38;date=2026-11-25&#38;access=captioned\""
    )));

    let relaxed = app
        .get(
            &format!("/?city={city}&date=2026-11-24&access=relaxed"),
            None,
        )
        .await;
    assert!(relaxed
        .body
        .contains("Nothing of that kind is on in Lisbon"));
}

#[tokio::test]
async fn a_films_page_shows_it_and_its_showtimes_in_the_chosen_city() {
    let app = TestApp::start(URL).await;
    let (world, today, _) = two_cities(&app).await;
    // The same film in Berlin too, on Wednesday.
    let (_, venue) =
        fixtures::city_in(&*app.store, "Amsterdam", chrono_tz::Europe::Amsterdam).await;
    let hall = fixtures::auditorium(&*app.store, venue.id, "Zaal 1", fixtures::LAYOUT).await;
    let elsewhere = fixtures::schedule(
        &*app.store,
        &world.event,
        &hall,
        fixtures::t0() + Duration::days(2),
    )
    .await;
    let path = format!("/films/{}", world.event.id.0);
    let page = app
        .get(&path, Some(&format!("marquee_city={}", world.city.id.0)))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for fact in [
        "<h1 id=\"film-title\">The Long Light</h1>",
        "The Long Light: a film.",
        "Ana Lima, Rui Sá",
        "Drama, Mystery",
        "Portuguese",
        "1 h 40 min",
        "M/12",
        "1 November 2026",
        "href=\"https://example.com/trailer\"",
        "Showtimes in Lisbon",
        "Monday 23 November",
        "Tuesday 24 November",
    ] {
        assert!(page.body.contains(fact), "{fact} in {}", page.body);
    }
    assert!(page.body.contains(&link_to(&today)));
    assert!(page.body.contains(&link_to(&world.showtime)));
    assert!(!page.body.contains(&link_to(&elsewhere)), "another city's");
    assert!(!page.body.contains("EUR"), "no price before the seat map");
    // Monday's before Tuesday's.
    assert!(page.body.find("Monday 23 November") < page.body.find("Tuesday 24 November"));

    // Another city chosen on the film's page is remembered.
    let amsterdam = app
        .get(&format!("{path}?city={}", venue.city_id.0), None)
        .await;
    assert!(amsterdam.body.contains("Showtimes in Amsterdam"));
    assert!(amsterdam.body.contains(&link_to(&elsewhere)));
    assert!(!amsterdam.body.contains(&link_to(&today)));
    assert!(city_cookie(&amsterdam).starts_with(&format!("marquee_city={};", venue.city_id.0)));

    for unknown in ["/films/999999", "/films/not-a-film", "/films/1/more"] {
        let missing = app.get(unknown, None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{unknown}");
        assert!(is_html(&missing));
        assert!(missing.body.contains("Page not found"), "{unknown}");
    }
}

/// The signup form's cookie (its CSRF secret) and token.
async fn signup_form(app: &TestApp) -> (String, String) {
    let form = app.get("/signup?next=/films/1", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"next\" value=\"/films/1\""));
    let secret = form
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("marquee_login="))
        .map(cookie_value)
        .expect("a login secret");
    (secret, form.csrf_field())
}

/// Posts the signup form (of the login secret `cookie` and its token `csrf`).
async fn sign_up(
    app: &TestApp,
    (cookie, csrf): &(String, String),
    email: &str,
    password: &str,
    again: &str,
) -> Answer {
    app.post_form(
        "/signup",
        Some(cookie),
        &[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("password_again", again),
            ("next", ""),
        ],
    )
    .await
}

#[tokio::test]
async fn signing_up_creates_the_account_and_signs_in() {
    let app = TestApp::start(URL).await;
    let (cookie, csrf) = signup_form(&app).await;
    let done = app
        .post_form(
            "/signup",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("email", "New.Person@Example.com"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
                ("next", "/films/1"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header(header::LOCATION), "/films/1");
    let session = done
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("marquee_session="))
        .map(cookie_value)
        .expect("a session cookie");
    assert!(app.session_alive(&session).await);
    let account = app
        .store
        .find_user_by_email(&Email::parse("new.person@example.com").expect("an email"))
        .await
        .expect("a read")
        .expect("the account");
    assert_eq!(account.user.roles, [marquee_domain::Role::Customer]);
    accounts::login(&app.app, "new.person@example.com", PASSWORD, None)
        .await
        .expect("the password works");
    let mine = app.get("/bookings", Some(&session)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("new.person@example.com"));
    // Signed in, the form sends one on.
    let again = app.get("/signup", Some(&session)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_signup_refused_creates_nothing_and_says_why_beside_the_field() {
    let app = TestApp::start(URL).await;
    app.account("ana@example.com").await;
    let form = signup_form(&app).await;
    let (cookie, _) = &form;
    let taken = sign_up(
        &app,
        &form,
        "ANA@example.com",
        "another password",
        "another password",
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.body.contains("exists already"), "{}", taken.body);
    assert!(
        taken.body.contains("value=\"ANA@example.com\""),
        "the email is kept"
    );
    assert!(taken.body.contains("id=\"email-error\""));
    assert!(!taken
        .cookies()
        .iter()
        .any(|c| c.starts_with("marquee_session=")));
    accounts::login(&app.app, "ana@example.com", PASSWORD, None)
        .await
        .expect("ana's password is as it was");

    let differ = sign_up(&app, &form, "bo@example.com", "one password", "another one").await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    assert!(differ.body.contains("id=\"password-again-error\""));
    let short = sign_up(&app, &form, "bo@example.com", "short", "short").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("id=\"password-error\""),
        "{}",
        short.body
    );
    let not_email = sign_up(&app, &form, "not an email", PASSWORD, PASSWORD).await;
    assert_eq!(not_email.status, StatusCode::BAD_REQUEST);
    assert!(not_email.body.contains("id=\"email-error\""));
    let bo = Email::parse("bo@example.com").expect("an email");
    assert!(app
        .store
        .find_user_by_email(&bo)
        .await
        .expect("a read")
        .is_none());

    // Without the form's token, nothing either.
    let forged = app
        .post_form(
            "/signup",
            Some(cookie),
            &[
                ("email", "bo@example.com"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(app
        .store
        .find_user_by_email(&bo)
        .await
        .expect("a read")
        .is_none());
}

/// Asks for a reset link for `email` through the form; the answer.
async fn ask_for_link(app: &TestApp, email: &str) -> Answer {
    let form = app.get("/password/reset", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let cookie = form
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("marquee_login="))
        .map(cookie_value)
        .expect("a login secret");
    app.post_form(
        "/password/reset",
        Some(&cookie),
        &[("csrf", &form.csrf_field()), ("email", email)],
    )
    .await
}

/// The token of the newest reset link in the outbox, for `email`.
async fn link_token(app: &TestApp, email: &str) -> String {
    let messages = app.store.undelivered_messages(100).await.expect("a read");
    let message = messages
        .iter()
        .rev()
        .find(|m| m.kind == "password_reset")
        .expect("a reset message");
    let payload: serde_json::Value = serde_json::from_str(&message.payload).expect("json");
    assert_eq!(payload["to"], email);
    let link = payload["link"].as_str().expect("a link");
    link.strip_prefix(&format!("{URL}/password/reset/"))
        .expect("a link to the site")
        .to_string()
}

/// Posts a new password to the link of `token`.
async fn set_password(app: &TestApp, token: &str, password: &str, again: &str) -> Answer {
    let path = format!("/password/reset/{token}");
    let form = app.get(&path, None).await;
    let cookie = form
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("marquee_login="))
        .map(cookie_value)
        .expect("a login secret");
    let csrf = csrf_for(&cookie);
    app.post_form(
        &path,
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("password", password),
            ("password_again", again),
        ],
    )
    .await
}

/// The CSRF token of the forms of the login secret in `cookie` (`marquee_login=...`): the
/// page of a link that no longer works has no form to read it from.
fn csrf_for(cookie: &str) -> String {
    marquee_web::csrf::token(cookie.split_once('=').map_or("", |(_, s)| s))
}

#[tokio::test]
async fn a_forgotten_password_is_reset_once_through_its_link() {
    let app = TestApp::start(URL).await;
    app.account("ana@example.com").await;
    let (session, _) = app.session_of("ana@example.com").await;

    let sent = ask_for_link(&app, "Ana@Example.com").await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("Check your email"));
    let nobody = ask_for_link(&app, "nobody@example.com").await;
    assert_eq!(
        (nobody.status, &nobody.body),
        (sent.status, &sent.body),
        "the same answer without an account"
    );
    let messages = app.store.undelivered_messages(100).await.expect("a read");
    assert_eq!(messages.len(), 1, "one link, for the account: {messages:?}");
    let token = link_token(&app, "ana@example.com").await;

    let form = app.get(&format!("/password/reset/{token}"), None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Choose a new password"));
    let differ = set_password(&app, &token, "new password one", "new password two").await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    assert!(differ.body.contains("id=\"password-again-error\""));
    let weak = set_password(&app, &token, "short", "short").await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.body.contains("id=\"password-error\""));
    assert!(app.session_alive(&session).await, "nothing changed yet");
    let signed_in = app.get("/bookings", Some(&session)).await;
    assert_eq!(signed_in.status, StatusCode::OK, "signed in before");

    let done = set_password(&app, &token, "a brand new password", "a brand new password").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your password is changed"));
    assert!(
        !app.session_alive(&session).await,
        "the account's sessions ended"
    );
    let ended = app.get("/bookings", Some(&session)).await;
    assert_eq!(
        ended.status,
        StatusCode::SEE_OTHER,
        "this node forgot the session at once"
    );
    assert!(accounts::login(&app.app, "ana@example.com", PASSWORD, None)
        .await
        .is_err());
    accounts::login(&app.app, "ana@example.com", "a brand new password", None)
        .await
        .expect("the new password works");

    // Used once: the link's page says so, and a second use changes nothing.
    let used = app.get(&format!("/password/reset/{token}"), None).await;
    assert_eq!(used.status, StatusCode::NOT_FOUND);
    assert!(used.body.contains("This link no longer works"));
    let again = set_password(&app, &token, "a third password", "a third password").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.body.contains("This link no longer works"));
    accounts::login(&app.app, "ana@example.com", "a brand new password", None)
        .await
        .expect("the password is the one set first");
    let unknown = app.get("/password/reset/not-a-token", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("This link no longer works"));
}

#[tokio::test]
async fn a_reset_link_runs_out_after_an_hour() {
    let app = TestApp::start(URL).await;
    app.account("ana@example.com").await;
    ask_for_link(&app, "ana@example.com").await;
    let token = link_token(&app, "ana@example.com").await;
    app.clock.advance(Duration::minutes(59));
    let form = app.get(&format!("/password/reset/{token}"), None).await;
    assert_eq!(form.status, StatusCode::OK, "still good");
    app.clock.advance(Duration::minutes(1));
    let late = set_password(&app, &token, "a brand new password", "a brand new password").await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
    assert!(late.body.contains("This link no longer works"));
    accounts::login(&app.app, "ana@example.com", PASSWORD, None)
        .await
        .expect("the password is unchanged");
}

#[tokio::test]
async fn my_bookings_lists_only_ones_own_newest_first() {
    let app = TestApp::start(URL).await;
    let world = fixtures::world(&*app.store).await;
    let hold =
        |user: &User, seats: &[&str]| fixtures::hold(user, &world.showtime, seats, fixtures::t0());
    let older = app
        .store
        .hold_seats(hold(&world.alice, &["A1"]))
        .await
        .expect("a hold");
    let newer = app
        .store
        .hold_seats(hold(&world.alice, &["B3", "B4"]))
        .await
        .expect("a hold");
    let bobs = app
        .store
        .hold_seats(hold(&world.bob, &["A8"]))
        .await
        .expect("a hold");

    let page = app
        .get("/bookings", Some(&cookie_of(&app, &world.alice).await))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let older_link = format!("href=\"/bookings/{}\"", older.id.0);
    let newer_link = format!("href=\"/bookings/{}\"", newer.id.0);
    assert!(page.body.contains(&older_link), "{}", page.body);
    assert!(page.body.contains(&newer_link));
    assert!(
        page.body.find(&newer_link) < page.body.find(&older_link),
        "newest first"
    );
    assert!(!page
        .body
        .contains(&format!("href=\"/bookings/{}\"", bobs.id.0)));
    assert!(!page.body.contains("A8"));
    for shown in [
        "The Long Light",
        "Cinema Tejo, Sala 1",
        "Tue 24 Nov, 12:00",
        "B3, B4",
        "Seats held",
        "10.75 EUR",
        "30.50 EUR",
        newer.reference.as_str(),
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }
    // A hold that ran out says so.
    app.clock.advance(Duration::minutes(11));
    let later = app
        .get("/bookings", Some(&cookie_of(&app, &world.alice).await))
        .await;
    assert!(later.body.contains("Hold expired"));

    let anonymous = app.get("/bookings", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anonymous.header(header::LOCATION),
        "/login?next=%2Fbookings"
    );
    let none = app
        .get("/bookings", Some(&cookie_of(&app, &world.bob).await))
        .await;
    assert!(!none.body.contains(&older_link));
}

#[tokio::test]
async fn text_typed_by_staff_or_customers_shows_as_text() {
    let app = TestApp::start(URL).await;
    let world = fixtures::world(&*app.store).await;
    let film = app
        .store
        .create_event(
            NewEvent {
                kind: "movie".into(),
                title: "<script>alert(1)</script> & \"Friends\"".into(),
                synopsis: "<img src=x onerror=alert(2)>".into(),
                original_title: String::new(),
                director: String::new(),
                cast: vec!["<b>Bold</b>".into()],
                genres: vec!["drama".into()],
                language: "<i>".into(),
                runtime_minutes: 90,
                certificate: "<u>15</u>".into(),
                poster_url: Some("https://elsewhere.example/poster.jpg".into()),
                trailer_url: Some("javascript:alert(3)".into()),
                release_date: None,
            },
            Actor::System,
        )
        .await
        .expect("a film");
    fixtures::schedule(
        &*app.store,
        &film,
        &world.auditorium,
        fixtures::t0() + Duration::hours(2),
    )
    .await;
    let home = app.get(&format!("/?city={}", world.city.id.0), None).await;
    let page = app.get(&format!("/films/{}", film.id.0), None).await;
    for body in [&home.body, &page.body] {
        assert!(
            body.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;Friends&#34;"),
            "{body}"
        );
        assert!(!body.contains("<script>alert"));
        assert!(!body.contains("<u>15</u>"));
        assert!(
            !body.contains("elsewhere.example"),
            "a poster from elsewhere is not loaded"
        );
    }
    assert!(page.body.contains("&#60;img src=x onerror=alert(2)&#62;"));
    assert!(!page.body.contains("<b>Bold</b>"));
    assert!(
        !page.body.contains("javascript:"),
        "only web addresses are linked"
    );

    let form = signup_form(&app).await;
    // Kept in the form after a refusal...
    let refused = sign_up(&app, &form, "<b>me</b>\"><script>", PASSWORD, PASSWORD).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused
        .body
        .contains("value=\"&#60;b&#62;me&#60;/b&#62;&#34;&#62;&#60;script&#62;\""));
    assert!(!refused.body.contains("<b>me</b>"));
    // ...and in the header once an address like it has an account.
    let done = sign_up(
        &app,
        &form,
        "<b>me</b>@example.com\"><script>",
        PASSWORD,
        PASSWORD,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let session = done
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("marquee_session="))
        .map(cookie_value)
        .expect("a session");
    let mine = app.get("/bookings", Some(&session)).await;
    assert!(mine
        .body
        .contains("&#60;b&#62;me&#60;/b&#62;@example.com&#34;&#62;&#60;script&#62;"));
    assert!(!mine.body.contains("<b>me</b>"));
}

#[tokio::test]
async fn unknown_customer_pages_are_the_404_page() {
    let app = TestApp::start(URL).await;
    for path in [
        "/film/1",
        "/films",
        "/cities",
        "/bookings/1/tickets",
        "/signup/now",
    ] {
        let answer = app.get(path, None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(is_html(&answer), "{path}");
        assert!(answer.body.contains("Page not found"), "{path}");
    }
    // No city yet: the home page says nothing is on.
    let empty = app.get("/", None).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Nothing is on yet"));
}

#[tokio::test]
async fn the_sites_pages_carry_the_csp_and_nothing_inline() {
    let app = TestApp::start(URL).await;
    let world = fixtures::world(&*app.store).await;
    let signed_in = cookie_of(&app, &world.alice).await;
    for (path, cookie) in [
        // Tomorrow: the world's showtime, in its film's card.
        ("/?date=2026-11-24".to_string(), None),
        (format!("/films/{}", world.event.id.0), None),
        ("/search?q=long".to_string(), None),
        ("/signup".to_string(), None),
        ("/password/reset".to_string(), None),
        ("/bookings".to_string(), Some(signed_in.as_str())),
    ] {
        let page = app.get(&path, cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !(path.starts_with("/?") || path.starts_with("/search"))
                || page.body.contains("film-card"),
            "{path}"
        );
        assert_eq!(
            page.header(header::CONTENT_SECURITY_POLICY),
            marquee_server::http::headers::PAGE_CSP,
            "{path}"
        );
        assert_eq!(page.header(header::CACHE_CONTROL), "no-store", "{path}");
        assert!(!page.body.contains(" style="), "{path}: no inline style");
        assert_eq!(
            page.body.matches("<script").count(),
            page.body.matches("<script type=\"module\" src=").count(),
            "{path}: no inline script"
        );
    }
}
