use crate::statements::Tx;
use crate::{is_retryable, is_unique_violation, PgStore};
use chrono::{DateTime, Utc};
use marquee_domain::hold_plan::{self, SaleTerms, Taking};
use marquee_domain::*;
use marquee_store::backend::ATTEMPTS;
use marquee_store::codec::{self, unknown_labels};
use marquee_store::holds::{self, SaleTermsRow};
use marquee_store::writes;
use marquee_store::*;
use sqlx::PgConnection;
use std::collections::hash_map::{Entry, HashMap};
use std::future::Future;

/// Runs a whole transaction again when PostgreSQL aborted it to break a deadlock (or for a
/// serialization failure), up to `ATTEMPTS` times in all.
pub(crate) async fn retrying<T, F, Fut>(what: &str, mut run: F) -> StoreResult<T>
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

/// Holds in one transaction and one commit (see `Store::hold_seats_batch`), run again whole
/// when PostgreSQL aborts it for a deadlock, or when another node stored one of its
/// references between our check and our insert.
pub async fn hold_batch(
    store: &PgStore,
    holds: Vec<NewHold>,
) -> StoreResult<Committed<Vec<StoreResult<Booking>>>> {
    let mut attempt = 1;
    loop {
        match retrying("holds", || hold_batch_once(store, &holds)).await {
            Err(StoreError::ReferenceTaken) if attempt < ATTEMPTS => attempt += 1,
            done => return done,
        }
    }
}

/// The batch's seats are read and locked in one statement, the holds decided in order by
/// `holds::plan_batch`, and everything they write sent as one statement: six round trips
/// (with begin and commit) however many holds.
async fn hold_batch_once(
    store: &PgStore,
    holds: &[NewHold],
) -> StoreResult<Committed<Vec<StoreResult<Booking>>>> {
    let Tx(mut tx) = store.begin_write().await?;
    let stored_references = taken_references(&mut tx, holds).await?;
    let mut terms = HashMap::new();
    for hold in holds {
        if let Entry::Vacant(unread) = terms.entry(hold.showtime_id) {
            if let Some(read) = sale_terms(&mut tx, hold.showtime_id).await? {
                unread.insert(read);
            }
        }
    }
    let seats = lock_seats(&mut tx, holds).await?;
    let plan = holds::plan_batch(holds, &terms, seats, stored_references)?;
    write_holds(&mut tx, &plan.takings, &plan.held()).await?;
    tx.commit().await?;
    Ok(holds::committed(plan))
}

/// Reads and locks every seat row the batch asks for, in one order (showtime, label) that
/// every batch on every node shares: two batches never each hold a seat the other waits for.
/// Once locked, the rows stay as read until the batch commits.
async fn lock_seats(
    conn: &mut PgConnection,
    holds: &[NewHold],
) -> StoreResult<Vec<holds::LockedSeatRow>> {
    let (showtimes, labels): (Vec<i64>, Vec<&str>) = holds
        .iter()
        .flat_map(|h| h.seats.iter().map(|l| (h.showtime_id.0, l.as_str())))
        .unzip();
    sqlx::query_as(
        "SELECT s.showtime_id, s.label, s.category, s.status, ms(s.held_until) AS held_until
         FROM showtime_seats s
         WHERE (s.showtime_id, s.label) IN (
             SELECT * FROM UNNEST($1::int8[], $2::text[]))
         ORDER BY s.showtime_id, s.label
         FOR UPDATE OF s",
    )
    .bind(&showtimes)
    .bind(&labels)
    .fetch_all(conn)
    .await
    .map_err(StoreError::from)
}

/// The batch's booking references that some booking has already.
async fn taken_references(conn: &mut PgConnection, holds: &[NewHold]) -> StoreResult<Vec<String>> {
    let wanted: Vec<&str> = holds.iter().map(|h| h.reference.as_str()).collect();
    sqlx::query_scalar("SELECT reference FROM bookings WHERE reference = ANY($1)")
        .bind(&wanted)
        .fetch_all(conn)
        .await
        .map_err(StoreError::from)
}

