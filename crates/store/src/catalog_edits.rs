//! Changes to the catalog that staff make after creating a thing: a venue's details, an
//! event's, its poster; and the lists the back office shows. Every change reads the thing
//! before and after inside its transaction, for the audit log (`audit`).

use crate::args;
use crate::audit::{self, Actor, Touched};
use crate::catalog::{get_event, get_venue};
use crate::codec::{join_list, millis};
use crate::rows::{AuditoriumRow, EventRow, VenueRow};
use crate::sql::Sql;
use crate::{AuditoriumInfo, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use marquee_domain::*;

/// A change to a venue: each field that is `Some` is set.
#[derive(Debug, Clone, Default)]
pub struct VenueChange {
    pub name: Option<String>,
    pub address: Option<String>,
    pub ads_minutes: Option<u32>,
    pub cleaning_minutes: Option<u32>,
}

pub async fn update_venue(
    tx: &mut impl Sql,
    id: VenueId,
    change: VenueChange,
    by: &Actor<Venue>,
) -> StoreResult<Venue> {
    let before = locked_venue(tx, id).await?;
    tx.execute(
        "UPDATE venues SET name = coalesce($2, name), address = coalesce($3, address),
                ads_minutes = coalesce($4::int8, ads_minutes),
                cleaning_minutes = coalesce($5::int8, cleaning_minutes)
         WHERE id = $1",
        args![
            id.0,
            &change.name,
            &change.address,
            change.ads_minutes.map(i64::from),
            change.cleaning_minutes.map(i64::from)
        ],
    )
    .await?;
    let after = get_venue(tx, id)
        .await?
        .ok_or(StoreError::NotFound(Entity::Venue))?;
    audit::record(tx, by, venue_touched(&after), Some(&before), Some(&after)).await?;
    Ok(after)
}

/// A venue read with its row locked until the transaction ends.
pub(crate) async fn locked_venue(tx: &mut impl Sql, id: VenueId) -> StoreResult<Venue> {
    tx.fetch_optional::<VenueRow>(
        &format!("{} WHERE id = $1 FOR UPDATE", VenueRow::COLUMNS),
        args![id.0],
    )
    .await?
    .ok_or(StoreError::NotFound(Entity::Venue))?
    .decode()
}

pub fn venue_touched(venue: &Venue) -> Touched {
    Touched {
        entity: "venue",
        id: Some(venue.id.0),
        venue: Some(venue.id),
    }
}

/// Every venue, by name; or only `venues` (a venue-scoped reader's own).
pub async fn list_venues(on: &mut impl Sql, venues: Option<&[VenueId]>) -> StoreResult<Vec<Venue>> {
    let all = on
        .fetch_all::<VenueRow>(&format!("{} ORDER BY name, id", VenueRow::COLUMNS), &[])
        .await?
        .into_iter()
        .map(VenueRow::decode)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(match venues {
        None => all,
        Some(venues) => all.into_iter().filter(|v| venues.contains(&v.id)).collect(),
    })
}

/// An auditorium with the text of its current layout.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditoriumLayout {
    pub info: AuditoriumInfo,
    pub layout: String,
}

#[derive(sqlx::FromRow)]
struct AuditoriumLayoutRow {
    #[sqlx(flatten)]
    auditorium: AuditoriumRow,
    layout: String,
}

const AUDITORIUM_LAYOUT_COLUMNS: &str = "
    SELECT a.id, a.venue_id, a.name, l.id AS layout_id, l.version, l.row_count, l.column_count,
           l.capacity, l.layout
    FROM auditoriums a JOIN auditorium_layouts l ON l.id = a.current_layout_id";

pub async fn auditorium_layout(
    on: &mut impl Sql,
    id: AuditoriumId,
) -> StoreResult<Option<AuditoriumLayout>> {
    on.fetch_optional::<AuditoriumLayoutRow>(
        &format!("{AUDITORIUM_LAYOUT_COLUMNS} WHERE a.id = $1"),
        args![id.0],
    )
    .await?
    .map(|row| {
        Ok(AuditoriumLayout {
            info: row.auditorium.decode()?,
            layout: row.layout,
        })
    })
    .transpose()
}

/// A venue's auditoriums, by name.
pub async fn auditoriums(on: &mut impl Sql, venue: VenueId) -> StoreResult<Vec<AuditoriumInfo>> {
    on.fetch_all::<AuditoriumRow>(
        &format!("{AUDITORIUM_LAYOUT_COLUMNS} WHERE a.venue_id = $1 ORDER BY a.name, a.id"),
        args![venue.0],
    )
    .await?
    .into_iter()
    .map(AuditoriumRow::decode)
    .collect()
}

/// A change to an event: each field that is `Some` is set; `Some(None)` clears one that may
/// be empty.
#[derive(Debug, Clone, Default)]
pub struct EventChange {
    pub kind: Option<String>,
    pub title: Option<String>,
    /// `Some("")` clears it.
    pub original_title: Option<String>,
    pub synopsis: Option<String>,
    pub cast: Option<Vec<String>>,
    /// `Some("")` clears it.
    pub director: Option<String>,
    pub genres: Option<Vec<String>>,
    pub language: Option<String>,
    pub runtime_minutes: Option<u32>,
    pub certificate: Option<String>,
    pub trailer_url: Option<Option<String>>,
    pub release_date: Option<Option<NaiveDate>>,
}

