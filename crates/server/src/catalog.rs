//! What is on: cities, events and showtimes, filtered the way a customer asks.

use crate::app::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use marquee_domain::catalog::day_bounds;
use marquee_domain::Entity;
use marquee_domain::{AccessTag, City, CityId, Event, EventId, ShowtimeId};
use marquee_store::{ShowtimeFilter, ShowtimeInfo};

pub const MAX_PAGE_SIZE: u32 = 100;
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Enough for a week of an event in every hall of a large city.
const MAX_SHOWTIMES: u32 = 1000;

/// When to look: one local day, a range of local days, or (neither) from now on.
#[derive(Debug, Default, Clone)]
pub struct Days {
    pub date: Option<NaiveDate>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Days {
    /// The instants `[from, until)` these days cover in `city`'s zone (UTC without a city).
    /// With no day given: everything from now on, so what has started is not listed.
    fn bounds(
        &self,
        city: Option<&City>,
        now: DateTime<Utc>,
    ) -> AppResult<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        let zone = city.map(|c| c.timezone).unwrap_or(chrono_tz::UTC);
        if [self.date, self.from, self.to]
            .into_iter()
            .flatten()
            .any(|d| !(1970..=9999).contains(&d.year()))
        {
            return Err(AppError::invalid(
                crate::error::ErrorCode::InvalidQuery,
                "dates are between 1970 and 9999",
            ));
        }
        let (first, last) = match (self.date, self.from, self.to) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(AppError::invalid(
                    crate::error::ErrorCode::InvalidQuery,
                    "give either date, or from and to, not both",
                ))
            }
            (Some(date), None, None) => (Some(date), Some(date)),
            (None, from, to) => (from, to),
        };
        if let (Some(first), Some(last)) = (first, last) {
            if last < first {
                return Err(AppError::invalid(
                    crate::error::ErrorCode::InvalidQuery,
                    "to is before from",
                ));
            }
        }
        let from = first.map(|d| day_bounds(zone, d).0);
        let until = last.map(|d| day_bounds(zone, d).1);
        Ok((from.map_or(now, |f| f.max(now)), until))
    }
}

/// A city named by its id or, ignoring case, its name: from the cities kept in memory a few
/// seconds (`whats_on::cities`, as the home page's), else from the store (a city just made).
pub async fn resolve_city(app: &App, city: &str) -> AppResult<City> {
    let (asked, id) = (city.trim(), city.trim().parse::<i64>().ok());
    let named = |c: &&City| match id {
        Some(id) => c.id.0 == id,
        None => c.name.eq_ignore_ascii_case(asked),
    };
    if let Some(found) = crate::whats_on::cities(app).await?.iter().find(named) {
        return Ok(found.clone());
    }
    let found = match id {
        Some(id) => app.store().get_city(CityId(id)).await?,
        None => app
            .store()
            .list_cities()
            .await?
            .into_iter()
            .find(|c| named(&c)),
    };
    found.ok_or(AppError::NotFound(Entity::City))
}

pub struct EventQuery {
    /// Words to search for (`marquee_search`): typos and accents forgiven.
    pub text: Option<String>,
    pub city: Option<String>,
    pub days: Days,
    pub genre: Option<String>,
    pub language: Option<String>,
    /// An access tag (`captioned`...): only events with a showtime that has it.
    pub access: Option<String>,
    /// `2D`, `3D`, `IMAX`... (any case): only events with a showtime in it.
    pub format: Option<String>,
    pub certificate: Option<String>,
    /// Only events with a showtime that has a seat free.
    pub available: bool,
    pub page: u32,
    pub per_page: u32,
}

/// The longest format or certificate a filter takes.
pub const MAX_TAG_CHARS: usize = 32;

/// The longest text a search takes (it reads at most `marquee_search::MAX_QUERY_WORDS` words).
pub const MAX_QUERY_CHARS: usize = 1000;

/// An event listed, with its next showtime that passes the filters.
pub struct ListedEvent {
    pub event: Event,
    pub next_showtime: ShowtimeId,
    pub next_starts_at: DateTime<Utc>,
}

/// A page of events, how many there are in all, and the facets' counts over all of them.
pub struct EventListing {
    pub events: Vec<ListedEvent>,
    pub total: usize,
    pub genres: Vec<(String, usize)>,
    pub languages: Vec<(String, usize)>,
    pub formats: Vec<(String, usize)>,
    /// (city, its name, events).
    pub cities: Vec<(CityId, String, usize)>,
}

/// The access tag a listing is filtered by, if one is asked for (empty: none). Exactly a tag's
/// name, as the document's pattern says: anything else, white space too, is refused.
pub(crate) fn access_filter(asked: Option<&str>) -> AppResult<Option<AccessTag>> {
    asked
        .filter(|a| !a.is_empty())
        .map(|a| {
            AccessTag::parse(a).ok_or_else(|| {
                AppError::invalid(
                    crate::error::ErrorCode::InvalidQuery,
                    format!("access is one of {}", AccessTag::names()),
                )
            })
        })
        .transpose()
}

