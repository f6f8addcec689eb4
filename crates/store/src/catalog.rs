//! The catalog: cities, venues, auditoriums and their layouts, events, showtimes and their
//! seat maps, in the SQL both backends share (see `sql`).

use crate::args;
use crate::audit::{self, Actor, Touched};
use crate::catalog_edits::venue_touched;
use crate::codec::{
    access_needle, access_text, join_list, layout as parse_layout, millis, unsigned,
};
use crate::holds::price_columns;
use crate::layout_follow::LayoutReplaced;
use crate::price_codec::{price_plan, price_plan_text, showtime_prices_text};
use crate::rows::{self, AuditoriumRow, CityRow, EventRow, SeatRow, ShowtimeRow, VenueRow};
use crate::sql::{self, Sql};
use crate::{
    AuditoriumInfo, EventFilter, NewAuditorium, NewCity, NewEvent, NewShowtime, NewVenue, SeatMap,
    ShowtimeFilter, ShowtimeInfo, StoreError, StoreResult, VenueShowtime,
};
use chrono::{DateTime, Utc};
use marquee_domain::schedule::Turnover;
use marquee_domain::*;

/// A showtime with everything a listing shows; `$1` is the `now` of the seat count.
const SHOWTIME_COLUMNS: &str = "
    SELECT s.id, s.event_id, s.auditorium_id, s.layout_id, ms(s.starts_at) AS starts_at,
           ms(s.ends_at) AS ends_at, s.format, s.audio_language, s.subtitles, s.access, s.currency,
           s.price_standard, s.price_premium, s.price_accessible, s.price_companion,
           s.booking_fee_minor, s.ticket_prices, ms(s.sales_open_at) AS sales_open_at, s.sales_close_minutes,
           e.title AS event_title, a.name AS auditorium_name,
           v.id AS venue_id, v.name AS venue_name, v.address AS venue_address,
           v.ads_minutes AS venue_ads_minutes, v.cleaning_minutes AS venue_cleaning_minutes,
           c.id AS city_id, c.name AS city_name, c.timezone AS city_timezone,
           l.capacity, l.row_count, l.column_count,
           (SELECT ms(sc.cancelled_at) FROM showtime_cancellations sc WHERE sc.showtime_id = s.id)
               AS cancelled_at,
           (SELECT count(*) FROM showtime_seats ss
             WHERE ss.showtime_id = s.id
               AND (ss.status = 'available' OR (ss.status = 'held' AND ss.held_until <= ts($1)))
           ) AS seats_available
    FROM showtimes s
    JOIN events e ON e.id = s.event_id
    JOIN auditoriums a ON a.id = s.auditorium_id
    JOIN venues v ON v.id = a.venue_id
    JOIN cities c ON c.id = v.city_id
    JOIN auditorium_layouts l ON l.id = s.layout_id";

pub(crate) const EVENT_COLUMNS: &str =
    "e.id, e.kind, e.title, e.original_title, e.synopsis, e.cast_members, e.director, e.genres,
    e.language, e.runtime_minutes, e.certificate, e.poster_url, e.trailer_url,
    day(e.release_date) AS release_date";

/// Seats of an inventory written by one statement: 7 parameters a seat stays far below both
/// backends' limits on bound parameters.
const SEATS_PER_STATEMENT: usize = 100;
/// Showtimes whose inventory one statement copies (`copy_seats`): one parameter each.
const SHOWTIMES_PER_COPY: usize = 200;

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

pub async fn create_city(on: &mut impl Sql, city: NewCity, by: &Actor<City>) -> StoreResult<City> {
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
    let city = City {
        id: CityId(id),
        name: city.name,
        timezone: city.timezone,
    };
    let touched = Touched {
        entity: "city",
        id: Some(id),
        venue: None,
    };
    audit::record(on, by, touched, None, Some(&city)).await?;
    Ok(city)
}

