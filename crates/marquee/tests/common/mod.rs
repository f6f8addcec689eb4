//! Running the real `marquee` binary in tests.
// Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

pub mod api;
pub mod browser;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `marquee serve` child process, killed when dropped.
pub struct Server {
    child: Child,
    pub address: String,
    /// What it logged up to the line that says where it listens.
    pub log: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The server's process id, to read its memory from /proc.
    #[allow(dead_code)] // not every test binary that shares this module reads it
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

pub fn marquee(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marquee"));
    command
        .current_dir(dir)
        .env_remove("MARQUEE_DATABASE_URL")
        .env_remove("MARQUEE_PAYMENTS")
        .env_remove("MARQUEE_ALLOW_TEST_PAYMENTS")
        .env_remove("MARQUEE_PUBLIC_URL")
        .env("MARQUEE_LOG", "info")
        .env("NO_COLOR", "1");
    command
}

/// Starts `marquee serve --bind 127.0.0.1:0 <args>` in `dir` and waits (at most two minutes)
/// for the log line that says where it listens.
pub fn serve(dir: &Path, args: &[&str]) -> Server {
    serve_with_env(dir, args, &[])
}

/// `serve` with these `MARQUEE_*` variables set.
pub fn serve_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = marquee(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("marquee starts");
    let stdout = child.stdout.take().expect("stdout");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut address = None;
    let mut log = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a log line");
        if let Some(rest) = line.split("address=").nth(1) {
            address = rest.split_whitespace().next().map(str::to_string);
            log.push(line);
            break;
        }
        log.push(line);
        assert!(Instant::now() < deadline, "no 'serving' line in time");
    }
    Server {
        child,
        address: address.expect("the server said where it listens"),
        log,
    }
}

/// Runs `marquee serve --bind <bind> <args>` in `dir`, expecting it to refuse to start:
/// answers whether it started after all (it is still running after a minute, and is then
/// killed) and what it wrote.
pub fn refused(dir: &Path, bind: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut child = marquee(dir)
        .args(["serve", "--bind", bind])
        .args(args)
        .envs(env.iter().copied())
        .env("MARQUEE_DATABASE_URL", "sqlite://refused.db")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("marquee runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    let started = loop {
        match child.try_wait().expect("its status") {
            Some(status) => break status.success(),
            None if Instant::now() > deadline => {
                let _ = child.kill();
                break true;
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let output = child.wait_with_output().expect("its output");
    let said = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (started, said)
}

/// A fresh temporary directory, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("marquee-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
