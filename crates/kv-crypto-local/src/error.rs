//! Errors of `kv-crypto-local`.

use kv_jwk::KeyOperation;

/// Errors of local cryptographic operations.
///
/// Messages name the algorithm, the operation or the JWK member at fault, never key material
/// or data. Every failure that could tell an attacker *why* a decryption, an unwrap or a
/// signature check failed (padding, tag, integrity check, signature value) is the single opaque
/// [`Error::CryptoFailure`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The algorithm is unknown, not valid for the key type or size, or not available in the
    /// compiled-in backends.
    UnsupportedAlgorithm {
        /// The algorithm's wire name.
        algorithm: String,
        /// Why (key type, key size, backend).
        reason: &'static str,
    },
    /// The JWK's `key_ops` does not list the operation.
    OperationNotPermitted(KeyOperation),
    /// A private-key operation on a key without private material.
    MissingPrivateMaterial,
    /// The JWK is malformed, inconsistent or of an unsupported kind.
    InvalidKey(&'static str),
    /// An argument has the wrong shape (digest length, ciphertext size, missing IV or tag,
    /// a caller-chosen IV).
    InvalidInput(&'static str),
    /// Decryption, unwrapping or signature verification failed. Deliberately says nothing more.
    CryptoFailure,
    /// The operating system random generator failed.
    Random,
    /// No backend is compiled in and none was installed with
    /// [`install_default`](crate::install_default).
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

// Written by hand rather than derived: thiserror would be two more crates (and a proc-macro
// build) in every client's dependency graph for these few messages.
impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::UnsupportedAlgorithm { algorithm, reason } => {
                write!(
                    f,
                    "algorithm `{algorithm}` is not supported locally: {reason}"
                )
            }
            Self::OperationNotPermitted(op) => {
                write!(f, "the key does not permit the `{op}` operation")
            }
            Self::MissingPrivateMaterial => f.write_str(
                "the operation needs private key material, which this key does not carry",
            ),
            Self::InvalidKey(reason) => write!(f, "invalid key: {reason}"),
            Self::InvalidInput(reason) => write!(f, "invalid input: {reason}"),
            Self::CryptoFailure => f.write_str("cryptographic operation failed"),
            Self::Random => f.write_str("the random number generator failed"),
            Self::NoProvider => f.write_str(
                "no cryptography provider: enable feature `rustcrypto` or `aws-lc`, or install one",
            ),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
