//! The measured phase of a scenario whose requests stand alone (`browse`, `search`): one worker
//! per connection, each taking the next request number until the run's count or time is up.

use crate::client::Api;
use crate::resources::{Sampler, Usage};
use crate::stats::KindSummary;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the measured phase saw.
pub struct Measured {
    pub elapsed: Duration,
    pub rows: Vec<KindSummary>,
    /// The server's memory and CPU, when its process is known.
    pub usage: Option<Usage>,
}

impl Measured {
    pub fn requests(&self) -> u64 {
        self.rows.iter().map(|r| r.requests).sum()
    }

    pub fn not_ok(&self) -> u64 {
        self.requests() - self.rows.iter().map(|r| r.ok).sum::<u64>()
    }

    pub fn per_second(&self) -> f64 {
        self.requests() as f64 / self.elapsed.as_secs_f64()
    }
}

/// Runs `request(n)` for n = 0, 1, 2... on `connections` workers at once, for at most
/// `seconds` and `requests` in all, and measures it.
pub async fn drive<F, R>(
    api: &Arc<Api>,
    json: bool,
    server: Option<u32>,
    (connections, seconds, requests): (usize, u64, u64),
    request: F,
) -> Measured
where
    F: Fn(u64) -> R + Clone + Send + 'static,
    R: Future<Output = ()> + Send,
{
    let issued = Arc::new(AtomicU64::new(0));
    let limit = Duration::from_secs(seconds);
    let sampler = Sampler::start(server, limit);
    let progress = crate::progress::Progress::start(json, limit, api.clone());
    let started = Instant::now();
    let deadline = started + limit;
    let workers = (0..connections).map(|_| {
        let (issued, request) = (issued.clone(), request.clone());
        tokio::spawn(async move {
            // Each pass takes a number from the shared count, so all workers together stop at
            // `requests`.
            loop {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= requests || Instant::now() >= deadline {
                    break;
                }
                request(n).await;
            }
        })
    });
    futures::future::join_all(workers).await;
    let elapsed = started.elapsed();
    progress.finish();
    let usage = sampler.finish().await;
    Measured {
        elapsed,
        rows: api.stats.summary(elapsed),
        usage,
    }
}
