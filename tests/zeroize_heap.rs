//! Zeroize, verified on the heap: private key components and envelope data keys are not left
//! behind in heap blocks the program frees.
//!
//! This binary has its own `#[global_allocator]`: a wrapper around `System` that, while
//! armed, looks into every block before it is freed (and every block a `realloc` moves away
//! from). Two modes:
//! - **patterns**: secrets registered beforehand (16-byte chunks of each component, in
//!   big-endian order and byte-reversed, which is how little-endian limbs hold them) are
//!   searched in each freed block; hits are counted per secret.
//! - **snapshot**: freed blocks of up to 4 KiB are copied into a side buffer (allocated from
//!   `System` directly), for secrets that do not exist yet when the operation starts (a data
//!   key drawn inside `encrypt`, a key pair drawn by `generate_*`). After the operation the
//!   test learns the secret (it unwraps the data key from the envelope header with the
//!   private key) and searches the snapshots.
//!
//! The allocator hook never allocates: fixed arrays behind a spin lock. The tests run one at
//! a time (a mutex) because the allocator is process-wide.
//!
//! Scope, honestly: only memory that goes through Rust's global allocator is seen. aws-lc
//! (the default backend for RSA, P-256/384/521 and AES) keeps its keys in C `malloc` memory,
//! outside this hook, and cleanses it on free itself; RustCrypto's in-place limb arithmetic,
//! stack copies, registers and memory that is still allocated are out of reach too. Bytes
//! the wire format carries in base64 (remote wrap/unwrap request and response bodies) are not
//! covered: the remote path is not exercised here. A positive control proves the detector
//! sees a plain `Vec<u8>` dropped without zeroize, and that a `Zeroizing` one passes.
//!
//! Known gaps, as ignored tests that pass once fixed: the envelope data-key cache's map
//! leaves key copies when it grows or evicts, and the RustCrypto AES key schedules are not
//! wiped without the `zeroize` features. The `rsa` crate's internal copies of `p` and `q`
//! (RustCrypto backend only) are counted, not asserted.

#[path = "common/scanning_alloc.rs"]
mod scanning_alloc;

use base64ct::{Base64UrlUnpadded, Encoding};
use kv_client::envelope::{DataKeyCacheOptions, EncryptCacheOptions, EnvelopeHeader};
use kv_client::{CryptographyClient, EnvelopeClient, EnvelopeOptions};
use kv_crypto_local::{DecryptParameters, EncryptParameters, LocalKey};
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyWrapAlgorithm, SignatureAlgorithm};
use scanning_alloc::{CHUNK, PATTERNS, SERIAL, SNAPSHOT, Watch};
use zeroize::Zeroizing;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

/// The private members of `jwk`, by name.
fn private_members(jwk: &JsonWebKey) -> Vec<(&'static str, Zeroizing<Vec<u8>>)> {
    jwk.private_members()
        .map(|(name, m)| (name, Zeroizing::new(m.expose_secret().to_vec())))
        .collect()
}

/// Positive control: the detector sees a plain `Vec` with a secret being freed, and does not
/// see a `Zeroizing` one; realloc moving a secret away is seen too.
#[test]
fn detector_sees_unzeroized_buffers() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut watch = Watch::new();
    let secret = [
        0x5Au8, 0x17, 0xC3, 0x99, 0x01, 0xFE, 0x42, 0x80, 0x33, 0x6D, 0xAA, 0x0F, 0x71, 0xE8, 0x2B,
        0xD4, 0x19, 0x9C,
    ];
    watch.register("control", &secret);
    watch.arm(PATTERNS);
    let zeroizing = Zeroizing::new(secret.to_vec());
    drop(zeroizing);
    assert!(watch.hits().is_empty(), "{:?}", watch.hits());
    let plain = secret.to_vec();
    drop(std::hint::black_box(plain));
    watch.disarm();
    assert_eq!(watch.hits(), vec![("control".to_owned(), 1)]);

    // Realloc moving a buffer leaves the old copy: seen.
    let mut watch = Watch::new();
    watch.register("grown", &secret);
    let mut grown = Zeroizing::new(Vec::with_capacity(secret.len()));
    grown.extend_from_slice(&secret);
    watch.arm(PATTERNS);
    grown.reserve(4096);
    watch.disarm();
    assert_eq!(watch.hits(), vec![("grown".to_owned(), 1)]);
    drop(grown);

    // Snapshot mode: a secret known only afterwards is found.
    let watch = Watch::new();
    watch.arm(SNAPSHOT);
    let later = kv_crypto_local::random_bytes(32).expect("random");
    drop(std::hint::black_box(later.to_vec()));
    watch.disarm();
    assert_eq!(watch.search_snapshots(&[("later", &later[..])]).len(), 1);
}

