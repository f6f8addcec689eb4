//! A login flood keeps the server's memory bounded: 40 registrations at once (each an argon2
//! hash of 19 MiB working memory) against the real binary, its resident memory read from
//! /proc while they run and after. Before the fixed hasher pool, 40 at once took a node to
//! hundreds of MB that it never gave back. The figure for 500 logins is in docs/PERFORMANCE.md.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Resident memory of `pid` in MiB (Linux).
fn rss_mib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib / 1024)
}

/// Two hashers of 19 MiB each, plus what the (debug) server needs anyway.
const PEAK_MIB: u64 = 150;

#[test]
fn forty_registrations_at_once_keep_the_servers_memory_bounded() {
    if rss_mib(std::process::id()).is_none() {
        eprintln!("no /proc here: skipped");
        return;
    }
    let dir = common::TempDir::new("login-flood");
    // One address sends them all: rate limits off, as for any load test.
    let server = common::serve(
        &dir.0,
        &[
            "--payments",
            "sandbox",
            "--password-hashers",
            "2",
            "--rate-limits",
            "off",
        ],
    );
    let pid = server.pid();
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(mib) = rss_mib(pid) {
                    peak.fetch_max(mib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let statuses: Vec<u16> = runtime.block_on(async {
        let client = reqwest::Client::new();
        let url = format!("http://{}/api/v1/auth/register", server.address);
        let registrations: Vec<_> = (0..40)
            .map(|i| {
                let request = client.post(&url).json(&serde_json::json!({
                    "email": format!("flood{i}@example.com"),
                    "password": "correct horse battery",
                }));
                tokio::spawn(async move { request.send().await.map_or(0, |r| r.status().as_u16()) })
            })
            .collect();
        let mut statuses = Vec::new();
        for registration in registrations {
            statuses.push(registration.await.unwrap_or(0));
        }
        statuses
    });
    done.store(true, Ordering::Relaxed);
    sampler.join().expect("the sampler");
    let after = rss_mib(pid).expect("the server's memory");
    let peak = peak.load(Ordering::Relaxed).max(after);
    // Every one was answered: created, or told to come back when the queue was full.
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&201), "{statuses:?}");
    println!("server memory: peak {peak} MiB, after {after} MiB; {statuses:?}");
    assert!(peak < PEAK_MIB, "peak {peak} MiB, after {after} MiB");
}
