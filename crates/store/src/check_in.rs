//! Tickets admitted at the door, each once. The admission is one conditional `UPDATE` (not yet
//! admitted, not void), so two scanners sending one code at the same moment admit it once:
//! the database decides, as it decides a seat's hold.

use crate::args;
use crate::codec::{instant, millis};
use crate::sql::Sql;
use crate::StoreResult;
use chrono::{DateTime, Utc};
use marquee_domain::{BookingId, ShowtimeId, TicketCode, UserId};

/// A ticket as the door sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorTicket {
    pub code: TicketCode,
    pub booking_id: BookingId,
    pub showtime_id: ShowtimeId,
    pub seat: String,
    pub voided_at: Option<DateTime<Utc>>,
    /// When it was admitted, and the email of who admitted it.
    pub admitted: Option<(DateTime<Utc>, String)>,
}

#[derive(sqlx::FromRow)]
struct DoorTicketRow {
    booking_id: i64,
    showtime_id: i64,
    seat: String,
    voided_at: Option<i64>,
    admitted_at: Option<i64>,
    admitted_by: Option<String>,
}

/// The ticket with this code, if there is one.
pub async fn ticket(on: &mut impl Sql, code: &TicketCode) -> StoreResult<Option<DoorTicket>> {
    let Some(row) = on
        .fetch_optional::<DoorTicketRow>(
            "SELECT t.booking_id, b.showtime_id, t.seat, ms(t.voided_at) AS voided_at,
                    ms(t.admitted_at) AS admitted_at, u.email AS admitted_by
             FROM tickets t JOIN bookings b ON b.id = t.booking_id
             LEFT JOIN users u ON u.id = t.admitted_by
             WHERE t.code = $1",
            args![code.as_str()],
        )
        .await?
    else {
        return Ok(None);
    };
    let admitted = match (row.admitted_at, row.admitted_by) {
        (Some(at), by) => Some((instant(at)?, by.unwrap_or_default())),
        (None, _) => None,
    };
    Ok(Some(DoorTicket {
        code: code.clone(),
        booking_id: BookingId(row.booking_id),
        showtime_id: ShowtimeId(row.showtime_id),
        seat: row.seat,
        voided_at: row.voided_at.map(instant).transpose()?,
        admitted,
    }))
}

/// Admits the ticket if it is neither admitted nor void; whether this call admitted it.
pub async fn admit(
    on: &mut impl Sql,
    code: &TicketCode,
    now: DateTime<Utc>,
    by: UserId,
) -> StoreResult<bool> {
    let admitted = on
        .execute(
            "UPDATE tickets SET admitted_at = ts($2), admitted_by = $3
             WHERE code = $1 AND admitted_at IS NULL AND voided_at IS NULL",
            args![code.as_str(), millis(now), by.0],
        )
        .await?;
    Ok(admitted == 1)
}

/// A showtime's door: how many valid tickets it sold, and how many of them were admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DoorCounts {
    pub sold: u32,
    pub admitted: u32,
}

#[derive(sqlx::FromRow)]
struct DoorCountsRow {
    sold: i64,
    admitted: i64,
}

/// The door counts of a showtime, read now.
pub async fn counts(on: &mut impl Sql, showtime: ShowtimeId) -> StoreResult<DoorCounts> {
    let row = on
        .fetch_optional::<DoorCountsRow>(
            "SELECT count(*) AS sold,
                    count(t.admitted_at) AS admitted
             FROM tickets t JOIN bookings b ON b.id = t.booking_id
             WHERE b.showtime_id = $1 AND t.voided_at IS NULL",
            args![showtime.0],
        )
        .await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(row.map_or_else(DoorCounts::default, |r| DoorCounts {
        sold: count(r.sold),
        admitted: count(r.admitted),
    }))
}
