//! The customer's seat map and booking pages over HTTP, in process: choosing and holding seats,
//! a seat taken meanwhile, ticket types, the booking page, checking out and giving seats up.
//! What a page changed is read back from the store. The clock stands at `fixtures::t0()`; the
//! world's showtime is on Tuesday 24 November 2026 at 12:00 in Lisbon, priced by
//! `fixtures::prices()` (adult and child; a booking fee of 0.75 EUR).

mod common;

use axum::http::{header, StatusCode};
use common::TestApp;
use marquee_domain::BookingStatus;
use marquee_store::conformance::fixtures::{self, World};

async fn world(app: &TestApp) -> World {
    fixtures::world(&*app.store).await
}

fn seats_path(world: &World) -> String {
    format!("/showtimes/{}", world.showtime.showtime.id.0)
}

fn location(answer: &common::Answer) -> &str {
    answer.header(header::LOCATION)
}

/// The seat's checkbox on a seat map page.
fn seat_input<'a>(page: &'a str, label: &str) -> &'a str {
    let start = page
        .find(&format!("value=\"{label}\" id=\"seat-{label}\""))
        .unwrap_or_else(|| panic!("{label} on {page}"));
    let from = page[..start].rfind("<input").unwrap_or(0);
    page[from..].split('>').next().unwrap_or("")
}

/// A seat's state at t0 and its booking, from the database.
async fn stored(app: &TestApp, world: &World, label: &str) -> (String, Option<i64>) {
    let (state, booking) = fixtures::seat_of(
        &*app.store,
        world.showtime.showtime.id,
        label,
        fixtures::t0(),
    )
    .await;
    (state.as_str().to_string(), booking.map(|b| b.0))
}

/// Holds `seats` through the page as the signed-in `email`; the answer.
async fn hold(
    app: &TestApp,
    world: &World,
    email: &str,
    form: &[(&str, &str)],
) -> (common::Answer, String, String) {
    let (cookie, csrf) = app.session_of(email).await;
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let answer = app
        .post_form(
            &format!("{}/hold", seats_path(world)),
            Some(&cookie),
            &fields,
        )
        .await;
    (answer, cookie, csrf)
}

