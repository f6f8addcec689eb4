//! Seat maps kept in memory, one per showtime, so that a blockbuster's on-sale does not read
//! and serialise a thousand seat rows for every look at the map and every best-available hold.
//!
//! A cached map is advisory (invariant 1: only the hold's conditional update decides a sale).
//! It is loaded from the store, then kept in step by the seat-change stream
//! (`seat_changes`), which tells it of this node's committed changes before their answers go
//! out, so a customer always sees their own changes at once. Changes made by other nodes (or
//! other processes on the same SQLite file) show once the map is `max_age` old and is read
//! again. Expiry needs no change to show: a seat's state is read through `state_at(now)`.
//!
//! Best available chooses from the cached map and *claims* its choice there until the hold
//! is decided, so concurrent requests on one node choose different seats instead of all
//! racing for the same best pair.

use crate::error::{AppError, AppResult};
use crate::seat_changes::SeatChangeListener;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use marquee_domain::best_available::{best_available, wheelchair_with_companion};
use marquee_domain::Entity;
use marquee_domain::{
    BookingId, SeatCategory, SeatChange, SeatChangeCause, SeatState, ShowtimeId, ShowtimeSeat,
};
use marquee_store::{SeatMap, ShowtimeInfo, Store};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a request that names no seats asks the map to choose.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// The best `quantity` seats together, of `category` (or any general seat).
    Best {
        quantity: usize,
        category: Option<SeatCategory>,
    },
    /// A wheelchair space and the companion seat beside it.
    WheelchairWithCompanion,
}

/// Beyond this many showtimes in memory, maps due for a reload anyway are dropped first.
const MAX_SHOWTIMES: usize = 2_000;
/// How long a best-available choice stays claimed if its hold never reports back.
const CLAIM_TIME: Duration = Duration::seconds(30);

pub struct SeatMaps {
    store: Arc<dyn Store>,
    max_age: Duration,
    slots: Mutex<HashMap<ShowtimeId, Arc<Slot>>>,
}

/// One showtime's cached map. `loading` lets one request read the store while the others
/// wait for its result instead of all reading it at once.
#[derive(Default)]
struct Slot {
    loading: tokio::sync::Mutex<()>,
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    cached: Option<Cached>,
    /// Patches made while a load is under way, applied to what it loads: the load may have
    /// read the seats before they committed.
    during_load: Option<Vec<Patch>>,
}

struct Cached {
    map: SeatMap,
    by_label: HashMap<String, usize>,
    loaded_at: DateTime<Utc>,
    /// What each renderer (the API's JSON, the page's HTML: told apart by the type they
    /// prepare) prepared from this load of the map, and last rendered (see `rendered`).
    renders: Vec<Render>,
}

struct Render {
    kind: TypeId,
    prepared: Box<dyn Any + Send + Sync>,
    /// The serialised answer, until a patch or the next expiry of a hold makes it wrong.
    rendered: Option<(Bytes, DateTime<Utc>)>,
}

/// A change this node made (or is making) to a showtime's seats.
#[derive(Clone)]
enum Patch {
    /// A best-available choice, claimed until its hold is decided.
    Claimed {
        labels: Vec<String>,
        until: DateTime<Utc>,
    },
    /// A claim whose hold failed for another reason than the seats: they are free again.
    Unclaimed { labels: Vec<String> },
    /// Seats a hold found taken (by another node, or a map older than its changes): shown
    /// taken until the map is read again.
    TakenElsewhere {
        labels: Vec<String>,
        now: DateTime<Utc>,
    },
    /// A change committed on this node.
    Committed(SeatChange),
}

/// The state a seat is given by a patch (stored state, holder, held until).
type SeatWrite = (SeatState, Option<BookingId>, Option<DateTime<Utc>>);

impl Cached {
    fn new(map: SeatMap, loaded_at: DateTime<Utc>) -> Cached {
        let by_label = map
            .seats
            .iter()
            .enumerate()
            .map(|(i, s)| (s.seat.label.clone(), i))
            .collect();
        Cached {
            map,
            by_label,
            loaded_at,
            renders: Vec::new(),
        }
    }

