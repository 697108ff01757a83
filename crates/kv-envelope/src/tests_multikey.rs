//! Format version 2: several key sections, the resolver's order, swapped sections, rewrap
//! adding a key, and version 1 still written on request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kv_crypto_local::{LocalKey, generate_oct, generate_rsa};
use kv_jwk::KeyWrapAlgorithm;
use zeroize::Zeroizing;

use super::*;
use crate::error::{ErrorKind, Result};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

fn aes(bits: usize, id: &str) -> LocalKeyEncryptionKey {
    LocalKeyEncryptionKey::new(LocalKey::new(&generate_oct(bits).unwrap()).unwrap(), id).unwrap()
}

/// Three local keys: AES-256, AES-128 and RSA-2048 (one RSA key, generated once).
fn three() -> [Arc<LocalKeyEncryptionKey>; 3] {
    static RSA: std::sync::OnceLock<kv_jwk::JsonWebKey> = std::sync::OnceLock::new();
    let rsa = RSA.get_or_init(|| generate_rsa(2048, None).unwrap());
    [
        Arc::new(aes(256, "https://a.vault.azure.net/keys/kek/1")),
        Arc::new(aes(128, "https://b.vault.azure.net/keys/kek/1")),
        Arc::new(
            LocalKeyEncryptionKey::new(LocalKey::new(rsa).unwrap(), "offline-recovery").unwrap(),
        ),
    ]
}

/// Shares a key between a ring and a client of its own.
#[derive(Debug)]
struct Shared(Arc<LocalKeyEncryptionKey>, Arc<AtomicUsize>);

impl Shared {
    fn new(key: &Arc<LocalKeyEncryptionKey>) -> Self {
        Self(Arc::clone(key), Arc::default())
    }
}

impl KeyEncryptionKey for Shared {
    async fn default_algorithm(&self) -> Result<KeyWrapAlgorithm> {
        self.0.default_algorithm().await
    }
    async fn wrap_data_key(&self, alg: &KeyWrapAlgorithm, dk: &[u8]) -> Result<WrappedDataKey> {
        self.0.wrap_data_key(alg, dk).await
    }
    async fn unwrap_data_key(
        &self,
        key_id: &str,
        alg: &KeyWrapAlgorithm,
        wrapped: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.unwrap_data_key(key_id, alg, wrapped).await
    }
    fn preference(&self, key_id: &str) -> Option<usize> {
        self.0.preference(key_id)
    }
}

/// A revoked key: it resolves its sections but every unwrap fails (as a disabled vault key).
struct Revoked(Arc<LocalKeyEncryptionKey>);

impl KeyEncryptionKey for Revoked {
    async fn wrap_data_key(&self, alg: &KeyWrapAlgorithm, dk: &[u8]) -> Result<WrappedDataKey> {
        self.0.wrap_data_key(alg, dk).await
    }
    async fn unwrap_data_key(
        &self,
        _: &str,
        _: &KeyWrapAlgorithm,
        _: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        Err(crate::Error::new(ErrorKind::Forbidden, "key is disabled"))
    }
    fn preference(&self, key_id: &str) -> Option<usize> {
        self.0.preference(key_id)
    }
}

fn ring(keys: &[Arc<LocalKeyEncryptionKey>]) -> KeyRing {
    keys.iter()
        .fold(KeyRing::new(), |r, k| r.with(Shared::new(k)))
}

