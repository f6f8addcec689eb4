//! The README's first command, as a newcomer runs it: `marquee serve --demo` on an empty
//! directory answers with the demo catalog. Runs the real binary and talks HTTP over a socket.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

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
    let dir = common::TempDir::new("serve-test");
    let server = common::serve(&dir.0, &["--demo"]);
    let address = server.address.clone();

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
        dir.0.join("marquee.db").exists(),
        "the SQLite file is created in the working directory"
    );
}

/// A client that starts a request and never finishes its headers is cut off after
/// `--header-read-timeout`, instead of holding a connection open for ever.
#[test]
fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let dir = common::TempDir::new("slow-headers");
    let server = common::serve(&dir.0, &["--demo", "--header-read-timeout", "1s"]);
    let mut stream = TcpStream::connect(&server.address).expect("connect");
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: marquee\r\n").expect("write");
    // Far longer than the timeout: a server that waited for ever would leave this read
    // waiting until it gives up with an error of its own.
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the connection was still open: {e}"),
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}
