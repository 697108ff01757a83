//! Logging: one `tracing` event per request on the wire, one per call.
//!
//! Only the method, the URL without its query (which may hold a `$skiptoken`), the status,
//! the duration and the try are recorded: never headers (`Authorization`) or bodies.

use std::{fmt, sync::Arc};

use crate::{
    Result,
    redact::redacted_url,
    transport::{HttpClient, Request, Response},
};
use async_trait::async_trait;
use tokio::time::Instant;

/// The transport with a log event around each request.
pub(crate) struct LoggedTransport {
    pub(crate) inner: Arc<dyn HttpClient>,
}

impl fmt::Debug for LoggedTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoggedTransport")
            .field("inner", &self.inner)
            .finish()
    }
}

#[async_trait]
impl HttpClient for LoggedTransport {
    async fn execute(&self, request: Request) -> Result<Response> {
        let method = request.method().clone();
        let url = redacted_url(request.url());
        let authorized = request.headers().contains_key(http::header::AUTHORIZATION);
        let start = Instant::now();
        let outcome = self.inner.execute(request).await;
        let duration_ms = start.elapsed().as_millis() as u64;
        match &outcome {
            Ok(response) => tracing::debug!(
                %method, %url, authorized, status = response.status().as_u16(), duration_ms,
                "response received"
            ),
            Err(error) => tracing::debug!(
                %method, %url, authorized, duration_ms, error = %error, "request failed"
            ),
        }
        outcome
    }
}
