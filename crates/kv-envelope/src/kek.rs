//! [`KeyEncryptionKey`]: who wraps and unwraps data keys, in the spirit of .NET's
//! `IKeyEncryptionKey`. Implemented here for a local key ([`LocalKeyEncryptionKey`]) and in
//! `kv-client` for `CryptographyClient` and `KeyVaultWrapper`.

use core::fmt;
use std::future::Future;

use kv_crypto_local::LocalKey;
use kv_jwk::{KeyFamily, KeyOperation, KeyType, KeyWrapAlgorithm};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result, invalid_argument};

/// A data key wrapped by a key-encryption key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedDataKey {
    /// The full identifier, with version, of the key that wrapped it.
    pub key_id: String,
    /// The wrap algorithm.
    pub algorithm: KeyWrapAlgorithm,
    /// The wrapped key.
    pub encrypted_key: Vec<u8>,
}

/// Wraps and unwraps data keys: a Key Vault key, a Managed HSM key, a local key.
///
/// The envelope code only calls these methods, so any key holder can plug in.
pub trait KeyEncryptionKey: Send + Sync {
    /// The wrap algorithm used when [`EnvelopeOptions::algorithm`](crate::EnvelopeOptions::algorithm)
    /// names none: the one that suits the key ([`default_wrap_algorithm`]). The provided
    /// method answers `RSA-OAEP-256`, for implementations that do not know their key.
    fn default_algorithm(&self) -> impl Future<Output = Result<KeyWrapAlgorithm>> + Send {
        async { Ok(KeyWrapAlgorithm::RsaOaep256) }
    }

    /// Wraps `data_key` with `algorithm` under the newest key version this key uses.
    fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> impl Future<Output = Result<WrappedDataKey>> + Send;

    /// Unwraps a data key that the key `key_id` (versioned) wrapped with `algorithm`.
    fn unwrap_data_key(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> impl Future<Output = Result<Zeroizing<Vec<u8>>>> + Send;

    /// The key resolver (as .NET's `KeyResolver`): whether this key can unwrap a key
    /// section naming `key_id`, and how much it prefers it. `None`: skip the section
    /// without asking (a key of another vault, a revoked recovery key); `Some(rank)`: try
    /// it, lower ranks first. The provided method tries every section, in header order.
    fn preference(&self, key_id: &str) -> Option<usize> {
        let _ = key_id;
        Some(0)
    }

    /// The key sections of a new message: one per key this wraps with. The provided method
    /// wraps once, with `algorithm` or else [`default_algorithm`](Self::default_algorithm);
    /// a [`KeyRing`](crate::KeyRing) wraps with each of its keys.
    fn wrap_data_key_sections(
        &self,
        algorithm: Option<&KeyWrapAlgorithm>,
        data_key: &[u8],
    ) -> impl Future<Output = Result<Vec<WrappedDataKey>>> + Send {
        async move {
            let alg = match algorithm {
                Some(alg) => alg.clone(),
                None => self.default_algorithm().await?,
            };
            Ok(vec![self.wrap_data_key(&alg, data_key).await?])
        }
    }
}

/// The wrap algorithm that follows the key: `RSA-OAEP-256` for RSA keys, AES key wrap of
/// the key's size for `oct` and `oct-HSM` keys (`A128KW`, `A192KW`, `A256KW`; `A256KW` when
/// the size is unknown, as for an `oct-HSM` key whose material stays in the HSM). `None`
/// for keys that cannot wrap (EC, ML-DSA, unknown types).
pub fn default_wrap_algorithm(
    kty: &KeyType,
    oct_key_bytes: Option<usize>,
) -> Option<KeyWrapAlgorithm> {
    match kty.family()? {
        KeyFamily::Rsa => Some(KeyWrapAlgorithm::RsaOaep256),
        KeyFamily::Oct => match oct_key_bytes {
            Some(16) => Some(KeyWrapAlgorithm::A128Kw),
            Some(24) => Some(KeyWrapAlgorithm::A192Kw),
            _ => Some(KeyWrapAlgorithm::A256Kw),
        },
        KeyFamily::Ec | KeyFamily::Akp => None,
    }
}

/// A local key as a key-encryption key: an offline recovery key, a key in a test, an AES
/// key from a configuration store. Wraps and unwraps in this process with `kv-crypto-local`.
pub struct LocalKeyEncryptionKey {
    key: LocalKey,
    key_id: String,
    algorithm: Option<KeyWrapAlgorithm>,
}

impl fmt::Debug for LocalKeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKeyEncryptionKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl LocalKeyEncryptionKey {
    /// `key` under the name `key_id` (written into every envelope it wraps).
    ///
    /// # Errors
    /// `InvalidArgument` for an empty key id.
    pub fn new(key: LocalKey, key_id: impl Into<String>) -> Result<Self> {
        let key_id = key_id.into();
        if key_id.is_empty() {
            return Err(invalid_argument(
                "envelope: a key-encryption key needs an id",
            ));
        }
        // An AES key wraps with the AES key wrap of its own size: the one it supports.
        let algorithm = match key.key_type().family() {
            Some(KeyFamily::Oct) => [
                KeyWrapAlgorithm::A256Kw,
                KeyWrapAlgorithm::A192Kw,
                KeyWrapAlgorithm::A128Kw,
            ]
            .into_iter()
            .find(|alg| key.supports(&KeyOperation::WrapKey, alg.clone())),
            _ => default_wrap_algorithm(key.key_type(), None),
        };
        Ok(Self {
            key,
            key_id,
            algorithm,
        })
    }