#[test]
fn a_three_key_envelope_opens_with_each_key_alone() {
    let keys = three();
    let c = EnvelopeClient::new(ring(&keys), None).unwrap();
    let ct = block_on(c.encrypt(b"three keys", b"ctx")).unwrap();
    let (h, _) = EnvelopeHeader::parse(&ct).unwrap();
    assert_eq!(h.version(), FORMAT_VERSION_2);
    let sections = h.key_sections();
    assert_eq!(sections.len(), 3);
    assert_eq!(sections[0].algorithm, KeyWrapAlgorithm::A256Kw);
    assert_eq!(sections[1].algorithm, KeyWrapAlgorithm::A128Kw);
    assert_eq!(sections[2].algorithm, KeyWrapAlgorithm::RsaOaep256);
    assert_eq!(sections[2].key_id, "offline-recovery");
    for key in &keys {
        let alone = EnvelopeClient::new(Shared::new(key), None).unwrap();
        let pt = block_on(alone.decrypt(&ct, Some(b"ctx"))).unwrap();
        assert_eq!(&pt[..], b"three keys", "{}", key.key_id());
        assert!(block_on(alone.decrypt(&ct, Some(b"other"))).is_err());
    }
    // A key of no section is refused without an unwrap.
    let stranger = Shared::new(&Arc::new(aes(256, "stranger")));
    let calls = Arc::clone(&stranger.1);
    let e = block_on(
        EnvelopeClient::new(stranger, None)
            .unwrap()
            .decrypt(&ct, Some(b"ctx")),
    )
    .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidArgument);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn sections_are_tried_in_the_resolvers_order_past_a_revoked_key() {
    let keys = three();
    let ct = block_on(
        EnvelopeClient::new(ring(&keys), None)
            .unwrap()
            .encrypt(b"m", b""),
    )
    .unwrap();
    // The ring prefers the recovery key (last in the header): only it is asked.
    let first = Shared::new(&keys[2]);
    let (asked_first, asked_other) = (Arc::clone(&first.1), Arc::new(AtomicUsize::new(0)));
    let other = Shared(Arc::clone(&keys[0]), Arc::clone(&asked_other));
    let c = EnvelopeClient::new(KeyRing::new().with(first).with(other), None).unwrap();
    assert_eq!(&block_on(c.decrypt(&ct, None)).unwrap()[..], b"m");
    assert_eq!(
        (
            asked_first.load(Ordering::SeqCst),
            asked_other.load(Ordering::SeqCst)
        ),
        (1, 0)
    );
    // The first key revoked: the message still opens with the next.
    let c = EnvelopeClient::new(
        KeyRing::new()
            .with(Revoked(Arc::clone(&keys[0])))
            .with(Shared::new(&keys[1])),
        None,
    )
    .unwrap();
    assert_eq!(&block_on(c.decrypt(&ct, None)).unwrap()[..], b"m");
    // Revoked alone: its error comes back.
    let c = EnvelopeClient::new(Revoked(Arc::clone(&keys[0])), None).unwrap();
    assert_eq!(
        block_on(c.decrypt(&ct, None)).unwrap_err().kind(),
        &ErrorKind::Forbidden
    );
}

#[test]
fn a_swapped_key_section_is_refused() {
    let keys = three();
    let c = EnvelopeClient::new(ring(&keys), None).unwrap();
    let a = block_on(c.encrypt(b"message a", b"")).unwrap();
    let b = block_on(c.encrypt(b"message b", b"")).unwrap();
    let (ha, la) = EnvelopeHeader::parse(&a).unwrap();
    let (hb, _) = EnvelopeHeader::parse(&b).unwrap();
    // a's header with b's section for the AES-128 key: the same key unwraps it, but to b's
    // data key, whose commitment is not a's.
    let mut forged_header = ha.clone();
    forged_header.sections[1] = hb.sections[1].clone();
    let mut forged = forged_header.to_bytes().unwrap();
    forged.extend_from_slice(&a[la..]);
    let k1 = EnvelopeClient::new(Shared::new(&keys[1]), None).unwrap();
    assert_eq!(
        block_on(k1.decrypt(&forged, None)).unwrap_err().kind(),
        &ErrorKind::Crypto
    );
    // The untouched sections still open it.
    let k0 = EnvelopeClient::new(Shared::new(&keys[0]), None).unwrap();
    assert_eq!(
        &block_on(k0.decrypt(&forged, None)).unwrap()[..],
        b"message a"
    );
    // Another key's section renamed to the AES-128 key's id is refused too.
    let mut renamed = ha.clone();
    renamed.sections[1].encrypted_key = ha.sections[0].encrypted_key.clone();
    let mut forged = renamed.to_bytes().unwrap();
    forged.extend_from_slice(&a[la..]);
    assert!(block_on(k1.decrypt(&forged, None)).is_err());
}

