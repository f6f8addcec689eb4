//! The catalog search of this node (`marquee_search::Catalog`): built from the store at
//! start, built again when the catalog changes, and its free seats kept from the seat-change
//! stream, so that `GET /events` (text and every filter), an event and an event's showtimes
//! are answered from memory.
//!
//! The first query builds it. A staff write on this node that can change the catalog says so
//! (`after_staff_writes`, `changes_the_catalog`): the next query builds again and waits for it
//! (read your writes). Another node's write is seen by `keep_fresh`, which reads the store's catalog mark
//! every `POLL` and builds again when it moved. Seat changes (this node's and, bridged, the
//! others') mark their showtimes; their free seats are read again every `POLL`.

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::seat_changes::SeatChangeListener;
use marquee_domain::{Event, EventId, SeatChange, ShowtimeId};
use marquee_search::{Catalog, EventText, Facets, Showing};
use marquee_store::{ShowtimeFilter, ShowtimeInfo};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::watch;

/// How often another node's catalog writes and the seats' changes are looked for.
pub const POLL: Duration = Duration::from_secs(2);
/// Events read from the store per statement while building.
const EVENT_PAGE: u32 = 1000;
/// Showtimes whose free seats are read again in one statement.
const SEATS_READ_AT_ONCE: usize = 500;

/// A built catalog, with the events it answers with.
pub struct Built {
    pub catalog: Catalog,
    pub events: HashMap<EventId, Event>,
    /// The upcoming showtimes, as an event's showtimes answer them (their free seats are the
    /// catalog's: see `seats_available`).
    pub showtimes: HashMap<ShowtimeId, ShowtimeInfo>,
    /// The names of the cities where something plays, by id.
    pub cities: HashMap<i64, String>,
    /// The `Search::changed` generation it includes.
    generation: u64,
    /// The store's catalog mark when it was read.
    mark: String,
}

impl Built {
    /// The events of `listed` (the catalog's answer), each with its next showtime.
    pub fn listed(&self, listed: &[marquee_search::Listed]) -> Vec<crate::catalog::ListedEvent> {
        listed
            .iter()
            .filter_map(|l| {
                self.events
                    .get(&EventId(l.event))
                    .map(|event| crate::catalog::ListedEvent {
                        event: event.clone(),
                        next_showtime: ShowtimeId(l.next_showtime),
                        next_starts_at: l.next_starts_at,
                    })
            })
            .collect()
    }

    /// An event's upcoming showtimes that `keep` keeps, soonest first, each with its free
    /// seats as the catalog last read them (within `POLL` of a change); `None` when the
    /// catalog does not know the event.
    pub fn showtimes_of(
        &self,
        event: EventId,
        mut keep: impl FnMut(&Showing) -> bool,
    ) -> Option<Vec<ShowtimeInfo>> {
        if !self.events.contains_key(&event) {
            return None;
        }
        let listed = self
            .catalog
            .showings_of(event.0)
            .filter(|s| keep(s))
            .filter_map(|s| {
                let mut info = self.showtimes.get(&ShowtimeId(s.showtime))?.clone();
                info.seats_available =
                    u32::try_from(s.seats_available.load(Ordering::Relaxed)).unwrap_or(0);
                Some(info)
            })
            .collect();
        Some(listed)
    }
}

/// This node's search (see the module).
#[derive(Default)]
pub struct Search {
    built: RwLock<Option<Arc<Built>>>,
    /// Bumped by each catalog write on this node.
    wanted: AtomicU64,
    /// One build at a time; a query that needs one waits for it here.
    building: tokio::sync::Mutex<()>,
    /// Showtimes whose seats changed since their free seats were last read.
    seats: Mutex<HashSet<ShowtimeId>>,
}

impl Search {
    /// The catalog changed on this node: the next query waits for a build that has it.
    pub fn changed(&self) {
        self.wanted.fetch_add(1, Ordering::SeqCst);
    }

