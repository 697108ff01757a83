//! Secret hygiene over a whole workflow: no bearer token, private key component, data key
//! or plaintext appears in any log line at any level, in any `Debug` output or in any error
//! text (`Display`, `Debug` and the `source()` chain).
//!
//! How: one global `tracing` subscriber at TRACE for every target (our crates, the in-process
//! emulator, and the `log` records of reqwest and rustls through `tracing-log`; h2 emits
//! `tracing` events itself) writes into memory. The emulator runs in-process on port 0, the
//! credential hands out a random 40-character token. The workflow drives `KeyClient` (create,
//! import with known private material, get, list, update, rotate, backup, delete, purge,
//! restore, recover), `CryptographyClient` remote, automatic and local (`from_jwk` with
//! private material), envelope encryption (cache off and on, RSA-OAEP-256 and A256KW on an
//! oct-HSM key, streaming) and deliberate failures (bad imports, a wrong key, a tampered
//! envelope, a 401, invalid JWKs). Every value touched is `Debug`-printed into a corpus.
//!
//! The data keys of envelopes are recovered by unwrapping the wrapped key from each envelope
//! header (with the known RSA private key, or by the service for A256KW), so the scan knows
//! them. Then the logs and the corpus are scanned for every secret in hex, base64url,
//! base64, decimal byte lists and decimal integers, whole and in part (see
//! `common/secret_scan.rs`). The test also proves the capture is not vacuous: the logs hold
//! TRACE events, request spans with the key names, the operation spans of `KeyClient` and
//! of every `CryptographyClient` operation (local and remote), and the emulator's request
//! lines.

#[path = "common/capture.rs"]
mod capture;
#[path = "common/failing_calls.rs"]
mod failing_calls;
#[path = "common/secret_scan.rs"]
mod secret_scan;

use std::fmt::{Debug, Write as _};
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use capture::{Corpus, LOGS, capture_logs};
use failing_calls::failures;
use futures::TryStreamExt;
use kv_client::envelope::{DataKeyCacheOptions, EnvelopeHeader, KeyVaultWrapper};
use kv_client::{
    CreateKeyOptions, CryptographyClient, CryptographyClientOptions, EnvelopeClient,
    EnvelopeOptions, KeyClient, KeyClientOptions, PollerOptions, RoutingMode,
    UpdateKeyPropertiesOptions,
};
use kv_core::{ClientOptions, StaticTokenCredential};
use kv_crypto_local::LocalKey;
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyWrapAlgorithm, SignatureAlgorithm};
use secret_scan::SecretScanner;
use sha2::Digest;

fn random_text(bytes: usize) -> String {
    let raw = kv_crypto_local::random_bytes(bytes).expect("random");
    Base64UrlUnpadded::encode_string(&raw)
}

/// Registers every private member of `jwk`.
fn register_jwk(scanner: &mut SecretScanner, label: &str, jwk: &JsonWebKey) {
    for (name, member) in jwk.private_members() {
        scanner.add_bytes(&format!("{label}.{name}"), member.expose_secret());
    }
}

fn fast() -> Option<PollerOptions> {
    Some(PollerOptions {
        frequency: Duration::from_millis(20),
    })
}

