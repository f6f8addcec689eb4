//! The live progress bar of a scenario that runs for a set time: it moves with the clock and
//! counts the requests answered so far. Hidden with `--json`.

use crate::client::Api;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

const TICK: Duration = Duration::from_millis(200);

pub struct Progress {
    bar: ProgressBar,
    ticker: JoinHandle<()>,
}

impl Progress {
    /// Starts a bar over `limit` from now.
    pub fn start(hidden: bool, limit: Duration, api: Arc<Api>) -> Progress {
        let bar = if hidden {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(limit.as_millis() as u64)
        };
        if let Ok(style) = ProgressStyle::with_template("[{wide_bar}] {msg}") {
            bar.set_style(style);
        }
        let ticking = bar.clone();
        let ticker = tokio::spawn(async move {
            let started = Instant::now();
            let ticks = limit.as_millis() / TICK.as_millis() + 1;
            for _ in 0..ticks {
                tokio::time::sleep(TICK).await;
                ticking.set_position(started.elapsed().as_millis() as u64);
                ticking.set_message(format!("{} requests", api.stats.total()));
            }
        });
        Progress { bar, ticker }
    }

    pub fn finish(self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}
