//! Errors of `kv-crypto-local`.

use kv_jwk::KeyOperation;

/// Errors of local cryptographic operations.
///
/// Messages name the algorithm, the operation or the JWK member at fault, never key material
/// or data. Every failure that could tell an attacker *why* a decryption, an unwrap or a
/// signature check failed (padding, tag, integrity check, signature value) is the single opaque
/// [`Error::CryptoFailure`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The algorithm is unknown, not valid for the key type or size, or not available in the
    /// compiled-in backends.
    #[error("algorithm `{algorithm}` is not supported locally: {reason}")]
    UnsupportedAlgorithm {
        /// The algorithm's wire name.
        algorithm: String,
        /// Why (key type, key size, backend).
        reason: &'static str,
    },
    /// The JWK's `key_ops` does not list the operation.
    #[error("the key does not permit the `{0}` operation")]
    OperationNotPermitted(KeyOperation),
    /// A private-key operation on a key without private material.
    #[error("the operation needs private key material, which this key does not carry")]
    MissingPrivateMaterial,
    /// The JWK is malformed, inconsistent or of an unsupported kind.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// An argument has the wrong shape (digest length, ciphertext size, missing IV or tag,
    /// a caller-chosen IV).
    #[error("invalid input: {0}")]
    InvalidInput(&'static str),
    /// Decryption, unwrapping or signature verification failed. Deliberately says nothing more.
    #[error("cryptographic operation failed")]
    CryptoFailure,
    /// The operating system random generator failed.
    #[error("the random number generator failed")]
    Random,
    /// No backend is compiled in and none was installed with
    /// [`install_default`](crate::install_default).
    #[error("no cryptography provider: enable feature `rustcrypto` or `aws-lc`, or install one")]
    NoProvider,
}

impl Error {
    pub(crate) fn unsupported(algorithm: &str, reason: &'static str) -> Self {
        Self::UnsupportedAlgorithm {
            algorithm: algorithm.to_owned(),
            reason,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