    fn seat(&self, label: &str) -> Option<&ShowtimeSeat> {
        self.by_label
            .get(label)
            .and_then(|i| self.map.seats.get(*i))
    }

    /// Best-available claims still running, carried from the map this one replaces onto seats
    /// it shows free: a reload must not hand the same seats to the next request.
    fn keep_claims(&mut self, old: &Cached, now: DateTime<Utc>) {
        let claims: Vec<(String, DateTime<Utc>)> = old
            .map
            .seats
            .iter()
            .filter(|s| s.stored_state == SeatState::Held && s.booking_id.is_none())
            .filter_map(|s| Some((s.seat.label.clone(), s.held_until.filter(|t| *t > now)?)))
            .collect();
        for (label, until) in claims {
            if self
                .seat(&label)
                .is_some_and(|seat| seat.state_at(now) == SeatState::Available)
            {
                self.write(&[label], (SeatState::Held, None, Some(until)), false);
            }
        }
    }

    fn write(&mut self, labels: &[String], write: SeatWrite, only_claims: bool) {
        for label in labels {
            let Some(seat) = self
                .by_label
                .get(label)
                .and_then(|i| self.map.seats.get_mut(*i))
            else {
                continue;
            };
            // A claim is a held seat with no booking and an end; only those are unclaimed.
            if only_claims && !(seat.booking_id.is_none() && seat.held_until.is_some()) {
                continue;
            }
            (seat.stored_state, seat.booking_id, seat.held_until) = write;
        }
    }

    fn apply(&mut self, patch: &Patch) {
        for render in &mut self.renders {
            render.rendered = None;
        }
        match patch {
            Patch::Claimed { labels, until } => {
                self.write(labels, (SeatState::Held, None, Some(*until)), false)
            }
            Patch::Unclaimed { labels } => {
                self.write(labels, (SeatState::Available, None, None), true)
            }
            // A seat the map already gives to a live booking keeps it (a refused hold may
            // have asked for this node's own customer's seat), and a blocked seat stays
            // blocked (its unblocking must find it so).
            Patch::TakenElsewhere { labels, now } => {
                let free: Vec<String> = labels
                    .iter()
                    .filter(|l| {
                        self.seat(l).is_none_or(|seat| match seat.state_at(*now) {
                            SeatState::Available => true,
                            SeatState::Held => seat.booking_id.is_none(),
                            SeatState::Sold | SeatState::Blocked => false,
                        })
                    })
                    .cloned()
                    .collect();
                self.write(&free, (SeatState::Held, None, None), false)
            }
            Patch::Committed(change) => match change.cause {
                SeatChangeCause::Held { until } => self.write(
                    &change.labels,
                    (SeatState::Held, change.booking_id, Some(until)),
                    false,
                ),
                SeatChangeCause::Sold => self.write(
                    &change.labels,
                    (SeatState::Sold, change.booking_id, None),
                    false,
                ),
                SeatChangeCause::Blocked => {
                    self.write(&change.labels, (SeatState::Blocked, None, None), false)
                }
                // Freed seats are freed where the map still shows them as this booking's (or,
                // unblocked, as blocked by staff), in the state they were freed from: one it
                // shows taken by another (a newer hold), or sold after the change was made (a
                // late payment), keeps what it shows.
                SeatChangeCause::Released
                | SeatChangeCause::Expired
                | SeatChangeCause::PaymentFailed
                | SeatChangeCause::Refunded { .. }
                | SeatChangeCause::Cancelled
                | SeatChangeCause::Unblocked => {
                    let from = change.cause.freed_from();
                    let ours: Vec<String> = change
                        .labels
                        .iter()
                        .filter(|l| {
                            self.seat(l).is_some_and(|seat| {
                                seat.booking_id == change.booking_id
                                    && Some(seat.stored_state) == from
                            })
                        })
                        .cloned()
                        .collect();
                    self.write(&ours, (SeatState::Available, None, None), false)
                }
            },
        }
    }

    fn fresh(&self, now: DateTime<Utc>, max_age: Duration) -> bool {
        now < self.loaded_at + max_age && now >= self.loaded_at
    }

