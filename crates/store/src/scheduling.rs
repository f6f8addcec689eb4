//! Scheduling as staff do it: one showtime or many in a hall, in one transaction, priced by the
//! venue's plan at each local start and refused whole when any would clash.
//!
//! The hall's row is locked first, so two schedules of one hall run one after the other and
//! the second sees the first's showtimes. The clashes are decided by the domain
//! (`schedule::clashes`) over the hall's showtimes around the window and among the request's
//! own.

use crate::args;
use crate::audit::{self, Actor, Touched};
use crate::catalog::{get_showtime, insert_showtime, locked_hall, runtime, venue_price_plan};
use crate::codec::{instant, millis};
use crate::sql::Sql;
use crate::{NewShowtime, ShowtimeInfo, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::schedule::{clashes, ClashWith, Slot};
use marquee_domain::*;

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
    let categories = hall.layout.categories();
    let mut scheduled = Vec::with_capacity(proposed.len());
    for slot in &proposed {
        let prices = plan
            .resolve_at(slot.starts_at, hall.timezone, &new.format, &categories)
            .map_err(unpriced)?;
        let showtime = NewShowtime {
            event_id: new.event_id,
            auditorium_id: new.auditorium_id,
            starts_at: slot.starts_at,
            format: new.format.clone(),
            audio_language: new.audio_language.clone(),
            subtitles: new.subtitles.clone(),
            access: new.access.clone(),
            prices,
            sales_open_at: new.sales_open_at.unwrap_or(new.now),
            sales_close_minutes: new.sales_close_minutes,
        };
        let id = insert_showtime(tx, &hall, &showtime, slot.ends_at).await?;
        let info = get_showtime(tx, id, new.now)
            .await?
            .ok_or(StoreError::NotFound(Entity::Showtime))?;
        audit::record(tx, by, showtime_touched(&info), None, Some(&info)).await?;
        scheduled.push(info);
    }
    Ok(scheduled)
}
