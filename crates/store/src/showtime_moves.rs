//! A showtime moved while it has sales (`scheduling::move_showtime` with a reason), and what
//! its customers answer: keep the new time, exchange to another showtime of the film, or
//! cancel for a full refund (`cancellations`).
//!
//! In another hall, every seat someone has is carried over to the new inventory
//! (`showtime_move::reseat` decides where), with the booking's seat lines and tickets. Every
//! booking bought or being paid for gets a notice (its seats before the move, its customer's
//! answer) and a `showtime_moved` message. An exchange is a new booking (held and paid the
//! usual way) recorded in `exchanges`; when it is paid, the booking it replaces is cancelled
//! and refunded in full in the same transaction (`complete_exchange`).

use crate::args;
use crate::cancellations::{self, CancelBooking, Cancelled, Canceller};
use crate::codec::{instant, millis};
use crate::sql::Sql;
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::layout::{SeatCategory, SeatLayout};
use marquee_domain::showtime_move::{reseat, MoveAnswer, MoveNotice, Reseat, TakenSeat, Unseated};
use marquee_domain::{BookingId, BookingStatus, Entity, SeatState, ShowtimeId, UserId};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The kind of the message each customer gets when the cinema moves their showtime.
pub const SHOWTIME_MOVED: &str = "showtime_moved";
/// The kind of the message telling a customer the booking they exchanged was refunded.
pub const BOOKING_EXCHANGED: &str = "booking_exchanged";

#[derive(sqlx::FromRow)]
struct TakenRow {
    booking_id: i64,
    label: String,
    category: String,
    status: String,
    held_until: Option<i64>,
}

/// The seats someone has in a showtime's inventory at `now`: sold, or held and not run out.
pub(crate) async fn taken_seats(
    tx: &mut impl Sql,
    showtime: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Vec<TakenSeat>> {
    let rows: Vec<TakenRow> = tx
        .fetch_all(
            "SELECT booking_id, label, category, status, ms(held_until) AS held_until
             FROM showtime_seats
             WHERE showtime_id = $1 AND booking_id IS NOT NULL
               AND (status = 'sold' OR (status = 'held' AND held_until > ts($2)))
             ORDER BY row_index, column_index",
            args![showtime.0, millis(now)],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(TakenSeat {
                booking: BookingId(r.booking_id),
                category: SeatCategory::parse(&r.category)
                    .ok_or_else(|| StoreError::corrupt(format!("seat category {}", r.category)))?,
                state: SeatState::parse(&r.status)
                    .ok_or_else(|| StoreError::corrupt(format!("seat state {}", r.status)))?,
                held_until: r.held_until.map(instant).transpose()?,
                label: r.label,
            })
        })
        .collect()
}

/// Where each taken seat goes in `layout`, another hall's; refused when some find no place.
pub(crate) async fn plan_reseat(
    tx: &mut impl Sql,
    showtime: ShowtimeId,
    taken: &[TakenSeat],
    layout: &SeatLayout,
) -> StoreResult<Vec<Reseat>> {
    if taken.is_empty() {
        return Ok(vec![]);
    }
    // A booking's cancelled seats keep their labels on its void tickets: it gets none of them.
    let cancelled: Vec<(i64, String)> = tx
        .fetch_all::<(i64, String)>(
            "SELECT s.booking_id, s.label FROM booking_seats s
             JOIN bookings b ON b.id = s.booking_id
             WHERE b.showtime_id = $1 AND s.cancelled_at IS NOT NULL",
            args![showtime.0],
        )
        .await?;
    let mut avoid: HashMap<BookingId, HashSet<String>> = HashMap::new();
    for (booking, label) in cancelled {
        avoid.entry(BookingId(booking)).or_default().insert(label);
    }
    reseat(taken, layout, &avoid).map_err(|Unseated(seats)| StoreError::MoveUnseats(seats))
}

/// A live seat's new label on its booking's seat line and ticket.
const RENAMES: [&str; 2] = [
    "UPDATE booking_seats SET label = $3
     WHERE booking_id = $1 AND label = $2 AND cancelled_at IS NULL",
    "UPDATE tickets SET seat = $3 WHERE booking_id = $1 AND seat = $2 AND voided_at IS NULL",
];

