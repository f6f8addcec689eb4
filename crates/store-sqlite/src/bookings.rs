//! The batched hold path and the sweeper in SQLite (`BatchStatements`): one `BEGIN IMMEDIATE`
//! transaction holds the only write lock, so what a batch reads stays so until it commits, and
//! one commit for the lot is what lets one SQLite writer keep up with an on-sale.

use crate::statements::Tx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::hold_plan::Taking;
use marquee_domain::*;
use marquee_store::codec::millis;
use marquee_store::holds::{self, AccountBookingRow, LockedSeatRow};
use marquee_store::sql::{self, Sql, Value};
use marquee_store::writes::BatchStatements;
use marquee_store::*;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

#[async_trait]
impl BatchStatements for Tx {
    /// `BEGIN IMMEDIATE` already holds the only write lock; the lists are bound as JSON
    /// arrays so one prepared statement serves every batch.
    async fn account_bookings(&mut self, holds: &[NewHold]) -> StoreResult<Vec<AccountBookingRow>> {
        let (users, showtimes, since) = holds::shares_asked(holds);
        let json = |ids: Vec<i64>| serde_json::Value::from(ids).to_string();
        let (users, showtimes) = (json(users), json(showtimes));
        self.fetch_all(
            &holds::account_bookings_sql(
                "SELECT value FROM json_each($1)",
                "SELECT value FROM json_each($2)",
            ),
            &[
                Value::Text(&users),
                Value::Text(&showtimes),
                Value::Int(since),
            ],
        )
        .await
    }

    /// One parameter a reference: SQLite has no arrays.
    async fn stored_references(&mut self, holds: &[NewHold]) -> StoreResult<Vec<String>> {
        let references: Vec<Value> = holds
            .iter()
            .map(|h| Value::Text(h.reference.as_str()))
            .collect();
        self.fetch_column(
            &format!(
                "SELECT reference FROM bookings WHERE reference IN ({})",
                sql::rows(holds.len(), "?", 1)
            ),
            &references,
        )
        .await
    }

    async fn lock_seats(&mut self, holds: &[NewHold]) -> StoreResult<Vec<LockedSeatRow>> {
        asked_seats(&mut self.0, holds).await
    }

    async fn write_holds(&mut self, takings: &[Taking], held: &[&Booking]) -> StoreResult<()> {
        take_seats(&mut self.0, takings).await?;
        insert_bookings(&mut self.0, held).await
    }

    async fn expire_holds(
        &mut self,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<(i64, i64, String)>, u64)> {
        expire(&mut self.0, now).await
    }
}

/// The seats a batch asks for, as they are now. `BEGIN IMMEDIATE` holds the only write lock,
/// so they stay so until the batch commits.
async fn asked_seats(
    conn: &mut SqliteConnection,
    holds: &[NewHold],
) -> StoreResult<Vec<LockedSeatRow>> {
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
        "INSERT INTO booking_seats (booking_id, position, label, category, price_minor, ticket_type) ",
    );
    lines.push_values(
        held.iter()
            .flat_map(|b| b.quote.lines.iter().enumerate().map(move |l| (b.id, l))),
        |mut row, (id, (position, line))| {
            row.push_bind(id.0)
                .push_bind(position as i64)
                .push_bind(&line.label)
                .push_bind(line.category.as_str())
                .push_bind(line.price.minor)
                .push_bind(&line.ticket_type);
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

/// Three statements for every hold run out: the write lock keeps what the first reads true
/// until the last.
async fn expire(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> StoreResult<(Vec<(i64, i64, String)>, u64)> {
    let now = millis(now);
    // The expiry is recorded at the time the hold ran out, not the time the sweeper came by.
    sqlx::query(
        "INSERT INTO booking_transitions (booking_id, from_status, to_status, at)
         SELECT id, status, 'expired', expires_at FROM bookings
         WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let freed: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT s.showtime_id, s.booking_id, s.label
         FROM showtime_seats s JOIN bookings b ON b.id = s.booking_id
         WHERE s.status = 'held' AND b.status IN ('held', 'payment_pending')
           AND b.expires_at <= ?1",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE showtime_seats SET status = 'available', booking_id = NULL, held_until = NULL
         WHERE status = 'held' AND booking_id IN (
             SELECT id FROM bookings WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1)",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let expired = sqlx::query(
        "UPDATE bookings SET status = 'expired', updated_at = ?1
         WHERE status IN ('held', 'payment_pending') AND expires_at <= ?1",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok((freed, expired))
}