    /// The catalog as built with every change made on this node so far (built now if it is
    /// not).
    pub async fn current(&self, app: &App) -> AppResult<Arc<Built>> {
        let wanted = self.wanted.load(Ordering::SeqCst);
        let fresh = |built: &Arc<Built>| built.generation >= wanted;
        if let Some(built) = self.latest().filter(fresh) {
            return Ok(built);
        }
        let _building = self.building.lock().await;
        // Another query may have built it while this one waited.
        if let Some(built) = self.latest().filter(fresh) {
            return Ok(built);
        }
        let built = Arc::new(build(app, wanted).await?);
        self.install(built.clone());
        Ok(built)
    }

    fn latest(&self) -> Option<Arc<Built>> {
        self.built
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The showtimes whose seats changed since the last call.
    fn take_changed(&self) -> Vec<ShowtimeId> {
        let mut seats = self.seats.lock().unwrap_or_else(|p| p.into_inner());
        seats.drain().collect()
    }

    fn mark_changed(&self, showtimes: impl IntoIterator<Item = ShowtimeId>) {
        self.seats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(showtimes);
    }

    fn install(&self, built: Arc<Built>) {
        *self
            .built
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(built);
    }
}

impl SeatChangeListener for Search {
    fn seat_changed(&self, change: &SeatChange) {
        self.mark_changed([change.showtime_id]);
    }
}

/// Builds the catalog from the store as it is now.
pub async fn build(app: &App, generation: u64) -> AppResult<Built> {
    let store = app.store();
    let mark = store.catalog_mark().await?;
    let mut events = Vec::new();
    loop {
        let page = store.all_events(EVENT_PAGE, events.len() as u32).await?;
        let last = page.len() < EVENT_PAGE as usize;
        events.extend(page);
        if last {
            break;
        }
    }
    let now = app.now();
    let showtimes = store
        .list_showtimes(&ShowtimeFilter {
            event_id: None,
            city_id: None,
            starts_from: Some(now),
            starts_until: None,
            access: None,
            limit: u32::MAX,
            now,
        })
        .await?;
    // Where each event plays, for its words.
    let mut places: HashMap<EventId, Vec<String>> = HashMap::new();
    let mut cities = HashMap::new();
    for s in &showtimes {
        cities.insert(s.city.id.0, s.city.name.clone());
        let list = places.entry(s.showtime.event_id).or_default();
        for name in [&s.venue.name, &s.city.name] {
            if !list.contains(name) {
                list.push(name.clone());
            }
        }
    }
    let texts: Vec<(EventText, Facets)> = events
        .iter()
        .map(|e| {
            (
                EventText {
                    id: e.id.0,
                    title: e.title.clone(),
                    original_title: e.original_title.clone(),
                    people: e
                        .cast
                        .iter()
                        .cloned()
                        .chain(Some(e.director.clone()).filter(|d| !d.is_empty()))
                        .collect(),
                    tags: e
                        .genres
                        .iter()
                        .cloned()
                        .chain([e.language.clone(), e.certificate.clone()])
                        .collect(),
                    places: places.remove(&e.id).unwrap_or_default(),
                    synopsis: e.synopsis.clone(),
                },
                Facets {
                    genres: e.genres.clone(),
                    language: e.language.clone(),
                    certificate: e.certificate.clone(),
                },
            )
        })
        .collect();
    let showings = showtimes
        .iter()
        .map(|s| Showing {
            showtime: s.showtime.id.0,
            event: s.showtime.event_id.0,
            city: s.city.id.0,
            starts_at: s.showtime.starts_at,
            format: s.showtime.format.clone(),
            access: s
                .showtime
                .access
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            seats_available: AtomicI64::new(i64::from(s.seats_available)),
        })
        .collect();
    // Indexing is CPU work: off the request threads.
    let catalog = tokio::task::spawn_blocking(move || Catalog::build(texts, showings))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Built {
        catalog,
        events: events.into_iter().map(|e| (e.id, e)).collect(),
        showtimes: showtimes.into_iter().map(|s| (s.showtime.id, s)).collect(),
        cities,
        generation,
        mark,
    })
}

