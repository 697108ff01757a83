//! Options of the pipeline: [`ClientOptions`] and [`RetryOptions`].

use std::{fmt, sync::Arc, time::Duration};

use kv_protocol::ApiVersion;

use crate::{trace_context::TraceContextSource, transport::HttpClient};

/// Options every Key Vault client takes.
///
/// ```
/// use std::time::Duration;
/// use kv_core::{ClientOptions, RetryOptions};
/// let options = ClientOptions {
///     retry: RetryOptions { max_retries: 5, ..Default::default() },
///     ..Default::default()
/// };
/// assert_eq!(options.api_version.as_str(), "2025-07-01");
/// assert!(options.verify_challenge_resource);
/// ```
#[derive(Clone)]
pub struct ClientOptions {
    /// The `api-version` sent with every request (default: the newest, `2025-07-01`).
    pub api_version: ApiVersion,
    /// Check that the resource named by the authentication challenge is the vault's own
    /// domain (default `true`). Turn off only for a vault behind a custom domain.
    pub verify_challenge_resource: bool,
    /// Retry behaviour.
    pub retry: RetryOptions,
    /// PEM bundles of CA certificates to trust besides the platform's roots (for example the
    /// emulator's `cert.pem`). Ignored when `transport` is set.
    pub extra_ca_certificates_pem: Vec<Vec<u8>>,
    /// Text appended to the `User-Agent` (`keyvault-rs/<version> <suffix>`).
    pub user_agent_suffix: Option<String>,
    /// The transport; `None` builds a [`ReqwestClient`](crate::ReqwestClient).
    pub transport: Option<Arc<dyn HttpClient>>,
    /// Where to read the current span's W3C trace context, sent as a `traceparent` header
    /// so the service's logs join the caller's distributed trace. `None` (the default)
    /// sends no header. See [`TraceContextSource`] for an OpenTelemetry source.
    pub trace_context: Option<Arc<dyn TraceContextSource>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            api_version: ApiVersion::LATEST,
            verify_challenge_resource: true,
            retry: RetryOptions::default(),
            extra_ca_certificates_pem: Vec::new(),
            user_agent_suffix: None,
            transport: None,
            trace_context: None,
        }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_version", &self.api_version)
            .field("verify_challenge_resource", &self.verify_challenge_resource)
            .field("retry", &self.retry)
            .field(
                "extra_ca_certificates",
                &self.extra_ca_certificates_pem.len(),
            )
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("transport", &self.transport)
            .field("trace_context", &self.trace_context.is_some())
            .finish()
    }
}

/// When and how often to retry.
///
/// Retried: 408, 429, 5xx (but 501 and 505), connection failures and per-try timeouts.
/// Never retried: 400, 401 (after the challenge), 403, 404, 409 and other 4xx. The wait is
/// the service's `Retry-After` when it gives one, else exponential backoff with jitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryOptions {
    /// Retries after the first try (default 3, so at most 4 tries).
    pub max_retries: u32,
    /// The first backoff (default 800 ms); each further one doubles, with ±20 % jitter.
    pub initial_delay: Duration,
    /// The longest backoff (default 60 s). A service's `Retry-After` is honoured as given,
    /// within `max_elapsed`.
    pub max_delay: Duration,
    /// The longest time spent on one call, tries and waits together (default 5 min). A wait
    /// that would end past it is not started.
    pub max_elapsed: Duration,
    /// The longest one try may take (default 100 s, as the official SDKs).
    pub try_timeout: Duration,
}

impl Default for RetryOptions {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_delay: Duration::from_millis(800),
            max_delay: Duration::from_secs(60),
            max_elapsed: Duration::from_secs(300),
            try_timeout: Duration::from_secs(100),
        }
    }
}

impl RetryOptions {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }
}