/// The RustCrypto backend alone, whose keys live on the Rust heap (aws-lc's do not).
fn rust_crypto() -> &'static kv_crypto_local::CryptoProvider {
    static PROVIDER: std::sync::OnceLock<kv_crypto_local::CryptoProvider> =
        std::sync::OnceLock::new();
    PROVIDER.get_or_init(kv_crypto_local::rust_crypto::provider)
}

/// Parses `jwk` from JSON (held in a zeroizing string), builds a `LocalKey` (with `provider`,
/// or the default one and also a local `CryptographyClient`), uses them, drops everything,
/// and reports the private members found in freed blocks.
fn parse_use_and_drop(
    jwk: JsonWebKey,
    provider: Option<&'static kv_crypto_local::CryptoProvider>,
    use_local: impl Fn(&LocalKey),
    use_client: impl Fn(&CryptographyClient),
) -> Vec<(String, u32)> {
    let json = Zeroizing::new(serde_json::to_string(&jwk).expect("JSON"));
    let members = private_members(&jwk);
    let mut watch = Watch::new();
    for (name, bytes) in &members {
        watch.register(name, bytes);
    }
    watch.arm(PATTERNS);
    drop(jwk);
    {
        let parsed: JsonWebKey = serde_json::from_str(&json).expect("parse");
        if let Some(provider) = provider {
            let local = LocalKey::with_provider(&parsed, provider).expect("local key");
            use_local(&local);
        } else {
            let local = LocalKey::new(&parsed).expect("local key");
            use_local(&local);
            let client = CryptographyClient::from_jwk(parsed.clone_secret()).expect("client");
            use_client(&client);
        }
        drop(parsed);
    }
    let blocks = watch.disarm();
    assert!(blocks > 0, "the hook saw no freed block");
    drop(members);
    watch.hits()
}

#[test]
fn rsa_private_key_is_wiped_from_freed_heap() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rt = runtime();
    let jwk = kv_crypto_local::generate_rsa(2048, None).expect("keygen");
    let digest = [9u8; 32];
    let alg = EncryptionAlgorithm::RsaOaep256;
    let use_local = |local: &LocalKey| {
        let sig = local
            .sign(&SignatureAlgorithm::Rs256, &digest)
            .expect("sign");
        assert!(
            local
                .verify(&SignatureAlgorithm::Rs256, &digest, &sig)
                .expect("verify")
        );
        let ct = local
            .encrypt(&alg, b"message", &EncryptParameters::default())
            .expect("encrypt");
        let pt = local
            .decrypt(&alg, &ct.ciphertext, &DecryptParameters::default())
            .expect("decrypt");
        assert_eq!(pt.as_slice(), b"message");
    };
    let use_client = |client: &CryptographyClient| {
        rt.block_on(async {
            let enc = client
                .encrypt(alg.clone(), b"other", None)
                .await
                .expect("encrypt");
            let dec = client
                .decrypt(alg.clone(), &enc.ciphertext, None)
                .await
                .expect("decrypt");
            assert_eq!(dec.plaintext.as_slice(), b"other");
            client
                .sign(SignatureAlgorithm::Ps256, &digest)
                .await
                .expect("sign");
        });
    };
    let hits = parse_use_and_drop(jwk, None, use_local, use_client);
    assert!(
        hits.is_empty(),
        "RSA private members left in freed heap: {hits:?}"
    );
}

#[test]
fn ec_private_key_is_wiped_from_freed_heap() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rt = runtime();
    for curve in [KeyCurveName::P256, KeyCurveName::P384, KeyCurveName::P256K] {
        let jwk = kv_crypto_local::generate_ec(&curve).expect("keygen");
        let alg = match curve {
            KeyCurveName::P384 => SignatureAlgorithm::Es384,
            KeyCurveName::P256K => SignatureAlgorithm::Es256K,
            _ => SignatureAlgorithm::Es256,
        };
        let digest = vec![3u8; if curve == KeyCurveName::P384 { 48 } else { 32 }];
        let use_local = |local: &LocalKey| {
            let sig = local.sign(&alg, &digest).expect("sign");
            assert!(local.verify(&alg, &digest, &sig).expect("verify"));
        };
        let use_client = |client: &CryptographyClient| {
            rt.block_on(async {
                client.sign_data(alg.clone(), b"data").await.expect("sign");
            });
        };
        let hits = parse_use_and_drop(jwk, None, use_local, use_client);
        assert!(
            hits.is_empty(),
            "{curve:?} private key left in freed heap: {hits:?}"
        );
    }
}

