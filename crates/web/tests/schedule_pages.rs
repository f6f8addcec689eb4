//! The schedule's pages over HTTP, in process: the week view, the schedule form, copying a
//! week, a showtime's page and the price plan. What a page changed is read back from the
//! store, never from the page. The clock stands at `fixtures::t0()`, Monday 23 November 2026
//! 12:00 UTC; the world's venue is in Lisbon (UTC in winter), with the film "The Long Light"
//! (100 minutes) on Tuesday 24 November at 12:00 in "Sala 1".

mod common;

use axum::http::{header, StatusCode};
use common::{TestApp, PASSWORD};
use marquee_domain::{ShowtimeId, StaffAccess, StaffRole, VenueId};
use marquee_server::price_plans::{self, PlanInput, RuleInput};
use marquee_store::conformance::fixtures::{self, World};
use marquee_store::{Actor, VenueShowtime};

/// The world, a price plan for its venue (adult 10.00, 8.00 before 17:00 on weekdays; child
/// 6.00), and an owner's session.
async fn world(app: &TestApp) -> (World, String, String) {
    let world = fixtures::world(&*app.store).await;
    let plan = price_plans::plan(PlanInput {
        currency: "EUR".into(),
        booking_fee_minor: 50,
        ticket_types: vec![
            ("adult".into(), "Adult".into()),
            ("child".into(), "Child".into()),
        ],
        rules: vec![
            RuleInput {
                ticket_type: "adult".into(),
                weekdays: ["mon", "tue", "wed", "thu", "fri"]
                    .map(String::from)
                    .to_vec(),
                until: Some("17:00".into()),
                price_minor: 800,
                ..RuleInput::default()
            },
            RuleInput {
                ticket_type: "adult".into(),
                price_minor: 1000,
                ..RuleInput::default()
            },
            RuleInput {
                ticket_type: "child".into(),
                price_minor: 600,
                ..RuleInput::default()
            },
        ],
    })
    .expect("a plan");
    app.store
        .put_price_plan(world.venue.id, &plan, fixtures::t0(), Actor::System)
        .await
        .expect("the plan stored");
    let (cookie, csrf) = app.admin_session().await;
    (world, cookie, csrf)
}

/// The venue's showtimes of the week of `monday`, read from the store.
async fn stored_week(app: &TestApp, venue: VenueId, monday: &str) -> Vec<VenueShowtime> {
    let monday: chrono::NaiveDate = monday.parse().expect("a date");
    let (from, _) = marquee_domain::catalog::day_bounds(chrono_tz::Europe::Lisbon, monday);
    let (until, _) = marquee_domain::catalog::day_bounds(
        chrono_tz::Europe::Lisbon,
        monday + chrono::Days::new(7),
    );
    app.store
        .venue_schedule(venue, from, until, fixtures::t0())
        .await
        .expect("a read")
}

/// The lane of `hall` on `day` ("Tuesday 24 November") in a week page.
fn lane<'a>(page: &'a str, hall: &str, day: &str) -> &'a str {
    let start = format!("<ol class=\"lane\" aria-label=\"{hall}, {day}\">");
    let at = page
        .find(&start)
        .unwrap_or_else(|| panic!("{start} in {page}"));
    page[at..].split("</ol>").next().unwrap_or("")
}