    /// When the rendered answer stops being true by itself: the next hold to run out.
    fn next_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.map
            .seats
            .iter()
            .filter(|s| s.stored_state == SeatState::Held)
            .filter_map(|s| s.held_until)
            .filter(|until| *until > now)
            .min()
    }
}

impl SeatMaps {
    pub fn new(store: Arc<dyn Store>, max_age: Duration) -> SeatMaps {
        SeatMaps {
            store,
            max_age,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The showtime's map serialised; `None` when there is no such showtime. `prepare` runs
    /// once per load of the map, `render` once per change of it; every other call answers
    /// the bytes rendered last.
    pub async fn rendered<T: Send + Sync + 'static>(
        &self,
        showtime: ShowtimeId,
        now: DateTime<Utc>,
        prepare: impl FnOnce(&SeatMap) -> AppResult<T>,
        render: impl FnOnce(&T, &SeatMap, DateTime<Utc>) -> Bytes,
    ) -> AppResult<Option<Bytes>> {
        let max_age = self.max_age;
        self.with_map(showtime, now, |cached| {
            let kind = TypeId::of::<T>();
            let at = match cached.renders.iter().position(|r| r.kind == kind) {
                Some(at) => at,
                None => {
                    cached.renders.push(Render {
                        kind,
                        prepared: Box::new(prepare(&cached.map)?),
                        rendered: None,
                    });
                    cached.renders.len() - 1
                }
            };
            if let Some((body, until)) = &cached.renders[at].rendered {
                if now < *until {
                    return Ok(body.clone());
                }
            }
            // Rendering: until the next hold runs out, or the map is due for a reload.
            let until = cached
                .next_expiry(now)
                .map_or(cached.loaded_at + max_age, |t| {
                    t.min(cached.loaded_at + max_age)
                });
            let entry = &mut cached.renders[at];
            let Some(prepared) = entry.prepared.downcast_ref::<T>() else {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "a seat map renderer's preparation has another type"
                )));
            };
            let body = render(prepared, &cached.map, now);
            entry.rendered = Some((body.clone(), until));
            Ok(body)
        })
        .await?
        .transpose()
    }

    /// The showtime as its cached map has it, with its seats free at `now` counted there (so
    /// that it agrees with the map); `None` when there is no such showtime.
    pub async fn showtime(
        &self,
        showtime: ShowtimeId,
        now: DateTime<Utc>,
    ) -> AppResult<Option<ShowtimeInfo>> {
        self.with_map(showtime, now, |cached| {
            let free = cached
                .map
                .seats
                .iter()
                .filter(|s| s.state_at(now) == SeatState::Available)
                .count();
            ShowtimeInfo {
                seats_available: u32::try_from(free).unwrap_or(u32::MAX),
                ..cached.map.info.clone()
            }
        })
        .await
    }

    /// Every seat of the showtime with its state at `now`; `None` when there is no such
    /// showtime.
    pub async fn states(
        &self,
        showtime: ShowtimeId,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Vec<(String, SeatState)>>> {
        self.with_map(showtime, now, |cached| {
            cached
                .map
                .seats
                .iter()
                .map(|s| (s.seat.label.clone(), s.state_at(now)))
                .collect()
        })
        .await
    }

    /// The seats `pick` chooses, claimed for this request until its hold is decided (report
    /// it with `held`, `refused` or `unclaim`).
    pub async fn claim_best(
        &self,
        showtime: ShowtimeId,
        now: DateTime<Utc>,
        pick: Pick,
    ) -> AppResult<Vec<String>> {
        self.with_map(showtime, now, |cached| {
            cached
                .map
                .info
                .showtime
                .check_on_sale(now)
                .map_err(AppError::NotOnSale)?;
            let map = &cached.map;
            let (rows, columns) = (map.rows as usize, map.columns as usize);
            let labels = match pick {
                Pick::Best { quantity, category } => {
                    best_available(&map.seats, rows, columns, quantity, category, now)
                        .ok_or(AppError::NotEnoughSeats(quantity))?
                }
                Pick::WheelchairWithCompanion => {
                    wheelchair_with_companion(&map.seats, rows, columns, now)
                        .ok_or(AppError::NoWheelchairPair)?
                }
            };
            cached.apply(&Patch::Claimed {
                labels: labels.clone(),
                until: now + CLAIM_TIME,
            });
            Ok(labels)
        })
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?
    }

    /// A hold was refused at `now` because these seats are taken.
    pub fn taken(&self, showtime: ShowtimeId, labels: &[String], now: DateTime<Utc>) {
        self.patch(
            showtime,
            Patch::TakenElsewhere {
                labels: labels.to_vec(),
                now,
            },
        );
    }

    /// Claimed seats whose hold did not take them are free again (unless taken meanwhile).
    pub fn unclaim(&self, showtime: ShowtimeId, labels: &[String]) {
        self.patch(
            showtime,
            Patch::Unclaimed {
                labels: labels.to_vec(),
            },
        );
    }

    fn patch(&self, showtime: ShowtimeId, patch: Patch) {
        let Some(slot) = lock(&self.slots).get(&showtime).cloned() else {
            return;
        };
        let mut state = lock(&slot.state);
        if let Some(log) = &mut state.during_load {
            log.push(patch.clone());
        }
        if let Some(cached) = &mut state.cached {
            cached.apply(&patch);
        }
    }

    /// Runs `f` on the showtime's cached map, loading it first when missing or too old.
    async fn with_map<T>(
        &self,
        showtime: ShowtimeId,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut Cached) -> T,
    ) -> AppResult<Option<T>> {
        let slot = self.slot(showtime, now);
        if let Some(cached) = lock(&slot.state)
            .cached
            .as_mut()
            .filter(|c| c.fresh(now, self.max_age))
        {
            return Ok(Some(f(cached)));
        }
        let _loading = slot.loading.lock().await;
        // Another request may have loaded it while this one waited.
        if let Some(cached) = lock(&slot.state)
            .cached
            .as_mut()
            .filter(|c| c.fresh(now, self.max_age))
        {
            return Ok(Some(f(cached)));
        }
        lock(&slot.state).during_load = Some(Vec::new());
        // Should this request go away mid-load, patches stop being logged for a load that
        // will never use them.
        let logging = StopLogging(&slot);
        let loaded = self.store.seat_map(showtime, now).await;
        let mut state = lock(&slot.state);
        let patches = state.during_load.take().unwrap_or_default();
        // Taken here; nothing is left for the guard to stop.
        std::mem::forget(logging);
        let Some(map) = loaded? else {
            state.cached = None;
            return Ok(None);
        };
        let mut cached = Cached::new(map, now);
        for patch in &patches {
            cached.apply(patch);
        }
        if let Some(old) = &state.cached {
            cached.keep_claims(old, now);
        }
        let answer = f(&mut cached);
        state.cached = Some(cached);
        Ok(Some(answer))
    }

    /// Drops a showtime's map: the showtime itself changed (moved, priced again, deleted),
    /// which no seat change tells. Other nodes see it when their map is `max_age` old.
    pub fn forget(&self, showtime: ShowtimeId) {
        lock(&self.slots).remove(&showtime);
    }

    fn slot(&self, showtime: ShowtimeId, now: DateTime<Utc>) -> Arc<Slot> {
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get(&showtime) {
            return slot.clone();
        }
        if slots.len() >= MAX_SHOWTIMES {
            let max_age = self.max_age;
            slots.retain(|_, slot| {
                lock(&slot.state)
                    .cached
                    .as_ref()
                    .is_some_and(|c| c.fresh(now, max_age))
            });
            if slots.len() >= MAX_SHOWTIMES {
                slots.clear();
            }
        }
        slots.entry(showtime).or_default().clone()
    }
}

impl SeatChangeListener for SeatMaps {
    fn seat_changed(&self, change: &SeatChange) {
        self.patch(change.showtime_id, Patch::Committed(change.clone()));
    }
}

/// Ends a load's log of patches when the load ends, however it ends.
struct StopLogging<'a>(&'a Slot);

impl Drop for StopLogging<'_> {
    fn drop(&mut self) {
        lock(&self.0.state).during_load = None;
    }
}

/// The cache's locks guard plain data that no panic leaves half-written in a way that
/// matters (a reload replaces it), so a poisoned lock is used as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
