use crate::{db, is_retryable, is_unique_violation, PgStore, ATTEMPTS, BEGIN_SNAPSHOT};
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::codec::{self, unknown_labels};
use marquee_store::holds::{self, SaleTerms, SaleTermsRow};
use marquee_store::rows::{bookings, BookingRow, BookingSeatRow, TransitionRow};
use marquee_store::*;
use sqlx::PgConnection;
use std::future::Future;

/// How a hold claims its seats. Only the conditional update is ever used outside tests.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    Conditional,
    /// Reads the seats, then writes them whatever happened in between: the race tests' control.
    NoneForTheRaceControl,
}

/// Runs a whole transaction again when PostgreSQL aborted it to break a deadlock (or for a
/// serialization failure), up to `ATTEMPTS` times in all.
async fn retrying<T, F, Fut>(what: &str, mut run: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut attempt = 1;
    loop {
        match run().await {
            Err(err) if attempt < ATTEMPTS && is_retryable(&err) => {
                tracing::debug!(
                    attempt,
                    "{what} aborted by the database, running it again: {err}"
                );
                attempt += 1;
            }
            done => return done,
        }
    }
}

pub async fn hold_seats(store: &PgStore, hold: NewHold, guard: Guard) -> StoreResult<Booking> {
    match guard {
        Guard::Conditional => retrying("hold", || hold_once(store, &hold)).await,
        Guard::NoneForTheRaceControl => {
            retrying("unguarded hold", || hold_unguarded(store, &hold)).await
        }
    }
}

async fn hold_once(store: &PgStore, hold: &NewHold) -> StoreResult<Booking> {
    let mut tx = store.pool.begin().await.map_err(db)?;
    let terms = sale_terms(&mut tx, hold.showtime_id).await?;
    terms
        .window
        .check(hold.now)
        .map_err(StoreError::NotOnSale)?;

    // The decision: only seats that are free at `now` are taken, all in one statement. A row
    // another transaction is writing is waited for, then the condition is checked again on
    // what that transaction committed. Rows are locked in the order the plan meets them, so
    // two overlapping holds can deadlock; PostgreSQL aborts one and `retrying` runs it again.
    let taken: Vec<(String, String)> = sqlx::query_as(
        "UPDATE showtime_seats SET status = 'held', booking_id = $1, held_until = $2
         WHERE showtime_id = $3 AND label = ANY($4)
           AND (status = 'available' OR (status = 'held' AND held_until <= $5))
         RETURNING label, category",
    )
    .bind(hold.id.0)
    .bind(hold.expires_at)
    .bind(hold.showtime_id.0)
    .bind(&hold.seats)
    .bind(hold.now)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    if taken.len() != hold.seats.len() {
        let refusal = refusal(&mut tx, hold, &taken).await?;
        tx.rollback().await.map_err(db)?;
        return Err(refusal);
    }
    let booking = record_booking(&mut tx, hold, &terms, &taken).await?;
    tx.commit().await.map_err(db)?;
    Ok(booking)
}

async fn sale_terms(conn: &mut PgConnection, showtime: ShowtimeId) -> StoreResult<SaleTerms> {
    sqlx::query_as::<_, SaleTermsRow>(
        "SELECT ms(starts_at) AS starts_at, ms(sales_open_at) AS sales_open_at, sales_close_minutes, currency, price_standard,
                price_premium, price_accessible, price_companion, booking_fee_minor
         FROM showtimes WHERE id = $1",
    )
    .bind(showtime.0)
    .fetch_optional(conn)
    .await
    .map_err(db)?
    .ok_or(StoreError::NotFound("showtime"))?
    .decode()
}

/// Why a hold did not get all its seats, read in its transaction before it rolls back.
async fn refusal(
    conn: &mut PgConnection,
    hold: &NewHold,
    taken: &[(String, String)],
) -> StoreResult<StoreError> {
    let known: Vec<String> = sqlx::query_scalar(
        "SELECT label FROM showtime_seats WHERE showtime_id = $1 AND label = ANY($2)",
    )
    .bind(hold.showtime_id.0)
    .bind(&hold.seats)
    .fetch_all(conn)
    .await
    .map_err(db)?;
    Ok(holds::refusal(hold, &known, taken))
}

