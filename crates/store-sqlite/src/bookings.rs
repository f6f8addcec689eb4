use crate::statements::Tx;
use crate::SqliteStore;
use chrono::{DateTime, Utc};
use marquee_domain::hold_plan::{self, SaleTerms, Taking};
use marquee_domain::*;
use marquee_store::codec::{self, millis, unknown_labels};
use marquee_store::holds::{self, SaleTermsRow};
use marquee_store::writes;
use marquee_store::*;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::hash_map::{Entry, HashMap};

const AVAILABLE_AT_3: &str = "(status = 'available' OR (status = 'held' AND held_until <= ?3))";

fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Holds in one `BEGIN IMMEDIATE` transaction: one commit for the lot, which is what lets one
/// SQLite writer keep up with an on-sale (see `Store::hold_seats_batch`). The seats asked for
/// are read in one statement, the holds decided in order by `holds::plan_batch`, and what
/// they take written in one conditional update: a handful of statements however many holds.
pub async fn hold_batch(
    store: &SqliteStore,
    holds: Vec<NewHold>,
) -> StoreResult<Committed<Vec<StoreResult<Booking>>>> {
    let Tx(mut tx) = store.begin_write().await?;
    let stored_references = taken_references(&mut tx, &holds).await?;
    let mut terms = HashMap::new();
    for hold in &holds {
        if let Entry::Vacant(unread) = terms.entry(hold.showtime_id) {
            if let Some(read) = sale_terms(&mut tx, hold.showtime_id).await? {
                unread.insert(read);
            }
        }
    }
    let seats = asked_seats(&mut tx, &holds).await?;
    let plan = holds::plan_batch(&holds, &terms, seats, stored_references)?;
    take_seats(&mut tx, &plan.takings).await?;
    insert_bookings(&mut tx, &plan.held()).await?;
    tx.commit().await?;
    Ok(holds::committed(plan))
}

/// The seats a batch asks for, as they are now. `BEGIN IMMEDIATE` holds the only write lock,
/// so they stay so until the batch commits.
async fn asked_seats(
    conn: &mut SqliteConnection,
    holds: &[NewHold],
) -> StoreResult<Vec<holds::LockedSeatRow>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT showtime_id, label, category, status, held_until FROM showtime_seats
         WHERE (showtime_id, label) IN (VALUES ",
    );
    let mut pairs = query.separated(", ");
    for hold in holds {
        for label in &hold.seats {
            pairs.push("(");
            pairs.push_bind_unseparated(hold.showtime_id.0);
            pairs.push_unseparated(", ");
            pairs.push_bind_unseparated(label);
            pairs.push_unseparated(")");
        }
    }
    query.push(")");
    Ok(query.build_query_as().fetch_all(conn).await?)
}

/// Writes the seats a batch's holds take. The update keeps the availability condition, so
/// the database checks the plan once more; a seat it would not take fails the whole batch.
async fn take_seats(conn: &mut SqliteConnection, takings: &[Taking]) -> StoreResult<()> {
    if takings.is_empty() {
        return Ok(());
    }
    let mut update: QueryBuilder<Sqlite> = QueryBuilder::new(
        "UPDATE showtime_seats SET status = 'held', booking_id = t.column3, held_until = t.column4
         FROM (",
    );
    update.push_values(takings, |mut row, t| {
        row.push_bind(t.showtime_id.0)
            .push_bind(&t.label)
            .push_bind(t.booking_id.0)
            .push_bind(millis(t.held_until))
            .push_bind(millis(t.now));
    });
    update.push(
        ") AS t
         WHERE showtime_seats.showtime_id = t.column1 AND showtime_seats.label = t.column2
           AND (showtime_seats.status = 'available'
                OR (showtime_seats.status = 'held' AND showtime_seats.held_until <= t.column5))",
    );
    let written = update.build().execute(conn).await?.rows_affected();
    if written != takings.len() as u64 {
        return Err(StoreError::corrupt(format!(
            "a batch planned {} seats but the condition let {written} through",
            takings.len()
        )));
    }
    Ok(())
}

/// The batch's booking references that some booking has already.
async fn taken_references(
    conn: &mut SqliteConnection,
    holds: &[NewHold],
) -> StoreResult<Vec<String>> {
    let sql = format!(
        "SELECT reference FROM bookings WHERE reference IN ({})",
        placeholders(1, holds.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql);
    for hold in holds {
        query = query.bind(hold.reference.as_str());
    }
    Ok(query.fetch_all(conn).await?)
}

async fn sale_terms(
    conn: &mut SqliteConnection,
    showtime: ShowtimeId,
) -> StoreResult<Option<SaleTerms>> {
    sqlx::query_as::<_, SaleTermsRow>(
        "SELECT starts_at, sales_open_at, sales_close_minutes, currency, price_standard,
                price_premium, price_accessible, price_companion, booking_fee_minor
         FROM showtimes WHERE id = ?",
    )
    .bind(showtime.0)
    .fetch_optional(conn)
    .await?
    .map(SaleTermsRow::decode)
    .transpose()
}

/// Writes new held bookings with their priced seats and first transitions: three statements
/// however many bookings.
async fn insert_bookings(conn: &mut SqliteConnection, held: &[&Booking]) -> StoreResult<()> {
    if held.is_empty() {
        return Ok(());
    }
    let mut bookings: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO bookings (id, reference, user_id, showtime_id, status, expires_at, subtotal_minor,
                               fees_minor, total_minor, currency, created_at, updated_at) ",
    );
    bookings.push_values(held, |mut row, b| {
        row.push_bind(b.id.0)
            .push_bind(b.reference.as_str())
            .push_bind(b.user_id.0)
            .push_bind(b.showtime_id.0)
            .push_bind(b.stored_status.as_str())
            .push_bind(millis(b.expires_at))
            .push_bind(b.quote.subtotal.minor)
            .push_bind(b.quote.fees.minor)
            .push_bind(b.quote.total.minor)
            .push_bind(b.quote.total.currency.as_str())
            .push_bind(millis(b.created_at))
            .push_bind(millis(b.created_at));
    });
    bookings.build().execute(&mut *conn).await?;
    let mut lines: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO booking_seats (booking_id, position, label, category, price_minor) ",
    );
    lines.push_values(
        held.iter()
            .flat_map(|b| b.quote.lines.iter().enumerate().map(move |l| (b.id, l))),
        |mut row, (id, (position, line))| {
            row.push_bind(id.0)
                .push_bind(position as i64)
                .push_bind(&line.label)
                .push_bind(line.category.as_str())
                .push_bind(line.price.minor);
        },
    );
    lines.build().execute(&mut *conn).await?;
    let mut transitions: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO booking_transitions (booking_id, from_status, to_status, at) ",
    );
    transitions.push_values(
        held.iter()
            .flat_map(|b| b.transitions.iter().map(move |t| (b.id, t))),
        |mut row, (id, t)| {
            row.push_bind(id.0)
                .push_bind(t.from.map(|s| s.as_str()))
                .push_bind(t.to.as_str())
                .push_bind(millis(t.at));
        },
    );
    transitions.build().execute(conn).await?;
    Ok(())
}

