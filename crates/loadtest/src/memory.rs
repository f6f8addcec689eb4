//! The server's resident memory during the measured phase: how much a load costs in RAM, read
//! from Linux's /proc (VmRSS) every 100 ms. Elsewhere, or without the rights, it is unknown.

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

#[derive(Debug, Serialize)]
pub struct Memory {
    pub pid: u32,
    pub start_kib: u64,
    pub peak_kib: u64,
    pub end_kib: u64,
    pub samples: u64,
}

impl Memory {
    fn add(&mut self, kib: u64) {
        self.peak_kib = self.peak_kib.max(kib);
        self.end_kib = kib;
        self.samples += 1;
    }
}

/// The report's line, also when nothing could be read.
pub fn line(memory: Option<&Memory>) -> String {
    let mib = |kib: u64| kib as f64 / 1024.0;
    match memory {
        Some(m) => format!(
            "server memory (pid {}): start {:.1} MiB, peak {:.1} MiB, end {:.1} MiB ({} samples)",
            m.pid,
            mib(m.start_kib),
            mib(m.peak_kib),
            mib(m.end_kib),
            m.samples
        ),
        None => "server memory: unknown (pass --server-pid)".into(),
    }
}

/// Samples a process's resident memory in the background until `finish`.
pub struct Sampler {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Option<Memory>>,
}

impl Sampler {
    /// Starts sampling `pid`, if known, every 100 ms for at most `limit`: the longest the
    /// measured phase can last.
    pub fn start(pid: Option<u32>, limit: Duration) -> Sampler {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let pid = pid?;
            let first = rss_kib(pid)?;
            let mut memory = Memory {
                pid,
                start_kib: first,
                peak_kib: first,
                end_kib: first,
                samples: 1,
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
    pub async fn finish(self) -> Option<Memory> {
        // The task may have stopped by itself at its limit; then nobody listens, which is fine.
        let _ = self.stop.send(());
        let mut memory = self.task.await.ok()??;
        if let Some(kib) = rss_kib(memory.pid) {
            memory.add(kib);
        }
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
        let memory = sampler.finish().await.unwrap();
        assert!(memory.samples >= 3, "{memory:?}");
        assert!(memory.start_kib > 0 && memory.peak_kib >= memory.end_kib);
    }
}
