//! The façade's routing end to end against a scripted fake vault: where each operation
//! runs, how many requests it costs, and the lazy-fetch rules.

use std::sync::Arc;
use std::time::Duration;

use kv_crypto_local::{generate_ec, generate_oct, generate_rsa};
use kv_jwk::{
    EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyType, KeyWrapAlgorithm, SignatureAlgorithm,
};

use super::*;
use crate::options::CryptographyClientOptions;
use crate::options::{DecryptOptions, EncryptOptions};
use kv_core::test_util::FakeTransport as FakeVault;

const KID: &str = "https://v.vault.azure.net/keys/k1/0123456789abcdef0123456789abcdef";
const KEY_PATH: &str = "/keys/k1/";

fn bundle(jwk: &JsonWebKey, attributes: serde_json::Value) -> String {
    let mut public = jwk.to_public();
    public.kid = Some(KID.into());
    serde_json::json!({"key": public, "attributes": attributes}).to_string()
}

/// A vault holding `jwk` (public part only, like the service): GET answers `get_status`
/// with the bundle; sign, verify, encrypt and decrypt answer canned values.
fn vault(jwk: &JsonWebKey, get_status: u16, attributes: serde_json::Value) -> Arc<FakeVault> {
    let body = bundle(jwk, attributes);
    Arc::new(FakeVault::new(move |method, path, _| {
        match (method, path) {
            ("GET", p) if p.starts_with("/keys/k1") => (get_status, body.clone()),
            ("POST", p) if p.ends_with("/verify") => (200, r#"{"value":true}"#.into()),
            ("POST", _) => (200, format!(r#"{{"kid":"{KID}","value":"AQID"}}"#)),
            _ => (404, r#"{"error":{"code":"NotFound"}}"#.into()),
        }
    }))
}

fn client(
    fake: &Arc<FakeVault>,
    id: &str,
    options: CryptographyClientOptions,
) -> CryptographyClient {
    let credential = Arc::new(kv_core::StaticTokenCredential::new("token"));
    CryptographyClient::new(
        id,
        credential,
        Some(CryptographyClientOptions {
            client_options: fake.options(),
            ..options
        }),
    )
    .unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn from_jwk_runs_everything_locally() {
    rt().block_on(async {
        let mut ec = generate_ec(&KeyCurveName::P256).unwrap();
        ec.kid = Some("local-ec".into());
        let c = CryptographyClient::from_jwk(ec).unwrap();
        assert_eq!(c.mode(), RoutingMode::LocalOnly);
        let s = c
            .sign_data(SignatureAlgorithm::Es256, b"msg")
            .await
            .unwrap();
        assert_eq!(s.location, OperationLocation::Local);
        assert_eq!(s.key_id.as_deref(), Some("local-ec"));
        assert!(
            c.verify_data(SignatureAlgorithm::Es256, b"msg", &s.signature)
                .await
                .unwrap()
                .is_valid
        );
        assert!(
            !c.verify_data(SignatureAlgorithm::Es256, b"other", &s.signature)
                .await
                .unwrap()
                .is_valid
        );

        let oct = CryptographyClient::from_jwk(generate_oct(256).unwrap()).unwrap();
        let e = oct
            .encrypt(
                EncryptionAlgorithm::A256Gcm,
                b"secret",
                Some(EncryptOptions {
                    aad: Some(b"ctx".to_vec()),
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
        assert_eq!(e.location, OperationLocation::Local);
        let d = oct
            .decrypt(
                EncryptionAlgorithm::A256Gcm,
                &e.ciphertext,
                Some(DecryptOptions {
                    iv: e.iv.clone(),
                    tag: e.tag.clone(),
                    aad: e.aad.clone(),
                }),
            )
            .await
            .unwrap();
        assert_eq!(&*d.plaintext, b"secret");
        let w = oct
            .wrap_key(KeyWrapAlgorithm::A256Kw, &[9; 32])
            .await
            .unwrap();
        let u = oct
            .unwrap_key(KeyWrapAlgorithm::A256Kw, &w.encrypted_key)
            .await
            .unwrap();
        assert_eq!(&*u.key, &[9; 32]);
        // A tampered tag fails with an opaque Crypto error.
        let mut bad_tag = e.tag.clone().unwrap();
        bad_tag[0] ^= 1;
        let err = oct
            .decrypt(
                EncryptionAlgorithm::A256Gcm,
                &e.ciphertext,
                Some(DecryptOptions {
                    iv: e.iv,
                    tag: Some(bad_tag),
                    aad: e.aad,
                }),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Crypto);
    });
}

#[test]
fn from_jwk_public_key_refuses_private_operations() {
    rt().block_on(async {
        let rsa = generate_rsa(2048, None).unwrap();
        let public = CryptographyClient::from_jwk(rsa.to_public()).unwrap();
        let e = public
            .encrypt(EncryptionAlgorithm::RsaOaep256, b"x", None)
            .await
            .unwrap();
        assert_eq!(e.location, OperationLocation::Local);
        let err = public
            .sign(SignatureAlgorithm::Rs256, &[0; 32])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::NotSupported);
        assert!(err.to_string().contains("private key"), "{err}");
        let private = CryptographyClient::from_jwk(rsa).unwrap();
        let d = private
            .decrypt(EncryptionAlgorithm::RsaOaep256, &e.ciphertext, None)
            .await
            .unwrap();
        assert_eq!(&*d.plaintext, b"x");
        // A caller-chosen IV cannot run locally, and a JWK client has nowhere else to go.
        let oct = CryptographyClient::from_jwk(generate_oct(128).unwrap()).unwrap();
        let opts = EncryptOptions {
            iv: Some(vec![0; 16]),
            ..Default::default()
        };
        assert!(
            oct.encrypt(EncryptionAlgorithm::A128Cbc, &[0; 16], Some(opts))
                .await
                .is_err()
        );
    });
}

#[test]
fn from_jwk_rejects_unusable_keys() {
    let jwk = JsonWebKey {
        kty: Some(KeyType::Rsa),
        ..Default::default()
    };
    assert_eq!(
        CryptographyClient::from_jwk(jwk).unwrap_err().kind(),
        &ErrorKind::InvalidArgument
    );
}

#[test]
fn verify_after_the_first_makes_no_request() {
    rt().block_on(async {
        let ec = generate_ec(&KeyCurveName::P256).unwrap();
        let local = CryptographyClient::from_jwk(ec.clone_secret()).unwrap();
        let sig = local
            .sign_data(SignatureAlgorithm::Es256, b"m")
            .await
            .unwrap()
            .signature;
        let fake = vault(&ec, 200, serde_json::json!({"enabled": true}));
        let c = client(
            &fake,
            "https://v.vault.azure.net/keys/k1",
            Default::default(),
        );
        let v = c
            .verify_data(SignatureAlgorithm::Es256, b"m", &sig)
            .await
            .unwrap();
        assert!(v.is_valid);
        assert_eq!(v.location, OperationLocation::Local);
        assert_eq!(v.key_id.as_deref(), Some(KID));
        assert_eq!(fake.paths(), vec![format!("GET {KEY_PATH}")]);
        for _ in 0..5 {
            let v = c
                .verify_data(SignatureAlgorithm::Es256, b"m", &sig)
                .await
                .unwrap();
            assert_eq!(v.location, OperationLocation::Local);
        }
        assert_eq!(fake.count(), 1, "{:?}", fake.paths());
        // Sign needs the private key, which the service never returns: remote.
        let s = c.sign(SignatureAlgorithm::Es256, &[1; 32]).await.unwrap();
        assert_eq!(s.location, OperationLocation::Remote);
        assert_eq!(s.signature, vec![1, 2, 3]);
        assert_eq!(
            fake.paths().last().map(String::as_str),
            Some("POST /keys/k1//sign")
        );
    });
}

#[test]
fn forbidden_fetch_means_remote_for_good() {
    rt().block_on(async {
        let ec = generate_ec(&KeyCurveName::P256).unwrap();
        let fake = vault(&ec, 403, serde_json::json!({}));
        let c = client(
            &fake,
            "https://v.vault.azure.net/keys/k1",
            CryptographyClientOptions {
                fetch_retry_interval: Duration::ZERO,
                refresh_interval: Duration::ZERO,
                ..Default::default()
            },
        );
        for _ in 0..3 {
            let v = c
                .verify(SignatureAlgorithm::Es256, &[0; 32], &[0; 64])
                .await
                .unwrap();
            assert_eq!(v.location, OperationLocation::Remote);
        }
        let gets = fake.paths().iter().filter(|p| p.starts_with("GET")).count();
        assert_eq!(gets, 1, "{:?}", fake.paths());
    });
}

#[test]
fn other_fetch_failures_go_remote_and_retry_later() {
    rt().block_on(async {
        let ec = generate_ec(&KeyCurveName::P256).unwrap();
        let fake = vault(&ec, 500, serde_json::json!({}));
        let c = client(
            &fake,
            "https://v.vault.azure.net/keys/k1",
            CryptographyClientOptions {
                fetch_retry_interval: Duration::ZERO,
                ..Default::default()
            },
        );
        let v = c
            .verify(SignatureAlgorithm::Es256, &[0; 32], &[0; 64])
            .await
            .unwrap();
        assert_eq!(v.location, OperationLocation::Remote);
        c.verify(SignatureAlgorithm::Es256, &[0; 32], &[0; 64])
            .await
            .unwrap();
        let gets = fake.paths().iter().filter(|p| p.starts_with("GET")).count();
        assert_eq!(gets, 2, "{:?}", fake.paths());
    });
}

#[test]
fn versionless_refreshes_but_pinned_never_does() {
    rt().block_on(async {
        let ec = generate_ec(&KeyCurveName::P256).unwrap();
        let sig = CryptographyClient::from_jwk(ec.clone_secret())
            .unwrap()
            .sign(SignatureAlgorithm::Es256, &[0; 32])
            .await
            .unwrap()
            .signature;
        let zero = CryptographyClientOptions {
            refresh_interval: Duration::ZERO,
            ..Default::default()
        };
        let fake = vault(&ec, 200, serde_json::json!({}));
        let c = client(&fake, "https://v.vault.azure.net/keys/k1", zero.clone());
        c.verify(SignatureAlgorithm::Es256, &[0; 32], &sig)
            .await
            .unwrap();
        c.verify(SignatureAlgorithm::Es256, &[0; 32], &sig)
            .await
            .unwrap();
        assert_eq!(fake.count(), 2);

        let fake = vault(&ec, 200, serde_json::json!({}));
        let c = client(&fake, KID, zero);
        c.verify(SignatureAlgorithm::Es256, &[0; 32], &sig)
            .await
            .unwrap();
        c.verify(SignatureAlgorithm::Es256, &[0; 32], &sig)
            .await
            .unwrap();
        assert_eq!(
            fake.paths(),
            vec!["GET /keys/k1/0123456789abcdef0123456789abcdef".to_owned()]
        );
    });
}

#[test]
fn expired_key_refuses_to_protect_without_a_request() {
    rt().block_on(async {
        let rsa = generate_rsa(2048, None).unwrap();
        let fake = vault(&rsa, 200, serde_json::json!({"exp": 1_000_000_000}));
        let c = client(&fake, KID, Default::default());
        let err = c
            .encrypt(EncryptionAlgorithm::RsaOaep, b"x", None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::KeyNotValid);
        assert!(err.to_string().contains("expired"), "{err}");
        let err = c
            .wrap_key(KeyWrapAlgorithm::RsaOaep256, &[0; 32])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("expired"), "{err}");
        // Only the key fetch went out.
        assert_eq!(fake.count(), 1, "{:?}", fake.paths());
        // Verify is left to the service.
        let v = c
            .verify(SignatureAlgorithm::Rs256, &[0; 32], &[0; 256])
            .await
            .unwrap();
        assert_eq!(v.location, OperationLocation::Remote);
    });
}

#[test]
fn remote_only_mode_never_fetches() {
    rt().block_on(async {
        let ec = generate_ec(&KeyCurveName::P256).unwrap();
        let fake = vault(&ec, 200, serde_json::json!({}));
        let c = client(
            &fake,
            KID,
            CryptographyClientOptions {
                mode: RoutingMode::RemoteOnly,
                ..Default::default()
            },
        );
        let v = c
            .verify(SignatureAlgorithm::Es256, &[0; 32], &[0; 64])
            .await
            .unwrap();
        assert_eq!(v.location, OperationLocation::Remote);
        assert_eq!(
            fake.paths(),
            vec!["POST /keys/k1/0123456789abcdef0123456789abcdef/verify".to_owned()]
        );
    });
}

#[test]
fn from_key_needs_no_fetch() {
    rt().block_on(async {
        let rsa = generate_rsa(2048, None).unwrap();
        let fake = vault(&rsa, 200, serde_json::json!({}));
        let bundle: kv_protocol::KeyBundle =
            serde_json::from_str(&bundle(&rsa, serde_json::json!({}))).unwrap();
        let key = KeyVaultKey::try_from(bundle).unwrap();
        let credential = Arc::new(kv_core::StaticTokenCredential::new("token"));
        let c = CryptographyClient::from_key(
            key,
            credential,
            Some(CryptographyClientOptions {
                client_options: fake.options(),
                ..Default::default()
            }),
        )
        .unwrap();
        let e = c
            .encrypt(EncryptionAlgorithm::RsaOaep256, b"x", None)
            .await
            .unwrap();
        assert_eq!(e.location, OperationLocation::Local);
        assert_eq!(e.key_id.as_deref(), Some(KID));
        assert_eq!(fake.count(), 0);
        let d = c
            .decrypt(EncryptionAlgorithm::RsaOaep256, &e.ciphertext, None)
            .await
            .unwrap();
        assert_eq!(d.location, OperationLocation::Remote);
        assert_eq!(
            fake.paths(),
            vec!["POST /keys/k1/0123456789abcdef0123456789abcdef/decrypt".to_owned()]
        );
    });
}

#[test]
fn debug_shows_no_key_material() {
    let oct = generate_oct(256).unwrap();
    let secret = kv_jwk::base64url::encode(oct.k.as_ref().unwrap().expose_secret());
    let c = CryptographyClient::from_jwk(oct).unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains(&secret), "{dbg}");
}

#[test]
fn concurrent_first_uses_fetch_the_key_once() {
    rt().block_on(async {
        let ec = generate_ec(&KeyCurveName::P256).unwrap();
        let sig = CryptographyClient::from_jwk(ec.clone_secret())
            .unwrap()
            .sign(SignatureAlgorithm::Es256, &[0; 32])
            .await
            .unwrap()
            .signature;
        let fake = vault(&ec, 200, serde_json::json!({}));
        let c = client(
            &fake,
            "https://v.vault.azure.net/keys/k1",
            Default::default(),
        );
        let results = futures::future::join_all(
            (0..50).map(|_| c.verify(SignatureAlgorithm::Es256, &[0; 32], &sig)),
        )
        .await;
        for r in results {
            let r = r.unwrap();
            assert_eq!((r.location, r.is_valid), (OperationLocation::Local, true));
        }
        assert_eq!(fake.paths(), vec![format!("GET {KEY_PATH}")]);
    });
}

#[test]
fn what_the_local_key_declines_goes_remote_or_is_refused() {
    rt().block_on(async {
        let ec = generate_ec(&KeyCurveName::P256).unwrap();
        let fake = vault(&ec, 200, serde_json::json!({}));
        let c = client(&fake, KID, Default::default());
        // Planned once: `LocalKey` itself refuses an RSA algorithm and an ES384 digest on a
        // P-256 key, and the operation goes to the service instead.
        for alg in [SignatureAlgorithm::Rs256, SignatureAlgorithm::Es384] {
            let v = c.verify(alg.clone(), &[0; 48], &[1; 64]).await.unwrap();
            assert_eq!(v.location, OperationLocation::Remote, "{alg}");
            assert_eq!(v.key_id.as_deref(), Some(KID));
        }
        assert_eq!(
            fake.paths().last().map(String::as_str),
            Some("POST /keys/k1/0123456789abcdef0123456789abcdef/verify")
        );
        // A local-only client has nowhere else to go: the refusal says why.
        let local = CryptographyClient::from_jwk(ec.to_public()).unwrap();
        let err = local
            .verify(SignatureAlgorithm::Rs256, &[0; 32], &[1; 256])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::NotSupported);
        assert!(err.to_string().contains("not supported locally"), "{err}");
        // Bad input is reported, not sent elsewhere.
        let err = c
            .verify(SignatureAlgorithm::Es256, &[0; 5], &[1; 64])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
    });
}

#[test]
fn key_ops_that_forbid_an_operation_keep_it_from_running_locally() {
    rt().block_on(async {
        let mut oct = generate_oct(256).unwrap();
        oct.key_ops = Some(vec![kv_jwk::KeyOperation::UnwrapKey]);
        oct.kid = Some(KID.into());
        let c = CryptographyClient::from_jwk(oct).unwrap();
        let err = c
            .wrap_key(KeyWrapAlgorithm::A256Kw, &[9; 32])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::NotSupported);
    });
}

#[test]
fn local_results_copy_the_key_id_without_sharing_or_allocating() {
    rt().block_on(async {
        let mut oct = generate_oct(256).unwrap();
        oct.kid = Some(KID.into());
        let c = CryptographyClient::from_jwk(oct).unwrap();
        let a = c
            .wrap_key(KeyWrapAlgorithm::A256Kw, &[9; 32])
            .await
            .unwrap();
        let b = c
            .wrap_key(KeyWrapAlgorithm::A256Kw, &[9; 32])
            .await
            .unwrap();
        let (Some(a), Some(b)) = (a.key_id, b.key_id) else {
            panic!("local results name the key");
        };
        assert_eq!(a, KID);
        assert_eq!(a, b);
        // Interned: each result copies two words, no reference count shared between threads.
        assert!(a.is_interned() && b.is_interned());
    });
}

/// The settled fast path runs prepared operations (see `PreparedTable`): every known
/// algorithm the key can run gives what `LocalKey`'s checked calls give, and every other
/// algorithm (wrong size, wrong family, unknown) is refused with the checked call's error.
#[test]
fn prepared_fast_path_agrees_with_local_key_on_every_algorithm() {
    rt().block_on(async {
        let jwk = generate_oct(256).unwrap();
        let local = LocalKey::new(&jwk).unwrap();
        let c = CryptographyClient::from_jwk(jwk).unwrap();
        let mut names: Vec<&str> = KeyWrapAlgorithm::KNOWN_VALUES.to_vec();
        names.push("FUTURE-KW");
        for name in names {
            let alg = KeyWrapAlgorithm::from(name);
            let ours = c.wrap_key(alg.clone(), &[3; 32]).await;
            match local.wrap_key(&alg, &[3; 32]) {
                Ok(wrapped) => {
                    let ours = ours.unwrap();
                    assert_eq!(ours.location, OperationLocation::Local, "{name}");
                    let back = c
                        .unwrap_key(alg.clone(), &ours.encrypted_key)
                        .await
                        .unwrap();
                    assert_eq!(*back.key, [3; 32], "{name}");
                    let back = local.unwrap_key(&alg, &wrapped).unwrap();
                    assert_eq!(*back, [3; 32], "{name}");
                }
                Err(_) => assert!(ours.is_err(), "{name} ran through the façade only"),
            }
        }
        let mut names: Vec<&str> = EncryptionAlgorithm::KNOWN_VALUES.to_vec();
        names.push("FUTURE-ENC");
        for name in names {
            let alg = EncryptionAlgorithm::from(name);
            let ours = c.encrypt(alg.clone(), &[4; 32], None).await;
            let checked = local.encrypt(&alg, &[4; 32], &Default::default());
            assert_eq!(ours.is_ok(), checked.is_ok(), "{name}");
            if let Ok(sealed) = ours {
                assert_eq!(sealed.algorithm, alg);
                let opened = c
                    .decrypt(
                        alg.clone(),
                        &sealed.ciphertext,
                        Some(DecryptOptions {
                            iv: sealed.iv.clone(),
                            tag: sealed.tag.clone(),
                            ..DecryptOptions::default()
                        }),
                    )
                    .await
                    .unwrap();
                assert_eq!(*opened.plaintext, [4; 32], "{name}");
            }
        }
    });
}

#[test]
fn vault_url_and_raw_requests() {
    rt().block_on(async {
        let jwk = generate_ec(&KeyCurveName::P256).unwrap();
        let fake = vault(&jwk, 200, serde_json::json!({"enabled": true}));
        let c = client(&fake, KID, CryptographyClientOptions::default());
        assert_eq!(
            c.vault_url().map(String::from).as_deref(),
            Some("https://v.vault.azure.net/")
        );
        let get = |url: &str| kv_core::Request::new(kv_core::Method::GET, url.parse().unwrap());
        let raw = c
            .send_request(get("https://v.vault.azure.net/keys/k1"))
            .await
            .unwrap();
        assert_eq!(raw.status(), kv_core::StatusCode::OK);
        let elsewhere = c
            .send_request(get("https://other.example/keys/k1"))
            .await
            .unwrap_err();
        assert_eq!(elsewhere.kind(), &ErrorKind::InvalidArgument);

        let local = CryptographyClient::from_jwk(jwk).unwrap();
        assert_eq!(local.vault_url(), None);
        let none = local
            .send_request(get("https://v.vault.azure.net/keys/k1"))
            .await
            .unwrap_err();
        assert_eq!(none.kind(), &ErrorKind::NotSupported);
    });
}

/// Captured `fmt` output of the spans closed while `f` runs on this thread.
fn spans_of(f: impl FnOnce()) -> String {
    #[derive(Clone, Default)]
    struct Buf(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // tracing caches each callsite's interest when the callsite is first hit. While only
    // one dispatcher is registered, tracing-core asks just the hitting thread's default: a
    // test on another thread (no subscriber) hitting a span first would turn it off for this
    // test too. A second registered dispatcher makes it ask every live dispatcher.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    tracing::subscriber::with_default(subscriber, f);
    String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
}

#[test]
fn each_operation_has_a_span_saying_where_it_ran() {
    let ec = generate_ec(&KeyCurveName::P256).unwrap();
    let fake = vault(&ec, 200, serde_json::json!({}));
    let logs = spans_of(|| {
        rt().block_on(async {
            let remote = client(
                &fake,
                KID,
                CryptographyClientOptions {
                    mode: RoutingMode::RemoteOnly,
                    ..Default::default()
                },
            );
            remote
                .sign(SignatureAlgorithm::Es256, &[7; 32])
                .await
                .unwrap();
            let local = CryptographyClient::from_jwk(ec.clone_secret()).unwrap();
            let signed = local
                .sign_data(SignatureAlgorithm::Es256, b"m")
                .await
                .unwrap();
            local
                .verify_data(SignatureAlgorithm::Es256, b"m", &signed.signature)
                .await
                .unwrap();
        });
    });
    let line = |name: &str| {
        logs.lines()
            .find(|l| l.contains(&format!("{name}{{")))
            .unwrap_or_else(|| panic!("no span {name} in {logs}"))
            .to_owned()
    };
    let sign = line("CryptographyClient::sign");
    for field in [
        "az.namespace=\"Microsoft.KeyVault\"",
        "key.name=\"k1\"",
        "api_version=\"",
        "az.client_request_id=\"",
        "keyvault.location=\"remote\"",
    ] {
        assert!(sign.contains(field), "{field} missing in {sign}");
    }
    let host = url::Url::parse(KID).unwrap().host_str().unwrap().to_owned();
    assert!(
        sign.contains(&format!("server.address=\"{host}\"")),
        "{sign}"
    );
    for name in [
        "CryptographyClient::sign_data",
        "CryptographyClient::verify_data",
    ] {
        assert!(line(name).contains("keyvault.location=\"local\""), "{logs}");
    }
    // sign_data is one span, not one wrapping another.
    assert!(
        !logs.contains("sign_data}:CryptographyClient::sign{"),
        "{logs}"
    );
}