pub async fn create_venue(
    on: &mut impl Sql,
    venue: NewVenue,
    by: &Actor<Venue>,
) -> StoreResult<Venue> {
    let id = insert(
        on,
        "INSERT INTO venues (city_id, name, address, ads_minutes, cleaning_minutes)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        args![
            venue.city_id.0,
            &venue.name,
            &venue.address,
            i64::from(venue.ads_minutes),
            i64::from(venue.cleaning_minutes)
        ],
        |e| {
            e.is_foreign_key_violation()
                .then_some(StoreError::NotFound(Entity::City))
        },
    )
    .await?;
    let venue = Venue {
        id: VenueId(id),
        city_id: venue.city_id,
        name: venue.name,
        address: venue.address,
        ads_minutes: venue.ads_minutes,
        cleaning_minutes: venue.cleaning_minutes,
    };
    audit::record(on, by, venue_touched(&venue), None, Some(&venue)).await?;
    Ok(venue)
}

/// Creates an auditorium with version 1 of its layout; run in a write transaction.
pub async fn create_auditorium(
    tx: &mut impl Sql,
    new: NewAuditorium,
    by: &Actor<AuditoriumInfo>,
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
    let after = auditorium(tx, AuditoriumId(id)).await?;
    audit::record(tx, by, auditorium_touched(&after), None, Some(&after)).await?;
    Ok(after)
}

fn auditorium_touched(info: &AuditoriumInfo) -> Touched {
    Touched {
        entity: "auditorium",
        id: Some(info.auditorium.id.0),
        venue: Some(info.auditorium.venue_id),
    }
}

/// Adds a new layout version and makes it current, and moves the hall's upcoming showtimes
/// onto it (`layout_follow`); run in a write transaction. The auditorium's row is locked, so
/// two new layouts cannot both take the next version number.
pub async fn replace_layout(
    tx: &mut impl Sql,
    id: AuditoriumId,
    layout: &SeatLayout,
    now: DateTime<Utc>,
    by: &Actor<AuditoriumInfo>,
) -> StoreResult<LayoutReplaced> {
    let found: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM auditoriums WHERE id = $1 FOR UPDATE",
            args![id.0],
        )
        .await?;
    if found.is_empty() {
        return Err(StoreError::NotFound(Entity::Auditorium));
    }
    let before = auditorium(tx, id).await?;
    let layout_id = add_layout(tx, id, layout, now).await?;
    let showtimes = crate::layout_follow::follow_new_layout(tx, id, layout_id, layout, now).await?;
    let after = auditorium(tx, id).await?;
    audit::record(
        tx,
        by,
        auditorium_touched(&after),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(LayoutReplaced {
        auditorium: after,
        showtimes,
    })
}

/// Adds a layout version and makes it the hall's current one; answers its id.
async fn add_layout(
    tx: &mut impl Sql,
    id: AuditoriumId,
    layout: &SeatLayout,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
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
    Ok(layout_id)
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
    on.fetch_optional::<VenueRow>(&format!("{} WHERE id = $1", VenueRow::COLUMNS), args![id.0])
        .await?
        .map(VenueRow::decode)
        .transpose()
}

pub async fn create_event(
    on: &mut impl Sql,
    event: NewEvent,
    by: &Actor<Event>,
) -> StoreResult<Event> {
    let id = insert_event(on, &event).await?;
    let event = get_event(on, id)
        .await?
        .ok_or(StoreError::NotFound(Entity::Event))?;
    let touched = Touched {
        entity: "event",
        id: Some(id.0),
        venue: None,
    };
    audit::record(on, by, touched, None, Some(&event)).await?;
    Ok(event)
}

/// An event's row, all `create_event` writes of it but its audit entry.
pub(crate) async fn insert_event(on: &mut impl Sql, event: &NewEvent) -> StoreResult<EventId> {
    let release_date = event.release_date.map(|d| d.to_string());
    let id = insert(
        on,
        "INSERT INTO events (kind, title, synopsis, cast_members, genres, language,
                             runtime_minutes, certificate, poster_url, trailer_url, release_date,
                             original_title, director)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::date, $12, $13) RETURNING id",
        args![
            &event.kind,
            &event.title,
            &event.synopsis,
            join_list(&event.cast).as_str(),
            join_list(&event.genres).as_str(),
            &event.language,
            i64::from(event.runtime_minutes),
            &event.certificate,
            &event.poster_url,
            &event.trailer_url,
            release_date.as_deref(),
            &event.original_title,
            &event.director
        ],
        |_| None,
    )
    .await?;
    Ok(EventId(id))
}

