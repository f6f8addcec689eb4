//! Latency histograms and answer counts per kind of request.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
pub struct Stats {
    kinds: Mutex<BTreeMap<&'static str, Kind>>,
}

struct Kind {
    micros: Histogram<u64>,
    ok: u64,
    conflicts: u64,
    errors: u64,
}

#[derive(Debug, Serialize)]
pub struct KindSummary {
    pub kind: &'static str,
    pub requests: u64,
    pub ok: u64,
    pub conflicts: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Stats {
    /// Records one answer: `status` 2xx is ok, 409 a conflict, anything else (or none) an error.
    pub fn record(&self, kind: &'static str, took: Duration, status: Option<u16>) {
        let mut kinds = self.kinds.lock().unwrap_or_else(|p| p.into_inner());
        let entry = kinds.entry(kind).or_insert_with(|| Kind {
            // 1 µs to 60 s at 3 significant digits.
            micros: Histogram::new_with_bounds(1, 60_000_000, 3).expect("constant, valid bounds"),
            ok: 0,
            conflicts: 0,
            errors: 0,
        });
        let _ = entry
            .micros
            .record((took.as_micros() as u64).clamp(1, 60_000_000));
        match status {
            Some(200..=299) => entry.ok += 1,
            Some(409) => entry.conflicts += 1,
            _ => entry.errors += 1,
        }
    }

    /// Requests recorded so far, of every kind.
    pub fn total(&self) -> u64 {
        let kinds = self.kinds.lock().unwrap_or_else(|p| p.into_inner());
        kinds.values().map(|k| k.micros.len()).sum()
    }

    pub fn summary(&self, elapsed: Duration) -> Vec<KindSummary> {
        let kinds = self.kinds.lock().unwrap_or_else(|p| p.into_inner());
        let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        kinds
            .iter()
            .map(|(kind, k)| KindSummary {
                kind,
                requests: k.micros.len(),
                ok: k.ok,
                conflicts: k.conflicts,
                errors: k.errors,
                per_second: k.micros.len() as f64 / elapsed.as_secs_f64().max(1e-9),
                p50_ms: ms(&k.micros, 0.50),
                p90_ms: ms(&k.micros, 0.90),
                p99_ms: ms(&k.micros, 0.99),
                max_ms: k.micros.max() as f64 / 1000.0,
            })
            .collect()
    }
}

pub fn print_table(rows: &[KindSummary]) {
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "request", "count", "ok", "409", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for r in rows {
        println!(
            "{:<16} {:>9} {:>9} {:>9} {:>7} {:>10.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            r.kind,
            r.requests,
            r.ok,
            r.conflicts,
            r.errors,
            r.per_second,
            r.p50_ms,
            r.p90_ms,
            r.p99_ms,
            r.max_ms
        );
    }
}
