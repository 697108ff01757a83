//! The encrypt-side data-key cache: one wrapped data key reused for several messages, so a
//! key-encryption key whose wrap is a service call (an oct-HSM key, whose AES key wrap runs
//! in the HSM) costs one call per batch of messages instead of one per message. The AWS
//! Encryption SDK's caching CMM does the same, bounded the same way.
//!
//! # Security
//! Safe because every message still draws a fresh 32-byte salt, and the content key is
//! HKDF(salt, data key): content keys stay unique per message, so AES-GCM nonces (a
//! counter per message) never repeat under one key. What it trades: every message sealed
//! under one cached data key opens with that data key, so one leaked (unwrapped) data key
//! exposes the whole batch, not one message; and a revoked or rotated key-encryption key
//! keeps being used for up to `max_age`. The bounds cap both. The cache is per
//! [`EnvelopeClient`](crate::EnvelopeClient) (so per key-encryption-key set and options)
//! and per encryption context; keys are wiped when evicted or dropped. Only the one-shot
//! `encrypt`/`encrypt_into` use it (their length is known up front); streamed messages
//! always get a fresh data key.

use core::fmt;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Result, invalid_argument};
use crate::kek::WrappedDataKey;
use crate::keys::DataKey;

/// The most messages one cached data key may seal: 2^32, as NIST SP 800-38D bounds random
/// use of one key (here a conservative bound: each message has its own content key).
pub const MAX_MESSAGES_PER_DATA_KEY: u64 = 1 << 32;

/// Bounds of the encrypt-side data-key cache. All are required: a cached data key is
/// dropped (and wiped) at the first bound reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptCacheOptions {
    /// How long one data key may be reused, from its first message.
    pub max_age: Duration,
    /// How many messages one data key may seal: 1 to [`MAX_MESSAGES_PER_DATA_KEY`].
    pub max_messages: u64,
    /// How many plaintext bytes one data key may seal, in total (at least 1).
    pub max_bytes: u64,
    /// How many encryption contexts are cached at once (the oldest is evicted).
    pub max_entries: usize,
}

impl EncryptCacheOptions {
    pub(crate) fn check(&self) -> Result<()> {
        if self.max_age.is_zero()
            || !(1..=MAX_MESSAGES_PER_DATA_KEY).contains(&self.max_messages)
            || self.max_bytes == 0
            || self.max_entries == 0
        {
            return Err(invalid_argument(
                "envelope: encrypt cache bounds: max_age > 0, 1 <= max_messages <= 2^32, \
                 max_bytes >= 1, max_entries >= 1",
            ));
        }
        Ok(())
    }
}

/// A data key with its key sections (not secret).
pub(crate) struct Cached {
    /// Boxed so the key bytes never move (a moved key would leave an unwiped copy).
    pub(crate) data_key: Box<DataKey>,
    pub(crate) sections: Vec<WrappedDataKey>,
}

struct Entry {
    cached: Cached,
    created: Instant,
    messages: u64,
    bytes: u64,
}

/// The cache: encryption context -> data key. Keys are zeroized when evicted or dropped.
pub(crate) struct EncryptCache {
    options: EncryptCacheOptions,
    entries: Mutex<HashMap<Vec<u8>, Entry>>,
}

