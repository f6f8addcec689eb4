//! The back office's pages over HTTP, in process: joining the staff and enrolling an
//! authenticator, venues and halls, the seat-map editor's form. What a page changed is read
//! back through the services or the store, not from the page.

mod common;

use axum::http::{header, StatusCode};
use common::{Answer, TestApp, PASSWORD};
use marquee_server::staff::{self, StaffUser};
use marquee_server::totp;
use marquee_store::conformance::fixtures;
use marquee_store::TotpSecret;

/// The text between `start` and the next `end` in a page.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let at = page
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {page}"))
        + start.len();
    page[at..].split(end).next().unwrap_or("")
}

fn location(answer: &Answer) -> &str {
    answer.header(header::LOCATION)
}

#[tokio::test]
async fn an_invited_member_joins_and_enrols_before_seeing_the_back_office() {
    let app = TestApp::with_mfa_required().await;
    let owner = app.owner("owner@example.com").await;
    let owner = app
        .store
        .staff_member(owner)
        .await
        .expect("a read")
        .expect("the owner");
    let owner = StaffUser {
        user: owner.user,
        access: owner.access,
    };
    let link = staff::invite(&app.app, &owner, "sam@example.com", "owner", vec![])
        .await
        .expect("an invitation");
    let path = format!("/admin/join/{}", link.token);

    // The invitation names whom it is for; its form comes with a login secret for CSRF.
    let form = app.get(&path, None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(">sam@example.com<"), "{}", form.body);
    let secret_cookie = form.cookies()[0]
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();

    // Too short a password: the error next to the field, nothing joined.
    let short = app
        .post_form(
            &path,
            Some(&secret_cookie),
            &[("csrf", &form.csrf_field()), ("password", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("id=\"password-error\""),
        "{}",
        short.body
    );
    assert!(short.body.contains("aria-invalid=\"true\""));
    assert!(
        staff::invitation(&app.app, &link.token).await.is_ok(),
        "still open"
    );

    let joined = app
        .post_form(
            &path,
            Some(&secret_cookie),
            &[("csrf", &form.csrf_field()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    assert_eq!(location(&joined), "/login?next=%2Fadmin&joined=1");
    assert_eq!(
        app.get(&path, None).await.status,
        StatusCode::NOT_FOUND,
        "used once"
    );

    // Logged in, the back office sends the new member to enrol first.
    let (cookie, _) = app.session_of("sam@example.com").await;
    let today = app.get("/admin", Some(&cookie)).await;
    assert_eq!(today.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&today), "/admin/totp");

    let enrol = app.get("/admin/totp", Some(&cookie)).await;
    assert_eq!(enrol.status, StatusCode::OK);
    assert!(enrol.body.contains("<svg"), "the QR code inline");
    assert!(!enrol.body.contains("<?xml"));
    let secret: String = between(&enrol.body, "id=\"totp-secret\">", "<")
        .split_whitespace()
        .collect();
    let again = app.get("/admin/totp", Some(&cookie)).await;
    assert!(
        again
            .body
            .contains(&between(&enrol.body, "id=\"totp-secret\">", "<").to_string()),
        "a reload keeps the secret"
    );

    let code = totp::code_at(
        &TotpSecret(secret.clone()),
        "sam@example.com",
        fixtures::t0(),
    )
    .expect("a code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .post_form(
            "/admin/totp",
            Some(&cookie),
            &[("csrf", &enrol.csrf_field()), ("code", wrong)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("id=\"code-error\""),
        "{}",
        refused.body
    );
    assert!(refused
        .body
        .contains(&between(&enrol.body, "id=\"totp-secret\">", "<").to_string()));
    assert_eq!(
        location(&app.get("/admin", Some(&cookie)).await),
        "/admin/totp"
    );

    let done = app
        .post_form(
            "/admin/totp",
            Some(&cookie),
            &[("csrf", &enrol.csrf_field()), ("code", &code)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes = between(&done.body, "id=\"recovery-codes\">", "</ol>");
    assert_eq!(codes.matches("<li>").count(), totp::RECOVERY_CODES);
    assert_eq!(
        app.get("/admin", Some(&cookie)).await.status,
        StatusCode::OK
    );
    let later = app.get("/admin/totp", Some(&cookie)).await;
    assert!(later.body.contains("is set up") && !later.body.contains("<svg"));
}

#[tokio::test]
async fn an_unknown_invitation_is_not_found_and_a_customer_cannot_enrol() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let unknown = app.get("/admin/join/not-a-token", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(common::is_html(&unknown));
    app.account("ana@example.com").await;
    let (customer, _) = app.session_of("ana@example.com").await;
    let refused = app.get("/admin/totp", Some(&customer)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("<svg"));
}

/// The id at the end of a redirect's `Location` path before `suffix`.
fn id_in(location: &str, prefix: &str, suffix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{prefix}<id>{suffix} in {location}"))
}

#[tokio::test]
async fn an_owner_adds_a_city_a_venue_and_a_hall_and_sees_errors_next_to_the_fields() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (cookie, csrf) = app.admin_session().await;

    // A city in no time zone: the error next to the zone, the zone as typed, no city.
    let wrong = app
        .post_form(
            "/admin/cities",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Lisbon"),
                ("timezone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        between(&wrong.body, "id=\"city-timezone-error\">", "<")
            .contains("Timezone &#34;Mars/Olympus&#34; is not an IANA time zone"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("value=\"Mars/Olympus\""));
    assert!(app.store.list_cities().await.expect("a read").is_empty());
    let city = app
        .post_form(
            "/admin/cities",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Lisbon"),
                ("timezone", "Europe/Lisbon"),
            ],
        )
        .await;
    assert_eq!(city.status, StatusCode::SEE_OTHER);
    let city_id = app.store.list_cities().await.expect("a read")[0]
        .id
        .0
        .to_string();

    // Minutes that are no number: the error next to them, the rest as typed (escaped).
    let name = "<script>alert('tejo')</script>";
    let venue_form = |ads: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("city_id", city_id.clone()),
            ("name", name.to_string()),
            ("address", "Rua Augusta 1".to_string()),
            ("ads_minutes", ads.to_string()),
        ]
    };
    let refused = app
        .post_form(
            "/admin/venues",
            Some(&cookie),
            &pairs(&venue_form("twenty")),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("id=\"venue-ads-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"twenty\""));
    assert!(!refused.body.contains("<script>alert"));
    assert!(refused.body.contains("&#60;script&#62;") || refused.body.contains("&lt;script&gt;"));
    let created = app
        .post_form("/admin/venues", Some(&cookie), &pairs(&venue_form("")))
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let venue = marquee_domain::VenueId(id_in(location(&created), "/admin/venues/", ""));
    let stored = app
        .store
        .get_venue(venue)
        .await
        .expect("a read")
        .expect("the venue");
    assert_eq!((stored.name.as_str(), stored.ads_minutes), (name, 20));

    // The details form: a turnover too long is refused next to its field and changes nothing.
    let path = format!("/admin/venues/{}", venue.0);
    let page = app.get(&path, Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert"));
    let long = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Tejo"),
                ("address", "Rua 2"),
                ("ads_minutes", "20"),
                ("cleaning_minutes", "999"),
            ],
        )
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        between(&long.body, "id=\"venue-cleaning-error\">", "<"),
        "Cleaning minutes is at most 180 minutes."
    );
    assert!(long.body.contains("value=\"999\"") && long.body.contains("value=\"Tejo\""));
    assert_eq!(
        app.store
            .get_venue(venue)
            .await
            .expect("a read")
            .expect("the venue")
            .name,
        name
    );
    let saved = app
        .post_form(
            &path,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Tejo"),
                ("address", "Rua 2"),
                ("ads_minutes", "25"),
                ("cleaning_minutes", "10"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let stored = app
        .store
        .get_venue(venue)
        .await
        .expect("a read")
        .expect("the venue");
    assert_eq!(
        (
            stored.name.as_str(),
            stored.ads_minutes,
            stored.cleaning_minutes
        ),
        ("Tejo", 25, 10)
    );

    // A hall whose layout is wrong: the row and column next to the layout, the text kept.
    let hall_path = format!("{path}/auditoriums");
    let bad = app
        .post_form(
            &hall_path,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Sala 1"),
                ("layout", "A  ss\nB  sx"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        between(&bad.body, "id=\"hall-layout-error\">", "<")
            .starts_with("Row B (line 2), column 5"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("A  ss\nB  sx</textarea>"));
    let hall = app
        .post_form(
            &hall_path,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Sala 1"),
                ("layout", "A  ss.ss\nB  ss.ss"),
            ],
        )
        .await;
    assert_eq!(hall.status, StatusCode::SEE_OTHER);
    id_in(location(&hall), "/admin/auditoriums/", "/layout");
    let halls = app.store.auditoriums(venue).await.expect("a read");
    assert_eq!((halls.len(), halls[0].auditorium.capacity), (1, 8));

    // Each write is the owner's in the audit log, as the API records it.
    let log = app
        .store
        .audit_log(&marquee_store::AuditFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("a read");
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "auditorium.create",
            "venue.update",
            "venue.create",
            "city.create"
        ]
    );
    assert!(log
        .iter()
        .all(|r| r.actor_email.as_deref() == Some("admin@example.com")));
}

#[tokio::test]
async fn a_manager_sees_their_venue_only() {
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
    let venue = |name: &'static str| marquee_store::NewVenue {
        city_id: city.id,
        name: name.into(),
        address: "Rua 1".into(),
        ads_minutes: 20,
        cleaning_minutes: 15,
    };
    let ours = store
        .create_venue(venue("Ours"), marquee_store::Actor::System)
        .await
        .expect("a venue");
    let theirs = store
        .create_venue(venue("Theirs"), marquee_store::Actor::System)
        .await
        .expect("a venue");
    let sam = marquee_server::accounts::register(&app.app, "sam@example.com", PASSWORD)
        .await
        .expect("an account");
    let access =
        marquee_domain::StaffAccess::new(marquee_domain::StaffRole::Manager, vec![ours.id])
            .expect("an access");
    store
        .set_staff_access(sam.id, &access, None, fixtures::t0())
        .await
        .expect("a manager");
    let (cookie, csrf) = app.session_of("sam@example.com").await;

    let list = app.get("/admin/venues", Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(">Ours<") && !list.body.contains("Theirs"));
    assert!(
        !list.body.contains("action=\"/admin/venues\""),
        "no form to add a venue"
    );
    assert_eq!(
        app.get(&format!("/admin/venues/{}", ours.id.0), Some(&cookie))
            .await
            .status,
        StatusCode::OK
    );
    let other = app
        .get(&format!("/admin/venues/{}", theirs.id.0), Some(&cookie))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let post = app
        .post_form(
            &format!("/admin/venues/{}", theirs.id.0),
            Some(&cookie),
            &[("csrf", &csrf), ("name", "Mine now"), ("address", "x")],
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    let add = app
        .post_form(
            "/admin/venues",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("city_id", &city.id.0.to_string()),
                ("name", "New"),
                ("address", "x"),
            ],
        )
        .await;
    assert_eq!(add.status, StatusCode::FORBIDDEN);
    assert_eq!(store.list_venues(None).await.expect("a read").len(), 2);
    assert_eq!(
        store
            .get_venue(theirs.id)
            .await
            .expect("a read")
            .expect("theirs")
            .name,
        "Theirs"
    );
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A venue with a hall (whose name is markup) of `layout`, made through the store.
async fn hall(
    app: &TestApp,
    layout: &str,
) -> (marquee_domain::VenueId, marquee_domain::AuditoriumId) {
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
                name: "Tejo".into(),
                address: "Rua 1".into(),
                ads_minutes: 20,
                cleaning_minutes: 15,
            },
            marquee_store::Actor::System,
        )
        .await
        .expect("a venue");
    let hall = fixtures::auditorium(store, venue.id, "Sala <b>1</b>", layout).await;
    (venue.id, hall.auditorium.id)
}

#[tokio::test]
async fn the_seat_map_editor_saves_a_new_version_and_names_a_wrong_row_and_column() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (_, hall) = hall(&app, "A  ss.ss\nB  ss.ss").await;
    let (cookie, csrf) = app.admin_session().await;
    let path = format!("/admin/auditoriums/{}/layout", hall.0);

    let page = app.get(&path, Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("A  ss.ss\nB  ss.ss</textarea>"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(&marquee_web::assets::url("layout-editor.js")));
    assert!(!page.body.contains("<b>1</b>"), "the hall's name escaped");
    assert!(page.body.contains("8 seats in 2 rows"));
    for label in ["A1", "A4", "B3"] {
        assert!(
            page.body.contains(&format!(">{label}</text>")),
            "{label} in the preview"
        );
    }

    let wrong = app
        .post_form(
            &path,
            Some(&cookie),
            &[("csrf", &csrf), ("layout", "A  wc.ss\nA  ss")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        between(&wrong.body, "id=\"layout-error\">", "<")
            .starts_with("Row A (line 2), column 1: row A appears twice"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("A  wc.ss\nA  ss</textarea>"));
    let now = app
        .store
        .auditorium_layout(hall)
        .await
        .expect("a read")
        .expect("the hall");
    assert_eq!(now.info.layout_version, 1);

    let layout = "A  wc.sscw\nB  ss.ssss";
    let saved = app
        .post_form(&path, Some(&cookie), &[("csrf", &csrf), ("layout", layout)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), path);
    let now = app
        .store
        .auditorium_layout(hall)
        .await
        .expect("a read")
        .expect("the hall");
    assert_eq!((now.info.layout_version, now.layout.as_str()), (2, layout));
}

#[tokio::test]
async fn the_live_preview_is_the_servers_and_needs_the_csrf_header() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (cookie, csrf) = app.admin_session().await;
    let drawn = app
        .post_form_by_script(
            "/admin/layouts/preview",
            &cookie,
            Some(&csrf),
            &[("layout", "A  w.c\nB  pp")],
        )
        .await;
    assert_eq!(drawn.status, StatusCode::OK);
    assert!(
        drawn.body.contains("class=\"seat accessible\"") && drawn.body.contains(">A2</text>"),
        "{}",
        drawn.body
    );
    assert!(!drawn.body.contains("<html"), "a fragment");
    let wrong = app
        .post_form_by_script(
            "/admin/layouts/preview",
            &cookie,
            Some(&csrf),
            &[("layout", "A  <x>")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong
            .body
            .contains("Row A (line 1), column 4: &#39;&#60;&#39; is not a seat"),
        "{}",
        wrong.body
    );
    let forged = app
        .post_form_by_script(
            "/admin/layouts/preview",
            &cookie,
            None,
            &[("layout", "A  ss")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    app.account("ana@example.com").await;
    let (customer, customer_csrf) = app.session_of("ana@example.com").await;
    let refused = app
        .post_form_by_script(
            "/admin/layouts/preview",
            &customer,
            Some(&customer_csrf),
            &[("layout", "A  ss")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn a_film_is_added_and_edited_with_every_field_and_errors_next_to_them() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (cookie, csrf) = app.admin_session().await;
    let title = "<img src=x onerror=alert(1)>";
    let film = |runtime: &'static str, trailer: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("kind", "movie".to_string()),
            ("title", title.to_string()),
            ("original_title", "A Noite Longa".to_string()),
            ("director", " Inês Costa ".to_string()),
            ("synopsis", "Two lines\r\nof synopsis".to_string()),
            ("cast", "Ana Lopes\r\n\r\n  Rui Silva ".to_string()),
            ("genres", "Drama".to_string()),
            ("language", "pt".to_string()),
            ("runtime_minutes", runtime.to_string()),
            ("certificate", "M/12".to_string()),
            ("trailer_url", trailer.to_string()),
            ("release_date", "2026-12-24".to_string()),
        ]
    };
    let refused = app
        .post_form("/admin/films", Some(&cookie), &pairs(&film("long", "")))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("id=\"film-runtime-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"long\"") && !refused.body.contains("<img src=x"));
    let script = app
        .post_form(
            "/admin/films",
            Some(&cookie),
            &pairs(&film("95", "javascript:alert(1)")),
        )
        .await;
    assert_eq!(script.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        between(&script.body, "id=\"film-trailer-error\">", "<"),
        "Trailer url is an http or https URL."
    );
    assert!(app
        .store
        .all_events(10, 0)
        .await
        .expect("a read")
        .is_empty());

    let created = app
        .post_form(
            "/admin/films",
            Some(&cookie),
            &pairs(&film("95", "https://example.com/t")),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = marquee_domain::EventId(id_in(location(&created), "/admin/films/", ""));
    let event = app
        .store
        .get_event(id)
        .await
        .expect("a read")
        .expect("the film");
    assert_eq!(event.title, title);
    assert_eq!(event.synopsis, "Two lines\nof synopsis");
    assert_eq!(event.cast, ["Ana Lopes", "Rui Silva"]);
    assert_eq!(
        (event.original_title.as_str(), event.director.as_str()),
        ("A Noite Longa", "Inês Costa")
    );
    let form = app
        .get(&format!("/admin/films/{}", id.0), Some(&cookie))
        .await;
    assert!(
        form.body
            .contains("name=\"original_title\" type=\"text\" value=\"A Noite Longa\"")
            && form
                .body
                .contains("name=\"director\" type=\"text\" value=\"Inês Costa\""),
        "{}",
        form.body
    );
    assert_eq!(
        (event.runtime_minutes, event.certificate.as_str()),
        (95, "M/12")
    );
    assert_eq!(
        event.release_date,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 24)
    );

    // Editing: an emptied trailer, original title and date are cleared.
    let mut edit = film("100", "");
    edit.retain(|(name, _)| !["release_date", "original_title"].contains(name));
    let saved = app
        .post_form(
            &format!("/admin/films/{}", id.0),
            Some(&cookie),
            &pairs(&edit),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let event = app
        .store
        .get_event(id)
        .await
        .expect("a read")
        .expect("the film");
    assert_eq!(
        (event.runtime_minutes, event.trailer_url, event.release_date),
        (100, None, None)
    );
    assert_eq!(
        (event.original_title.as_str(), event.director.as_str()),
        ("", "Inês Costa")
    );

    let list = app.get("/admin/films", Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list
        .body
        .contains(&format!("href=\"/admin/films/{}\"", id.0)));
    assert!(!list.body.contains("<img src=x"));
}

#[tokio::test]
async fn a_poster_is_uploaded_through_the_page_and_its_form_needs_the_csrf_field() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let film = fixtures::event(&*app.store, "The Long Light", 100).await;
    let (cookie, csrf) = app.admin_session().await;
    let path = format!("/admin/films/{}/poster", film.id.0);
    let poster_of = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .get_event(film.id)
                .await
                .expect("a read")
                .expect("the film")
                .poster_url
        }
    };

    for forged in [vec![], vec![("csrf", None, "0".repeat(64).into_bytes())]] {
        let mut parts: Vec<(&str, Option<&str>, &[u8])> = forged
            .iter()
            .map(|(n, f, b)| (*n, *f, b.as_slice()))
            .collect();
        parts.push(("poster", Some("poster.png"), PNG));
        let refused = app.post_multipart(&path, &cookie, &parts).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(poster_of(&app).await, None);
    }

    let gif = app
        .post_multipart(
            &path,
            &cookie,
            &[
                ("csrf", None, csrf.as_bytes()),
                ("poster", Some("a.gif"), b"GIF89a...."),
            ],
        )
        .await;
    assert_eq!(gif.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        between(&gif.body, "id=\"poster-error\">", "<"),
        "A poster is a JPEG, PNG or WebP image."
    );
    let mut big = PNG.to_vec();
    big.resize(marquee_server::back_office::MAX_POSTER_BYTES + 1, 0);
    let too_big = app
        .post_multipart(
            &path,
            &cookie,
            &[
                ("csrf", None, csrf.as_bytes()),
                ("poster", Some("big.png"), &big),
            ],
        )
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        between(&too_big.body, "id=\"poster-error\">", "<"),
        "A poster is at most 5 MB."
    );
    assert_eq!(poster_of(&app).await, None);

    let uploaded = app
        .post_multipart(
            &path,
            &cookie,
            &[
                ("csrf", None, csrf.as_bytes()),
                ("poster", Some("poster.png"), PNG),
            ],
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let url = poster_of(&app).await.expect("a poster");
    let page = app
        .get(&format!("/admin/films/{}", film.id.0), Some(&cookie))
        .await;
    assert!(
        page.body.contains(&format!("src=\"{url}\"")),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_audit_log_is_filtered_by_person_venue_and_day_and_paged() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let owner = app.owner("owner@example.com").await;
    let (cookie, csrf) = app.session_of("owner@example.com").await;
    // 51 cities by the owner: more than a page.
    for n in 0..51 {
        let actor = marquee_store::Actor::staff(
            owner,
            fixtures::t0(),
            "city.create",
            marquee_server::http::admin::catalog::city_json,
        );
        marquee_server::back_office::create_city(
            &app.app,
            &format!("City <{n}>"),
            "Europe/Lisbon",
            actor,
        )
        .await
        .expect("a city");
    }
    let (venue, _) = hall(&app, "A  ss").await;
    let saved = app
        .post_form(
            &format!("/admin/venues/{}", venue.0),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Tejo <Norte>"),
                ("address", "Rua 1"),
                ("ads_minutes", "20"),
                ("cleaning_minutes", "15"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);

    let first = app.get("/admin/audit", Some(&cookie)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body.matches("<time datetime").count(), 50);
    assert!(first.body.contains("venue.update") && !first.body.contains("Tejo <Norte>"));
    let older = between(&first.body, "href=\"/admin/audit?", "\"")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = app
        .get(&format!("/admin/audit?{older}"), Some(&cookie))
        .await;
    let all = app
        .store
        .audit_log(&marquee_store::AuditFilter {
            limit: 200,
            ..Default::default()
        })
        .await
        .expect("a read")
        .len();
    assert_eq!(all, 52, "51 cities and a venue's update; {older}");
    assert_eq!(
        second.body.matches("<time datetime").count(),
        2,
        "{}",
        second.body
    );
    assert!(second.body.contains("City &#60;0&#62;") || second.body.contains("City &lt;0&gt;"));

    let by_venue = app
        .get(&format!("/admin/audit?venue={}", venue.0), Some(&cookie))
        .await;
    assert_eq!(by_venue.body.matches("<time datetime").count(), 1);
    assert!(by_venue.body.contains("venue.update"));
    let by_person = app
        .get(
            &format!("/admin/audit?person={}", owner.0 + 1000),
            Some(&cookie),
        )
        .await;
    assert_eq!(by_person.body.matches("<time datetime").count(), 0);
    let day = fixtures::t0().date_naive();
    let that_day = app
        .get(
            &format!("/admin/audit?from={day}&to={day}&person={}", owner.0),
            Some(&cookie),
        )
        .await;
    assert_eq!(that_day.body.matches("<time datetime").count(), 50);
    let next_day = app
        .get(
            &format!("/admin/audit?from={}", day.succ_opt().expect("a day")),
            Some(&cookie),
        )
        .await;
    assert_eq!(next_day.body.matches("<time datetime").count(), 0);
    let wrong = app
        .get("/admin/audit?from=24%2F12%2F2026", Some(&cookie))
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong.body.contains("id=\"audit-from-error\"")
            && wrong.body.contains("value=\"24/12/2026\"")
    );
}

#[tokio::test]
async fn an_owner_invites_with_the_link_shown_once_and_removes_staff() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (venue, _) = hall(&app, "A  ss").await;
    let (cookie, csrf) = app.admin_session().await;
    let venue_id = venue.0.to_string();

    let wrong = app
        .post_form(
            "/admin/staff",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("email", "not an email <b>"),
                ("role", "manager"),
                ("venue_ids", &venue_id),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong.body.contains("id=\"invite-email-error\""),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("value=\"not an email &#60;b&#62;\"")
            || wrong.body.contains("value=\"not an email &lt;b&gt;\"")
    );
    assert!(
        wrong
            .body
            .contains(&format!("value=\"{venue_id}\" checked")),
        "the venue stays ticked"
    );
    let nowhere = app
        .post_form(
            "/admin/staff",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("email", "sam@example.com"),
                ("role", "manager"),
            ],
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::BAD_REQUEST);
    assert!(
        between(&nowhere.body, "id=\"invite-venues-error\">", "<").contains("one or more venues"),
        "{}",
        nowhere.body
    );

    let invited = app
        .post_form(
            "/admin/staff",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("email", "Sam@Example.com"),
                ("role", "manager"),
                ("venue_ids", &venue_id),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK);
    let url = between(&invited.body, "id=\"invite-url\">", "<").to_string();
    let path = url
        .strip_prefix("http://127.0.0.1:8080")
        .expect("a link to this node");
    let join = app.get(path, None).await;
    assert_eq!(join.status, StatusCode::OK);
    assert!(join.body.contains(">sam@example.com<"));
    assert!(
        !app.get("/admin/staff", Some(&cookie))
            .await
            .body
            .contains(path),
        "shown once"
    );

    // Sam joins; the owner sees and removes them, and their session ends.
    marquee_server::staff::accept(&app.app, path.trim_start_matches("/admin/join/"), PASSWORD)
        .await
        .expect("joined");
    let (sam, _) = app.session_of("sam@example.com").await;
    let sams = app.get("/admin/venues", Some(&sam)).await;
    assert_eq!(sams.status, StatusCode::OK);
    assert!(
        !sams.body.contains("href=\"/admin/staff\""),
        "no link a manager cannot follow"
    );
    assert_eq!(
        app.get("/admin/staff", Some(&sam)).await.status,
        StatusCode::FORBIDDEN
    );
    let list = app.get("/admin/staff", Some(&cookie)).await;
    assert!(list.body.contains("sam@example.com") && list.body.contains(">Tejo<"));
    let sam_id = app
        .store
        .find_user_by_email(&marquee_domain::Email::parse("sam@example.com").expect("an email"))
        .await
        .expect("a read")
        .expect("sam")
        .user
        .id;
    let removed = app
        .post_form(
            &format!("/admin/staff/{}/remove", sam_id.0),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(app
        .store
        .staff_member(sam_id)
        .await
        .expect("a read")
        .is_none());
    assert!(!app.session_alive(&sam).await);
}

#[tokio::test]
async fn a_layout_that_would_drop_a_held_seat_is_refused_on_the_editor_naming_it() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = fixtures::world(&*app.store).await;
    let (cookie, csrf) = app.admin_session().await;
    app.store
        .hold_seats(fixtures::hold(
            &world.alice,
            &world.showtime,
            &["A8"],
            fixtures::t0(),
        ))
        .await
        .expect("a hold");
    let hall = world.auditorium.auditorium.id;
    let path = format!("/admin/auditoriums/{}/layout", hall.0);
    let shorter = "A  sssssss\nB  sspppps\nC  wc.ss.cw";
    let refused = app
        .post_form(
            &path,
            Some(&cookie),
            &[("csrf", &csrf), ("layout", shorter)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let error = between(&refused.body, "id=\"layout-error\">", "<");
    assert!(
        error.contains(&format!("showtime {} at", world.showtime.showtime.id))
            && error.contains("(A8)"),
        "{error}"
    );
    assert!(refused.body.contains(&format!("{shorter}</textarea>")));
    let now = app
        .store
        .auditorium_layout(hall)
        .await
        .expect("a read")
        .expect("the hall");
    assert_eq!(now.info.layout_version, 1, "nothing saved");
}

#[tokio::test]
async fn staff_find_a_booking_refund_it_and_cancel_a_showtime_with_the_door_counted() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let world = fixtures::world(&*app.store).await;
    let (cookie, csrf) = app.admin_session().await;
    let paid = fixtures::paid(
        &*app.store,
        &world.alice,
        &world.showtime,
        &["A1", "A2"],
        fixtures::t0(),
    )
    .await;
    let other = fixtures::paid(
        &*app.store,
        &world.bob,
        &world.showtime,
        &["B3"],
        fixtures::t0(),
    )
    .await;

    // Found by reference, and by the customer's email.
    for q in [paid.reference.to_string(), "alice@example.com".into()] {
        let found = app
            .get(
                &format!("/admin/bookings?q={}", q.replace('@', "%40")),
                Some(&cookie),
            )
            .await;
        assert_eq!(found.status, StatusCode::OK);
        assert!(
            found
                .body
                .contains(&format!("href=\"/admin/bookings/{}\"", paid.id.0)),
            "{q}: {}",
            found.body
        );
    }
    let page = format!("/admin/bookings/{}", paid.id.0);
    let shown = app.get(&page, Some(&cookie)).await;
    assert!(shown.body.contains("alice@example.com"), "{}", shown.body);
    assert!(shown.body.contains("Refund in full"));

    // The tickets sent again: queued for the customer, said on the page.
    let resent = app
        .post_form(&format!("{page}/resend"), Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
    assert_eq!(location(&resent), format!("{page}?resent=1"));
    let kinds = app.store.outbox_kinds(paid.id).await.unwrap();
    assert_eq!(kinds.last().map(String::as_str), Some("tickets_resent"));
    let told = app.get(&format!("{page}?resent=1"), Some(&cookie)).await;
    assert!(told.body.contains("on their way"), "{}", told.body);

    // A refund needs a reason; with one, the seats ticked are refunded in full.
    let refund = format!("{page}/refund");
    let no_reason = app
        .post_form(
            &refund,
            Some(&cookie),
            &[("csrf", &csrf), ("seats", "A2"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert!(
        no_reason.body.contains("Reason says why"),
        "{}",
        no_reason.body
    );
    let refunded = app
        .post_form(
            &refund,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("seats", "A2"),
                ("reason", "a broken seat"),
            ],
        )
        .await;
    assert_eq!(refunded.status, StatusCode::SEE_OTHER, "{}", refunded.body);
    assert_eq!(location(&refunded), format!("{page}?refunded=1"));
    let read = app.store.get_booking(paid.id).await.unwrap().unwrap();
    assert_eq!(read.cancellations[0].seats, ["A2"]);
    assert!(read.cancellations[0].why.contains("a broken seat"));
    assert_eq!(read.cancellations[0].refund.minor, 1075);

    // The door: one ticket admitted of the two still valid.
    let code = read.tickets[0].code.clone();
    assert!(app
        .store
        .admit_ticket(&code, fixtures::t0(), world.alice.id)
        .await
        .unwrap());
    let showtime = format!("/admin/showtimes/{}", world.showtime.showtime.id.0);
    let door = app.get(&showtime, Some(&cookie)).await;
    assert!(
        door.body.contains("id=\"door-admitted\">1<") && door.body.contains("id=\"door-sold\">2<"),
        "{}",
        door.body
    );
    // The same counts as the fragment the page's script reads again every few seconds.
    let fragment = app.get(&format!("{showtime}/door"), Some(&cookie)).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(
        fragment.body.contains("id=\"door-admitted\">1<")
            && fragment.body.contains("id=\"door-sold\">2<")
            && !fragment.body.contains("<html"),
        "{}",
        fragment.body
    );
    assert!(door
        .body
        .contains(&format!("data-door=\"{showtime}/door\"")));

    // Cancelling the showtime refunds the rest and says so on its page.
    let cancel = format!("{showtime}/cancel");
    let cancelled = app
        .post_form(
            &cancel,
            Some(&cookie),
            &[("csrf", &csrf), ("reason", "the projector broke")],
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let info = app
        .store
        .get_showtime(world.showtime.showtime.id, fixtures::t0())
        .await
        .unwrap()
        .unwrap();
    assert!(info.cancelled_at.is_some());
    let other = app.store.get_booking(other.id).await.unwrap().unwrap();
    assert_eq!(
        other.stored_status,
        marquee_domain::BookingStatus::Cancelled
    );
    assert_eq!(other.cancellations[0].refund, other.quote.total);
    let after = app.get(&showtime, Some(&cookie)).await;
    assert!(
        after.body.contains("Cancelled by the cinema"),
        "{}",
        after.body
    );
}

#[tokio::test]
async fn the_mail_page_shows_the_mailbox_and_the_dead_letters_to_owners_only_in_full() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (owner, _) = app.admin_session().await;
    app.account("ana@example.com").await;
    app.account("bo@example.com").await;
    // Ana's reset link goes to the mailbox (no SMTP here), by the worker; Bob's is given up on.
    marquee_server::password_resets::request(&app.app, "ana@example.com")
        .await
        .expect("a reset link");
    let pass = marquee_server::mail::deliver_once(&app.app)
        .await
        .expect("a pass");
    assert_eq!(pass.sent, 1);
    marquee_server::password_resets::request(&app.app, "bo@example.com")
        .await
        .expect("a reset link");
    let claimed = app
        .store
        .claim_messages(marquee_store::mail::Claim {
            node: 9,
            now: fixtures::t0(),
            lease: chrono::Duration::minutes(1),
            limit: 10,
        })
        .await
        .expect("a claim");
    assert_eq!(claimed.len(), 1);
    let refused = marquee_store::mail::Outcome::Failed {
        error: "550 5.1.1 <bo@example.com>: no such mailbox".into(),
    };
    app.store
        .record_delivery(claimed[0].message.id, &refused, fixtures::t0())
        .await
        .expect("recorded");

    let page = app.get("/admin/mail", Some(&owner)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(common::is_html(&page));
    assert!(page
        .body
        .contains("<a href=\"/admin/mail\" aria-current=\"page\">Mail</a>"));
    let mailbox = between(&page.body, "<table class=\"mailbox\">", "</table>");
    assert_eq!(mailbox.matches("<tr>").count(), 2, "a head and one letter");
    assert!(mailbox.contains("<td>ana@example.com</td>"));
    assert!(mailbox.contains("<summary>Marquee: set a new password</summary>"));
    let body = between(mailbox, "<pre>", "</pre>");
    assert!(
        body.contains("http://127.0.0.1:8080/password/reset/"),
        "{body}"
    );
    assert!(mailbox.contains("<time datetime=\"2026-"));
    let dead = between(&page.body, "<table class=\"dead-letters\">", "</table>");
    assert!(dead.contains(&format!(
        "#{} <code>password_reset</code>",
        claimed[0].message.id
    )));
    assert!(
        dead.contains("550 5.1.1 &#60;bo@example.com&#62;: no such mailbox"),
        "the last error, escaped: {dead}"
    );
    assert!(!dead.contains("No dead letters"));

    // A manager sees the mail about their venues' bookings only: not account letters, whose
    // links sign in as someone else.
    let w = fixtures::world(&*app.store).await;
    let sam = marquee_server::accounts::register(&app.app, "sam@example.com", PASSWORD)
        .await
        .expect("an account");
    let access =
        marquee_domain::StaffAccess::new(marquee_domain::StaffRole::Manager, vec![w.venue.id])
            .expect("an access");
    app.store
        .set_staff_access(sam.id, &access, None, fixtures::t0())
        .await
        .expect("a manager");
    let (manager, _) = app.session_of("sam@example.com").await;
    let theirs = app.get("/admin/mail", Some(&manager)).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.body.contains("No letters.") && theirs.body.contains("No dead letters."));
    assert!(!theirs.body.contains("password/reset"));

    let (customer, _) = app.session_of("ana@example.com").await;
    let refused = app.get("/admin/mail", Some(&customer)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("password/reset"));
    let nobody = app.get("/admin/mail", None).await;
    assert_ne!(nobody.status, StatusCode::OK);
    assert!(!nobody.body.contains("password/reset"));
}
