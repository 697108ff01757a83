//! The one error type of the pipeline: [`Error`], matched on through [`ErrorKind`].

use std::{error::Error as StdError, fmt, time::Duration};

use http::StatusCode;

/// A boxed error source.
type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What went wrong, for callers to match on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400: the service rejected a parameter (`BadParameter`).
    BadRequest,
    /// 401: the request was not authenticated, even after the challenge.
    Unauthorized,
    /// 403: the caller may not do this.
    Forbidden,
    /// 404: the key, version or deleted key does not exist.
    ResourceNotFound,
    /// 409: the request conflicts with the vault's state.
    Conflict,
    /// 429: the service throttled the caller and retries ran out.
    Throttled,
    /// Any other non-success status (5xx and the rest).
    Service,
    /// The request could not be sent or the response not read (DNS, connect, TLS, reset).
    Transport,
    /// A try or the whole retry budget ran out of time.
    Timeout,
    /// A response body could not be parsed.
    Decode,
    /// The credential could not produce a token.
    Credential,
    /// The authentication challenge was missing, malformed or named another resource, or a
    /// token would have gone over plain http.
    Authentication,
    /// A local cryptographic operation failed (used by the crates above this one).
    Crypto,
    /// An argument was invalid before any I/O happened.
    InvalidArgument,
    /// A long-running operation ended in failure or was canceled.
    OperationFailed,
    /// The key may not be used now: before its not-before time or after its expiry.
    KeyNotValid,
    /// The operation cannot run where it was asked to (for example local-only mode without
    /// usable key material), or is not supported at all.
    NotSupported,
}

/// The error of every Key Vault client operation.
///
/// One pointer wide. Its text may name the operation, the status and the service's code and
/// message; it never contains a token, key material, a request body or a query string.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<StatusCode>,
    error_code: Option<String>,
    message: String,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    /// The request provably never left this process (the connection could not be made).
    unsent: bool,
    source: Option<BoxError>,
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A new error of `kind` with `message` (must not contain secrets).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                status: None,
                error_code: None,
                message: message.into(),
                request_id: None,
                retry_after: None,
                unsent: false,
                source: None,
            }),
        }
    }

    /// A new error of `kind` with `message`, caused by `source`.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        let mut err = Self::new(kind, message);
        err.inner.source = Some(source.into());
        err
    }

    /// A transport error for a request that was never sent: the connection could not be
    /// made, so the service cannot have acted on it.
    pub(crate) fn connect(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        let mut err = Self::with_source(ErrorKind::Transport, message, source);
        err.inner.unsent = true;
        err
    }

    /// Whether the request was never sent because the connection could not be made. Any other
    /// transport error or timeout leaves open whether the service acted on the request.
    pub fn is_connect(&self) -> bool {
        self.inner.unsent
    }

    /// This error with `note` appended to its message (for context the pipeline adds).
    pub(crate) fn with_note(mut self, note: &str) -> Self {
        self.inner.message.push_str(note);
        self
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn authentication(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Authentication, message)
    }

    pub(crate) fn decode(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::with_source(ErrorKind::Decode, message, source)
    }

    pub(crate) fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Timeout, message)
    }

    /// The error for a non-success response: the kind follows the status, and the code and
    /// message come from the service's error body when it has one.
    pub fn from_response(status: StatusCode, headers: &http::HeaderMap, body: &[u8]) -> Self {
        let kind = kind_for_status(status);
        let parsed: Option<kv_protocol::KeyVaultError> = serde_json::from_slice(body).ok();
        let (code, message) = match parsed {
            Some(e) => (e.error.code, e.error.message),
            None => (None, None),
        };
        let message = message.unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("unexpected status")
                .to_owned()
        });
        let mut err = Self::new(kind, message);
        err.inner.status = Some(status);
        err.inner.error_code = code;
        err.inner.request_id = headers
            .get("x-ms-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        err.inner.retry_after = crate::retry_after::retry_after(headers);
        err
    }

    /// What kind of error this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// This error with the service's error `code`, for failures a service reports in a body
    /// rather than with an HTTP status (a long-running operation's `Failed` status).
    #[must_use]
    pub fn with_error_code(mut self, code: impl Into<String>) -> Self {
        self.inner.error_code = Some(code.into());
        self
    }

    /// The service's error code, such as `KeyNotFound` or `BadParameter`.
    pub fn error_code(&self) -> Option<&str> {
        self.inner.error_code.as_deref()
    }

    /// The message: the service's own, or this library's.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The service's `x-ms-request-id`, to quote in a support request.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The wait the service asked for (`Retry-After` and friends), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Whether sending the same request again may succeed: throttling, timeouts, transport
    /// failures, 408 and 5xx (except 501 and 505).
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Throttled | ErrorKind::Timeout | ErrorKind::Transport => true,
            ErrorKind::Service => self.inner.status.is_some_and(is_retryable_status),
            _ => false,
        }
    }

    /// Whether this is a 404.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::ResourceNotFound
    }
}

/// The [`ErrorKind`] for a non-success status.
pub(crate) fn kind_for_status(status: StatusCode) -> ErrorKind {
    match status.as_u16() {
        400 => ErrorKind::BadRequest,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::ResourceNotFound,
        408 => ErrorKind::Timeout,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::Throttled,
        _ => ErrorKind::Service,
    }
}

