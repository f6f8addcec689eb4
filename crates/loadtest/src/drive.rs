//! The measured phase of a scenario whose requests stand alone (`browse`, `search`): one worker
//! per connection, each taking the next request number until the run's count or time is up.

use crate::client::Api;
use crate::resources::{self, Sampler, Usage};
use crate::stats::{print_table, KindSummary};
use crate::LoadtestArgs;
use serde::Serialize;
use serde_json::{json, Value};
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

    /// Prints the run: with `--json` one object (the scenario's own `fields`, an object, then the
    /// measured figures, the server's usage and limits, and the CHECK), else `heading` lines,
    /// the table and the CHECK line.
    pub fn print(
        &self,
        common: &LoadtestArgs,
        fields: Value,
        heading: &[String],
        check: &impl Serialize,
        check_line: &str,
    ) {
        if common.json {
            let measured = json!({
                "measured_seconds": self.elapsed.as_secs_f64(),
                "requests_per_second": self.per_second(),
                "requests": self.rows,
                "server": self.usage,
                "limits": common.server_limits,
                "check": check,
            });
            let mut all = fields;
            if let (Value::Object(all), Value::Object(measured)) = (&mut all, measured) {
                all.extend(measured);
            }
            println!("{all}");
        } else {
            for line in heading {
                println!("{line}");
            }
            println!("requests/s {:.1}", self.per_second());
            print_table(&self.rows);
            println!("{}", resources::line(self.usage.as_ref()));
            println!("{}", crate::limits_line(&common.server_limits));
            println!("{check_line}");
        }
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