/// Gives the taken seats their places in the showtime's new inventory (just inserted, all
/// available), and renames the moved ones on their bookings' seat lines and tickets.
pub(crate) async fn seat_again(
    tx: &mut impl Sql,
    showtime: ShowtimeId,
    taken: &[TakenSeat],
    moves: &[Reseat],
) -> StoreResult<()> {
    for (seat, moved) in taken.iter().zip(moves) {
        tx.execute(
            "UPDATE showtime_seats SET status = $3, booking_id = $4, held_until = ts($5)
             WHERE showtime_id = $1 AND label = $2 AND status = 'available'",
            args![
                showtime.0,
                moved.to.as_str(),
                seat.state.as_str(),
                seat.booking.0,
                seat.held_until.map(millis)
            ],
        )
        .await?;
    }
    // In two steps, through a name no seat has, so that A1 -> A2 and A2 -> A3 in one booking
    // never meet.
    let renamed: Vec<&Reseat> = moves.iter().filter(|m| m.from != m.to).collect();
    for step in [0, 1] {
        for m in &renamed {
            let parked = format!("~{}", m.to);
            let (from, to) = if step == 0 {
                (m.from.as_str(), parked.as_str())
            } else {
                (parked.as_str(), m.to.as_str())
            };
            for rename in RENAMES {
                tx.execute(rename, args![m.booking.0, from, to]).await?;
            }
        }
    }
    Ok(())
}

/// A booking told of a move: its seats before it.
pub(crate) struct Holder {
    pub booking: BookingId,
    pub seats: Vec<String>,
}

/// The bookings whose customers are told of a move at `now`: bought, or being paid for with
/// their hold still running; with their live seats.
pub(crate) async fn holders(
    tx: &mut impl Sql,
    showtime: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Holder>> {
    let rows: Vec<(i64, String)> = tx
        .fetch_all::<(i64, String)>(
            "SELECT b.id, s.label FROM bookings b
             JOIN booking_seats s ON s.booking_id = b.id AND s.cancelled_at IS NULL
             WHERE b.showtime_id = $1
               AND (b.status = 'confirmed'
                    OR (b.status = 'payment_pending' AND b.expires_at > ts($2)))
             ORDER BY b.id, s.position",
            args![showtime.0, millis(now)],
        )
        .await?;
    let mut by_booking: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (booking, label) in rows {
        by_booking.entry(booking).or_default().push(label);
    }
    Ok(by_booking
        .into_iter()
        .map(|(booking, seats)| Holder {
            booking: BookingId(booking),
            seats,
        })
        .collect())
}

/// What a move with sales records.
pub(crate) struct MoveRecord<'a> {
    pub showtime: ShowtimeId,
    pub from: (DateTime<Utc>, i64),
    pub to: (DateTime<Utc>, i64),
    pub reason: &'a str,
    pub by: Option<UserId>,
    pub now: DateTime<Utc>,
}

/// Records the move, a notice for each holder and the message that tells them; answers the
/// move's id.
pub(crate) async fn record(
    tx: &mut impl Sql,
    moved: &MoveRecord<'_>,
    holders: &[Holder],
    moves: &[Reseat],
) -> StoreResult<i64> {
    let move_id: i64 = tx
        .fetch_column(
            "INSERT INTO showtime_moves
                 (showtime_id, from_starts_at, from_auditorium_id, to_starts_at,
                  to_auditorium_id, reason, moved_by, moved_at)
             VALUES ($1, ts($2), $3, ts($4), $5, $6, $7, ts($8)) RETURNING id",
            args![
                moved.showtime.0,
                millis(moved.from.0),
                moved.from.1,
                millis(moved.to.0),
                moved.to.1,
                moved.reason,
                moved.by.map(|u| u.0),
                millis(moved.now)
            ],
        )
        .await?
        .pop()
        .ok_or_else(|| StoreError::corrupt("a showtime move inserted has no id"))?;
    for holder in holders {
        let after: Vec<&str> = holder
            .seats
            .iter()
            .map(|label| {
                moves
                    .iter()
                    .find(|m| m.booking == holder.booking && m.from == *label)
                    .map_or(label.as_str(), |m| m.to.as_str())
            })
            .collect();
        tx.execute(
            "INSERT INTO move_notices (booking_id, move_id, seats_before) VALUES ($1, $2, $3)",
            args![holder.booking.0, move_id, holder.seats.join(",").as_str()],
        )
        .await?;
        let payload = serde_json::json!({
            "booking_id": holder.booking.0.to_string(),
            "kind": SHOWTIME_MOVED,
            "move_id": move_id,
            "why": moved.reason,
            "seats_before": holder.seats,
            "seats_after": after,
        });
        crate::statements::queue_message(
            tx,
            Some(holder.booking),
            SHOWTIME_MOVED,
            &payload.to_string(),
            moved.now,
        )
        .await?;
    }
    Ok(move_id)
}

