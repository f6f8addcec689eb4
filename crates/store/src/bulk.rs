//! A large catalog written at once (`marquee demo --events 10000 --showtimes 30000`): many
//! events, or many showtimes, in one transaction.
//!
//! What is written is what the one-at-a-time path writes, so a showtime made here is held,
//! sold and cancelled like any other: an event's row as `create_event` writes it (by the
//! system, which is not audited), a showtime's row with its frozen prices as
//! `schedule_showtime` writes it, after the same checks (its hall's current layout, prices for
//! every category, a sales window, no clash in its hall), and its seat inventory, every seat
//! available. Only the inventory is written differently: the first showtime of a hall gets
//! its seats from `insert_seats`, the others copy them from it in the database
//! (`catalog::copy_seats`), a few statements for thousands of showtimes instead of one per
//! hundred seats.

use crate::catalog::{copy_seats, insert_event, insert_showtime, insert_showtime_row, locked_hall};
use crate::codec::unsigned;
use crate::scheduling::clashes_in;
use crate::sql::{self, Sql};
use crate::{NewEvent, NewShowtime, StoreError, StoreResult};
use marquee_domain::schedule::Slot;
use marquee_domain::{AuditoriumId, Entity, EventId, ShowtimeId};
use std::collections::{BTreeMap, HashMap};

/// Event ids one statement looks up.
const EVENTS_PER_LOOKUP: usize = 500;

/// Writes every event; answers their ids in order. Run in a write transaction.
pub async fn create_events(tx: &mut impl Sql, events: &[NewEvent]) -> StoreResult<Vec<EventId>> {
    let mut ids = Vec::with_capacity(events.len());
    for event in events {
        ids.push(insert_event(tx, event).await?);
    }
    Ok(ids)
}

/// Schedules every showtime or none; answers their ids in order. Run in a write transaction.
/// Halls are locked in id order, so two bulk schedules never wait for each other in a
/// circle. Refuses with `ScheduleConflict` (every clash in the first hall that has one, with
/// its showtimes or among those given), `NotFound` for an unknown hall or event, and
/// `InvalidShowtime` for terms `schedule_showtime` refuses.
pub async fn schedule_showtimes(
    tx: &mut impl Sql,
    showtimes: &[NewShowtime],
) -> StoreResult<Vec<ShowtimeId>> {
    let runtimes = runtimes(tx, showtimes.iter().map(|s| s.event_id)).await?;
    let mut by_hall: BTreeMap<AuditoriumId, Vec<usize>> = BTreeMap::new();
    for (index, showtime) in showtimes.iter().enumerate() {
        by_hall
            .entry(showtime.auditorium_id)
            .or_default()
            .push(index);
    }
    let mut ids = vec![ShowtimeId(0); showtimes.len()];
    for (hall_id, indexes) in by_hall {
        let hall = locked_hall(tx, hall_id).await?;
        let slots = indexes
            .iter()
            .map(|&i| {
                let new = &showtimes[i];
                let runtime = runtimes
                    .get(&new.event_id)
                    .ok_or(StoreError::NotFound(Entity::Event))?;
                Ok(hall.turnover.slot(new.starts_at, *runtime))
            })
            .collect::<StoreResult<Vec<Slot>>>()?;
        let clashes = clashes_in(tx, hall_id, &slots, None).await?;
        if !clashes.is_empty() {
            return Err(StoreError::ScheduleConflict(clashes));
        }
        let mut template = None;
        let mut copies = Vec::with_capacity(indexes.len());
        for (&index, slot) in indexes.iter().zip(&slots) {
            let new = &showtimes[index];
            let id = match template {
                None => {
                    let id = insert_showtime(tx, &hall, new, slot.ends_at).await?;
                    template = Some(id);
                    id
                }
                Some(_) => {
                    let id = insert_showtime_row(tx, &hall, new, slot.ends_at).await?;
                    copies.push(id);
                    id
                }
            };
            ids[index] = id;
        }
        if let Some(template) = template {
            copy_seats(tx, template, &copies).await?;
        }
    }
    Ok(ids)
}

/// The runtime of each of `events`, read a few hundred at a time; an unknown one is left out.
async fn runtimes(
    tx: &mut impl Sql,
    events: impl Iterator<Item = EventId>,
) -> StoreResult<HashMap<EventId, u32>> {
    let mut wanted: Vec<i64> = events.map(|e| e.0).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut runtimes = HashMap::with_capacity(wanted.len());
    for chunk in wanted.chunks(EVENTS_PER_LOOKUP) {
        let values: Vec<sql::Value> = chunk.iter().map(|id| sql::Value::Int(*id)).collect();
        let rows: Vec<(i64, i64)> = tx
            .fetch_all(
                &format!(
                    "SELECT id, runtime_minutes FROM events WHERE id IN ({})",
                    sql::rows(chunk.len(), "?", 1)
                ),
                &values,
            )
            .await?;
        for (id, runtime) in rows {
            runtimes.insert(EventId(id), unsigned(runtime, "runtime")?);
        }
    }
    Ok(runtimes)
}
