//! Scheduling as staff do it: one showtime or many in a hall, in one transaction, priced by the
//! venue's plan at each local start and refused whole when any would clash.
//!
//! The hall's row is locked first, so two schedules of one hall run one after the other and
//! the second sees the first's showtimes. The clashes are decided by the domain
//! (`schedule::clashes`) over the hall's showtimes around the window and among the request's
//! own.

use crate::args;
use crate::audit::{self, Actor, Touched};
use crate::catalog::{
    get_showtime, insert_showtime, locked_hall, runtime, venue_price_plan, venue_showtimes, Hall,
};
use crate::codec::{instant, millis};
use crate::sql::Sql;
use crate::{NewShowtime, ShowtimeInfo, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use marquee_domain::schedule::{self, clashes, local_instant, ClashWith, Slot};
use marquee_domain::*;
use std::collections::HashMap;

/// Showtimes of one event in one hall, at each of `starts`, on the same terms.
#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub event_id: EventId,
    pub auditorium_id: AuditoriumId,
    pub starts: Vec<DateTime<Utc>>,
    pub format: String,
    pub audio_language: String,
    pub subtitles: Option<String>,
    pub access: Vec<AccessTag>,
    /// When sales open; `None`: at once (`now`).
    pub sales_open_at: Option<DateTime<Utc>>,
    pub sales_close_minutes: u32,
    pub now: DateTime<Utc>,
}

/// A proposed showtime's slot that overlaps another: a showtime of the hall (`showtime` is
/// its id) or another of the same request (`showtime` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleClash {
    pub proposed: Slot,
    pub showtime: Option<ShowtimeId>,
    pub with: Slot,
}

#[derive(sqlx::FromRow)]
struct SlotRow {
    id: i64,
    starts_at: i64,
    ends_at: i64,
}

/// The hall's showtimes whose slot meets `[from, until)`, but `except` (one being moved).
async fn showtimes_around(
    tx: &mut impl Sql,
    hall: AuditoriumId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    except: Option<ShowtimeId>,
) -> StoreResult<Vec<(ShowtimeId, Slot)>> {
    tx.fetch_all::<SlotRow>(
        "SELECT id, ms(starts_at) AS starts_at, ms(ends_at) AS ends_at FROM showtimes
         WHERE auditorium_id = $1 AND starts_at < ts($2) AND ends_at > ts($3)
           AND ($4::int8 IS NULL OR id <> $4)
         ORDER BY starts_at, id",
        args![hall.0, millis(until), millis(from), except.map(|s| s.0)],
    )
    .await?
    .into_iter()
    .map(|row| {
        Ok((
            ShowtimeId(row.id),
            Slot {
                starts_at: instant(row.starts_at)?,
                ends_at: instant(row.ends_at)?,
            },
        ))
    })
    .collect()
}

/// Every clash of `proposed` in `hall`, with its showtimes (but `except`) and among
/// themselves; empty when the slots are free.
pub(crate) async fn clashes_in(
    tx: &mut impl Sql,
    hall: AuditoriumId,
    proposed: &[Slot],
    except: Option<ShowtimeId>,
) -> StoreResult<Vec<ScheduleClash>> {
    let (Some(from), Some(until)) = (
        proposed.iter().map(|s| s.starts_at).min(),
        proposed.iter().map(|s| s.ends_at).max(),
    ) else {
        return Ok(vec![]);
    };
    let existing = showtimes_around(tx, hall, from, until, except).await?;
    let slots: Vec<Slot> = existing.iter().map(|(_, slot)| *slot).collect();
    Ok(clashes(proposed, &slots)
        .into_iter()
        .map(|clash| {
            let (showtime, with) = match clash.with {
                ClashWith::Existing(i) => (Some(existing[i].0), existing[i].1),
                ClashWith::Proposed(i) => (None, proposed[i]),
            };
            ScheduleClash {
                proposed: proposed[clash.proposed],
                showtime,
                with,
            }
        })
        .collect())
}

