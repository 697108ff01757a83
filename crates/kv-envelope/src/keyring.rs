//! [`KeyRing`]: several key-encryption keys behind one, so a message opens with any of them
//! (a vault in region A, one in region B, a Managed HSM key, an offline recovery key), as
//! the AWS Encryption SDK's multi-keyring does.

use core::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use kv_jwk::KeyWrapAlgorithm;
use zeroize::Zeroizing;

use crate::error::{Result, invalid_argument};
use crate::format::MAX_KEY_SECTIONS;
use crate::kek::{KeyEncryptionKey, WrappedDataKey};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`KeyEncryptionKey`] made object-safe (its futures boxed), so one ring can hold keys of
/// different types. Implemented for every key-encryption key.
trait DynKeyEncryptionKey: Send + Sync {
    fn default_algorithm(&self) -> BoxFuture<'_, Result<KeyWrapAlgorithm>>;
    fn wrap<'a>(
        &'a self,
        algorithm: &'a KeyWrapAlgorithm,
        data_key: &'a [u8],
    ) -> BoxFuture<'a, Result<WrappedDataKey>>;
    fn unwrap<'a>(
        &'a self,
        key_id: &'a str,
        algorithm: &'a KeyWrapAlgorithm,
        encrypted_key: &'a [u8],
    ) -> BoxFuture<'a, Result<Zeroizing<Vec<u8>>>>;
    fn preference(&self, key_id: &str) -> Option<usize>;
}

impl<K: KeyEncryptionKey> DynKeyEncryptionKey for K {
    fn default_algorithm(&self) -> BoxFuture<'_, Result<KeyWrapAlgorithm>> {
        Box::pin(KeyEncryptionKey::default_algorithm(self))
    }

    fn wrap<'a>(
        &'a self,
        algorithm: &'a KeyWrapAlgorithm,
        data_key: &'a [u8],
    ) -> BoxFuture<'a, Result<WrappedDataKey>> {
        Box::pin(self.wrap_data_key(algorithm, data_key))
    }

    fn unwrap<'a>(
        &'a self,
        key_id: &'a str,
        algorithm: &'a KeyWrapAlgorithm,
        encrypted_key: &'a [u8],
    ) -> BoxFuture<'a, Result<Zeroizing<Vec<u8>>>> {
        Box::pin(self.unwrap_data_key(key_id, algorithm, encrypted_key))
    }

    fn preference(&self, key_id: &str) -> Option<usize> {
        KeyEncryptionKey::preference(self, key_id)
    }
}

/// Several key-encryption keys as one: a new message gets one key section per key (each
/// wrapped with its key's own algorithm unless the options name one), and decrypting tries
/// the sections in the ring's order, the first key first, skipping sections no key of the
/// ring resolves. Cheap to clone.
#[derive(Clone, Default)]
pub struct KeyRing {
    keys: Vec<Arc<dyn DynKeyEncryptionKey>>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    /// An empty ring; add keys with [`with`](Self::with).
    pub fn new() -> Self {
        Self::default()
    }

    /// This ring with `key` added last (tried after the keys before it).
    #[must_use]
    pub fn with<K: KeyEncryptionKey + 'static>(mut self, key: K) -> Self {
        self.keys.push(Arc::new(key));
        self
    }

    /// How many keys the ring holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the ring holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The ring's keys that resolve `key_id`, in ring order.
    fn resolving<'a>(
        &'a self,
        key_id: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Arc<dyn DynKeyEncryptionKey>)> + 'a {
        self.keys
            .iter()
            .enumerate()
            .filter(move |(_, k)| k.preference(key_id).is_some())
    }
}

impl KeyEncryptionKey for KeyRing {
    async fn default_algorithm(&self) -> Result<KeyWrapAlgorithm> {
        match self.keys.first() {
            Some(k) => k.default_algorithm().await,
            None => Err(empty()),
        }
    }

    /// Wraps with the first key of the ring.
    async fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> Result<WrappedDataKey> {
        match self.keys.first() {
            Some(k) => k.wrap(algorithm, data_key).await,
            None => Err(empty()),
        }
    }

    /// Tries each key that resolves `key_id`, in ring order; the last failure if none
    /// unwraps.
    async fn unwrap_data_key(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let mut last = None;
        for (_, key) in self.resolving(key_id) {
            match key.unwrap(key_id, algorithm, encrypted_key).await {
                Ok(dk) => return Ok(dk),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            invalid_argument(format!("envelope: no key of the ring resolves {key_id}"))
        }))
    }

    /// The position of the first key of the ring that resolves `key_id`.
    fn preference(&self, key_id: &str) -> Option<usize> {
        self.resolving(key_id).next().map(|(i, _)| i)
    }

    async fn wrap_data_key_sections(
        &self,
        algorithm: Option<&KeyWrapAlgorithm>,
        data_key: &[u8],
    ) -> Result<Vec<WrappedDataKey>> {
        if self.keys.is_empty() || self.keys.len() > MAX_KEY_SECTIONS {
            return Err(invalid_argument(
                "envelope: a key ring holds 1 to 16 key-encryption keys",
            ));
        }
        let mut sections = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            let alg = match algorithm {
                Some(alg) => alg.clone(),
                None => key.default_algorithm().await?,
            };
            sections.push(key.wrap(&alg, data_key).await?);
        }
        Ok(sections)
    }
}

fn empty() -> crate::Error {
    invalid_argument("envelope: the key ring is empty")
}
