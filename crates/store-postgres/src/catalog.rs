use crate::{PgStore, BEGIN_SNAPSHOT};
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::codec::{join_list, layout as parse_layout, unsigned};
use marquee_store::rows::*;
use marquee_store::*;

/// A showtime with everything a listing shows; `$1` is the `now` of the seat count.
const SHOWTIME_SELECT: &str = "
    SELECT s.id, s.event_id, s.auditorium_id, s.layout_id, ms(s.starts_at) AS starts_at,
           ms(s.ends_at) AS ends_at, s.format, s.audio_language, s.subtitles, s.currency,
           s.price_standard, s.price_premium, s.price_accessible, s.price_companion,
           s.booking_fee_minor, ms(s.sales_open_at) AS sales_open_at, s.sales_close_minutes,
           e.title AS event_title, a.name AS auditorium_name,
           v.id AS venue_id, v.name AS venue_name, v.address AS venue_address,
           c.id AS city_id, c.name AS city_name, c.timezone AS city_timezone,
           l.capacity, l.row_count, l.column_count,
           (SELECT count(*) FROM showtime_seats ss
             WHERE ss.showtime_id = s.id
               AND (ss.status = 'available' OR (ss.status = 'held' AND ss.held_until <= $1))
           ) AS seats_available
    FROM showtimes s
    JOIN events e ON e.id = s.event_id
    JOIN auditoriums a ON a.id = s.auditorium_id
    JOIN venues v ON v.id = a.venue_id
    JOIN cities c ON c.id = v.city_id
    JOIN auditorium_layouts l ON l.id = s.layout_id";

const EVENT_COLUMNS: &str = "e.id, e.kind, e.title, e.synopsis, e.cast_members, e.genres,
    e.language, e.runtime_minutes, e.certificate, e.poster_url, e.trailer_url,
    to_char(e.release_date, 'YYYY-MM-DD') AS release_date";

pub async fn create_event(store: &PgStore, event: NewEvent) -> StoreResult<Event> {
    sqlx::query_as::<_, EventRow>(&format!(
        "INSERT INTO events AS e (kind, title, synopsis, cast_members, genres, language,
                                  runtime_minutes, certificate, poster_url, trailer_url,
                                  release_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         RETURNING {EVENT_COLUMNS}"
    ))
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
    .bind(event.release_date)
    .fetch_one(&store.pool)
    .await?
    .decode()
}