/// What scheduling in a hall needs to know of it, read with its row locked: locking the
/// auditorium serializes scheduling in it, so a second schedule waits until the first
/// commits, then sees its showtimes in the clash check.
pub(crate) struct Hall {
    pub layout_id: i64,
    pub layout: SeatLayout,
    pub venue: VenueId,
    pub turnover: Turnover,
    pub timezone: chrono_tz::Tz,
}

#[derive(sqlx::FromRow)]
struct HallRow {
    layout_id: i64,
    layout: String,
    venue_id: i64,
    ads_minutes: i64,
    cleaning_minutes: i64,
    timezone: String,
}

pub(crate) async fn locked_hall(tx: &mut impl Sql, id: AuditoriumId) -> StoreResult<Hall> {
    let row: HallRow = tx
        .fetch_optional(
            "SELECT l.id AS layout_id, l.layout, v.id AS venue_id, v.ads_minutes,
                    v.cleaning_minutes, c.timezone
             FROM auditoriums a JOIN auditorium_layouts l ON l.id = a.current_layout_id
             JOIN venues v ON v.id = a.venue_id JOIN cities c ON c.id = v.city_id
             WHERE a.id = $1 FOR UPDATE OF a",
            args![id.0],
        )
        .await?
        .ok_or(StoreError::NotFound(Entity::Auditorium))?;
    Ok(Hall {
        layout_id: row.layout_id,
        layout: parse_layout(&row.layout)?,
        venue: VenueId(row.venue_id),
        // The hall is busy for the venue's own adverts and cleaning around the film.
        turnover: Turnover {
            ads_minutes: unsigned(row.ads_minutes, "ads minutes")?,
            cleaning_minutes: unsigned(row.cleaning_minutes, "cleaning minutes")?,
        },
        timezone: crate::codec::timezone(&row.timezone)?,
    })
}

pub(crate) async fn runtime(tx: &mut impl Sql, event: EventId) -> StoreResult<u32> {
    let runtime: i64 = tx
        .fetch_column(
            "SELECT runtime_minutes FROM events WHERE id = $1",
            args![event.0],
        )
        .await?
        .pop()
        .ok_or(StoreError::NotFound(Entity::Event))?;
    unsigned(runtime, "runtime")
}

/// Schedules a showtime on the auditorium's current layout with its seat inventory; run in a
/// write transaction.
pub async fn schedule_showtime(tx: &mut impl Sql, new: NewShowtime) -> StoreResult<ShowtimeInfo> {
    let hall = locked_hall(tx, new.auditorium_id).await?;
    let runtime = runtime(tx, new.event_id).await?;
    let ends_at = hall.turnover.end_of(new.starts_at, runtime);
    let busy: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM showtimes
             WHERE auditorium_id = $1 AND starts_at < ts($2) AND ends_at > ts($3)
             ORDER BY starts_at LIMIT 1",
            args![new.auditorium_id.0, millis(ends_at), millis(new.starts_at)],
        )
        .await?;
    if let Some(busy) = busy.first() {
        return Err(StoreError::AuditoriumBusy(ShowtimeId(*busy)));
    }
    let id = insert_showtime(tx, &hall, &new, ends_at).await?;
    get_showtime(tx, id, new.sales_open_at)
        .await?
        .ok_or(StoreError::NotFound(Entity::Showtime))
}

/// Inserts a showtime whose slot is free, with its seat inventory on the hall's layout, after
/// checking its terms (prices for every category, a sales window).
pub(crate) async fn insert_showtime(
    tx: &mut impl Sql,
    hall: &Hall,
    new: &NewShowtime,
    ends_at: DateTime<Utc>,
) -> StoreResult<ShowtimeId> {
    let id = insert_showtime_row(tx, hall, new, ends_at).await?;
    insert_seats(tx, id, hall.layout.seats()).await?;
    Ok(id)
}

