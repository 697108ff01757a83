//! Synchronous local cryptography on Key Vault JSON Web Keys: one job, performing exactly
//! what the service performs, so that a signature made remotely verifies locally and a
//! ciphertext made locally decrypts remotely.
//!
//! [`LocalKey`] parses a [`kv_jwk::JsonWebKey`] once and signs, verifies, encrypts, decrypts,
//! wraps and unwraps; ML-DSA keys (`AKP`, FIPS 204) sign and verify messages, with a context
//! string or an external mu. Two backends sit behind a rustls-style [`CryptoProvider`]:
//! `rust_crypto` (feature `rustcrypto`, pure Rust) and `aws_lc_rs` (feature `aws-lc`).
//! With both (the default) `default_provider()` sends each operation to the faster one;
//! [`install_default`] overrides the choice for the process.
//!
//! ```
//! # #[cfg(any(feature = "rustcrypto", feature = "aws-lc"))] {
//! use kv_crypto_local::{generate_oct, DecryptParameters, EncryptParameters, LocalKey};
//! use kv_jwk::EncryptionAlgorithm;
//! let key = LocalKey::new(&generate_oct(256)?)?;
//! let aad = EncryptParameters { additional_authenticated_data: Some(b"hdr".to_vec()), ..Default::default() };
//! let out = key.encrypt(&EncryptionAlgorithm::A256Gcm, b"secret", &aad)?;
//! let back = key.decrypt(&EncryptionAlgorithm::A256Gcm, &out.ciphertext, &DecryptParameters {
//!     iv: out.iv,
//!     authentication_tag: out.authentication_tag,
//!     additional_authenticated_data: out.additional_authenticated_data,
//! })?;
//! assert_eq!(&back[..], b"secret");
//! # }
//! # Ok::<(), kv_crypto_local::Error>(())
//! ```
//!
//! # Security
//! Private material is zeroized when dropped and never printed. Decrypt, unwrap and verify
//! failures are one opaque error. Local encryption draws every IV from the OS generator.
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod der;
pub mod digest;
#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
mod dispatch;
mod error;
mod generate;
pub mod hkdf;
pub mod hmac;
pub mod key_encoding;
pub mod key_transfer;
mod local_key;
mod params;
mod process_default;
pub mod provider;

#[cfg(feature = "aws-lc")]
pub mod aws_lc_rs;
#[cfg(feature = "rustcrypto")]
pub mod rust_crypto;

#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
pub use dispatch::default_provider;
pub use error::{Error, Result};
pub use generate::{
    DEFAULT_PUBLIC_EXPONENT, generate_ec, generate_ml_dsa, generate_oct, generate_rsa, random_bytes,
};
pub use local_key::{LocalKey, PreparedOperation};
pub use params::{Algorithm, DecryptParameters, EncryptParameters, EncryptResult};
pub use process_default::{get_default, install_default};
pub use provider::{CryptoProvider, MlDsaInput};
