//! `/admin/venues/{id}/schedule`: a film put on in one of the venue's halls at some times on
//! some weekdays from one date to another (`scheduling::schedule_many`: all or nothing). A
//! clash lists each clash on the form with what was typed kept; a field's error is next to it;
//! done, the week view of the first new showtime.

use super::clashes::{refusal, ClashView, Refusal};
use super::{by, id_of, tag_words};
use crate::form::FieldErrors;
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Days, NaiveDate};
use marquee_domain::{AccessTag, AuditoriumId, EventId, VenueId};
use marquee_server::http::admin::schedule::showtime_json;
use marquee_server::http::staff::Manager;
use marquee_server::scheduling::{self, monday_of, Repeat, ShowtimeTerms};
use marquee_server::{back_office, App};
use serde::Deserialize;

/// The most films the form's list offers (by title).
const MAX_FILMS: u32 = 1000;

/// The weekdays as the service names them, and as people read them.
const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
];

/// Formats the form suggests; any other may be typed.
const FORMATS: [&str; 5] = ["2D", "3D", "IMAX", "IMAX 3D", "4DX"];

/// The form's fields as the service names them, for its messages.
const FIELDS: [&str; 10] = [
    "event_id",
    "auditorium_id",
    "times",
    "weekdays",
    "from",
    "to",
    "format",
    "audio_language",
    "subtitles",
    "access",
];

/// The form as typed: weekdays and tags are checkboxes, so their fields repeat.
#[derive(Default)]
pub struct ScheduleForm {
    event_id: String,
    auditorium_id: String,
    times: String,
    weekdays: Vec<String>,
    from: String,
    to: String,
    format: String,
    audio_language: String,
    subtitles: String,
    access: Vec<String>,
}

impl ScheduleForm {
    fn parse(body: &[u8]) -> ScheduleForm {
        let mut form = ScheduleForm::default();
        for (name, value) in form_urlencoded::parse(body) {
            let value = value.into_owned();
            match &*name {
                "event_id" => form.event_id = value,
                "auditorium_id" => form.auditorium_id = value,
                "times" => form.times = value,
                "weekdays" => form.weekdays.push(value),
                "from" => form.from = value,
                "to" => form.to = value,
                "format" => form.format = value,
                "audio_language" => form.audio_language = value,
                "subtitles" => form.subtitles = value,
                "access" => form.access.push(value),
                _ => {}
            }
        }
        form
    }

    fn has_weekday(&self, day: &&str) -> bool {
        self.weekdays.iter().any(|d| d == day)
    }

    fn has_tag(&self, tag: &&str) -> bool {
        self.access.iter().any(|t| t == tag)
    }

    /// The start times typed, as the service takes them: split at commas and spaces, a
    /// one-digit hour given its zero (`9:30` is `09:30`).
    fn times(&self) -> Vec<String> {
        self.times
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(|t| match t.split_once(':') {
                Some((hour, _)) if hour.len() == 1 => format!("0{t}"),
                _ => t.to_string(),
            })
            .collect()
    }

    /// What the service is given, or the error of a field that cannot be read.
    fn input(&self, halls: &[(String, String)]) -> Result<(ShowtimeTerms, Repeat), FieldErrors> {
        let event_id = self
            .event_id
            .trim()
            .parse()
            .map_err(|_| FieldErrors::one("event_id", "Choose a film."))?;
        let auditorium_id = halls
            .iter()
            .find(|(id, _)| *id == self.auditorium_id)
            .and_then(|(id, _)| id.parse().ok())
            .ok_or_else(|| {
                FieldErrors::one("auditorium_id", "Choose one of the venue's auditoriums.")
            })?;
        let date = |field: &'static str, text: &str| {
            text.trim()
                .parse::<NaiveDate>()
                .map_err(|_| FieldErrors::one(field, "Give the date as 2026-12-24."))
        };
        let optional = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
        let terms = ShowtimeTerms {
            event_id: EventId(event_id),
            auditorium_id: AuditoriumId(auditorium_id),
            format: self.format.clone(),
            audio_language: optional(&self.audio_language),
            subtitles: optional(&self.subtitles),
            access: self.access.clone(),
            sales_open_at: None,
            sales_close_minutes: None,
        };
        let repeat = Repeat {
            times: self.times(),
            weekdays: self.weekdays.clone(),
            from: date("from", &self.from)?,
            to: date("to", &self.to)?,
        };
        Ok((terms, repeat))
    }
}

