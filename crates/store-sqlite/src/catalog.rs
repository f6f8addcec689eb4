use crate::SqliteStore;
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::codec::{join_list, layout as parse_layout, millis};
use marquee_store::rows::*;
use marquee_store::*;
use sqlx::{QueryBuilder, Sqlite};

/// A showtime with everything a listing shows; `?1` is the `now` of the seat count.
const SHOWTIME_SELECT: &str = "
    SELECT s.id, s.event_id, s.auditorium_id, s.layout_id, s.starts_at, s.ends_at, s.format,
           s.audio_language, s.subtitles, s.currency, s.price_standard, s.price_premium,
           s.price_accessible, s.price_companion, s.booking_fee_minor, s.sales_open_at,
           s.sales_close_minutes, e.title AS event_title, a.name AS auditorium_name,
           v.id AS venue_id, v.name AS venue_name, v.address AS venue_address,
           c.id AS city_id, c.name AS city_name, c.timezone AS city_timezone,
           l.capacity, l.row_count, l.column_count,
           (SELECT count(*) FROM showtime_seats ss
             WHERE ss.showtime_id = s.id
               AND (ss.status = 'available' OR (ss.status = 'held' AND ss.held_until <= ?1))
           ) AS seats_available
    FROM showtimes s
    JOIN events e ON e.id = s.event_id
    JOIN auditoriums a ON a.id = s.auditorium_id
    JOIN venues v ON v.id = a.venue_id
    JOIN cities c ON c.id = v.city_id
    JOIN auditorium_layouts l ON l.id = s.layout_id";

const EVENT_COLUMNS: &str =
    "e.id, e.kind, e.title, e.synopsis, e.cast_members, e.genres, e.language,
    e.runtime_minutes, e.certificate, e.poster_url, e.trailer_url, e.release_date";

pub async fn create_event(store: &SqliteStore, event: NewEvent) -> StoreResult<Event> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (kind, title, synopsis, cast_members, genres, language, runtime_minutes,
                             certificate, poster_url, trailer_url, release_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&event.kind)
    .bind(&event.title)
    .bind(&event.synopsis)
    .bind(join_list(&event.cast))
    .bind(join_list(&event.genres))
    .bind(&event.language)
    .bind(i64::from(event.runtime_minutes))
    .bind(&event.certificate)
    .bind(&event.poster_url)
    .bind(&event.trailer_url)
    .bind(event.release_date.map(|d| d.to_string()))
    .fetch_one(&store.writer)
    .await
    ?;
    get_event(store, EventId(id))
        .await?
        .ok_or(StoreError::NotFound(Entity::Event))
}

pub async fn schedule_showtime(store: &SqliteStore, new: NewShowtime) -> StoreResult<ShowtimeInfo> {
    let mut tx = store.writer.begin_with("BEGIN IMMEDIATE").await?;
    let (layout_id, layout_text): (i64, String) = sqlx::query_as(
        "SELECT l.id, l.layout FROM auditoriums a JOIN auditorium_layouts l ON l.id = a.current_layout_id WHERE a.id = ?",
    )
    .bind(new.auditorium_id.0)
    .fetch_optional(&mut *tx)
    .await
    ?
    .ok_or(StoreError::NotFound(Entity::Auditorium))?;
    let runtime: i64 = sqlx::query_scalar("SELECT runtime_minutes FROM events WHERE id = ?")
        .bind(new.event_id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound(Entity::Event))?;
    let layout = parse_layout(&layout_text)?;
    Showtime::validate_terms(
        &layout,
        &new.prices,
        new.booking_fee_minor,
        new.sales_open_at,
        new.starts_at,
        new.sales_close_minutes,
    )
    .map_err(StoreError::InvalidShowtime)?;
    let ends_at = Showtime::end_of(
        new.starts_at,
        marquee_store::codec::unsigned(runtime, "runtime")?,
    );
    let busy: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM showtimes WHERE auditorium_id = ? AND starts_at < ? AND ends_at > ? ORDER BY starts_at LIMIT 1",
    )
    .bind(new.auditorium_id.0)
    .bind(millis(ends_at))
    .bind(millis(new.starts_at))
    .fetch_optional(&mut *tx)
    .await
    ?;
    if let Some(busy) = busy {
        return Err(StoreError::AuditoriumBusy(ShowtimeId(busy)));
    }
    let [standard, premium, accessible, companion] =
        marquee_store::holds::price_columns(&new.prices);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO showtimes (event_id, auditorium_id, layout_id, starts_at, ends_at, format, audio_language,
             subtitles, currency, price_standard, price_premium, price_accessible, price_companion,
             booking_fee_minor, sales_open_at, sales_close_minutes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.event_id.0)
    .bind(new.auditorium_id.0)
    .bind(layout_id)
    .bind(millis(new.starts_at))
    .bind(millis(ends_at))
    .bind(&new.format)
    .bind(&new.audio_language)
    .bind(&new.subtitles)
    .bind(new.prices.currency.as_str())
    .bind(standard)
    .bind(premium)
    .bind(accessible)
    .bind(companion)
    .bind(new.booking_fee_minor)
    .bind(millis(new.sales_open_at))
    .bind(i64::from(new.sales_close_minutes))
    .fetch_one(&mut *tx)
    .await
    ?;
    // 7 columns a seat; 100 seats a statement stays far below SQLite's bound-parameter limit.
    for chunk in layout.seats().chunks(100) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO showtime_seats (showtime_id, label, row_label, row_index, column_index, number, category) ",
        );
        insert.push_values(chunk, |mut row, seat| {
            row.push_bind(id)
                .push_bind(&seat.label)
                .push_bind(&seat.row_label)
                .push_bind(i64::from(seat.row))
                .push_bind(i64::from(seat.column))
                .push_bind(i64::from(seat.number))
                .push_bind(seat.category.as_str());
        });
        insert.build().execute(&mut *tx).await?;
    }
    let info = showtime_where(
        &mut *tx,
        "WHERE s.id = ?2",
        ShowtimeId(id),
        new.sales_open_at,
    )
    .await?;
    tx.commit().await?;
    info.ok_or(StoreError::NotFound(Entity::Showtime))
}

