//! Key Vault cryptographic operations performed by the service: encrypt, decrypt, sign,
//! verify, wrap and unwrap with a stored key, for every algorithm the service offers, over
//! the `kv-core` pipeline.
//!
//! Errors are `kv-core`'s [`Error`]: one type for every crate that talks to the service.
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod client;

pub use client::{CipherParameters, RemoteCryptographyClient, RemoteOutput};
pub use kv_core::{Error, ErrorKind, Result};

#[cfg(test)]
mod tests;
