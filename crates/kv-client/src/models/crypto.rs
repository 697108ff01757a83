//! Results of the cryptographic operations: each says which key and algorithm were used
//! and where the operation ran.
//!
//! `key_id` is a [`KeyId`], copied from the client's cached key without allocating or
//! touching a shared reference count, so a local result costs nothing beyond its output
//! bytes; read it as `&str` with `key_id.as_deref()`.

use core::fmt;

use kv_jwk::{EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm};
use zeroize::Zeroizing;

use crate::models::KeyId;
use crate::routing::OperationLocation;

/// The answer of `encrypt`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncryptResult {
    /// The versioned identifier of the key used (`None` for a JWK without `kid`).
    pub key_id: Option<KeyId>,
    /// The algorithm used.
    pub algorithm: EncryptionAlgorithm,
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
    /// The initialization vector (AES-GCM and AES-CBC).
    pub iv: Option<Vec<u8>>,
    /// The authentication tag (AES-GCM).
    pub tag: Option<Vec<u8>>,
    /// The additional authenticated data, echoed (AES-GCM).
    pub aad: Option<Vec<u8>>,
    /// Where the operation ran.
    pub location: OperationLocation,
}

/// The answer of `decrypt`. The plaintext is wiped on drop and never printed.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecryptResult {
    /// The versioned identifier of the key used.
    pub key_id: Option<KeyId>,
    /// The algorithm used.
    pub algorithm: EncryptionAlgorithm,
    /// The plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// Where the operation ran.
    pub location: OperationLocation,
}

impl fmt::Debug for DecryptResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptResult")
            .field("key_id", &self.key_id)
            .field("algorithm", &self.algorithm)
            .field("plaintext", &"[REDACTED]")
            .field("location", &self.location)
            .finish()
    }
}

/// The answer of `sign` and `sign_data`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignResult {
    /// The versioned identifier of the key used.
    pub key_id: Option<KeyId>,
    /// The algorithm used.
    pub algorithm: SignatureAlgorithm,
    /// The signature (raw `r || s` for ECDSA, as the service returns it).
    pub signature: Vec<u8>,
    /// Where the operation ran.
    pub location: OperationLocation,
}

/// The answer of `verify` and `verify_data`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyResult {
    /// The versioned identifier of the key used.
    pub key_id: Option<KeyId>,
    /// The algorithm used.
    pub algorithm: SignatureAlgorithm,
    /// Whether the signature is valid.
    pub is_valid: bool,
    /// Where the operation ran.
    pub location: OperationLocation,
}

/// The answer of `wrap_key`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WrapResult {
    /// The versioned identifier of the key used.
    pub key_id: Option<KeyId>,
    /// The algorithm used.
    pub algorithm: KeyWrapAlgorithm,
    /// The wrapped key.
    pub encrypted_key: Vec<u8>,
    /// Where the operation ran.
    pub location: OperationLocation,
}

/// The answer of `unwrap_key`. The key is wiped on drop and never printed.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnwrapResult {
    /// The versioned identifier of the key used.
    pub key_id: Option<KeyId>,
    /// The algorithm used.
    pub algorithm: KeyWrapAlgorithm,
    /// The unwrapped key.
    pub key: Zeroizing<Vec<u8>>,
    /// Where the operation ran.
    pub location: OperationLocation,
}

impl fmt::Debug for UnwrapResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnwrapResult")
            .field("key_id", &self.key_id)
            .field("algorithm", &self.algorithm)
            .field("key", &"[REDACTED]")
            .field("location", &self.location)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_results_are_redacted() {
        let d = DecryptResult {
            key_id: Some("https://v/keys/k/1".into()),
            algorithm: EncryptionAlgorithm::RsaOaep256,
            plaintext: Zeroizing::new(b"PLAINTEXT".to_vec()),
            location: OperationLocation::Local,
        };
        let u = UnwrapResult {
            key_id: None,
            algorithm: KeyWrapAlgorithm::A256Kw,
            key: Zeroizing::new(b"DATAKEY".to_vec()),
            location: OperationLocation::Remote,
        };
        let dbg = format!("{d:?} {u:?}");
        assert!(
            !dbg.contains("PLAINTEXT") && !dbg.contains("DATAKEY"),
            "{dbg}"
        );
        assert!(
            !dbg.contains("80, 76, 65") && !dbg.contains("68, 65, 84"),
            "{dbg}"
        );
        assert!(dbg.contains("Local") && dbg.contains("Remote"));
    }
}