fn location(answer: &common::Answer) -> &str {
    answer.header(header::LOCATION)
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn the_week_view_shows_each_showtime_in_its_halls_column_as_long_as_it_keeps_the_hall() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (world, cookie, _) = world(&app).await;
    let second = fixtures::auditorium(&*app.store, world.venue.id, "Sala <2>", "A  ssss").await;
    let short = fixtures::event(&*app.store, "Short <i>Film</i>", 25).await;
    let late = fixtures::schedule(
        &*app.store,
        &short,
        &second,
        fixtures::at_local(chrono_tz::Europe::Lisbon, "2026-11-24 23:30"),
    )
    .await;
    let venue = world.venue.id.0;

    let page = app
        .get(
            &format!("/admin/venues/{venue}/week?week=2026-11-26"),
            Some(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<h1>23–29 November 2026</h1>"),
        "{}",
        page.body
    );
    let first = lane(&page.body, "Sala 1", "Tuesday 24 November");
    let shown = world.showtime.showtime.id.0;
    assert!(
        first.contains(&format!("href=\"/admin/showtimes/{shown}\"")),
        "{first}"
    );
    assert!(first.contains("The Long Light") && first.contains("12:00</time>–14:15"));
    // A block is as long as its slot: adverts 20, the film 100, cleaning 15 minutes.
    assert!(first.contains("height=\"135\""), "{first}");
    assert!(!first.contains(&format!("/admin/showtimes/{}", late.showtime.id.0)));
    // The other hall's column; names and titles escaped; a late show runs the day's axis past
    // midnight (20 + 25 + 15 minutes from 23:30 is 00:30).
    let other = lane(&page.body, "Sala &#60;2&#62;", "Tuesday 24 November");
    assert!(other.contains(&format!("/admin/showtimes/{}", late.showtime.id.0)));
    assert!(
        other.contains("Short &#60;i&#62;Film&#60;/i&#62;"),
        "{other}"
    );
    assert!(other.contains("height=\"60\"") && other.contains("00:30"));
    assert!(!page.body.contains("<i>Film"));
    assert!(
        page.body.contains("<span>00:00</span>"),
        "the axis goes on past midnight"
    );
    // Seats sold of all, and the weeks around it.
    assert!(first.contains("0/21 sold"), "{first}");
    assert!(page
        .body
        .contains(&format!("/admin/venues/{venue}/week?week=2026-11-16")));
    assert!(page
        .body
        .contains(&format!("/admin/venues/{venue}/week?week=2026-11-30")));
    assert_eq!(page.body.matches("No showtimes.").count(), 6);

    // Another week has none of them; a week that is no date is refused.
    let next = app
        .get(
            &format!("/admin/venues/{venue}/week?week=2026-11-30"),
            Some(&cookie),
        )
        .await;
    assert!(!next.body.contains("The Long Light"));
    assert_eq!(next.body.matches("No showtimes.").count(), 7);
    let wrong = app
        .get(
            &format!("/admin/venues/{venue}/week?week=next"),
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    // The calendar's last week has no week after it: refused, not a failure.
    let (first, last) = (chrono::NaiveDate::MIN, chrono::NaiveDate::MAX);
    let query = |day: chrono::NaiveDate| day.to_string().replace('+', "%2B");
    for path in [
        format!("/admin/venues/{venue}/week?week={}", query(last)),
        format!("/admin/venues/{venue}/week?week={}", query(first)),
        format!("/admin/venues/{venue}/schedule?week={}", query(last)),
        format!("/admin/venues/{venue}/schedule?week={}", query(first)),
    ] {
        let edge = app.get(&path, Some(&cookie)).await;
        assert!(
            edge.status.is_client_error() || edge.status == StatusCode::OK,
            "{path}: {}",
            edge.status
        );
    }

    // The venue's page and the navigation lead here.
    let venue_page = app
        .get(&format!("/admin/venues/{venue}"), Some(&cookie))
        .await;
    assert!(venue_page
        .body
        .contains(&format!("href=\"/admin/venues/{venue}/week\"")));
    assert!(venue_page
        .body
        .contains(&format!("href=\"/admin/venues/{venue}/price-plan\"")));
    assert!(venue_page.body.contains("href=\"/admin/price-plans\""));
}

/// The schedule form's fields for the world's film in the world's hall.
fn schedule_form(world: &World, csrf: &str, times: &str) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("csrf", csrf.to_string()),
        ("event_id", world.event.id.0.to_string()),
        (
            "auditorium_id",
            world.auditorium.auditorium.id.0.to_string(),
        ),
        ("times", times.to_string()),
        ("from", "2026-11-30".into()),
        ("to", "2026-12-06".into()),
        ("format", "3D".into()),
        ("subtitles", "en".into()),
        ("access", "captioned".into()),
    ];
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        form.push(("weekdays", day.to_string()));
    }
    form
}