async fn sale_terms(
    conn: &mut PgConnection,
    showtime: ShowtimeId,
) -> StoreResult<Option<SaleTerms>> {
    sqlx::query_as::<_, SaleTermsRow>(
        "SELECT ms(starts_at) AS starts_at, ms(sales_open_at) AS sales_open_at, sales_close_minutes, currency, price_standard,
                price_premium, price_accessible, price_companion, booking_fee_minor
         FROM showtimes WHERE id = $1",
    )
    .bind(showtime.0)
    .fetch_optional(conn)
    .await
    ?
    .map(SaleTermsRow::decode)
    .transpose()
}

/// Writes what a batch decided in one statement (one round trip): the seats its holds take,
/// with the availability condition checked once more (in milliseconds, as the plan read the
/// times), and the new bookings with their priced
/// seats and first transitions. A seat the condition would not let through fails the batch.
async fn write_holds(
    conn: &mut PgConnection,
    takings: &[Taking],
    held: &[&Booking],
) -> StoreResult<()> {
    if takings.is_empty() && held.is_empty() {
        return Ok(());
    }
    let lines: Vec<(BookingId, usize, &BookingLine)> = held
        .iter()
        .flat_map(|b| {
            b.quote
                .lines
                .iter()
                .enumerate()
                .map(move |(i, l)| (b.id, i, l))
        })
        .collect();
    let transitions: Vec<(BookingId, &Transition)> = held
        .iter()
        .flat_map(|b| b.transitions.iter().map(move |t| (b.id, t)))
        .collect();
    let of_bookings = |f: &dyn Fn(&Booking) -> i64| held.iter().map(|b| f(b)).collect::<Vec<_>>();
    let written: i64 = sqlx::query_scalar(
        "WITH taken AS (
             UPDATE showtime_seats s
             SET status = 'held', booking_id = t.booking_id, held_until = t.held_until
             FROM UNNEST($1::int8[], $2::text[], $3::int8[], $4::timestamptz[], $5::timestamptz[])
                  AS t(showtime_id, label, booking_id, held_until, now)
             WHERE s.showtime_id = t.showtime_id AND s.label = t.label
               AND (s.status = 'available' OR (s.status = 'held' AND ms(s.held_until) <= ms(t.now)))
             RETURNING 1
         ), booked AS (
             INSERT INTO bookings (id, reference, user_id, showtime_id, status, expires_at,
                                   subtotal_minor, fees_minor, total_minor, currency, created_at,
                                   updated_at)
             SELECT b.id, b.reference, b.user_id, b.showtime_id, b.status, b.expires_at,
                    b.subtotal, b.fees, b.total, b.currency, b.created_at, b.created_at
             FROM UNNEST($6::int8[], $7::text[], $8::int8[], $9::int8[], $10::text[],
                         $11::timestamptz[], $12::int8[], $13::int8[], $14::int8[], $15::text[],
                         $16::timestamptz[])
                  AS b(id, reference, user_id, showtime_id, status, expires_at, subtotal, fees,
                       total, currency, created_at)
         ), priced AS (
             INSERT INTO booking_seats (booking_id, position, label, category, price_minor)
             SELECT * FROM UNNEST($17::int8[], $18::int8[], $19::text[], $20::text[], $21::int8[])
         ), recorded AS (
             INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
             SELECT * FROM UNNEST($22::int8[], $23::text[], $24::text[], $25::timestamptz[])
         )
         SELECT count(*) FROM taken",
    )
    .bind(takings.iter().map(|t| t.showtime_id.0).collect::<Vec<_>>())
    .bind(takings.iter().map(|t| t.label.as_str()).collect::<Vec<_>>())
    .bind(takings.iter().map(|t| t.booking_id.0).collect::<Vec<_>>())
    .bind(takings.iter().map(|t| t.held_until).collect::<Vec<_>>())
    .bind(takings.iter().map(|t| t.now).collect::<Vec<_>>())
    .bind(of_bookings(&|b| b.id.0))
    .bind(
        held.iter()
            .map(|b| b.reference.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(of_bookings(&|b| b.user_id.0))
    .bind(of_bookings(&|b| b.showtime_id.0))
    .bind(
        held.iter()
            .map(|b| b.stored_status.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(held.iter().map(|b| b.expires_at).collect::<Vec<_>>())
    .bind(of_bookings(&|b| b.quote.subtotal.minor))
    .bind(of_bookings(&|b| b.quote.fees.minor))
    .bind(of_bookings(&|b| b.quote.total.minor))
    .bind(
        held.iter()
            .map(|b| b.quote.total.currency.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(held.iter().map(|b| b.created_at).collect::<Vec<_>>())
    .bind(lines.iter().map(|(id, ..)| id.0).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, i, _)| *i as i64).collect::<Vec<_>>())
    .bind(
        lines
            .iter()
            .map(|(.., l)| l.label.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        lines
            .iter()
            .map(|(.., l)| l.category.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        lines
            .iter()
            .map(|(.., l)| l.price.minor)
            .collect::<Vec<_>>(),
    )
    .bind(transitions.iter().map(|(id, _)| id.0).collect::<Vec<_>>())
    .bind(
        transitions
            .iter()
            .map(|(_, t)| t.from.map(|s| s.as_str()))
            .collect::<Vec<_>>(),
    )
    .bind(
        transitions
            .iter()
            .map(|(_, t)| t.to.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(transitions.iter().map(|(_, t)| t.at).collect::<Vec<_>>())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "bookings_reference_key") {
            StoreError::ReferenceTaken
        } else {
            StoreError::from(e)
        }
    })?;
    if written != takings.len() as i64 {
        return Err(StoreError::corrupt(format!(
            "a batch planned {} seats but the condition let {written} through",
            takings.len()
        )));
    }
    Ok(())
}

pub async fn hold_seats_unguarded(store: &PgStore, hold: NewHold) -> StoreResult<Booking> {
    retrying("unguarded hold", || hold_unguarded(store, &hold)).await
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
    .await?;
    if free.len() != hold.seats.len() {
        let got: Vec<String> = free.into_iter().map(|(label, _)| label).collect();
        return Err(StoreError::SeatsUnavailable(unknown_labels(
            &hold.seats,
            &got,
        )));
    }
    tokio::task::yield_now().await;
    let mut tx = store.pool.begin().await?;
    let terms = sale_terms(&mut tx, hold.showtime_id)
        .await?
        .ok_or(StoreError::NotFound(Entity::Showtime))?;
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
        .await?;
    }
    let free = free
        .into_iter()
        .map(|(label, stored)| Ok((label, codec::category(&stored)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let booking = hold_plan::held_booking(hold, holds::quote(hold, &terms, &free)?);
    write_holds(&mut tx, &[], &[&booking]).await?;
    tx.commit().await?;
    Ok(booking)
}

pub async fn expire_stale_holds(
    store: &PgStore,
    now: DateTime<Utc>,
) -> StoreResult<Committed<u64>> {
    let rows: Vec<(i64, Option<i64>, Option<String>)> = retrying("expiry", || async {
        Ok(sqlx::query_as(
            "WITH stale AS (
                 SELECT id, status FROM bookings
                 WHERE status IN ('held', 'payment_pending') AND expires_at <= $1
                 FOR UPDATE
             ), expired AS (
                 UPDATE bookings b SET status = 'expired', updated_at = $1
                 FROM stale WHERE b.id = stale.id
                 RETURNING b.id, stale.status AS was, b.expires_at
             ), freed AS (
                 UPDATE showtime_seats s
                 SET status = 'available', booking_id = NULL, held_until = NULL
                 FROM expired e WHERE s.status = 'held' AND s.booking_id = e.id
                 RETURNING e.id AS booking_id, s.showtime_id, s.label
             ), recorded AS (
                 INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
                 SELECT id, was, 'expired', expires_at FROM expired
             )
             SELECT e.id, f.showtime_id, f.label
             FROM expired e LEFT JOIN freed f ON f.booking_id = e.id",
        )
        .bind(now)
        .fetch_all(&store.pool)
        .await?)
    })
    .await?;
    let expired: std::collections::HashSet<i64> = rows.iter().map(|(id, ..)| *id).collect();
    let freed = rows
        .into_iter()
        .filter_map(|(booking, showtime, label)| Some((showtime?, booking, label?)))
        .collect();
    Ok(Committed::new(expired.len() as u64, writes::expired(freed)))
}
