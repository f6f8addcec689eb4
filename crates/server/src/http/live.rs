//! `GET /api/v1/showtimes/{id}/live`: an open seat map's changes as Server-Sent Events.
//!
//! A connection first gets a `snapshot` of every seat, then a `seats` event for each change of
//! the showtime's seats (held, released, expired, sold, refunded, blocked, unblocked), from
//! this node's seat-change stream, which carries the other nodes' changes too. The stream is
//! subscribed to before the snapshot is read, so no change falls between the two; a reconnect
//! (the browser's `EventSource` makes one by itself) starts with a new snapshot, and so does a
//! stream that fell behind or may have missed other nodes' changes. It ends when the node
//! shuts down; the client reconnects to another.

use super::error::{parse_id, ApiResult, ErrorBody};
use super::extract::Path;
use crate::app::App;
use crate::error::AppError;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use marquee_domain::{Entity, SeatChange, SeatState, ShowtimeId};
use serde::Serialize;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};
use utoipa::ToSchema;

/// Every seat of the showtime, by its state now: the `snapshot` event's data.
#[derive(Serialize, ToSchema, Default)]
pub struct LiveSnapshot {
    pub available: Vec<String>,
    pub held: Vec<String>,
    pub sold: Vec<String>,
    pub blocked: Vec<String>,
}

/// Seats that changed, and the state they are in now: a `seats` event's data.
#[derive(Serialize, ToSchema)]
pub struct LiveSeats {
    /// `available`, `held`, `sold` or `blocked`.
    pub state: &'static str,
    pub seats: Vec<String>,
}

/// A showtime's seat changes as they happen, as Server-Sent Events (`text/event-stream`):
/// first `event: snapshot` with every seat by state (`LiveSnapshot`), then `event: seats` for
/// each change (`LiveSeats`: the seats and their new state), other nodes' included. After a
/// reconnect, or when the stream fell behind, a new `snapshot` comes first. Comments keep an
/// idle connection open.
#[utoipa::path(get, path = "/showtimes/{id}/live", tag = "catalog", params(("id" = i64, Path)),
    responses(
        (status = 200, description = "`snapshot` then `seats` events; each event's data is JSON (`LiveSnapshot`, `LiveSeats`)", content_type = "text/event-stream", body = String),
        (status = 404, description = "`showtime_not_found`", body = ErrorBody)))]
pub async fn live(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let showtime = ShowtimeId(parse_id(&id, Entity::Showtime)?);
    let watching = Watching {
        changes: app.seat_changes().subscribe(),
        gaps: app.seat_changes().gaps(),
        draining: app.draining(),
        showtime,
        app,
    };
    let first = watching
        .snapshot()
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    let stream = futures::stream::unfold(
        (Some(first), watching),
        |(first, mut watching)| async move {
            let event = match first {
                Some(event) => event,
                None => watching.next().await?,
            };
            Some((Ok(event), (None, watching)))
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// One connection's view of the showtime.
struct Watching {
    app: App,
    showtime: ShowtimeId,
    changes: broadcast::Receiver<SeatChange>,
    gaps: watch::Receiver<u64>,
    draining: watch::Receiver<bool>,
}

impl Watching {
    /// The next event; `None` ends the stream.
    async fn next(&mut self) -> Option<Event> {
        loop {
            let reload = tokio::select! {
                received = self.changes.recv() => match received {
                    Ok(change) if change.showtime_id == self.showtime => {
                        return Some(seats_event(&change));
                    }
                    Ok(_) => false,
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return None,
                },
                Ok(()) = self.gaps.changed() => true,
                _ = self.draining.wait_for(|draining| *draining) => return None,
            };
            if reload {
                // A database that does not answer ends the stream; the client reconnects.
                return self.snapshot().await.ok().flatten();
            }
        }
    }

    /// Every seat by its state now; `None` when the showtime is gone.
    async fn snapshot(&self) -> ApiResult<Option<Event>> {
        let Some(states) = self
            .app
            .seat_maps()
            .states(self.showtime, self.app.now())
            .await?
        else {
            return Ok(None);
        };
        let mut snapshot = LiveSnapshot::default();
        for (label, state) in states {
            match state {
                SeatState::Available => &mut snapshot.available,
                SeatState::Held => &mut snapshot.held,
                SeatState::Sold => &mut snapshot.sold,
                SeatState::Blocked => &mut snapshot.blocked,
            }
            .push(label);
        }
        Ok(Some(json_event("snapshot", &snapshot)))
    }
}

fn seats_event(change: &SeatChange) -> Event {
    json_event(
        "seats",
        &LiveSeats {
            state: change.cause.state().as_str(),
            seats: change.labels.clone(),
        },
    )
}

fn json_event(name: &str, data: &impl Serialize) -> Event {
    Event::default()
        .event(name)
        .data(serde_json::to_string(data).unwrap_or_default())
}
