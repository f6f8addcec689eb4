//! The pages over HTTP, in process (no browser): error pages, the CSP, hashed assets, the
//! session cookie's attributes, CSRF, logging in and out, who may see `/admin`, escaping.
//! Each test runs on a fresh SQLite database with the clock at the conformance suite's `t0`.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::Duration;
use common::{is_html, TestApp, PASSWORD};
use marquee_server::http::headers::PAGE_CSP;
use marquee_store::conformance::fixtures;
use marquee_web::{assets, csrf};

#[tokio::test]
async fn unknown_paths_get_an_html_404_and_the_api_keeps_its_json() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let page = app.get("/no/such/page", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(is_html(&page));
    assert!(page.body.contains("Page not found"), "{}", page.body);
    assert_eq!(page.header(header::CONTENT_SECURITY_POLICY), PAGE_CSP);

    let api = app.get("/api/v1/no/such/route", None).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api
        .header(header::CONTENT_TYPE)
        .starts_with("application/json"));
    assert!(api.body.contains("\"code\":\"not_found\""), "{}", api.body);

    let wrong_method = app.get("/logout", None).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(is_html(&wrong_method));
    let api_method = app
        .send(
            Request::builder()
                .method(Method::DELETE)
                .uri("/api/v1/cities")
                .body(Body::empty())
                .expect("a request"),
        )
        .await;
    assert_eq!(api_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(api_method.body.contains("method_not_allowed"));
}

