#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

// The client surface (KeyClient, CryptographyClient, models, options, admin clients,
// envelope encryption, the blocking API behind its feature) at the crate root.
pub use kv_client::*;

/// The HTTP pipeline underneath the clients: credentials, options, paging and polling.
pub mod pipeline {
    pub use kv_core::*;
}

/// JSON Web Keys and the algorithm vocabulary ([`kv_jwk`]).
pub use kv_jwk as jwk;

/// Wire types of the REST API ([`kv_protocol`]).
pub use kv_protocol as protocol;

/// Synchronous local cryptography on key material ([`kv_crypto_local`]).
pub use kv_crypto_local as local_crypto;

/// The service's cryptographic operations without routing ([`kv_crypto_remote`]).
pub use kv_crypto_remote as remote_crypto;

/// The local Key Vault–compatible server ([`kv_emulator`]).
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub use kv_emulator as emulator;
