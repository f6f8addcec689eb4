//! The README's first command, as a newcomer runs it: `marquee serve --demo` on an empty
//! directory answers with the demo catalog. Runs the real binary and talks HTTP over a socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, passed or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_demo_starts_on_an_empty_directory_and_answers_with_the_demo_catalog() {
    let dir = std::env::temp_dir().join(format!("marquee-serve-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("MARQUEE_DATABASE_URL")
        .env("MARQUEE_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("marquee starts");
    let stdout = child.stdout.take().expect("stdout");
    let _server = Server(child);

    // The log line says where it listens; bounded wait for it.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut address = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a log line");
        if let Some(rest) = line.split("address=").nth(1) {
            address = rest.split_whitespace().next().map(str::to_string);
            break;
        }
        assert!(Instant::now() < deadline, "no 'serving' line in time");
    }
    let address = address.expect("the server said where it listens");

    let (status, body) = get(&address, "/healthz");
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (status, body) = get(&address, "/api/v1/cities");
    assert_eq!(status, 200);
    for city in ["London", "New York", "Berlin"] {
        assert!(body.contains(city), "{city} missing from {body}");
    }
    let (status, body) = get(&address, "/api/v1/events?city=Berlin");
    assert_eq!(status, 200);
    assert!(body.contains("\"synopsis\""), "{body}");
    assert!(
        dir.join("marquee.db").exists(),
        "the SQLite file is created in the working directory"
    );
    drop(_server);
    let _ = std::fs::remove_dir_all(&dir);
}