fn sha256(data: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(data).to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_debug_or_errors() {
    capture_logs();
    let corpus = Corpus::default();
    let mut scanner = SecretScanner::default();

    let dir = tempfile::tempdir().expect("temp dir");
    let emulator = kv_emulator::Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .expect("emulator starts");
    let ca = emulator.ca_pem().as_bytes().to_vec();
    let token = random_text(30);
    assert_eq!(token.len(), 40);
    scanner.add_text("bearer token", &token);
    let credential = Arc::new(StaticTokenCredential::new(token.clone()));
    corpus.debug("credential", &credential);
    let client_options = ClientOptions {
        verify_challenge_resource: false,
        extra_ca_certificates_pem: vec![ca.clone()],
        ..Default::default()
    };
    corpus.debug("client options", &client_options);
    let keys = KeyClient::new(
        emulator.url(),
        credential.clone(),
        Some(KeyClientOptions {
            client_options: client_options.clone(),
        }),
    )
    .expect("key client");
    corpus.debug("key client", &keys);

    // Keys: created in the vault, and imported with private material the test knows.
    let rsa = keys
        .create_rsa_key("hyg-rsa", None)
        .await
        .expect("create RSA");
    let ec = keys.create_ec_key("hyg-ec", None).await.expect("create EC");
    let oct = keys
        .create_oct_key(
            "hyg-oct",
            Some(CreateKeyOptions {
                hardware_protected: true,
                key_size: Some(256),
                ..Default::default()
            }),
        )
        .await
        .expect("create oct-HSM");
    for (label, key) in [("rsa", &rsa), ("ec", &ec), ("oct", &oct)] {
        corpus.debug(label, key);
    }
    let rsa_jwk = kv_crypto_local::generate_rsa(2048, None).expect("RSA keygen");
    register_jwk(&mut scanner, "imported RSA", &rsa_jwk);
    let ec_jwk = kv_crypto_local::generate_ec(&KeyCurveName::P256).expect("EC keygen");
    register_jwk(&mut scanner, "imported EC", &ec_jwk);
    corpus.debug("RSA JWK with private members", &rsa_jwk);
    corpus.debug("EC JWK with private members", &ec_jwk);
    let imp_rsa = keys
        .import_key("hyg-imp-rsa", &rsa_jwk, None)
        .await
        .expect("import RSA");
    let imp_ec = keys
        .import_key("hyg-imp-ec", &ec_jwk, None)
        .await
        .expect("import EC");
    corpus.debug("imported RSA", &imp_rsa);
    corpus.debug("imported EC", &imp_ec);
    let oct_jwk = kv_crypto_local::generate_oct(256).expect("oct keygen");
    register_jwk(&mut scanner, "oct", &oct_jwk);
    let imported_oct = keys.import_key("hyg-imp-oct", &oct_jwk, None).await;
    corpus.outcome("import oct", &imported_oct);

    // Reads, updates, rotation.
    corpus.debug(
        "get",
        &keys.get_key("hyg-imp-rsa", None).await.expect("get"),
    );
    let listed: Vec<_> = keys
        .list_key_properties(None)
        .try_collect()
        .await
        .expect("list");
    assert!(listed.len() >= 5);
    corpus.debug("list", &listed);
    let versions: Vec<_> = keys
        .list_key_properties_versions("hyg-ec", None)
        .expect("name")
        .try_collect()
        .await
        .expect("versions");
    corpus.debug("versions", &versions);
    let update = UpdateKeyPropertiesOptions {
        tags: Some([("purpose".to_owned(), "hygiene".to_owned())].into()),
        ..Default::default()
    };
    corpus.debug("update options", &update);
    let updated = keys
        .update_key_properties("hyg-imp-ec", Some(update))
        .await
        .expect("update");
    corpus.debug("updated", &updated);
    corpus.debug("rotated", &keys.rotate_key("hyg-ec").await.expect("rotate"));

    // Backup, delete, purge, restore; delete and recover.
    let backup = keys.backup_key("hyg-rsa").await.expect("backup");
    corpus.debug("backup length", &backup.len());
    let deleted = keys
        .delete_key("hyg-rsa", fast())
        .await
        .expect("delete")
        .await
        .expect("deleted");
    corpus.debug("deleted", &deleted);
    keys.purge_deleted_key("hyg-rsa").await.expect("purge");
    corpus.debug(
        "restored",
        &keys.restore_key(&backup).await.expect("restore"),
    );
    keys.delete_key("hyg-imp-ec", fast())
        .await
        .expect("delete")
        .await
        .expect("deleted");
    corpus.debug(
        "deleted key",
        &keys
            .get_deleted_key("hyg-imp-ec")
            .await
            .expect("get deleted"),
    );
    let recovered = keys
        .recover_deleted_key("hyg-imp-ec", fast())
        .await
        .expect("recover")
        .await
        .expect("recovered");
    corpus.debug("recovered", &recovered);

    crypto_workflow(
        &keys,
        &credential,
        &client_options,
        &rsa_jwk,
        &ec_jwk,
        &oct_jwk,
        &corpus,
        &mut scanner,
    )
    .await;
    envelope_workflow(
        &keys,
        &credential,
        &client_options,
        &rsa_jwk,
        &corpus,
        &mut scanner,
    )
    .await;
    failures(&keys, &credential, &ca, &rsa_jwk, &ec_jwk, &corpus).await;

    // Positive control: a secret logged at TRACE from another thread, under one of our
    // targets, is captured and found by a scanner that knows it.
    let control = kv_crypto_local::random_bytes(32).expect("random");
    let mut control_scanner = SecretScanner::default();
    control_scanner.add_bytes("control", &control);
    let control_corpus = Corpus::default();
    control_corpus.debug("control", &control.to_vec());
    let hex: String = control.iter().map(|b| format!("{b:02x}")).collect();
    std::thread::spawn(move || tracing::trace!(target: "kv_core::control", %hex, "control"))
        .join()
        .expect("thread");

    emulator.shutdown().await;
    // Let the server's connection tasks log their endings.
    tokio::time::sleep(Duration::from_millis(100)).await;

    let logs = String::from_utf8_lossy(&LOGS.lock().expect("log lock")).into_owned();
    let text = corpus.0.lock().expect("corpus lock").clone();

    if let Some(path) = std::env::var_os("SECRET_HYGIENE_DUMP") {
        // For a reader: the captured text, to see what the scan covered.
        std::fs::write(
            &path,
            format!("{logs}\n----- Debug and errors -----\n{text}"),
        )
        .expect("dump");
    }

    // The capture is not vacuous.
    for expected in [
        " TRACE ",
        " DEBUG ",
        " INFO ",
        "keyvault.request",
        "client_request_id=",
        // One span per client operation, with the Azure SDKs' tracing attributes; its
        // fields are scanned like every other line.
        "KeyClient::import_key{",
        // And one per CryptographyClient operation, saying where it ran.
        "CryptographyClient::encrypt{",
        "CryptographyClient::decrypt{",
        "CryptographyClient::sign{",
        "CryptographyClient::verify{",
        "CryptographyClient::sign_data{",
        "CryptographyClient::verify_data{",
        "CryptographyClient::wrap_key{",
        "CryptographyClient::unwrap_key{",
        "keyvault.location=\"local\"",
        "keyvault.location=\"remote\"",
        "az.namespace=\"Microsoft.KeyVault\"",
        "server.address=",
        "/keys/hyg-imp-rsa",
        "/keys/hyg-oct/",
        "kv_emulator",
        "kv_core",
        "kv_client",
        "authorized=true",
        "status=401",
    ] {
        assert!(logs.contains(expected), "the logs lack {expected:?}");
    }
    for expected in [
        "[REDACTED]",
        "hyg-imp-rsa",
        "CryptographyClient",
        "token rejected",
    ] {
        assert!(text.contains(expected), "the corpus lacks {expected:?}");
    }
    assert!(scanner.len() >= 15, "{} secrets registered", scanner.len());
    assert!(
        !control_scanner.scan(&logs).is_empty(),
        "the control secret was logged but not found"
    );
    let control_text = control_corpus.0.lock().expect("corpus lock").clone();
    assert!(
        !control_scanner.scan(&control_text).is_empty(),
        "the control secret was Debug-printed but not found"
    );
    assert!(control_scanner.scan(&text).is_empty());

    let hits: Vec<_> = scanner
        .scan(&logs)
        .into_iter()
        .map(|h| ("log", h))
        .chain(scanner.scan(&text).into_iter().map(|h| ("debug/error", h)))
        .collect();
    println!(
        "scanned {} bytes of logs and {} bytes of Debug/error text for {} secrets: {} hits",
        logs.len(),
        text.len(),
        scanner.len(),
        hits.len()
    );
    if !hits.is_empty() {
        let mut report = String::new();
        for (wher, h) in hits.iter().take(20) {
            let _ = writeln!(report, "[{wher}] {}: {}", h.label, h.line);
        }
        panic!("{} secret occurrences:\n{report}", hits.len());
    }
}

/// `CryptographyClient` remote, automatic and local: every operation, known plaintexts.
#[allow(clippy::too_many_arguments)]
async fn crypto_workflow(
    keys: &KeyClient,
    credential: &Arc<StaticTokenCredential>,
    client_options: &ClientOptions,
    rsa_jwk: &JsonWebKey,
    ec_jwk: &JsonWebKey,
    oct_jwk: &JsonWebKey,
    corpus: &Corpus,
    scanner: &mut SecretScanner,
) {
    let remote = |name: &str| {
        let options = CryptographyClientOptions {
            client_options: client_options.clone(),
            mode: RoutingMode::RemoteOnly,
            ..Default::default()
        };
        corpus.debug("crypto options", &options);
        let id = format!("{}keys/{name}", keys.vault_url());
        CryptographyClient::new(&id, credential.clone(), Some(options)).expect("crypto client")
    };
    let rsa_clients = [
        remote("hyg-imp-rsa"),
        keys.get_cryptography_client("hyg-imp-rsa", None)
            .expect("auto"),
        CryptographyClient::from_jwk(rsa_jwk.clone_secret().with_kid(format!(
            "{}keys/hyg-imp-rsa/0123456789abcdef",
            keys.vault_url()
        )))
        .expect("local"),
    ];
    for (i, client) in rsa_clients.iter().enumerate() {
        let plaintext = random_text(24);
        scanner.add_text(&format!("plaintext {i}"), &plaintext);
        let enc = client
            .encrypt(EncryptionAlgorithm::RsaOaep256, plaintext.as_bytes(), None)
            .await
            .expect("encrypt");
        let dec = client
            .decrypt(EncryptionAlgorithm::RsaOaep256, &enc.ciphertext, None)
            .await
            .expect("decrypt");
        assert_eq!(dec.plaintext.as_slice(), plaintext.as_bytes());
        let digest = sha256(plaintext.as_bytes());
        let sig = client
            .sign(SignatureAlgorithm::Ps256, &digest)
            .await
            .expect("sign");
        let ok = client
            .verify(SignatureAlgorithm::Ps256, &digest, &sig.signature)
            .await
            .expect("verify");
        assert!(ok.is_valid);
        let data_key = kv_crypto_local::random_bytes(32).expect("random");
        scanner.add_bytes(&format!("wrapped key {i}"), &data_key);
        let wrapped = client
            .wrap_key(KeyWrapAlgorithm::RsaOaep256, &data_key)
            .await
            .expect("wrap");
        let unwrapped = client
            .unwrap_key(KeyWrapAlgorithm::RsaOaep256, &wrapped.encrypted_key)
            .await
            .expect("unwrap");
        assert_eq!(unwrapped.key.as_slice(), data_key.as_slice());
        corpus.debug("RSA crypto client", client);
        for (label, v) in [
            ("encrypt", &enc as &dyn Debug),
            ("decrypt", &dec),
            ("sign", &sig),
            ("verify", &ok),
            ("wrap", &wrapped),
            ("unwrap", &unwrapped),
        ] {
            corpus.debug(label, v);
        }
    }

    let ec_clients = [
        remote("hyg-imp-ec"),
        keys.get_cryptography_client("hyg-ec", None).expect("auto"),
        CryptographyClient::from_jwk(ec_jwk.clone_secret()).expect("local EC"),
    ];
    for client in &ec_clients {
        let sig = client
            .sign_data(SignatureAlgorithm::Es256, b"document")
            .await
            .expect("sign");
        let ok = client
            .verify_data(SignatureAlgorithm::Es256, b"document", &sig.signature)
            .await
            .expect("verify");
        assert!(ok.is_valid);
        corpus.debug("EC client", client);
        corpus.debug("EC sign", &sig);
    }

    // oct-HSM in the service; oct locally with known k.
    let oct_remote = remote("hyg-oct");
    let oct_local = CryptographyClient::from_jwk(oct_jwk.clone_secret()).expect("local oct");
    for client in [&oct_remote, &oct_local] {
        let data_key = kv_crypto_local::random_bytes(32).expect("random");
        scanner.add_bytes("oct wrapped key", &data_key);
        let wrapped = client
            .wrap_key(KeyWrapAlgorithm::A256Kw, &data_key)
            .await
            .expect("A256KW wrap");
        let unwrapped = client
            .unwrap_key(KeyWrapAlgorithm::A256Kw, &wrapped.encrypted_key)
            .await
            .expect("A256KW unwrap");
        assert_eq!(unwrapped.key.as_slice(), data_key.as_slice());
        let plaintext = random_text(24);
        scanner.add_text("oct plaintext", &plaintext);
        let enc = client
            .encrypt(EncryptionAlgorithm::A256Gcm, plaintext.as_bytes(), None)
            .await;
        corpus.outcome("A256GCM encrypt", &enc);
        corpus.debug("oct client", client);
        corpus.debug("oct wrap", &wrapped);
    }

    let local = LocalKey::new(rsa_jwk).expect("local RSA");
    corpus.debug("LocalKey RSA", &local);
    corpus.debug("LocalKey EC", &LocalKey::new(ec_jwk).expect("local EC"));
    corpus.debug("LocalKey oct", &LocalKey::new(oct_jwk).expect("local oct"));
}

/// Envelopes under the imported RSA key (cache off and on, streaming, `KeyVaultWrapper`)
/// and under the oct-HSM key (A256KW in the service); every data key recovered and
/// registered.
async fn envelope_workflow(
    keys: &KeyClient,
    credential: &Arc<StaticTokenCredential>,
    client_options: &ClientOptions,
    rsa_jwk: &JsonWebKey,
    corpus: &Corpus,
    scanner: &mut SecretScanner,
) {
    let rsa_local = LocalKey::new(rsa_jwk).expect("local RSA");
    let oct_remote = CryptographyClient::new(
        &format!("{}keys/hyg-oct", keys.vault_url()),
        credential.clone(),
        Some(CryptographyClientOptions {
            client_options: client_options.clone(),
            mode: RoutingMode::RemoteOnly,
            ..Default::default()
        }),
    )
    .expect("oct client");
    let rsa_client = keys
        .get_cryptography_client("hyg-imp-rsa", None)
        .expect("crypto client");
    let cache = EnvelopeOptions {
        data_key_cache: Some(DataKeyCacheOptions::default()),
        ..Default::default()
    };
    let a256kw = EnvelopeOptions {
        algorithm: Some(KeyWrapAlgorithm::A256Kw),
        ..cache.clone()
    };
    corpus.debug("envelope options", &a256kw);

    let mut sealed = Vec::new();
    for (label, envelopes) in [
        (
            "rsa",
            EnvelopeClient::new(rsa_client.clone(), None).expect("envelope"),
        ),
        (
            "rsa+cache",
            EnvelopeClient::new(rsa_client.clone(), Some(cache.clone())).expect("envelope"),
        ),
        (
            "oct-HSM",
            EnvelopeClient::new(oct_remote.clone(), Some(a256kw)).expect("envelope"),
        ),
    ] {
        let plaintext = random_text(48);
        scanner.add_text(&format!("envelope plaintext {label}"), &plaintext);
        let ct = envelopes
            .encrypt(plaintext.as_bytes(), b"tenant=7")
            .await
            .expect("encrypt");
        for _ in 0..2 {
            let pt = envelopes
                .decrypt(&ct, Some(b"tenant=7"))
                .await
                .expect("decrypt");
            assert_eq!(pt.as_slice(), plaintext.as_bytes());
        }
        corpus.debug(label, &envelopes);
        sealed.push(ct);
    }
    // Streaming, through the versioned wrapper.
    let wrapper = KeyVaultWrapper::new(keys, "hyg-imp-rsa").expect("wrapper");
    let envelopes = EnvelopeClient::new(wrapper, Some(cache)).expect("envelope");
    let encryptor = envelopes.encryptor(b"stream").await.expect("encryptor");
    corpus.debug("encryptor", &encryptor);
    let mut writer = encryptor.into_writer(Vec::new());
    let plaintext = random_text(48);
    scanner.add_text("streamed plaintext", &plaintext);
    writer.write_all(plaintext.as_bytes()).expect("write");
    corpus.debug("writer", &writer);
    let ct = writer.finish().expect("finish");
    let pt = envelopes
        .decrypt(&ct, Some(b"stream"))
        .await
        .expect("decrypt");
    assert_eq!(pt.as_slice(), plaintext.as_bytes());
    corpus.debug("versioned envelopes", &envelopes);
    let rewrapped = envelopes.rewrap(&ct).await.expect("rewrap");
    sealed.push(ct);
    sealed.push(rewrapped);

    // Recover every data key from its header, so the scan knows it.
    for (i, ct) in sealed.iter().enumerate() {
        let (header, _) = EnvelopeHeader::parse(ct).expect("header");
        corpus.debug("envelope header", &header);
        let data_key = match header.algorithm() {
            KeyWrapAlgorithm::RsaOaep256 => rsa_local
                .unwrap_key(header.algorithm(), header.wrapped_key())
                .expect("RSA unwrap"),
            _ => {
                oct_remote
                    .unwrap_key(header.algorithm().clone(), header.wrapped_key())
                    .await
                    .expect("service unwrap")
                    .key
            }
        };
        assert_eq!(data_key.len(), 32);
        scanner.add_bytes(&format!("envelope data key {i}"), &data_key);
    }
}