/// A showtime's row, as `insert_showtime` writes it, without its seat inventory: the caller
/// writes that (`insert_seats`, or `copy_seats` from another showtime on the same layout).
pub(crate) async fn insert_showtime_row(
    tx: &mut impl Sql,
    hall: &Hall,
    new: &NewShowtime,
    ends_at: DateTime<Utc>,
) -> StoreResult<ShowtimeId> {
    let layout = &hall.layout;
    Showtime::validate_terms(
        layout,
        &new.prices,
        new.sales_open_at,
        new.starts_at,
        new.sales_close_minutes,
    )
    .map_err(StoreError::InvalidShowtime)?;
    // The default type's prices stay in the price columns, read by code that knows no
    // ticket types; the whole table is `ticket_prices`.
    let [standard, premium, accessible, companion] = price_columns(&new.prices.price_list());
    let ticket_prices = showtime_prices_text(&new.prices);
    let id = insert(
        tx,
        "INSERT INTO showtimes (event_id, auditorium_id, layout_id, starts_at, ends_at, format,
             audio_language, subtitles, currency, price_standard, price_premium, price_accessible,
             price_companion, booking_fee_minor, sales_open_at, sales_close_minutes,
             ticket_prices, access)
         VALUES ($1, $2, $3, ts($4), ts($5), $6, $7, $8, $9, $10, $11, $12, $13, $14, ts($15), $16,
                 $17, $18)
         RETURNING id",
        args![
            new.event_id.0,
            new.auditorium_id.0,
            hall.layout_id,
            millis(new.starts_at),
            millis(ends_at),
            &new.format,
            &new.audio_language,
            &new.subtitles,
            new.prices.currency().as_str(),
            standard,
            premium,
            accessible,
            companion,
            new.prices.booking_fee_minor(),
            millis(new.sales_open_at),
            i64::from(new.sales_close_minutes),
            ticket_prices.as_str(),
            access_text(&new.access).as_str()
        ],
        |_| None,
    )
    .await?;
    Ok(ShowtimeId(id))
}

/// A showtime's seat inventory on `layout`, every seat available.
pub(crate) async fn insert_seats(
    tx: &mut impl Sql,
    showtime: ShowtimeId,
    seats: &[LayoutSeat],
) -> StoreResult<()> {
    let id = showtime.0;
    for chunk in seats.chunks(SEATS_PER_STATEMENT) {
        let numbers: Vec<[i64; 3]> = chunk
            .iter()
            .map(|s| [i64::from(s.row), i64::from(s.column), i64::from(s.number)])
            .collect();
        let mut values = Vec::with_capacity(chunk.len() * 7);
        for (seat, [row, column, number]) in chunk.iter().zip(&numbers) {
            values.extend([
                sql::Value::Int(id),
                sql::Value::Text(&seat.label),
                sql::Value::Text(&seat.row_label),
                sql::Value::Int(*row),
                sql::Value::Int(*column),
                sql::Value::Int(*number),
                sql::Value::Text(seat.category.as_str()),
            ]);
        }
        tx.execute(
            &format!(
                "INSERT INTO showtime_seats
                     (showtime_id, label, row_label, row_index, column_index, number, category)
                 VALUES {}",
                sql::rows(chunk.len(), "(?, ?, ?, ?, ?, ?, ?)", 1)
            ),
            &values,
        )
        .await?;
    }
    Ok(())
}

/// Showtimes whose own seat inventory is not written yet each get one like `template`'s was
/// when `insert_seats` wrote it: its seats, every one available. The template must be on the
/// same layout (the caller's one hall). The copy is made by the database, in one statement for
/// many showtimes, which is what lets `bulk` write millions of seats in seconds.
pub(crate) async fn copy_seats(
    tx: &mut impl Sql,
    template: ShowtimeId,
    showtimes: &[ShowtimeId],
) -> StoreResult<()> {
    for chunk in showtimes.chunks(SHOWTIMES_PER_COPY) {
        let mut values = Vec::with_capacity(chunk.len() + 1);
        values.push(sql::Value::Int(template.0));
        values.extend(chunk.iter().map(|s| sql::Value::Int(s.0)));
        tx.execute(
            &format!(
                "INSERT INTO showtime_seats
                     (showtime_id, label, row_label, row_index, column_index, number, category)
                 SELECT s.id, t.label, t.row_label, t.row_index, t.column_index, t.number,
                        t.category
                 FROM showtimes s JOIN showtime_seats t ON t.showtime_id = $1
                 WHERE s.id IN ({})
                 ORDER BY s.id, t.label",
                sql::rows(chunk.len(), "?", 2)
            ),
            &values,
        )
        .await?;
    }
    Ok(())
}