pub async fn schedule_showtime(store: &PgStore, new: NewShowtime) -> StoreResult<ShowtimeInfo> {
    let mut tx = store.pool.begin().await?;
    // Locking the auditorium's row serializes scheduling in it: a second schedule waits here
    // until the first commits, then sees its showtime in the overlap check below.
    let (layout_id, layout_text): (i64, String) = sqlx::query_as(
        "SELECT l.id, l.layout
         FROM auditoriums a JOIN auditorium_layouts l ON l.id = a.current_layout_id
         WHERE a.id = $1
         FOR UPDATE OF a",
    )
    .bind(new.auditorium_id.0)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound(Entity::Auditorium))?;
    let runtime: i64 = sqlx::query_scalar("SELECT runtime_minutes FROM events WHERE id = $1")
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
    let ends_at = Showtime::end_of(new.starts_at, unsigned(runtime, "runtime")?);
    let busy: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM showtimes
         WHERE auditorium_id = $1 AND starts_at < $2 AND ends_at > $3
         ORDER BY starts_at LIMIT 1",
    )
    .bind(new.auditorium_id.0)
    .bind(ends_at)
    .bind(new.starts_at)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(busy) = busy {
        return Err(StoreError::AuditoriumBusy(ShowtimeId(busy)));
    }
    let [standard, premium, accessible, companion] =
        marquee_store::holds::price_columns(&new.prices);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO showtimes (event_id, auditorium_id, layout_id, starts_at, ends_at, format,
             audio_language, subtitles, currency, price_standard, price_premium, price_accessible,
             price_companion, booking_fee_minor, sales_open_at, sales_close_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         RETURNING id",
    )
    .bind(new.event_id.0)
    .bind(new.auditorium_id.0)
    .bind(layout_id)
    .bind(new.starts_at)
    .bind(ends_at)
    .bind(&new.format)
    .bind(&new.audio_language)
    .bind(&new.subtitles)
    .bind(new.prices.currency.as_str())
    .bind(standard)
    .bind(premium)
    .bind(accessible)
    .bind(companion)
    .bind(new.booking_fee_minor)
    .bind(new.sales_open_at)
    .bind(i64::from(new.sales_close_minutes))
    .fetch_one(&mut *tx)
    .await?;
    // The whole inventory in one statement, a column an array.
    let seats = layout.seats();
    sqlx::query(
        "INSERT INTO showtime_seats
             (showtime_id, label, row_label, row_index, column_index, number, category)
         SELECT $1, seat.*
         FROM UNNEST($2::text[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::text[])
              AS seat",
    )
    .bind(id)
    .bind(seats.iter().map(|s| s.label.clone()).collect::<Vec<_>>())
    .bind(
        seats
            .iter()
            .map(|s| s.row_label.clone())
            .collect::<Vec<_>>(),
    )
    .bind(seats.iter().map(|s| i64::from(s.row)).collect::<Vec<_>>())
    .bind(
        seats
            .iter()
            .map(|s| i64::from(s.column))
            .collect::<Vec<_>>(),
    )
    .bind(
        seats
            .iter()
            .map(|s| i64::from(s.number))
            .collect::<Vec<_>>(),
    )
    .bind(
        seats
            .iter()
            .map(|s| s.category.as_str().to_string())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    let info = showtime_by_id(&mut *tx, ShowtimeId(id), new.sales_open_at).await?;
    tx.commit().await?;
    info.ok_or(StoreError::NotFound(Entity::Showtime))
}

async fn showtime_by_id(
    conn: impl sqlx::PgExecutor<'_>,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Option<ShowtimeInfo>> {
    sqlx::query_as::<_, ShowtimeRow>(&format!("{SHOWTIME_SELECT} WHERE s.id = $2"))
        .bind(now)
        .bind(id.0)
        .fetch_optional(conn)
        .await?
        .map(ShowtimeRow::decode)
        .transpose()
}

pub async fn list_events(store: &PgStore, filter: &EventFilter) -> StoreResult<Vec<Event>> {
    // A genre matches one whole line of the newline-joined genres (strpos, not LIKE, so `%`
    // and `_` in a genre are not wildcards).
    sqlx::query_as::<_, EventRow>(&format!(
        "SELECT {EVENT_COLUMNS} FROM events e
         WHERE EXISTS (
             SELECT 1 FROM showtimes s
             JOIN auditoriums a ON a.id = s.auditorium_id
             JOIN venues v ON v.id = a.venue_id
             WHERE s.event_id = e.id
               AND ($1::int8 IS NULL OR v.city_id = $1)
               AND ($2::timestamptz IS NULL OR s.starts_at >= $2)
               AND ($3::timestamptz IS NULL OR s.starts_at < $3))
           AND ($4::text IS NULL OR e.language = $4)
           AND ($5::text IS NULL
                OR strpos(chr(10) || e.genres || chr(10), chr(10) || $5 || chr(10)) > 0)
         ORDER BY e.title, e.id
         LIMIT $6 OFFSET $7"
    ))
    .bind(filter.city_id.map(|c| c.0))
    .bind(filter.starts_from)
    .bind(filter.starts_until)
    .bind(&filter.language)
    .bind(&filter.genre)
    .bind(i64::from(filter.limit))
    .bind(i64::from(filter.offset))
    .fetch_all(&store.pool)
    .await?
    .into_iter()
    .map(EventRow::decode)
    .collect()
}

pub async fn get_event(store: &PgStore, id: EventId) -> StoreResult<Option<Event>> {
    sqlx::query_as::<_, EventRow>(&format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = $1"
    ))
    .bind(id.0)
    .fetch_optional(&store.pool)
    .await?
    .map(EventRow::decode)
    .transpose()
}

pub async fn list_showtimes(
    store: &PgStore,
    filter: &ShowtimeFilter,
) -> StoreResult<Vec<ShowtimeInfo>> {
    sqlx::query_as::<_, ShowtimeRow>(&format!(
        "{SHOWTIME_SELECT}
         WHERE ($2::int8 IS NULL OR s.event_id = $2)
           AND ($3::int8 IS NULL OR v.city_id = $3)
           AND ($4::timestamptz IS NULL OR s.starts_at >= $4)
           AND ($5::timestamptz IS NULL OR s.starts_at < $5)
         ORDER BY s.starts_at, s.id
         LIMIT $6"
    ))
    .bind(filter.now)
    .bind(filter.event_id.map(|e| e.0))
    .bind(filter.city_id.map(|c| c.0))
    .bind(filter.starts_from)
    .bind(filter.starts_until)
    .bind(i64::from(filter.limit))
    .fetch_all(&store.pool)
    .await?
    .into_iter()
    .map(ShowtimeRow::decode)
    .collect()
}

pub async fn get_showtime(
    store: &PgStore,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Option<ShowtimeInfo>> {
    showtime_by_id(&store.pool, id, now).await
}

pub async fn seat_map(
    store: &PgStore,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Option<SeatMap>> {
    // One snapshot, so the seat count and the seats agree.
    let mut tx = store.pool.begin_with(BEGIN_SNAPSHOT).await?;
    let Some(showtime) =
        sqlx::query_as::<_, ShowtimeRow>(&format!("{SHOWTIME_SELECT} WHERE s.id = $2"))
            .bind(now)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(None);
    };
    let seats = sqlx::query_as::<_, SeatRow>(
        "SELECT label, row_label, row_index, column_index, number, category, status, booking_id,
                ms(held_until) AS held_until
         FROM showtime_seats WHERE showtime_id = $1 ORDER BY row_index, column_index",
    )
    .bind(id.0)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    marquee_store::rows::seat_map(showtime, seats).map(Some)
}