/// Keeps this node's catalog fresh until `shutdown` (see the module).
pub async fn keep_fresh(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        if let Err(err) = refresh(&app).await {
            tracing::warn!(error = %err, "refreshing the search catalog failed; trying again");
        }
    }
}

/// One pass of `keep_fresh`: builds again when the store's catalog mark moved (another
/// node's write), else reads again the free seats of the showtimes whose seats changed.
pub async fn refresh(app: &App) -> AppResult<()> {
    let search = app.search();
    let Some(built) = search.latest() else {
        // Nobody asked yet: the first query builds it.
        return Ok(());
    };
    if app.store().catalog_mark().await? != built.mark {
        let _building = search.building.lock().await;
        let wanted = search.wanted.load(Ordering::SeqCst);
        // The build reads every showtime's free seats: the changes marked so far are in it;
        // those marked while it reads stay marked for the next pass.
        let covered = search.take_changed();
        match build(app, wanted).await {
            Ok(rebuilt) => search.install(Arc::new(rebuilt)),
            Err(err) => {
                search.mark_changed(covered);
                return Err(err);
            }
        }
        return Ok(());
    }
    let changed = search.take_changed();
    for (n, chunk) in changed.chunks(SEATS_READ_AT_ONCE).enumerate() {
        match app.store().seats_available(chunk, app.now()).await {
            Ok(read) => {
                for (showtime, seats) in read {
                    built.catalog.seats_are(showtime.0, seats);
                }
            }
            Err(err) => {
                // Not read: marked again, for the next pass.
                search.mark_changed(changed[n * SEATS_READ_AT_ONCE..].iter().copied());
                return Err(err.into());
            }
        }
    }
    Ok(())
}

/// Middleware: after a back office write that went through (`/api/v1/admin/...` or an
/// `/admin/...` page, any method but GET and HEAD) and can change the catalog
/// (`changes_the_catalog`), the next query builds the catalog again.
pub async fn after_staff_writes(
    axum::extract::State(app): axum::extract::State<App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let admin = path
        .strip_prefix("/api/v1/admin/")
        .or_else(|| path.strip_prefix("/admin/"));
    let write = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) && admin.is_some_and(changes_the_catalog);
    let response = next.run(request).await;
    let status = response.status();
    if write && (status.is_success() || status.is_redirection()) {
        app.search().changed();
    }
    response
}

/// Whether a back office write at `/admin/{path}` can change what customers browse. Those that
/// cannot (bookings and refunds, whose seats reach the catalog as seat changes; staff, sign-in,
/// mail, the door; a venue's refund policy or reminder) make no query wait for a build. A path
/// not named here counts as a change: a new kind of write is never missed.
fn changes_the_catalog(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or_default();
    !matches!(
        first,
        "bookings"
            | "staff"
            | "totp"
            | "join"
            | "mail"
            | "audit"
            | "checkin"
            | "dashboard"
            | "layouts"
    ) && !path.ends_with("/refund-policy")
        && !path.ends_with("/reminder")
}

#[cfg(test)]
mod tests {
    use super::changes_the_catalog;

    #[test]
    fn only_writes_to_what_customers_browse_make_a_query_wait_for_a_build() {
        for path in [
            "events",
            "events/4/poster",
            "films/4",
            "showtimes/9",
            "showtimes/9/cancel",
            "schedules",
            "venues/2",
            "venues/2/schedule/copy",
            "venues/2/week/copy",
            "venues/2/price-plan",
            "auditoriums/3/layout",
            "cities",
            "something-new",
        ] {
            assert!(changes_the_catalog(path), "{path}");
        }
        for path in [
            "bookings/7/refund",
            "bookings/7/resend",
            "staff",
            "staff/5/remove",
            "totp",
            "join/abc",
            "layouts/preview",
            "venues/2/refund-policy",
            "venues/2/reminder",
        ] {
            assert!(!changes_the_catalog(path), "{path}");
        }
    }
}
