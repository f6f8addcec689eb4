//! The back office's catalog: cities, venues, auditoriums and their layouts, events and their
//! posters, and the audit log, as staff change and read them. Every rule is here, not in a
//! page or a handler: what is valid, and which venue a member of staff may touch (another
//! venue's things answer 404). Writes carry an `Actor`, so the store audits them in their
//! own transaction.

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::staff::StaffUser;
use marquee_domain::{AuditoriumId, City, Entity, Event, EventId, SeatLayout, Venue, VenueId};
use marquee_store::catalog_edits::{AuditoriumLayout, EventChange, Poster, VenueChange};
use marquee_store::{
    Actor, AuditFilter, AuditRecord, AuditoriumInfo, LayoutReplaced, NewAuditorium, NewCity,
    NewEvent, NewVenue,
};
use sha2::{Digest, Sha256};

/// The longest a hall is kept busy before or after a film.
const MAX_TURNOVER_MINUTES: u32 = 180;
const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 10_000;
/// The largest poster taken, and the types taken (checked on the bytes, not the header).
pub const MAX_POSTER_BYTES: usize = 5 * 1024 * 1024;

fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid(ErrorCode::InvalidRequest, message)
}

/// A required text field: trimmed, not empty, at most `max` characters.
fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = bounded(field, value, max)?;
    if value.is_empty() {
        return Err(invalid(format!("{field} cannot be empty")));
    }
    Ok(value)
}

/// A text field that may be empty: trimmed, at most `max` characters.
fn bounded(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(invalid(format!("{field} has at most {max} characters")));
    }
    Ok(value.to_string())
}

fn turnover(field: &str, minutes: u32) -> AppResult<u32> {
    if minutes > MAX_TURNOVER_MINUTES {
        return Err(invalid(format!(
            "{field} is at most {MAX_TURNOVER_MINUTES} minutes"
        )));
    }
    Ok(minutes)
}

pub async fn create_city(
    app: &App,
    name: &str,
    timezone: &str,
    by: Actor<City>,
) -> AppResult<City> {
    let timezone = timezone.parse::<chrono_tz::Tz>().map_err(|_| {
        invalid(format!(
            "timezone {timezone:?} is not an IANA time zone (e.g. Europe/Lisbon)"
        ))
    })?;
    Ok(app
        .store()
        .create_city(
            NewCity {
                name: text("name", name, MAX_NAME)?,
                timezone,
            },
            by,
        )
        .await?)
}

/// A new venue, as staff describe it; the turnover defaults to the usual 20 and 15 minutes.
pub struct VenueInput {
    pub city_id: marquee_domain::CityId,
    pub name: String,
    pub address: String,
    pub ads_minutes: Option<u32>,
    pub cleaning_minutes: Option<u32>,
}

pub async fn create_venue(app: &App, input: VenueInput, by: Actor<Venue>) -> AppResult<Venue> {
    let venue = NewVenue {
        city_id: input.city_id,
        name: text("name", &input.name, MAX_NAME)?,
        address: text("address", &input.address, MAX_TEXT)?,
        ads_minutes: turnover(
            "ads_minutes",
            input.ads_minutes.unwrap_or(Venue::DEFAULT_ADS_MINUTES),
        )?,
        cleaning_minutes: turnover(
            "cleaning_minutes",
            input
                .cleaning_minutes
                .unwrap_or(Venue::DEFAULT_CLEANING_MINUTES),
        )?,
    };
    Ok(app.store().create_venue(venue, by).await?)
}

pub async fn update_venue(
    app: &App,
    staff: &StaffUser,
    id: VenueId,
    change: VenueChange,
    by: Actor<Venue>,
) -> AppResult<Venue> {
    staff.venue(id, Entity::Venue)?;
    let change = VenueChange {
        name: change
            .name
            .map(|n| text("name", &n, MAX_NAME))
            .transpose()?,
        address: change
            .address
            .map(|a| text("address", &a, MAX_TEXT))
            .transpose()?,
        ads_minutes: change
            .ads_minutes
            .map(|m| turnover("ads_minutes", m))
            .transpose()?,
        cleaning_minutes: change
            .cleaning_minutes
            .map(|m| turnover("cleaning_minutes", m))
            .transpose()?,
    };
    Ok(app.store().update_venue(id, change, by).await?)
}

