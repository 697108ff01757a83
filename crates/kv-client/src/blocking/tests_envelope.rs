//! The blocking envelope's multi-key features over local keys: a ring of three keys, each
//! opening alone; the ring's order and falling past a key that cannot unwrap; rewrap adding
//! and replacing a key section; the encrypt cache; `encrypt_into`.

use std::time::Duration;

use kv_jwk::KeyWrapAlgorithm;

use super::{CryptographyClient, EnvelopeClient, KeyRing};
use crate::envelope::{EncryptCacheOptions, EnvelopeHeader, EnvelopeOptions};

const CTX: &[u8] = b"tenant=42";

/// A local key-encryption key named like a vault key of vault `vault`.
fn oct(vault: &str) -> CryptographyClient {
    with_kid(kv_crypto_local::generate_oct(256).unwrap(), vault)
}

fn with_kid(mut jwk: kv_jwk::JsonWebKey, vault: &str) -> CryptographyClient {
    jwk.kid = Some(format!(
        "https://{vault}.vault.azure.net/keys/kek/0123456789abcdef"
    ));
    CryptographyClient::from_jwk(jwk).unwrap()
}

fn rsa(vault: &str) -> CryptographyClient {
    static RSA: std::sync::OnceLock<kv_jwk::JsonWebKey> = std::sync::OnceLock::new();
    with_kid(
        RSA.get_or_init(|| kv_crypto_local::generate_rsa(2048, None).unwrap())
            .clone(),
        vault,
    )
}

fn algorithms(ct: &[u8]) -> Vec<KeyWrapAlgorithm> {
    let (header, _) = EnvelopeHeader::parse(ct).unwrap();
    header
        .key_sections()
        .iter()
        .map(|s| s.algorithm.clone())
        .collect()
}

#[test]
fn a_three_key_ring_seals_and_each_key_opens_alone() {
    let keys = [oct("a"), oct("b"), rsa("recovery")];
    let ring = keys
        .iter()
        .cloned()
        .fold(KeyRing::new(), |ring, k| ring.with(k));
    assert_eq!(ring.len(), 3);
    assert!(!ring.is_empty() && KeyRing::new().is_empty());
    let sealer = EnvelopeClient::new(ring.clone(), None).unwrap();
    let ct = sealer.encrypt(b"disaster recovery", CTX).unwrap();
    assert_eq!(
        algorithms(&ct),
        [
            KeyWrapAlgorithm::A256Kw,
            KeyWrapAlgorithm::A256Kw,
            KeyWrapAlgorithm::RsaOaep256
        ]
    );
    for key in keys {
        let alone = EnvelopeClient::new(key, None).unwrap();
        assert_eq!(
            &alone.decrypt(&ct, Some(CTX)).unwrap()[..],
            b"disaster recovery"
        );
        assert!(alone.decrypt(&ct, Some(b"tenant=43")).is_err());
    }
    // The ring opens it too, and a key of no section is refused.
    assert_eq!(
        &sealer.decrypt(&ct, Some(CTX)).unwrap()[..],
        b"disaster recovery"
    );
    let stranger = EnvelopeClient::new(oct("elsewhere"), None).unwrap();
    let e = stranger.decrypt(&ct, Some(CTX)).unwrap_err();
    assert_eq!(e.kind(), &crate::ErrorKind::InvalidArgument);
    // An empty ring cannot encrypt.
    let empty = EnvelopeClient::new(KeyRing::new(), None).unwrap();
    assert!(empty.encrypt(b"x", CTX).is_err());
}

#[test]
fn the_ring_falls_past_a_key_that_cannot_unwrap() {
    let (a, b) = (oct("a"), oct("b"));
    let ct = EnvelopeClient::new(KeyRing::new().with(a).with(b.clone()), None)
        .unwrap()
        .encrypt(b"payload", CTX)
        .unwrap();
    // First in the ring: a key named like section A but of other material (A's key lost,
    // replaced under the same id). Its unwrap fails; the ring goes on to B.
    let impostor = oct("a");
    let ring = KeyRing::new().with(impostor.clone()).with(b);
    let opener = EnvelopeClient::new(ring, None).unwrap();
    assert_eq!(&opener.decrypt(&ct, Some(CTX)).unwrap()[..], b"payload");
    // The impostor alone does not open it, and streaming through the ring works as well.
    assert!(
        EnvelopeClient::new(impostor, None)
            .unwrap()
            .decrypt(&ct, Some(CTX))
            .is_err()
    );
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut opener.decrypt_reader(&ct[..], Some(CTX)).unwrap(),
        &mut plain,
    )
    .unwrap();
    assert_eq!(plain, b"payload");
}

