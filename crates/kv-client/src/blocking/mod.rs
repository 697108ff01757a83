//! Blocking (synchronous) clients, in the manner of `reqwest::blocking` (feature
//! `blocking`).
//!
//! Each blocking client wraps the async client of the same name and forwards every method
//! to it: same method names, same options types, same [`Error`](crate::Error), no second
//! implementation. Listings are [`Pager`]s ([`Iterator`]s of `Result<T>`) and long-running
//! operations are [`Poller`]s (`wait()` for the result, or `poll()` step by step).
//!
//! # Runtime
//! A client built with `new` starts one private tokio runtime with one worker thread
//! (`kv-client-blocking`) that drives its sockets and timers; each call's future runs on
//! the calling thread, so local cryptography costs no thread hand-off. Clients handed out by
//! a client ([`KeyClient::get_cryptography_client`]), and its pagers and pollers, share its
//! runtime. The runtime shuts down when the last of them is dropped: its tasks are dropped
//! and its thread is joined (for at most a few seconds). A local-only
//! [`CryptographyClient::from_jwk`] client has no runtime at all.
//!
//! # Inside an async runtime
//! Blocking a thread of an async runtime stalls its other tasks, and deadlocks when the
//! awaited answer depends on one of them (a server in the same process, on a
//! single-threaded runtime). So every blocking call that may do I/O checks first: called
//! where a tokio runtime is current (an async task, a `block_on`, a `spawn_blocking`
//! closure or a thread that entered a runtime; tokio cannot tell these apart), it returns
//! an error of kind [`NotSupported`](crate::ErrorKind::NotSupported) at once, sending
//! nothing. It never panics and never blocks there. Use the async clients in async code, or
//! run the blocking client on a plain thread ([`std::thread::spawn`]).
//! A [`CryptographyClient::from_jwk`] client never does I/O, so it works everywhere.
//!
//! ```no_run
//! # fn demo() -> kv_client::Result<()> {
//! use std::sync::Arc;
//! use kv_client::blocking::KeyClient;
//! use kv_client::StaticTokenCredential;
//! use kv_jwk::SignatureAlgorithm;
//!
//! let client = KeyClient::new(
//!     "https://myvault.vault.azure.net",
//!     Arc::new(StaticTokenCredential::new("token")),
//!     None,
//! )?;
//! let key = client.create_ec_key("signing-key", None)?;
//! let crypto = client.get_cryptography_client(key.name(), None)?;
//! let signed = crypto.sign_data(SignatureAlgorithm::Es256, b"hello")?; // in the vault
//! let verified = crypto.verify_data(SignatureAlgorithm::Es256, b"hello", &signed.signature)?;
//! assert!(verified.is_valid); // locally, with the cached public key
//! let deleted = client.delete_key(key.name(), None)?.wait()?;
//! # let _ = deleted; Ok(()) }
//! ```

pub mod admin;
mod crypto_client;
mod envelope;
mod key_client;
mod pager;
mod poller;
mod runtime;
mod secure;
#[cfg(test)]
mod tests_envelope;

pub use admin::{
    KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultEkmClient, KeyVaultSettingsClient,
};
pub use crypto_client::CryptographyClient;
pub use envelope::{DataKeyWrapper, EnvelopeClient, KeyRing, KeyVaultWrapper};
pub use key_client::KeyClient;
pub use pager::{PageIter, Pager};
pub use poller::Poller;

/// The step, status and resume token of a [`Poller`], as the async clients use them.
pub use kv_core::{ContinuationToken, PollStep, PollerStatus};
