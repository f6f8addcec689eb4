//! Running a node: the HTTP server and its background jobs, until told to stop. Tests and the
//! binary share this one path.
//!
//! Connections are served by hyper directly (not `axum::serve`) for what axum does not
//! expose: a header-read timeout, so that a client sending its headers slowly cannot keep a
//! connection open. Every request carries `ConnectInfo<SocketAddr>`, the peer's address.

use crate::app::App;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// Serves `router` (over `app`) on `listener` until `shutdown` completes, then drains (see
/// `serve`), stops the jobs between two of their passes and closes the database pools.
pub async fn run(
    listener: TcpListener,
    router: Router,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_jobs, jobs_stopped) = watch::channel(false);
    let sweeper = tokio::spawn(crate::jobs::sweep_expired_holds(
        app.clone(),
        jobs_stopped.clone(),
    ));
    let reconciler = tokio::spawn(crate::jobs::reconcile_payments(
        app.clone(),
        jobs_stopped.clone(),
    ));
    let housekeeper = tokio::spawn(crate::jobs::housekeeping(app.clone(), jobs_stopped.clone()));
    let mailer = tokio::spawn(crate::mail::deliver_mail(app.clone(), jobs_stopped.clone()));
    let reminder = tokio::spawn(crate::jobs::queue_reminders(
        app.clone(),
        jobs_stopped.clone(),
    ));
    let searching = tokio::spawn(crate::search::keep_fresh(app.clone(), jobs_stopped.clone()));
    let upkeep = tokio::spawn(crate::jobs::metrics_upkeep(jobs_stopped));
    serve(listener, router, app.clone(), shutdown).await;
    let _ = stop_jobs.send(true);
    let _ = sweeper.await;
    let _ = reconciler.await;
    let _ = housekeeper.await;
    let _ = mailer.await;
    let _ = reminder.await;
    let _ = searching.await;
    let _ = upkeep.await;
    app.store().close().await;
    Ok(())
}

/// Serves HTTP on `listener` until `shutdown` completes, then drains: `/readyz` answers 503
/// at once (so a load balancer stops sending requests here), requests in flight finish,
/// idle connections close, and connections made meanwhile are answered one request each.
/// Returns when every connection has closed, or after `shutdown_grace` at the latest.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(app.config().header_read_timeout);
    // Each connection holds a receiver: it learns of the drain from it, and the drain is
    // over when every connection has dropped its receiver.
    let (drain, _) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => connect(accepted, &http, &router, &drain).await,
            () = &mut shutdown => break,
        }
    }
    app.start_draining();
    let _ = drain.send(true);
    http.keep_alive(false);
    tracing::info!(
        connections = drain.receiver_count(),
        "shutting down: finishing the requests in flight"
    );
    let mut grace = pin!(tokio::time::sleep(app.config().shutdown_grace));
    loop {
        tokio::select! {
            accepted = listener.accept() => connect(accepted, &http, &router, &drain).await,
            () = drain.closed() => break,
            () = &mut grace => {
                tracing::warn!(
                    connections = drain.receiver_count(),
                    "the shutdown grace time is over; closing the connections still open"
                );
                break;
            }
        }
    }
}

/// Serves one accepted connection on a task of its own. An accept that failed (out of file
/// descriptors, say) is logged and waited out briefly rather than ending the server.
async fn connect(
    accepted: std::io::Result<(TcpStream, SocketAddr)>,
    http: &http1::Builder,
    router: &Router,
    drain: &watch::Sender<bool>,
) {
    let (stream, peer) = match accepted {
        Ok(accepted) => accepted,
        Err(error) => {
            tracing::warn!(%error, "accepting a connection failed");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            return;
        }
    };
    let _ = stream.set_nodelay(true);
    let service = router
        .clone()
        .map_request(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        });
    let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
    let mut draining = drain.subscribe();
    tokio::spawn(async move {
        let mut connection = pin!(connection);
        let mut told = *draining.borrow_and_update();
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(error) = served {
                        tracing::debug!(%error, %peer, "a connection ended with an error");
                    }
                    break;
                }
                Ok(()) = draining.changed(), if !told => {
                    // Finish the request in flight, if any, then close.
                    connection.as_mut().graceful_shutdown();
                    told = true;
                }
            }
        }
        drop(draining);
    });
}
