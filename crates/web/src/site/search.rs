//! `/search`: the catalog searched (`catalog::list_events`, this node's search index) in the
//! chosen city over the days the home page lists: words (`?q=`, typos and accents forgiven),
//! a day (`?date=`), and filter chips with their counts (genre, language, format, seats
//! free, and the other cities where something matches). Each chip is a link that adds or
//! removes its filter, so it all works without JavaScript; `search.js` adds type-ahead to the
//! box (`GET /api/v1/events/suggest`).

use super::city::{self, CityOption};
use super::listing::{capitalised, Film};
use crate::page::{html, PageError};
use crate::session;
use crate::shell::Shell;
use crate::words;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use marquee_domain::City;
use marquee_server::catalog::{self, Days, EventListing, EventQuery};
use marquee_server::{whats_on, App};
use serde::Deserialize;

/// Films on a page of results.
const PER_PAGE: u32 = 20;
/// Chips a facet shows at most (the most common values).
const CHIPS: usize = 8;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    city: Option<String>,
    date: String,
    genre: String,
    language: String,
    format: String,
    /// `1`: only films with a seat free.
    available: String,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "site/search.html")]
struct SearchPage {
    shell: Shell,
    box_: SearchBox,
    city: String,
    cities: Vec<CityOption>,
    days: Vec<DayOption>,
    /// The filters in force, each a chip that removes it.
    active: Vec<Chip>,
    /// The same filters as the day-and-city form's hidden fields, so that it keeps them.
    kept: Vec<Kept>,
    facets: Vec<Facet>,
    films: Vec<Found>,
    /// `143 films`, `1 film`.
    total: String,
    /// `21–40`, when there is more than one page.
    shown: Option<String>,
    previous: Option<String>,
    next: Option<String>,
    /// Something was asked (words or a filter): the page says what it found.
    asked: bool,
}

/// The search box as the home page and this page show it (`site/search_box.html`).
pub struct SearchBox {
    pub q: String,
    /// The city suggestions are for, and its clock (for their times).
    pub city: i64,
    pub zone: String,
}

impl SearchBox {
    pub fn new(q: &str, city: &marquee_domain::City) -> SearchBox {
        SearchBox {
            q: q.to_string(),
            city: city.id.0,
            zone: city.timezone.name().to_string(),
        }
    }
}

struct Kept {
    name: &'static str,
    value: String,
}

struct DayOption {
    value: String,
    label: String,
    selected: bool,
}

/// A filter as a link: to add it (with its count) or, in force, to remove it.
struct Chip {
    label: String,
    count: Option<usize>,
    href: String,
}

struct Facet {
    /// `Genre`, `Language`, `Format`, `Also in`.
    name: &'static str,
    chips: Vec<Chip>,
}

/// A film found, with its next showing that passes the filters.
struct Found {
    film: Film,
    showtime: i64,
    /// `Fri 11 Dec, 19:30` on the city's clock.
    when: String,
    datetime: String,
}

