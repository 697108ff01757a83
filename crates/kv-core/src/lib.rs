//! The HTTP pipeline of the Key Vault clients: credentials, challenge authentication, token
//! cache, retries, TLS, logging, paging and long-running operations.
//!
//! A client builds one [`Pipeline`] from an `Arc<dyn TokenCredential>` (`azure_core`'s trait,
//! so any `azure_identity` credential) and
//! [`ClientOptions`], and sends [`Request`]s through it. The pipeline:
//!
//! - learns the vault's tenant and resource from its 401 challenge (checking the resource is
//!   the vault's domain), caches it per vault and attaches bearer tokens, fetched once for
//!   any number of concurrent requests and refreshed before expiry;
//! - retries 408, 429, 5xx and connection failures with exponential backoff and jitter,
//!   honouring `Retry-After`, bounded by count and total time, each try with a timeout;
//! - refuses to send a token over plain http;
//! - adds `x-ms-client-request-id`, `User-Agent: keyvault-rs/<version>` and `api-version`;
//! - logs each request with `tracing` (method, URL without query, status, duration,
//!   retries), never headers or bodies;
//! - when [`ClientOptions::trace_context`] is set, sends the current span's W3C
//!   `traceparent` ([`TraceContext`]).
//!
//! TLS is rustls on aws-lc-rs with the platform's roots, plus any CA certificate in
//! [`ClientOptions::extra_ca_certificates_pem`]. Listings are [`Pager`]s, long-running
//! operations [`Poller`]s, and every failure is one [`Error`] matched through [`ErrorKind`].
//! Clients send through an [`Endpoint`] (vault URL + pipeline). Tests of code built on the
//! pipeline use `test_util::FakeTransport` (the `test-util` feature, for
//! `[dev-dependencies]` only).
//!
//! ```no_run
//! # async fn demo() -> kv_core::Result<()> {
//! use std::sync::Arc;
//! use kv_core::{ClientOptions, ErrorKind, Pipeline, Request, StaticTokenCredential};
//!
//! let pipeline = Pipeline::new(
//!     Arc::new(StaticTokenCredential::new("token")),
//!     ClientOptions { extra_ca_certificates_pem: vec![std::fs::read("cert.pem").unwrap()], ..Default::default() },
//! )?;
//! let url = "https://localhost:8443/keys/missing".parse().expect("valid URL");
//! match pipeline.send(Request::new(http::Method::GET, url)).await {
//!     Err(e) if e.kind() == &ErrorKind::ResourceNotFound => println!("{:?}", e.error_code()),
//!     other => println!("{:?}", other.map(|r| r.status())),
//! }
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod credential;
mod endpoint;
mod error;
mod options;
mod pager;
mod pipeline;
mod policy;
mod poller;
mod redact;
mod retry_after;
#[cfg(any(test, feature = "test-util"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;
mod token_cache;
mod trace_context;
pub mod transport;

pub use credential::{ChallengeTenant, Secret, StaticTokenCredential, TokenCredential};
pub use endpoint::Endpoint;
pub use error::{Error, ErrorKind, Result};
pub use options::{ClientOptions, RetryOptions};
pub use pager::Pager;
pub use pipeline::{Pipeline, PipelineBuilder};
pub use poller::{ContinuationToken, PollStep, Poller, PollerOptions, PollerStatus};
pub use trace_context::{TraceContext, TraceContextSource};
pub use transport::{HttpClient, Request, ReqwestClient, Response};

/// The HTTP vocabulary of [`Request`] and [`Response`].
pub use http::{HeaderMap, HeaderValue, Method, StatusCode};

/// `azure_core`, whose credential trait and error type the clients speak at their edges.
pub use azure_core;

/// Re-exported so callers need not depend on `kv-protocol` for paging and versions.
pub use kv_protocol::{ApiVersion, Page};
