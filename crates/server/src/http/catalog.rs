//! `/cities`, `/events`, `/showtimes`: the catalog and seat maps. No login needed.

use super::error::{parse_id, ApiError, ApiResult, ErrorBody};
use super::extract::{Path, Query};
use super::seat_map_json::SeatMapTemplate;
use crate::app::App;
use crate::catalog::{self, Days, EventQuery, DEFAULT_PAGE_SIZE};
use crate::error::{AppError, ErrorCode};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use marquee_domain::Entity;
use marquee_domain::{AccessTag, City, Event, EventId, PriceList, ShowtimeId, ShowtimePrices};
use marquee_store::ShowtimeInfo;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CityBody {
    pub id: i64,
    pub name: String,
    /// IANA time zone; dates in queries are local dates here.
    pub timezone: String,
}

impl From<&City> for CityBody {
    fn from(city: &City) -> Self {
        CityBody {
            id: city.id.0,
            name: city.name.clone(),
            timezone: city.timezone.name().to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CitiesBody {
    pub cities: Vec<CityBody>,
}

/// Every city.
#[utoipa::path(get, path = "/cities", tag = "catalog", responses((status = 200, body = CitiesBody)))]
pub async fn list_cities(State(app): State<App>) -> ApiResult<Json<CitiesBody>> {
    let cities = app.store().list_cities().await.map_err(AppError::from)?;
    Ok(Json(CitiesBody {
        cities: cities.iter().map(CityBody::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct EventBody {
    pub id: i64,
    /// `movie` or `live`.
    pub kind: String,
    pub title: String,
    /// The title in its own language where that differs; else empty.
    pub original_title: String,
    pub synopsis: String,
    pub cast: Vec<String>,
    /// Empty when unknown.
    pub director: String,
    pub genres: Vec<String>,
    /// ISO 639-1.
    pub language: String,
    pub runtime_minutes: u32,
    pub certificate: String,
    pub poster_url: Option<String>,
    pub trailer_url: Option<String>,
    pub release_date: Option<NaiveDate>,
}

impl From<Event> for EventBody {
    fn from(e: Event) -> Self {
        EventBody {
            id: e.id.0,
            kind: e.kind,
            title: e.title,
            original_title: e.original_title,
            synopsis: e.synopsis,
            cast: e.cast,
            director: e.director,
            genres: e.genres,
            language: e.language,
            runtime_minutes: e.runtime_minutes,
            certificate: e.certificate,
            poster_url: e.poster_url,
            trailer_url: e.trailer_url,
            release_date: e.release_date,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct EventsParams {
    /// Words to search for in titles, original titles, casts and directors, genres,
    /// languages, certificates, venues and cities, and synopses (every word must match; a
    /// typo is forgiven in words of 5 letters or more, two in words of 9 or more; accents
    /// and case do not matter; the last word may be unfinished). At most 1,000 characters;
    /// nothing in it is syntax.
    #[param(max_length = 1000)]
    q: Option<String>,
    /// The same as `q` (the name the seed's API used).
    #[param(max_length = 1000)]
    keyword: Option<String>,
    /// A city id or name (`London`).
    city: Option<String>,
    /// A local date (`2026-11-24`, years 1970 to 9999): events with a showtime that day. Not
    /// with `from` or `to`.
    #[param(pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-")]
    date: Option<NaiveDate>,
    /// First local date of a range (years 1970 to 9999).
    #[param(pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-")]
    from: Option<NaiveDate>,
    /// Last local date of a range (years 1970 to 9999), not before `from`.
    #[param(pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-")]
    to: Option<NaiveDate>,
    /// The same as `from`.
    #[param(pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-")]
    start: Option<NaiveDate>,
    /// The same as `to`.
    #[param(pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-")]
    end: Option<NaiveDate>,
    /// A showtime format, any case: `2D`, `3D`, `IMAX`...
    #[param(max_length = 32)]
    format: Option<String>,
    /// The certificate, as the catalog writes it (`12A`, `PG-13`).
    #[param(max_length = 32)]
    certificate: Option<String>,
    /// `true`: only events with a showtime that has a seat free.
    available: Option<bool>,
    /// A word like `drama` or `sci-fi`, any case.
    #[param(pattern = "^[ \\t\\r\\n]*[A-Za-z-]*[ \\t\\r\\n]*$")]
    genre: Option<String>,
    /// ISO 639-1 code of the original language.
    language: Option<String>,
    /// Only events with a showtime that has this access tag: `subtitled`, `captioned` (SDH),
    /// `audio_described`, `relaxed` or `parent_and_baby`; empty for none.
    #[param(pattern = "^(subtitled|captioned|audio_described|relaxed|parent_and_baby)?$")]
    access: Option<String>,
    /// From 1.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 4294967295_u64)]
    page: Option<u32>,
    /// 1 to 100; 20 unless given.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct EventsBody {
    pub events: Vec<ListedEventBody>,
    /// How many events match, on every page.
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    /// Counts of the events that match, by value, most first.
    pub facets: FacetsBody,
}

/// An event listed, with its next showtime that passes the filters.
#[derive(Serialize, ToSchema)]
pub struct ListedEventBody {
    #[serde(flatten)]
    pub event: EventBody,
    pub next_showtime: NextShowtimeBody,
}

#[derive(Serialize, ToSchema)]
pub struct NextShowtimeBody {
    pub id: i64,
    pub starts_at: DateTime<Utc>,
}

impl NextShowtimeBody {
    fn of(listed: &catalog::ListedEvent) -> NextShowtimeBody {
        NextShowtimeBody {
            id: listed.next_showtime.0,
            starts_at: listed.next_starts_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FacetsBody {
    pub genre: Vec<FacetBody>,
    pub language: Vec<FacetBody>,
    pub format: Vec<FacetBody>,
    pub city: Vec<CityFacetBody>,
}

#[derive(Serialize, ToSchema)]
pub struct FacetBody {
    pub value: String,
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct CityFacetBody {
    pub id: i64,
    pub name: String,
    pub count: usize,
}

impl From<catalog::ListedEvent> for ListedEventBody {
    fn from(listed: catalog::ListedEvent) -> Self {
        ListedEventBody {
            next_showtime: NextShowtimeBody::of(&listed),
            event: EventBody::from(listed.event),
        }
    }
}

fn facet(counts: Vec<(String, usize)>) -> Vec<FacetBody> {
    counts
        .into_iter()
        .map(|(value, count)| FacetBody { value, count })
        .collect()
}

/// Events playing: with a showtime from now on, or on the days asked, in the city asked, and
/// matching every filter; with `q`, ranked by relevance (a title match first, then people,
/// then the rest; ties by the next showtime), else by title. `total` and `facets` count every
/// event that matches, not just this page.
#[utoipa::path(get, path = "/events", tag = "catalog", params(EventsParams),
    responses(
        (status = 200, body = EventsBody),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 404, description = "`city_not_found`", body = ErrorBody),
    ))]
pub async fn list_events(
    State(app): State<App>,
    Query(params): Query<EventsParams>,
) -> ApiResult<Json<EventsBody>> {
    let (page, per_page) = (
        params.page.unwrap_or(1),
        params.per_page.unwrap_or(DEFAULT_PAGE_SIZE),
    );
    let either = |name: &str, a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
        (Some(_), Some(_)) => Err(AppError::invalid(
            ErrorCode::InvalidQuery,
            format!("give {name} once"),
        )),
        (a, b) => Ok(a.or(b)),
    };
    let text = match (params.q, params.keyword) {
        (Some(_), Some(_)) => {
            return Err(
                AppError::invalid(ErrorCode::InvalidQuery, "give q or keyword, not both").into(),
            )
        }
        (q, keyword) => q.or(keyword),
    };
    let query = EventQuery {
        text,
        city: params.city,
        days: Days {
            date: params.date,
            from: either("from (or start)", params.from, params.start)?,
            to: either("to (or end)", params.to, params.end)?,
        },
        genre: params.genre,
        language: params.language,
        access: params.access,
        format: params.format,
        certificate: params.certificate,
        available: params.available.unwrap_or(false),
        page,
        per_page,
    };
    let listing = catalog::list_events(&app, query).await?;
    Ok(Json(EventsBody {
        total: listing.total,
        facets: FacetsBody {
            genre: facet(listing.genres),
            language: facet(listing.languages),
            format: facet(listing.formats),
            city: listing
                .cities
                .into_iter()
                .map(|(id, name, count)| CityFacetBody {
                    id: id.0,
                    name,
                    count,
                })
                .collect(),
        },
        events: listing
            .events
            .into_iter()
            .map(ListedEventBody::from)
            .collect(),
        page,
        per_page,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct SuggestParams {
    /// What has been typed: every word must start a word of the title (typos forgiven as in
    /// `GET /events`).
    #[param(max_length = 1000)]
    q: String,
    /// A city id or name: suggestions playing there, with their next showtime there.
    city: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionsBody {
    /// At most 8, best first.
    pub suggestions: Vec<SuggestionBody>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionBody {
    pub event_id: i64,
    pub title: String,
    pub next_showtime: NextShowtimeBody,
}

/// Type-ahead: up to 8 titles that start as typed, each with its next showtime.
///
/// A film's original title counts as a title; the last word typed counts from its first letter.
#[utoipa::path(get, path = "/events/suggest", tag = "catalog", params(SuggestParams),
    responses(
        (status = 200, body = SuggestionsBody),
        (status = 400, description = "`invalid_query` (no `q`, or over 1,000 characters)", body = ErrorBody),
        (status = 404, description = "`city_not_found`", body = ErrorBody),
    ))]
pub async fn suggest(
    State(app): State<App>,
    Query(params): Query<SuggestParams>,
) -> ApiResult<Json<SuggestionsBody>> {
    let found = catalog::suggest(&app, &params.q, params.city.as_deref()).await?;
    Ok(Json(SuggestionsBody {
        suggestions: found
            .into_iter()
            .map(|listed| SuggestionBody {
                next_showtime: NextShowtimeBody::of(&listed),
                event_id: listed.event.id.0,
                title: listed.event.title,
            })
            .collect(),
    }))
}

/// One event.
#[utoipa::path(get, path = "/events/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = EventBody), (status = 404, description = "`event_not_found`", body = ErrorBody)))]
pub async fn get_event(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Json<EventBody>> {
    let id = parse_id(&id, Entity::Event)?;
    Ok(Json(catalog::get_event(&app, EventId(id)).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct PlaceBody {
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct VenueBody {
    pub id: i64,
    pub name: String,
    pub address: String,
}

/// A ticket type a showtime sells (Adult, Child...) and its frozen prices.
#[derive(Serialize, ToSchema)]
pub struct TicketTypeBody {
    /// What `POST /bookings` takes as a ticket's `type`, e.g. `child`.
    pub code: String,
    pub name: String,
    /// Price of a seat by category, in minor units, before the booking fee.
    pub prices: BTreeMap<String, i64>,
}

impl TicketTypeBody {
    pub fn all(prices: &ShowtimePrices) -> Vec<TicketTypeBody> {
        prices
            .ticket_types()
            .map(|t| TicketTypeBody {
                code: t.code.clone(),
                name: t.name.clone(),
                prices: category_prices(&prices.price_list_of(&t.code)),
            })
            .collect()
    }
}

fn category_prices(list: &PriceList) -> BTreeMap<String, i64> {
    list.prices
        .iter()
        .map(|(c, p)| (c.as_str().to_string(), *p))
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct ShowtimeBody {
    pub id: i64,
    pub event_id: i64,
    pub event_title: String,
    pub starts_at: DateTime<Utc>,
    /// The start in the city's local time, with its offset.
    pub starts_at_local: String,
    /// When the auditorium is free again (runtime, adverts, cleaning).
    pub ends_at: DateTime<Utc>,
    /// `2D`, `3D`, `IMAX`, ...
    pub format: String,
    pub audio_language: String,
    pub subtitles: Option<String>,
    /// Access and experience tags: `subtitled`, `captioned` (SDH), `audio_described`,
    /// `relaxed`, `parent_and_baby`.
    pub access: Vec<String>,
    pub city: CityBody,
    pub venue: VenueBody,
    pub auditorium: PlaceBody,
    /// ISO 4217; every amount is in its minor units (cents).
    pub currency: String,
    /// Price of a seat by category for the default ticket type (the first of
    /// `ticket_types`), in minor units.
    pub prices: BTreeMap<String, i64>,
    /// What the showtime sells, the default first; each type's price by seat category.
    pub ticket_types: Vec<TicketTypeBody>,
    /// Added per seat, in minor units.
    pub booking_fee: i64,
    pub sales_open_at: DateTime<Utc>,
    pub sales_close_at: DateTime<Utc>,
    /// Whether seats can be held now.
    pub on_sale: bool,
    pub capacity: u32,
    pub seats_available: u32,
}

impl ShowtimeBody {
    fn new(info: ShowtimeInfo, now: DateTime<Utc>) -> Self {
        let s = &info.showtime;
        let window = s.sales_window();
        ShowtimeBody {
            id: s.id.0,
            event_id: s.event_id.0,
            event_title: info.event_title.clone(),
            starts_at: s.starts_at,
            starts_at_local: s.starts_at.with_timezone(&info.city.timezone).to_rfc3339(),
            ends_at: s.ends_at,
            format: s.format.clone(),
            audio_language: s.audio_language.clone(),
            subtitles: s.subtitles.clone(),
            access: access_names(&s.access),
            city: CityBody::from(&info.city),
            venue: VenueBody {
                id: info.venue.id.0,
                name: info.venue.name.clone(),
                address: info.venue.address.clone(),
            },
            auditorium: PlaceBody {
                id: s.auditorium_id.0,
                name: info.auditorium_name.clone(),
            },
            currency: s.prices.currency().to_string(),
            prices: category_prices(&s.prices.price_list()),
            ticket_types: TicketTypeBody::all(&s.prices),
            booking_fee: s.prices.booking_fee_minor(),
            sales_open_at: s.sales_open_at,
            sales_close_at: window.closes_at(),
            on_sale: window.check(now).is_ok(),
            capacity: info.capacity,
            seats_available: info.seats_available,
        }
    }
}

/// Access tags as the API writes them.
pub fn access_names(tags: &[AccessTag]) -> Vec<String> {
    tags.iter().map(|t| t.as_str().to_string()).collect()
}

#[derive(Deserialize, IntoParams)]
pub struct ShowtimesParams {
    /// A city id or name.
    city: Option<String>,
    /// A local date (`2026-11-24`, years 1970 to 9999).
    #[param(pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-")]
    date: Option<NaiveDate>,
    /// Only showtimes with this access tag: `subtitled`, `captioned` (SDH), `audio_described`,
    /// `relaxed` or `parent_and_baby`; empty for none.
    #[param(pattern = "^(subtitled|captioned|audio_described|relaxed|parent_and_baby)?$")]
    access: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ShowtimesBody {
    pub showtimes: Vec<ShowtimeBody>,
}

/// An event's showtimes that have not started, by start time.
///
/// Answered from this server's copy of the catalog: a change made through it shows at once,
/// but `seats_available` (counted again within about 2 seconds of a change; a hold that ran
/// out, once the sweeper frees it) and a change made through another server show within
/// seconds. A showtime's own answer (`/showtimes/{id}`) and its seat map show this server's
/// changes at once.
#[utoipa::path(get, path = "/events/{id}/showtimes", tag = "catalog", params(("id" = i64, Path), ShowtimesParams),
    responses(
        (status = 200, body = ShowtimesBody),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 404, description = "`event_not_found`, `city_not_found`", body = ErrorBody),
    ))]
pub async fn event_showtimes(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(params): Query<ShowtimesParams>,
) -> ApiResult<Json<ShowtimesBody>> {
    let id = parse_id(&id, Entity::Event)?;
    let days = Days {
        date: params.date,
        ..Days::default()
    };
    let showtimes = catalog::event_showtimes(
        &app,
        EventId(id),
        params.city.as_deref(),
        days,
        params.access.as_deref(),
    )
    .await?;
    let now = app.now();
    Ok(Json(ShowtimesBody {
        showtimes: showtimes
            .into_iter()
            .map(|s| ShowtimeBody::new(s, now))
            .collect(),
    }))
}

/// One showtime, with its prices and how many seats are left.
///
/// Its free seats are counted on its seat map (`/showtimes/{id}/seats`), so the two agree.
#[utoipa::path(get, path = "/showtimes/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = ShowtimeBody), (status = 404, description = "`showtime_not_found`", body = ErrorBody)))]
pub async fn get_showtime(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Json<ShowtimeBody>> {
    let id = parse_id(&id, Entity::Showtime)?;
    let now = app.now();
    let info = app
        .seat_maps()
        .showtime(ShowtimeId(id), now)
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    Ok(Json(ShowtimeBody::new(info, now)))
}

#[derive(Serialize, ToSchema)]
pub struct SeatBody {
    /// Row and number, e.g. `F12`: what a hold names.
    pub label: String,
    pub row: String,
    pub number: u16,
    /// Grid column (0-based, aisles counted), for drawing the map.
    pub x: u16,
    /// Grid row (0-based), for drawing the map.
    pub y: u16,
    /// `standard`, `premium`, `accessible` (wheelchair space), `companion`.
    pub category: String,
    /// `available`, `held`, `sold`, `blocked`.
    pub state: String,
    /// For the default ticket type, in minor units of the showtime's currency, before the
    /// booking fee; `ticket_types` has every type's price of each category.
    pub price: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SeatMapBody {
    pub showtime_id: i64,
    /// Grid size, for drawing.
    pub rows: u32,
    pub columns: u32,
    pub currency: String,
    /// The showtime's access and experience tags (see `ShowtimeBody`).
    pub access: Vec<String>,
    /// What the showtime sells, the default first; each type's price by seat category.
    pub ticket_types: Vec<TicketTypeBody>,
    pub seats: Vec<SeatBody>,
    /// Last, so that a rendered map can end with it (see `seat_map_json`).
    pub seats_available: u32,
}

/// The seat map: every seat with its state and price. States are as of this answer; only a
/// hold decides who gets a seat. Served from this node's cache of the map: the caller's own
/// holds and releases show at once, other nodes' within `--seat-map-max-age`.
#[utoipa::path(get, path = "/showtimes/{id}/seats", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = SeatMapBody), (status = 404, description = "`showtime_not_found`", body = ErrorBody)))]
pub async fn seat_map(State(app): State<App>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = parse_id(&id, Entity::Showtime)?;
    let body = app
        .seat_maps()
        .rendered(
            ShowtimeId(id),
            app.now(),
            SeatMapTemplate::new,
            SeatMapTemplate::render,
        )
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// A film's poster as uploaded in the back office. Its URL names a digest of the image, so it
/// is cached for a year; an older digest than the current poster's is not found.
pub async fn poster(
    State(app): State<App>,
    Path((event, digest)): Path<(String, String)>,
) -> ApiResult<Response> {
    let event = EventId(parse_id(&event, Entity::Event)?);
    let poster = app
        .store()
        .poster(event)
        .await
        .map_err(AppError::from)?
        .filter(|p| p.digest == digest)
        .ok_or_else(ApiError::not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, poster.content_type),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_string(),
            ),
        ],
        poster.image,
    )
        .into_response())
}
