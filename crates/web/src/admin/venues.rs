//! `/admin/venues`: the venues a member of staff runs (an owner: all, with forms to add a
//! venue and a city), and `/admin/venues/{id}`: a venue's details and its auditoriums, with a
//! form to add one. Every check is the service's (`back_office`); another venue's page is the
//! 404 page, as its API answers.

use super::{by, id_of, minutes};
use crate::form::{textarea, FieldErrors};
use crate::page::{html, PageError};
use crate::session::{SignedIn, Staff};
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use marquee_domain::{CityId, Entity, StaffRole, Venue, VenueId};
use marquee_server::back_office::{self, VenueInput};
use marquee_server::error::AppError;
use marquee_server::http::admin::catalog::{auditorium_json, city_json, venue_json};
use marquee_server::http::staff::{Manager, Owner};
use marquee_server::staff::StaffUser;
use marquee_server::App;
use marquee_store::catalog_edits::VenueChange;
use serde::Deserialize;

/// What a new hall's layout box starts with: a small hall to edit from.
const STARTER_LAYOUT: &str = "A  ssssssss\nB  ssssssss\nC  ssssssss";

#[derive(Template)]
#[template(path = "admin/venues.html")]
struct VenuesPage {
    shell: Shell,
    csrf: String,
    venues: Vec<VenueRow>,
    /// Owners add venues and cities.
    owner: bool,
    cities: Vec<CityOption>,
    venue: VenueForm,
    venue_errors: FieldErrors,
    city: CityForm,
    city_errors: FieldErrors,
    zones: &'static [chrono_tz::Tz],
}

struct VenueRow {
    id: i64,
    name: String,
    city: String,
    address: String,
}

struct CityOption {
    id: String,
    name: String,
    timezone: String,
}

/// A venue's fields as typed (numbers too: what was typed is shown again).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VenueForm {
    city_id: String,
    name: String,
    address: String,
    ads_minutes: String,
    cleaning_minutes: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CityForm {
    name: String,
    timezone: String,
}