#[test]
fn oct_key_is_wiped_from_freed_heap() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rt = runtime();
    let jwk = kv_crypto_local::generate_oct(256).expect("keygen");
    let use_local = |local: &LocalKey| {
        let wrapped = local
            .wrap_key(&KeyWrapAlgorithm::A256Kw, &[1; 32])
            .expect("wrap");
        local
            .unwrap_key(&KeyWrapAlgorithm::A256Kw, &wrapped)
            .expect("unwrap");
    };
    let use_client = |client: &CryptographyClient| {
        rt.block_on(async {
            let enc = client
                .encrypt(EncryptionAlgorithm::A256Gcm, b"payload", None)
                .await
                .expect("encrypt");
            assert!(!enc.ciphertext.is_empty());
        });
    };
    let hits = parse_use_and_drop(jwk, None, use_local, use_client);
    assert!(hits.is_empty(), "oct key left in freed heap: {hits:?}");
}

/// Key generation (snapshot mode, since the key is unknown until it exists).
#[test]
fn generated_private_keys_are_not_left_in_freed_heap() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let watch = Watch::new();
    watch.arm(SNAPSHOT);
    let rsa = kv_crypto_local::generate_rsa(2048, None).expect("RSA");
    let ec = kv_crypto_local::generate_ec(&KeyCurveName::P256).expect("EC");
    watch.disarm();
    let mut members = private_members(&rsa);
    members.extend(private_members(&ec));
    let found = watch.search_snapshots(&needles_of(&members));
    assert!(
        found.is_empty(),
        "generated key material freed unwiped: {found:?}"
    );
}

