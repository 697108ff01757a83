//! Reliability under injected faults: 1,000 mixed operations through `KeyClient` and
//! `CryptographyClient` against the emulator with 20 % of requests faulted (429 with a
//! retry-after, 503, connection dropped before or after the operation, added latency).
//!
//! What is checked:
//! - every idempotent operation (get, list, update, crypto, random bytes) succeeds and its
//!   result is correct;
//! - after a 429 the next try waits at least the `x-ms-retry-after-ms` the emulator asked
//!   for (a counting transport records every try);
//! - non-idempotent operations (create, import, rotate) succeed or fail, and every key
//!   version that exists on the server is accounted for.
//!
//! Client behaviour under test (kv-core's retry policy): 408, 429 and 5xx answers and
//! connections that could not be made are retried for every request, because the service
//! did not act on them. A create, import or rotate whose connection drops after it may have
//! reached the service is *not* replayed: the caller gets a transport error saying the
//! request may have been performed, and can look (list the versions) before repeating it.
//! So no write is ever duplicated silently: every version on the server is either one the
//! caller was told about or one from a write that returned that error, and the test counts
//! both exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use kv_client::{
    CryptographyClient, CryptographyClientOptions, KeyClient, KeyClientOptions, RoutingMode,
    UpdateKeyPropertiesOptions,
};
use kv_core::test_util::{Exchange, FakeTransport};
use kv_core::{ClientOptions, ReqwestClient, RetryOptions, StaticTokenCredential};
use kv_emulator::faults::{Fault, FaultSpec};
use kv_jwk::{EncryptionAlgorithm, KeyCurveName, KeyWrapAlgorithm, SignatureAlgorithm};

/// The wait a 429 asks for.
const RETRY_AFTER_MS: u64 = 30;
/// 20 % of requests faulted.
const SPEC: &str = "seed=42,429=0.05,503=0.05,reset-before=0.03,reset-after=0.03,latency=0.04,latency-ms=5,retry-after-ms=30";
const OPERATIONS: usize = 1_000;
/// Names the writes go to, so versions pile up on a few keys.
const POOL: usize = 4;

struct Setup {
    emulator: kv_emulator::EmulatorHandle,
    /// The real transport behind a recording fake: every try, timed.
    transport: Arc<FakeTransport>,
    keys: KeyClient,
    _dir: tempfile::TempDir,
}

impl Setup {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec: FaultSpec = SPEC.parse().expect("fault spec");
        assert!((spec.total() - 0.2).abs() < 1e-9);
        let emulator = kv_emulator::Emulator::builder()
            .data_dir(dir.path())
            .faults(spec)
            .start()
            .await
            .expect("emulator starts");
        let inner = ReqwestClient::new(&[emulator.ca_pem().as_bytes().to_vec()]).expect("client");
        let transport = Arc::new(FakeTransport::forward(Arc::new(inner)));
        let keys = KeyClient::new(
            emulator.url(),
            Arc::new(StaticTokenCredential::new("emulator-token")),
            Some(KeyClientOptions {
                client_options: client_options(&transport),
            }),
        )
        .expect("key client");
        Self {
            emulator,
            transport,
            keys,
            _dir: dir,
        }
    }

    fn crypto(&self, key_id: &str) -> CryptographyClient {
        CryptographyClient::new(
            key_id,
            Arc::new(StaticTokenCredential::new("emulator-token")),
            Some(CryptographyClientOptions {
                client_options: client_options(&self.transport),
                mode: RoutingMode::RemoteOnly,
                ..Default::default()
            }),
        )
        .expect("crypto client")
    }

    fn fault_count(&self) -> usize {
        self.emulator.faults().map_or(0, |f| f.log().len())
    }

    /// Reset-after faults among the injected faults from `from` on that hit a write
    /// that makes a version (create, import, rotate).
    fn reset_after_writes(&self, from: usize) -> usize {
        let log = self.emulator.faults().map(|f| f.log()).unwrap_or_default();
        log[from..]
            .iter()
            .filter(|r| r.fault == Fault::ResetAfter && makes_version(&r.method, &r.path))
            .count()
    }

    /// Every version of `name` on the server (listing is idempotent, so it is retried).
    async fn versions(&self, name: &str) -> BTreeSet<String> {
        self.keys
            .list_key_properties_versions(name, None)
            .expect("valid name")
            .map_ok(|p| p.version().expect("listed version").to_owned())
            .try_collect()
            .await
            .expect("listing versions succeeds")
    }
}