#[tokio::test]
async fn the_schedule_form_schedules_a_week_and_shows_a_clash_on_the_form() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (world, cookie, csrf) = world(&app).await;
    let venue = world.venue.id;
    let path = format!("/admin/venues/{}/schedule", venue.0);

    let form = app
        .get(&format!("{path}?week=2026-11-30"), Some(&cookie))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("value=\"2026-11-30\"") && form.body.contains("value=\"2026-12-06\"")
    );
    assert!(form.body.contains("The Long Light (100 min)"));
    assert!(form.body.contains("value=\"audio_described\""));

    let done = app
        .post_form(
            &path,
            Some(&cookie),
            &pairs(&schedule_form(&world, &csrf, "14:00, 9:30")),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        location(&done),
        format!(
            "/admin/venues/{}/week?week=2026-11-30&scheduled=14",
            venue.0
        )
    );
    let made = stored_week(&app, venue, "2026-11-30").await;
    assert_eq!(made.len(), 14);
    assert!(made.iter().all(|s| s.info.showtime.format == "3D"
        && s.info.showtime.access == [marquee_domain::AccessTag::Captioned]
        && s.info.showtime.subtitles.as_deref() == Some("en")));
    let week = app.get(location(&done), Some(&cookie)).await;
    assert!(
        week.body.contains("14 showtimes scheduled."),
        "{}",
        week.body
    );
    assert!(lane(&week.body, "Sala 1", "Sunday 6 December").contains("09:30</time>"));

    // 15:00 meets every 14:00 showtime: nothing is made, each clash is listed on the form, and
    // what was typed is kept.
    let clash = app
        .post_form(
            &path,
            Some(&cookie),
            &pairs(&schedule_form(&world, &csrf, "15:00")),
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.body);
    assert!(clash
        .body
        .contains("Nothing was changed: 7 showtimes would overlap"));
    let clashes = clash
        .body
        .split("class=\"clashes\"")
        .nth(1)
        .expect("the clashes");
    assert_eq!(clashes.matches("<li>").count(), 7, "{clashes}");
    assert!(
        clashes.contains("Mon 30 Nov 15:00–17:15</span> would overlap"),
        "{clashes}"
    );
    assert!(clashes.contains("The Long Light</a> in Sala 1, Mon 30 Nov 14:00–16:15"));
    assert!(clash
        .body
        .contains("name=\"times\" type=\"text\" value=\"15:00\""));
    assert!(clash.body.contains("value=\"captioned\" checked"));
    assert!(clash.body.contains("value=\"3D\""));
    assert_eq!(stored_week(&app, venue, "2026-11-30").await.len(), 14);

    // A field that cannot be read, or that the service refuses, has its error beside it.
    for (field, typed, id) in [
        ("times", "25:00", "schedule-times-error"),
        ("format", "", "schedule-format-error"),
        ("from", "someday", "schedule-from-error"),
        ("event_id", "", "schedule-film-error"),
    ] {
        let mut form = schedule_form(&world, &csrf, "12:00");
        for pair in form.iter_mut().filter(|(k, _)| *k == field) {
            pair.1 = typed.to_string();
        }
        let refused = app.post_form(&path, Some(&cookie), &pairs(&form)).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{field}: {}",
            refused.body
        );
        assert!(
            refused.body.contains(&format!("id=\"{id}\"")),
            "{field}: {}",
            refused.body
        );
    }
    let mut no_days = schedule_form(&world, &csrf, "12:00");
    no_days.retain(|(k, _)| *k != "weekdays");
    let refused = app.post_form(&path, Some(&cookie), &pairs(&no_days)).await;
    assert!(
        refused
            .body
            .contains("id=\"schedule-weekdays-error\">Weekdays: give at least one weekday."),
        "{}",
        refused.body
    );
    assert_eq!(stored_week(&app, venue, "2026-11-30").await.len(), 14);
}

