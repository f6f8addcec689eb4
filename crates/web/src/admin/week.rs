//! `/admin/venues/{id}/week?week=`: a venue's week, day by day, its halls as columns and each
//! showtime a block as long as it keeps its hall (adverts, the film, cleaning) on the day's
//! time axis, linking to the showtime's page; and `POST /admin/venues/{id}/week/copy`, the
//! week copied into the next (`scheduling::copy_week`), a clash listed on the page.
//!
//! The pages' CSP allows no inline style, so a block's length cannot be a `style` height: each
//! block and each gap between two holds an empty SVG whose `height` attribute (a presentation
//! attribute, not a style) is its length in pixels, one a minute.

use super::clashes::{refusal, ClashView, Refusal};
use super::today::Bar;
use super::{by, id_of, local, tag_words};
use crate::form::FieldErrors;
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, Days, NaiveDate};
use marquee_domain::VenueId;
use marquee_server::http::admin::schedule::showtime_json;
use marquee_server::http::staff::Manager;
use marquee_server::scheduling::{self, Week};
use marquee_server::App;
use marquee_store::VenueShowtime;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/week.html")]
struct WeekPage {
    shell: Shell,
    csrf: String,
    venue_id: i64,
    venue: String,
    zone: String,
    /// "23–29 November 2026".
    heading: String,
    monday: String,
    previous: String,
    next: String,
    halls: Vec<String>,
    days: Vec<DayView>,
    showtimes: usize,
    /// What the last action did ("3 showtimes scheduled.").
    notice: Option<String>,
    copy_errors: FieldErrors,
    clashes: Vec<ClashView>,
}

struct DayView {
    /// "Monday 23 November".
    label: String,
    /// The hours of the axis: "14:00", "15:00"... (a day's late shows run past midnight).
    hours: Vec<String>,
    /// A lane a hall, in the order of `WeekPage::halls`.
    lanes: Vec<LaneView>,
    empty: bool,
}

struct LaneView {
    hall: String,
    slots: Vec<SlotView>,
}

/// A showtime's block.
struct SlotView {
    id: i64,
    /// Pixels (minutes) of free hall before it.
    gap: u32,
    /// Pixels (minutes) from its start to when its hall is free again.
    length: u32,
    at: String,
    start: String,
    end: String,
    title: String,
    format: String,
    tags: Vec<(&'static str, &'static str)>,
    sold: u32,
    capacity: u32,
    bar: Bar,
    /// Everything the block says, in words (its link's accessible name).
    label: String,
}

/// The query of the week view: everything is text, so a wrong value is a page, not a 400 from
/// the extractor.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WeekQuery {
    week: String,
    scheduled: String,
    copied: String,
    deleted: String,
}

/// The day `text` names, or the 400 page; `None` when it is empty (this week).
fn day_in(text: &str) -> Result<Option<NaiveDate>, PageError> {
    match text.trim() {
        "" => Ok(None),
        day => day.parse().map(Some).map_err(|_| {
            PageError::Status(
                StatusCode::BAD_REQUEST,
                "Give the week as one of its days, like 2026-11-23.",
            )
        }),
    }
}

/// What the query says the last action did.
fn notice(query: &WeekQuery) -> Option<String> {
    let count = |text: &str| text.parse::<usize>().ok();
    let showtimes = |n: usize| match n {
        1 => "1 showtime".to_string(),
        n => format!("{n} showtimes"),
    };
    if let Some(n) = count(&query.scheduled) {
        return Some(format!("{} scheduled.", showtimes(n)));
    }
    if let Some(n) = count(&query.copied) {
        return Some(match n {
            0 => "The week before had no showtimes to copy.".to_string(),
            n => format!("{} copied from the week before.", showtimes(n)),
        });
    }
    (query.deleted == "1").then(|| "The showtime was deleted.".to_string())
}