    /// The id written into envelopes.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

fn local_error(e: kv_crypto_local::Error) -> Error {
    let kind = match e {
        kv_crypto_local::Error::InvalidInput(_)
        | kv_crypto_local::Error::UnsupportedAlgorithm { .. }
        | kv_crypto_local::Error::OperationNotPermitted(_) => ErrorKind::InvalidArgument,
        _ => ErrorKind::Crypto,
    };
    Error::with_source(kind, "envelope: local key wrap failed", e)
}

impl KeyEncryptionKey for LocalKeyEncryptionKey {
    fn preference(&self, key_id: &str) -> Option<usize> {
        (key_id == self.key_id).then_some(0)
    }

    async fn default_algorithm(&self) -> Result<KeyWrapAlgorithm> {
        self.algorithm
            .clone()
            .ok_or_else(|| invalid_argument("envelope: this key type cannot wrap data keys"))
    }

    async fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> Result<WrappedDataKey> {
        Ok(WrappedDataKey {
            key_id: self.key_id.clone(),
            algorithm: algorithm.clone(),
            encrypted_key: self
                .key
                .wrap_key(algorithm, data_key)
                .map_err(local_error)?,
        })
    }

    async fn unwrap_data_key(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        if key_id != self.key_id {
            return Err(invalid_argument(format!(
                "envelope: the data key was wrapped by {key_id}, not by {}",
                self.key_id
            )));
        }
        self.key
            .unwrap_key(algorithm, encrypted_key)
            .map_err(local_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_follows_the_key() {
        use KeyWrapAlgorithm as A;
        assert_eq!(
            default_wrap_algorithm(&KeyType::Rsa, None),
            Some(A::RsaOaep256)
        );
        assert_eq!(
            default_wrap_algorithm(&KeyType::RsaHsm, None),
            Some(A::RsaOaep256)
        );
        assert_eq!(
            default_wrap_algorithm(&KeyType::Oct, Some(16)),
            Some(A::A128Kw)
        );
        assert_eq!(
            default_wrap_algorithm(&KeyType::Oct, Some(24)),
            Some(A::A192Kw)
        );
        assert_eq!(
            default_wrap_algorithm(&KeyType::Oct, Some(32)),
            Some(A::A256Kw)
        );
        assert_eq!(
            default_wrap_algorithm(&KeyType::OctHsm, None),
            Some(A::A256Kw)
        );
        assert_eq!(default_wrap_algorithm(&KeyType::Ec, None), None);
    }
}
