//! Azure Key Vault keys and Managed HSM administration: a client library, with a local
//! Key Vault–compatible emulator behind the `emulator` feature.
//!
//! - [`KeyClient`]: every keys operation (create, import, get, list, rotate, delete,
//!   recover, purge, backup, restore, release, rotation policies).
//! - [`CryptographyClient`]: encrypt, decrypt, sign, verify, wrap and unwrap; each
//!   operation runs locally when the client holds usable key material and in the vault
//!   otherwise, and every result says where it ran.
//! - [`envelope`]: envelope encryption of messages, files and streams under a vault key.
//! - [`admin`]: the Managed HSM role, full backup/restore and settings clients.
//! - `blocking` (feature `blocking`): the same clients without async.
//!
//! Credentials are `azure_core`'s: any `azure_identity` credential passes as is, and
//! [`StaticTokenCredential`] serves the emulator. Errors are one [`Error`] type (match on
//! [`ErrorKind`]), convertible into `azure_core::Error`.
//!
//! ```
//! use std::sync::Arc;
//! use keyvault::jwk::SignatureAlgorithm;
//! use keyvault::pipeline::ClientOptions;
//! use keyvault::{KeyClient, KeyClientOptions, OperationLocation, StaticTokenCredential};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let data_dir = tempfile::tempdir()?;
//! # let emulator = kv_emulator::Emulator::builder()
//! #     .listen("127.0.0.1:0".parse()?)
//! #     .data_dir(data_dir.path())
//! #     .start()
//! #     .await?;
//! # let vault_url = emulator.url();
//! # let options = KeyClientOptions {
//! #     client_options: ClientOptions {
//! #         extra_ca_certificates_pem: vec![emulator.ca_pem().as_bytes().to_vec()],
//! #         verify_challenge_resource: false,
//! #         ..Default::default()
//! #     },
//! # };
//! // Against Azure: `azure_identity::DeveloperToolsCredential::new(None)?` and no options.
//! let credential = Arc::new(StaticTokenCredential::new("any token works for the emulator"));
//! let client = KeyClient::new(vault_url, credential, Some(options))?;
//!
//! let key = client.create_ec_key("signing-key", None).await?;
//! let crypto = client.get_cryptography_client(key.name(), None)?;
//! let signed = crypto.sign_data(SignatureAlgorithm::Es256, b"hello").await?;
//! let verified = crypto
//!     .verify_data(SignatureAlgorithm::Es256, b"hello", &signed.signature)
//!     .await?;
//! assert!(verified.is_valid);
//! assert_eq!(verified.location, OperationLocation::Local); // no request was made
//! # emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! The repository's README covers installation, the features table, real Azure, logging
//! and the examples (`examples/`, each runnable against the built-in emulator).
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
