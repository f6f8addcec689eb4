//! Group commit of holds. Concurrent hold requests queue here; a few workers each take what
//! is waiting (up to `MAX_BATCH`) and decide it in one store transaction with one commit
//! (`Store::hold_seats_batch`). Under an on-sale rush this turns thousands of small
//! transactions a second into a few hundred larger ones: one SQLite writer keeps up, and
//! PostgreSQL flushes its log once per batch. A quiet node sends batches of one, at once.
//!
//! A hold is decided as of the moment its batch is (its `now` and `expires_at` are set then,
//! from the app's clock), never after its requester has gone, and never after it waited
//! longer than the queue's deadline: a backlog is answered `503`, not worked off for
//! requests that gave up long ago.

use crate::error::{AppError, ErrorCode};
use crate::seat_changes::SeatChanges;
use marquee_domain::{Booking, Clock, SeatChange};
use marquee_store::SeatChangeSink;
use marquee_store::{NewHold, Store, StoreError, StoreResult};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Mutex};

/// Most holds decided in one transaction: enough to share a commit widely, few enough that
/// the first in the batch does not wait long for the last.
const MAX_BATCH: usize = 64;
/// Requests waiting beyond this are pushed back on (they wait to enqueue) rather than piling up.
const QUEUE_DEPTH: usize = 4096;

struct Job {
    hold: NewHold,
    queued: Instant,
    answer: oneshot::Sender<Result<Booking, HoldError>>,
}

/// Why the queue did not hold.
#[derive(Debug)]
pub enum HoldError {
    /// The store decided against it, or failed.
    Store(StoreError),
    /// It waited in the queue longer than the deadline and was not decided.
    TooLate,
}

impl From<StoreError> for HoldError {
    fn from(err: StoreError) -> Self {
        HoldError::Store(err)
    }
}

impl From<HoldError> for AppError {
    fn from(err: HoldError) -> Self {
        match err {
            HoldError::Store(err) => err.into(),
            HoldError::TooLate => AppError::wait(
                ErrorCode::Overloaded,
                "too many holds are waiting to be decided; try again shortly",
                Some(Duration::from_secs(1)),
            ),
        }
    }
}

/// What a worker needs to decide a batch.
struct Decider {
    store: Arc<dyn Store>,
    changes: Arc<SeatChanges>,
    clock: Arc<dyn Clock>,
    hold_ttl: chrono::Duration,
    deadline: Duration,
}

pub struct HoldQueue {
    jobs: mpsc::Sender<Job>,
}

impl HoldQueue {
    /// Starts the store's number of concurrent writers as tasks; they stop when the queue is
    /// dropped. The seats each batch takes are published to `changes` once it commits; each
    /// hold is given `clock`'s time and `hold_ttl` when its batch is decided, and is answered
    /// `TooLate` when it waited longer than `deadline`. Must be called inside a Tokio runtime.
    pub fn start(
        store: Arc<dyn Store>,
        changes: Arc<SeatChanges>,
        clock: Arc<dyn Clock>,
        hold_ttl: chrono::Duration,
        deadline: Duration,
    ) -> HoldQueue {
        let (jobs, waiting) = mpsc::channel(QUEUE_DEPTH);
        let waiting = Arc::new(Mutex::new(waiting));
        let decider = Arc::new(Decider {
            store,
            changes,
            clock,
            hold_ttl,
            deadline,
        });
        for _ in 0..decider.store.concurrent_writers().max(1) {
            tokio::spawn(work(decider.clone(), waiting.clone()));
        }
        HoldQueue { jobs }
    }

    /// Decides one hold, in whatever batch it lands in. Its `now` and `expires_at` are
    /// replaced by the batch's.
    pub async fn hold(&self, hold: NewHold) -> Result<Booking, HoldError> {
        let (answer, answered) = oneshot::channel();
        let job = Job {
            hold,
            queued: Instant::now(),
            answer,
        };
        self.jobs.send(job).await.map_err(|_| stopped())?;
        self.record_depth();
        answered.await.map_err(|_| stopped())?
    }

    fn record_depth(&self) {
        let depth = self.jobs.max_capacity() - self.jobs.capacity();
        metrics::gauge!("marquee_hold_queue_depth").set(depth as f64);
    }
}