/// One of `staff`'s venues.
pub async fn venue(app: &App, staff: &StaffUser, id: VenueId) -> AppResult<Venue> {
    staff.venue(id, Entity::Venue)?;
    app.store()
        .get_venue(id)
        .await?
        .ok_or(AppError::NotFound(Entity::Venue))
}

pub async fn list_venues(app: &App, staff: &StaffUser) -> AppResult<Vec<Venue>> {
    Ok(app.store().list_venues(staff.venue_filter()).await?)
}

/// A layout's text parsed, or the error naming its row and column.
pub fn parse_layout(text: &str) -> AppResult<SeatLayout> {
    SeatLayout::parse(text).map_err(|e| AppError::invalid(ErrorCode::InvalidLayout, e.to_string()))
}

pub async fn create_auditorium(
    app: &App,
    staff: &StaffUser,
    venue: VenueId,
    name: &str,
    layout: &str,
    by: Actor<AuditoriumInfo>,
) -> AppResult<AuditoriumInfo> {
    staff.venue(venue, Entity::Venue)?;
    let auditorium = NewAuditorium {
        venue_id: venue,
        name: text("name", name, MAX_NAME)?,
        layout: parse_layout(layout)?,
        now: app.now(),
    };
    Ok(app.store().create_auditorium(auditorium, by).await?)
}

/// An auditorium of one of `staff`'s venues, with its current layout.
pub async fn auditorium(
    app: &App,
    staff: &StaffUser,
    id: AuditoriumId,
) -> AppResult<AuditoriumLayout> {
    let found = app
        .store()
        .auditorium_layout(id)
        .await?
        .ok_or(AppError::NotFound(Entity::Auditorium))?;
    staff.venue(found.info.auditorium.venue_id, Entity::Auditorium)?;
    Ok(found)
}

pub async fn auditoriums(
    app: &App,
    staff: &StaffUser,
    venue: VenueId,
) -> AppResult<Vec<AuditoriumInfo>> {
    self::venue(app, staff, venue).await?;
    Ok(app.store().auditoriums(venue).await?)
}

/// A new version of an auditorium's layout, which its upcoming showtimes take too: all of
/// them, or none when one has seats people have that the layout would disturb, or would get
/// a seat category its frozen prices do not price (`layout_conflict`).
pub async fn replace_layout(
    app: &App,
    staff: &StaffUser,
    id: AuditoriumId,
    layout: &str,
    by: Actor<AuditoriumInfo>,
) -> AppResult<LayoutReplaced> {
    auditorium(app, staff, id).await?;
    let layout = parse_layout(layout)?;
    let replaced = app
        .store()
        .replace_layout(id, &layout, app.now(), by)
        .await?;
    // Their cached seat maps show the old layout; other nodes' run out within their age.
    for showtime in &replaced.showtimes {
        app.seat_maps().forget(*showtime);
    }
    Ok(replaced)
}

/// Checks what staff gave of an event (an `EventChange`: what is absent stays absent).
fn event_change(input: EventChange) -> AppResult<EventChange> {
    let list = |field: &str, items: Vec<String>| -> AppResult<Vec<String>> {
        if items.len() > 50 {
            return Err(invalid(format!("{field} has at most 50 entries")));
        }
        items.iter().map(|i| text(field, i, MAX_NAME)).collect()
    };
    if let Some(kind) = &input.kind {
        if !["movie", "live"].contains(&kind.as_str()) {
            return Err(invalid("kind is movie or live"));
        }
    }
    if let Some(runtime) = input.runtime_minutes {
        if !(1..=600).contains(&runtime) {
            return Err(invalid("runtime_minutes is from 1 to 600"));
        }
    }
    if let Some(Some(url)) = &input.trailer_url {
        let parsed = url::Url::parse(url).map_err(|_| invalid("trailer_url is not a URL"))?;
        if !["http", "https"].contains(&parsed.scheme()) || url.len() > 2000 {
            return Err(invalid("trailer_url is an http or https URL"));
        }
    }
    Ok(EventChange {
        kind: input.kind,
        title: input
            .title
            .map(|t| text("title", &t, MAX_NAME))
            .transpose()?,
        original_title: input
            .original_title
            .map(|t| bounded("original_title", &t, MAX_NAME))
            .transpose()?,
        synopsis: input
            .synopsis
            .map(|s| bounded("synopsis", &s, MAX_TEXT))
            .transpose()?,
        cast: input.cast.map(|c| list("cast", c)).transpose()?,
        director: input
            .director
            .map(|d| bounded("director", &d, MAX_NAME))
            .transpose()?,
        genres: input.genres.map(|g| list("genres", g)).transpose()?,
        language: input
            .language
            .map(|l| text("language", &l, 16))
            .transpose()?,
        runtime_minutes: input.runtime_minutes,
        certificate: input
            .certificate
            .map(|c| bounded("certificate", &c, 32))
            .transpose()?,
        trailer_url: input.trailer_url,
        release_date: input.release_date,
    })
}