/// Writes the booking, its priced seats and its first transition for seats just taken.
async fn record_booking(
    conn: &mut PgConnection,
    hold: &NewHold,
    terms: &SaleTerms,
    taken: &[(String, String)],
) -> StoreResult<Booking> {
    let quote = holds::quote(hold, terms, taken)?;
    sqlx::query(
        "INSERT INTO bookings (id, reference, user_id, showtime_id, status, expires_at,
                               subtotal_minor, fees_minor, total_minor, currency, created_at,
                               updated_at)
         VALUES ($1, $2, $3, $4, 'held', $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(hold.id.0)
    .bind(hold.reference.as_str())
    .bind(hold.user_id.0)
    .bind(hold.showtime_id.0)
    .bind(hold.expires_at)
    .bind(quote.subtotal.minor)
    .bind(quote.fees.minor)
    .bind(quote.total.minor)
    .bind(quote.total.currency.as_str())
    .bind(hold.now)
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "bookings_reference_key") {
            StoreError::ReferenceTaken
        } else {
            db(e)
        }
    })?;
    sqlx::query(
        "INSERT INTO booking_seats (booking_id, position, label, category, price_minor)
         SELECT $1, line.*
         FROM UNNEST($2::int8[], $3::text[], $4::text[], $5::int8[]) AS line",
    )
    .bind(hold.id.0)
    .bind((0..quote.lines.len() as i64).collect::<Vec<_>>())
    .bind(
        quote
            .lines
            .iter()
            .map(|l| l.label.clone())
            .collect::<Vec<_>>(),
    )
    .bind(
        quote
            .lines
            .iter()
            .map(|l| l.category.as_str().to_string())
            .collect::<Vec<_>>(),
    )
    .bind(
        quote
            .lines
            .iter()
            .map(|l| l.price.minor)
            .collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    record_transition(conn, hold.id, None, BookingStatus::Held, hold.now).await?;
    Ok(holds::held_booking(hold, quote))
}