/// Events with at least one showtime matching the filter, by title. A genre matches one whole
/// line of the newline-joined genres (`instr`, not `LIKE`, so `%` and `_` are not wildcards).
pub async fn list_events(on: &mut impl Sql, filter: &EventFilter) -> StoreResult<Vec<Event>> {
    let genre = filter.genre.as_ref().map(|g| format!("\n{g}\n"));
    let access = filter.access.map(access_needle);
    on.fetch_all::<EventRow>(
        &format!(
            "SELECT {EVENT_COLUMNS} FROM events e
             WHERE EXISTS (
                 SELECT 1 FROM showtimes s
                 JOIN auditoriums a ON a.id = s.auditorium_id
                 JOIN venues v ON v.id = a.venue_id
                 WHERE s.event_id = e.id
                   AND ($1::int8 IS NULL OR v.city_id = $1)
                   AND ($2::int8 IS NULL OR s.starts_at >= ts($2))
                   AND ($3::int8 IS NULL OR s.starts_at < ts($3))
                   AND ($8::text IS NULL OR instr('\n' || s.access || '\n', $8) > 0)
                   AND NOT EXISTS (SELECT 1 FROM showtime_cancellations x
                                   WHERE x.showtime_id = s.id))
               AND ($4::text IS NULL OR e.language = $4)
               AND ($5::text IS NULL OR instr('\n' || e.genres || '\n', $5) > 0)
             ORDER BY e.title, e.id
             LIMIT $6 OFFSET $7"
        ),
        args![
            filter.city_id.map(|c| c.0),
            filter.starts_from.map(millis),
            filter.starts_until.map(millis),
            filter.language.as_deref(),
            genre.as_deref(),
            i64::from(filter.limit),
            i64::from(filter.offset),
            access.as_deref()
        ],
    )
    .await?
    .into_iter()
    .map(EventRow::decode)
    .collect()
}

pub async fn get_event(on: &mut impl Sql, id: EventId) -> StoreResult<Option<Event>> {
    on.fetch_optional::<EventRow>(
        &format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = $1"),
        args![id.0],
    )
    .await?
    .map(EventRow::decode)
    .transpose()
}

/// Showtimes matching the filter, by start time; seat counts as seen at `filter.now`.
pub async fn list_showtimes(
    on: &mut impl Sql,
    filter: &ShowtimeFilter,
) -> StoreResult<Vec<ShowtimeInfo>> {
    // A film's showtimes are asked for most: a condition written only when it is given lets
    // the planners use `showtimes_by_event` ("$2 IS NULL OR ..." hides it from both).
    let event = match filter.event_id {
        Some(_) => "s.event_id = $2",
        None => "$2::int8 IS NULL",
    };
    on.fetch_all::<ShowtimeRow>(
        &format!(
            "{SHOWTIME_COLUMNS}
             WHERE {event}
               AND ($3::int8 IS NULL OR v.city_id = $3)
               AND ($4::int8 IS NULL OR s.starts_at >= ts($4))
               AND ($5::int8 IS NULL OR s.starts_at < ts($5))
               AND ($7::text IS NULL OR instr('\n' || s.access || '\n', $7) > 0)
               AND NOT EXISTS (SELECT 1 FROM showtime_cancellations x WHERE x.showtime_id = s.id)
             ORDER BY s.starts_at, s.id
             LIMIT $6"
        ),
        args![
            millis(filter.now),
            filter.event_id.map(|e| e.0),
            filter.city_id.map(|c| c.0),
            filter.starts_from.map(millis),
            filter.starts_until.map(millis),
            i64::from(filter.limit),
            filter.access.map(access_needle).as_deref()
        ],
    )
    .await?
    .into_iter()
    .map(ShowtimeRow::decode)
    .collect()
}

