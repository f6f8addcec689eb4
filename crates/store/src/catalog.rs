//! The catalog's writes and reads that both backends share (see `sql`). Listings and seat maps,
//! whose SQL differs (dates, arrays, bulk inserts), stay in the backends.

use crate::args;
use crate::codec::millis;
use crate::rows::{AuditoriumRow, CityRow, VenueRow};
use crate::sql::Sql;
use crate::{AuditoriumInfo, NewAuditorium, NewCity, NewVenue, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::*;

const AUDITORIUM_COLUMNS: &str = "
    SELECT a.id, a.venue_id, a.name, l.id AS layout_id, l.version, l.row_count, l.column_count,
           l.capacity
    FROM auditoriums a JOIN auditorium_layouts l ON l.id = a.current_layout_id";

/// The id a single-row `INSERT ... RETURNING id` answered, or what its failure means.
async fn insert(
    on: &mut impl Sql,
    sql: &str,
    args: &[crate::sql::Value<'_>],
    failed: impl Fn(&StoreError) -> Option<StoreError>,
) -> StoreResult<i64> {
    on.fetch_column::<i64>(sql, args)
        .await
        .map_err(|e| failed(&e).unwrap_or(e))?
        .pop()
        .ok_or_else(|| StoreError::corrupt("an insert answered no id"))
}

pub async fn create_city(on: &mut impl Sql, city: NewCity) -> StoreResult<City> {
    let id = insert(
        on,
        "INSERT INTO cities (name, timezone) VALUES ($1, $2) RETURNING id",
        args![&city.name, city.timezone.name()],
        |e| {
            e.is_unique_violation()
                .then_some(StoreError::Duplicate("city"))
        },
    )
    .await?;
    Ok(City {
        id: CityId(id),
        name: city.name,
        timezone: city.timezone,
    })
}

pub async fn create_venue(on: &mut impl Sql, venue: NewVenue) -> StoreResult<Venue> {
    let id = insert(
        on,
        "INSERT INTO venues (city_id, name, address) VALUES ($1, $2, $3) RETURNING id",
        args![venue.city_id.0, &venue.name, &venue.address],
        |e| {
            e.is_foreign_key_violation()
                .then_some(StoreError::NotFound(Entity::City))
        },
    )
    .await?;
    Ok(Venue {
        id: VenueId(id),
        city_id: venue.city_id,
        name: venue.name,
        address: venue.address,
    })
}

/// Creates an auditorium with version 1 of its layout; run in a write transaction.
pub async fn create_auditorium(
    tx: &mut impl Sql,
    new: NewAuditorium,
) -> StoreResult<AuditoriumInfo> {
    let id = insert(
        tx,
        "INSERT INTO auditoriums (venue_id, name) VALUES ($1, $2) RETURNING id",
        args![new.venue_id.0, &new.name],
        |e| {
            e.is_foreign_key_violation()
                .then_some(StoreError::NotFound(Entity::Venue))
        },
    )
    .await?;
    add_layout(tx, AuditoriumId(id), &new.layout, new.now).await?;
    auditorium(tx, AuditoriumId(id)).await
}

/// Adds a new layout version and makes it current; run in a write transaction. The
/// auditorium's row is locked, so two new layouts cannot both take the next version number.
pub async fn replace_layout(
    tx: &mut impl Sql,
    id: AuditoriumId,
    layout: &SeatLayout,
    now: DateTime<Utc>,
) -> StoreResult<AuditoriumInfo> {
    let found: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM auditoriums WHERE id = $1 FOR UPDATE",
            args![id.0],
        )
        .await?;
    if found.is_empty() {
        return Err(StoreError::NotFound(Entity::Auditorium));
    }
    add_layout(tx, id, layout, now).await?;
    auditorium(tx, id).await
}

async fn add_layout(
    tx: &mut impl Sql,
    id: AuditoriumId,
    layout: &SeatLayout,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let layout_id = insert(
        tx,
        "INSERT INTO auditorium_layouts
             (auditorium_id, version, layout, row_count, column_count, capacity, created_at)
         VALUES ($1, (SELECT coalesce(max(version), 0) + 1 FROM auditorium_layouts
                      WHERE auditorium_id = $1),
                 $2, $3, $4, $5, ts($6))
         RETURNING id",
        args![
            id.0,
            layout.text(),
            layout.rows() as i64,
            layout.columns() as i64,
            layout.capacity() as i64,
            millis(now)
        ],
        |_| None,
    )
    .await?;
    tx.execute(
        "UPDATE auditoriums SET current_layout_id = $1 WHERE id = $2",
        args![layout_id, id.0],
    )
    .await?;
    Ok(())
}

async fn auditorium(on: &mut impl Sql, id: AuditoriumId) -> StoreResult<AuditoriumInfo> {
    on.fetch_optional::<AuditoriumRow>(
        &format!("{AUDITORIUM_COLUMNS} WHERE a.id = $1"),
        args![id.0],
    )
    .await?
    .ok_or(StoreError::NotFound(Entity::Auditorium))?
    .decode()
}

pub async fn list_cities(on: &mut impl Sql) -> StoreResult<Vec<City>> {
    on.fetch_all::<CityRow>("SELECT id, name, timezone FROM cities ORDER BY name", &[])
        .await?
        .into_iter()
        .map(CityRow::decode)
        .collect()
}

pub async fn get_city(on: &mut impl Sql, id: CityId) -> StoreResult<Option<City>> {
    on.fetch_optional::<CityRow>(
        "SELECT id, name, timezone FROM cities WHERE id = $1",
        args![id.0],
    )
    .await?
    .map(CityRow::decode)
    .transpose()
}

pub async fn get_venue(on: &mut impl Sql, id: VenueId) -> StoreResult<Option<Venue>> {
    Ok(on
        .fetch_optional::<VenueRow>(
            "SELECT id, city_id, name, address FROM venues WHERE id = $1",
            args![id.0],
        )
        .await?
        .map(VenueRow::decode))
}