/// A plan's refusal to price a showtime, as the store tells it.
fn unpriced(err: PricingError) -> StoreError {
    match err {
        PricingError::Unpriced(missing) => {
            StoreError::InvalidShowtime(ShowtimeError::MissingPrices(missing))
        }
        other => StoreError::corrupt(format!("a stored price plan: {other}")),
    }
}

pub(crate) fn showtime_touched(info: &ShowtimeInfo) -> Touched {
    Touched {
        entity: "showtime",
        id: Some(info.showtime.id.0),
        venue: Some(info.venue.id),
    }
}

/// Schedules every showtime of `new` or none; run in a write transaction. Refuses with
/// `ScheduleConflict` (every clash), `NoPricePlan`, `InvalidShowtime` (a category the plan
/// does not price, an empty sales window). Each showtime is audited as made by `by`.
pub async fn schedule(
    tx: &mut impl Sql,
    new: &NewSchedule,
    by: &Actor<ShowtimeInfo>,
) -> StoreResult<Vec<ShowtimeInfo>> {
    let hall = locked_hall(tx, new.auditorium_id).await?;
    let runtime = runtime(tx, new.event_id).await?;
    let plan = venue_price_plan(tx, hall.venue)
        .await?
        .ok_or(StoreError::NoPricePlan)?;
    let proposed: Vec<Slot> = new
        .starts
        .iter()
        .map(|start| hall.turnover.slot(*start, runtime))
        .collect();
    let clashes = clashes_in(tx, new.auditorium_id, &proposed, None).await?;
    if !clashes.is_empty() {
        return Err(StoreError::ScheduleConflict(clashes));
    }
    let mut scheduled = Vec::with_capacity(proposed.len());
    for slot in &proposed {
        scheduled.push(place(tx, &hall, &plan, new, *slot, by).await?);
    }
    Ok(scheduled)
}

/// Inserts a showtime of `terms` (all but its starts) at `slot`, free already, priced by
/// `plan` at its local start, and audits it.
async fn place(
    tx: &mut impl Sql,
    hall: &Hall,
    plan: &PricePlan,
    terms: &NewSchedule,
    slot: Slot,
    by: &Actor<ShowtimeInfo>,
) -> StoreResult<ShowtimeInfo> {
    let prices = plan
        .resolve_at(
            slot.starts_at,
            hall.timezone,
            &terms.format,
            &hall.layout.categories(),
        )
        .map_err(unpriced)?;
    let showtime = NewShowtime {
        event_id: terms.event_id,
        auditorium_id: terms.auditorium_id,
        starts_at: slot.starts_at,
        format: terms.format.clone(),
        audio_language: terms.audio_language.clone(),
        subtitles: terms.subtitles.clone(),
        access: terms.access.clone(),
        prices,
        sales_open_at: terms.sales_open_at.unwrap_or(terms.now),
        sales_close_minutes: terms.sales_close_minutes,
    };
    let id = insert_showtime(tx, hall, &showtime, slot.ends_at).await?;
    let info = get_showtime(tx, id, terms.now)
        .await?
        .ok_or(StoreError::NotFound(Entity::Showtime))?;
    audit::record(tx, by, showtime_touched(&info), None, Some(&info)).await?;
    Ok(info)
}

