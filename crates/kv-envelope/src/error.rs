//! Errors: the pipeline's one [`Error`](kv_core::Error) type, the one every crate that
//! reaches the service uses, so an envelope failure and the failure of the key-encryption
//! key underneath (a 403 from the vault, a disabled key) are matched on the same
//! [`ErrorKind`](kv_core::ErrorKind), and code written against `kv_client::Result` keeps
//! compiling with envelopes moved here.

pub use kv_core::{Error, ErrorKind, Result};

/// An argument rejected before any I/O.
pub(crate) fn invalid_argument(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}