pub async fn create_event(app: &App, input: EventChange, by: Actor<Event>) -> AppResult<Event> {
    let change = event_change(input)?;
    let required = |field: &str| invalid(format!("{field} is required"));
    let event = NewEvent {
        kind: change.kind.unwrap_or_else(|| "movie".into()),
        title: change.title.ok_or_else(|| required("title"))?,
        original_title: change.original_title.unwrap_or_default(),
        synopsis: change.synopsis.unwrap_or_default(),
        cast: change.cast.unwrap_or_default(),
        director: change.director.unwrap_or_default(),
        genres: change.genres.unwrap_or_default(),
        language: change.language.ok_or_else(|| required("language"))?,
        runtime_minutes: change
            .runtime_minutes
            .ok_or_else(|| required("runtime_minutes"))?,
        certificate: change.certificate.unwrap_or_default(),
        poster_url: None,
        trailer_url: change.trailer_url.flatten(),
        release_date: change.release_date.flatten(),
    };
    Ok(app.store().create_event(event, by).await?)
}

pub async fn update_event(
    app: &App,
    id: EventId,
    input: EventChange,
    by: Actor<Event>,
) -> AppResult<Event> {
    let change = event_change(input)?;
    Ok(app.store().update_event(id, change, by).await?)
}

/// One film or event, for staff to edit.
pub async fn event(app: &App, id: EventId) -> AppResult<Event> {
    app.store()
        .get_event(id)
        .await?
        .ok_or(AppError::NotFound(Entity::Event))
}

pub async fn list_events(app: &App, page: u32, per_page: u32) -> AppResult<Vec<Event>> {
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    Ok(app.store().all_events(per_page, offset).await?)
}

/// The image types a poster may be, told by their first bytes (a header can say anything).
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Stores `bytes` as an event's poster. Its URL names a digest of the bytes, so it can be
/// cached for ever: a new poster is a new URL.
pub async fn set_poster(
    app: &App,
    id: EventId,
    bytes: &[u8],
    by: Actor<Event>,
) -> AppResult<Event> {
    if bytes.len() > MAX_POSTER_BYTES {
        return Err(AppError::invalid(
            ErrorCode::PayloadTooLarge,
            "a poster is at most 5 MB",
        ));
    }
    let content_type = image_type(bytes).ok_or_else(|| {
        AppError::invalid(
            ErrorCode::UnsupportedImage,
            "a poster is a JPEG, PNG or WebP image",
        )
    })?;
    let digest = hex::encode(&Sha256::digest(bytes)[..12]);
    let poster = Poster {
        content_type: content_type.to_string(),
        image: bytes.to_vec(),
        digest,
    };
    let url = poster_url(id, &poster.digest);
    Ok(app
        .store()
        .set_poster(id, &poster, &url, by, app.now())
        .await?)
}

/// Where a poster is served: `/media/posters/{event}/{digest}`.
pub fn poster_url(id: EventId, digest: &str) -> String {
    format!("/media/posters/{}/{digest}", id.0)
}

/// The audit log as `staff` may read it: an owner all of it, others their venues' entries.
pub async fn audit(
    app: &App,
    staff: &StaffUser,
    mut filter: AuditFilter,
) -> AppResult<Vec<AuditRecord>> {
    if let Some(own) = staff.venue_filter() {
        filter.venues = Some(match filter.venues {
            Some(asked) => asked.into_iter().filter(|v| own.contains(v)).collect(),
            None => own,
        });
    }
    Ok(app.store().audit_log(&filter).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posters_are_told_by_their_bytes() {
        assert_eq!(image_type(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_type(b"GIF89a"), None);
    }
}
