//! Structured request logs.
//!
//! One `tracing` event per request with method, path, status and latency. Headers are never
//! logged (so neither is the `Authorization` token), and neither are query strings or
//! bodies; only whether a bearer token was present.

use std::time::Instant;

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// Middleware: logs each request once it is answered.
pub async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let authenticated = request.headers().contains_key(header::AUTHORIZATION);
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if status >= 500 {
        tracing::error!(%method, %path, status, elapsed_ms, authenticated, "request");
    } else {
        tracing::info!(%method, %path, status, elapsed_ms, authenticated, "request");
    }
    response
}