fn stopped() -> StoreError {
    StoreError::corrupt("the hold queue has stopped")
}

async fn work(decider: Arc<Decider>, waiting: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let batch = {
            let mut waiting = waiting.lock().await;
            let Some(first) = waiting.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match waiting.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            metrics::gauge!("marquee_hold_queue_depth").set(waiting.len() as f64);
            batch
        };
        let batch = admit(&decider, batch);
        if batch.is_empty() {
            continue;
        }
        // A panic deciding one batch fails that batch's requests (their answers are dropped),
        // not the worker: the queue goes on.
        if let Err(panic) = tokio::spawn(decide(decider.clone(), batch)).await {
            tracing::error!(error = %panic, "deciding a batch of holds panicked");
        }
    }
}

/// The jobs of a batch worth deciding, given the batch's time: a job whose requester has
/// gone (a closed connection, a request timeout) is dropped, one that waited too long is
/// answered `TooLate`, both undecided.
fn admit(decider: &Decider, batch: Vec<Job>) -> Vec<Job> {
    let now = decider.clock.now();
    let mut admitted = Vec::with_capacity(batch.len());
    for mut job in batch {
        if job.answer.is_closed() {
            metrics::counter!("marquee_holds_refused_total", "reason" => "abandoned").increment(1);
        } else if job.queued.elapsed() >= decider.deadline {
            metrics::counter!("marquee_holds_refused_total", "reason" => "too_late").increment(1);
            let _ = job.answer.send(Err(HoldError::TooLate));
        } else {
            job.hold.now = now;
            job.hold.expires_at = now + decider.hold_ttl;
            admitted.push(job);
        }
    }
    admitted
}

async fn decide(decider: Arc<Decider>, batch: Vec<Job>) {
    let Decider { store, changes, .. } = &*decider;
    let (holds, answers): (Vec<NewHold>, Vec<_>) =
        batch.into_iter().map(|job| (job.hold, job.answer)).unzip();
    metrics::histogram!("marquee_hold_batch_size").record(holds.len() as f64);
    let started = Instant::now();
    let decided = store.hold_seats_batch(holds.clone()).await;
    tracing::debug!(holds = holds.len(), took = ?started.elapsed(), "decided a batch of holds");
    match decided {
        Ok(committed) => {
            let results = committed.publish(&**changes);
            for (answer, result) in answers.into_iter().zip(results) {
                // The requester may have gone (a closed connection); its hold stands anyway.
                answer_with(answer, result);
            }
        }
        Err(error) if holds.len() == 1 => {
            if let Some(answer) = answers.into_iter().next() {
                answer_with(answer, Err(error));
            }
        }
        // The database itself is in trouble: trying each hold alone would only wait out the
        // same trouble again and again.
        Err(StoreError::Database(error)) => {
            tracing::warn!(%error, holds = holds.len(), "a batch of holds failed");
            for answer in answers {
                answer_with(answer, Err(StoreError::Database(error.to_string().into())));
            }
        }
        Err(StoreError::Unavailable(error)) => {
            tracing::warn!(%error, holds = holds.len(), "a batch of holds failed");
            for answer in answers {
                answer_with(
                    answer,
                    Err(StoreError::Unavailable(error.to_string().into())),
                );
            }
        }
        // Something one hold caused failed the batch. Each hold is tried alone, so that it is
        // that hold's answer and not its neighbours'. A hold the failed batch stored after all
        // (a commit whose answer was lost) is answered as it was stored, not decided again.
        Err(batch_error) => {
            tracing::warn!(error = %batch_error, holds = holds.len(), "a batch of holds failed; deciding them one by one");
            for (answer, hold) in answers.into_iter().zip(holds) {
                let stored = match store.get_booking(hold.id).await {
                    Ok(Some(booking)) => {
                        changes.publish(&[SeatChange::held(&booking)]);
                        Ok(booking)
                    }
                    Ok(None) => alone(&**store, changes, hold).await,
                    Err(err) => Err(err),
                };
                answer_with(answer, stored);
            }
        }
    }
}

