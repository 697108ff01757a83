//! The default transport: reqwest with rustls on aws-lc-rs and the platform's roots.

use async_trait::async_trait;

use super::{HttpClient, Request, Response};
use crate::{Error, ErrorKind, Result};

/// [`HttpClient`] over `reqwest` (rustls with the aws-lc-rs provider; the platform's
/// certificate roots, plus any extra CA certificates given).
///
/// Cheap to clone: clones share one connection pool. Redirects are not followed.
#[derive(Clone, Debug)]
pub struct ReqwestClient {
    client: reqwest::Client,
}

impl ReqwestClient {
    /// A client that trusts the platform's roots and the CA certificates in each PEM bundle
    /// of `extra_ca_pem` (for example the emulator's `cert.pem`).
    ///
    /// # Errors
    /// [`InvalidArgument`](ErrorKind::InvalidArgument) if a PEM bundle holds no valid
    /// certificate, [`Transport`](ErrorKind::Transport) if the TLS setup fails.
    pub fn new(extra_ca_pem: &[Vec<u8>]) -> Result<Self> {
        let mut certs = Vec::new();
        for pem in extra_ca_pem {
            let bundle = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::with_source(
                    ErrorKind::InvalidArgument,
                    "extra CA certificate is not valid PEM",
                    e,
                )
            })?;
            if bundle.is_empty() {
                return Err(Error::invalid_argument(
                    "extra CA certificate PEM holds no certificate",
                ));
            }
            certs.extend(bundle);
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .tls_certs_merge(certs)
            .build()
            .map_err(|e| Error::with_source(ErrorKind::Transport, "HTTP client setup failed", e))?;
        Ok(Self { client })
    }

    /// Wraps an already configured `reqwest::Client`.
    pub fn from_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

fn transport_error(e: reqwest::Error) -> Error {
    // The URL may carry a query string; drop it from the source.
    let e = e.without_url();
    if e.is_timeout() {
        Error::with_source(ErrorKind::Timeout, "request timed out", e)
    } else if e.is_connect() {
        Error::connect("connection failed", e)
    } else {
        Error::with_source(ErrorKind::Transport, "request failed", e)
    }
}

#[async_trait]
impl HttpClient for ReqwestClient {
    async fn execute(&self, request: Request) -> Result<Response> {
        let Request {
            method,
            url,
            headers,
            body,
        } = request;
        let response = self
            .client
            .request(method, url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_error)?;
        Ok(Response::new(status, headers, body))
    }
}