/// The race control: checks availability on a reading connection, then writes on the writer
/// without any condition, so two holds that both saw a seat free both "get" it.
pub async fn hold_unguarded(store: &SqliteStore, hold: NewHold) -> StoreResult<Booking> {
    let sql = format!(
        "SELECT label, category FROM showtime_seats WHERE showtime_id = ?4 AND {AVAILABLE_AT_3} AND label IN ({})",
        placeholders(5, hold.seats.len())
    );
    let mut check = sqlx::query_as::<_, (String, String)>(&sql)
        .bind(0i64)
        .bind(0i64)
        .bind(millis(hold.now))
        .bind(hold.showtime_id.0);
    for label in &hold.seats {
        check = check.bind(label);
    }
    let free = check.fetch_all(&store.reader).await?;
    if free.len() != hold.seats.len() {
        let got: Vec<String> = free.iter().map(|(label, _)| label.clone()).collect();
        return Err(StoreError::SeatsUnavailable(unknown_labels(
            &hold.seats,
            &got,
        )));
    }
    tokio::task::yield_now().await;
    let Tx(mut tx) = store.begin_write().await?;
    let terms = sale_terms(&mut tx, hold.showtime_id)
        .await?
        .ok_or(StoreError::NotFound(Entity::Showtime))?;
    let free = free
        .into_iter()
        .map(|(label, stored)| Ok((label, codec::category(&stored)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    for label in &hold.seats {
        sqlx::query("UPDATE showtime_seats SET status = 'held', booking_id = ?, held_until = ? WHERE showtime_id = ? AND label = ?")
            .bind(hold.id.0)
            .bind(millis(hold.expires_at))
            .bind(hold.showtime_id.0)
            .bind(label)
            .execute(&mut *tx)
            .await
            ?;
    }
    let booking = hold_plan::held_booking(&hold, holds::quote(&hold, &terms, &free)?);
    insert_bookings(&mut tx, &[&booking]).await?;
    tx.commit().await?;
    Ok(booking)
}

pub async fn expire_stale_holds(
    store: &SqliteStore,
    now: DateTime<Utc>,
) -> StoreResult<Committed<u64>> {
    let Tx(mut tx) = store.begin_write().await?;
    let now = millis(now);
    // The expiry is recorded at the time the hold ran out, not the time the sweeper came by.
    sqlx::query(
        "INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
         SELECT id, status, 'expired', expires_at FROM bookings
         WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let freed: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT s.showtime_id, s.booking_id, s.label
         FROM showtime_seats s JOIN bookings b ON b.id = s.booking_id
         WHERE s.status = 'held' AND b.status IN ('held', 'payment_pending')
           AND b.expires_at <= ?1",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
         WHERE status = 'held' AND booking_id IN (
             SELECT id FROM bookings WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1)",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let expired = sqlx::query(
        "UPDATE bookings SET status = 'expired', updated_at = ?1
         WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(Committed::new(expired, writes::expired(freed)))
}
