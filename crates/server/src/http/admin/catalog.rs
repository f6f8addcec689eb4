//! `/admin/cities`, `/admin/venues`, `/admin/auditoriums`, `/admin/layouts`, `/admin/events`:
//! the catalog as staff build it.

use super::{by, json};
use crate::app::App;
use crate::back_office::{self, VenueInput};
use crate::catalog::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::error::{AppError, ErrorCode};
use crate::http::catalog::{CityBody, EventBody};
use crate::http::error::{parse_id, ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::http::staff::{Manager, Owner, Staff, Usher};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use marquee_domain::{
    AuditoriumId, City, CityId, Entity, Event, EventId, LayoutSeat, SeatLayout, Venue, VenueId,
};
use marquee_store::catalog_edits::{EventChange, VenueChange};
use marquee_store::AuditoriumInfo;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn city_json(city: &City) -> serde_json::Value {
    json(CityBody::from(city))
}

#[derive(Serialize, ToSchema)]
pub struct AdminCitiesBody {
    pub cities: Vec<CityBody>,
}

/// Every city.
#[utoipa::path(get, path = "/admin/cities", tag = "back office", security(("bearer" = [])),
    responses(
        (status = 200, body = AdminCitiesBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
    ))]
pub async fn list_cities(
    State(app): State<App>,
    _staff: Staff<Manager>,
) -> ApiResult<axum::Json<AdminCitiesBody>> {
    let cities = app.store().list_cities().await.map_err(AppError::from)?;
    Ok(axum::Json(AdminCitiesBody {
        cities: cities.iter().map(CityBody::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCityRequest {
    #[schema(example = "Lisbon", max_length = 200)]
    pub name: String,
    /// An IANA time zone: the venues' local times are read in it.
    #[schema(example = "Europe/Lisbon")]
    pub timezone: String,
}

/// Add a city.
#[utoipa::path(post, path = "/admin/cities", tag = "back office", security(("bearer" = [])), request_body = NewCityRequest,
    responses(
        (status = 201, body = CityBody),
        (status = 400, description = "`invalid_request` (name, time zone), `duplicate`: a city of that name exists, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only; `totp_enrolment_required`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn create_city(
    State(app): State<App>,
    staff: Staff<Owner>,
    Json(body): Json<NewCityRequest>,
) -> ApiResult<(StatusCode, axum::Json<CityBody>)> {
    let actor = by(&app, &staff, "city.create", city_json);
    let city = back_office::create_city(&app, &body.name, &body.timezone, actor).await?;
    Ok((StatusCode::CREATED, axum::Json(CityBody::from(&city))))
}

#[derive(Serialize, ToSchema)]
pub struct AdminVenueBody {
    pub id: i64,
    pub city_id: i64,
    pub name: String,
    pub address: String,
    /// Adverts and trailers before the film: the hall is busy for them.
    pub ads_minutes: u32,
    /// Cleaning after the film, before the next audience.
    pub cleaning_minutes: u32,
}

impl From<&Venue> for AdminVenueBody {
    fn from(v: &Venue) -> Self {
        AdminVenueBody {
            id: v.id.0,
            city_id: v.city_id.0,
            name: v.name.clone(),
            address: v.address.clone(),
            ads_minutes: v.ads_minutes,
            cleaning_minutes: v.cleaning_minutes,
        }
    }
}

pub fn venue_json(venue: &Venue) -> serde_json::Value {
    json(AdminVenueBody::from(venue))
}

#[derive(Serialize, ToSchema)]
pub struct AdminVenuesBody {
    pub venues: Vec<AdminVenueBody>,
}

/// The venues you work at (an owner: all of them).
#[utoipa::path(get, path = "/admin/venues", tag = "back office", security(("bearer" = [])),
    responses(
        (status = 200, body = AdminVenuesBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: staff only; `totp_enrolment_required`", body = ErrorBody),
    ))]
pub async fn list_venues(
    State(app): State<App>,
    staff: Staff<Usher>,
) -> ApiResult<axum::Json<AdminVenuesBody>> {
    let venues = back_office::list_venues(&app, &staff).await?;
    Ok(axum::Json(AdminVenuesBody {
        venues: venues.iter().map(AdminVenueBody::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVenueRequest {
    pub city_id: i64,
    #[schema(example = "Cinema Tejo", max_length = 200)]
    pub name: String,
    #[schema(example = "Rua Augusta 1, Lisboa")]
    pub address: String,
    /// Minutes of adverts before each film; 20 unless given.
    #[schema(maximum = 180)]
    pub ads_minutes: Option<u32>,
    /// Minutes of cleaning after each film; 15 unless given.
    #[schema(maximum = 180)]
    pub cleaning_minutes: Option<u32>,
}

/// Add a venue (its time zone is its city's).
#[utoipa::path(post, path = "/admin/venues", tag = "back office", security(("bearer" = [])), request_body = NewVenueRequest,
    responses(
        (status = 201, body = AdminVenueBody),
        (status = 400, description = "`invalid_request`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`city_not_found`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn create_venue(
    State(app): State<App>,
    staff: Staff<Owner>,
    Json(body): Json<NewVenueRequest>,
) -> ApiResult<(StatusCode, axum::Json<AdminVenueBody>)> {
    let input = VenueInput {
        city_id: CityId(body.city_id),
        name: body.name,
        address: body.address,
        ads_minutes: body.ads_minutes,
        cleaning_minutes: body.cleaning_minutes,
    };
    let actor = by(&app, &staff, "venue.create", venue_json);
    let venue = back_office::create_venue(&app, input, actor).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AdminVenueBody::from(&venue)),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenuePatch {
    #[schema(max_length = 200)]
    pub name: Option<String>,
    pub address: Option<String>,
    #[schema(maximum = 180)]
    pub ads_minutes: Option<u32>,
    #[schema(maximum = 180)]
    pub cleaning_minutes: Option<u32>,
}

/// Change a venue's details. A new turnover applies to showtimes scheduled from now on.
#[utoipa::path(patch, path = "/admin/venues/{id}", tag = "back office", security(("bearer" = [])), request_body = VenuePatch,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = AdminVenueBody),
        (status = 400, description = "`invalid_request`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn update_venue(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<VenuePatch>,
) -> ApiResult<axum::Json<AdminVenueBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let change = VenueChange {
        name: body.name,
        address: body.address,
        ads_minutes: body.ads_minutes,
        cleaning_minutes: body.cleaning_minutes,
    };
    let actor = by(&app, &staff, "venue.update", venue_json);
    let venue = back_office::update_venue(&app, &staff, id, change, actor).await?;
    Ok(axum::Json(AdminVenueBody::from(&venue)))
}

#[derive(Serialize, ToSchema)]
pub struct AuditoriumBody {
    pub id: i64,
    pub venue_id: i64,
    pub name: String,
    /// The current layout's version: each saved layout is a new one, which the hall's
    /// upcoming showtimes take; a showtime that has started keeps the one it ran with.
    pub layout_version: u32,
    pub rows: u32,
    pub columns: u32,
    pub capacity: u32,
    /// The current layout as text (on the answers about one auditorium).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    /// The upcoming showtimes that took the new layout (only on the answer to a new layout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub showtimes_updated: Option<Vec<i64>>,
}

impl From<&AuditoriumInfo> for AuditoriumBody {
    fn from(a: &AuditoriumInfo) -> Self {
        AuditoriumBody {
            id: a.auditorium.id.0,
            venue_id: a.auditorium.venue_id.0,
            name: a.auditorium.name.clone(),
            layout_version: a.layout_version,
            rows: a.rows,
            columns: a.columns,
            capacity: a.auditorium.capacity,
            layout: None,
            showtimes_updated: None,
        }
    }
}

pub fn auditorium_json(a: &AuditoriumInfo) -> serde_json::Value {
    json(AuditoriumBody::from(a))
}

#[derive(Serialize, ToSchema)]
pub struct AuditoriumsBody {
    pub auditoriums: Vec<AuditoriumBody>,
}

/// A venue's auditoriums.
#[utoipa::path(get, path = "/admin/venues/{id}/auditoriums", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = AuditoriumsBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
    ))]
pub async fn list_auditoriums(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AuditoriumsBody>> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let auditoriums = back_office::auditoriums(&app, &staff, id).await?;
    Ok(axum::Json(AuditoriumsBody {
        auditoriums: auditoriums.iter().map(AuditoriumBody::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAuditoriumRequest {
    #[schema(example = "Screen 1", max_length = 200)]
    pub name: String,
    /// The seat layout as text: a row label, then a character per place — `s` standard, `p`
    /// premium, `w` wheelchair space, `c` companion seat, `.` an aisle or gap.
    #[schema(example = "A  wc.ssss.cw\nB  ss.ssss.ss")]
    pub layout: String,
}

/// Add an auditorium with its seat layout (version 1).
#[utoipa::path(post, path = "/admin/venues/{id}/auditoriums", tag = "back office", security(("bearer" = [])), request_body = NewAuditoriumRequest,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = AuditoriumBody),
        (status = 400, description = "`invalid_layout` (the message names the row and column), `invalid_request`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`venue_not_found` (also another venue's)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn create_auditorium(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<NewAuditoriumRequest>,
) -> ApiResult<(StatusCode, axum::Json<AuditoriumBody>)> {
    let id = VenueId(parse_id(&id, Entity::Venue)?);
    let actor = by(&app, &staff, "auditorium.create", auditorium_json);
    let auditorium =
        back_office::create_auditorium(&app, &staff, id, &body.name, &body.layout, actor).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AuditoriumBody {
            layout: Some(body.layout),
            ..AuditoriumBody::from(&auditorium)
        }),
    ))
}

/// An auditorium with its current layout.
#[utoipa::path(get, path = "/admin/auditoriums/{id}", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = AuditoriumBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`auditorium_not_found` (also another venue's)", body = ErrorBody),
    ))]
pub async fn get_auditorium(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AuditoriumBody>> {
    let id = AuditoriumId(parse_id(&id, Entity::Auditorium)?);
    let found = back_office::auditorium(&app, &staff, id).await?;
    Ok(axum::Json(AuditoriumBody {
        layout: Some(found.layout),
        ..AuditoriumBody::from(&found.info)
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutRequest {
    /// The seat layout as text (see `NewAuditoriumRequest`).
    #[schema(example = "A  wc.ssss.cw\nB  ss.ssss.ss")]
    pub layout: String,
}

/// Save a new version of an auditorium's layout. The hall's upcoming showtimes take it too
/// (their free seats follow it), all of them or none: the edit is refused with
/// `layout_conflict` when it would drop, move or recategorise a seat someone holds, bought or
/// staff blocked in one of them, or bring a seat category its frozen prices do not price.
/// Showtimes that have started keep the layout they ran with.
#[utoipa::path(put, path = "/admin/auditoriums/{id}/layout", tag = "back office", security(("bearer" = [])), request_body = LayoutRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = AuditoriumBody),
        (status = 400, description = "`invalid_layout` (the message names the row and column), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`auditorium_not_found` (also another venue's)", body = ErrorBody),
        (status = 409, description = "`layout_conflict`: upcoming showtimes cannot take the layout (`conflicts` lists each, with the seats and the unpriced categories)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn replace_layout(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<LayoutRequest>,
) -> ApiResult<axum::Json<AuditoriumBody>> {
    let id = AuditoriumId(parse_id(&id, Entity::Auditorium)?);
    let actor = by(&app, &staff, "auditorium.layout", auditorium_json);
    let replaced = back_office::replace_layout(&app, &staff, id, &body.layout, actor).await?;
    Ok(axum::Json(AuditoriumBody {
        layout: Some(body.layout),
        showtimes_updated: Some(replaced.showtimes.iter().map(|s| s.0).collect()),
        ..AuditoriumBody::from(&replaced.auditorium)
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PreviewSeatBody {
    /// Row and number, e.g. `C7`.
    pub label: String,
    pub row_label: String,
    /// Grid position, from 0, gaps counted.
    pub row: u16,
    pub column: u16,
    /// The seat's number in its row, from 1, gaps not counted.
    pub number: u16,
    /// `standard`, `premium`, `accessible` (a wheelchair space) or `companion`.
    pub category: String,
}

impl From<&LayoutSeat> for PreviewSeatBody {
    fn from(s: &LayoutSeat) -> Self {
        PreviewSeatBody {
            label: s.label.clone(),
            row_label: s.row_label.clone(),
            row: s.row,
            column: s.column,
            number: s.number,
            category: s.category.as_str().to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LayoutPreviewBody {
    pub rows: usize,
    pub columns: usize,
    pub capacity: usize,
    pub seats: Vec<PreviewSeatBody>,
}

impl From<&SeatLayout> for LayoutPreviewBody {
    fn from(layout: &SeatLayout) -> Self {
        LayoutPreviewBody {
            rows: layout.rows(),
            columns: layout.columns(),
            capacity: layout.capacity(),
            seats: layout.seats().iter().map(PreviewSeatBody::from).collect(),
        }
    }
}

/// The seat map a layout's text makes, or the error naming its row and column. Nothing is
/// saved.
#[utoipa::path(post, path = "/admin/layouts/preview", tag = "back office", security(("bearer" = [])), request_body = LayoutRequest,
    responses(
        (status = 200, body = LayoutPreviewBody),
        (status = 400, description = "`invalid_layout` (the message names the row and column), `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn preview_layout(
    _staff: Staff<Manager>,
    Json(body): Json<LayoutRequest>,
) -> ApiResult<axum::Json<LayoutPreviewBody>> {
    let layout = back_office::parse_layout(&body.layout)?;
    Ok(axum::Json(LayoutPreviewBody::from(&layout)))
}

pub fn event_json(event: &Event) -> serde_json::Value {
    json(EventBody::from(event.clone()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminEventsParams {
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminEventsBody {
    pub events: Vec<EventBody>,
    pub page: u32,
    pub per_page: u32,
}

/// Every film and event, with showtimes or not, by title.
#[utoipa::path(get, path = "/admin/events", tag = "back office", security(("bearer" = [])),
    params(AdminEventsParams),
    responses(
        (status = 200, body = AdminEventsBody),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
    ))]
pub async fn list_events(
    State(app): State<App>,
    _staff: Staff<Manager>,
    Query(params): Query<AdminEventsParams>,
) -> ApiResult<axum::Json<AdminEventsBody>> {
    let page = params.page.unwrap_or(1);
    let per_page = params.per_page.unwrap_or(DEFAULT_PAGE_SIZE);
    if page == 0 || !(1..=MAX_PAGE_SIZE).contains(&per_page) {
        return Err(AppError::invalid(
            ErrorCode::InvalidQuery,
            format!("page is at least 1 and per_page from 1 to {MAX_PAGE_SIZE}"),
        )
        .into());
    }
    let events = back_office::list_events(&app, page, per_page).await?;
    Ok(axum::Json(AdminEventsBody {
        events: events.into_iter().map(EventBody::from).collect(),
        page,
        per_page,
    }))
}

/// `Some(value)` for a field that is present, even as `null`: a PATCH tells "clear it"
/// (`null`) from "leave it" (absent).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A film or event. On `POST`, `title`, `language` and `runtime_minutes` are required; on
/// `PATCH`, what is absent is left as it is, and `null` clears `trailer_url` or
/// `release_date`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    /// `movie` (the default) or `live`.
    pub kind: Option<String>,
    #[schema(example = "The Long Light", max_length = 200)]
    pub title: Option<String>,
    /// The title in the film's own language where it differs; empty (the default) for none.
    #[schema(example = "La Longue Lumière", max_length = 200)]
    pub original_title: Option<String>,
    pub synopsis: Option<String>,
    #[schema(max_items = 50)]
    pub cast: Option<Vec<String>>,
    /// Who directed it; empty (the default) when unknown.
    #[schema(example = "Agnès Varda", max_length = 200)]
    pub director: Option<String>,
    #[schema(max_items = 50)]
    pub genres: Option<Vec<String>>,
    /// ISO 639-1, e.g. `en`.
    #[schema(example = "en", max_length = 16)]
    pub language: Option<String>,
    #[schema(minimum = 1, maximum = 600)]
    pub runtime_minutes: Option<u32>,
    /// E.g. `PG-13`, `12A`, `M/12`.
    #[schema(max_length = 32)]
    pub certificate: Option<String>,
    /// An http(s) URL.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub trailer_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub release_date: Option<Option<NaiveDate>>,
}

impl From<EventRequest> for EventChange {
    fn from(r: EventRequest) -> Self {
        EventChange {
            kind: r.kind,
            title: r.title,
            original_title: r.original_title,
            synopsis: r.synopsis,
            cast: r.cast,
            director: r.director,
            genres: r.genres,
            language: r.language,
            runtime_minutes: r.runtime_minutes,
            certificate: r.certificate,
            trailer_url: r.trailer_url,
            release_date: r.release_date,
        }
    }
}

/// Add a film or event.
#[utoipa::path(post, path = "/admin/events", tag = "back office", security(("bearer" = [])), request_body = EventRequest,
    responses(
        (status = 201, body = EventBody),
        (status = 400, description = "`invalid_request`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn create_event(
    State(app): State<App>,
    staff: Staff<Manager>,
    Json(body): Json<EventRequest>,
) -> ApiResult<(StatusCode, axum::Json<EventBody>)> {
    let actor = by(&app, &staff, "event.create", event_json);
    let event = back_office::create_event(&app, body.into(), actor).await?;
    Ok((StatusCode::CREATED, axum::Json(event.into())))
}

/// Change a film or event. A new runtime applies to showtimes scheduled from now on.
#[utoipa::path(patch, path = "/admin/events/{id}", tag = "back office", security(("bearer" = [])), request_body = EventRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = EventBody),
        (status = 400, description = "`invalid_request`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`event_not_found`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
    ))]
pub async fn update_event(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Json(body): Json<EventRequest>,
) -> ApiResult<axum::Json<EventBody>> {
    let id = EventId(parse_id(&id, Entity::Event)?);
    let actor = by(&app, &staff, "event.update", event_json);
    let event = back_office::update_event(&app, id, body.into(), actor).await?;
    Ok(axum::Json(event.into()))
}

/// Upload a film's poster: the image itself as the body (JPEG, PNG or WebP, at most 5 MB;
/// the type is told from the bytes). The event's `poster_url` then points at it, served with
/// a long cache lifetime (a new poster gets a new URL).
#[utoipa::path(put, path = "/admin/events/{id}/poster", tag = "back office", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The image (JPEG, PNG or WebP)"),
    responses(
        (status = 200, body = EventBody),
        (status = 400, description = "`unsupported_image`: not a JPEG, PNG or WebP", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 5 MB", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: managers and owners; `totp_enrolment_required`", body = ErrorBody),
        (status = 404, description = "`event_not_found`", body = ErrorBody),
    ))]
pub async fn upload_poster(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<axum::Json<EventBody>> {
    let id = EventId(parse_id(&id, Entity::Event)?);
    let body = body.map_err(ApiError::from)?;
    let actor = by(&app, &staff, "event.poster", event_json);
    let event = back_office::set_poster(&app, id, &body, actor).await?;
    Ok(axum::Json(event.into()))
}
