//! A hall's upcoming showtimes take its new layout (`catalog::replace_layout`), all of them or
//! none: a showtime whose seats people have (held, sold, blocked) would be dropped, moved or
//! put in another category, or whose frozen prices do not price a new category, refuses the
//! whole edit (`domain::layout_change`). Showtimes that have started keep the layout they ran
//! with.
//!
//! A showtime's seats that people have stay as they are; its free seats are replaced by the
//! new layout's.

use crate::args;
use crate::catalog::{get_showtime, insert_seats};
use crate::codec::millis;
use crate::sql::Sql;
use crate::{AuditoriumInfo, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::{layout_conflict, AuditoriumId, LayoutConflict, SeatLayout, ShowtimeId};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

/// A hall with its new layout, and the upcoming showtimes that took it.
#[derive(Debug, Clone)]
pub struct LayoutReplaced {
    pub auditorium: AuditoriumInfo,
    pub showtimes: Vec<ShowtimeId>,
}

/// A showtime that cannot take the new layout, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowtimeLayoutConflict {
    pub showtime_id: ShowtimeId,
    pub starts_at: DateTime<Utc>,
    pub conflict: LayoutConflict,
}

/// Moves the hall's showtimes that start after `now` onto its layout `layout_id` (`new`);
/// run in the write transaction that made that layout, after locking the hall. Answers the
/// showtimes moved (their seat maps are out of date), or `LayoutConflict` with every
/// showtime that cannot move.
pub async fn follow_new_layout(
    tx: &mut impl Sql,
    hall: AuditoriumId,
    layout_id: i64,
    new: &SeatLayout,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ShowtimeId>> {
    // Locked before their seats, as a hold locks them (a key share): no hold runs meanwhile.
    let upcoming: Vec<(i64, i64)> = tx
        .fetch_all(
            "SELECT id, layout_id FROM showtimes
             WHERE auditorium_id = $1 AND starts_at > ts($2) AND layout_id <> $3
             ORDER BY id FOR UPDATE",
            args![hall.0, millis(now), layout_id],
        )
        .await?;
    let mut layouts: HashMap<i64, SeatLayout> = HashMap::new();
    let mut conflicts = Vec::new();
    let mut moving = Vec::new();
    for (id, old_layout) in upcoming {
        let id = ShowtimeId(id);
        let old = match layouts.entry(old_layout) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(first) => first.insert(stored_layout(tx, old_layout).await?),
        };
        // Any seat not free as stored, a hold that ran out included (its late payment may
        // still buy it), is someone's.
        let taken: Vec<String> = tx
            .fetch_column(
                "SELECT label FROM showtime_seats WHERE showtime_id = $1 AND status <> 'available'
                 ORDER BY label FOR UPDATE",
                args![id.0],
            )
            .await?;
        let showtime = get_showtime(tx, id, now)
            .await?
            .ok_or_else(|| StoreError::corrupt("a locked showtime is missing"))?
            .showtime;
        let labels: Vec<&str> = taken.iter().map(String::as_str).collect();
        match layout_conflict(old, new, &labels, &showtime.prices) {
            Some(conflict) => conflicts.push(ShowtimeLayoutConflict {
                showtime_id: id,
                starts_at: showtime.starts_at,
                conflict,
            }),
            None => moving.push((id, taken)),
        }
    }
    if !conflicts.is_empty() {
        return Err(StoreError::LayoutConflict(conflicts));
    }
    for (id, taken) in &moving {
        let kept: HashSet<&str> = taken.iter().map(String::as_str).collect();
        tx.execute(
            "DELETE FROM showtime_seats WHERE showtime_id = $1 AND status = 'available'",
            args![id.0],
        )
        .await?;
        let fresh: Vec<_> = new
            .seats()
            .iter()
            .filter(|s| !kept.contains(s.label.as_str()))
            .cloned()
            .collect();
        insert_seats(tx, *id, &fresh).await?;
        tx.execute(
            "UPDATE showtimes SET layout_id = $2 WHERE id = $1",
            args![id.0, layout_id],
        )
        .await?;
    }
    Ok(moving.into_iter().map(|(id, _)| id).collect())
}

/// The layout version `id`.
pub(crate) async fn stored_layout(tx: &mut impl Sql, id: i64) -> StoreResult<SeatLayout> {
    let text: String = tx
        .fetch_column(
            "SELECT layout FROM auditorium_layouts WHERE id = $1",
            args![id],
        )
        .await?
        .pop()
        .ok_or_else(|| StoreError::corrupt("a showtime's layout is missing"))?;
    crate::codec::layout(&text)
}
