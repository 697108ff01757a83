//! JSON Web Keys (RFC 7517/7518) as Azure Key Vault uses them, and the algorithm and
//! key-operation vocabulary of the service.
//!
//! Every vocabulary enum keeps values it does not know in an `Unknown(String)` variant so
//! that a new service value never breaks parsing. Private members are zeroized on drop
//! and never appear in `Debug` output.
//!
//! [`convert`] turns keys into RustCrypto `rsa`, `p256`, `p384`, `p521` and `k256` keys and
//! back, validating them on the way in; [`thumbprint`] builds the input of RFC 7638 thumbprints.
//!
//! ```
//! use kv_jwk::{JsonWebKey, KeyType, SignatureAlgorithm};
//! let jwk: JsonWebKey = serde_json::from_str(r#"{"kty":"EC-HSM","crv":"P-256","x":"AQ","y":"Ag"}"#)?;
//! assert_eq!(jwk.kty, Some(KeyType::EcHsm));
//! let alg: SignatureAlgorithm = "ES256".parse().unwrap();
//! assert_eq!(alg, SignatureAlgorithm::Es256);
//! assert_eq!("ML-DSA-65".parse::<SignatureAlgorithm>().unwrap().as_str(), "ML-DSA-65");
//! # Ok::<(), serde_json::Error>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod string_enum;

pub mod algorithm;
pub mod base64url;
pub mod convert;
pub mod curve;
pub mod error;
pub mod jwk;
pub mod key_ops;
pub mod key_type;
pub mod secret;
pub mod thumbprint;

pub use algorithm::{EncryptionAlgorithm, HashAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm};
#[cfg(feature = "rustcrypto")]
pub use convert::ec::JwkCurve;
#[cfg(feature = "rustcrypto")]
pub use convert::rsa::RsaImportOptions;
pub use curve::KeyCurveName;
pub use error::{Error, Result};
pub use jwk::JsonWebKey;
pub use key_ops::KeyOperation;
pub use key_type::{KeyFamily, KeyType};
pub use secret::SecretBytes;

#[doc(hidden)]
pub mod __private {
    pub use serde;
}
