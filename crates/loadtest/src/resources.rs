//! What the measured phase cost the machine: the server's resident memory, read from Linux's
//! /proc (VmRSS) every 100 ms, and the CPU time the server and the load generator each used
//! (they share the machine, so a heavy generator slows the server it measures). Elsewhere,
//! or without the rights, it is unknown.

use serde::Serialize;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

const PERIOD: Duration = Duration::from_millis(100);
/// TCP state `LISTEN` in /proc/net/tcp.
const LISTEN: &str = "0A";

/// The process listening on `port` on this machine: the LISTEN socket's inode from
/// /proc/net/tcp{,6}, then the process with that socket among its open files.
pub fn listener_pid(port: u16) -> Option<u32> {
    let sockets: Vec<String> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|table| listening_inodes(&table, port))
        .map(|inode| format!("socket:[{inode}]"))
        .collect();
    if sockets.is_empty() {
        return None;
    }
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|process| {
            let pid = process.file_name().to_str()?.parse::<u32>().ok()?;
            let mut fds = std::fs::read_dir(process.path().join("fd")).ok()?;
            fds.any(|fd| {
                fd.and_then(|fd| std::fs::read_link(fd.path()))
                    .is_ok_and(|link| sockets.iter().any(|s| link.as_os_str() == s.as_str()))
            })
            .then_some(pid)
        })
}

/// The inodes of the LISTEN sockets on `port` in a /proc/net/tcp table (any address).
fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local_port = u16::from_str_radix(fields.get(1)?.rsplit(':').next()?, 16).ok()?;
            let inode = fields.get(9)?.parse::<u64>().ok()?;
            (local_port == port && *fields.get(3)? == LISTEN && inode != 0).then_some(inode)
        })
        .collect()
}

/// Resident memory of `pid` in KiB, or `None` when it cannot be read.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// CPU time a process has used so far, user and system, in seconds: /proc/<pid>/stat's utime
/// and stime, counted in the kernel's USER_HZ (100 a second on Linux).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

#[derive(Debug, Serialize)]
pub struct Usage {
    pub pid: u32,
    pub start_kib: u64,
    pub peak_kib: u64,
    pub end_kib: u64,
    pub samples: u64,
    /// CPU seconds the server used during the measured phase.
    pub server_cpu_seconds: f64,
    /// CPU seconds this load generator used during the measured phase.
    pub load_generator_cpu_seconds: f64,
    #[serde(skip)]
    cpu_at_start: (f64, f64),
}

impl Usage {
    fn add(&mut self, kib: u64) {
        self.peak_kib = self.peak_kib.max(kib);
        self.end_kib = kib;
        self.samples += 1;
    }
}

/// The report's line, also when nothing could be read.
pub fn line(usage: Option<&Usage>) -> String {
    let mib = |kib: u64| kib as f64 / 1024.0;
    match usage {
        Some(u) => format!(
            "server memory (pid {}): start {:.1} MiB, peak {:.1} MiB, end {:.1} MiB ({} samples); CPU seconds: server {:.2}, load generator {:.2}",
            u.pid,
            mib(u.start_kib),
            mib(u.peak_kib),
            mib(u.end_kib),
            u.samples,
            u.server_cpu_seconds,
            u.load_generator_cpu_seconds,
        ),
        None => "server memory: unknown (pass --server-pid)".into(),
    }
}

/// Samples a process's resident memory in the background until `finish`.
pub struct Sampler {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Option<Usage>>,
}

impl Sampler {
    /// Starts sampling `pid`, if known, every 100 ms for at most `limit`: the longest the
    /// measured phase can last.
    pub fn start(pid: Option<u32>, limit: Duration) -> Sampler {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let pid = pid?;
            let first = rss_kib(pid)?;
            let mut memory = Usage {
                pid,
                start_kib: first,
                peak_kib: first,
                end_kib: first,
                samples: 1,
                server_cpu_seconds: 0.0,
                load_generator_cpu_seconds: 0.0,
                cpu_at_start: (
                    cpu_seconds(pid).unwrap_or_default(),
                    cpu_seconds(std::process::id()).unwrap_or_default(),
                ),
            };
            let mut tick = tokio::time::interval(PERIOD);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let most = limit.as_millis() / PERIOD.as_millis() + 1;
            for _ in 0..most {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tick.tick() => {
                        if let Some(kib) = rss_kib(pid) {
                            memory.add(kib);
                        }
                    }
                }
            }
            Some(memory)
        });
        Sampler { stop, task }
    }

    /// Stops sampling and takes one last reading, the end figure.
    pub async fn finish(self) -> Option<Usage> {
        // The task may have stopped by itself at its limit; then nobody listens, which is fine.
        let _ = self.stop.send(());
        let mut memory = self.task.await.ok()??;
        if let Some(kib) = rss_kib(memory.pid) {
            memory.add(kib);
        }
        let (server, generator) = memory.cpu_at_start;
        memory.server_cpu_seconds = cpu_seconds(memory.pid).map_or(0.0, |now| now - server);
        memory.load_generator_cpu_seconds =
            cpu_seconds(std::process::id()).map_or(0.0, |now| now - generator);
        Some(memory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_process_listening_on_a_port() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(listener_pid(port), Some(std::process::id()));
    }

    #[test]
    fn reads_only_listening_sockets_on_the_port() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0";
        assert_eq!(listening_inodes(table, 8080), vec![4242]);
        assert_eq!(listening_inodes(table, 8081), vec![4444]);
        assert!(listening_inodes(table, 8082).is_empty());
    }

    #[tokio::test]
    async fn samples_this_process() {
        let sampler = Sampler::start(Some(std::process::id()), Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(250)).await;
        // Spin until this process has used 50 ms more CPU (at most 5 s of wall time).
        let (spun_from, deadline) = (
            cpu_seconds(std::process::id()).unwrap(),
            std::time::Instant::now() + Duration::from_secs(5),
        );
        while cpu_seconds(std::process::id()).unwrap() < spun_from + 0.05
            && std::time::Instant::now() < deadline
        {
            std::hint::black_box(spun_from);
        }
        let usage = sampler.finish().await.unwrap();
        assert!(usage.samples >= 3, "{usage:?}");
        assert!(usage.start_kib > 0 && usage.peak_kib >= usage.end_kib);
        // This process is both the "server" and the generator here.
        assert!(usage.server_cpu_seconds >= 0.05, "{usage:?}");
        assert!(
            (usage.server_cpu_seconds - usage.load_generator_cpu_seconds).abs() <= 0.02,
            "{usage:?}"
        );
    }
}