async fn showtime_where(
    conn: impl sqlx::SqliteExecutor<'_>,
    clause: &str,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Option<ShowtimeInfo>> {
    sqlx::query_as::<_, ShowtimeRow>(&format!("{SHOWTIME_SELECT} {clause}"))
        .bind(millis(now))
        .bind(id.0)
        .fetch_optional(conn)
        .await?
        .map(ShowtimeRow::decode)
        .transpose()
}

pub async fn list_events(store: &SqliteStore, filter: &EventFilter) -> StoreResult<Vec<Event>> {
    sqlx::query_as::<_, EventRow>(&format!(
        "SELECT {EVENT_COLUMNS} FROM events e
         WHERE EXISTS (
             SELECT 1 FROM showtimes s
             JOIN auditoriums a ON a.id = s.auditorium_id
             JOIN venues v ON v.id = a.venue_id
             WHERE s.event_id = e.id
               AND (?1 IS NULL OR v.city_id = ?1)
               AND (?2 IS NULL OR s.starts_at >= ?2)
               AND (?3 IS NULL OR s.starts_at < ?3))
           AND (?4 IS NULL OR e.language = ?4)
           AND (?5 IS NULL OR instr(char(10) || e.genres || char(10), ?5) > 0)
         ORDER BY e.title, e.id
         LIMIT ?6 OFFSET ?7"
    ))
    .bind(filter.city_id.map(|c| c.0))
    .bind(filter.starts_from.map(millis))
    .bind(filter.starts_until.map(millis))
    .bind(&filter.language)
    .bind(filter.genre.as_ref().map(|g| format!("\n{g}\n")))
    .bind(i64::from(filter.limit))
    .bind(i64::from(filter.offset))
    .fetch_all(&store.reader)
    .await?
    .into_iter()
    .map(EventRow::decode)
    .collect()
}

pub async fn get_event(store: &SqliteStore, id: EventId) -> StoreResult<Option<Event>> {
    sqlx::query_as::<_, EventRow>(&format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = ?"
    ))
    .bind(id.0)
    .fetch_optional(&store.reader)
    .await?
    .map(EventRow::decode)
    .transpose()
}

pub async fn list_showtimes(
    store: &SqliteStore,
    filter: &ShowtimeFilter,
) -> StoreResult<Vec<ShowtimeInfo>> {
    sqlx::query_as::<_, ShowtimeRow>(&format!(
        "{SHOWTIME_SELECT}
         WHERE (?2 IS NULL OR s.event_id = ?2)
           AND (?3 IS NULL OR v.city_id = ?3)
           AND (?4 IS NULL OR s.starts_at >= ?4)
           AND (?5 IS NULL OR s.starts_at < ?5)
         ORDER BY s.starts_at, s.id
         LIMIT ?6"
    ))
    .bind(millis(filter.now))
    .bind(filter.event_id.map(|e| e.0))
    .bind(filter.city_id.map(|c| c.0))
    .bind(filter.starts_from.map(millis))
    .bind(filter.starts_until.map(millis))
    .bind(i64::from(filter.limit))
    .fetch_all(&store.reader)
    .await?
    .into_iter()
    .map(ShowtimeRow::decode)
    .collect()
}

pub async fn get_showtime(
    store: &SqliteStore,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Option<ShowtimeInfo>> {
    showtime_where(&store.reader, "WHERE s.id = ?2", id, now).await
}

pub async fn seat_map(
    store: &SqliteStore,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Option<SeatMap>> {
    // One read transaction, so the seat count and the seats agree.
    let mut tx = store.reader.begin().await?;
    let Some(showtime) =
        sqlx::query_as::<_, ShowtimeRow>(&format!("{SHOWTIME_SELECT} WHERE s.id = ?2"))
            .bind(millis(now))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(None);
    };
    let seats = sqlx::query_as::<_, SeatRow>(
        "SELECT label, row_label, row_index, column_index, number, category, status, booking_id, held_until
         FROM showtime_seats WHERE showtime_id = ? ORDER BY row_index, column_index",
    )
    .bind(id.0)
    .fetch_all(&mut *tx)
    .await
    ?;
    tx.commit().await?;
    marquee_store::rows::seat_map(showtime, seats).map(Some)
}
