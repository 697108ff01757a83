//! The transport behind a small trait: [`HttpClient`] sends one [`Request`] and reads the
//! whole [`Response`]. [`ReqwestClient`] is the default.

mod reqwest_client;

use std::fmt;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde::{Serialize, de::DeserializeOwned};
use url::Url;

pub use reqwest_client::ReqwestClient;

use crate::{Error, Result};

/// Sends requests. Implement it to plug in another HTTP stack or a test double.
///
/// Implementations return an error only when no response was had (kind
/// [`Transport`](crate::ErrorKind::Transport) or [`Timeout`](crate::ErrorKind::Timeout));
/// every status, success or not, is a `Response`.
#[async_trait]
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the response body in full.
    async fn execute(&self, request: Request) -> Result<Response>;
}

/// An HTTP request. The body is [`Bytes`], so every try re-sends it without copying.
///
/// `Debug` shows the method and the URL without its query; never headers or body.
#[derive(Clone)]
pub struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Bytes,
}

impl Request {
    /// A request with no body.
    pub fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// Sets `body` serialized as JSON, with its content type.
    ///
    /// # Errors
    /// [`InvalidArgument`](crate::ErrorKind::InvalidArgument) if `body` does not serialize.
    pub fn set_json<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<()> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::with_source(
                crate::ErrorKind::InvalidArgument,
                "request body does not serialize",
                e,
            )
        })?;
        self.set_body(
            Bytes::from(bytes),
            HeaderValue::from_static("application/json"),
        );
        Ok(())
    }

    /// Sets a raw body and its content type.
    pub fn set_body(&mut self, body: Bytes, content_type: HeaderValue) {
        self.headers.insert(header::CONTENT_TYPE, content_type);
        self.body = body;
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL, to change.
    pub fn url_mut(&mut self) -> &mut Url {
        &mut self.url
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Takes the body out, leaving it empty (and dropping the content type).
    pub(crate) fn take_body(&mut self) -> (Bytes, Option<HeaderValue>) {
        let content_type = self.headers.remove(header::CONTENT_TYPE);
        (std::mem::take(&mut self.body), content_type)
    }

    /// Puts back a body taken with [`Request::take_body`].
    pub(crate) fn restore_body(&mut self, body: Bytes, content_type: Option<HeaderValue>) {
        if let Some(ct) = content_type {
            self.headers.insert(header::CONTENT_TYPE, ct);
        }
        self.body = body;
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &crate::redact::redacted_url(&self.url))
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// An HTTP response with its whole body.
///
/// `Debug` shows the status and the body's length, never the body (it may hold key material).
#[derive(Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    /// A response (for transports and test doubles).
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Consumes the response for its body.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// Parses the body as JSON.
    ///
    /// # Errors
    /// [`Decode`](crate::ErrorKind::Decode) if the body is not a `T`. The error never quotes
    /// the body.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            // serde_json's own text can quote input (`invalid type: string "..."`), and the
            // body may hold key material: keep only the category and the position.
            Error::new(
                crate::ErrorKind::Decode,
                format!(
                    "response body does not parse as {} ({:?} error at line {} column {})",
                    std::any::type_name::<T>(),
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            )
        })
    }

    /// `Ok(self)` for a 2xx status, else the [`Error`] the status and error body describe.
    ///
    /// # Errors
    /// See [`Error::from_response`].
    pub fn error_for_status(self) -> Result<Self> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(Error::from_response(self.status, &self.headers, &self.body))
        }
    }

    /// The wait the service asked for with `retry-after-ms`, `x-ms-retry-after-ms` or
    /// `Retry-After` (seconds or an HTTP date), if any.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        crate::retry_after::retry_after(&self.headers)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status.as_u16())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_do_not_quote_the_body() {
        #[derive(Debug, serde::Deserialize)]
        struct Key {
            #[allow(dead_code)]
            k: u64,
        }
        let body = Bytes::from_static(br#"{"k":"KEYMATERIAL-abc"}"#);
        let response = Response::new(StatusCode::OK, HeaderMap::new(), body);
        let err = response.json::<Key>().unwrap_err();
        assert_eq!(err.kind(), &crate::ErrorKind::Decode);
        let text = format!("{err} {err:?}");
        assert!(!text.contains("KEYMATERIAL"), "{text}");
        assert!(text.contains("line 1"), "{text}");
    }
}