/// Events with a showtime that matches, by relevance when there is text to search for (ties
/// by the next showtime), else by title; answered from this node's search catalog.
pub async fn list_events(app: &App, query: EventQuery) -> AppResult<EventListing> {
    let invalid =
        |message: String| AppError::invalid(crate::error::ErrorCode::InvalidQuery, message);
    if query.page == 0 {
        return Err(invalid("pages are numbered from 1".into()));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&query.per_page) {
        return Err(invalid(format!("per_page is 1 to {MAX_PAGE_SIZE}")));
    }
    if let Some(text) = &query.text {
        check_text(text)?;
    }
    let lowered = |asked: Option<String>| {
        asked
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty())
    };
    let genre = lowered(query.genre);
    if genre
        .as_deref()
        .is_some_and(|g| !g.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    {
        return Err(invalid("a genre is a word like drama or sci-fi".into()));
    }
    let language = lowered(query.language);
    let access = access_filter(query.access.as_deref())?;
    let trimmed = |asked: Option<String>| {
        asked
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
    };
    if [&query.format, &query.certificate]
        .into_iter()
        .flatten()
        .any(|f| f.chars().count() > MAX_TAG_CHARS)
    {
        return Err(invalid(format!(
            "format and certificate are at most {MAX_TAG_CHARS} characters"
        )));
    }
    let (format, certificate) = (trimmed(query.format), trimmed(query.certificate));
    let city = match &query.city {
        Some(city) => Some(resolve_city(app, city).await?),
        None => None,
    };
    let (from, until) = query.days.bounds(city.as_ref(), app.now())?;
    let built = app.search().current(app).await?;
    let answer = built
        .catalog
        .query(&marquee_search::Query {
            text: query.text.as_deref(),
            city: city.as_ref().map(|c| c.id.0),
            from: Some(from),
            until,
            genre: genre.as_deref(),
            language: language.as_deref(),
            certificate: certificate.as_deref(),
            format: format.as_deref(),
            access: access.map(|a| a.as_str()),
            available: query.available,
            page: query.page as usize,
            per_page: query.per_page as usize,
        })
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(EventListing {
        events: built.listed(&answer.events),
        total: answer.total,
        genres: answer.genres,
        languages: answer.languages,
        formats: answer.formats,
        cities: answer
            .cities
            .iter()
            .map(|(id, n)| {
                let name = built.cities.get(id).cloned().unwrap_or_default();
                (CityId(*id), name, *n)
            })
            .collect(),
    })
}

/// Up to `SUGGESTIONS` events whose title starts as `text` is typed, each with its next
/// showtime (in `city`, when given).
pub async fn suggest(app: &App, text: &str, city: Option<&str>) -> AppResult<Vec<ListedEvent>> {
    check_text(text)?;
    let city = match city.filter(|c| !c.trim().is_empty()) {
        Some(city) => Some(resolve_city(app, city).await?),
        None => None,
    };
    let built = app.search().current(app).await?;
    let found = built
        .catalog
        .suggest(text, city.map(|c| c.id.0), app.now(), SUGGESTIONS)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(built.listed(&found))
}

/// Text to search for is at most `MAX_QUERY_CHARS` long.
fn check_text(text: &str) -> AppResult<()> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid(
            crate::error::ErrorCode::InvalidQuery,
            format!("q is at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(())
}

/// How many suggestions a type-ahead gets.
pub const SUGGESTIONS: usize = 8;

/// An event, from this node's search catalog (as fresh as it: see `search`), else from the
/// store (an event made on another node since the catalog was built).
pub async fn get_event(app: &App, id: EventId) -> AppResult<Event> {
    if let Some(event) = app.search().current(app).await?.events.get(&id) {
        return Ok(event.clone());
    }
    stored_event(app, id).await
}

async fn stored_event(app: &App, id: EventId) -> AppResult<Event> {
    app.store()
        .get_event(id)
        .await?
        .ok_or(AppError::NotFound(Entity::Event))
}

/// An event's showtimes that have not started, optionally in one city and on given days.
/// Answered from this node's search catalog (see `search`: this node's catalog writes at once,
/// other nodes' and the free seats within seconds); from the store when the catalog does not
/// know the event yet (made on another node since it was built).
pub async fn event_showtimes(
    app: &App,
    id: EventId,
    city: Option<&str>,
    days: Days,
    access: Option<&str>,
) -> AppResult<Vec<ShowtimeInfo>> {
    let built = app.search().current(app).await?;
    if !built.events.contains_key(&id) {
        // An unknown event is a 404 before anything else is looked at.
        stored_event(app, id).await?;
    }
    let city = match city {
        Some(city) => Some(resolve_city(app, city).await?),
        None => None,
    };
    let now = app.now();
    let (starts_from, starts_until) = days.bounds(city.as_ref(), now)?;
    let filter = ShowtimeFilter {
        event_id: Some(id),
        city_id: city.map(|c| c.id),
        starts_from: Some(starts_from),
        starts_until,
        access: access_filter(access)?,
        limit: MAX_SHOWTIMES,
        now,
    };
    let listed = built.showtimes_of(id, |s| {
        filter.city_id.is_none_or(|c| c.0 == s.city)
            && s.starts_at >= starts_from
            && starts_until.is_none_or(|until| s.starts_at < until)
            && filter
                .access
                .is_none_or(|tag| s.access.iter().any(|a| a == tag.as_str()))
    });
    match listed {
        Some(mut listed) => {
            listed.truncate(MAX_SHOWTIMES as usize);
            Ok(listed)
        }
        None => Ok(app.store().list_showtimes(&filter).await?),
    }
}
