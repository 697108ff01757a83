//! [`KeyId`]: the key identifier a cryptographic result names, cheap to copy.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// Bytes of identifiers the process keeps for its whole life (see [`KeyId::interned`]).
/// About 8,000 typical identifiers; past it, identifiers are reference counted instead.
const INTERN_BUDGET: usize = 1 << 20;

/// The identifier of the key an operation used, as the service spells it
/// (`https://{vault}/keys/{name}/{version}`).
///
/// Every local result names its key, so copying the name must cost next to nothing on a
/// hot path, and nothing that threads on other cores would feel: a `KeyId` taken from a
/// client's key is interned (a process-wide copy, made once when the key is loaded), so a
/// result copies two words and touches no reference count shared between threads. One
/// that arrives in a service response is shared behind an `Arc`. (Why not always an `Arc`:
/// the shared count's increment and decrement cost about 20 ns per local result, 3% of the
/// `A256KW wrap` row of `benches/performance.rs`, and under concurrency one cache line
/// written by every core; see benches/RESULTS.md.) Either way it reads as a
/// `&str` (it dereferences to `str`) and parses into a
/// [`KeyVaultKeyIdentifier`](crate::KeyVaultKeyIdentifier):
///
/// ```
/// use kv_client::{KeyId, KeyVaultKeyIdentifier};
///
/// let id = KeyId::from("https://my-vault.vault.azure.net/keys/my-key/0123456789abcdef");
/// assert_eq!(id, "https://my-vault.vault.azure.net/keys/my-key/0123456789abcdef");
/// assert!(id.ends_with("/0123456789abcdef"));
/// let parsed: KeyVaultKeyIdentifier = id.parse()?;
/// assert_eq!(parsed.name(), "my-key");
/// # Ok::<(), kv_client::Error>(())
/// ```
#[derive(Clone)]
pub struct KeyId(Repr);

#[derive(Clone)]
enum Repr {
    Interned(&'static str),
    Shared(Arc<str>),
}

/// The interned identifiers and their total size in bytes.
static INTERNED: Mutex<(Option<HashSet<&'static str>>, usize)> = Mutex::new((None, 0));

impl KeyId {
    /// The identifier as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Interned(s) => s,
            Repr::Shared(s) => s,
        }
    }

    /// `s` interned: the process keeps one copy of each distinct identifier for its whole
    /// life, so clones of the result are plain copies. Bounded: once the interned
    /// identifiers reach 1 MiB (thousands of key versions), new ones are reference counted
    /// instead. Takes a process-wide lock, so call it when a key is loaded, not per
    /// operation.
    pub(crate) fn interned(s: &str) -> Self {
        let mut guard = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
        let (set, bytes) = &mut *guard;
        let set = set.get_or_insert_with(HashSet::new);
        if let Some(&kept) = set.get(s) {
            return Self(Repr::Interned(kept));
        }
        if *bytes + s.len() > INTERN_BUDGET {
            return Self(Repr::Shared(Arc::from(s)));
        }
        let kept: &'static str = Box::leak(Box::from(s));
        set.insert(kept);
        *bytes += s.len();
        Self(Repr::Interned(kept))
    }

    /// Whether cloning this identifier is a plain copy (it was interned).
    #[doc(hidden)]
    pub fn is_interned(&self) -> bool {
        matches!(self.0, Repr::Interned(_))
    }
}

impl From<&str> for KeyId {
    fn from(s: &str) -> Self {
        Self(Repr::Shared(Arc::from(s)))
    }
}

impl From<String> for KeyId {
    fn from(s: String) -> Self {
        Self(Repr::Shared(Arc::from(s)))
    }
}

impl From<&String> for KeyId {
    fn from(s: &String) -> Self {
        Self::from(s.as_str())
    }
}

impl From<Arc<str>> for KeyId {
    fn from(s: Arc<str>) -> Self {
        Self(Repr::Shared(s))
    }
}

impl From<KeyId> for String {
    fn from(id: KeyId) -> Self {
        id.as_str().to_owned()
    }
}

impl From<&crate::KeyVaultKeyIdentifier> for KeyId {
    fn from(id: &crate::KeyVaultKeyIdentifier) -> Self {
        Self::from(id.to_string())
    }
}

impl Deref for KeyId {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for KeyId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for KeyId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for KeyId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for KeyId {}

impl PartialEq<str> for KeyId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for KeyId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for KeyId {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<KeyId> for str {
    fn eq(&self, other: &KeyId) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<KeyId> for &str {
    fn eq(&self, other: &KeyId) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<KeyId> for String {
    fn eq(&self, other: &KeyId) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Hash for KeyId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for KeyId {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyId {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    const KID: &str =
        "https://my-vault.vault.azure.net/keys/my-key/0123456789abcdef0123456789abcdef";

    #[test]
    fn reads_back_as_text_either_way() {
        for id in [KeyId::from(KID), KeyId::interned(KID)] {
            assert_eq!(id.as_str(), KID);
            assert_eq!(&*id, KID);
            assert_eq!(id, KID);
            assert_eq!(KID, id);
            assert_eq!(id.to_string(), KID);
            assert_eq!(format!("{id:?}"), format!("{KID:?}"));
            assert_eq!(String::from(id.clone()), KID);
        }
        assert_eq!(KeyId::from(KID), KeyId::interned(KID));
    }

    #[test]
    fn interning_keeps_one_copy_per_identifier() {
        let kid = format!("{KID}-interning-test");
        let a = KeyId::interned(&kid);
        let b = KeyId::interned(&kid);
        assert!(a.is_interned() && b.is_interned());
        assert!(
            core::ptr::eq(a.as_str(), b.as_str()),
            "one copy per identifier"
        );
        assert!(!KeyId::from(kid.as_str()).is_interned());
    }

    #[test]
    fn interning_is_bounded() {
        // An identifier past the budget is reference counted, and takes none of it (other
        // tests in this process intern theirs meanwhile).
        let huge = "f".repeat(INTERN_BUDGET + 1);
        let id = KeyId::interned(&huge);
        assert!(!id.is_interned());
        assert_eq!(id, huge);
        let (_, bytes) = &*INTERNED.lock().unwrap();
        assert!(*bytes <= INTERN_BUDGET);
    }

    #[test]
    fn stays_three_words() {
        assert_eq!(size_of::<KeyId>(), 24);
        assert_eq!(size_of::<Option<KeyId>>(), 24);
    }

    #[test]
    fn equality_hashing_and_order_follow_the_text() {
        let set: HashSet<KeyId> = [KeyId::from(KID), KeyId::interned(KID), KeyId::from("b")]
            .into_iter()
            .collect();
        assert_eq!(set.len(), 2);
        assert!(set.contains(KID));
        let (a, b) = (KeyId::from("a"), KeyId::interned("b"));
        assert!(a < b);
    }

    proptest! {
        #[test]
        fn any_string_round_trips(s in ".{0,300}") {
            let id = KeyId::from(s.as_str());
            prop_assert_eq!(id.as_str(), s.as_str());
            prop_assert_eq!(id.clone(), id);
        }
    }
}