pub async fn update_event(
    tx: &mut impl Sql,
    id: EventId,
    change: EventChange,
    by: &Actor<Event>,
) -> StoreResult<Event> {
    let before = locked_event(tx, id).await?;
    let cast = change.cast.as_deref().map(join_list);
    let genres = change.genres.as_deref().map(join_list);
    let trailer = change.trailer_url.as_ref().map(|t| t.as_deref());
    let release = change.release_date.map(|d| d.map(|d| d.to_string()));
    tx.execute(
        "UPDATE events SET kind = coalesce($2, kind), title = coalesce($3, title),
                synopsis = coalesce($4, synopsis), cast_members = coalesce($5, cast_members),
                genres = coalesce($6, genres), language = coalesce($7, language),
                runtime_minutes = coalesce($8::int8, runtime_minutes),
                certificate = coalesce($9, certificate),
                trailer_url = CASE WHEN $10::int8 = 1 THEN $11 ELSE trailer_url END,
                release_date = CASE WHEN $12::int8 = 1 THEN $13::date ELSE release_date END,
                original_title = coalesce($14, original_title),
                director = coalesce($15, director)
         WHERE id = $1",
        args![
            id.0,
            &change.kind,
            &change.title,
            &change.synopsis,
            &cast,
            &genres,
            &change.language,
            change.runtime_minutes.map(i64::from),
            &change.certificate,
            i64::from(trailer.is_some()),
            trailer.flatten(),
            i64::from(release.is_some()),
            release.as_ref().and_then(|d| d.as_deref()),
            &change.original_title,
            &change.director
        ],
    )
    .await?;
    let after = get_event(tx, id)
        .await?
        .ok_or(StoreError::NotFound(Entity::Event))?;
    audit::record(tx, by, event_touched(id), Some(&before), Some(&after)).await?;
    Ok(after)
}

fn event_touched(id: EventId) -> Touched {
    Touched {
        entity: "event",
        id: Some(id.0),
        venue: None,
    }
}

async fn locked_event(tx: &mut impl Sql, id: EventId) -> StoreResult<Event> {
    tx.fetch_optional::<EventRow>(
        &format!(
            "SELECT {} FROM events e WHERE e.id = $1 FOR UPDATE",
            crate::catalog::EVENT_COLUMNS
        ),
        args![id.0],
    )
    .await?
    .ok_or(StoreError::NotFound(Entity::Event))?
    .decode()
}

/// Every event, by title, a page at a time (for the back office: with or without showtimes).
pub async fn all_events(on: &mut impl Sql, limit: u32, offset: u32) -> StoreResult<Vec<Event>> {
    on.fetch_all::<EventRow>(
        &format!(
            "SELECT {} FROM events e ORDER BY e.title, e.id LIMIT $1 OFFSET $2",
            crate::catalog::EVENT_COLUMNS
        ),
        args![i64::from(limit), i64::from(offset)],
    )
    .await?
    .into_iter()
    .map(EventRow::decode)
    .collect()
}

/// A poster image as uploaded: its type and bytes, and a digest of the bytes that names this
/// version of it (its URL changes with it, so it can be cached for ever).
#[derive(Clone, PartialEq)]
pub struct Poster {
    pub content_type: String,
    pub image: Vec<u8>,
    pub digest: String,
}

impl std::fmt::Debug for Poster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poster")
            .field("content_type", &self.content_type)
            .field("bytes", &self.image.len())
            .field("digest", &self.digest)
            .finish()
    }
}

/// Stores an event's poster and points its `poster_url` at `url`.
pub async fn set_poster(
    tx: &mut impl Sql,
    id: EventId,
    poster: &Poster,
    url: &str,
    by: &Actor<Event>,
    now: DateTime<Utc>,
) -> StoreResult<Event> {
    let before = locked_event(tx, id).await?;
    tx.execute(
        "INSERT INTO event_posters (event_id, content_type, image, digest, updated_at)
         VALUES ($1, $2, $3, $4, ts($5))
         ON CONFLICT (event_id) DO UPDATE SET content_type = excluded.content_type,
             image = excluded.image, digest = excluded.digest, updated_at = excluded.updated_at",
        args![
            id.0,
            poster.content_type.as_str(),
            poster.image.as_slice(),
            poster.digest.as_str(),
            millis(now)
        ],
    )
    .await?;
    tx.execute(
        "UPDATE events SET poster_url = $2 WHERE id = $1",
        args![id.0, url],
    )
    .await?;
    let after = get_event(tx, id)
        .await?
        .ok_or(StoreError::NotFound(Entity::Event))?;
    audit::record(tx, by, event_touched(id), Some(&before), Some(&after)).await?;
    Ok(after)
}

#[derive(sqlx::FromRow)]
struct PosterRow {
    content_type: String,
    image: Vec<u8>,
    digest: String,
}

pub async fn poster(on: &mut impl Sql, id: EventId) -> StoreResult<Option<Poster>> {
    Ok(on
        .fetch_optional::<PosterRow>(
            "SELECT content_type, image, digest FROM event_posters WHERE event_id = $1",
            args![id.0],
        )
        .await?
        .map(|row| Poster {
            content_type: row.content_type,
            image: row.image,
            digest: row.digest,
        }))
}
