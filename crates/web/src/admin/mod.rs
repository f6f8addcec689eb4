//! The back office's pages, under `/admin`: one module per page.

pub mod audit;
pub mod clashes;
pub mod films;
pub mod join;
pub mod layout;
pub mod price_plan;
pub mod schedule;
pub mod showtime;
pub mod staff;
pub mod today;
pub mod totp;
pub mod venues;
pub mod week;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use marquee_domain::AccessTag;
use marquee_server::staff::StaffUser;
use marquee_server::App;
use marquee_store::Actor;

/// `staff`'s write `action` as the audit log records it, with the values rendered by the
/// API's own `render` (`http::admin::catalog::venue_json`...): the log reads the same whether
/// a write came from a page or the API.
pub fn by<T>(
    app: &App,
    staff: &StaffUser,
    action: &'static str,
    render: fn(&T) -> serde_json::Value,
) -> Actor<T> {
    Actor::staff(staff.user.id, app.now(), action, render)
}

/// A number of minutes typed into a form: `None` when left empty, an error when it is no
/// whole number (the form shows one next to the field).
pub fn minutes(typed: &str) -> Result<Option<u32>, std::num::ParseIntError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    typed.parse().map(Some)
}

/// An id in a page's path; anything else is the 404 page (no such page).
pub fn id_of(text: &str) -> Result<i64, crate::page::PageError> {
    text.parse().map_err(|_| {
        crate::page::PageError::Status(
            axum::http::StatusCode::NOT_FOUND,
            "There is no page at this address.",
        )
    })
}

/// An instant on a venue's wall clock, in `format` (chrono's).
pub fn local(at: DateTime<Utc>, zone: Tz, format: &str) -> String {
    at.with_timezone(&zone).format(format).to_string()
}

/// An access tag as staff read it: a short mark for a crowded place (the week's blocks) and
/// its words.
pub fn tag_words(tag: AccessTag) -> (&'static str, &'static str) {
    match tag {
        AccessTag::Subtitled => ("ST", "Subtitled"),
        AccessTag::Captioned => ("CC", "Captioned (SDH)"),
        AccessTag::AudioDescribed => ("AD", "Audio described"),
        AccessTag::Relaxed => ("Relaxed", "Relaxed screening"),
        AccessTag::ParentAndBaby => ("P&B", "Parent and baby"),
    }
}