/// Copies a venue's showtimes of the week whose Monday is `from_week` into the week of
/// `to_week`, at the same weekday and wall-clock time in the same halls, all or none; run in
/// a write transaction. Every hall of the venue is locked first (in id order); the copies are
/// clash-checked in their halls (`ScheduleConflict` lists every clash), priced by the venue's
/// plan at their new starts, and on sale at once. Answers the copies, by start.
pub async fn copy_week(
    tx: &mut impl Sql,
    venue: VenueId,
    from_week: NaiveDate,
    to_week: NaiveDate,
    now: DateTime<Utc>,
    by: &Actor<ShowtimeInfo>,
) -> StoreResult<Vec<ShowtimeInfo>> {
    let hall_ids: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM auditoriums WHERE venue_id = $1 ORDER BY id FOR UPDATE",
            args![venue.0],
        )
        .await?;
    let mut halls = HashMap::new();
    for id in hall_ids {
        halls.insert(AuditoriumId(id), locked_hall(tx, AuditoriumId(id)).await?);
    }
    let Some(zone) = halls.values().next().map(|h| h.timezone) else {
        return Ok(vec![]);
    };
    let week_start = |monday: NaiveDate| {
        local_instant(zone, monday.and_time(NaiveTime::MIN)).map_err(StoreError::InvalidSchedule)
    };
    let (from, until) = (
        week_start(from_week)?,
        week_start(from_week + chrono::Duration::days(7))?,
    );
    let originals = venue_showtimes(tx, venue, from, until, now).await?;
    let local: Vec<NaiveDateTime> = originals
        .iter()
        .map(|s| s.showtime.starts_at.with_timezone(&zone).naive_local())
        .collect();
    let starts = schedule::copy_week(zone, &local, from_week, to_week)
        .map_err(StoreError::InvalidSchedule)?;
    if let Some(past) = starts.iter().find(|s| **s <= now) {
        return Err(StoreError::InvalidShowtime(ShowtimeError::Started(*past)));
    }
    // Each copy with its slot, by hall, in the order of the originals.
    let mut copies: Vec<(NewSchedule, Slot)> = Vec::with_capacity(originals.len());
    for (original, start) in originals.iter().zip(starts) {
        let s = &original.showtime;
        let hall = halls
            .get(&s.auditorium_id)
            .ok_or(StoreError::NotFound(Entity::Auditorium))?;
        let slot = hall.turnover.slot(start, runtime(tx, s.event_id).await?);
        let terms = NewSchedule {
            event_id: s.event_id,
            auditorium_id: s.auditorium_id,
            starts: vec![start],
            format: s.format.clone(),
            audio_language: s.audio_language.clone(),
            subtitles: s.subtitles.clone(),
            access: s.access.clone(),
            sales_open_at: None,
            sales_close_minutes: s.sales_close_minutes,
            now,
        };
        copies.push((terms, slot));
    }
    let mut clashes = Vec::new();
    for hall in halls.keys() {
        let slots: Vec<Slot> = copies
            .iter()
            .filter(|(terms, _)| terms.auditorium_id == *hall)
            .map(|(_, slot)| *slot)
            .collect();
        clashes.extend(clashes_in(tx, *hall, &slots, None).await?);
    }
    if !clashes.is_empty() {
        clashes.sort_by_key(|c| (c.proposed.starts_at, c.with.starts_at));
        return Err(StoreError::ScheduleConflict(clashes));
    }
    let plan = venue_price_plan(tx, venue)
        .await?
        .ok_or(StoreError::NoPricePlan)?;
    let mut copied = Vec::with_capacity(copies.len());
    for (terms, slot) in &copies {
        let hall = halls
            .get(&terms.auditorium_id)
            .ok_or(StoreError::NotFound(Entity::Auditorium))?;
        copied.push(place(tx, hall, &plan, terms, *slot, by).await?);
    }
    Ok(copied)
}

/// A move of a showtime: a new start, another hall, or both.
#[derive(Debug, Clone)]
pub struct ShowtimeMove {
    pub starts_at: Option<DateTime<Utc>>,
    pub auditorium_id: Option<AuditoriumId>,
    /// Why, told to each customer: a showtime with live bookings moves only with one.
    pub reason: Option<String>,
    pub now: DateTime<Utc>,
}

/// A showtime moved, and (when it had sales) the move recorded and the bookings told of it.
#[derive(Debug, Clone)]
pub struct ShowtimeMoved {
    pub showtime: ShowtimeInfo,
    pub move_id: Option<i64>,
    pub told: Vec<BookingId>,
}