#[tokio::test]
async fn the_seat_map_shows_every_seat_with_its_all_in_price_and_taken_ones_disabled() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    app.store
        .hold_seats(fixtures::hold(
            &world.bob,
            &world.showtime,
            &["A2"],
            fixtures::t0(),
        ))
        .await
        .expect("a hold");

    let page = app.get(&seats_path(&world), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(common::is_html(&page));
    // A free standard seat: its name says row, number, category and the adult price with the
    // booking fee (fixtures: adult standard 10.00 + 0.75).
    let a1 = seat_input(&page.body, "A1");
    assert!(
        a1.contains("aria-label=\"Row A, seat 1, standard, 10.75 EUR\""),
        "{a1}"
    );
    assert!(
        a1.contains("form=\"hold\"") && !a1.contains("disabled"),
        "{a1}"
    );
    let a2 = seat_input(&page.body, "A2");
    assert!(a2.contains("disabled") && a2.contains(", taken\""), "{a2}");
    // Wheelchair spaces and companion seats are marked as such.
    assert!(page.body.contains("class=\"seat seat-accessible\""));
    assert!(page.body.contains("class=\"seat seat-companion\""));
    assert!(page.body.contains("the booking fee of 0.75 EUR included"));
    // An anonymous visitor gets a CSRF secret for the form, and the live map's address.
    assert!(page
        .cookies()
        .iter()
        .any(|c| c.starts_with("marquee_login=")));
    assert!(page.body.contains(&format!(
        "data-live=\"/api/v1/showtimes/{}/live\"",
        world.showtime.showtime.id.0
    )));

    let missing = app.get("/showtimes/987654", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(common::is_html(&missing));
    let nonsense = app.get("/showtimes/x", None).await;
    assert_eq!(nonsense.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn holding_seats_leads_to_the_booking_and_a_visitor_logs_in_first_keeping_the_seats() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    app.account("carla@example.com").await;

    // Not signed in: to the login, and back to the same seats after it.
    let page = app.get(&seats_path(&world), None).await;
    let login_cookie = page.cookies()[0]
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let anonymous = app
        .post_form(
            &format!("{}/hold", seats_path(&world)),
            Some(&login_cookie),
            &[
                ("csrf", &page.csrf_field()),
                ("seats", "A1"),
                ("seats", "A2"),
            ],
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    let back = format!("{}?seats=A1,A2", seats_path(&world));
    let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    assert_eq!(location(&anonymous), format!("/login?next={next}"));
    assert_eq!(stored(&app, &world, "A1").await.0, "available");
    let again = app.get(&back, None).await;
    assert!(again.body.contains("data-chosen=\"A1,A2\""));

    let (held, cookie, _) = hold(
        &app,
        &world,
        "carla@example.com",
        &[("seats", "A1"), ("seats", "A2")],
    )
    .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let booking: i64 = location(&held)
        .strip_prefix("/bookings/")
        .and_then(|id| id.parse().ok())
        .expect("the booking's page");
    assert_eq!(
        stored(&app, &world, "A1").await,
        ("held".into(), Some(booking))
    );
    assert_eq!(
        stored(&app, &world, "A2").await,
        ("held".into(), Some(booking))
    );

    let page = app.get(location(&held), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for shown in [
        "Your seats are held",
        "The Long Light",
        "Cinema Tejo, Sala 1",
        "<th scope=\"row\">A1 <span class=\"muted\">(Standard)</span></th><td>Adult</td><td>10.75 EUR</td>",
        "Pay 21.50 EUR",
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }
    assert!(page.body.contains(&marquee_web::assets::url("booking.js")));
}

#[tokio::test]
async fn a_seat_taken_meanwhile_is_told_kindly_with_the_map_as_it_is_and_nothing_held() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    app.account("carla@example.com").await;
    // The page was read when A3 was free; Bob takes it before Carla's hold.
    app.get(&seats_path(&world), None).await;
    app.store
        .hold_seats(fixtures::hold(
            &world.bob,
            &world.showtime,
            &["A3"],
            fixtures::t0(),
        ))
        .await
        .expect("Bob's hold");

    let (refused, _, _) = hold(
        &app,
        &world,
        "carla@example.com",
        &[("seats", "A3"), ("seats", "A4")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(common::is_html(&refused));
    assert!(
        refused.body.contains("Sorry, A3 just went to someone else"),
        "{}",
        refused.body
    );
    assert!(seat_input(&refused.body, "A3").contains("disabled"));
    // A4 is still chosen for her; nothing was held.
    assert!(refused.body.contains("data-chosen=\"A4\""));
    assert_eq!(stored(&app, &world, "A4").await.0, "available");

    // No seat at all, or as many tickets as seats not given: told on the page.
    let (nothing, _, _) = hold(&app, &world, "carla@example.com", &[]).await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    assert!(nothing
        .body
        .contains("Choose at least one seat on the map."));
    let (mismatch, _, _) = hold(
        &app,
        &world,
        "carla@example.com",
        &[("seats", "B1"), ("seats", "B2"), ("type.adult", "1")],
    )
    .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(mismatch
        .body
        .contains("You chose 2 seats and 1 tickets: choose as many tickets as seats."));
    assert_eq!(stored(&app, &world, "B1").await.0, "available");

    // A form without its CSRF token is refused, and holds nothing.
    let (cookie, _) = app.session_of("carla@example.com").await;
    let forged = app
        .post_form(
            &format!("{}/hold", seats_path(&world)),
            Some(&cookie),
            &[("seats", "B3")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app, &world, "B3").await.0, "available");
}

#[tokio::test]
async fn each_seat_gets_the_ticket_type_asked_for_and_best_available_holds_seats_together() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    app.account("carla@example.com").await;
    let (held, cookie, _) = hold(
        &app,
        &world,
        "carla@example.com",
        &[
            ("seats", "A5"),
            ("seats", "A6"),
            ("type.adult", "1"),
            ("type.child", "1"),
        ],
    )
    .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let id: i64 = location(&held)
        .strip_prefix("/bookings/")
        .and_then(|id| id.parse().ok())
        .expect("a booking");
    let booking = app
        .store
        .get_booking(marquee_domain::BookingId(id))
        .await
        .expect("a read")
        .expect("the booking");
    let types: Vec<(&str, &str)> = booking
        .quote
        .lines
        .iter()
        .map(|l| (l.label.as_str(), l.ticket_type.as_str()))
        .collect();
    assert_eq!(types, [("A5", "adult"), ("A6", "child")]);
    let page = app.get(location(&held), Some(&cookie)).await;
    assert!(page.body.contains("<td>Child</td>"), "{}", page.body);

    let (best, _, _) = hold(
        &app,
        &world,
        "carla@example.com",
        &[("quantity", "2"), ("category", "premium")],
    )
    .await;
    assert_eq!(best.status, StatusCode::SEE_OTHER, "{}", best.body);
    let id: i64 = location(&best)
        .strip_prefix("/bookings/")
        .and_then(|id| id.parse().ok())
        .expect("a booking");
    let booking = app
        .store
        .get_booking(marquee_domain::BookingId(id))
        .await
        .expect("a read")
        .expect("the booking");
    assert_eq!(booking.quote.lines.len(), 2);
    assert!(booking
        .quote
        .lines
        .iter()
        .all(|l| l.category == marquee_domain::SeatCategory::Premium));
}

#[tokio::test]
async fn checking_out_goes_to_the_gateway_once_and_giving_up_frees_the_seats() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    app.account("carla@example.com").await;
    app.account("dora@example.com").await;
    let (held, cookie, csrf) = hold(&app, &world, "carla@example.com", &[("seats", "C4")]).await;
    let page = location(&held).to_string();

    // Someone else's booking is no page of theirs.
    let (dora, _) = app.session_of("dora@example.com").await;
    assert_eq!(
        app.get(&page, Some(&dora)).await.status,
        StatusCode::NOT_FOUND
    );
    // Without a session: to the login.
    assert_eq!(app.get(&page, None).await.status, StatusCode::SEE_OTHER);

    let checkout = app
        .post_form(
            &format!("{page}/checkout"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(checkout.status, StatusCode::SEE_OTHER, "{}", checkout.body);
    let gateway = location(&checkout).to_string();
    assert!(
        gateway.starts_with("http://127.0.0.1:8080/sandbox/checkout/"),
        "{gateway}"
    );
    // A second click goes to the same payment: never a second charge.
    let twice = app
        .post_form(
            &format!("{page}/checkout"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(location(&twice), gateway);
    let waiting = app.get(&page, Some(&cookie)).await;
    assert!(
        waiting.body.contains("Waiting for your payment"),
        "{}",
        waiting.body
    );
    assert!(waiting.body.contains("http-equiv=\"refresh\""));

    // Given up: the seat is free, and the seat map says so.
    let released = app
        .post_form(
            &format!("{page}/release"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(released.status, StatusCode::SEE_OTHER, "{}", released.body);
    let back = format!("{}?notice=released", seats_path(&world));
    assert_eq!(location(&released), back);
    assert_eq!(stored(&app, &world, "C4").await.0, "available");
    let map = app.get(&back, Some(&cookie)).await;
    assert!(map
        .body
        .contains("You gave your seats up; they are back on sale."));
    assert!(!seat_input(&map.body, "C4").contains("disabled"));
    // The booking's page sends there too; a second release changes nothing.
    assert_eq!(location(&app.get(&page, Some(&cookie)).await), back);
    let again = app
        .post_form(
            &format!("{page}/release"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let booking = app
        .store
        .get_booking(marquee_domain::BookingId(
            page.trim_start_matches("/bookings/").parse().unwrap_or(0),
        ))
        .await
        .expect("a read")
        .expect("the booking");
    assert_eq!(booking.stored_status, BookingStatus::Released);
}

#[tokio::test]
async fn a_wheelchair_space_comes_with_its_companion_seat_and_access_needs_are_kept() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    app.account("carla@example.com").await;
    // Row C of the world's hall is "wc.ss.cw": C1 and C2 are a pair, C5 and C6 the other.
    app.store
        .hold_seats(fixtures::hold(
            &world.bob,
            &world.showtime,
            &["C2"],
            fixtures::t0(),
        ))
        .await
        .expect("Bob's hold");
    let (held, cookie, _) = hold(
        &app,
        &world,
        "carla@example.com",
        &[
            ("category", "wheelchair_with_companion"),
            ("quantity", "2"),
            ("access_needs", "A wheelchair <b>and</b> a guide dog."),
        ],
    )
    .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let id: i64 = location(&held)
        .strip_prefix("/bookings/")
        .and_then(|id| id.parse().ok())
        .expect("a booking");
    assert_eq!(stored(&app, &world, "C6").await, ("held".into(), Some(id)));
    assert_eq!(stored(&app, &world, "C5").await, ("held".into(), Some(id)));
    assert_eq!(
        app.store
            .access_needs(marquee_domain::BookingId(id))
            .await
            .expect("a read")
            .as_deref(),
        Some("A wheelchair <b>and</b> a guide dog.")
    );
    let page = app.get(location(&held), Some(&cookie)).await;
    assert!(
        page.body
            .contains("A wheelchair &#60;b&#62;and&#60;/b&#62; a guide dog."),
        "escaped on the page: {}",
        page.body
    );

    // No pair left: told kindly, nothing held; access needs too long: told, nothing held.
    let (none, _, _) = hold(
        &app,
        &world,
        "carla@example.com",
        &[("category", "wheelchair_with_companion")],
    )
    .await;
    assert_eq!(none.status, StatusCode::CONFLICT, "{}", none.body);
    assert!(none
        .body
        .contains("No wheelchair space with a free companion seat"));
    let long = "x".repeat(501);
    let (too_long, _, _) = hold(
        &app,
        &world,
        "carla@example.com",
        &[("seats", "A1"), ("access_needs", long.as_str())],
    )
    .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    assert!(too_long.body.contains("at most 500 characters"));
    assert_eq!(stored(&app, &world, "A1").await.0, "available");
}

/// A stand-in for Stripe's PaymentIntents API: every payment it starts is `pi_fake_1`.
async fn fake_stripe() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let router = axum::Router::new().route(
        "/v1/payment_intents",
        axum::routing::post(|body: String| async move {
            let field = |name: &str| {
                form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            axum::Json(serde_json::json!({
                "id": "pi_fake_1",
                "object": "payment_intent",
                "amount": field("amount").and_then(|a| a.parse::<i64>().ok()),
                "currency": field("currency"),
                "status": "requires_payment_method",
                "client_secret": "pi_fake_1_secret_abc",
            }))
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{address}")
}

async fn with_stripe(publishable_key: Option<&str>) -> TestApp {
    let api_base = fake_stripe().await;
    let key = publishable_key.map(str::to_string);
    TestApp::configured("http://127.0.0.1:8080", None, move |config| {
        marquee_server::Config {
            payments: marquee_server::config::PaymentsConfig::Stripe {
                secret_key: marquee_payments::Secret::new("sk_test_fake"),
                webhook_secret: marquee_payments::Secret::new("whsec_fake"),
                api_base,
                timeout: std::time::Duration::from_secs(2),
            },
            stripe_publishable_key: key,
            ..config
        }
    })
    .await
}

#[tokio::test]
async fn with_stripe_the_card_form_is_stripes_on_a_page_that_lets_only_stripe_in() {
    let app = with_stripe(Some("pk_test_fake")).await;
    let world = world(&app).await;
    app.account("carla@example.com").await;
    let (held, cookie, csrf) = hold(&app, &world, "carla@example.com", &[("seats", "B4")]).await;
    let page = location(&held).to_string();
    let checkout = app
        .post_form(
            &format!("{page}/checkout"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(checkout.status, StatusCode::SEE_OTHER, "{}", checkout.body);
    assert_eq!(location(&checkout), format!("{page}/pay"));

    let pay = app.get(&format!("{page}/pay"), Some(&cookie)).await;
    assert_eq!(pay.status, StatusCode::OK, "{}", pay.body);
    assert!(pay.body.contains("data-key=\"pk_test_fake\""));
    assert!(pay.body.contains("data-secret=\"pi_fake_1_secret_abc\""));
    assert!(pay
        .body
        .contains(&marquee_web::assets::url("stripe-pay.js")));
    let policy = pay.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains("script-src 'self' https://js.stripe.com;")
            && policy.contains("frame-src https://js.stripe.com https://hooks.stripe.com;")
            && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    // Only that page: the booking's own page keeps the site's policy, and links to it.
    let booking = app.get(&page, Some(&cookie)).await;
    assert!(!booking
        .header(header::CONTENT_SECURITY_POLICY)
        .contains("stripe"));
    assert!(booking.body.contains(&format!("href=\"{page}/pay\"")));
    // Nobody else's.
    app.account("dora@example.com").await;
    let (dora, _) = app.session_of("dora@example.com").await;
    assert_eq!(
        app.get(&format!("{page}/pay"), Some(&dora)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn without_a_publishable_key_the_site_says_it_cannot_take_cards() {
    let app = with_stripe(None).await;
    let world = world(&app).await;
    app.account("carla@example.com").await;
    let (held, cookie, csrf) = hold(&app, &world, "carla@example.com", &[("seats", "B4")]).await;
    let page = location(&held).to_string();
    app.post_form(
        &format!("{page}/checkout"),
        Some(&cookie),
        &[("csrf", &csrf)],
    )
    .await;
    let pay = app.get(&format!("{page}/pay"), Some(&cookie)).await;
    assert_eq!(pay.status, StatusCode::OK);
    assert!(
        pay.body
            .contains("Card payments are not set up on this site"),
        "{}",
        pay.body
    );
    assert!(!pay.body.contains("data-secret"));
}

#[tokio::test]
async fn the_same_hold_sent_twice_leads_to_the_one_booking_it_made() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    app.account("carla@example.com").await;
    let form = [("seats", "B5"), ("seats", "B6")];
    let (first, _, _) = hold(&app, &world, "carla@example.com", &form).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let (again, _, _) = hold(&app, &world, "carla@example.com", &form).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(location(&again), location(&first));
    // One booking holds them; there is no second.
    let id: i64 = location(&first)
        .strip_prefix("/bookings/")
        .and_then(|id| id.parse().ok())
        .expect("a booking");
    assert_eq!(stored(&app, &world, "B5").await, ("held".into(), Some(id)));
    let user = app
        .store
        .find_user_by_email(&marquee_domain::Email::parse("carla@example.com").expect("an email"))
        .await
        .expect("a read")
        .expect("the account");
    let all = app
        .store
        .list_bookings(user.user.id, marquee_store::BookingPage::first(10))
        .await
        .expect("a read");
    assert_eq!(all.len(), 1);
    // Someone else sending those seats is told they are taken.
    app.account("dora@example.com").await;
    let (dora, _, _) = hold(&app, &world, "dora@example.com", &form).await;
    assert_eq!(dora.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_paid_booking_offers_its_tickets_as_a_pdf_and_a_calendar_event() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    let session = |user: marquee_store::User| {
        let app = app.app.clone();
        async move {
            let (token, _) = marquee_server::accounts::start_session(&app, &user)
                .await
                .expect("a session");
            format!("marquee_session={}", token.expose())
        }
    };
    let alice = session(world.alice.clone()).await;
    let bob = session(world.bob.clone()).await;
    let paid = fixtures::paid(
        &*app.store,
        &world.alice,
        &world.showtime,
        &["C1", "C2"],
        fixtures::t0(),
    )
    .await;
    let page = format!("/bookings/{}", paid.id.0);
    let shown = app.get(&page, Some(&alice)).await;
    assert_eq!(shown.status, StatusCode::OK);
    for link in [
        format!("href=\"{page}/tickets.pdf\""),
        format!("href=\"{page}/calendar.ics\""),
    ] {
        assert!(shown.body.contains(&link), "{link} in {}", shown.body);
    }
    assert!(shown.body.contains("Download tickets (PDF)"));
    assert!(shown.body.contains("Add to calendar"));

    let pdf = app.get(&format!("{page}/tickets.pdf"), Some(&alice)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header(header::CONTENT_TYPE), "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    let ics = app.get(&format!("{page}/calendar.ics"), Some(&alice)).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert_eq!(
        ics.header(header::CONTENT_TYPE),
        "text/calendar; charset=utf-8"
    );
    assert!(
        ics.body.contains("SUMMARY:The Long Light\r\n"),
        "{}",
        ics.body
    );

    // Someone else's: no such page; nobody: the login first.
    for file in ["tickets.pdf", "calendar.ics"] {
        let theirs = app.get(&format!("{page}/{file}"), Some(&bob)).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{file}");
        let nobody = app.get(&format!("{page}/{file}"), None).await;
        assert_eq!(nobody.status, StatusCode::SEE_OTHER);
    }
    // A hold has no tickets yet: its own page says where it stands.
    let held = app
        .store
        .hold_seats(fixtures::hold(
            &world.alice,
            &world.showtime,
            &["A1"],
            fixtures::t0(),
        ))
        .await
        .expect("a hold");
    let hold_page = format!("/bookings/{}", held.id.0);
    let early = app
        .get(&format!("{hold_page}/tickets.pdf"), Some(&alice))
        .await;
    assert_eq!(early.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&early), hold_page);
    let hold_shown = app.get(&hold_page, Some(&alice)).await;
    assert!(!hold_shown.body.contains("Download tickets (PDF)"));
}

/// A paid booking of `seats` of the world's showtime, by Carla, who has an account.
async fn paid_by_carla(app: &TestApp, world: &World, seats: &[&str]) -> marquee_domain::Booking {
    app.account("carla@example.com").await;
    let carla = app
        .store
        .find_user_by_email(&marquee_domain::Email::parse("carla@example.com").unwrap())
        .await
        .unwrap()
        .unwrap()
        .user;
    fixtures::paid(&*app.store, &carla, &world.showtime, seats, fixtures::t0()).await
}

#[tokio::test]
async fn a_customer_cancels_some_seats_of_a_paid_booking_after_seeing_the_refund() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    let paid = paid_by_carla(&app, &world, &["C1", "C2"]).await;
    let (cookie, csrf) = app.session_of("carla@example.com").await;
    let page = format!("/bookings/{}", paid.id.0);
    let shown = app.get(&page, Some(&cookie)).await;
    assert!(
        shown.body.contains(&format!("href=\"{page}/cancel\"")),
        "{}",
        shown.body
    );

    let offer = app.get(&format!("{page}/cancel"), Some(&cookie)).await;
    assert_eq!(offer.status, StatusCode::OK);
    assert!(offer.body.contains("refunds <strong>"), "{}", offer.body);
    assert!(offer.body.contains("100% refund"), "{}", offer.body);
    assert!(offer.body.contains("value=\"C1\" checked"));
    assert!(offer.body.contains("value=\"C2\" checked"));
    // Nothing ticked: said, nothing changed.
    let none = app
        .post_form(&format!("{page}/cancel"), Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(none.body.contains("Tick the seats"), "{}", none.body);
    assert_eq!(stored(&app, &world, "C2").await.0, "sold");

    let cancelled = app
        .post_form(
            &format!("{page}/cancel"),
            Some(&cookie),
            &[("csrf", &csrf), ("seats", "C2")],
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    assert_eq!(location(&cancelled), format!("{page}?cancelled=1"));
    assert_eq!(stored(&app, &world, "C2").await.0, "available");
    assert_eq!(stored(&app, &world, "C1").await.0, "sold");
    let read = app.store.get_booking(paid.id).await.unwrap().unwrap();
    assert_eq!(read.cancellations.len(), 1);
    assert_eq!(read.cancellations[0].seats, ["C2"]);
    assert_eq!(read.stored_status, BookingStatus::Confirmed);
    let after = app.get(&format!("{page}?cancelled=1"), Some(&cookie)).await;
    assert!(after.body.contains("Cancelled. The seats are back on sale"));
    assert!(after.body.contains("Seat C2:"), "{}", after.body);

    // Someone else's booking has no cancel page.
    app.account("dan@example.com").await;
    let (dan, _) = app.session_of("dan@example.com").await;
    let theirs = app.get(&format!("{page}/cancel"), Some(&dan)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_customer_whose_showing_moved_keeps_it_or_exchanges_it_from_the_letters_link() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = world(&app).await;
    let paid = paid_by_carla(&app, &world, &["A1", "A2"]).await;
    let other = fixtures::schedule(
        &*app.store,
        &world.event,
        &world.auditorium,
        fixtures::t0() + chrono::Duration::days(2),
    )
    .await;
    // The move prices the showtime again from the venue's plan.
    let plan = marquee_server::price_plans::plan(marquee_server::price_plans::PlanInput {
        currency: "EUR".into(),
        booking_fee_minor: 75,
        ticket_types: vec![("adult".into(), "Adult".into())],
        rules: vec![marquee_server::price_plans::RuleInput {
            ticket_type: "adult".into(),
            price_minor: 1000,
            ..Default::default()
        }],
    })
    .expect("a plan");
    app.store
        .put_price_plan(
            world.venue.id,
            &plan,
            fixtures::t0(),
            marquee_store::Actor::System,
        )
        .await
        .expect("the plan stored");
    let moved = app
        .store
        .move_showtime(
            world.showtime.showtime.id,
            marquee_store::ShowtimeMove {
                starts_at: Some(world.showtime.showtime.starts_at + chrono::Duration::hours(6)),
                auditorium_id: None,
                reason: Some("the projector is being repaired".into()),
                now: fixtures::t0(),
            },
            marquee_store::Actor::System,
        )
        .await
        .expect("moved");
    assert_eq!(moved.told, [paid.id]);
    let (cookie, csrf) = app.session_of("carla@example.com").await;
    let page = format!("/bookings/{}", paid.id.0);
    let shown = app.get(&page, Some(&cookie)).await;
    assert!(
        shown.body.contains("The cinema moved this showing"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains(&format!("href=\"{page}/moved\"")));

    let offer = app.get(&format!("{page}/moved"), Some(&cookie)).await;
    assert_eq!(offer.status, StatusCode::OK);
    for said in [
        "Tuesday 24 November 2026, 12:00 in Sala 1",
        "Tuesday 24 November 2026, 18:00 in Sala 1",
        "the projector is being repaired",
        "Cancel for a full refund",
    ] {
        assert!(offer.body.contains(said), "{said}: {}", offer.body);
    }
    let exchange_link = format!("/showtimes/{}?exchange={}", other.showtime.id.0, paid.id.0);
    assert!(offer.body.contains(&exchange_link), "{}", offer.body);

    // Keeping it: said on the booking, and recorded.
    let kept = app
        .post_form(
            &format!("{page}/moved/keep"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    assert_eq!(location(&kept), format!("{page}?kept=1"));
    let read = app.store.get_booking(paid.id).await.unwrap().unwrap();
    assert_eq!(
        read.moved.and_then(|m| m.answer),
        Some(marquee_domain::showtime_move::MoveAnswer::Kept)
    );

    // Changing their mind: seats at the other showing, in exchange.
    let seats = app.get(&exchange_link, Some(&cookie)).await;
    assert!(
        seats.body.contains("id=\"exchange-note\""),
        "{}",
        seats.body
    );
    assert!(seats
        .body
        .contains(&format!("name=\"exchange\" value=\"{}\"", paid.id.0)));
    let held = app
        .post_form(
            &format!("/showtimes/{}/hold", other.showtime.id.0),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("seats", "A3"),
                ("exchange", &paid.id.0.to_string()),
            ],
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let new_page = location(&held).to_string();
    let new_id: i64 = new_page.trim_start_matches("/bookings/").parse().unwrap();
    let new = app
        .store
        .get_booking(marquee_domain::BookingId(new_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.replaces, Some(paid.id));
    assert_eq!(new.showtime_id, other.showtime.id);
    let shown = app.get(&new_page, Some(&cookie)).await;
    assert!(
        shown.body.contains("This booking exchanges"),
        "{}",
        shown.body
    );
}