/// A venue's showtimes starting in `[from, until)`, by start.
pub(crate) async fn venue_showtimes(
    on: &mut impl Sql,
    venue: VenueId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ShowtimeInfo>> {
    on.fetch_all::<ShowtimeRow>(
        &format!(
            "{SHOWTIME_COLUMNS}
             WHERE v.id = $2 AND s.starts_at >= ts($3) AND s.starts_at < ts($4)
             ORDER BY s.starts_at, s.id"
        ),
        args![millis(now), venue.0, millis(from), millis(until)],
    )
    .await?
    .into_iter()
    .map(ShowtimeRow::decode)
    .collect()
}

#[derive(sqlx::FromRow)]
struct SeatCountRow {
    id: i64,
    sold: i64,
    held: i64,
}

/// A venue's showtimes starting in `[from, until)`, by start, each with its seats sold and
/// held at `now`. Run it in one snapshot, so the counts and the showtimes agree.
pub async fn venue_schedule(
    on: &mut impl Sql,
    venue: VenueId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<VenueShowtime>> {
    let showtimes = venue_showtimes(on, venue, from, until, now).await?;
    let counts: Vec<SeatCountRow> = on
        .fetch_all(
            "SELECT s.id,
                    CAST(SUM(CASE WHEN ss.status = 'sold' THEN 1 ELSE 0 END) AS BIGINT) AS sold,
                    CAST(SUM(CASE WHEN ss.status = 'held' AND ss.held_until > ts($1) THEN 1 ELSE 0 END) AS BIGINT) AS held
             FROM showtimes s JOIN auditoriums a ON a.id = s.auditorium_id
             JOIN showtime_seats ss ON ss.showtime_id = s.id
             WHERE a.venue_id = $2 AND s.starts_at >= ts($3) AND s.starts_at < ts($4)
             GROUP BY s.id",
            args![millis(now), venue.0, millis(from), millis(until)],
        )
        .await?;
    showtimes
        .into_iter()
        .map(|info| {
            let (sold, held) = counts
                .iter()
                .find(|c| c.id == info.showtime.id.0)
                .map_or((0, 0), |c| (c.sold, c.held));
            Ok(VenueShowtime {
                info,
                seats_sold: unsigned(sold, "sold seats")?,
                seats_held: unsigned(held, "held seats")?,
            })
        })
        .collect()
}

pub async fn get_showtime(
    on: &mut impl Sql,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Option<ShowtimeInfo>> {
    on.fetch_optional::<ShowtimeRow>(
        &format!("{SHOWTIME_COLUMNS} WHERE s.id = $2"),
        args![millis(now), id.0],
    )
    .await?
    .map(ShowtimeRow::decode)
    .transpose()
}

/// Every seat of a showtime with its stored state. Run it in one snapshot, so the seat count
/// and the seats agree.
pub async fn seat_map(
    on: &mut impl Sql,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Option<SeatMap>> {
    let Some(showtime) = on
        .fetch_optional::<ShowtimeRow>(
            &format!("{SHOWTIME_COLUMNS} WHERE s.id = $2"),
            args![millis(now), id.0],
        )
        .await?
    else {
        return Ok(None);
    };
    let seats: Vec<SeatRow> = on
        .fetch_all(
            "SELECT label, row_label, row_index, column_index, number, category, status,
                    booking_id, ms(held_until) AS held_until
             FROM showtime_seats WHERE showtime_id = $1 ORDER BY row_index, column_index",
            args![id.0],
        )
        .await?;
    rows::seat_map(showtime, seats).map(Some)
}

/// A venue's price plan, if it has one.
pub async fn venue_price_plan(on: &mut impl Sql, venue: VenueId) -> StoreResult<Option<PricePlan>> {
    on.fetch_column::<String>(
        "SELECT plan FROM venue_price_plans WHERE venue_id = $1",
        args![venue.0],
    )
    .await?
    .pop()
    .map(|stored| price_plan(&stored))
    .transpose()
}

/// Replaces a venue's price plan whole (or gives it its first); run in a write transaction.
/// Showtimes already scheduled keep the prices they were scheduled with.
pub async fn put_price_plan(
    tx: &mut impl Sql,
    venue: VenueId,
    plan: &PricePlan,
    now: DateTime<Utc>,
    by: &Actor<PricePlan>,
) -> StoreResult<()> {
    // The venue's row is locked so two edits of its plan audit their befores in turn.
    crate::catalog_edits::locked_venue(tx, venue).await?;
    let before = venue_price_plan(tx, venue).await?;
    tx.execute(
        "INSERT INTO venue_price_plans (venue_id, plan, updated_at) VALUES ($1, $2, ts($3))
         ON CONFLICT (venue_id) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at",
        args![venue.0, price_plan_text(plan).as_str(), millis(now)],
    )
    .await?;
    let touched = Touched {
        entity: "price_plan",
        id: Some(venue.0),
        venue: Some(venue),
    };
    audit::record(tx, by, touched, before.as_ref(), Some(plan)).await
}