/// The showtime, read with its row locked until the transaction ends.
async fn locked_showtime(
    tx: &mut impl Sql,
    id: ShowtimeId,
    now: DateTime<Utc>,
) -> StoreResult<ShowtimeInfo> {
    let found: Vec<i64> = tx
        .fetch_column(
            "SELECT id FROM showtimes WHERE id = $1 FOR UPDATE",
            args![id.0],
        )
        .await?;
    if found.is_empty() {
        return Err(StoreError::NotFound(Entity::Showtime));
    }
    get_showtime(tx, id, now)
        .await?
        .ok_or(StoreError::NotFound(Entity::Showtime))
}

/// How many of the showtime's bookings there are: all of them, or (`live`) those holding or
/// having bought seats at `now` (held and unexpired, waiting for their payment, or sold).
async fn bookings_of(
    tx: &mut impl Sql,
    id: ShowtimeId,
    live: bool,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    Ok(tx
        .fetch_column::<i64>(
            "SELECT count(*) FROM bookings
             WHERE showtime_id = $1
               AND ($2::int8 = 0 OR status IN ('payment_pending', 'confirmed')
                    OR (status = 'held' AND expires_at > ts($3)))",
            args![id.0, i64::from(live), millis(now)],
        )
        .await?
        .pop()
        .unwrap_or(0))
}

