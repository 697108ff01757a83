//! An optional cache of unwrapped data keys, bounded by age, uses and bytes, so decrypting
//! many envelopes that share a wrapped data key costs one unwrap per period.

use core::fmt;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kv_jwk::KeyWrapAlgorithm;

use crate::keys::DataKey;

/// Limits of the data-key cache. An entry is dropped when any limit is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataKeyCacheOptions {
    /// How long an unwrapped key may be reused.
    pub max_age: Duration,
    /// How many decryptions may use one cached key.
    pub max_uses: u64,
    /// How many ciphertext bytes may be decrypted under one cached key.
    pub max_bytes: u64,
    /// How many keys are kept at once (the oldest is evicted).
    pub max_entries: usize,
}

impl Default for DataKeyCacheOptions {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(300),
            max_uses: 10_000,
            max_bytes: 1 << 36,
            max_entries: 1_000,
        }
    }
}

/// What identifies a data key: who wrapped it, how, and the wrapped bytes (none secret).
#[derive(Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    key_id: String,
    algorithm: String,
    wrapped: Vec<u8>,
}

struct Entry {
    /// Boxed so the key bytes stay put: the map moves its entries when it grows or removes
    /// one, and a moved inline key would leave an unwiped copy in freed memory.
    key: Box<DataKey>,
    created: Instant,
    uses: u64,
    bytes: u64,
}

/// The cache. Keys are zeroized when evicted or dropped.
pub(crate) struct DataKeyCache {
    options: DataKeyCacheOptions,
    entries: Mutex<HashMap<CacheKey, Entry>>,
}

impl fmt::Debug for DataKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKeyCache")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl DataKeyCache {
    pub(crate) fn new(options: DataKeyCacheOptions) -> Self {
        Self {
            options,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn key(key_id: &str, algorithm: &KeyWrapAlgorithm, wrapped: &[u8]) -> CacheKey {
        CacheKey {
            key_id: key_id.to_owned(),
            algorithm: algorithm.as_str().to_owned(),
            wrapped: wrapped.to_vec(),
        }
    }

    /// A cached key, counting one use and `bytes`, if it is within every limit.
    pub(crate) fn get(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        wrapped: &[u8],
        bytes: u64,
        now: Instant,
    ) -> Option<DataKey> {
        let mut map = self.entries.lock().ok()?;
        let k = Self::key(key_id, algorithm, wrapped);
        let entry = map.get_mut(&k)?;
        let fresh = now.saturating_duration_since(entry.created) < self.options.max_age
            && entry.uses < self.options.max_uses
            && entry.bytes.saturating_add(bytes) <= self.options.max_bytes;
        if !fresh {
            map.remove(&k);
            return None;
        }
        entry.uses += 1;
        entry.bytes = entry.bytes.saturating_add(bytes);
        Some(DataKey::clone(&entry.key))
    }

    /// Stores a key that has just passed its commitment check, counting its first use.
    pub(crate) fn insert(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        wrapped: &[u8],
        key: &DataKey,
        bytes: u64,
        now: Instant,
    ) {
        if self.options.max_entries == 0 || self.options.max_uses <= 1 {
            return;
        }
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        let max_age = self.options.max_age;
        map.retain(|_, e| now.saturating_duration_since(e.created) < max_age);
        if map.len() >= self.options.max_entries
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, e)| e.created)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            Self::key(key_id, algorithm, wrapped),
            Entry {
                key: Box::new(key.clone()),
                created: now,
                uses: 1,
                bytes,
            },
        );
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().map(|m| m.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(max_age: u64, max_uses: u64, max_bytes: u64, max_entries: usize) -> DataKeyCache {
        DataKeyCache::new(DataKeyCacheOptions {
            max_age: Duration::from_secs(max_age),
            max_uses,
            max_bytes,
            max_entries,
        })
    }

    const ALG: KeyWrapAlgorithm = KeyWrapAlgorithm::A256Kw;

    #[test]
    fn limits_by_age_uses_and_bytes() {
        let t0 = Instant::now();
        let key = DataKey::from_unwrapped(&[7; 32]).unwrap();
        let c = cache(10, 3, 100, 10);
        c.insert("k", &ALG, b"w", &key, 10, t0);
        assert!(c.get("k", &ALG, b"w", 10, t0).is_some()); // use 2, 20 bytes
        assert!(c.get("k", &ALG, b"other", 10, t0).is_none());
        assert!(c.get("j", &ALG, b"w", 10, t0).is_none());
        assert!(c.get("k", &ALG, b"w", 10, t0).is_some()); // use 3
        assert!(c.get("k", &ALG, b"w", 10, t0).is_none()); // uses exhausted, evicted
        assert_eq!(c.len(), 0);

        c.insert("k", &ALG, b"w", &key, 90, t0);
        assert!(c.get("k", &ALG, b"w", 11, t0).is_none()); // 101 bytes > 100
        c.insert("k", &ALG, b"w", &key, 0, t0);
        assert!(
            c.get("k", &ALG, b"w", 0, t0 + Duration::from_secs(9))
                .is_some()
        );
        assert!(
            c.get("k", &ALG, b"w", 0, t0 + Duration::from_secs(10))
                .is_none()
        );
    }

    #[test]
    fn bounded_number_of_entries() {
        let t0 = Instant::now();
        let key = DataKey::from_unwrapped(&[7; 32]).unwrap();
        let c = cache(100, 100, 1 << 20, 2);
        c.insert("k", &ALG, b"1", &key, 0, t0);
        c.insert("k", &ALG, b"2", &key, 0, t0 + Duration::from_secs(1));
        c.insert("k", &ALG, b"3", &key, 0, t0 + Duration::from_secs(2));
        assert_eq!(c.len(), 2);
        assert!(c.get("k", &ALG, b"1", 0, t0).is_none());
        assert!(c.get("k", &ALG, b"3", 0, t0).is_some());
        let off = cache(100, 100, 100, 0);
        off.insert("k", &ALG, b"1", &key, 0, t0);
        assert_eq!(off.len(), 0);
    }
}
