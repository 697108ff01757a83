//! Envelope encryption under a Key Vault key: the [`kv_envelope`] crate, re-exported, with
//! its [`KeyEncryptionKey`] implemented for [`CryptographyClient`](crate::CryptographyClient)
//! (one key) and [`KeyVaultWrapper`] (every version of a key, for decrypting across
//! rotation and for [`EnvelopeClient::rewrap`]).
//!
//! ```
//! # async fn demo() -> kv_client::Result<()> {
//! use kv_client::CryptographyClient;
//! use kv_client::envelope::{EnvelopeClient, EnvelopeOptions};
//! let mut jwk = kv_crypto_local::generate_rsa(2048, None).expect("keygen");
//! jwk.kid = Some("https://myvault.vault.azure.net/keys/data/0123456789abcdef".into());
//! let key = CryptographyClient::from_jwk(jwk)?; // in real use: KeyClient::get_cryptography_client
//! let envelopes = EnvelopeClient::new(key, None)?; // RSA key: RSA-OAEP-256
//! let sealed = envelopes.encrypt(b"attack at dawn", b"tenant=42").await?;
//! let opened = envelopes.decrypt(&sealed, Some(b"tenant=42")).await?;
//! assert_eq!(&opened[..], b"attack at dawn");
//! assert!(envelopes.decrypt(&sealed, Some(b"tenant=43")).await.is_err());
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! The format, the key schedule, streaming and the data-key cache are documented in
//! [`kv_envelope`].

mod wrapper;

/// The name [`KeyEncryptionKey`] had before envelopes moved into their own crate.
pub use kv_envelope::KeyEncryptionKey as DataKeyWrapper;
pub use kv_envelope::*;
pub use wrapper::KeyVaultWrapper;

#[cfg(test)]
mod tests_client;
#[cfg(test)]
mod tests_vault;