/// `GET /admin/venues/{id}/week?week=YYYY-MM-DD`.
pub async fn page(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let venue = VenueId(id_of(&id)?);
    let week = scheduling::week(&app, &staff.staff, venue, day_in(&query.week)?).await?;
    let mut page = week_page(&staff, &week);
    page.notice = notice(&query);
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CopyForm {
    week: String,
}

/// `POST /admin/venues/{id}/week/copy {week}`: the week copied into the next, then the next.
pub async fn copy(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(form): Form<CopyForm>,
) -> Result<Response, PageError> {
    let venue = VenueId(id_of(&id)?);
    let week = scheduling::week(&app, &staff.staff, venue, day_in(&form.week)?).await?;
    let actor = by(&app, &staff.staff, "showtime.create", showtime_json);
    match scheduling::copy_week(&app, &staff.staff, venue, week.monday, week.next, actor).await {
        Ok(copies) => Ok(Redirect::to(&format!(
            "/admin/venues/{}/week?week={}&copied={}",
            venue.0,
            week.next,
            copies.len()
        ))
        .into_response()),
        Err(error) => {
            let Refusal {
                status,
                errors,
                clashes,
            } = refusal(&app, week.zone, error, &[]).await?;
            let mut page = week_page(&staff, &week);
            page.copy_errors = errors;
            page.clashes = clashes;
            Ok(html(status, &page))
        }
    }
}

fn week_page(staff: &Staff<Manager>, week: &Week) -> WeekPage {
    let sunday = week.monday + Days::new(6);
    let heading = if week.monday.month() == sunday.month() {
        format!(
            "{}–{}",
            week.monday.format("%-d"),
            sunday.format("%-d %B %Y")
        )
    } else {
        format!(
            "{} – {}",
            week.monday.format("%-d %B"),
            sunday.format("%-d %B %Y")
        )
    };
    WeekPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/venues"),
        csrf: staff.signed_in.csrf.clone(),
        venue_id: week.venue.id.0,
        venue: week.venue.name.clone(),
        zone: week.zone.name().to_string(),
        heading,
        monday: week.monday.to_string(),
        previous: week.previous.to_string(),
        next: week.next.to_string(),
        halls: week
            .halls
            .iter()
            .map(|h| h.auditorium.name.clone())
            .collect(),
        days: (0..7)
            .map(|n| day(week, week.monday + Days::new(n)))
            .collect(),
        showtimes: week.showtimes.len(),
        notice: None,
        copy_errors: FieldErrors::default(),
        clashes: Vec::new(),
    }
}

/// Minutes from the day's midnight on the venue's clock to `at` (past 1440 after midnight).
fn minute_of(day: NaiveDate, at: chrono::NaiveDateTime) -> i64 {
    (at - day.and_time(chrono::NaiveTime::MIN)).num_minutes()
}

/// One day's axis and lanes: from the hour of its first start to the hour after its last
/// showtime frees its hall.
fn day(week: &Week, date: NaiveDate) -> DayView {
    let shows: Vec<&VenueShowtime> = week
        .showtimes
        .iter()
        .filter(|s| {
            s.info
                .showtime
                .starts_at
                .with_timezone(&week.zone)
                .date_naive()
                == date
        })
        .collect();
    let start_of = |s: &VenueShowtime| {
        minute_of(
            date,
            s.info
                .showtime
                .starts_at
                .with_timezone(&week.zone)
                .naive_local(),
        )
    };
    let length_of =
        |s: &VenueShowtime| (s.info.showtime.ends_at - s.info.showtime.starts_at).num_minutes();
    let first = shows.iter().map(|s| start_of(s)).min().unwrap_or(0) / 60 * 60;
    let last = shows
        .iter()
        .map(|s| start_of(s) + length_of(s).max(1))
        .max()
        .unwrap_or(0);
    let hours = (first / 60..(last + 59) / 60)
        .map(|h| format!("{:02}:00", h % 24))
        .collect();
    let lanes = week
        .halls
        .iter()
        .map(|hall| {
            let mut at = first;
            let slots = shows
                .iter()
                .filter(|s| s.info.showtime.auditorium_id == hall.auditorium.id)
                .map(|s| {
                    let start = start_of(s);
                    let length = length_of(s).max(1);
                    let gap = (start - at).max(0);
                    at = at.max(start + length);
                    slot(week, s, gap, length)
                })
                .collect();
            LaneView {
                hall: hall.auditorium.name.clone(),
                slots,
            }
        })
        .collect();
    DayView {
        label: date.format("%A %-d %B").to_string(),
        hours,
        lanes,
        empty: shows.is_empty(),
    }
}

fn slot(week: &Week, shown: &VenueShowtime, gap: i64, length: i64) -> SlotView {
    let s = &shown.info.showtime;
    let pixels = |minutes: i64| u32::try_from(minutes).unwrap_or(u32::MAX);
    let tags: Vec<(&str, &str)> = s.access.iter().map(|t| tag_words(*t)).collect();
    let start = local(s.starts_at, week.zone, "%H:%M");
    let end = local(s.ends_at, week.zone, "%H:%M");
    let bar = Bar::new(shown.info.capacity, shown.seats_sold, shown.seats_held);
    let mut label = format!("{start} to {end}, {}, {}", shown.info.event_title, s.format);
    for (_, words) in &tags {
        label.push_str(", ");
        label.push_str(words);
    }
    label.push_str(&format!(", {}", bar.label));
    SlotView {
        id: s.id.0,
        gap: pixels(gap),
        length: pixels(length),
        at: s.starts_at.to_rfc3339(),
        start,
        end,
        title: shown.info.event_title.clone(),
        format: s.format.clone(),
        tags,
        sold: shown.seats_sold,
        capacity: shown.info.capacity,
        bar,
        label,
    }
}