/// Statuses worth another try: 408, 429 and 5xx except 501 (not implemented) and 505.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    match status.as_u16() {
        408 | 429 => true,
        501 | 505 => false,
        s => (500..600).contains(&s),
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind);
        if let Some(status) = self.inner.status {
            d.field("status", &status.as_u16());
        }
        if let Some(code) = &self.inner.error_code {
            d.field("error_code", code);
        }
        d.field("message", &self.inner.message);
        if let Some(id) = &self.inner.request_id {
            d.field("request_id", id);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.inner.status, &self.inner.error_code) {
            (Some(status), Some(code)) => {
                write!(f, "{} ({code}): {}", status.as_u16(), self.inner.message)
            }
            (Some(status), None) => write!(f, "{}: {}", status.as_u16(), self.inner.message),
            (None, _) => f.write_str(&self.inner.message),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// A value that breaks one of `kv-protocol`'s rules (a key identifier, key name, vault URL,
/// duration or api-version given by the caller) is an
/// [`InvalidArgument`](ErrorKind::InvalidArgument) with the same message.
impl From<kv_protocol::Error> for Error {
    fn from(err: kv_protocol::Error) -> Self {
        Self::with_source(ErrorKind::InvalidArgument, err.to_string(), err)
    }
}

/// The error as `azure_core` speaks it, for code written against the official crates.
///
/// A service answer becomes `ErrorKind::HttpResponse` with the same status and error code; a
/// connection that could not be made becomes `Connection` (never sent, safe to retry), other
/// transport failures and timeouts `Io`, credential failures `Credential`, unreadable answers
/// `DataConversion`, the rest `Other`. The message is this error's `Display`, and this error
/// stays reachable as the source (`downcast_ref::<kv_core::Error>()`).
impl From<Error> for azure_core::Error {
    fn from(err: Error) -> Self {
        use azure_core::error::ErrorKind as Az;
        let kind = match (err.status(), err.kind()) {
            (Some(status), _) => Az::HttpResponse {
                status: azure_core::http::StatusCode::from(status.as_u16()),
                error_code: err.error_code().map(str::to_owned),
                raw_response: None,
            },
            (None, ErrorKind::Transport) if err.is_connect() => Az::Connection,
            (None, ErrorKind::Transport | ErrorKind::Timeout) => Az::Io,
            (None, ErrorKind::Credential) => Az::Credential,
            (None, ErrorKind::Decode) => Az::DataConversion,
            (None, _) => Az::Other,
        };
        azure_core::Error::new(kind, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_azure_core_keeping_status_code_and_message() {
        let body = br#"{"error":{"code":"KeyNotFound","message":"no key k1"}}"#;
        let err = Error::from_response(StatusCode::NOT_FOUND, &http::HeaderMap::new(), body);
        let az: azure_core::Error = err.into();
        assert_eq!(
            az.http_status(),
            Some(azure_core::http::StatusCode::NotFound)
        );
        match az.kind() {
            azure_core::error::ErrorKind::HttpResponse { error_code, .. } => {
                assert_eq!(error_code.as_deref(), Some("KeyNotFound"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(az.to_string(), "404 (KeyNotFound): no key k1");
        let ours = az.downcast_ref::<Error>().expect("our error is the source");
        assert_eq!(ours.message(), "no key k1");

        let unsent = Error::connect("connection failed", std::io::Error::other("refused"));
        let az: azure_core::Error = unsent.into();
        assert_eq!(az.kind(), &azure_core::error::ErrorKind::Connection);
        let az: azure_core::Error = Error::new(ErrorKind::Credential, "no token").into();
        assert_eq!(az.kind(), &azure_core::error::ErrorKind::Credential);
        let az: azure_core::Error = Error::timeout("slow").into();
        assert_eq!(az.kind(), &azure_core::error::ErrorKind::Io);
    }

    #[test]
    fn one_pointer_wide() {
        assert_eq!(size_of::<Error>(), size_of::<usize>());
    }

    #[test]
    fn from_service_body() {
        let body = br#"{"error":{"code":"KeyNotFound","message":"A key with (name/id) k1 was not found in this key vault."}}"#;
        let mut headers = http::HeaderMap::new();
        headers.insert("x-ms-request-id", "rid-1".parse().unwrap());
        let err = Error::from_response(StatusCode::NOT_FOUND, &headers, body);
        assert_eq!(err.kind(), &ErrorKind::ResourceNotFound);
        assert!(err.is_not_found());
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
        assert_eq!(err.error_code(), Some("KeyNotFound"));
        assert!(err.message().contains("k1"));
        assert_eq!(err.request_id(), Some("rid-1"));
        assert!(!err.is_retryable());
        assert_eq!(
            err.to_string(),
            "404 (KeyNotFound): A key with (name/id) k1 was not found in this key vault."
        );
    }

    #[test]
    fn kinds_and_retryability() {
        let h = http::HeaderMap::new();
        for (status, kind, retry) in [
            (400, ErrorKind::BadRequest, false),
            (401, ErrorKind::Unauthorized, false),
            (403, ErrorKind::Forbidden, false),
            (409, ErrorKind::Conflict, false),
            (408, ErrorKind::Timeout, true),
            (429, ErrorKind::Throttled, true),
            (500, ErrorKind::Service, true),
            (503, ErrorKind::Service, true),
            (501, ErrorKind::Service, false),
        ] {
            let err = Error::from_response(StatusCode::from_u16(status).unwrap(), &h, b"not json");
            assert_eq!(err.kind(), &kind, "{status}");
            assert_eq!(err.is_retryable(), retry, "{status}");
            assert_eq!(err.error_code(), None);
        }
    }
}