impl fmt::Debug for EncryptCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptCache")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl EncryptCache {
    pub(crate) fn new(options: EncryptCacheOptions) -> Self {
        Self {
            options,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// A copy of the data key and sections cached for `context`, charged one message of
    /// `bytes`, when every bound still holds after the charge; the entry is evicted when
    /// it does not (or when this charge exhausts it).
    pub(crate) fn take(&self, context: &[u8], bytes: u64, now: Instant) -> Option<Cached> {
        let mut map = self.entries.lock().ok()?;
        let o = &self.options;
        let entry = map.get_mut(context)?;
        let fits = now.saturating_duration_since(entry.created) < o.max_age
            && entry.messages < o.max_messages
            && entry.bytes.saturating_add(bytes) <= o.max_bytes;
        if !fits {
            map.remove(context);
            return None;
        }
        entry.messages += 1;
        entry.bytes += bytes;
        let out = Cached {
            data_key: Box::new((*entry.cached.data_key).clone()),
            sections: entry.cached.sections.clone(),
        };
        if entry.messages >= o.max_messages || entry.bytes >= o.max_bytes {
            map.remove(context);
        }
        Some(out)
    }

    /// Caches a data key just used for one message of `bytes` under `context`.
    pub(crate) fn insert(&self, context: &[u8], cached: &Cached, bytes: u64, now: Instant) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        let o = &self.options;
        if o.max_messages <= 1 || bytes >= o.max_bytes {
            return; // already exhausted by its first message
        }
        map.retain(|_, e| now.saturating_duration_since(e.created) < o.max_age);
        if map.len() >= o.max_entries
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, e)| e.created)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            context.to_vec(),
            Entry {
                cached: Cached {
                    data_key: Box::new((*cached.data_key).clone()),
                    sections: cached.sections.clone(),
                },
                created: now,
                messages: 1,
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

    fn cache(age: u64, messages: u64, bytes: u64, entries: usize) -> EncryptCache {
        EncryptCache::new(EncryptCacheOptions {
            max_age: Duration::from_secs(age),
            max_messages: messages,
            max_bytes: bytes,
            max_entries: entries,
        })
    }

    fn cached(byte: u8) -> Cached {
        Cached {
            data_key: Box::new(DataKey::from_unwrapped(&[byte; 32]).unwrap()),
            sections: Vec::new(),
        }
    }

    #[test]
    fn bounds_are_checked() {
        let ok = EncryptCacheOptions {
            max_age: Duration::from_secs(1),
            max_messages: MAX_MESSAGES_PER_DATA_KEY,
            max_bytes: 1,
            max_entries: 1,
        };
        assert!(ok.check().is_ok());
        for bad in [
            EncryptCacheOptions {
                max_age: Duration::ZERO,
                ..ok.clone()
            },
            EncryptCacheOptions {
                max_messages: 0,
                ..ok.clone()
            },
            EncryptCacheOptions {
                max_messages: MAX_MESSAGES_PER_DATA_KEY + 1,
                ..ok.clone()
            },
            EncryptCacheOptions {
                max_bytes: 0,
                ..ok.clone()
            },
            EncryptCacheOptions {
                max_entries: 0,
                ..ok.clone()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn message_count_bound() {
        let t0 = Instant::now();
        let c = cache(100, 3, 1 << 20, 8);
        c.insert(b"ctx", &cached(1), 10, t0); // message 1
        assert!(c.take(b"ctx", 10, t0).is_some()); // 2
        assert!(c.take(b"other", 10, t0).is_none(), "per context");
        assert!(c.take(b"ctx", 10, t0).is_some()); // 3: exhausts and evicts
        assert_eq!(c.len(), 0);
        assert!(c.take(b"ctx", 10, t0).is_none());
    }

    #[test]
    fn byte_bound() {
        let t0 = Instant::now();
        let c = cache(100, 100, 100, 8);
        c.insert(b"ctx", &cached(1), 60, t0);
        assert!(c.take(b"ctx", 41, t0).is_none(), "101 bytes > 100");
        assert_eq!(c.len(), 0);
        c.insert(b"ctx", &cached(1), 60, t0);
        assert!(c.take(b"ctx", 40, t0).is_some()); // exactly 100: used, then evicted
        assert_eq!(c.len(), 0);
        c.insert(b"ctx", &cached(1), 100, t0); // exhausted by its first message
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn age_bound_and_entries() {
        let t0 = Instant::now();
        let c = cache(10, 100, 1 << 20, 2);
        c.insert(b"a", &cached(1), 1, t0);
        assert!(c.take(b"a", 1, t0 + Duration::from_secs(9)).is_some());
        assert!(c.take(b"a", 1, t0 + Duration::from_secs(10)).is_none());
        assert_eq!(c.len(), 0);
        c.insert(b"a", &cached(1), 1, t0);
        c.insert(b"b", &cached(2), 1, t0 + Duration::from_secs(1));
        c.insert(b"c", &cached(3), 1, t0 + Duration::from_secs(2));
        assert_eq!(c.len(), 2);
        assert!(
            c.take(b"a", 1, t0 + Duration::from_secs(2)).is_none(),
            "oldest evicted"
        );
        let got = c.take(b"c", 1, t0 + Duration::from_secs(2)).unwrap();
        assert_eq!(got.data_key.as_bytes(), &[3; 32]);
    }
}