/// Every 16-byte chunk of every member, in order and reversed, to search snapshots for.
fn needles_of(
    members: &[(&'static str, Zeroizing<Vec<u8>>)],
) -> Vec<(&'static str, Zeroizing<Vec<u8>>)> {
    let mut out = Vec::new();
    for (name, bytes) in members {
        let reversed: Zeroizing<Vec<u8>> = Zeroizing::new(bytes.iter().rev().copied().collect());
        for form in [&bytes[..], &reversed[..]] {
            for chunk in form.chunks_exact(CHUNK) {
                out.push((*name, Zeroizing::new(chunk.to_vec())));
            }
        }
    }
    out
}

/// The data key of each envelope: unwrapped from its header with the private key.
fn data_key_of(envelope: &[u8], private: &LocalKey) -> Zeroizing<Vec<u8>> {
    let (header, _) = EnvelopeHeader::parse(envelope).expect("header");
    private
        .unwrap_key(header.algorithm(), header.wrapped_key())
        .expect("unwrap")
}

/// Envelope data keys: after encrypt, after decrypt without a cache, and after decrypt
/// with a cache once the client (and its cache) is dropped.
#[test]
fn envelope_data_keys_are_not_left_in_freed_heap() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rt = runtime();
    let kid = "https://myvault.vault.azure.net/keys/data/0123456789abcdef";
    let jwk = kv_crypto_local::generate_rsa(2048, None)
        .expect("keygen")
        .with_kid(kid);
    let private = LocalKey::new(&jwk).expect("local key");
    let public = CryptographyClient::from_jwk(jwk.to_public()).expect("public client");
    let full = CryptographyClient::from_jwk(jwk.clone_secret()).expect("private client");
    let cached = EnvelopeOptions {
        data_key_cache: Some(DataKeyCacheOptions::default()),
        ..Default::default()
    };
    let plaintext = vec![0x42u8; 100_000];
    let check = |watch: &Watch, envelope: &[u8], step: &str| {
        let key = data_key_of(envelope, &private);
        let b64 = Zeroizing::new(Base64UrlUnpadded::encode_string(&key));
        let found = watch.search_snapshots(&[
            ("data key", &key[..]),
            ("data key (base64url)", b64.as_bytes()),
        ]);
        assert!(found.is_empty(), "{step}: {found:?}");
    };

    // Encrypt (public key only, as a service client would after fetching it).
    let sealer = EnvelopeClient::new(public, None).expect("envelope");
    let watch = Watch::new();
    watch.arm(SNAPSHOT);
    let envelope = rt
        .block_on(sealer.encrypt(&plaintext, b"ctx"))
        .expect("encrypt");
    let small = rt.block_on(sealer.encrypt(b"short", b"")).expect("encrypt");
    watch.disarm();
    check(&watch, &envelope, "encrypt");
    check(&watch, &small, "encrypt (one segment)");

    // Decrypt without a cache.
    let opener = EnvelopeClient::new(full.clone(), None).expect("envelope");
    let watch = Watch::new();
    watch.arm(SNAPSHOT);
    let opened = rt
        .block_on(opener.decrypt(&envelope, Some(b"ctx")))
        .expect("decrypt");
    drop(std::hint::black_box(opened));
    watch.disarm();
    check(&watch, &envelope, "decrypt");

    // Decrypt with the cache, twice (the second from the cache), then drop the client.
    let watch = Watch::new();
    watch.arm(SNAPSHOT);
    let caching = EnvelopeClient::new(full, Some(cached)).expect("envelope");
    for _ in 0..2 {
        let opened = rt
            .block_on(caching.decrypt(&envelope, Some(b"ctx")))
            .expect("decrypt");
        assert_eq!(opened.len(), plaintext.len());
        let opened = rt.block_on(caching.decrypt(&small, None)).expect("decrypt");
        assert_eq!(opened.as_slice(), b"short");
    }
    drop(caching);
    watch.disarm();
    check(&watch, &envelope, "decrypt with the cache, client dropped");
    check(
        &watch,
        &small,
        "decrypt with the cache, client dropped (small)",
    );
}

/// The RustCrypto backend on its own (what a build without aws-lc uses): its keys live on
/// the Rust heap. EC keys and RSA `d`, `dp`, `dq`, `qi` are wiped. The `rsa` crate's
/// `PrivateKey::from_components` and its CRT arithmetic free copies of the primes `p` and
/// `q` without wiping them (dozens per key; third-party internals, counted and printed
/// here, not asserted).
#[test]
fn rustcrypto_backend_private_keys() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let digest = [5u8; 32];
    for curve in [KeyCurveName::P256, KeyCurveName::P256K] {
        let jwk = kv_crypto_local::generate_ec(&curve).expect("keygen");
        let alg = if curve == KeyCurveName::P256 {
            SignatureAlgorithm::Es256
        } else {
            SignatureAlgorithm::Es256K
        };
        let use_local = |local: &LocalKey| {
            let sig = local.sign(&alg, &digest).expect("sign");
            assert!(local.verify(&alg, &digest, &sig).expect("verify"));
        };
        let hits = parse_use_and_drop(jwk, Some(rust_crypto()), use_local, |_| ());
        assert!(hits.is_empty(), "RustCrypto {curve:?}: {hits:?}");
    }
    let jwk = kv_crypto_local::generate_rsa(2048, None).expect("keygen");
    let use_local = |local: &LocalKey| {
        local
            .sign(&SignatureAlgorithm::Rs256, &digest)
            .expect("sign");
        let alg = EncryptionAlgorithm::RsaOaep256;
        let ct = local
            .encrypt(&alg, b"m", &EncryptParameters::default())
            .expect("encrypt");
        local
            .decrypt(&alg, &ct.ciphertext, &DecryptParameters::default())
            .expect("decrypt");
    };
    let hits = parse_use_and_drop(jwk, Some(rust_crypto()), use_local, |_| ());
    println!("RustCrypto RSA: private members found in freed heap: {hits:?}");
    let wiped: Vec<_> = hits.iter().filter(|(n, _)| n != "p" && n != "q").collect();
    assert!(wiped.is_empty(), "RustCrypto RSA: {wiped:?}");
}

/// RustCrypto's AES key schedules (AES-GCM, AES-KW, AES-CBC) hold the raw key in their
/// first round keys and are wiped only with the `zeroize` features of `aes`, `aes-gcm` and
/// `aes-kw`, which kv-crypto-local does not enable yet: 3 copies of `k` are freed unwiped
/// per key. Enabling those features makes this test pass (checked by hand).
#[test]
fn rustcrypto_backend_aes_keys() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let jwk = kv_crypto_local::generate_oct(256).expect("keygen");
    let use_local = |local: &LocalKey| {
        let wrapped = local
            .wrap_key(&KeyWrapAlgorithm::A256Kw, &[1; 32])
            .expect("wrap");
        local
            .unwrap_key(&KeyWrapAlgorithm::A256Kw, &wrapped)
            .expect("unwrap");
        let ct = local
            .encrypt(
                &EncryptionAlgorithm::A256Gcm,
                b"m",
                &EncryptParameters::default(),
            )
            .expect("encrypt");
        assert!(!ct.ciphertext.is_empty());
    };
    let hits = parse_use_and_drop(jwk, Some(rust_crypto()), use_local, |_| ());
    assert!(hits.is_empty(), "RustCrypto AES: {hits:?}");
}

