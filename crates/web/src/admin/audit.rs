//! `/admin/audit`: every staff write, newest first, filtered by person, venue and dates, 50 at a
//! time (older entries are the next page). Read through `back_office::audit`, which limits a
//! venue-scoped reader to their venues' entries, as the API's.

use crate::form::FieldErrors;
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Days, NaiveDate};
use marquee_domain::{UserId, VenueId};
use marquee_server::back_office;
use marquee_server::http::staff::Manager;
use marquee_server::App;
use marquee_store::{AuditFilter, AuditRecord};
use serde::Deserialize;

const PER_PAGE: u32 = 50;

/// The filters as typed (in the query string: a filtered log is a link that can be shared).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    person: String,
    venue: String,
    from: String,
    to: String,
    before: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    shell: Shell,
    filter: AuditQuery,
    errors: FieldErrors,
    people: Vec<(String, String)>,
    venues: Vec<(String, String)>,
    entries: Vec<EntryView>,
    /// The query string of the next (older) page, if there may be one.
    older: Option<String>,
}

struct EntryView {
    at: String,
    when: String,
    who: String,
    action: String,
    what: String,
    venue: String,
    before: Option<String>,
    after: Option<String>,
}

/// `GET /admin/audit?person=&venue=&from=&to=&before=`.
pub async fn page(
    State(app): State<App>,
    staff: Staff<Manager>,
    Query(filter): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let venues = back_office::list_venues(&app, &staff.staff).await?;
    let people = app.store().list_staff(staff.staff.venue_filter()).await?;
    let (entries, errors) = match read_filter(&filter) {
        Ok(read) => (
            back_office::audit(&app, &staff.staff, read).await?,
            FieldErrors::default(),
        ),
        Err(errors) => (Vec::new(), errors),
    };
    let older = (entries.len() == PER_PAGE as usize)
        .then(|| entries.last().map(|e| next_page(&filter, e.id)))
        .flatten();
    let venue_name = |id: Option<VenueId>| {
        id.and_then(|id| venues.iter().find(|v| v.id == id))
            .map_or(String::new(), |v| v.name.clone())
    };
    let entries = entries
        .into_iter()
        .map(|e| EntryView {
            at: e.at.to_rfc3339(),
            when: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            who: e.actor_email.clone().unwrap_or_else(|| "Marquee".into()),
            what: match e.entity_id {
                Some(id) => format!("{} {id}", e.entity),
                None => e.entity.clone(),
            },
            venue: venue_name(e.venue),
            before: pretty(&e, |e| e.before.as_ref()),
            after: pretty(&e, |e| e.after.as_ref()),
            action: e.action,
        })
        .collect();
    let page = AuditPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/audit"),
        people: people
            .iter()
            .map(|m| (m.user.id.0.to_string(), m.user.email.to_string()))
            .collect(),
        venues: venues
            .iter()
            .map(|v| (v.id.0.to_string(), v.name.clone()))
            .collect(),
        filter,
        errors,
        entries,
        older,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(html(status, &page))
}

fn pretty(
    entry: &AuditRecord,
    value: fn(&AuditRecord) -> Option<&serde_json::Value>,
) -> Option<String> {
    value(entry).and_then(|v| serde_json::to_string_pretty(v).ok())
}

/// The typed filters read, or the error next to the one that cannot be. Dates are whole days
/// in UTC, `to` included.
fn read_filter(typed: &AuditQuery) -> Result<AuditFilter, FieldErrors> {
    let id = |field: &'static str, text: &str, what: &str| -> Result<Option<i64>, FieldErrors> {
        match text.trim() {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| FieldErrors::one(field, &format!("Choose a {what} from the list."))),
        }
    };
    let date = |field: &'static str, text: &str| -> Result<Option<NaiveDate>, FieldErrors> {
        match text.trim() {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| FieldErrors::one(field, "Give the date as 2026-12-24.")),
        }
    };
    let from = date("from", &typed.from)?;
    let to = date("to", &typed.to)?;
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(FieldErrors::one(
                "to",
                "The last day comes after the first.",
            ));
        }
    }
    Ok(AuditFilter {
        actor: id("person", &typed.person, "person")?.map(UserId),
        venues: id("venue", &typed.venue, "venue")?.map(|v| vec![VenueId(v)]),
        from: from.map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc()),
        until: to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc()),
        before: typed.before.trim().parse().ok(),
        limit: PER_PAGE,
    })
}

/// The query string of the page after the entry `last`, the filters kept.
fn next_page(filter: &AuditQuery, last: i64) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("person", &filter.person)
        .append_pair("venue", &filter.venue)
        .append_pair("from", &filter.from)
        .append_pair("to", &filter.to)
        .append_pair("before", &last.to_string())
        .finish()
}
