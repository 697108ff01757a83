//! Errors: the pipeline's one [`Error`] type, shared by every crate that talks to the
//! service, so a caller matches on one [`ErrorKind`] whatever layer failed.

pub use kv_core::{Error, ErrorKind, Result};

/// An argument rejected before any I/O.
pub(crate) fn invalid_argument(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

/// An answer of the service that does not make sense.
pub(crate) fn decode(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Decode, message)
}