/// `GET /search`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let signed_in = session::signed_in(&app, &headers).await;
    let shell = Shell::customer(signed_in.as_ref(), "/search");
    let Some(chosen) = city::chosen(&app, &headers, query.city.as_deref()).await? else {
        return Ok(html(StatusCode::OK, &super::home::NothingYet { shell }));
    };
    let city = &chosen.city;
    let days = whats_on::days(city, app.now());
    let date = match query.date.trim() {
        "" => None,
        typed => Some(
            typed
                .parse::<NaiveDate>()
                .ok()
                .filter(|d| days.contains(d))
                .ok_or(PageError::Status(
                    StatusCode::BAD_REQUEST,
                    "That day is not one this site lists: choose one from the list.",
                ))?,
        ),
    };
    let page_number = query.page.unwrap_or(1).max(1);
    let asked = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
    // The days a city's page lists: the one asked for, or its seven.
    let days_of = |city: &City, date: Option<NaiveDate>| match date {
        Some(date) => Days {
            from: None,
            to: None,
            date: Some(date),
        },
        None => {
            let listed = whats_on::days(city, app.now());
            Days {
                from: listed.first().copied(),
                to: listed.last().copied(),
                date: None,
            }
        }
    };
    let wanted = |city: Option<&City>, days: Days, page: u32, per_page: u32| EventQuery {
        text: asked(&query.q),
        city: city.map(|c| c.id.0.to_string()),
        days,
        genre: asked(&query.genre),
        language: asked(&query.language),
        access: None,
        format: asked(&query.format),
        certificate: None,
        available: query.available == "1",
        page,
        per_page,
    };
    let listing = catalog::list_events(
        &app,
        wanted(Some(city), days_of(city, date), page_number, PER_PAGE),
    )
    .await?;
    // The other cities where the same search finds something over their own seven days
    // (what their chip's link shows): the likeliest ones from a search everywhere, then each
    // counted exactly.
    let everywhere = catalog::list_events(
        &app,
        wanted(
            None,
            Days {
                from: None,
                to: None,
                date: None,
            },
            1,
            1,
        ),
    )
    .await?;
    let mut others = Vec::new();
    for (id, name, _) in everywhere.cities.iter().filter(|(id, _, _)| *id != city.id) {
        let Some(other) = chosen.cities.iter().find(|c| c.id == *id) else {
            continue;
        };
        let there =
            catalog::list_events(&app, wanted(Some(other), days_of(other, None), 1, 1)).await?;
        if there.total > 0 {
            others.push((id.0, name.clone(), there.total));
        }
        if others.len() == CHIPS {
            break;
        }
    }
    let links = Links {
        city: city.id.0,
        query: SearchQuery {
            city: None,
            page: None,
            ..query.clone()
        },
    };
    let active = links.active();
    let asked_something = asked(&query.q).is_some() || !active.is_empty();
    let zone = city.timezone;
    let first = (page_number - 1) as usize * PER_PAGE as usize;
    let page = SearchPage {
        shell,
        box_: SearchBox::new(query.q.trim(), city),
        city: city.name.clone(),
        cities: chosen.options(),
        days: days
            .iter()
            .enumerate()
            .map(|(n, &day)| DayOption {
                value: day.to_string(),
                label: match n {
                    0 => "Today".to_string(),
                    1 => "Tomorrow".to_string(),
                    _ => day.format("%A %-d %B").to_string(),
                },
                selected: Some(day) == date,
            })
            .collect(),
        active,
        kept: [
            ("genre", &query.genre),
            ("language", &query.language),
            ("format", &query.format),
            ("available", &query.available),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| Kept {
            name,
            value: value.trim().to_string(),
        })
        .collect(),
        facets: links.facets(&listing, &others),
        films: listing
            .events
            .iter()
            .map(|listed| Found {
                film: Film::of(&listed.event),
                showtime: listed.next_showtime.0,
                when: words::local_time(listed.next_starts_at, zone),
                datetime: listed.next_starts_at.to_rfc3339(),
            })
            .collect(),
        total: match listing.total {
            1 => "1 film".to_string(),
            n => format!("{n} films"),
        },
        shown: (listing.total > PER_PAGE as usize && !listing.events.is_empty()).then(|| {
            format!(
                "{}–{} of {}",
                first + 1,
                first + listing.events.len(),
                listing.total
            )
        }),
        previous: (page_number > 1).then(|| links.page(page_number - 1)),
        next: (first + listing.events.len() < listing.total).then(|| links.page(page_number + 1)),
        asked: asked_something,
    };
    let mut response = html(StatusCode::OK, &page);
    if let Some(cookie) = chosen.remember {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Links to this page with one thing changed, from what was asked (a change goes back to the
/// first page). Each names the city, so that a page does not depend on the cookie.
struct Links {
    city: i64,
    query: SearchQuery,
}

impl Links {
    fn href(&self, change: impl FnOnce(&mut SearchQuery)) -> String {
        let mut query = self.query.clone();
        change(&mut query);
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair(
            "city",
            query.city.as_deref().unwrap_or(&self.city.to_string()),
        );
        for (name, value) in [
            ("q", query.q.trim()),
            ("date", &query.date),
            ("genre", &query.genre),
            ("language", &query.language),
            ("format", &query.format),
            ("available", &query.available),
        ] {
            if !value.is_empty() {
                out.append_pair(name, value);
            }
        }
        if let Some(page) = query.page {
            out.append_pair("page", &page.to_string());
        }
        format!("/search?{}", out.finish())
    }

    fn page(&self, page: u32) -> String {
        self.href(|q| q.page = Some(page))
    }

    /// The filters in force, each a chip whose link removes it.
    fn active(&self) -> Vec<Chip> {
        let q = &self.query;
        let mut chips = Vec::new();
        let mut chip = |shown: bool, label: String, clear: fn(&mut SearchQuery)| {
            if shown {
                chips.push(Chip {
                    label,
                    count: None,
                    href: self.href(clear),
                });
            }
        };
        chip(!q.genre.is_empty(), capitalised(&q.genre), |q| {
            q.genre.clear()
        });
        chip(!q.language.is_empty(), words::language(&q.language), |q| {
            q.language.clear()
        });
        chip(!q.format.is_empty(), q.format.clone(), |q| q.format.clear());
        chip(q.available == "1", "Seats free".to_string(), |q| {
            q.available.clear()
        });
        chips
    }

    /// The values of each facet not in force (`listing`'s), most common first, each a chip that
    /// adds it; and `others`, the other cities where the search finds something (id, name,
    /// films), each a chip that goes there (on its own days). A facet in force shows no other
    /// values: its counts are of the films that have the value chosen.
    fn facets(&self, listing: &EventListing, others: &[(i64, String, usize)]) -> Vec<Facet> {
        let q = &self.query;
        let chips = |values: &[(String, usize)],
                     chosen: &str,
                     label: fn(&str) -> String,
                     set: fn(&mut SearchQuery, &str)| {
            values
                .iter()
                .filter(|_| chosen.is_empty())
                .take(CHIPS)
                .map(|(value, count)| Chip {
                    label: label(value),
                    count: Some(*count),
                    href: self.href(|q| set(q, value)),
                })
                .collect::<Vec<_>>()
        };
        let mut facets = vec![
            Facet {
                name: "Genre",
                chips: chips(&listing.genres, &q.genre, capitalised, |q, v| {
                    q.genre = v.to_string()
                }),
            },
            Facet {
                name: "Language",
                chips: chips(&listing.languages, &q.language, words::language, |q, v| {
                    q.language = v.to_string()
                }),
            },
            Facet {
                name: "Format",
                chips: chips(&listing.formats, &q.format, str::to_string, |q, v| {
                    q.format = v.to_string()
                }),
            },
        ];
        if q.available != "1" && listing.total > 0 {
            facets.push(Facet {
                name: "Seats",
                chips: vec![Chip {
                    label: "Seats free".to_string(),
                    count: None,
                    href: self.href(|q| q.available = "1".to_string()),
                }],
            });
        }
        let others: Vec<Chip> = others
            .iter()
            .map(|(id, name, count)| Chip {
                label: name.clone(),
                count: Some(*count),
                href: self.href(|q| {
                    q.city = Some(id.to_string());
                    q.date.clear();
                }),
            })
            .collect();
        facets.push(Facet {
            name: "Also in",
            chips: others,
        });
        facets.retain(|f| !f.chips.is_empty());
        facets
    }
}
