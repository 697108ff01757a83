//! Clients for Azure Key Vault and Managed HSM keys: [`KeyClient`] for every keys
//! operation of the service, and [`CryptographyClient`], which runs cryptography locally
//! when it holds usable key material and in the service otherwise (one [`route`] function
//! decides, and every result says where it ran).
//!
//! ```no_run
//! # async fn demo() -> kv_client::Result<()> {
//! use std::sync::Arc;
//! use kv_client::{KeyClient, OperationLocation, StaticTokenCredential};
//! use kv_jwk::SignatureAlgorithm;
//!
//! let client = KeyClient::new(
//!     "https://myvault.vault.azure.net",
//!     Arc::new(StaticTokenCredential::new("token")),
//!     None,
//! )?;
//! let key = client.create_ec_key("signing-key", None).await?;
//! let crypto = client.get_cryptography_client(key.name(), None)?;
//! let signed = crypto.sign_data(SignatureAlgorithm::Es256, b"hello").await?; // in the vault
//! let verified = crypto.verify_data(SignatureAlgorithm::Es256, b"hello", &signed.signature).await?;
//! assert_eq!(verified.location, OperationLocation::Local); // with the cached public key
//! # Ok(()) }
//! ```
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod admin;
#[cfg(feature = "blocking")]
pub mod blocking;
mod connection;
mod crypto_client;
pub mod digest;
pub mod envelope;
pub mod error;
pub mod identifier;
mod key_cache;
mod key_client;
pub mod models;
pub mod options;
pub mod routing;
#[path = "crypto_client/signature_traits.rs"]
pub mod signature;

pub use admin::{
    KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultEkmClient, KeyVaultSettingsClient,
};
pub use connection::VaultConnection;
pub use crypto_client::CryptographyClient;
pub use envelope::{EnvelopeClient, EnvelopeOptions};
pub use error::{Error, ErrorKind, Result};
pub use identifier::{KeyVaultKeyIdentifier, is_valid_key_name, parse_vault_url};
pub use key_client::{CreateExternalKeyOptions, KeyClient, SecureUnwrapResult, SecureWrapResult};
pub use kv_core::{
    ContinuationToken, Pager, PollStep, Poller, PollerOptions, PollerStatus, StaticTokenCredential,
    TokenCredential,
};
/// What an ML-DSA signature covers: a message with a context string, or an external mu
/// (see [`CryptographyClient::sign_ml_dsa`]).
pub use kv_crypto_local::MlDsaInput;
pub use models::*;
pub use options::*;
pub use routing::{CryptoOperation, OperationLocation, Route, RoutingMode, route};