#[tokio::test]
async fn copying_a_week_copies_it_and_a_clash_is_listed_on_the_week() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (world, cookie, csrf) = world(&app).await;
    let venue = world.venue.id;
    let path = format!("/admin/venues/{}/week/copy", venue.0);
    // The world's showtime was stored with the fixtures' prices; copies take the plan's.
    let copied = app
        .post_form(
            &path,
            Some(&cookie),
            &[("csrf", &csrf), ("week", "2026-11-23")],
        )
        .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER, "{}", copied.body);
    assert_eq!(
        location(&copied),
        format!("/admin/venues/{}/week?week=2026-11-30&copied=1", venue.0)
    );
    let next = stored_week(&app, venue, "2026-11-30").await;
    assert_eq!(next.len(), 1);
    assert_eq!(
        next[0].info.showtime.starts_at,
        fixtures::at_local(chrono_tz::Europe::Lisbon, "2026-12-01 12:00")
    );
    let page = app.get(location(&copied), Some(&cookie)).await;
    assert!(page
        .body
        .contains("1 showtime copied from the week before."));

    // Again: the copy would meet the first copy; the week's page lists the clash.
    let again = app
        .post_form(
            &path,
            Some(&cookie),
            &[("csrf", &csrf), ("week", "2026-11-23")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(
        again.body.contains("<h1>23–29 November 2026</h1>"),
        "the week's page"
    );
    assert!(again.body.contains("id=\"copy-error\""));
    let clashes = again
        .body
        .split("class=\"clashes\"")
        .nth(1)
        .expect("the clashes");
    assert!(clashes.contains(&format!("/admin/showtimes/{}", next[0].info.showtime.id.0)));
    assert!(clashes.contains("Tue 1 Dec 12:00–14:15"), "{clashes}");
    assert_eq!(stored_week(&app, venue, "2026-11-30").await.len(), 1);
}

#[tokio::test]
async fn a_showtime_is_retimed_and_deleted_on_its_page_and_refusals_are_shown_there() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (world, cookie, csrf) = world(&app).await;
    let venue = world.venue.id;
    let hall = world.auditorium.auditorium.id.0.to_string();
    // Wednesday 25 November at 15:00, priced by the plan: before 17:00 on a weekday.
    let mut form = schedule_form(&world, &csrf, "15:00");
    form.retain(|(k, _)| *k != "weekdays" && *k != "from" && *k != "to");
    form.extend([
        ("weekdays", "wed".to_string()),
        ("from", "2026-11-25".into()),
        ("to", "2026-11-25".into()),
    ]);
    let made = app
        .post_form(
            &format!("/admin/venues/{}/schedule", venue.0),
            Some(&cookie),
            &pairs(&form),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let week = stored_week(&app, venue, "2026-11-23").await;
    let id = week
        .iter()
        .find(|s| s.info.showtime.id != world.showtime.showtime.id)
        .expect("the new showtime")
        .info
        .showtime
        .id;
    let path = format!("/admin/showtimes/{}", id.0);

    let page = app.get(&path, Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for shown in [
        "<h1>The Long Light</h1>",
        "Wednesday 25 November 2026, 15:00–17:15 in Sala 1",
        "Captioned (SDH)",
        "subtitles en",
        "a booking fee of 0.50 a seat",
        "<th scope=\"row\">Adult</th><td class=\"num\">8.00</td>",
        "<th scope=\"row\">Child</th><td class=\"num\">6.00</td>",
        "id=\"seats-sold\">0<",
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }

    // Retimed to 18:00: after 17:00, so priced again at 10.00.
    let retime = |time: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("date", "2026-11-25".to_string()),
            ("time", time.to_string()),
            ("auditorium_id", hall.clone()),
        ]
    };
    let moved = app
        .post_form(&path, Some(&cookie), &pairs(&retime("18:00")))
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(location(&moved), path);
    let stored = app
        .store
        .get_showtime(id, fixtures::t0())
        .await
        .expect("a read")
        .expect("the showtime");
    let six_pm = fixtures::at_local(chrono_tz::Europe::Lisbon, "2026-11-25 18:00");
    assert_eq!(stored.showtime.starts_at, six_pm);
    let page = app.get(&path, Some(&cookie)).await;
    assert!(page
        .body
        .contains("<th scope=\"row\">Adult</th><td class=\"num\">10.00</td>"));

    // Into the world's showtime (Tuesday 12:00 to 14:15): refused, the clash listed, the time
    // as typed; a time that is none is refused next to its field.
    let mut clash = retime("13:00");
    clash[1].1 = "2026-11-24".into();
    let refused = app.post_form(&path, Some(&cookie), &pairs(&clash)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let clashes = refused
        .body
        .split("class=\"clashes\"")
        .nth(1)
        .expect("the clashes");
    assert!(clashes.contains(&format!(
        "/admin/showtimes/{}",
        world.showtime.showtime.id.0
    )));
    assert!(refused.body.contains("value=\"13:00\""));
    let refused = app
        .post_form(&path, Some(&cookie), &pairs(&retime("25:00")))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("id=\"move-time-error\""),
        "{}",
        refused.body
    );

    // A live hold pins it: neither moved nor deleted, each refusal told on the page.
    let held = app
        .store
        .hold_seats(fixtures::hold(
            &world.alice,
            &stored,
            &["A1"],
            fixtures::t0(),
        ))
        .await;
    assert!(held.is_ok());
    assert!(app
        .get(&path, Some(&cookie))
        .await
        .body
        .contains("id=\"seats-held\">1<"));
    let pinned = app
        .post_form(&path, Some(&cookie), &pairs(&retime("19:00")))
        .await;
    assert_eq!(pinned.status, StatusCode::CONFLICT);
    assert!(pinned.body.contains("It has sales"), "{}", pinned.body);
    assert!(
        pinned.body.contains("id=\"move-reason-error\""),
        "{}",
        pinned.body
    );
    let kept = app
        .post_form(&format!("{path}/delete"), Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(kept.status, StatusCode::CONFLICT);
    assert!(kept.body.contains("has bookings"), "{}", kept.body);
    let stored_now = app
        .store
        .get_showtime(id, fixtures::t0())
        .await
        .expect("a read");
    assert_eq!(stored_now.map(|s| s.showtime.starts_at), Some(six_pm));
    // With a reason it moves, the hold and a sale with it; the sale's buyer is told.
    fixtures::paid(&*app.store, &world.bob, &stored, &["A2"], fixtures::t0()).await;
    let mut with_reason = retime("19:00");
    with_reason.push(("reason", "the hall is needed".to_string()));
    let moved = app
        .post_form(&path, Some(&cookie), &pairs(&with_reason))
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let stored_now = app
        .store
        .get_showtime(id, fixtures::t0())
        .await
        .expect("a read");
    assert_eq!(
        stored_now.map(|s| s.showtime.starts_at),
        Some(six_pm + chrono::Duration::hours(1))
    );
    let page = app.get(&path, Some(&cookie)).await;
    assert!(page.body.contains("the hall is needed"), "{}", page.body);
    assert!(page.body.contains("id=\"move-told\">1<"), "{}", page.body);
    assert!(page.body.contains("id=\"move-kept\">0<"), "{}", page.body);

    // The world's showtime never had a booking: deleted, back to its week.
    let gone = world.showtime.showtime.id;
    let deleted = app
        .post_form(
            &format!("/admin/showtimes/{}/delete", gone.0),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    assert_eq!(
        location(&deleted),
        format!("/admin/venues/{}/week?week=2026-11-23&deleted=1", venue.0)
    );
    assert!(app
        .store
        .get_showtime(gone, fixtures::t0())
        .await
        .expect("a read")
        .is_none());
}

/// A whole plan form: two types and a blank one; rules out of order, one blank, one removed.
fn plan_form(csrf: &str) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> = [
        ("csrf", csrf),
        ("currency", "EUR"),
        ("booking_fee", "0.75"),
        ("type_code_0", "adult"),
        ("type_name_0", "Adult"),
        ("type_code_1", "child"),
        ("type_name_1", "Child"),
        ("type_code_2", ""),
        ("type_name_2", ""),
        ("rule_position_0", "2"),
        ("rule_type_0", "adult"),
        ("rule_price_0", "12.50"),
        ("rule_position_1", "1"),
        ("rule_type_1", "adult"),
        ("rule_until_1", "17:00"),
        ("rule_price_1", "9"),
        ("rule_position_2", "3"),
        ("rule_type_2", "child"),
        ("rule_category_2", "standard"),
        ("rule_formats_2", "3D, IMAX"),
        ("rule_price_2", "7.5"),
        ("rule_position_3", "4"),
        ("rule_type_3", ""),
        ("rule_price_3", ""),
        ("rule_position_4", "5"),
        ("rule_type_4", "adult"),
        ("rule_price_4", "1.00"),
        ("rule_remove_4", "1"),
    ]
    .map(|(k, v)| (k, v.to_string()))
    .to_vec();
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        form.push(("rule_weekdays_1", day.to_string()));
    }
    form
}