async fn record_transition(
    conn: &mut PgConnection,
    id: BookingId,
    from: Option<BookingStatus>,
    to: BookingStatus,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id.0)
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(at)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// The race control: checks availability with a plain read outside any transaction, lets the
/// other racers run, then writes each seat without any condition, so two holds that both saw
/// a seat free both "get" it.
async fn hold_unguarded(store: &PgStore, hold: &NewHold) -> StoreResult<Booking> {
    let free: Vec<(String, String)> = sqlx::query_as(
        "SELECT label, category FROM showtime_seats
         WHERE showtime_id = $1 AND label = ANY($2)
           AND (status = 'available' OR (status = 'held' AND held_until <= $3))",
    )
    .bind(hold.showtime_id.0)
    .bind(&hold.seats)
    .bind(hold.now)
    .fetch_all(&store.pool)
    .await
    .map_err(db)?;
    if free.len() != hold.seats.len() {
        let got: Vec<String> = free.into_iter().map(|(label, _)| label).collect();
        return Err(StoreError::SeatsUnavailable(unknown_labels(
            &hold.seats,
            &got,
        )));
    }
    tokio::task::yield_now().await;
    let mut tx = store.pool.begin().await.map_err(db)?;
    let terms = sale_terms(&mut tx, hold.showtime_id).await?;
    for label in &hold.seats {
        sqlx::query(
            "UPDATE showtime_seats SET status = 'held', booking_id = $1, held_until = $2
             WHERE showtime_id = $3 AND label = $4",
        )
        .bind(hold.id.0)
        .bind(hold.expires_at)
        .bind(hold.showtime_id.0)
        .bind(label)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    let booking = record_booking(&mut tx, hold, &terms, &free).await?;
    tx.commit().await.map_err(db)?;
    Ok(booking)
}

pub async fn release_hold(
    store: &PgStore,
    id: BookingId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<Booking> {
    retrying("release", || release_once(store, id, user, now)).await?;
    load(store, Which::One(id))
        .await?
        .pop()
        .ok_or(StoreError::NotFound("booking"))
}

async fn release_once(
    store: &PgStore,
    id: BookingId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = store.pool.begin().await.map_err(db)?;
    // Locks the booking, so a release and the sweeper (or two releases) take turns.
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "SELECT user_id, status, ms(expires_at) FROM bookings WHERE id = $1 FOR UPDATE",
    )
    .bind(id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let Some((_, status, expires_at)) = row.filter(|(owner, ..)| *owner == user.0) else {
        return Err(StoreError::NotFound("booking"));
    };
    let mut status = codec::booking_status(&status)?;
    if status == BookingStatus::Held && expires_at <= codec::millis(now) {
        status = BookingStatus::Expired;
    }
    if !status.can_become(BookingStatus::Released) {
        return Err(StoreError::InvalidTransition {
            from: status,
            to: BookingStatus::Released,
        });
    }
    sqlx::query("UPDATE bookings SET status = 'released', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    sqlx::query(
        "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
         WHERE booking_id = $1 AND status = 'held'",
    )
    .bind(id.0)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    record_transition(&mut tx, id, Some(status), BookingStatus::Released, now).await?;
    tx.commit().await.map_err(db)?;
    Ok(())
}

pub async fn expire_stale_holds(store: &PgStore, now: DateTime<Utc>) -> StoreResult<u64> {
    // One statement: the bookings are locked and moved to `expired` first, and only the seats
    // of the bookings this statement expired are freed, those a later hold has since taken
    // left alone (the seat's booking_id is checked again on the row as committed). The expiry
    // is recorded at the time the hold ran out, not the time the sweeper came by.
    let expired: i64 = retrying("expiry", || async {
        sqlx::query_scalar(
            "WITH expired AS (
                 UPDATE bookings SET status = 'expired', updated_at = $1
                 WHERE status = 'held' AND expires_at <= $1
                 RETURNING id, expires_at
             ), freed AS (
                 UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
                 WHERE status = 'held' AND booking_id IN (SELECT id FROM expired)
             ), recorded AS (
                 INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
                 SELECT id, 'held', 'expired', expires_at FROM expired
             )
             SELECT count(*) FROM expired",
        )
        .bind(now)
        .fetch_one(&store.pool)
        .await
        .map_err(db)
    })
    .await?;
    codec::unsigned(expired, "expired holds")
}

pub enum Which {
    One(BookingId),
    OfUser(UserId),
}

/// Bookings with their seats and transitions, in three queries whatever their number, all
/// from one snapshot.
pub async fn load(store: &PgStore, which: Which) -> StoreResult<Vec<Booking>> {
    let (filter, key) = match which {
        Which::One(id) => ("b.id = $1", id.0),
        Which::OfUser(user) => ("b.user_id = $1", user.0),
    };
    let mut tx = store.pool.begin_with(BEGIN_SNAPSHOT).await.map_err(db)?;
    let rows = sqlx::query_as::<_, BookingRow>(&format!(
        "SELECT b.id, b.reference, b.user_id, b.showtime_id, b.status,
                ms(b.expires_at) AS expires_at, ms(b.created_at) AS created_at,
                b.subtotal_minor, b.fees_minor, b.total_minor, b.currency
         FROM bookings b WHERE {filter} ORDER BY b.id DESC"
    ))
    .bind(key)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let seats = sqlx::query_as::<_, BookingSeatRow>(&format!(
        "SELECT s.booking_id, s.label, s.category, s.price_minor
         FROM booking_seats s JOIN bookings b ON b.id = s.booking_id
         WHERE {filter} ORDER BY s.booking_id, s.position"
    ))
    .bind(key)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let transitions = sqlx::query_as::<_, TransitionRow>(&format!(
        "SELECT t.booking_id, t.from_status, t.to_status, ms(t.at) AS at
         FROM booking_transitions t JOIN bookings b ON b.id = t.booking_id
         WHERE {filter} ORDER BY t.at, t.id"
    ))
    .bind(key)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    bookings(rows, &seats, &transitions)
}
