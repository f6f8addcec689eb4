//! Running a node: the HTTP server and its background jobs, until told to stop. Tests and the
//! binary share this one path.

use crate::app::App;
use std::future::Future;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in
/// flight and stops the jobs.
pub async fn run(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_jobs, jobs_stopped) = watch::channel(false);
    let sweeper = tokio::spawn(crate::jobs::sweep_expired_holds(
        app.clone(),
        jobs_stopped.clone(),
    ));
    let reconciler = tokio::spawn(crate::jobs::reconcile_payments(app.clone(), jobs_stopped));
    // The peer's address reaches each request (`ConnectInfo`), for the rate limits.
    let router =
        crate::http::router(app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_jobs.send(true);
    let _ = sweeper.await;
    let _ = reconciler.await;
    served
}
