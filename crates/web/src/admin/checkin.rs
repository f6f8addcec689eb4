//! `/admin/checkin`: the door's scanner, for a phone. A code typed (or read from the QR code by
//! the camera, `assets/checkin.js`, where the browser has a BarcodeDetector) is posted and
//! admitted by `check_in::admit`, as the API's `POST /checkin`; the page says what it admitted
//! or why not, in large type, and is ready for the next code.

use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use crate::words::local_time;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use marquee_server::check_in;
use marquee_server::error::AppError;
use marquee_server::http::staff::Usher;
use marquee_server::App;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/checkin.html")]
struct CheckInPage {
    shell: Shell,
    csrf: String,
    outcome: Option<Outcome>,
}

/// What the last code did.
enum Outcome {
    Admitted {
        seat: String,
        ticket_type: String,
        film: String,
        when: String,
        hall: String,
        access_needs: Option<String>,
        /// The showtime's door now: admitted so far, of the tickets sold.
        admitted: u32,
        sold: u32,
    },
    Refused {
        why: String,
    },
}

fn page(staff: &Staff<Usher>, outcome: Option<Outcome>) -> CheckInPage {
    CheckInPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/checkin"),
        csrf: staff.signed_in.csrf.clone(),
        outcome,
    }
}

/// `GET /admin/checkin`.
pub async fn form(staff: Staff<Usher>) -> Response {
    html(StatusCode::OK, &page(&staff, None))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

/// `POST /admin/checkin`: the code admitted, or why not; the form again.
pub async fn admit(
    State(app): State<App>,
    staff: Staff<Usher>,
    Form(typed): Form<CodeForm>,
) -> Result<Response, PageError> {
    let (status, outcome) = match check_in::admit(&app, &staff.staff, &typed.code).await {
        Ok(admitted) => {
            let info = &admitted.showtime;
            (
                StatusCode::OK,
                Outcome::Admitted {
                    seat: admitted.seat.clone(),
                    ticket_type: admitted.ticket_type.clone(),
                    film: info.event_title.clone(),
                    when: local_time(info.showtime.starts_at, info.city.timezone),
                    hall: info.auditorium_name.clone(),
                    access_needs: admitted.access_needs.clone(),
                    admitted: admitted.door.admitted,
                    sold: admitted.door.sold,
                },
            )
        }
        Err(AppError::NotFound(_)) => (
            StatusCode::NOT_FOUND,
            Outcome::Refused {
                why: "No ticket has this code.".into(),
            },
        ),
        Err(error @ AppError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            Outcome::Refused {
                why: crate::form::sentence(&error.to_string()),
            },
        ),
        Err(error) => return Err(error.into()),
    };
    Ok(html(status, &page(&staff, Some(outcome))))
}
