//! The pipeline: every request of a client goes through it.

use std::{fmt, sync::Arc};

use http::HeaderValue;
use kv_protocol::ApiVersion;
use tokio::time::Instant;
use tracing::Instrument;

#[cfg(test)]
mod redaction_tests;
#[cfg(test)]
mod retry_tests;
#[cfg(test)]
mod test_server;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use crate::{
    Result,
    credential::TokenCredential,
    options::{ClientOptions, RetryOptions},
    policy::{challenge_auth::ChallengeAuthPolicy, logging, request_id, retry},
    trace_context::{self, TraceContextSource},
    transport::{HttpClient, Request, ReqwestClient, Response},
};

/// Sends requests to a vault: adds the request id, user agent and `api-version`, retries,
/// answers the authentication challenge, attaches tokens and logs.
///
/// Policies run in one fixed order: (1) request id, `User-Agent` and `api-version`, once per
/// call, with the caller's `traceparent` when [`ClientOptions::trace_context`] is set; (2) retries, each try bounded by the per-try timeout; (3) challenge authentication
/// and the bearer token, per try; (4) a log event per request on the wire; (5) the transport.
///
/// Cheap to clone: clones share the token cache, the challenge cache and the connections.
///
/// ```no_run
/// # async fn demo() -> kv_core::Result<()> {
/// use std::sync::Arc;
/// use kv_core::{ClientOptions, Pipeline, Request, StaticTokenCredential};
/// let credential = Arc::new(StaticTokenCredential::new("token"));
/// let pipeline = Pipeline::new(credential, ClientOptions::default())?;
/// let url = "https://myvault.vault.azure.net/keys".parse().expect("valid URL");
/// let response = pipeline.send(Request::new(http::Method::GET, url)).await?;
/// println!("{}", response.status());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pipeline {
    inner: Arc<Inner>,
}

struct Inner {
    transport: logging::LoggedTransport,
    auth: ChallengeAuthPolicy,
    retry: RetryOptions,
    user_agent: HeaderValue,
    api_version: ApiVersion,
    trace_context: Option<Arc<dyn TraceContextSource>>,
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("api_version", &self.inner.api_version)
            .field("retry", &self.inner.retry)
            .field("transport", &self.inner.transport)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline with `options`.
    ///
    /// # Errors
    /// See [`PipelineBuilder::build`].
    pub fn new(credential: Arc<dyn TokenCredential>, options: ClientOptions) -> Result<Self> {
        Self::builder(credential).options(options).build()
    }

    /// A builder, for the rarely needed settings.
    pub fn builder(credential: Arc<dyn TokenCredential>) -> PipelineBuilder {
        PipelineBuilder {
            credential,
            options: ClientOptions::default(),
            allow_http: false,
        }
    }

    /// The `api-version` this pipeline sends.
    pub fn api_version(&self) -> &ApiVersion {
        &self.inner.api_version
    }

    /// Sends `request` and returns the response when its status is 2xx.
    ///
    /// # Errors
    /// An [`Error`](crate::Error) for a non-2xx status (kind from the status, code and
    /// message from the service's error body), a transport failure, a timeout, a credential
    /// failure or a refused challenge.
    pub async fn send(&self, request: Request) -> Result<Response> {
        self.send_raw(request).await?.error_for_status()
    }

    /// Sends `request` and returns the response whatever its status (for raw requests).
    ///
    /// # Errors
    /// As [`Pipeline::send`], except that a non-2xx status is not an error.
    pub async fn send_raw(&self, mut request: Request) -> Result<Response> {
        let inner = &*self.inner;
        request_id::apply(&mut request, &inner.user_agent, inner.api_version.as_str());
        if let Some(source) = &inner.trace_context {
            trace_context::apply(&mut request, source.as_ref());
        }
        // Attribute names of the Azure SDKs' distributed tracing; the service's request id is
        // recorded once an answer carries one (here and in the client operation's span).
        let client_request_id = request
            .headers()
            .get(&request_id::CLIENT_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let span = tracing::debug_span!(
            "keyvault.request",
            method = %request.method(),
            url = %crate::redact::redacted_url(request.url()),
            az.namespace = "Microsoft.KeyVault",
            az.client_request_id = %client_request_id,
            az.service_request_id = tracing::field::Empty,
            api_version = inner.api_version.as_str(),
        );
        let operation = tracing::Span::current();
        operation.record("az.client_request_id", client_request_id.as_str());
        operation.record("api_version", inner.api_version.as_str());
        async move {
            let start = Instant::now();
            let replay_safe = retry::replay_safe(request.method(), request.url().path());
            let (outcome, retries) = retry::run(&inner.retry, replay_safe, |_| {
                inner.auth.send(&inner.transport, request.clone())
            })
            .await;
            let duration_ms = start.elapsed().as_millis() as u64;
            let service_request_id = match &outcome {
                Ok(response) => response
                    .headers()
                    .get("x-ms-request-id")
                    .and_then(|v| v.to_str().ok()),
                Err(error) => error.request_id(),
            };
            if let Some(id) = service_request_id {
                tracing::Span::current().record("az.service_request_id", id);
                operation.record("az.service_request_id", id);
            }
            match &outcome {
                Ok(response) => tracing::debug!(
                    status = response.status().as_u16(),
                    retries,
                    duration_ms,
                    "request completed"
                ),
                Err(error) => tracing::debug!(
                    retries,
                    duration_ms,
                    error = %error,
                    "request failed"
                ),
            }
            outcome
        }
        .instrument(span)
        .await
    }
}

/// Builds a [`Pipeline`].
#[must_use]
pub struct PipelineBuilder {
    credential: Arc<dyn TokenCredential>,
    options: ClientOptions,
    allow_http: bool,
}

impl fmt::Debug for PipelineBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipelineBuilder")
            .field("options", &self.options)
            .field("allow_http", &self.allow_http)
            .finish_non_exhaustive()
    }
}

impl PipelineBuilder {
    /// Uses `options`.
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Allows sending bearer tokens over plain `http` (default `false`).
    ///
    /// # Security
    /// A token sent over http can be read by anyone on the path. This exists for tests
    /// against a local server; never turn it on for a real vault.
    pub fn danger_allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Builds the pipeline.
    ///
    /// # Errors
    /// [`InvalidArgument`](crate::ErrorKind::InvalidArgument) for an extra CA certificate
    /// that is not valid PEM, [`Transport`](crate::ErrorKind::Transport) if the HTTP client
    /// cannot be set up.
    pub fn build(self) -> Result<Pipeline> {
        let ClientOptions {
            api_version,
            verify_challenge_resource,
            retry,
            extra_ca_certificates_pem,
            user_agent_suffix,
            transport,
            trace_context,
        } = self.options;
        let transport: Arc<dyn HttpClient> = match transport {
            Some(t) => t,
            None => Arc::new(ReqwestClient::new(&extra_ca_certificates_pem)?),
        };
        if self.allow_http {
            tracing::warn!("bearer tokens may be sent over plain http (danger_allow_http)");
        }
        Ok(Pipeline {
            inner: Arc::new(Inner {
                transport: logging::LoggedTransport { inner: transport },
                auth: ChallengeAuthPolicy::new(
                    self.credential,
                    verify_challenge_resource,
                    self.allow_http,
                ),
                retry,
                user_agent: request_id::user_agent(user_agent_suffix.as_deref()),
                api_version,
                trace_context,
            }),
        })
    }
}