#[test]
fn rewrap_adds_and_replaces_key_sections() {
    let (a, b) = (oct("a"), oct("b"));
    let client = EnvelopeClient::new(a.clone(), None).unwrap();
    let ct = client.encrypt(b"moved", CTX).unwrap();
    assert_eq!(algorithms(&ct).len(), 1);
    // Adding B: B alone then opens it, A still does.
    let both = client.rewrap_with(&ct, &b).unwrap();
    assert_eq!(algorithms(&both).len(), 2);
    for key in [&a, &b] {
        let alone = EnvelopeClient::new(key.clone(), None).unwrap();
        assert_eq!(&alone.decrypt(&both, Some(CTX)).unwrap()[..], b"moved");
    }
    // A new version of B (rotated: same vault and name) replaces B's section: the new
    // version opens the message, the old one no longer does.
    let (header, len) = EnvelopeHeader::parse(&both).unwrap();
    let mut jwk = kv_crypto_local::generate_oct(256).unwrap();
    jwk.kid = Some("https://b.vault.azure.net/keys/kek/fedcba9876543210".into());
    let b2 = CryptographyClient::from_jwk(jwk).unwrap();
    let again = client.rewrap_header_with(&header, &b2).unwrap();
    let (again_header, _) = EnvelopeHeader::parse(&again).unwrap();
    assert_eq!(again_header.key_sections().len(), 2);
    assert_eq!(again_header.key_sections()[0], header.key_sections()[0]);
    assert!(
        again_header.key_sections()[1]
            .key_id
            .ends_with("/fedcba9876543210")
    );
    let mut rewrapped = again.clone();
    rewrapped.extend_from_slice(&both[len..]);
    let b2_alone = EnvelopeClient::new(b2, None).unwrap();
    assert_eq!(
        &b2_alone.decrypt(&rewrapped, Some(CTX)).unwrap()[..],
        b"moved"
    );
    let b_alone = EnvelopeClient::new(b, None).unwrap();
    assert!(b_alone.decrypt(&rewrapped, Some(CTX)).is_err());
    // A ring adds each of its keys.
    let (c, d) = (oct("c"), rsa("d"));
    let four = client
        .rewrap_with(&ct, &KeyRing::new().with(c.clone()).with(d.clone()))
        .unwrap();
    assert_eq!(algorithms(&four).len(), 3);
    for key in [c, d] {
        let alone = EnvelopeClient::new(key, None).unwrap();
        assert_eq!(&alone.decrypt(&four, Some(CTX)).unwrap()[..], b"moved");
    }
}

#[test]
fn the_encrypt_cache_and_encrypt_into() {
    let ring = KeyRing::new().with(oct("a")).with(oct("b"));
    let cached = EnvelopeClient::new(
        ring,
        Some(EnvelopeOptions {
            encrypt_cache: Some(EncryptCacheOptions {
                max_age: Duration::from_secs(60),
                max_messages: 2,
                max_bytes: 1 << 20,
                max_entries: 4,
            }),
            ..Default::default()
        }),
    )
    .unwrap();
    let sections = |ct: &[u8]| EnvelopeHeader::parse(ct).unwrap().0.key_sections().to_vec();
    let first = cached.encrypt(b"one", CTX).unwrap();
    let mut second = Vec::new();
    cached.encrypt_into(b"two", CTX, &mut second).unwrap();
    let third = cached.encrypt(b"three", CTX).unwrap();
    // Messages 1 and 2 share a wrapped data key (and differ: fresh salt); the third,
    // past max_messages, has a new one.
    assert_eq!(sections(&first), sections(&second));
    assert_ne!(first[12..44], second[12..44]);
    assert_ne!(sections(&second), sections(&third));
    for (ct, pt) in [(&first, &b"one"[..]), (&second, b"two"), (&third, b"three")] {
        assert_eq!(&cached.decrypt(ct, Some(CTX)).unwrap()[..], pt);
    }
    // encrypt_into reuses the buffer: a shorter message cuts the old contents off.
    let mut out = vec![0xEE; 4096];
    cached.encrypt_into(b"short", b"other", &mut out).unwrap();
    assert!(out.len() < 4096 && out.capacity() >= 4096);
    assert_eq!(&cached.decrypt(&out, Some(b"other")).unwrap()[..], b"short");
}