/// The data-key cache with many entries: its table grows (moving entries) and evicts
/// (removing entries) before the client, and the cache, are dropped.
///
/// Fails today (14 copies of 20 keys): `envelope/cache.rs` keeps `DataKey` inline in its
/// `HashMap` entries, and the map's growth (a move into a new table) and `remove`/`retain`
/// (a move out of the bucket) leave the old bytes in memory the map frees unwiped. Storing
/// `Box<DataKey>` in the entry (the key is then wiped in place and never moved) makes it
/// pass (checked by hand).
#[test]
fn cached_data_keys_are_not_left_in_freed_heap_after_growth_and_eviction() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rt = runtime();
    let kid = "https://myvault.vault.azure.net/keys/data/0123456789abcdef";
    let jwk = kv_crypto_local::generate_rsa(2048, None)
        .expect("keygen")
        .with_kid(kid);
    let private = LocalKey::new(&jwk).expect("local key");
    let full = CryptographyClient::from_jwk(jwk.clone_secret()).expect("private client");
    let sealer = EnvelopeClient::new(full.clone(), None).expect("envelope");
    let envelopes: Vec<Vec<u8>> = (0..20)
        .map(|i| rt.block_on(sealer.encrypt(&[i; 64], b"")).expect("encrypt"))
        .collect();
    let keys: Vec<_> = envelopes.iter().map(|e| data_key_of(e, &private)).collect();
    let options = EnvelopeOptions {
        data_key_cache: Some(DataKeyCacheOptions {
            max_entries: 12,
            ..Default::default()
        }),
        ..Default::default()
    };
    let watch = Watch::new();
    watch.arm(SNAPSHOT);
    let caching = EnvelopeClient::new(full, Some(options)).expect("envelope");
    for envelope in envelopes.iter().chain(&envelopes) {
        let opened = rt
            .block_on(caching.decrypt(envelope, None))
            .expect("decrypt");
        assert_eq!(opened.len(), 64);
    }
    drop(caching);
    watch.disarm();
    let needles: Vec<(&str, &[u8])> = keys.iter().map(|k| ("cached data key", &k[..])).collect();
    let found = watch.search_snapshots(&needles);
    assert!(
        found.is_empty(),
        "{} data-key copies freed unwiped: {found:?}",
        found.len()
    );
}

/// The encrypt-side cache: data keys evicted by the message bound, by the entry bound
/// (many contexts) and at drop leave no copy in freed heap.
#[test]
fn encrypt_cached_data_keys_are_not_left_in_freed_heap() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rt = runtime();
    let kid = "https://myvault.vault.azure.net/keys/data/0123456789abcdef";
    let jwk = kv_crypto_local::generate_rsa(2048, None)
        .expect("keygen")
        .with_kid(kid);
    let private = LocalKey::new(&jwk).expect("local key");
    let public = CryptographyClient::from_jwk(jwk.to_public()).expect("public client");
    let options = EnvelopeOptions {
        encrypt_cache: Some(EncryptCacheOptions {
            max_age: std::time::Duration::from_secs(600),
            max_messages: 3,
            max_bytes: 1 << 20,
            max_entries: 4,
        }),
        ..Default::default()
    };
    let watch = Watch::new();
    watch.arm(SNAPSHOT);
    let caching = EnvelopeClient::new(public, Some(options)).expect("envelope");
    let mut envelopes = Vec::new();
    for i in 0..30u8 {
        let context = [i % 10]; // ten contexts through four entries
        envelopes.push(
            rt.block_on(caching.encrypt(&[i; 64], &context))
                .expect("encrypt"),
        );
    }
    drop(caching);
    watch.disarm();
    let keys: Vec<_> = envelopes.iter().map(|e| data_key_of(e, &private)).collect();
    let needles: Vec<(&str, &[u8])> = keys
        .iter()
        .map(|k| ("encrypt-cached data key", &k[..]))
        .collect();
    let found = watch.search_snapshots(&needles);
    assert!(
        found.is_empty(),
        "{} data-key copies freed unwiped: {found:?}",
        found.len()
    );
}
