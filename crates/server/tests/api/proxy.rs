//! A TCP proxy a test puts between the app and PostgreSQL, to take the database away
//! (`cut`: open connections are dropped and new ones refused) and give it back (`restore`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

pub struct Proxy {
    pub address: SocketAddr,
    upstream: SocketAddr,
    accepting: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    /// A proxy on a port of its own, passing connections on to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let proxy = Proxy {
            address: listener.local_addr().expect("an address"),
            upstream,
            accepting: Mutex::new(None),
            connections: Arc::default(),
        };
        proxy.accept_on(listener);
        proxy
    }

    fn accept_on(&self, listener: TcpListener) {
        let (upstream, connections) = (self.upstream, self.connections.clone());
        let accepting = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                let piping = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                connections
                    .lock()
                    .expect("not poisoned")
                    .push(piping.abort_handle());
            }
        });
        *self.accepting.lock().expect("not poisoned") = Some(accepting);
    }

    /// The database is gone: every open connection is dropped, new ones are refused.
    pub fn cut(&self) {
        if let Some(accepting) = self.accepting.lock().expect("not poisoned").take() {
            accepting.abort();
        }
        for connection in self.connections.lock().expect("not poisoned").drain(..) {
            connection.abort();
        }
    }

    /// The database is back, on the same address.
    pub async fn restore(&self) {
        let listener = TcpListener::bind(self.address)
            .await
            .expect("the proxy's port again");
        self.accept_on(listener);
    }

    /// `url` (a PostgreSQL URL) going through this proxy instead of to its own host and port.
    pub fn url_through(&self, url: &str) -> String {
        let authority = url.find("://").map_or(0, |at| at + 3);
        let rest = &url[authority..];
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let host_start = rest[..end].rfind('@').map_or(0, |at| at + 1);
        format!(
            "{}{}{}{}",
            &url[..authority],
            &rest[..host_start],
            self.address,
            &rest[end..]
        )
    }
}

/// Where a PostgreSQL URL points: its host (an address) and port (5432 when not given).
pub fn address_of(url: &str) -> SocketAddr {
    let authority = url.find("://").map_or(0, |at| at + 3);
    let rest = &url[authority..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host_start = rest[..end].rfind('@').map_or(0, |at| at + 1);
    let host = &rest[host_start..end];
    let with_port = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    with_port
        .parse()
        .unwrap_or_else(|_| panic!("the tests' PostgreSQL must be named by address: {url}"))
}