#[derive(sqlx::FromRow)]
pub struct MoveNoticeRow {
    pub booking_id: i64,
    move_id: i64,
    from_starts_at: i64,
    from_hall: String,
    to_starts_at: i64,
    to_hall: String,
    reason: String,
    seats_before: String,
    answer: Option<String>,
    moved_at: i64,
}

/// The columns of `MoveNoticeRow`, over `move_notices n` (joined here with its move and halls).
pub const NOTICE_COLUMNS: &str = "n.booking_id, n.move_id, ms(m.from_starts_at) AS from_starts_at,
     fa.name AS from_hall, ms(m.to_starts_at) AS to_starts_at, ta.name AS to_hall, m.reason,
     n.seats_before, n.answer, ms(m.moved_at) AS moved_at";
/// What `NOTICE_COLUMNS` reads from.
pub const NOTICE_FROM: &str = "move_notices n JOIN showtime_moves m ON m.id = n.move_id
     JOIN auditoriums fa ON fa.id = m.from_auditorium_id
     JOIN auditoriums ta ON ta.id = m.to_auditorium_id";

impl MoveNoticeRow {
    pub fn decode(&self) -> StoreResult<MoveNotice> {
        Ok(MoveNotice {
            move_id: self.move_id,
            from_starts_at: instant(self.from_starts_at)?,
            from_hall: self.from_hall.clone(),
            to_starts_at: instant(self.to_starts_at)?,
            to_hall: self.to_hall.clone(),
            reason: self.reason.clone(),
            seats_before: self
                .seats_before
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            answer: self
                .answer
                .as_deref()
                .map(|a| {
                    MoveAnswer::parse(a).ok_or_else(|| StoreError::corrupt(format!("answer {a}")))
                })
                .transpose()?,
            moved_at: instant(self.moved_at)?,
        })
    }
}

/// The latest notice of a booking's move, and whether its offer is open: the customer has
/// neither exchanged nor cancelled, and the showtime has not started.
pub(crate) async fn open_notice(
    tx: &mut impl Sql,
    booking: BookingId,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let latest: Option<(i64, Option<String>, i64)> = tx
        .fetch_optional::<(i64, Option<String>, i64)>(
            "SELECT n.move_id, n.answer, ms(s.starts_at)
             FROM move_notices n JOIN bookings b ON b.id = n.booking_id
             JOIN showtimes s ON s.id = b.showtime_id
             WHERE n.booking_id = $1 ORDER BY n.move_id DESC LIMIT 1",
            args![booking.0],
        )
        .await?;
    let Some((move_id, answer, starts_at)) = latest else {
        return Ok(None);
    };
    let answer = answer.as_deref().and_then(MoveAnswer::parse);
    Ok((MoveAnswer::open(answer) && now < instant(starts_at)?).then_some(move_id))
}

/// Records a customer's answer to a move's notice.
pub(crate) async fn answer(
    tx: &mut impl Sql,
    booking: BookingId,
    move_id: i64,
    answer: MoveAnswer,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE move_notices SET answer = $3, answered_at = ts($4)
         WHERE booking_id = $1 AND move_id = $2",
        args![booking.0, move_id, answer.as_str(), millis(now)],
    )
    .await?;
    Ok(())
}

/// A customer keeps the new time of their moved showtime (the offer to exchange or cancel
/// stays open until it starts). Refused (`MoveNotOpen`) when no move of theirs is open.
pub async fn keep(
    tx: &mut impl Sql,
    booking: BookingId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    owned_confirmed(tx, booking, user, now).await?;
    let move_id = open_notice(tx, booking, now)
        .await?
        .ok_or(StoreError::MoveNotOpen)?;
    answer(tx, booking, move_id, MoveAnswer::Kept, now).await
}