#[test]
fn rewrap_adds_or_replaces_a_key_section() {
    let keys = three();
    let one = EnvelopeClient::new(Shared::new(&keys[0]), None).unwrap();
    let ct = block_on(one.encrypt(b"add a key", b"ctx")).unwrap();
    let (h, hl) = EnvelopeHeader::parse(&ct).unwrap();
    assert_eq!(h.key_sections().len(), 1);
    let added = block_on(one.rewrap_with(&ct, &Shared::new(&keys[2]))).unwrap();
    let (h2, hl2) = EnvelopeHeader::parse(&added).unwrap();
    assert_eq!(h2.key_sections().len(), 2);
    assert_eq!(&added[hl2..], &ct[hl..], "the payload is untouched");
    let recovery = EnvelopeClient::new(Shared::new(&keys[2]), None).unwrap();
    assert_eq!(
        &block_on(recovery.decrypt(&added, Some(b"ctx"))).unwrap()[..],
        b"add a key"
    );
    // Rewrapping with the same key again replaces its section.
    let again = block_on(recovery.rewrap(&added)).unwrap();
    assert_eq!(
        EnvelopeHeader::parse(&again)
            .unwrap()
            .0
            .key_sections()
            .len(),
        2
    );
    assert_eq!(
        &block_on(one.decrypt(&again, Some(b"ctx"))).unwrap()[..],
        b"add a key"
    );
    // A key that cannot unwrap any section cannot add one.
    let stranger = EnvelopeClient::new(aes(256, "stranger"), None).unwrap();
    assert!(block_on(stranger.rewrap_with(&ct, &Shared::new(&keys[1]))).is_err());
}

#[test]
fn version_one_is_still_written_on_request() {
    let keys = three();
    let v1 = EnvelopeOptions {
        format_version: FORMAT_VERSION_1,
        ..Default::default()
    };
    let c = EnvelopeClient::new(Shared::new(&keys[0]), Some(v1.clone())).unwrap();
    let ct = block_on(c.encrypt(b"old readers", b"")).unwrap();
    assert_eq!(ct[4], FORMAT_VERSION_1);
    // Version 1's layout: the key id's length right after the fixed part.
    assert_eq!(
        usize::from(u16::from_be_bytes([ct[80], ct[81]])),
        keys[0].key_id().len()
    );
    assert_eq!(&block_on(c.decrypt(&ct, None)).unwrap()[..], b"old readers");
    // a version-2 reader opens it too, and rewrap keeps it version 1
    let v2 = EnvelopeClient::new(Shared::new(&keys[0]), None).unwrap();
    assert_eq!(
        &block_on(v2.decrypt(&ct, None)).unwrap()[..],
        b"old readers"
    );
    let moved = block_on(v2.rewrap(&ct)).unwrap();
    assert_eq!(moved[4], FORMAT_VERSION_1);
    assert!(block_on(v2.rewrap_with(&ct, &Shared::new(&keys[1]))).is_ok());
    // ...but a ring of two cannot be written as version 1, and versions beyond 2 do not exist.
    let ring = EnvelopeClient::new(ring(&keys[..2]), Some(v1)).unwrap();
    assert_eq!(
        block_on(ring.encrypt(b"x", b"")).unwrap_err().kind(),
        &ErrorKind::InvalidArgument
    );
    let v3 = EnvelopeOptions {
        format_version: 3,
        ..Default::default()
    };
    assert!(EnvelopeClient::new(Shared::new(&keys[0]), Some(v3)).is_err());
    // A version-1 header relabelled version 2 (or back) does not parse or does not open.
    let mut relabelled = ct.clone();
    relabelled[4] = FORMAT_VERSION_2;
    assert!(block_on(v2.decrypt(&relabelled, None)).is_err());
}

#[test]
fn a_ring_holds_one_to_sixteen_keys() {
    let empty = EnvelopeClient::new(KeyRing::new(), None).unwrap();
    assert!(block_on(empty.encrypt(b"x", b"")).is_err());
    let key = Arc::new(aes(128, "k"));
    let seventeen = (0..17).fold(KeyRing::new(), |r, _| r.with(Shared::new(&key)));
    let c = EnvelopeClient::new(seventeen, None).unwrap();
    assert!(block_on(c.encrypt(b"x", b"")).is_err());
    let sixteen = (0..16).fold(KeyRing::new(), |r, _| r.with(Shared::new(&key)));
    let c = EnvelopeClient::new(sixteen, None).unwrap();
    let ct = block_on(c.encrypt(b"x", b"")).unwrap();
    assert_eq!(
        EnvelopeHeader::parse(&ct).unwrap().0.key_sections().len(),
        16
    );
    assert_eq!(&block_on(c.decrypt(&ct, None)).unwrap()[..], b"x");
}

