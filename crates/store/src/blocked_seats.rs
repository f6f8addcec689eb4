//! Seats staff take off sale for one showtime (house seats, a broken seat) and put back.
//!
//! A blocked seat is a seat row in state `blocked` with no booking: every hold's conditional
//! UPDATE already refuses it, so no other path needs to know. Only a free seat can be blocked
//! (one under a hold that has run out is free); a seat someone holds or bought is refused with
//! the others asked for, and nothing changes.

use crate::args;
use crate::audit::{self, Actor};
use crate::catalog::get_showtime;
use crate::payments::BookedSeatRow;
use crate::scheduling::showtime_touched;
use crate::sql::Sql;
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::{
    Entity, SeatChange, SeatChangeCause, SeatState, ShowtimeError, ShowtimeId, VenueId,
};

/// A showtime's blocked seats, in the hall's order: what the API answers and the audit log
/// records before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedSeats {
    pub showtime_id: ShowtimeId,
    pub venue: VenueId,
    pub labels: Vec<String>,
}

/// Block (`block`) or unblock `labels` of the showtime; run in a write transaction. Seats
/// already so are left as they are; unknown labels are `UnknownSeats`, and (blocking) seats
/// held or sold are `SeatsUnavailable`, all of them named. Answers the showtime's blocked
/// seats after the change, and the change for the seat-change stream.
pub async fn set_blocked(
    tx: &mut impl Sql,
    showtime: ShowtimeId,
    labels: &[String],
    block: bool,
    now: DateTime<Utc>,
    by: &Actor<BlockedSeats>,
) -> StoreResult<(BlockedSeats, Vec<SeatChange>)> {
    // A share lock: a move of the showtime to another hall (which replaces its seats) waits
    // for this, and this for it; holds (a key-share lock) go on.
    let found: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM showtimes WHERE id = $1 FOR SHARE",
            args![showtime.0],
        )
        .await?;
    if found.is_empty() {
        return Err(StoreError::NotFound(Entity::Showtime));
    }
    let info = get_showtime(tx, showtime, now)
        .await?
        .ok_or(StoreError::NotFound(Entity::Showtime))?;
    if info.showtime.starts_at <= now {
        return Err(StoreError::NotOnSale(ShowtimeError::Started(
            info.showtime.starts_at,
        )));
    }
    let before = blocked(tx, showtime, info.venue.id).await?;
    // Seats are locked in label order, as a hold batch locks them, so the two cannot deadlock.
    let mut asked: Vec<&String> = labels.iter().collect();
    asked.sort();
    asked.dedup();
    let (mut unknown, mut taken, mut changing) = (vec![], vec![], vec![]);
    for label in asked {
        let seat = tx
            .fetch_optional::<BookedSeatRow>(
                "SELECT label, status, booking_id, ms(held_until) AS held_until
                 FROM showtime_seats WHERE showtime_id = $1 AND label = $2
                 FOR UPDATE",
                args![showtime.0, label.as_str()],
            )
            .await?;
        let Some(seat) = seat else {
            unknown.push(label.clone());
            continue;
        };
        let holding = seat.decode()?;
        match (holding.state.as_of(holding.held_until, now), block) {
            (SeatState::Available, true) | (SeatState::Blocked, false) => {
                changing.push(label.clone())
            }
            (SeatState::Held | SeatState::Sold, true) => taken.push(label.clone()),
            _ => {}
        }
    }
    if !unknown.is_empty() {
        return Err(StoreError::UnknownSeats(unknown));
    }
    if !taken.is_empty() {
        return Err(StoreError::SeatsUnavailable(taken));
    }
    let (to, cause) = if block {
        (SeatState::Blocked, SeatChangeCause::Blocked)
    } else {
        (SeatState::Available, SeatChangeCause::Unblocked)
    };
    for label in &changing {
        tx.execute(
            "UPDATE showtime_seats SET status = $3, booking_id = NULL, held_until = NULL
             WHERE showtime_id = $1 AND label = $2",
            args![showtime.0, label.as_str(), to.as_str()],
        )
        .await?;
    }
    let after = blocked(tx, showtime, info.venue.id).await?;
    if changing.is_empty() {
        return Ok((after, vec![]));
    }
    audit::record(tx, by, showtime_touched(&info), Some(&before), Some(&after)).await?;
    let change = SeatChange {
        showtime_id: showtime,
        booking_id: None,
        labels: changing,
        cause,
    };
    Ok((after, vec![change]))
}

/// The showtime's blocked seats now.
pub async fn blocked(
    on: &mut impl Sql,
    showtime: ShowtimeId,
    venue: VenueId,
) -> StoreResult<BlockedSeats> {
    let labels = on
        .fetch_column(
            "SELECT label FROM showtime_seats WHERE showtime_id = $1 AND status = 'blocked'
             ORDER BY row_index, column_index",
            args![showtime.0],
        )
        .await?;
    Ok(BlockedSeats {
        showtime_id: showtime,
        venue,
        labels,
    })
}

/// How many of the showtime's seats are blocked: a showtime with blocked seats is not moved
/// to another hall, which would drop them.
pub async fn count_blocked(on: &mut impl Sql, showtime: ShowtimeId) -> StoreResult<i64> {
    Ok(on
        .fetch_column::<i64>(
            "SELECT count(*) FROM showtime_seats WHERE showtime_id = $1 AND status = 'blocked'",
            args![showtime.0],
        )
        .await?
        .pop()
        .unwrap_or(0))
}