#[tokio::test]
async fn a_page_that_panics_or_fails_is_an_html_500_that_tells_nothing() {
    let boom = Router::new().route(
        "/boom",
        get(|| async {
            if fixtures::t0().timestamp() > 0 {
                panic!("the secret detail 4242");
            }
            "never"
        }),
    );
    let app = TestApp::with_routes("http://127.0.0.1:8080", Some(boom)).await;
    let panicked = app.get("/boom", None).await;
    assert_eq!(panicked.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(is_html(&panicked));
    assert!(panicked.body.contains("Something went wrong"));
    assert!(!panicked.body.contains("4242"), "{}", panicked.body);

    // The database goes away under a signed-in page (the session is in this node's cache):
    // 503, as the API answers, with the retry time.
    let (cookie, _) = app.admin_session().await;
    app.store.close().await;
    let failed = app.get("/admin", Some(&cookie)).await;
    assert_eq!(
        failed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        failed.body
    );
    assert!(!failed.header(header::RETRY_AFTER).is_empty());
    assert!(failed.body.contains("Something went wrong"));
    assert!(is_html(&failed));
    for leak in ["pool", "Pool", "sqlite", "closed", "database"] {
        assert!(!failed.body.contains(leak), "{leak} in {}", failed.body);
    }
}

#[tokio::test]
async fn pages_carry_the_csp_and_assets_are_hashed_and_cached_for_a_year() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let login = app.get("/login", None).await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.header(header::CONTENT_SECURITY_POLICY), PAGE_CSP);
    assert!(!PAGE_CSP.contains("unsafe-inline") && PAGE_CSP.contains("script-src 'self'"));
    assert_eq!(login.header(header::CACHE_CONTROL), "no-store");
    assert!(!login.body.contains(" style="), "no inline style");
    assert!(
        login.body.matches("<script").count()
            == login.body.matches("<script type=\"module\" src=").count(),
        "no inline script"
    );

    let stylesheet = assets::url("app.css");
    let script = assets::url("app.js");
    assert!(login.body.contains(&format!("href=\"{stylesheet}\"")));
    assert!(login.body.contains(&format!("src=\"{script}\"")));
    for (path, kind) in [(&stylesheet, "text/css"), (&script, "text/javascript")] {
        let asset = app.get(path, None).await;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
        assert!(asset.header(header::CONTENT_TYPE).starts_with(kind));
        assert_eq!(
            asset.header(header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert!(!asset.body.is_empty());
    }
    // Only the hashed names are served: a stale or made-up one is not found.
    for path in ["/assets/app.css", "/assets/app.00000000.css"] {
        let missing = app.get(path, None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(missing.header(header::CACHE_CONTROL), "no-store");
    }
}

#[tokio::test]
async fn cookies_are_http_only_and_lax_and_host_prefixed_and_secure_over_https() {
    let plain = TestApp::start("http://127.0.0.1:8080").await;
    let form = plain.get("/login", None).await;
    assert_eq!(
        form.cookies(),
        [format!(
            "marquee_login={}; HttpOnly; SameSite=Lax; Path=/",
            form.cookies()[0]
                .split(';')
                .next()
                .and_then(|c| c.strip_prefix("marquee_login="))
                .unwrap_or("")
        )]
    );

    let https = TestApp::start("https://tickets.example.com").await;
    https.owner("admin@example.com").await;
    let form = https.get("/login", None).await;
    let login_cookie = form.cookies()[0].to_string();
    assert!(
        login_cookie.starts_with("__Host-marquee_login="),
        "{login_cookie}"
    );
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(
            login_cookie.contains(attribute),
            "{attribute}: {login_cookie}"
        );
    }
    assert!(!login_cookie.contains("Domain"));
    let secret = login_cookie.split(';').next().unwrap_or("");
    let signed_in = https
        .post_form(
            "/login",
            Some(secret),
            &[
                ("csrf", &form.csrf_field()),
                ("email", "admin@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    let session = signed_in
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-marquee_session=mq_"))
        .expect("the session cookie")
        .to_string();
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/",
        // A staff session's 10 hours: the cookie lasts as long as the session.
        "Max-Age=36000",
    ] {
        assert!(session.contains(attribute), "{attribute}: {session}");
    }
    // The cookie holds a session the API takes as a bearer token.
    let token = session
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("__Host-marquee_session="))
        .unwrap_or("");
    let me = https
        .send(
            Request::builder()
                .uri("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("a request"),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("admin@example.com"));
}

#[tokio::test]
async fn a_post_without_the_right_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (cookie, token) = app.admin_session().await;
    let (other, other_token) = app.session_of("admin@example.com").await;
    assert_ne!(token, other_token);
    for form in [
        vec![],
        vec![("csrf", "")],
        vec![("csrf", other_token.as_str())],
    ] {
        let refused = app.post_form("/logout", Some(&cookie), &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{form:?}");
        assert!(is_html(&refused));
        assert!(refused.cookies().is_empty());
        assert!(
            app.session_alive(&cookie).await,
            "still signed in after {form:?}"
        );
    }
    // Not even with the right token in a header of the wrong session.
    let header_refused = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/logout")
                .header(header::COOKIE, &cookie)
                .header(csrf::HEADER, &other_token)
                .body(Body::empty())
                .expect("a request"),
        )
        .await;
    assert_eq!(header_refused.status, StatusCode::FORBIDDEN);
    assert!(app.session_alive(&cookie).await);

    // A login post without the login form's token signs no one in.
    let form = app.get("/login", None).await;
    let secret = form.cookies()[0]
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let forged = app
        .post_form(
            "/login",
            Some(&secret),
            &[("email", "admin@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.cookies().is_empty());

    // The right token logs out: the session ends in the database; the other one stays.
    let out = app
        .post_form("/logout", Some(&cookie), &[("csrf", &token)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.header(header::LOCATION), "/login");
    assert!(out.cookies()[0].starts_with("marquee_session=; "));
    assert!(!app.session_alive(&cookie).await);
    assert!(app.session_alive(&other).await);
    let after = app.get("/admin", Some(&cookie)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logging_in_through_the_form_keeps_the_email_on_a_wrong_password() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    app.owner("admin@example.com").await;
    let anonymous = app.get("/admin", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.header(header::LOCATION), "/login?next=%2Fadmin");

    let form = app.get("/login?next=%2Fadmin", None).await;
    let secret = form.cookies()[0]
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let csrf = form.csrf_field();
    let wrong = app
        .post_form(
            "/login",
            Some(&secret),
            &[
                ("csrf", &csrf),
                ("email", "admin@example.com"),
                ("password", "not the password"),
                ("next", "/admin"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("The email or password is wrong."));
    assert!(wrong.body.contains("value=\"admin@example.com\""));
    assert!(wrong.cookies().is_empty());

    // Another site is never where a login sends the browser.
    let right = app
        .post_form(
            "/login",
            Some(&secret),
            &[
                ("csrf", &wrong.csrf_field()),
                ("email", "ADMIN@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.header(header::LOCATION), "/admin");
    let session = right.cookies()[0]
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    assert!(session.starts_with("marquee_session=mq_"));
    let today = app.get("/admin", Some(&session)).await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.body.contains("Today at a glance"));
    assert!(today.body.contains("admin@example.com"));
}

#[tokio::test]
async fn staff_with_an_authenticator_give_its_code_at_the_form() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let owner = app.owner("admin@example.com").await;
    let secret = marquee_store::TotpSecret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into());
    app.store
        .start_totp(owner, &secret)
        .await
        .expect("enrolling");
    let enrolled_at = fixtures::t0() - Duration::minutes(5);
    let step = enrolled_at.timestamp() / 30;
    assert!(app
        .store
        .enable_totp(owner, &secret, step, &[], enrolled_at)
        .await
        .expect("enrolled"));

    let form = app.get("/login", None).await;
    let secret_cookie = form.cookies()[0]
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let first = app
        .post_form(
            "/login",
            Some(&secret_cookie),
            &[
                ("csrf", &form.csrf_field()),
                ("email", "admin@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    assert!(first.body.contains("name=\"code\""), "{}", first.body);
    assert!(first.body.contains("value=\"admin@example.com\""));
    assert!(first.cookies().is_empty(), "no session without the code");

    let wrong = app
        .post_form(
            "/login",
            Some(&secret_cookie),
            &[
                ("csrf", &first.csrf_field()),
                ("email", "admin@example.com"),
                ("password", PASSWORD),
                ("code", "000000"),
            ],
        )
        .await;
    let code = marquee_server::totp::code_at(&secret, "admin@example.com", fixtures::t0())
        .expect("a code");
    assert_ne!(code, "000000");
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("That code is wrong"));
    assert!(wrong.cookies().is_empty());

    let right = app
        .post_form(
            "/login",
            Some(&secret_cookie),
            &[
                ("csrf", &wrong.csrf_field()),
                ("email", "admin@example.com"),
                ("password", PASSWORD),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.header(header::LOCATION), "/admin");
}

#[tokio::test]
async fn the_back_office_is_for_staff_only() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    app.account("ana@example.com").await;
    let (customer, _) = app.session_of("ana@example.com").await;
    let refused = app.get("/admin", Some(&customer)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(is_html(&refused));
    assert!(!refused.body.contains("Today at a glance"));
    let unknown = app.get("/admin", Some("marquee_session=mq_made_up")).await;
    assert_eq!(unknown.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn names_typed_by_staff_show_as_text() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let store = &*app.store;
    let city = store
        .create_city(
            marquee_store::NewCity {
                name: "Lisbon".into(),
                timezone: chrono_tz::Europe::Lisbon,
            },
            marquee_store::Actor::System,
        )
        .await
        .expect("a city");
    let venue = store
        .create_venue(
            marquee_store::NewVenue {
                city_id: city.id,
                name: "<script>alert('venue')</script>".into(),
                address: "Rua 1".into(),
                ads_minutes: marquee_domain::Venue::DEFAULT_ADS_MINUTES,
                cleaning_minutes: marquee_domain::Venue::DEFAULT_CLEANING_MINUTES,
            },
            marquee_store::Actor::System,
        )
        .await
        .expect("a venue");
    let hall = fixtures::auditorium(store, venue.id, "Sala <b>1</b>", fixtures::LAYOUT).await;
    let film = fixtures::event(store, "<img src=x onerror=alert(1)>", 100).await;
    let showtime =
        fixtures::schedule(store, &film, &hall, fixtures::t0() + Duration::hours(3)).await;
    app.account("ana@example.com").await;
    let ana = store
        .find_user_by_email(&marquee_domain::Email::parse("ana@example.com").expect("an email"))
        .await
        .expect("a read")
        .expect("ana")
        .user;
    store
        .hold_seats(fixtures::hold(
            &ana,
            &showtime,
            &["A1", "A2"],
            fixtures::t0(),
        ))
        .await
        .expect("a hold");

    let (cookie, _) = app.admin_session().await;
    let today = app.get("/admin", Some(&cookie)).await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(!today.body.contains("<script>alert"), "{}", today.body);
    assert!(!today.body.contains("<img src=x"));
    assert!(!today.body.contains("<b>1</b>"));
    assert!(
        today
            .body
            .contains("&#60;script&#62;alert(&#39;venue&#39;)&#60;/script&#62;")
            || today.body.contains("&lt;script&gt;"),
        "{}",
        today.body
    );
    assert!(
        today.body.contains("0 of 21 seats sold (0%), 2 held"),
        "{}",
        today.body
    );
}