fn client_options(transport: &Arc<FakeTransport>) -> ClientOptions {
    ClientOptions {
        verify_challenge_resource: false,
        transport: Some(transport.clone()),
        retry: RetryOptions {
            max_retries: 10,
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
            max_elapsed: Duration::from_secs(60),
            try_timeout: Duration::from_secs(20),
        },
        ..Default::default()
    }
}

fn makes_version(method: &str, path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(
        (method, parts.as_slice()),
        ("POST", ["keys", _, "create" | "rotate"]) | ("PUT", ["keys", _])
    )
}

#[derive(Default, Debug)]
struct Tally {
    idempotent_ok: usize,
    writes_ok: usize,
    writes_err: usize,
    /// Writes that succeeded although a reset-after fault hit one of their tries: the
    /// caller got a version, and one more exists that it was never told about.
    silent_duplicates: usize,
    /// Writes that failed after a reset-after fault: the caller knows something went wrong.
    reported_unknown: usize,
}

/// Creates `name` the way a careful caller does under faults: when the create fails with an
/// error that says it may have been performed, look before trying again.
async fn create_knowingly(keys: &KeyClient, name: &str, rsa: bool) -> kv_client::KeyVaultKey {
    for _ in 0..20 {
        let outcome = if rsa {
            keys.create_rsa_key(name, None).await
        } else {
            keys.create_ec_key(name, None).await
        };
        match outcome {
            Ok(key) => return key,
            Err(e) => {
                assert!(e.to_string().contains("not retried"), "{e}");
                if let Ok(key) = keys.get_key(name, None).await {
                    return key;
                }
            }
        }
    }
    panic!("{name} could not be created in 20 tries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_operations_under_twenty_percent_faults() {
    let setup = Setup::start().await;
    let keys = &setup.keys;

    // Fixed keys for the crypto operations (their creation may be faulted too).
    let rsa = create_knowingly(keys, "rel-rsa", true).await;
    let ec = create_knowingly(keys, "rel-ec", false).await;
    let rsa_crypto = setup.crypto(rsa.id().source_id().as_str());
    let ec_crypto = setup.crypto(ec.id().source_id().as_str());
    let import = kv_crypto_local::generate_ec(&KeyCurveName::P256).expect("EC JWK");

    let pool: Vec<String> = (0..POOL).map(|i| format!("rel-pool-{i}")).collect();
    let mut told: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in &pool {
        let key = create_knowingly(keys, name, false).await;
        told.entry(name.clone())
            .or_default()
            .insert(key.id().version().expect("version").to_owned());
    }

    let mut tally = Tally::default();
    for i in 0..OPERATIONS {
        let name = &pool[i % POOL];
        let before = setup.fault_count();
        match i % 10 {
            0..=2 => {
                let outcome = match i % 10 {
                    0 => keys.create_ec_key(name, None).await,
                    1 => keys.import_key(name, &import, None).await,
                    _ => keys.rotate_key(name).await,
                };
                let hits = setup.reset_after_writes(before);
                match outcome {
                    Ok(key) => {
                        assert_eq!(key.name(), name);
                        told.entry(name.clone())
                            .or_default()
                            .insert(key.id().version().expect("version").to_owned());
                        tally.writes_ok += 1;
                        tally.silent_duplicates += hits;
                    }
                    Err(_) => {
                        tally.writes_err += 1;
                        tally.reported_unknown += hits;
                    }
                }
            }
            3 => {
                let key = keys.get_key(name, None).await.expect("get_key");
                assert_eq!(key.name(), name);
                tally.idempotent_ok += 1;
            }
            4 => {
                let plaintext = format!("message {i}").into_bytes();
                let encrypted = rsa_crypto
                    .encrypt(EncryptionAlgorithm::RsaOaep256, &plaintext, None)
                    .await
                    .expect("encrypt");
                let decrypted = rsa_crypto
                    .decrypt(EncryptionAlgorithm::RsaOaep256, &encrypted.ciphertext, None)
                    .await
                    .expect("decrypt");
                assert_eq!(decrypted.plaintext.as_slice(), plaintext.as_slice());
                tally.idempotent_ok += 2;
            }
            5 => {
                let data = format!("document {i}").into_bytes();
                let signed = ec_crypto
                    .sign_data(SignatureAlgorithm::Es256, &data)
                    .await
                    .expect("sign");
                let good = ec_crypto
                    .verify_data(SignatureAlgorithm::Es256, &data, &signed.signature)
                    .await
                    .expect("verify");
                assert!(good.is_valid);
                let bad = ec_crypto
                    .verify_data(SignatureAlgorithm::Es256, b"other", &signed.signature)
                    .await
                    .expect("verify");
                assert!(!bad.is_valid);
                tally.idempotent_ok += 3;
            }
            6 => {
                let data_key = [u8::try_from(i % 251).expect("byte"); 32];
                let wrapped = rsa_crypto
                    .wrap_key(KeyWrapAlgorithm::RsaOaep256, &data_key)
                    .await
                    .expect("wrap");
                let unwrapped = rsa_crypto
                    .unwrap_key(KeyWrapAlgorithm::RsaOaep256, &wrapped.encrypted_key)
                    .await
                    .expect("unwrap");
                assert_eq!(unwrapped.key.as_slice(), &data_key);
                tally.idempotent_ok += 2;
            }
            7 => {
                let tags = BTreeMap::from([("round".to_owned(), i.to_string())]);
                let updated = keys
                    .update_key_properties(
                        "rel-ec",
                        Some(UpdateKeyPropertiesOptions {
                            tags: Some(tags.clone()),
                            ..Default::default()
                        }),
                    )
                    .await
                    .expect("update");
                assert_eq!(updated.properties.tags, tags);
                tally.idempotent_ok += 1;
            }
            8 => {
                let bytes = keys.get_random_bytes(16).await.expect("random bytes");
                assert_eq!(bytes.len(), 16);
                tally.idempotent_ok += 1;
            }
            _ => {
                let listed = setup.versions(name).await;
                let known = told.get(name).expect("pool name");
                assert!(known.is_subset(&listed), "a reported version is missing");
                tally.idempotent_ok += 1;
            }
        }
    }

    // Every version the caller was told about exists; the others are exactly the ones a
    // dropped-after-write try made.
    let start_faults = setup.fault_count();
    let mut extra = 0;
    for name in &pool {
        let listed = setup.versions(name).await;
        let known = &told[name];
        assert!(
            known.is_subset(&listed),
            "{name}: a reported version is missing"
        );
        extra += listed.len() - known.len();
    }
    // The final listings are reads; they add no versions.
    assert_eq!(setup.reset_after_writes(start_faults), 0);
    // Setup keys rel-rsa and rel-ec: count their extra versions too.
    for name in ["rel-rsa", "rel-ec"] {
        extra += setup.versions(name).await.len() - 1;
    }

    // Retries honour the service's wait: the try after a 429 starts no sooner than asked.
    let attempts = setup.transport.exchanges();
    let retry_after_ms = |e: &Exchange| -> Option<u64> {
        e.response_headers
            .get("x-ms-retry-after-ms")?
            .to_str()
            .ok()?
            .parse()
            .ok()
    };
    let mut throttled = 0;
    for pair in attempts.windows(2) {
        if pair[0].status.map(|s| s.as_u16()) == Some(429) {
            throttled += 1;
            assert_eq!(retry_after_ms(&pair[0]), Some(RETRY_AFTER_MS));
            let waited = pair[1].started.duration_since(pair[0].finished);
            assert!(
                waited >= Duration::from_millis(RETRY_AFTER_MS),
                "retried after {waited:?}"
            );
        }
    }
    let log = setup.emulator.faults().expect("faults on").log();
    let count = |f: Fault| log.iter().filter(|r| r.fault == f).count();
    let requests = setup.emulator.faults().expect("faults on").requests();
    let share = log.len() as f64 / requests as f64;
    println!(
        "{OPERATIONS} operations, {} tries, {requests} requests seen, {} faults ({:.1} %): \
         429 {}, 503 {}, reset-before {}, reset-after {}, latency {}; {tally:?}; \
         extra versions {extra}",
        attempts.len(),
        log.len(),
        share * 100.0,
        count(Fault::Throttle),
        count(Fault::Unavailable),
        count(Fault::ResetBefore),
        count(Fault::ResetAfter),
        count(Fault::Latency),
    );
    assert!(throttled > 0 && throttled == count(Fault::Throttle));
    assert!((0.15..0.25).contains(&share), "fault share {share}");
    for fault in [
        Fault::Throttle,
        Fault::Unavailable,
        Fault::ResetBefore,
        Fault::ResetAfter,
        Fault::Latency,
    ] {
        assert!(count(fault) > 0, "no {fault} injected");
    }
    // No write was duplicated behind the caller's back: every version the caller was not
    // told about comes from a write that returned "may have been performed".
    assert_eq!(tally.silent_duplicates, 0);
    assert_eq!(
        extra, tally.reported_unknown,
        "unaccounted versions: every extra version must come from a write that reported it"
    );
    assert!(tally.writes_ok > 0 && tally.writes_err >= tally.reported_unknown);
    assert!(tally.idempotent_ok >= 1000);
}
