//! `/admin/auditoriums/{id}/layout`: the seat-map editor. The layout is text (the form's
//! textarea, which is all there is without JavaScript, and what is saved); the module
//! `assets/layout-editor.js` draws it as a grid to click or key through and keeps grid and text
//! in step both ways.
//!
//! The preview (seats with their labels) is drawn here, on the server, both on the page and as
//! the fragment `POST /admin/layouts/preview` answers the editor with as the layout changes: the
//! rules that number seats and refuse a layout live in the domain (`SeatLayout::parse`) and
//! nowhere else, so the preview can never disagree with what saving does, and the script stays
//! a small drawing of characters.

use super::{by, id_of};
use crate::form::{textarea, FieldErrors};
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use marquee_domain::{AuditoriumId, SeatCategory, SeatLayout};
use marquee_server::back_office;
use marquee_server::error::AppError;
use marquee_server::http::admin::catalog::auditorium_json;
use marquee_server::http::staff::Manager;
use marquee_server::App;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/layout.html")]
struct EditorPage {
    shell: Shell,
    csrf: String,
    id: i64,
    venue_id: i64,
    name: String,
    version: u32,
    /// The layout's text: the saved one, or what was typed when saving was refused.
    layout: String,
    errors: FieldErrors,
    preview: Preview,
}

#[derive(Template)]
#[template(path = "admin/layout_preview.html")]
struct PreviewFragment {
    preview: Preview,
}

/// A layout drawn as seats (SVG units: `CELL` per place), or why it cannot be.
pub struct Preview {
    error: Option<String>,
    width: u32,
    height: u32,
    seats: Vec<SeatView>,
    rows: Vec<RowView>,
    summary: String,
}

struct SeatView {
    x: u32,
    y: u32,
    /// The middle of the seat, where its label goes.
    cx: u32,
    cy: u32,
    label: String,
    category: &'static str,
}

struct RowView {
    y: u32,
    label: String,
    /// Where the label repeats on the right.
    right: u32,
}

/// A place's size in the drawing, and the room for the row labels either side.
const CELL: u32 = 34;
const SEAT: u32 = 30;
const MARGIN: u32 = 30;

impl Preview {
    pub fn of(text: &str) -> Preview {
        match back_office::parse_layout(text) {
            Ok(layout) => Preview::drawn(&layout),
            Err(AppError::Invalid { message, .. }) => Preview::refused(&message),
            Err(_) => Preview::refused("this layout cannot be read"),
        }
    }

    fn refused(message: &str) -> Preview {
        Preview {
            error: Some(crate::form::sentence(message)),
            width: 0,
            height: 0,
            seats: Vec::new(),
            rows: Vec::new(),
            summary: String::new(),
        }
    }

    fn drawn(layout: &SeatLayout) -> Preview {
        let columns = layout.columns() as u32;
        let right = MARGIN + columns * CELL + MARGIN / 2;
        let mut rows: Vec<RowView> = Vec::new();
        let seats = layout
            .seats()
            .iter()
            .map(|seat| {
                let y = u32::from(seat.row) * CELL;
                if rows.last().is_none_or(|r| r.label != seat.row_label) {
                    rows.push(RowView {
                        y: y + CELL / 2,
                        label: seat.row_label.clone(),
                        right,
                    });
                }
                let x = MARGIN + u32::from(seat.column) * CELL;
                SeatView {
                    x,
                    y,
                    cx: x + SEAT / 2,
                    cy: y + SEAT / 2,
                    label: seat.label.clone(),
                    category: seat.category.as_str(),
                }
            })
            .collect();
        let count = |category: SeatCategory| {
            layout
                .seats()
                .iter()
                .filter(|s| s.category == category)
                .count()
        };
        let summary = format!(
            "{} seats in {} rows: {} standard, {} premium, {} wheelchair spaces, {} companion seats",
            layout.capacity(),
            layout.rows(),
            count(SeatCategory::Standard),
            count(SeatCategory::Premium),
            count(SeatCategory::Accessible),
            count(SeatCategory::Companion),
        );
        Preview {
            error: None,
            width: right + MARGIN / 2,
            height: layout.rows() as u32 * CELL,
            seats,
            rows,
            summary,
        }
    }
}

async fn editor(
    app: &App,
    staff: &Staff<Manager>,
    id: AuditoriumId,
    typed: Option<(String, FieldErrors)>,
) -> Result<EditorPage, PageError> {
    let found = back_office::auditorium(app, &staff.staff, id).await?;
    let (layout, errors) = typed.unwrap_or((found.layout, FieldErrors::default()));
    Ok(EditorPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/venues"),
        csrf: staff.signed_in.csrf.clone(),
        id: id.0,
        venue_id: found.info.auditorium.venue_id.0,
        name: found.info.auditorium.name,
        version: found.info.layout_version,
        preview: Preview::of(&layout),
        layout,
        errors,
    })
}

/// `GET /admin/auditoriums/{id}/layout`.
pub async fn page(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = AuditoriumId(id_of(&id)?);
    Ok(html(StatusCode::OK, &editor(&app, &staff, id, None).await?))
}

#[derive(Deserialize)]
pub struct LayoutForm {
    #[serde(default)]
    layout: String,
}

/// `POST /admin/auditoriums/{id}/layout`: a new version of the layout, back to the editor.
pub async fn save(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    Form(typed): Form<LayoutForm>,
) -> Result<Response, PageError> {
    let id = AuditoriumId(id_of(&id)?);
    let layout = textarea(&typed.layout);
    let actor = by(&app, &staff.staff, "auditorium.layout", auditorium_json);
    match back_office::replace_layout(&app, &staff.staff, id, &layout, actor).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/auditoriums/{}/layout", id.0)).into_response()),
        Err(error) => {
            // Scheduled showtimes that cannot take it: a conflict, not a fault of the text.
            let status = match error {
                AppError::LayoutConflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            let errors = FieldErrors::from_refusal(error, &["layout"])?;
            let page = editor(&app, &staff, id, Some((layout, errors))).await?;
            Ok(html(status, &page))
        }
    }
}

/// `POST /admin/layouts/preview`: the preview of a layout's text, as a fragment of HTML for
/// the editor to put in place (nothing is saved). For managers and up, as the API's.
pub async fn preview(_staff: Staff<Manager>, Form(typed): Form<LayoutForm>) -> Response {
    let preview = Preview::of(&typed.layout);
    let status = if preview.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html(status, &PreviewFragment { preview })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_places_each_seat_by_its_row_and_column() {
        let preview = Preview::of("A  w.s\nB  ss");
        assert!(preview.error.is_none());
        let placed: Vec<(&str, u32, u32, &str)> = preview
            .seats
            .iter()
            .map(|s| (s.label.as_str(), s.x, s.y, s.category))
            .collect();
        assert_eq!(
            placed,
            [
                ("A1", MARGIN, 0, "accessible"),
                ("A2", MARGIN + 2 * CELL, 0, "standard"),
                ("B1", MARGIN, CELL, "standard"),
                ("B2", MARGIN + CELL, CELL, "standard"),
            ]
        );
        assert_eq!(preview.rows.len(), 2);
        assert_eq!(
            preview.summary,
            "4 seats in 2 rows: 3 standard, 0 premium, 1 wheelchair spaces, 0 companion seats"
        );
        let refused = Preview::of("A  sx");
        assert!(refused
            .error
            .is_some_and(|e| e.starts_with("Row A (line 1), column 5")));
    }
}
