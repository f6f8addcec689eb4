//! Group commit of holds. Concurrent hold requests queue here; a few workers each take what
//! is waiting (up to `MAX_BATCH`) and decide it in one store transaction with one commit
//! (`Store::hold_seats_batch`). Under an on-sale rush this turns thousands of small
//! transactions a second into a few hundred larger ones: one SQLite writer keeps up, and
//! PostgreSQL flushes its log once per batch. A quiet node sends batches of one, at once.

use crate::seat_changes::SeatChanges;
use marquee_domain::{Booking, SeatChange};
use marquee_store::SeatChangeSink;
use marquee_store::{NewHold, Store, StoreError, StoreResult};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// Most holds decided in one transaction: enough to share a commit widely, few enough that
/// the first in the batch does not wait long for the last.
const MAX_BATCH: usize = 64;
/// Requests waiting beyond this are pushed back on (they wait to enqueue) rather than piling up.
const QUEUE_DEPTH: usize = 4096;

struct Job {
    hold: NewHold,
    answer: oneshot::Sender<StoreResult<Booking>>,
}

pub struct HoldQueue {
    jobs: mpsc::Sender<Job>,
}

impl HoldQueue {
    /// Starts the store's number of concurrent writers as tasks; they stop when the queue is
    /// dropped. The seats each batch takes are published to `changes` once it commits. Must be
    /// called inside a Tokio runtime.
    pub fn start(store: Arc<dyn Store>, changes: Arc<SeatChanges>) -> HoldQueue {
        let (jobs, waiting) = mpsc::channel(QUEUE_DEPTH);
        let waiting = Arc::new(Mutex::new(waiting));
        for _ in 0..store.concurrent_writers().max(1) {
            tokio::spawn(work(store.clone(), changes.clone(), waiting.clone()));
        }
        HoldQueue { jobs }
    }

    /// Decides one hold, in whatever batch it lands in.
    pub async fn hold(&self, hold: NewHold) -> StoreResult<Booking> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Job { hold, answer })
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::corrupt("the hold queue has stopped")
}

async fn work(
    store: Arc<dyn Store>,
    changes: Arc<SeatChanges>,
    waiting: Arc<Mutex<mpsc::Receiver<Job>>>,
) {
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
            batch
        };
        // A panic deciding one batch fails that batch's requests (their answers are dropped),
        // not the worker: the queue goes on.
        if let Err(panic) = tokio::spawn(decide(store.clone(), changes.clone(), batch)).await {
            tracing::error!(error = %panic, "deciding a batch of holds panicked");
        }
    }
}

async fn decide(store: Arc<dyn Store>, changes: Arc<SeatChanges>, batch: Vec<Job>) {
    let (holds, answers): (Vec<NewHold>, Vec<_>) =
        batch.into_iter().map(|job| (job.hold, job.answer)).unzip();
    let started = std::time::Instant::now();
    let decided = store.hold_seats_batch(holds.clone()).await;
    tracing::debug!(holds = holds.len(), took = ?started.elapsed(), "decided a batch of holds");
    match decided {
        Ok(committed) => {
            let results = committed.publish(&*changes);
            for (answer, result) in answers.into_iter().zip(results) {
                // The requester may have gone (a closed connection); its hold stands anyway.
                let _ = answer.send(result);
            }
        }
        Err(error) if holds.len() == 1 => {
            if let Some(answer) = answers.into_iter().next() {
                let _ = answer.send(Err(error));
            }
        }
        // The database itself is in trouble: trying each hold alone would only wait out the
        // same trouble again and again.
        Err(StoreError::Database(error)) => {
            tracing::warn!(%error, holds = holds.len(), "a batch of holds failed");
            for answer in answers {
                let _ = answer.send(Err(StoreError::Database(error.to_string().into())));
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
                    Ok(None) => alone(&*store, &changes, hold).await,
                    Err(err) => Err(err),
                };
                let _ = answer.send(stored);
            }
        }
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