fn with(form: &[(&'static str, String)], field: &str, value: &str) -> Vec<(&'static str, String)> {
    form.iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == field {
                    value.to_string()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

#[tokio::test]
async fn the_price_plan_form_saves_the_plan_and_a_wrong_one_changes_nothing() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (_, porto) = fixtures::city_in(&*app.store, "Porto", chrono_tz::Europe::Lisbon).await;
    let (cookie, csrf) = app.admin_session().await;
    let path = format!("/admin/venues/{}/price-plan", porto.id.0);

    let first = app.get(&path, Some(&cookie)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains("has no price plan yet"));
    assert!(first.body.contains("name=\"type_code_0\" value=\"adult\""));

    let saved = app
        .post_form(&path, Some(&cookie), &pairs(&plan_form(&csrf)))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(location(&saved), format!("{path}?saved=1"));
    let plan = app
        .store
        .venue_price_plan(porto.id)
        .await
        .expect("a read")
        .expect("a plan");
    assert_eq!(plan.booking_fee_minor(), 75);
    let codes: Vec<&str> = plan
        .ticket_types()
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(codes, ["adult", "child"]);
    let rules: Vec<(&str, i64)> = plan
        .rules()
        .iter()
        .map(|r| (r.ticket_type.as_str(), r.price_minor))
        .collect();
    assert_eq!(
        rules,
        [("adult", 900), ("adult", 1250), ("child", 750)],
        "in # order"
    );
    assert_eq!(plan.rules()[0].weekdays.len(), 5);
    assert_eq!(
        plan.rules()[0].until,
        chrono::NaiveTime::from_hms_opt(17, 0, 0)
    );
    assert_eq!(plan.rules()[2].formats, ["3D", "IMAX"]);
    assert_eq!(
        plan.rules()[2].category,
        Some(marquee_domain::SeatCategory::Standard)
    );
    let page = app.get(location(&saved), Some(&cookie)).await;
    assert!(page.body.contains("The plan is saved."));
    assert!(
        page.body.contains("name=\"rule_price_0\" value=\"9.00\""),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("name=\"booking_fee\" type=\"text\" value=\"0.75\""));

    // A price that is no amount, a rule the service refuses, a currency that is none, a fee
    // below nothing: each shown where it is, what was typed kept, the plan unchanged.
    for (field, typed, shown) in [
        (
            "rule_price_0",
            "12,50",
            "id=\"rule-0-error\">Give the price as 12.50.",
        ),
        (
            "rule_until_1",
            "5pm",
            "id=\"rule-1-error\">Rule 1 until: &#34;5pm&#34; is not a time HH:MM.",
        ),
        ("rule_type_2", "senior", "id=\"rule-2-error\">Rule 3"),
        ("currency", "euro", "id=\"plan-currency-error\">Currency:"),
        ("booking_fee", "-1", "id=\"plan-fee-error\""),
    ] {
        let refused = app
            .post_form(
                &path,
                Some(&cookie),
                &pairs(&with(&plan_form(&csrf), field, typed)),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(refused.body.contains(shown), "{field}: {}", refused.body);
        assert!(
            refused
                .body
                .contains(&format!("value=\"{}\"", typed.replace('"', "&#34;"))),
            "{field}"
        );
        // The rows as typed, the blank ones offered once again (not twice).
        assert_eq!(
            refused.body.matches("name=\"type_code_").count(),
            4,
            "{field}"
        );
        assert_eq!(
            refused.body.matches("name=\"rule_type_").count(),
            7,
            "{field}"
        );
        let now = app.store.venue_price_plan(porto.id).await.expect("a read");
        assert_eq!(now.as_ref(), Some(&plan), "{field}: unchanged");
    }
    let list = app.get("/admin/price-plans", Some(&cookie)).await;
    assert!(
        list.body.contains("EUR · 2 ticket types · 3 rules"),
        "{}",
        list.body
    );
}

#[tokio::test]
async fn another_venues_manager_gets_404_for_every_schedule_page() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (world, _, _) = world(&app).await;
    let (_, theirs) = fixtures::city_in(&*app.store, "Porto", chrono_tz::Europe::Lisbon).await;
    let sam = marquee_server::accounts::register(&app.app, "sam@example.com", PASSWORD)
        .await
        .expect("an account");
    let access = StaffAccess::new(StaffRole::Manager, vec![theirs.id]).expect("an access");
    app.store
        .set_staff_access(sam.id, &access, None, fixtures::t0())
        .await
        .expect("a manager");
    let (cookie, csrf) = app.session_of("sam@example.com").await;
    let venue = world.venue.id.0;
    let showtime = world.showtime.showtime.id.0;

    for path in [
        format!("/admin/venues/{venue}/week"),
        format!("/admin/venues/{venue}/week?week=2026-11-30"),
        format!("/admin/venues/{venue}/schedule"),
        format!("/admin/venues/{venue}/price-plan"),
        format!("/admin/showtimes/{showtime}"),
        format!("/admin/showtimes/{showtime}/door"),
    ] {
        let answer = app.get(&path, Some(&cookie)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(common::is_html(&answer), "{path}");
    }
    let hall = world.auditorium.auditorium.id.0.to_string();
    let posts: Vec<(String, Vec<(&'static str, String)>)> = vec![
        (
            format!("/admin/venues/{venue}/week/copy"),
            vec![("csrf", csrf.clone()), ("week", "2026-11-23".into())],
        ),
        (
            format!("/admin/venues/{venue}/schedule"),
            schedule_form(&world, &csrf, "20:00"),
        ),
        (
            format!("/admin/venues/{venue}/price-plan"),
            plan_form(&csrf),
        ),
        (
            format!("/admin/showtimes/{showtime}"),
            vec![
                ("csrf", csrf.clone()),
                ("date", "2026-11-26".into()),
                ("time", "20:00".into()),
                ("auditorium_id", hall),
            ],
        ),
        (
            format!("/admin/showtimes/{showtime}/delete"),
            vec![("csrf", csrf.clone())],
        ),
    ];
    for (path, form) in &posts {
        let answer = app.post_form(path, Some(&cookie), &pairs(form)).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            answer.body
        );
    }
    // Nothing of the world's venue changed; their own venue's pages open.
    assert_eq!(
        stored_week(&app, world.venue.id, "2026-11-23").await.len(),
        1
    );
    assert!(stored_week(&app, world.venue.id, "2026-11-30")
        .await
        .is_empty());
    let plan = app
        .store
        .venue_price_plan(world.venue.id)
        .await
        .expect("a read");
    assert_eq!(plan.map(|p| p.booking_fee_minor()), Some(50));
    let kept = app
        .store
        .get_showtime(ShowtimeId(showtime), fixtures::t0())
        .await
        .expect("a read")
        .expect("still there");
    assert_eq!(kept.showtime.starts_at, world.showtime.showtime.starts_at);
    let own = app
        .get(
            &format!("/admin/venues/{}/week", theirs.id.0),
            Some(&cookie),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
    let list = app.get("/admin/price-plans", Some(&cookie)).await;
    assert!(list.body.contains("Cinema Porto") && !list.body.contains("Cinema Tejo"));
}

#[tokio::test]
async fn seats_are_blocked_and_unblocked_on_the_showtime_page_and_a_held_one_is_refused() {
    let app = TestApp::start("http://127.0.0.1:8080").await;
    let (world, cookie, csrf) = world(&app).await;
    let id = world.showtime.showtime.id;
    let path = format!("/admin/showtimes/{}", id.0);
    app.store
        .hold_seats(fixtures::hold(
            &world.alice,
            &world.showtime,
            &["A3"],
            fixtures::t0(),
        ))
        .await
        .expect("a hold");
    let blocked_in_store = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .blocked_seats(id, world.venue.id)
                .await
                .expect("a read")
                .labels
        }
    };

    // Typed in lower case, apart by a comma and spaces.
    let blocked = app
        .post_form(
            &format!("{path}/block"),
            Some(&cookie),
            &[("csrf", &csrf), ("seats", "a1, a2 ")],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER, "{}", blocked.body);
    assert_eq!(blocked_in_store(&app).await, ["A1", "A2"]);
    let page = app.get(&path, Some(&cookie)).await;
    assert!(
        page.body.contains("aria-label=\"Put A1 back on sale\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Unblock all 2"));

    // A held seat is refused next to the field, with what was typed; nothing changes.
    let refused = app
        .post_form(
            &format!("{path}/block"),
            Some(&cookie),
            &[("csrf", &csrf), ("seats", "A3 A4")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused
        .body
        .contains("A3 is held or sold: only free seats can be blocked"));
    assert!(refused.body.contains("value=\"A3 A4\""));
    let unknown = app
        .post_form(
            &format!("{path}/block"),
            Some(&cookie),
            &[("csrf", &csrf), ("seats", "Z99")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("No such seat here: Z99"));
    assert_eq!(blocked_in_store(&app).await, ["A1", "A2"]);

    let unblocked = app
        .post_form(
            &format!("{path}/unblock"),
            Some(&cookie),
            &[("csrf", &csrf), ("seats", "A1")],
        )
        .await;
    assert_eq!(
        unblocked.status,
        StatusCode::SEE_OTHER,
        "{}",
        unblocked.body
    );
    assert_eq!(blocked_in_store(&app).await, ["A2"]);
}
