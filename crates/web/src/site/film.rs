//! `/films/{id}`: a film (poster, synopsis, cast, genres, language, runtime, certificate,
//! release date, trailer) and its showtimes in the chosen city over the days the home page
//! lists, by day and cinema, each a link to its seat map. Another city can be chosen here
//! too (`?city=`, then remembered). An unknown film is the 404 page.

use super::city::{self, CityOption};
use super::listing::{by_cinema, Cinema, Film};
use crate::admin::id_of;
use crate::page::{html, PageError};
use crate::session;
use crate::shell::Shell;
use crate::words;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use marquee_domain::{Entity, EventId};
use marquee_server::catalog::{self, Days};
use marquee_server::error::AppError;
use marquee_server::{whats_on, App};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "site/film.html")]
struct FilmPage {
    shell: Shell,
    film: Film,
    synopsis: String,
    cast: String,
    language: String,
    /// `1 November 2026`.
    released: Option<String>,
    /// A web address (http or https) only: anything else is not linked.
    trailer: Option<String>,
    /// The chosen city, and the choice of another; `None` when there are no cities yet.
    city: Option<String>,
    cities: Vec<CityOption>,
    days: Vec<Day>,
}

struct Day {
    /// `Tuesday 24 November`.
    heading: String,
    cinemas: Vec<Cinema>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FilmQuery {
    city: Option<String>,
}

/// `GET /films/{id}`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<FilmQuery>,
) -> Result<Response, PageError> {
    let id = EventId(id_of(&id)?);
    let event = catalog::get_event(&app, id).await.map_err(|e| match e {
        AppError::NotFound(Entity::Event) => {
            PageError::Status(StatusCode::NOT_FOUND, "There is no such film.")
        }
        other => other.into(),
    })?;
    let signed_in = session::signed_in(&app, &headers).await;
    let chosen = city::chosen(&app, &headers, query.city.as_deref()).await?;
    let mut days = Vec::new();
    if let Some(chosen) = &chosen {
        let listed = whats_on::days(&chosen.city, app.now());
        let showtimes = catalog::event_showtimes(
            &app,
            id,
            Some(&chosen.city.id.0.to_string()),
            Days {
                from: listed.first().copied(),
                to: listed.last().copied(),
                date: None,
            },
            None,
        )
        .await?;
        let zone = chosen.city.timezone;
        for day in listed {
            let of_day: Vec<_> = showtimes
                .iter()
                .filter(|s| s.showtime.starts_at.with_timezone(&zone).date_naive() == day)
                .collect();
            if !of_day.is_empty() {
                days.push(Day {
                    heading: day.format("%A %-d %B").to_string(),
                    cinemas: by_cinema(of_day, zone),
                });
            }
        }
    }
    let page = FilmPage {
        shell: Shell::customer(signed_in.as_ref(), ""),
        film: Film::of(&event),
        synopsis: event.synopsis.clone(),
        cast: event.cast.join(", "),
        language: words::language(&event.language),
        released: event
            .release_date
            .map(|d| d.format("%-d %B %Y").to_string()),
        trailer: event
            .trailer_url
            .clone()
            .filter(|url| url.starts_with("https://") || url.starts_with("http://")),
        city: chosen.as_ref().map(|c| c.city.name.clone()),
        cities: chosen.as_ref().map(|c| c.options()).unwrap_or_default(),
        days,
    };
    let mut response = html(StatusCode::OK, &page);
    if let Some(cookie) = chosen.and_then(|c| c.remember) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}
