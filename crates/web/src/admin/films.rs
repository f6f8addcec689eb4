//! `/admin/films`: the films and events, a page at a time, with a form to add one;
//! `/admin/films/{id}`: one film's every field, and its poster uploaded through the page (a
//! multipart form; the CSRF guard reads its token from the form's `csrf` field, sent before
//! the file). The checks are the service's (`back_office`): the fields', and the poster's size
//! and type (told from its bytes).

use super::{by, id_of, minutes};
use crate::form::{textarea, FieldErrors};
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use marquee_domain::{Event, EventId};
use marquee_server::back_office::{self, MAX_POSTER_BYTES};
use marquee_server::error::{AppError, ErrorCode};
use marquee_server::http::admin::catalog::event_json;
use marquee_server::http::staff::Manager;
use marquee_server::App;
use marquee_store::EventChange;
use serde::Deserialize;

/// Films a page of the list shows.
const PER_PAGE: u32 = 25;

/// The fields of a film as the form has them; lists (cast, genres) one entry a line.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FilmForm {
    kind: String,
    title: String,
    original_title: String,
    director: String,
    synopsis: String,
    cast: String,
    genres: String,
    language: String,
    runtime_minutes: String,
    certificate: String,
    trailer_url: String,
    release_date: String,
}

const FIELDS: [&str; 12] = [
    "kind",
    "title",
    "original_title",
    "director",
    "synopsis",
    "cast",
    "genres",
    "language",
    "runtime_minutes",
    "certificate",
    "trailer_url",
    "release_date",
];

impl FilmForm {
    fn of(event: &Event) -> FilmForm {
        FilmForm {
            kind: event.kind.clone(),
            title: event.title.clone(),
            original_title: event.original_title.clone(),
            director: event.director.clone(),
            synopsis: event.synopsis.clone(),
            cast: event.cast.join("\n"),
            genres: event.genres.join("\n"),
            language: event.language.clone(),
            runtime_minutes: event.runtime_minutes.to_string(),
            certificate: event.certificate.clone(),
            trailer_url: event.trailer_url.clone().unwrap_or_default(),
            release_date: event
                .release_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        }
    }

    /// What the service is given: every field, an empty optional one cleared. What cannot be
    /// read (a runtime that is no number, a date that is no date) is the error of its field.
    fn input(&self) -> Result<EventChange, FieldErrors> {
        let list = |text: &str| -> Vec<String> {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        let runtime = minutes(&self.runtime_minutes).map_err(|_| {
            FieldErrors::one("runtime_minutes", "Give the runtime in whole minutes.")
        })?;
        let release =
            match self.release_date.trim() {
                "" => None,
                date => Some(date.parse::<NaiveDate>().map_err(|_| {
                    FieldErrors::one("release_date", "Give the date as 2026-12-24.")
                })?),
            };
        let trailer = Some(self.trailer_url.trim()).filter(|t| !t.is_empty());
        Ok(EventChange {
            kind: Some(self.kind.trim().to_string()).filter(|k| !k.is_empty()),
            title: Some(self.title.clone()),
            original_title: Some(self.original_title.clone()),
            synopsis: Some(textarea(&self.synopsis)),
            cast: Some(list(&self.cast)),
            director: Some(self.director.clone()),
            genres: Some(list(&self.genres)),
            language: Some(self.language.clone()),
            runtime_minutes: runtime,
            certificate: Some(self.certificate.clone()),
            trailer_url: Some(trailer.map(str::to_string)),
            release_date: Some(release),
        })
    }
}

#[derive(Template)]
#[template(path = "admin/films.html")]
struct FilmsPage {
    shell: Shell,
    csrf: String,
    films: Vec<FilmRow>,
    page: u32,
    /// Whether a page may follow this one.
    more: bool,
    film: FilmForm,
    errors: FieldErrors,
}

struct FilmRow {
    id: i64,
    title: String,
    kind: String,
    runtime: u32,
    language: String,
    certificate: String,
    has_poster: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<u32>,
}

async fn films_page(
    app: &App,
    staff: &Staff<Manager>,
    page: u32,
    film: FilmForm,
    errors: FieldErrors,
) -> Result<FilmsPage, PageError> {
    let events = back_office::list_events(app, page, PER_PAGE).await?;
    // A full page may have another after it (an empty next page says there is none).
    let more = events.len() == PER_PAGE as usize;
    let films = events
        .into_iter()
        .map(|e| FilmRow {
            id: e.id.0,
            has_poster: e.poster_url.is_some(),
            title: e.title,
            kind: e.kind,
            runtime: e.runtime_minutes,
            language: e.language,
            certificate: e.certificate,
        })
        .collect();
    Ok(FilmsPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/films"),
        csrf: staff.signed_in.csrf.clone(),
        films,
        page,
        more,
        film,
        errors,
    })
}