/// Counts wraps (the calls an encrypt cache saves).
struct CountingWraps(Arc<LocalKeyEncryptionKey>, Arc<AtomicUsize>);

impl KeyEncryptionKey for CountingWraps {
    async fn default_algorithm(&self) -> Result<KeyWrapAlgorithm> {
        self.0.default_algorithm().await
    }
    async fn wrap_data_key(&self, alg: &KeyWrapAlgorithm, dk: &[u8]) -> Result<WrappedDataKey> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.wrap_data_key(alg, dk).await
    }
    async fn unwrap_data_key(
        &self,
        key_id: &str,
        alg: &KeyWrapAlgorithm,
        wrapped: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.0.unwrap_data_key(key_id, alg, wrapped).await
    }
}

#[test]
fn the_encrypt_cache_reuses_a_data_key_within_its_bounds() {
    let key = Arc::new(aes(256, "k"));
    let wraps = Arc::new(AtomicUsize::new(0));
    let with = |cache: Option<EncryptCacheOptions>| {
        let opts = EnvelopeOptions {
            encrypt_cache: cache,
            ..Default::default()
        };
        EnvelopeClient::new(
            CountingWraps(Arc::clone(&key), Arc::clone(&wraps)),
            Some(opts),
        )
        .unwrap()
    };
    let bounds = EncryptCacheOptions {
        max_age: std::time::Duration::from_secs(60),
        max_messages: 3,
        max_bytes: 1000,
        max_entries: 4,
    };
    let wrapped = |ct: &[u8]| EnvelopeHeader::parse(ct).unwrap().0.wrapped_key().to_vec();
    let salt = |ct: &[u8]| ct[12..44].to_vec();

    // Off by default: one wrap per message.
    let c = with(None);
    for _ in 0..3 {
        block_on(c.encrypt(b"m", b"ctx")).unwrap();
    }
    assert_eq!(wraps.swap(0, Ordering::SeqCst), 3);

    // Message bound: 3 messages per data key, then a fresh one; salts always fresh.
    let c = with(Some(bounds.clone()));
    let cts: Vec<_> = (0..5)
        .map(|_| block_on(c.encrypt(b"m", b"ctx")).unwrap())
        .collect();
    assert_eq!(wraps.swap(0, Ordering::SeqCst), 2);
    assert_eq!(wrapped(&cts[0]), wrapped(&cts[2]));
    assert_ne!(wrapped(&cts[2]), wrapped(&cts[3]));
    assert_ne!(salt(&cts[0]), salt(&cts[1]), "a fresh salt per message");
    for ct in &cts {
        assert_eq!(&block_on(c.decrypt(ct, Some(b"ctx"))).unwrap()[..], b"m");
    }
    // Per context: another context gets its own data key.
    let other = block_on(c.encrypt(b"m", b"other")).unwrap();
    assert_eq!(wraps.swap(0, Ordering::SeqCst), 1);
    assert_ne!(wrapped(&other), wrapped(&cts[4]));

    // Byte bound: 1000 bytes per data key.
    let c = with(Some(bounds.clone()));
    for _ in 0..4 {
        block_on(c.encrypt(&[0; 400], b"ctx")).unwrap(); // 400, 800, then 1200 > 1000: new key
    }
    assert_eq!(wraps.swap(0, Ordering::SeqCst), 2);

    // Streamed messages never use it.
    let c = with(Some(bounds.clone()));
    for _ in 0..2 {
        let enc = block_on(c.encryptor(b"ctx")).unwrap();
        enc.into_writer(Vec::new()).finish().unwrap();
    }
    assert_eq!(wraps.swap(0, Ordering::SeqCst), 2);

    // Bounds are required and checked.
    let bad = EncryptCacheOptions {
        max_messages: MAX_MESSAGES_PER_DATA_KEY + 1,
        ..bounds
    };
    assert!(
        EnvelopeClient::new(
            aes(256, "k"),
            Some(EnvelopeOptions {
                encrypt_cache: Some(bad),
                ..Default::default()
            })
        )
        .is_err()
    );
}