/// `GET /admin/venues`.
pub async fn list(State(app): State<App>, staff: Staff<Manager>) -> Result<Response, PageError> {
    let page = list_page(
        &app,
        &staff.signed_in,
        &staff.staff,
        VenueForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(html(StatusCode::OK, &page))
}

async fn list_page(
    app: &App,
    me: &SignedIn,
    staff: &StaffUser,
    venue: VenueForm,
    venue_errors: FieldErrors,
) -> Result<VenuesPage, PageError> {
    let cities = app.store().list_cities().await?;
    let city_name = |id: CityId| {
        cities
            .iter()
            .find(|c| c.id == id)
            .map_or(String::new(), |c| c.name.clone())
    };
    let venues = back_office::list_venues(app, staff)
        .await?
        .into_iter()
        .map(|v| VenueRow {
            id: v.id.0,
            city: city_name(v.city_id),
            name: v.name,
            address: v.address,
        })
        .collect();
    Ok(VenuesPage {
        shell: Shell::staff(me, staff, "/admin/venues"),
        csrf: me.csrf.clone(),
        venues,
        owner: staff.access.role == StaffRole::Owner,
        cities: cities
            .iter()
            .map(|c| CityOption {
                id: c.id.0.to_string(),
                name: c.name.clone(),
                timezone: c.timezone.name().to_string(),
            })
            .collect(),
        venue,
        venue_errors,
        city: CityForm::default(),
        city_errors: FieldErrors::default(),
        zones: &chrono_tz::TZ_VARIANTS,
    })
}

/// `POST /admin/venues` (owners): a new venue, then its page.
pub async fn create(
    State(app): State<App>,
    owner: Staff<Owner>,
    Form(typed): Form<VenueForm>,
) -> Result<Response, PageError> {
    let attempt = async {
        let city_id = typed
            .city_id
            .trim()
            .parse()
            .map_err(|_| Ok(FieldErrors::one("city_id", "Choose the venue's city.")))?;
        let (ads_minutes, cleaning_minutes) = turnover(&typed)?;
        let input = VenueInput {
            city_id: CityId(city_id),
            name: typed.name.clone(),
            address: textarea(&typed.address),
            ads_minutes,
            cleaning_minutes,
        };
        let actor = by(&app, &owner.staff, "venue.create", venue_json);
        back_office::create_venue(&app, input, actor)
            .await
            .map_err(|e| refusal(e, &VENUE_FIELDS))
    };
    match attempt.await {
        Ok(venue) => Ok(Redirect::to(&format!("/admin/venues/{}", venue.id.0)).into_response()),
        Err(errors) => {
            let page = list_page(&app, &owner.signed_in, &owner.staff, typed, errors?).await?;
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
    }
}

const VENUE_FIELDS: [&str; 5] = [
    "city_id",
    "name",
    "address",
    "ads_minutes",
    "cleaning_minutes",
];

/// A service's refusal as the form's errors; a city that is gone goes next to its field.
fn refusal(error: AppError, fields: &[&'static str]) -> Result<FieldErrors, PageError> {
    if let AppError::NotFound(Entity::City) = error {
        return Ok(FieldErrors::one("city_id", "Choose the venue's city."));
    }
    FieldErrors::from_refusal(error, fields)
}

/// The typed adverts and cleaning minutes, or the error next to the one that is no number.
fn turnover(
    typed: &VenueForm,
) -> Result<(Option<u32>, Option<u32>), Result<FieldErrors, PageError>> {
    let whole = |field: &'static str, text: &str| {
        minutes(text).map_err(|_| Ok(FieldErrors::one(field, "Give a whole number of minutes.")))
    };
    Ok((
        whole("ads_minutes", &typed.ads_minutes)?,
        whole("cleaning_minutes", &typed.cleaning_minutes)?,
    ))
}

/// `POST /admin/cities` (owners): a new city, back to the venues.
pub async fn create_city(
    State(app): State<App>,
    owner: Staff<Owner>,
    Form(typed): Form<CityForm>,
) -> Result<Response, PageError> {
    let actor = by(&app, &owner.staff, "city.create", city_json);
    match back_office::create_city(&app, &typed.name, &typed.timezone, actor).await {
        Ok(_) => Ok(Redirect::to("/admin/venues#add-venue").into_response()),
        Err(error) => {
            let errors = FieldErrors::from_refusal(error, &["name", "timezone"])?;
            let mut page = list_page(
                &app,
                &owner.signed_in,
                &owner.staff,
                VenueForm::default(),
                FieldErrors::default(),
            )
            .await?;
            page.city = typed;
            page.city_errors = errors;
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/venue.html")]
struct VenuePage {
    shell: Shell,
    csrf: String,
    id: i64,
    /// The name as saved (the heading), whatever the form holds.
    title: String,
    city: String,
    details: VenueForm,
    details_errors: FieldErrors,
    auditoriums: Vec<AuditoriumRow>,
    hall: HallForm,
    hall_errors: FieldErrors,
}

struct AuditoriumRow {
    id: i64,
    name: String,
    capacity: u32,
    version: u32,
}

#[derive(Deserialize)]
#[serde(default)]
pub struct HallForm {
    name: String,
    layout: String,
}

impl Default for HallForm {
    fn default() -> Self {
        HallForm {
            name: String::new(),
            layout: STARTER_LAYOUT.to_string(),
        }
    }
}

fn details_of(venue: &Venue) -> VenueForm {
    VenueForm {
        city_id: venue.city_id.0.to_string(),
        name: venue.name.clone(),
        address: venue.address.clone(),
        ads_minutes: venue.ads_minutes.to_string(),
        cleaning_minutes: venue.cleaning_minutes.to_string(),
    }
}

async fn venue_page(
    app: &App,
    staff: &Staff<Manager>,
    id: VenueId,
    details: Option<(VenueForm, FieldErrors)>,
    hall: Option<(HallForm, FieldErrors)>,
) -> Result<VenuePage, PageError> {
    let venue = back_office::venue(app, &staff.staff, id).await?;
    let city = app
        .store()
        .get_city(venue.city_id)
        .await?
        .map_or(String::new(), |c| c.name);
    let auditoriums = back_office::auditoriums(app, &staff.staff, id)
        .await?
        .into_iter()
        .map(|a| AuditoriumRow {
            id: a.auditorium.id.0,
            name: a.auditorium.name,
            capacity: a.auditorium.capacity,
            version: a.layout_version,
        })
        .collect();
    let (details, details_errors) =
        details.unwrap_or_else(|| (details_of(&venue), FieldErrors::default()));
    let (hall, hall_errors) = hall.unwrap_or_default();
    Ok(VenuePage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/venues"),
        csrf: staff.signed_in.csrf.clone(),
        id: venue.id.0,
        title: venue.name,
        city,
        details,
        details_errors,
        auditoriums,
        hall,
        hall_errors,
    })
}

/// `GET /admin/venues/{id}`.
pub async fn show(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = VenueId(id_of(&id)?);
    let page = venue_page(&app, &staff, id, None, None).await?;
    Ok(html(StatusCode::OK, &page))
}

/// `POST /admin/venues/{id}`: the details saved, back to the venue.
pub async fn update(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(typed): Form<VenueForm>,
) -> Result<Response, PageError> {
    let id = VenueId(id_of(&id)?);
    let attempt = async {
        let (ads_minutes, cleaning_minutes) = turnover(&typed)?;
        let change = VenueChange {
            name: Some(typed.name.clone()),
            address: Some(textarea(&typed.address)),
            ads_minutes,
            cleaning_minutes,
        };
        let actor = by(&app, &staff.staff, "venue.update", venue_json);
        back_office::update_venue(&app, &staff.staff, id, change, actor)
            .await
            .map_err(|e| refusal(e, &VENUE_FIELDS))
    };
    match attempt.await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/venues/{}", id.0)).into_response()),
        Err(errors) => {
            let page = venue_page(&app, &staff, id, Some((typed, errors?)), None).await?;
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
    }
}

/// `POST /admin/venues/{id}/auditoriums`: a new hall, then its seat-map editor.
pub async fn add_auditorium(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(mut typed): Form<HallForm>,
) -> Result<Response, PageError> {
    let id = VenueId(id_of(&id)?);
    typed.layout = textarea(&typed.layout);
    let actor = by(&app, &staff.staff, "auditorium.create", auditorium_json);
    match back_office::create_auditorium(&app, &staff.staff, id, &typed.name, &typed.layout, actor)
        .await
    {
        Ok(hall) => Ok(Redirect::to(&format!(
            "/admin/auditoriums/{}/layout",
            hall.auditorium.id.0
        ))
        .into_response()),
        Err(error) => {
            let errors = FieldErrors::from_refusal(error, &["name", "layout"])?;
            let page = venue_page(&app, &staff, id, None, Some((typed, errors))).await?;
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
    }
}
