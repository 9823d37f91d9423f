//! A loopback push service for the benchmark: answers every push with 201, counts them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::routing::post;
use tokio::net::TcpListener;

/// Serves `POST /push/{id}` → 201 until `shutdown` resolves; prints its address first.
pub async fn run(
    listen: std::net::SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<u64> {
    let listener = TcpListener::bind(listen).await?;
    println!("{}", listener.local_addr()?);
    let received = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&received);
    let app = Router::new().route(
        "/push/{id}",
        post(move |body: axum::body::Bytes| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                drop(body);
                (StatusCode::CREATED, [(header::LOCATION, "/m/1")])
            }
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(received.load(Ordering::Relaxed))
}