#[derive(Template)]
#[template(path = "admin/schedule.html")]
struct SchedulePage {
    shell: Shell,
    csrf: String,
    venue_id: i64,
    venue: String,
    /// The Monday of the week the form came from (its week view is the way back).
    week: String,
    films: Vec<(String, String)>,
    halls: Vec<(String, String)>,
    weekdays: [(&'static str, &'static str); 7],
    tags: Vec<(&'static str, &'static str)>,
    formats: [&'static str; 5],
    form: ScheduleForm,
    errors: FieldErrors,
    clashes: Vec<ClashView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FormQuery {
    week: String,
    hall: String,
}

async fn schedule_page(
    app: &App,
    staff: &Staff<Manager>,
    venue: VenueId,
    week: NaiveDate,
    form: ScheduleForm,
) -> Result<SchedulePage, PageError> {
    let name = back_office::venue(app, &staff.staff, venue).await?.name;
    let films = back_office::list_events(app, 1, MAX_FILMS)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.id.0.to_string(),
                format!("{} ({} min)", e.title, e.runtime_minutes),
            )
        })
        .collect();
    Ok(SchedulePage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/venues"),
        csrf: staff.signed_in.csrf.clone(),
        venue_id: venue.0,
        venue: name,
        week: week.to_string(),
        films,
        halls: halls(app, staff, venue).await?,
        weekdays: WEEKDAYS,
        tags: AccessTag::ALL
            .iter()
            .map(|t| (t.as_str(), tag_words(*t).1))
            .collect(),
        formats: FORMATS,
        form,
        errors: FieldErrors::default(),
        clashes: Vec::new(),
    })
}

/// The venue's halls as `(id, name)` (404 for another venue's).
async fn halls(
    app: &App,
    staff: &Staff<Manager>,
    venue: VenueId,
) -> Result<Vec<(String, String)>, PageError> {
    Ok(back_office::auditoriums(app, &staff.staff, venue)
        .await?
        .into_iter()
        .map(|h| (h.auditorium.id.0.to_string(), h.auditorium.name))
        .collect())
}

/// `GET /admin/venues/{id}/schedule?week=&hall=`: the form, for the week given (from today
/// when that week has begun) or the next seven days.
pub async fn form(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Query(query): Query<FormQuery>,
) -> Result<Response, PageError> {
    let venue = VenueId(id_of(&id)?);
    let (_, zone) = scheduling::venue_zone(&app, &staff.staff, venue).await?;
    let today = app.now().with_timezone(&zone).date_naive();
    // The week asked for, from today when it has begun; else the next seven days.
    let week = query.week.trim().parse::<NaiveDate>().ok().and_then(|day| {
        let monday = monday_of(day);
        Some((monday, monday.checked_add_days(Days::new(6))?))
    });
    let (from, to) = match week {
        Some((monday, sunday)) if sunday >= today => (monday.max(today), sunday),
        _ => (today, today + Days::new(6)),
    };
    let form = ScheduleForm {
        auditorium_id: query.hall,
        weekdays: WEEKDAYS.iter().map(|(d, _)| d.to_string()).collect(),
        from: from.to_string(),
        to: to.to_string(),
        format: "2D".into(),
        ..ScheduleForm::default()
    };
    let page = schedule_page(&app, &staff, venue, monday_of(from), form).await?;
    Ok(html(StatusCode::OK, &page))
}

/// `POST /admin/venues/{id}/schedule`: scheduled, then the week of the first new showtime.
pub async fn submit(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let venue = VenueId(id_of(&id)?);
    let typed = ScheduleForm::parse(&body);
    let (_, zone) = scheduling::venue_zone(&app, &staff.staff, venue).await?;
    let week = monday_of(
        typed
            .from
            .trim()
            .parse()
            .unwrap_or_else(|_| app.now().with_timezone(&zone).date_naive()),
    );
    let outcome = match typed.input(&halls(&app, &staff, venue).await?) {
        Err(errors) => Err(Refusal {
            status: StatusCode::BAD_REQUEST,
            errors,
            clashes: Vec::new(),
        }),
        Ok((terms, repeat)) => {
            let actor = by(&app, &staff.staff, "showtime.create", showtime_json);
            match scheduling::schedule_many(&app, &staff.staff, terms, repeat, actor).await {
                Ok(made) => Ok(made),
                Err(error) => Err(refusal(&app, zone, error, &FIELDS).await?),
            }
        }
    };
    match outcome {
        Ok(made) => {
            let first = made
                .iter()
                .map(|s| s.showtime.starts_at)
                .min()
                .map_or(week, |at| monday_of(at.with_timezone(&zone).date_naive()));
            Ok(Redirect::to(&format!(
                "/admin/venues/{}/week?week={first}&scheduled={}",
                venue.0,
                made.len()
            ))
            .into_response())
        }
        Err(Refusal {
            status,
            errors,
            clashes,
        }) => {
            let mut page = schedule_page(&app, &staff, venue, week, typed).await?;
            page.errors = errors;
            page.clashes = clashes;
            Ok(html(status, &page))
        }
    }
}
