//! What the schedule's forms (a new schedule, a copied week, a moved showtime) show when the
//! service refuses: each clash with the showtime it meets, a refusal that is no field's above
//! the form, and a field's next to it. The rules are the store's and the services'.

use super::local;
use crate::form::{FieldErrors, FORM};
use crate::page::PageError;
use axum::http::StatusCode;
use chrono_tz::Tz;
use marquee_domain::Entity;
use marquee_server::error::AppError;
use marquee_server::App;
use marquee_store::ScheduleClash;

/// One clash: the slot asked for, and what it meets in the hall.
pub struct ClashView {
    /// "Tue 1 Dec 12:00–14:15" on the venue's clock.
    pub asked: String,
    /// A showtime of the hall (its page), or `None`: another of the same request.
    pub with_id: Option<i64>,
    pub with_title: String,
    pub with_hall: String,
    pub with_slot: String,
}

/// A refused form: its status, its errors, and the clashes to list.
pub struct Refusal {
    pub status: StatusCode,
    pub errors: FieldErrors,
    pub clashes: Vec<ClashView>,
}

impl Refusal {
    fn above(status: StatusCode, message: &str) -> Refusal {
        Refusal {
            status,
            errors: FieldErrors::one(FORM, message),
            clashes: Vec::new(),
        }
    }
}

/// `error` as the form shows it (`fields`: the form's fields, as the service names them);
/// `Err` when it is no refusal of what was asked (not found, a failure): the error page.
pub async fn refusal(
    app: &App,
    zone: Tz,
    error: AppError,
    fields: &[&'static str],
) -> Result<Refusal, PageError> {
    Ok(match error {
        AppError::ScheduleConflict(clashes) => Refusal {
            status: StatusCode::CONFLICT,
            errors: FieldErrors::one(
                FORM,
                &format!(
                    "Nothing was changed: {} would overlap another showtime in its hall (listed below)",
                    if clashes.len() == 1 {
                        "a showtime".to_string()
                    } else {
                        format!("{} showtimes", clashes.len())
                    }
                ),
            ),
            clashes: views(app, zone, &clashes).await?,
        },
        AppError::NoPricePlan => Refusal::above(
            StatusCode::CONFLICT,
            "The venue has no price plan yet: give it one on its price plan page first",
        ),
        AppError::ShowtimeHasBookings { live: true } if fields.contains(&"reason") => Refusal {
            status: StatusCode::CONFLICT,
            errors: FieldErrors::one(
                "reason",
                "It has sales: say why it moves (each customer is emailed the change).",
            ),
            clashes: Vec::new(),
        },
        AppError::ShowtimeHasBookings { .. } | AppError::NotOnSale(_) | AppError::Conflict { .. } => {
            Refusal::above(StatusCode::CONFLICT, &error.to_string())
        }
        AppError::NotFound(Entity::Event) if fields.contains(&"event_id") => Refusal {
            status: StatusCode::BAD_REQUEST,
            errors: FieldErrors::one("event_id", "Choose a film."),
            clashes: Vec::new(),
        },
        AppError::NotFound(Entity::Auditorium) if fields.contains(&"auditorium_id") => Refusal {
            status: StatusCode::BAD_REQUEST,
            errors: FieldErrors::one("auditorium_id", "Choose one of the venue's auditoriums."),
            clashes: Vec::new(),
        },
        other => Refusal {
            status: StatusCode::BAD_REQUEST,
            errors: FieldErrors::from_refusal(other, fields)?,
            clashes: Vec::new(),
        },
    })
}

/// A slot on the venue's clock: "Tue 1 Dec 12:00–14:15".
fn slot(zone: Tz, slot: &marquee_domain::schedule::Slot) -> String {
    format!(
        "{}–{}",
        local(slot.starts_at, zone, "%a %-d %b %H:%M"),
        local(slot.ends_at, zone, "%H:%M")
    )
}

async fn views(
    app: &App,
    zone: Tz,
    clashes: &[ScheduleClash],
) -> Result<Vec<ClashView>, PageError> {
    let mut views = Vec::with_capacity(clashes.len());
    for clash in clashes {
        let met = match clash.showtime {
            Some(id) => app.store().get_showtime(id, app.now()).await?,
            None => None,
        };
        views.push(ClashView {
            asked: slot(zone, &clash.proposed),
            with_id: clash.showtime.map(|id| id.0),
            with_title: met
                .as_ref()
                .map_or_else(String::new, |m| m.event_title.clone()),
            with_hall: met.map_or_else(String::new, |m| m.auditorium_name),
            with_slot: slot(zone, &clash.with),
        });
    }
    Ok(views)
}