/// The booking, locked, if it is `user`'s and confirmed at `now`.
async fn owned_confirmed(
    tx: &mut impl Sql,
    booking: BookingId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<marquee_domain::booking_moves::BookingAt> {
    let at = crate::statements::lock_booking(tx, booking)
        .await?
        .filter(|b| b.owner == user)
        .ok_or(StoreError::NotFound(Entity::Booking))?;
    let status = at.stored_status.as_of(at.expires_at, now);
    if status != BookingStatus::Confirmed {
        return Err(StoreError::InvalidTransition {
            from: status,
            to: BookingStatus::Cancelled,
        });
    }
    Ok(at)
}

/// What an exchange of a moved booking may be for: a showtime of the same film.
#[derive(Debug, Clone)]
pub struct ExchangeOffer {
    pub showtime_id: ShowtimeId,
    pub event_id: marquee_domain::EventId,
}

/// Whether `user` may exchange `booking` at `now`: theirs, confirmed, its move's offer open.
pub async fn exchange_offer(
    tx: &mut impl Sql,
    booking: BookingId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<ExchangeOffer> {
    let at = owned_confirmed(tx, booking, user, now).await?;
    open_notice(tx, booking, now)
        .await?
        .ok_or(StoreError::MoveNotOpen)?;
    let event: i64 = tx
        .fetch_column(
            "SELECT event_id FROM showtimes WHERE id = $1",
            args![at.showtime_id.0],
        )
        .await?
        .pop()
        .ok_or(StoreError::NotFound(Entity::Showtime))?;
    Ok(ExchangeOffer {
        showtime_id: at.showtime_id,
        event_id: marquee_domain::EventId(event),
    })
}

/// Records that the new hold `booking` replaces `replaces` once it is paid.
pub async fn link_exchange(
    tx: &mut impl Sql,
    booking: BookingId,
    replaces: BookingId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO exchanges (booking_id, replaces, created_at) VALUES ($1, $2, ts($3))",
        args![booking.0, replaces.0, millis(now)],
    )
    .await?;
    Ok(())
}

/// When a just-sold booking is an exchange, cancels the booking it replaces and refunds it in
/// full (its customer's answer becomes `exchanged`). Nothing when that one was cancelled
/// meanwhile (its refund was made then): never refunded twice.
pub(crate) async fn complete_exchange(
    tx: &mut impl Sql,
    sold: BookingId,
    now: DateTime<Utc>,
) -> StoreResult<Option<(BookingId, Cancelled)>> {
    let replaces: Option<i64> = tx
        .fetch_column(
            "SELECT replaces FROM exchanges WHERE booking_id = $1",
            args![sold.0],
        )
        .await?
        .pop();
    let Some(replaced) = replaces.map(BookingId) else {
        return Ok(None);
    };
    let ask = CancelBooking {
        booking: replaced,
        by: Canceller::Exchange { into: sold },
        seats: None,
        dry_run: false,
        now,
        message_kind: BOOKING_EXCHANGED,
    };
    match cancellations::cancel(tx, &ask).await {
        Ok(cancelled) => Ok(Some((replaced, cancelled))),
        Err(StoreError::CannotCancel(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// How a showtime's latest move with sales was answered, for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveTally {
    pub moved_at: DateTime<Utc>,
    pub reason: String,
    /// Bookings told.
    pub told: u32,
    pub kept: u32,
    pub exchanged: u32,
    pub cancelled: u32,
}

/// The tally of a showtime's latest move with sales, if it had one.
pub async fn tally(on: &mut impl Sql, showtime: ShowtimeId) -> StoreResult<Option<MoveTally>> {
    let latest: Option<(i64, i64, String)> = on
        .fetch_optional::<(i64, i64, String)>(
            "SELECT id, ms(moved_at), reason FROM showtime_moves
             WHERE showtime_id = $1 ORDER BY id DESC LIMIT 1",
            args![showtime.0],
        )
        .await?;
    let Some((move_id, moved_at, reason)) = latest else {
        return Ok(None);
    };
    let answers: Vec<Option<String>> = on
        .fetch_column(
            "SELECT answer FROM move_notices WHERE move_id = $1",
            args![move_id],
        )
        .await?;
    let count = |answer: MoveAnswer| {
        answers
            .iter()
            .filter(|a| a.as_deref() == Some(answer.as_str()))
            .count() as u32
    };
    Ok(Some(MoveTally {
        moved_at: instant(moved_at)?,
        reason,
        told: answers.len() as u32,
        kept: count(MoveAnswer::Kept),
        exchanged: count(MoveAnswer::Exchanged),
        cancelled: count(MoveAnswer::Cancelled),
    }))
}
