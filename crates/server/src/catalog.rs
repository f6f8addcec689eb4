//! What is on: cities, events and showtimes, filtered the way a customer asks.

use crate::app::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use marquee_domain::catalog::day_bounds;
use marquee_domain::Entity;
use marquee_domain::{AccessTag, City, CityId, Event, EventId};
use marquee_store::{EventFilter, ShowtimeFilter, ShowtimeInfo};

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

/// A city named by its id or, ignoring case, its name.
pub async fn resolve_city(app: &App, city: &str) -> AppResult<City> {
    let found = match city.trim().parse::<i64>() {
        Ok(id) => app.store().get_city(CityId(id)).await?,
        Err(_) => app
            .store()
            .list_cities()
            .await?
            .into_iter()
            .find(|c| c.name.eq_ignore_ascii_case(city.trim())),
    };
    found.ok_or(AppError::NotFound(Entity::City))
}

pub struct EventQuery {
    pub city: Option<String>,
    pub days: Days,
    pub genre: Option<String>,
    pub language: Option<String>,
    /// An access tag (`captioned`...): only events with a showtime that has it.
    pub access: Option<String>,
    pub page: u32,
    pub per_page: u32,
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

/// Events with a showtime that matches, by title.
pub async fn list_events(app: &App, query: EventQuery) -> AppResult<Vec<Event>> {
    if query.page == 0 {
        return Err(AppError::invalid(
            crate::error::ErrorCode::InvalidQuery,
            "pages are numbered from 1",
        ));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&query.per_page) {
        return Err(AppError::invalid(
            crate::error::ErrorCode::InvalidQuery,
            format!("per_page is 1 to {MAX_PAGE_SIZE}"),
        ));
    }
    let city = match &query.city {
        Some(city) => Some(resolve_city(app, city).await?),
        None => None,
    };
    let (starts_from, starts_until) = query.days.bounds(city.as_ref(), app.now())?;
    let filter = EventFilter {
        city_id: city.map(|c| c.id),
        starts_from: Some(starts_from),
        starts_until,
        genre: query
            .genre
            .map(|g| g.trim().to_lowercase())
            .filter(|g| !g.is_empty()),
        language: query
            .language
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty()),
        access: access_filter(query.access.as_deref())?,
        limit: query.per_page,
        offset: (query.page - 1).saturating_mul(query.per_page),
    };
    if filter
        .genre
        .as_deref()
        .is_some_and(|g| !g.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    {
        return Err(AppError::invalid(
            crate::error::ErrorCode::InvalidQuery,
            "a genre is a word like drama or sci-fi",
        ));
    }
    Ok(app.store().list_events(&filter).await?)
}

pub async fn get_event(app: &App, id: EventId) -> AppResult<Event> {
    app.store()
        .get_event(id)
        .await?
        .ok_or(AppError::NotFound(Entity::Event))
}

/// An event's showtimes that have not started, optionally in one city and on given days.
pub async fn event_showtimes(
    app: &App,
    id: EventId,
    city: Option<&str>,
    days: Days,
    access: Option<&str>,
) -> AppResult<Vec<ShowtimeInfo>> {
    get_event(app, id).await?;
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
    Ok(app.store().list_showtimes(&filter).await?)
}