/// `GET /admin/films?page=N`.
pub async fn list(
    State(app): State<App>,
    staff: Staff<Manager>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let form = FilmForm {
        kind: "movie".into(),
        ..FilmForm::default()
    };
    let page = films_page(&app, &staff, page, form, FieldErrors::default()).await?;
    Ok(html(StatusCode::OK, &page))
}

/// `POST /admin/films`: a new film, then its page (for its poster).
pub async fn create(
    State(app): State<App>,
    staff: Staff<Manager>,
    Form(typed): Form<FilmForm>,
) -> Result<Response, PageError> {
    let attempt = async {
        let input = typed.input().map_err(Ok)?;
        let actor = by(&app, &staff.staff, "event.create", event_json);
        back_office::create_event(&app, input, actor)
            .await
            .map_err(|e| FieldErrors::from_refusal(e, &FIELDS))
    };
    match attempt.await {
        Ok(event) => Ok(Redirect::to(&format!("/admin/films/{}", event.id.0)).into_response()),
        Err(errors) => {
            let page = films_page(&app, &staff, 1, typed, errors?).await?;
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/film.html")]
struct FilmPage {
    shell: Shell,
    csrf: String,
    id: i64,
    /// The title as saved.
    title: String,
    poster_url: Option<String>,
    film: FilmForm,
    errors: FieldErrors,
    poster_errors: FieldErrors,
    max_poster_mb: usize,
}

async fn film_page(
    app: &App,
    staff: &Staff<Manager>,
    id: EventId,
    typed: Option<(FilmForm, FieldErrors)>,
    poster_errors: FieldErrors,
) -> Result<FilmPage, PageError> {
    let event = back_office::event(app, id).await?;
    let (film, errors) = typed.unwrap_or_else(|| (FilmForm::of(&event), FieldErrors::default()));
    Ok(FilmPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/films"),
        csrf: staff.signed_in.csrf.clone(),
        id: id.0,
        title: event.title,
        poster_url: event.poster_url,
        film,
        errors,
        poster_errors,
        max_poster_mb: MAX_POSTER_BYTES / (1024 * 1024),
    })
}

/// `GET /admin/films/{id}`.
pub async fn show(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = EventId(id_of(&id)?);
    let page = film_page(&app, &staff, id, None, FieldErrors::default()).await?;
    Ok(html(StatusCode::OK, &page))
}

/// `POST /admin/films/{id}`: every field saved, back to the film.
pub async fn update(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(typed): Form<FilmForm>,
) -> Result<Response, PageError> {
    let id = EventId(id_of(&id)?);
    let attempt = async {
        let input = typed.input().map_err(Ok)?;
        let actor = by(&app, &staff.staff, "event.update", event_json);
        back_office::update_event(&app, id, input, actor)
            .await
            .map_err(|e| FieldErrors::from_refusal(e, &FIELDS))
    };
    match attempt.await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/films/{}", id.0)).into_response()),
        Err(errors) => {
            let page = film_page(
                &app,
                &staff,
                id,
                Some((typed, errors?)),
                FieldErrors::default(),
            )
            .await?;
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
    }
}

/// `POST /admin/films/{id}/poster` (multipart, the image in the field `poster`): the poster
/// stored, back to the film; a file that is no image or too big is refused next to the field.
pub async fn upload_poster(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let id = EventId(id_of(&id)?);
    let mut image = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("poster") {
            image = field.bytes().await.ok();
            break;
        }
    }
    let refused = |status: StatusCode, message: &str| (status, FieldErrors::one("poster", message));
    let outcome = match image.filter(|bytes| !bytes.is_empty()) {
        None => Err(refused(StatusCode::BAD_REQUEST, "Choose an image file.")),
        Some(bytes) => {
            let actor = by(&app, &staff.staff, "event.poster", event_json);
            match back_office::set_poster(&app, id, &bytes, actor).await {
                Ok(_) => Ok(()),
                Err(AppError::Invalid { code, message }) => {
                    let status = if code == ErrorCode::PayloadTooLarge {
                        StatusCode::PAYLOAD_TOO_LARGE
                    } else {
                        StatusCode::BAD_REQUEST
                    };
                    Err(refused(status, &message))
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/admin/films/{}", id.0)).into_response()),
        Err((status, errors)) => {
            let page = film_page(&app, &staff, id, None, errors).await?;
            Ok(html(status, &page))
        }
    }
}
