//! Prometheus metrics. Code counts through the `metrics` facade (`metrics::counter!` and
//! friends, every name `marquee_*`); this module installs the recorder behind it, once per
//! process, and renders what it holds for `/metrics`.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Request latencies, in seconds: from a cached read to a request timeout.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Holds per batch, up to the hold queue's largest.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// The process's recorder, installed on first use. Every `App` of a process shares it (tests
/// make many): counters are the process's, not an app's. `None` when some other recorder was
/// installed first.
pub fn handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(install).clone()
}

fn install() -> Option<PrometheusHandle> {
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("marquee_http_request_duration_seconds".into()),
            LATENCY_BUCKETS,
        )
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("marquee_hold_batch_size".into()),
                BATCH_BUCKETS,
            )
        });
    let recorder = match builder {
        Ok(builder) => builder.build_recorder(),
        Err(error) => {
            tracing::error!(%error, "the metrics recorder is misconfigured; no metrics");
            return None;
        }
    };
    let handle = recorder.handle();
    match metrics::set_global_recorder(recorder) {
        Ok(()) => {
            describe();
            Some(handle)
        }
        Err(_) => {
            tracing::warn!("another metrics recorder is installed; /metrics stays empty");
            None
        }
    }
}

/// The `# HELP` line of each metric.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "marquee_http_requests_total",
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        "marquee_http_request_duration_seconds",
        Unit::Seconds,
        "How long HTTP requests took, by method, route template and status"
    );
    describe_counter!("marquee_holds_made_total", "Holds committed");
    describe_counter!(
        "marquee_holds_refused_total",
        "Holds not made, by reason (seats_unavailable, too_late, abandoned...)"
    );
    describe_gauge!("marquee_hold_queue_depth", "Holds waiting to be decided");
    describe_histogram!("marquee_hold_batch_size", "Holds decided per transaction");
    describe_counter!(
        "marquee_bookings_confirmed_total",
        "Bookings paid and confirmed"
    );
    describe_counter!("marquee_refunds_total", "Payments refunded");
    describe_counter!(
        "marquee_webhook_events_total",
        "Payment gateway webhook events, by outcome"
    );
    describe_gauge!(
        "marquee_reconciliation_backlog",
        "Open payments the last reconciliation pass found to settle"
    );
    describe_gauge!(
        "marquee_db_connections",
        "Database connections, by pool and state (in_use, idle)"
    );
}

/// Keeps the recorder's memory bounded when no one scrapes `/metrics` (histogram samples
/// wait in buffers until then).
pub fn upkeep() {
    if let Some(handle) = handle() {
        handle.run_upkeep();
    }
}
