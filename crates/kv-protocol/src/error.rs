//! Errors: the service's error body (`KeyVaultError`) and this crate's own [`Error`].

use core::fmt;

use serde::{Deserialize, Serialize};

/// Errors of this crate: parsing the few values it validates.
///
/// Messages carry the offending value; none of these values is secret (durations,
/// api-versions, identifiers).
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A string is not an ISO-8601 duration this crate understands.
    InvalidDuration {
        /// The rejected input.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An `api-version` that no released service version has.
    UnknownApiVersion(String),
    /// A vault URL, key identifier, key name or key version that breaks the service's
    /// rules; the message says which rule.
    InvalidIdentifier(String),
}

// Written by hand rather than derived: thiserror would be two more crates (and a proc-macro
// build) in every client's dependency graph for two messages.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidDuration { input, reason } => {
                write!(f, "invalid ISO-8601 duration `{input}`: {reason}")
            }
            Self::UnknownApiVersion(version) => write!(f, "unknown api-version `{version}`"),
            Self::InvalidIdentifier(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// The body of every failed request (`KeyVaultError`): `{"error": {"code", "message"}}`.
///
/// The emulator writes it, the client reads it. `error` is optional in the spec; an absent
/// member reads as an empty [`ErrorBody`].
///
/// ```
/// use kv_protocol::KeyVaultError;
/// let body = KeyVaultError::new("KeyNotFound", "A key with (name/id) k1 was not found in this key vault.");
/// let json = serde_json::to_string(&body)?;
/// assert_eq!(json, r#"{"error":{"code":"KeyNotFound","message":"A key with (name/id) k1 was not found in this key vault."}}"#);
/// let back: KeyVaultError = serde_json::from_str(&json)?;
/// assert_eq!(back.code(), Some("KeyNotFound"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyVaultError {
    /// The error itself.
    #[serde(default)]
    pub error: ErrorBody,
}

/// The service's `Error` object: a code, a message and an optional nested error.
///
/// Also the `error` member of backup and restore operation status bodies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error code, such as `KeyNotFound`, `BadParameter` or `Forbidden`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A more specific error (`innererror` on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub innererror: Option<Box<ErrorBody>>,
}

impl ErrorBody {
    /// An error with a code and a message and no inner error.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: Some(code.into()),
            message: Some(message.into()),
            innererror: None,
        }
    }

    /// This error with `inner` nested as its `innererror`.
    #[must_use]
    pub fn with_inner(mut self, inner: ErrorBody) -> Self {
        self.innererror = Some(Box::new(inner));
        self
    }

    /// The code of the innermost error that has one (the most specific code), else `None`.
    pub fn innermost_code(&self) -> Option<&str> {
        let mut best = self.code.as_deref();
        let mut next = self.innererror.as_deref();
        while let Some(inner) = next {
            if let Some(code) = inner.code.as_deref() {
                best = Some(code);
            }
            next = inner.innererror.as_deref();
        }
        best
    }
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, "{code}: {message}"),
            (Some(code), None) => f.write_str(code),
            (None, Some(message)) => f.write_str(message),
            (None, None) => f.write_str("unspecified service error"),
        }
    }
}

impl KeyVaultError {
    /// An error body with `code` and `message`.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorBody::new(code, message),
        }
    }

    /// This error with `inner` nested as its `innererror`.
    #[must_use]
    pub fn with_inner(self, inner: ErrorBody) -> Self {
        Self {
            error: self.error.with_inner(inner),
        }
    }

    /// The top-level error code.
    pub fn code(&self) -> Option<&str> {
        self.error.code.as_deref()
    }

    /// The top-level message.
    pub fn message(&self) -> Option<&str> {
        self.error.message.as_deref()
    }

    /// `BadParameter` (400): a request parameter or body member is invalid.
    pub fn bad_parameter(message: impl Into<String>) -> Self {
        Self::new("BadParameter", message)
    }

    /// `Unauthorized` (401).
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new("Unauthorized", message)
    }

    /// `Forbidden` (403): the caller may not perform this operation.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new("Forbidden", message)
    }

    /// `KeyNotFound` (404) for key `name`, worded like the service.
    pub fn key_not_found(name: &str) -> Self {
        Self::new(
            "KeyNotFound",
            format!("A key with (name/id) {name} was not found in this key vault."),
        )
    }

    /// `Conflict` (409): the request conflicts with the current state (e.g. the name is
    /// held by a deleted key).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new("Conflict", message)
    }
}

impl fmt::Display for KeyVaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for KeyVaultError {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_body() -> impl Strategy<Value = ErrorBody> {
        let leaf = (
            proptest::option::of("[A-Za-z]{1,12}"),
            proptest::option::of(".{0,20}"),
        )
            .prop_map(|(code, message)| ErrorBody {
                code,
                message,
                innererror: None,
            });
        leaf.prop_recursive(3, 4, 1, |inner| {
            (
                proptest::option::of("[A-Za-z]{1,12}"),
                proptest::option::of(".{0,20}"),
                proptest::option::of(inner),
            )
                .prop_map(|(code, message, inner)| ErrorBody {
                    code,
                    message,
                    innererror: inner.map(Box::new),
                })
        })
    }

    proptest! {
        #[test]
        fn round_trips(body in arb_body()) {
            let err = KeyVaultError { error: body };
            let json = serde_json::to_value(&err).unwrap();
            crate::test_support::assert_no_nulls(&json);
            let back: KeyVaultError = serde_json::from_value(json).unwrap();
            prop_assert_eq!(back, err);
        }
    }

    #[test]
    fn nested_wire_shape_and_innermost_code() {
        let json = r#"{"error":{"code":"Forbidden","message":"no","innererror":{"code":"ForbiddenByPolicy"}}}"#;
        let err: KeyVaultError = serde_json::from_str(json).unwrap();
        assert_eq!(err.code(), Some("Forbidden"));
        assert_eq!(err.error.innermost_code(), Some("ForbiddenByPolicy"));
        assert_eq!(serde_json::to_string(&err).unwrap(), json);
        assert_eq!(err.to_string(), "Forbidden: no");
    }

    #[test]
    fn missing_error_member_reads_as_empty() {
        let err: KeyVaultError = serde_json::from_str("{}").unwrap();
        assert_eq!(err, KeyVaultError::default());
        assert_eq!(err.code(), None);
        assert_eq!(err.to_string(), "unspecified service error");
    }

    #[test]
    fn constructors() {
        let err = KeyVaultError::key_not_found("k1").with_inner(ErrorBody::new("X", "y"));
        assert_eq!(err.code(), Some("KeyNotFound"));
        assert!(err.message().unwrap().contains("k1"));
        assert_eq!(err.error.innermost_code(), Some("X"));
        assert_eq!(
            KeyVaultError::bad_parameter("m").code(),
            Some("BadParameter")
        );
        assert_eq!(KeyVaultError::conflict("m").code(), Some("Conflict"));
        assert_eq!(KeyVaultError::forbidden("m").code(), Some("Forbidden"));
        assert_eq!(
            KeyVaultError::unauthorized("m").code(),
            Some("Unauthorized")
        );
    }
}