/// Answers a job, counting the outcome.
fn answer_with(answer: oneshot::Sender<Result<Booking, HoldError>>, result: StoreResult<Booking>) {
    match &result {
        Ok(_) => metrics::counter!("marquee_holds_made_total").increment(1),
        Err(error) => {
            metrics::counter!("marquee_holds_refused_total", "reason" => refusal_reason(error))
                .increment(1)
        }
    }
    let _ = answer.send(result.map_err(HoldError::Store));
}

/// A metric label for why the store did not hold.
fn refusal_reason(error: &StoreError) -> &'static str {
    match error {
        StoreError::SeatsUnavailable(_) => "seats_unavailable",
        StoreError::UnknownSeats(_) => "unknown_seats",
        StoreError::UnknownTicketTypes(_) => "unknown_ticket_types",
        StoreError::NotOnSale(_) => "not_on_sale",
        StoreError::NotFound(_) => "not_found",
        StoreError::ReferenceTaken => "reference_taken",
        StoreError::Unavailable(_) => "database_unavailable",
        StoreError::OverLimit(_) => "over_limit",
        _ => "error",
    }
}

/// One hold in a batch of its own, its seats published.
async fn alone(store: &dyn Store, changes: &SeatChanges, hold: NewHold) -> StoreResult<Booking> {
    store
        .hold_seats_batch(vec![hold])
        .await?
        .publish(changes)
        .pop()
        .unwrap_or_else(|| Err(StoreError::corrupt("a batch of one hold answered nothing")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use marquee_domain::{BookingId, BookingReference, ManualClock, ShowtimeId, UserId};

    async fn decider(clock: Arc<ManualClock>, deadline: Duration) -> (Decider, impl Drop) {
        let (store, guard) = marquee_store_sqlite::testing::fresh_store().await;
        let decider = Decider {
            store,
            changes: Arc::new(SeatChanges::new(vec![])),
            clock,
            hold_ttl: chrono::Duration::minutes(10),
            deadline,
        };
        (decider, guard)
    }

    fn job(
        requested_at: chrono::DateTime<chrono::Utc>,
    ) -> (Job, oneshot::Receiver<Result<Booking, HoldError>>) {
        let (answer, answered) = oneshot::channel();
        let hold = NewHold {
            id: BookingId(1),
            reference: BookingReference::from_random(1),
            user_id: UserId(1),
            showtime_id: ShowtimeId(1),
            seats: vec!["A1".into()],
            ticket_types: vec![],
            expires_at: requested_at + chrono::Duration::minutes(10),
            now: requested_at,
            limits: marquee_domain::HoldLimits::NONE,
        };
        let job = Job {
            hold,
            queued: Instant::now(),
            answer,
        };
        (job, answered)
    }

    #[tokio::test]
    async fn a_hold_whose_requester_has_gone_is_not_decided() {
        let t0 = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap();
        let (decider, _db) = decider(Arc::new(ManualClock::new(t0)), Duration::from_secs(60)).await;
        let (gone, answered) = job(t0);
        drop(answered);
        let (waiting, _answered) = job(t0);
        let admitted = admit(&decider, vec![gone, waiting]);
        assert_eq!(
            admitted.len(),
            1,
            "only the job someone waits for is decided"
        );
        assert!(!admitted[0].answer.is_closed());
    }

    #[tokio::test]
    async fn a_hold_takes_its_time_when_its_batch_is_decided() {
        let t0 = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap();
        let clock = Arc::new(ManualClock::new(t0));
        let (decider, _db) = decider(clock.clone(), Duration::from_secs(60)).await;
        let (queued, _answered) = job(t0);
        clock.advance(chrono::Duration::seconds(3));
        let admitted = admit(&decider, vec![queued]);
        let hold = &admitted[0].hold;
        assert_eq!(hold.now, t0 + chrono::Duration::seconds(3));
        assert_eq!(hold.expires_at, hold.now + chrono::Duration::minutes(10));
    }

    #[tokio::test]
    async fn a_hold_that_waited_past_the_deadline_is_answered_too_late_undecided() {
        let t0 = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap();
        let (decider, _db) = decider(Arc::new(ManualClock::new(t0)), Duration::ZERO).await;
        let (late, answered) = job(t0);
        assert!(admit(&decider, vec![late]).is_empty());
        assert!(matches!(answered.await, Ok(Err(HoldError::TooLate))));
    }
}