/// Moves or retimes a showtime that has not started; run in a write transaction. Its slot is
/// clash-checked like a new one's, and its prices are resolved again from the venue's plan
/// for the new start (bookings keep what they paid). In another hall it gets that hall's
/// current layout and a new seat inventory. A showtime with live bookings moves only with a
/// reason: their seats are carried over (`showtime_moves`), and each customer who bought or
/// is paying is told, with a notice to keep, exchange or cancel for a full refund.
pub async fn move_showtime(
    tx: &mut impl Sql,
    id: ShowtimeId,
    change: &ShowtimeMove,
    by: &Actor<ShowtimeInfo>,
) -> StoreResult<ShowtimeMoved> {
    let now = change.now;
    // The showtime first (a concurrent move of it waits here and then reads where it went),
    // then its hall and the target one in id order, so two moves cannot deadlock.
    let before = locked_showtime(tx, id, now).await?;
    let showtime = &before.showtime;
    let from = showtime.auditorium_id;
    let to = change.auditorium_id.unwrap_or(from);
    let mut target = None;
    for hall in [from.min(to), from.max(to)] {
        let locked = locked_hall(tx, hall).await?;
        if hall == to {
            target = Some(locked);
        }
    }
    let hall = target.ok_or(StoreError::NotFound(Entity::Auditorium))?;
    if showtime.starts_at <= now {
        return Err(StoreError::NotOnSale(ShowtimeError::Started(
            showtime.starts_at,
        )));
    }
    let live = bookings_of(tx, id, true, now).await? > 0;
    let reason = change.reason.as_deref().filter(|_| live);
    if live && reason.is_none() {
        return Err(StoreError::ShowtimeHasBookings { live: true });
    }
    // Another hall's seats replace this one's: seats staff blocked would be dropped unseen.
    if to != from && crate::blocked_seats::count_blocked(tx, id).await? > 0 {
        return Err(StoreError::ShowtimeHasBlockedSeats);
    }
    let starts_at = change.starts_at.unwrap_or(showtime.starts_at);
    let slot = hall
        .turnover
        .slot(starts_at, runtime(tx, showtime.event_id).await?);
    let clashes = clashes_in(tx, to, &[slot], Some(id)).await?;
    if !clashes.is_empty() {
        return Err(StoreError::ScheduleConflict(clashes));
    }
    // In its own hall a showtime keeps its layout version; in another, it takes that hall's.
    let (layout_id, layout) = if to == from {
        (
            showtime.layout_id.0,
            crate::layout_follow::stored_layout(tx, showtime.layout_id.0).await?,
        )
    } else {
        (hall.layout_id, hall.layout.clone())
    };
    let plan = venue_price_plan(tx, hall.venue)
        .await?
        .ok_or(StoreError::NoPricePlan)?;
    let prices = plan
        .resolve_at(
            starts_at,
            hall.timezone,
            &showtime.format,
            &layout.categories(),
        )
        .map_err(unpriced)?;
    Showtime::validate_terms(
        &layout,
        &prices,
        showtime.sales_open_at,
        starts_at,
        showtime.sales_close_minutes,
    )
    .map_err(StoreError::InvalidShowtime)?;
    let taken = if to != from {
        crate::showtime_moves::taken_seats(tx, id, now).await?
    } else {
        vec![]
    };
    let reseats = crate::showtime_moves::plan_reseat(tx, id, &taken, &layout).await?;
    let holders = match reason {
        Some(_) => crate::showtime_moves::holders(tx, id, now).await?,
        None => vec![],
    };
    let [standard, premium, accessible, companion] =
        crate::holds::price_columns(&prices.price_list());
    tx.execute(
        "UPDATE showtimes SET auditorium_id = $2, layout_id = $3, starts_at = ts($4),
                ends_at = ts($5), currency = $6, price_standard = $7, price_premium = $8,
                price_accessible = $9, price_companion = $10, booking_fee_minor = $11,
                ticket_prices = $12
         WHERE id = $1",
        args![
            id.0,
            to.0,
            layout_id,
            millis(slot.starts_at),
            millis(slot.ends_at),
            prices.currency().as_str(),
            standard,
            premium,
            accessible,
            companion,
            prices.booking_fee_minor(),
            crate::price_codec::showtime_prices_text(&prices).as_str()
        ],
    )
    .await?;
    if to != from {
        tx.execute(
            "DELETE FROM showtime_seats WHERE showtime_id = $1",
            args![id.0],
        )
        .await?;
        crate::catalog::insert_seats(tx, id, layout.seats()).await?;
        crate::showtime_moves::seat_again(tx, id, &taken, &reseats).await?;
    }
    let after = get_showtime(tx, id, now)
        .await?
        .ok_or(StoreError::NotFound(Entity::Showtime))?;
    audit::record(
        tx,
        by,
        showtime_touched(&after),
        Some(&before),
        Some(&after),
    )
    .await?;
    let move_id = match reason {
        Some(reason) => {
            let record = crate::showtime_moves::MoveRecord {
                showtime: id,
                from: (showtime.starts_at, from.0),
                to: (slot.starts_at, to.0),
                reason,
                by: match by {
                    Actor::Staff(audit) => Some(audit.actor),
                    Actor::System => None,
                },
                now,
            };
            Some(crate::showtime_moves::record(tx, &record, &holders, &reseats).await?)
        }
        None => None,
    };
    Ok(ShowtimeMoved {
        showtime: after,
        move_id,
        told: holders.iter().map(|h| h.booking).collect(),
    })
}

/// Deletes a showtime that has never had a booking, with its seat inventory; run in a write
/// transaction. Answers what was deleted.
pub async fn delete_showtime(
    tx: &mut impl Sql,
    id: ShowtimeId,
    now: DateTime<Utc>,
    by: &Actor<ShowtimeInfo>,
) -> StoreResult<ShowtimeInfo> {
    let before = locked_showtime(tx, id, now).await?;
    if bookings_of(tx, id, false, now).await? > 0 {
        return Err(StoreError::ShowtimeHasBookings { live: false });
    }
    tx.execute(
        "DELETE FROM showtime_seats WHERE showtime_id = $1",
        args![id.0],
    )
    .await?;
    tx.execute("DELETE FROM showtimes WHERE id = $1", args![id.0])
        .await?;
    audit::record(tx, by, showtime_touched(&before), Some(&before), None).await?;
    Ok(before)
}
