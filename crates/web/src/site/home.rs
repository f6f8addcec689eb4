//! `/`: what is on in the chosen city (`city`), today or on one of the next six days
//! (`?date=2026-11-24`, on the city's clock), optionally only showtimes with an access tag
//! (`?access=captioned`). Every film of the day with its showtimes by cinema, each a link to
//! its seat map. The listing is `whats_on::day`, kept a few seconds per node; the city and the
//! filter are GET forms, so it all works without JavaScript.

use super::city::{self, CityOption};
use super::listing::{access_options, by_cinema, AccessOption, Cinema, Film};
use super::search::SearchBox;
use crate::page::{html, PageError};
use crate::session;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use marquee_server::{whats_on, App};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "site/home.html")]
struct HomePage {
    shell: Shell,
    search: SearchBox,
    city: String,
    cities: Vec<CityOption>,
    access: Vec<AccessOption>,
    /// The access tag asked for, in words.
    access_words: Option<&'static str>,
    days: Vec<DayLink>,
    /// The day shown, e.g. `Tuesday 24 November`, and as `2026-11-24`.
    day: String,
    date: String,
    films: Vec<FilmShowing>,
}

struct DayLink {
    href: String,
    /// `Today`, `Tomorrow`, `Thu 26 Nov`.
    label: String,
    date: String,
    current: bool,
}

struct FilmShowing {
    film: Film,
    cinemas: Vec<Cinema>,
}

#[derive(Template)]
#[template(path = "site/nothing_yet.html")]
pub(super) struct NothingYet {
    pub(super) shell: Shell,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HomeQuery {
    city: Option<String>,
    date: Option<String>,
    access: Option<String>,
}

/// `GET /`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let signed_in = session::signed_in(&app, &headers).await;
    let shell = Shell::customer(signed_in.as_ref(), "/");
    let Some(chosen) = city::chosen(&app, &headers, query.city.as_deref()).await? else {
        return Ok(html(StatusCode::OK, &NothingYet { shell }));
    };
    let days = whats_on::days(&chosen.city, app.now());
    let date = match query
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => days[0],
        Some(typed) => typed.parse::<NaiveDate>().map_err(|_| {
            PageError::Status(
                StatusCode::BAD_REQUEST,
                "That date could not be read: dates look like 2026-11-24.",
            )
        })?,
    };
    // Yesterday's bookmark, or a day too far ahead: today's listing.
    if !days.contains(&date) {
        return Ok(Redirect::to("/").into_response());
    }
    let access = query
        .access
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let listing = whats_on::day(&app, &chosen.city, date, access).await?;
    let zone = chosen.city.timezone;
    let link = |day: NaiveDate| {
        let mut href = format!("/?city={}&date={day}", chosen.city.id.0);
        if let Some(tag) = listing.access {
            href.push_str(&format!("&access={}", tag.as_str()));
        }
        href
    };
    let page = HomePage {
        shell,
        search: SearchBox::new("", &chosen.city),
        city: chosen.city.name.clone(),
        cities: chosen.options(),
        access: access_options(listing.access),
        access_words: listing.access.map(|t| crate::words::tag_words(t).1),
        days: days
            .iter()
            .enumerate()
            .map(|(n, &day)| DayLink {
                href: link(day),
                label: match n {
                    0 => "Today".to_string(),
                    1 => "Tomorrow".to_string(),
                    _ => day.format("%a %-d %b").to_string(),
                },
                date: day.to_string(),
                current: day == date,
            })
            .collect(),
        day: date.format("%A %-d %B").to_string(),
        date: date.to_string(),
        films: listing
            .films
            .iter()
            .map(|f| FilmShowing {
                film: Film::of(&f.event),
                cinemas: by_cinema(&f.showtimes, zone),
            })
            .collect(),
    };
    let mut response = html(StatusCode::OK, &page);
    if let Some(cookie) = chosen.remember {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}
