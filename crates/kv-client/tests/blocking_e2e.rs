//! The blocking clients against the in-process emulator. The emulator runs on a
//! multi-threaded tokio runtime owned by each test; the blocking clients are called from
//! the plain test thread (or from threads it spawns), as their users would.
#![cfg(feature = "blocking")]

mod support;

use std::io::{Read, Write};
use std::time::Duration;

use kv_client::admin::{
    KeyVaultAccessControlClientOptions, KeyVaultRoleScope, KeyVaultSetting,
    KeyVaultSettingsClientOptions,
};
use kv_client::blocking::{
    CryptographyClient, EnvelopeClient, KeyClient, KeyRing, KeyVaultAccessControlClient,
    KeyVaultSettingsClient, KeyVaultWrapper, PollerStatus,
};
use kv_client::envelope::{EnvelopeHeader, EnvelopeOptions};
use kv_client::{
    CreateKeyOptions, CryptographyClientOptions, ErrorKind, GetKeyOptions, KeyClientOptions,
    ListOptions, OperationLocation, PollerOptions, RoutingMode, UpdateKeyPropertiesOptions,
};
use kv_jwk::{EncryptionAlgorithm, KeyCurveName, KeyWrapAlgorithm, SignatureAlgorithm};

use OperationLocation::{Local, Remote};

/// The emulator on its own runtime, which outlives every blocking call of the test.
struct Fixture {
    // Fields drop in order: the emulator before the runtime it runs on.
    env: support::Env,
    rt: tokio::runtime::Runtime,
}

impl Fixture {
    fn start() -> Self {
        Self::start_with(|b| b)
    }

    /// The emulator answering as a Managed HSM, where the administration APIs live.
    fn managed_hsm() -> Self {
        Self::start_with(|b| b.kind(kv_emulator::vaults::VaultKind::ManagedHsm))
    }

    fn start_with(
        configure: impl FnOnce(kv_emulator::EmulatorBuilder) -> kv_emulator::EmulatorBuilder,
    ) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("emulator runtime");
        let env = rt.block_on(support::Env::start_with(configure));
        Self { env, rt }
    }

    fn key_client(&self) -> KeyClient {
        KeyClient::new(
            self.env.emulator.url(),
            self.env.credential(),
            Some(KeyClientOptions {
                client_options: self.env.client_options(),
            }),
        )
        .expect("blocking key client")
    }
}

fn fast() -> Option<PollerOptions> {
    Some(PollerOptions {
        frequency: Duration::ZERO,
    })
}

#[test]
fn create_get_update_rotate_and_list_across_pages() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let name = support::unique("rsa");
    let rsa = c.create_rsa_key(&name, support::key_size(2048)).unwrap();
    assert_eq!(rsa.name(), name);
    let ec = c
        .create_ec_key(
            &support::unique("ec"),
            Some(CreateKeyOptions {
                curve: Some(KeyCurveName::P384),
                ..Default::default()
            }),
        )
        .unwrap();
    assert_eq!(ec.key.crv, Some(KeyCurveName::P384));
    // Options are checked by the shared async code, before any request.
    let before = fx.env.requests();
    let bad = c.create_ec_key("bad", support::key_size(2048)).unwrap_err();
    assert_eq!(bad.kind(), &ErrorKind::InvalidArgument);
    assert_eq!(fx.env.requests(), before);

    assert_eq!(c.get_key(&name, None).unwrap().id(), rsa.id());
    let version = rsa.properties.version().unwrap().to_owned();
    let pinned = c
        .get_key(
            &name,
            Some(GetKeyOptions {
                version: Some(version.clone()),
            }),
        )
        .unwrap();
    assert_eq!(pinned.id(), rsa.id());
    let missing = c.get_key(&support::unique("missing"), None).unwrap_err();
    assert_eq!(missing.kind(), &ErrorKind::ResourceNotFound);
    assert_eq!(missing.error_code(), Some("KeyNotFound"));

    let updated = c
        .update_key_properties(
            &name,
            Some(UpdateKeyPropertiesOptions {
                tags: Some([("team".to_owned(), "blocking".to_owned())].into()),
                ..Default::default()
            }),
        )
        .unwrap();
    assert_eq!(
        updated.properties.tags.get("team").map(String::as_str),
        Some("blocking")
    );

    let rotated = c.rotate_key(&name).unwrap();
    assert_ne!(rotated.properties.version(), Some(version.as_str()));
    let versions = c
        .list_key_properties_versions(
            &name,
            Some(ListOptions {
                max_page_size: Some(1),
                ..Default::default()
            }),
        )
        .unwrap()
        .collect::<kv_client::Result<Vec<_>>>()
        .unwrap();
    assert_eq!(versions.len(), 2);

    // 30 more keys: the emulator's default page holds 25, so the iterator must follow a
    // nextLink, fetching the second page only when the first one is used up.
    for _ in 0..30 {
        c.create_oct_key(&support::unique("many"), None).unwrap();
    }
    let before = fx.env.requests();
    let mut pager = c.list_key_properties(None);
    assert_eq!(fx.env.requests(), before, "lazy: nothing sent yet");
    let first: Vec<_> = pager
        .by_ref()
        .take(25)
        .collect::<kv_client::Result<_>>()
        .unwrap();
    assert_eq!(first.len(), 25);
    assert_eq!(fx.env.requests(), before + 1, "one page so far");
    let rest: Vec<_> = pager.collect::<kv_client::Result<_>>().unwrap();
    assert_eq!(first.len() + rest.len(), 32);
    assert_eq!(fx.env.requests(), before + 2, "two pages");
    assert!(rest.iter().chain(&first).any(|p| p.name() == name));

    let pages: Vec<usize> = c
        .list_key_properties(Some(ListOptions {
            max_page_size: Some(10),
            ..Default::default()
        }))
        .into_pages()
        .map(|p| p.map(|p| p.value.len()))
        .collect::<kv_client::Result<_>>()
        .unwrap();
    assert_eq!(pages, [10, 10, 10, 2]);
}

#[test]
fn delete_recover_purge_backup_restore() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let name = support::unique("life");
    let key = c.create_ec_key(&name, None).unwrap();
    let backup = c.backup_key(&name).unwrap();
    assert!(!backup.is_empty());

    let deleted = c.delete_key(&name, fast()).unwrap().wait().unwrap();
    assert_eq!(deleted.name(), name);
    assert!(deleted.recovery_id.is_some());
    assert_eq!(c.get_deleted_key(&name).unwrap().key.id(), key.id());
    let listed = c
        .list_deleted_key_properties(None)
        .collect::<kv_client::Result<Vec<_>>>()
        .unwrap();
    assert!(listed.iter().any(|d| d.name() == name));

    // Step by step, then resumed from the continuation token.
    let mut poller = c.recover_deleted_key(&name, fast()).unwrap();
    let token = poller.continuation_token();
    let step = poller.poll().unwrap().unwrap();
    assert_eq!(step.status, PollerStatus::Succeeded);
    assert_eq!(step.value.unwrap().id(), key.id());
    assert!(poller.poll().is_none(), "nothing after the terminal step");
    let resumed = c.resume_recover_deleted_key(&token, fast()).unwrap();
    assert_eq!(resumed.wait().unwrap().id(), key.id());

    // The poller keeps the runtime alive after its client is gone.
    let poller = c.delete_key(&name, fast()).unwrap();
    let c2 = c.clone();
    drop(c);
    assert_eq!(poller.wait().unwrap().name(), name);
    c2.purge_deleted_key(&name).unwrap();
    let gone = c2.get_deleted_key(&name).unwrap_err();
    assert_eq!(gone.kind(), &ErrorKind::ResourceNotFound);

    let restored = c2.restore_key(&backup).unwrap();
    assert_eq!(restored.id(), key.id());
    assert_eq!(restored.key.x, key.key.x);
}

#[test]
fn rsa_round_trips_and_local_verify_sends_nothing() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let key = c.create_rsa_key(&support::unique("rsa"), None).unwrap();
    let crypto = c.get_cryptography_client(key.name(), None).unwrap();

    let e = crypto
        .encrypt(EncryptionAlgorithm::RsaOaep256, b"data key", None)
        .unwrap();
    assert_eq!(e.location, Local, "public key: encrypt runs here");
    let d = crypto
        .decrypt(EncryptionAlgorithm::RsaOaep256, &e.ciphertext, None)
        .unwrap();
    assert_eq!(d.location, Remote, "private key: the vault decrypts");
    assert_eq!(&*d.plaintext, b"data key");

    let w = crypto
        .wrap_key(KeyWrapAlgorithm::RsaOaep256, &[7; 32])
        .unwrap();
    let u = crypto
        .unwrap_key(KeyWrapAlgorithm::RsaOaep256, &w.encrypted_key)
        .unwrap();
    assert_eq!(&*u.key, &[7; 32]);

    for alg in [SignatureAlgorithm::Rs256, SignatureAlgorithm::Ps256] {
        let s = crypto.sign_data(alg.clone(), b"message").unwrap();
        assert_eq!(s.location, Remote);
        let before = fx.env.requests();
        let v = crypto
            .verify_data(alg.clone(), b"message", &s.signature)
            .unwrap();
        assert!(v.is_valid);
        assert_eq!(v.location, Local);
        let tampered = crypto.verify_data(alg, b"massage", &s.signature).unwrap();
        assert!(!tampered.is_valid);
        assert_eq!(fx.env.requests(), before, "local verify sends no request");
    }
}

#[test]
fn ec_and_oct_hsm_round_trips() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let ec = c
        .create_ec_key(
            &support::unique("ec"),
            Some(CreateKeyOptions {
                curve: Some(KeyCurveName::P256),
                ..Default::default()
            }),
        )
        .unwrap();
    let crypto = c.get_cryptography_client(ec.name(), None).unwrap();
    let s = crypto.sign_data(SignatureAlgorithm::Es256, b"ec").unwrap();
    assert_eq!(s.location, Remote);
    let v = crypto
        .verify_data(SignatureAlgorithm::Es256, b"ec", &s.signature)
        .unwrap();
    assert!(v.is_valid);
    assert_eq!(v.location, Local);

    // A client built from the key itself, with its own runtime: nothing to fetch.
    let own = CryptographyClient::from_key(
        ec.clone(),
        fx.env.credential(),
        Some(fx.env.crypto_options()),
    )
    .unwrap();
    let before = fx.env.requests();
    assert!(
        own.verify_data(SignatureAlgorithm::Es256, b"ec", &s.signature)
            .unwrap()
            .is_valid
    );
    assert_eq!(fx.env.requests(), before);

    let oct = c
        .create_oct_key(&support::unique("oct"), support::oct_hsm(256))
        .unwrap();
    let crypto = CryptographyClient::new(
        &oct.id().to_string(),
        fx.env.credential(),
        Some(fx.env.crypto_options()),
    )
    .unwrap();
    let w = crypto.wrap_key(KeyWrapAlgorithm::A256Kw, &[9; 32]).unwrap();
    assert_eq!(w.location, Remote, "an HSM key never leaves the HSM");
    let u = crypto
        .unwrap_key(KeyWrapAlgorithm::A256Kw, &w.encrypted_key)
        .unwrap();
    assert_eq!(&*u.key, &[9; 32]);
    let e = crypto
        .encrypt(EncryptionAlgorithm::A256Gcm, b"secret", None)
        .unwrap();
    let d = crypto
        .decrypt(
            EncryptionAlgorithm::A256Gcm,
            &e.ciphertext,
            Some(kv_client::DecryptOptions {
                iv: e.iv.clone(),
                tag: e.tag.clone(),
                aad: e.aad.clone(),
            }),
        )
        .unwrap();
    assert_eq!(&*d.plaintext, b"secret");
}

#[test]
fn inside_an_async_runtime_calls_fail_cleanly_and_send_nothing() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let name = support::unique("inside");
    c.create_ec_key(&name, None).unwrap();
    let crypto = c.get_cryptography_client(&name, None).unwrap();
    let before = fx.env.requests();

    // On the emulator's own multi-threaded runtime, and on a single-threaded one (where
    // blocking would deadlock if the server ran there).
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for rt in [fx.rt.handle(), single.handle()] {
        let (get, list, verify, delete) = rt.block_on(async {
            (
                c.get_key(&name, None).map(|_| ()),
                c.list_key_properties(None).next(),
                crypto
                    .verify_data(SignatureAlgorithm::Es256, b"m", &[0; 64])
                    .map(|_| ()),
                c.delete_key(&name, fast()).map(|_| ()),
            )
        });
        for err in [get, verify, delete] {
            assert_eq!(err.unwrap_err().kind(), &ErrorKind::NotSupported);
        }
        let list = list.expect("one item: the error").unwrap_err();
        assert_eq!(list.kind(), &ErrorKind::NotSupported);
        assert!(
            list.message().contains("async runtime"),
            "{}",
            list.message()
        );
    }
    assert_eq!(fx.env.requests(), before, "nothing was sent");

    // A task that owns a client's last handle drops it (and its runtime) without panicking.
    let last = fx.key_client();
    let refused = fx.rt.block_on(async move {
        tokio::spawn(async move {
            let refused = last.get_key("any", None).unwrap_err();
            drop(last);
            refused
        })
        .await
        .unwrap()
    });
    assert_eq!(refused.kind(), &ErrorKind::NotSupported);

    // The same clients work again from a plain thread.
    assert_eq!(c.get_key(&name, None).unwrap().name(), name);

    // A local-only client has no runtime and works anywhere, async code included.
    let jwk = kv_crypto_local::generate_ec(&KeyCurveName::P256).unwrap();
    let local = CryptographyClient::from_jwk(jwk).unwrap();
    let signed = single
        .block_on(async { local.sign_data(SignatureAlgorithm::Es256, b"m") })
        .unwrap();
    assert_eq!(signed.location, Local);
    assert!(
        local
            .verify_data(SignatureAlgorithm::Es256, b"m", &signed.signature)
            .unwrap()
            .is_valid
    );
}

#[test]
fn one_client_shared_by_many_threads() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let key = c.create_ec_key(&support::unique("shared"), None).unwrap();
    let crypto = c.get_cryptography_client(key.name(), None).unwrap();
    let signed = crypto.sign_data(SignatureAlgorithm::Es256, b"m").unwrap();
    std::thread::scope(|s| {
        for i in 0..4 {
            let (c, crypto, signature) = (&c, &crypto, &signed.signature);
            s.spawn(move || {
                let name = support::unique(&format!("thread{i}"));
                c.create_oct_key(&name, None).unwrap();
                assert_eq!(c.get_key(&name, None).unwrap().name(), name);
                for _ in 0..50 {
                    let v = crypto
                        .verify_data(SignatureAlgorithm::Es256, b"m", signature)
                        .unwrap();
                    assert!(v.is_valid && v.location == Local);
                }
            });
        }
    });
}

#[test]
fn remote_only_mode_and_argument_errors_come_from_the_async_client() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let key = c.create_ec_key(&support::unique("remote"), None).unwrap();
    let remote = CryptographyClient::new(
        &key.id().to_string(),
        fx.env.credential(),
        Some(CryptographyClientOptions {
            mode: RoutingMode::RemoteOnly,
            ..fx.env.crypto_options()
        }),
    )
    .unwrap();
    assert_eq!(remote.mode(), RoutingMode::RemoteOnly);
    let s = remote.sign_data(SignatureAlgorithm::Es256, b"r").unwrap();
    let v = remote
        .verify_data(SignatureAlgorithm::Es256, b"r", &s.signature)
        .unwrap();
    assert!(v.is_valid);
    assert_eq!(v.location, Remote);

    let before = fx.env.requests();
    assert_eq!(
        c.get_key("not a valid name!", None).unwrap_err().kind(),
        &ErrorKind::InvalidArgument
    );
    assert_eq!(
        c.get_random_bytes(0).unwrap_err().kind(),
        &ErrorKind::InvalidArgument
    );
    assert_eq!(fx.env.requests(), before);
    assert_eq!(c.get_random_bytes(16).unwrap().len(), 16);
}

#[test]
fn envelope_round_trips_streams_and_rewraps_across_rotation() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let name = support::unique("env");
    let key = c.create_rsa_key(&name, None).unwrap();
    let envelopes =
        EnvelopeClient::new(c.get_cryptography_client(&name, None).unwrap(), None).unwrap();

    let sealed = envelopes.encrypt(b"attack at dawn", b"tenant=1").unwrap();
    let before = fx.env.requests();
    envelopes.encrypt(b"again", b"tenant=1").unwrap();
    assert_eq!(fx.env.requests(), before, "RSA-OAEP-256 wraps locally");
    let opened = envelopes.decrypt(&sealed, Some(b"tenant=1")).unwrap();
    assert_eq!(&opened[..], b"attack at dawn");
    let wrong = envelopes.decrypt(&sealed, Some(b"tenant=2")).unwrap_err();
    assert_eq!(wrong.kind(), &ErrorKind::Crypto);

    // Streaming through std::io, over several segments.
    let payload: Vec<u8> = (0..(1 << 20) + 123).map(|i| (i % 251) as u8).collect();
    let mut writer = envelopes
        .encryptor(b"stream")
        .unwrap()
        .into_writer(Vec::new());
    for chunk in payload.chunks(10_000) {
        writer.write_all(chunk).unwrap();
    }
    let streamed = writer.finish().unwrap();
    let mut reader = envelopes
        .decrypt_reader(streamed.as_slice(), Some(b"stream"))
        .unwrap();
    let mut back = Vec::new();
    reader.read_to_end(&mut back).unwrap();
    assert!(back == payload, "streamed round trip");
    assert_eq!(
        &envelopes.decrypt(&streamed, Some(b"stream")).unwrap()[..],
        &payload[..]
    );

    // Rotation: a KeyVaultWrapper decrypts old versions and rewraps to the newest.
    let wrapper = KeyVaultWrapper::new(&c, &name).unwrap();
    let newest = EnvelopeClient::new(wrapper.clone(), None).unwrap();
    let old_sealed = newest.encrypt(b"before rotation", b"ctx").unwrap();
    let (header, _) = EnvelopeHeader::parse(&old_sealed).unwrap();
    assert_eq!(header.key_id(), key.id().to_string());
    let rotated = c.rotate_key(&name).unwrap();
    assert_ne!(rotated.id(), key.id());
    wrapper.refresh().unwrap(); // a clone: the envelope client's wrapper moves on too
    assert_eq!(
        &newest.decrypt(&old_sealed, Some(b"ctx")).unwrap()[..],
        b"before rotation"
    );
    let moved = newest.rewrap(&old_sealed).unwrap();
    let (header, _) = EnvelopeHeader::parse(&moved).unwrap();
    assert_eq!(header.key_id(), rotated.id().to_string());
    assert_eq!(
        &newest.decrypt(&moved, Some(b"ctx")).unwrap()[..],
        b"before rotation"
    );
}

#[test]
fn envelope_with_an_oct_hsm_key_and_a_local_key() {
    let fx = Fixture::start();
    let c = fx.key_client();
    let name = support::unique("envoct");
    c.create_oct_key(&name, support::oct_hsm(256)).unwrap();
    let envelopes = EnvelopeClient::new(
        c.get_cryptography_client(&name, None).unwrap(),
        Some(EnvelopeOptions {
            algorithm: Some(KeyWrapAlgorithm::A256Kw),
            store_context: true,
            ..Default::default()
        }),
    )
    .unwrap();
    let before = fx.env.requests();
    let sealed = envelopes.encrypt(b"hsm wrapped", b"stored").unwrap();
    assert!(fx.env.requests() > before, "A256KW wraps in the HSM");
    assert_eq!(
        &envelopes.decrypt(&sealed, None).unwrap()[..],
        b"hsm wrapped"
    );

    // Inside an async runtime: refused before anything is read or sent.
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut input = sealed.as_slice();
    let refused = single
        .block_on(async { envelopes.decrypt_reader(&mut input, None).map(|_| ()) })
        .unwrap_err();
    assert_eq!(refused.kind(), &ErrorKind::NotSupported);
    assert_eq!(input.len(), sealed.len(), "nothing consumed");

    // A local key needs no runtime: it works inside one too.
    let mut jwk = kv_crypto_local::generate_rsa(2048, None).unwrap();
    jwk.kid = Some(format!(
        "{}/keys/local/0123456789abcdef",
        fx.env.emulator.url()
    ));
    let local_kek = CryptographyClient::from_jwk(jwk).unwrap();
    let local = EnvelopeClient::new(local_kek.clone(), None).unwrap();
    let opened = single.block_on(async {
        let sealed = local.encrypt(b"local", b"")?;
        local.decrypt(&sealed, Some(b""))
    });
    assert_eq!(&opened.unwrap()[..], b"local");

    // The HSM key's message gains the local key (format version 2): it then opens with the
    // local key alone, into a reused buffer.
    let both = envelopes.rewrap_with(&sealed, &local_kek).unwrap();
    assert_eq!(
        EnvelopeHeader::parse(&both).unwrap().0.key_sections().len(),
        2
    );
    let mut out = zeroize::Zeroizing::new(Vec::new());
    local.decrypt_into(&both, None, &mut out).unwrap();
    assert_eq!(&out[..], b"hsm wrapped");
}

/// A blocking key ring over keys of two key clients (two runtimes) and a local key: each
/// key opens the message alone, a disabled key is passed over for the next, and the ring
/// keeps the runtimes alive after their clients are dropped.
#[test]
fn envelope_key_ring_across_clients_survives_a_disabled_key() {
    let fx = Fixture::start();
    let (c1, c2) = (fx.key_client(), fx.key_client());
    let (rsa, hsm) = (support::unique("ringrsa"), support::unique("ringhsm"));
    c1.create_rsa_key(&rsa, None).unwrap();
    c2.create_oct_key(&hsm, support::oct_hsm(256)).unwrap();
    let mut jwk = kv_crypto_local::generate_oct(256).unwrap();
    jwk.kid = Some("https://offline.vault.azure.net/keys/recovery/0123456789abcdef".into());
    let offline = CryptographyClient::from_jwk(jwk).unwrap();
    let ring = || {
        KeyRing::new()
            .with(c1.get_cryptography_client(&rsa, None).unwrap())
            .with(c2.get_cryptography_client(&hsm, None).unwrap())
            .with(offline.clone())
    };
    let sealer = EnvelopeClient::new(ring(), None).unwrap();
    let sealed = sealer.encrypt(b"three ways in", b"ctx").unwrap();
    let algs = support::wrap_algorithms(&sealed);
    assert_eq!(
        algs,
        [
            KeyWrapAlgorithm::RsaOaep256,
            KeyWrapAlgorithm::A256Kw,
            KeyWrapAlgorithm::A256Kw
        ]
    );
    let alone = [
        EnvelopeClient::new(c1.get_cryptography_client(&rsa, None).unwrap(), None).unwrap(),
        EnvelopeClient::new(c2.get_cryptography_client(&hsm, None).unwrap(), None).unwrap(),
        EnvelopeClient::new(offline.clone(), None).unwrap(),
    ];
    for env in &alone {
        assert_eq!(
            &env.decrypt(&sealed, Some(b"ctx")).unwrap()[..],
            b"three ways in"
        );
    }

    // The RSA key disabled: alone it no longer opens the message; the ring goes on to the
    // HSM key (one request) and opens it.
    c1.update_key_properties(
        &rsa,
        Some(UpdateKeyPropertiesOptions {
            enabled: Some(false),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(alone[0].decrypt(&sealed, Some(b"ctx")).is_err());
    let opener = EnvelopeClient::new(ring(), None).unwrap();
    drop((c1, c2, alone));
    let before = fx.env.requests();
    let mut out = zeroize::Zeroizing::new(Vec::new());
    opener
        .decrypt_into(&sealed, Some(b"ctx"), &mut out)
        .unwrap();
    assert_eq!(&out[..], b"three ways in");
    assert!(
        fx.env.requests() > before,
        "the HSM key unwrapped in the service"
    );
}

#[test]
fn settings_and_role_based_access_control() {
    let fx = Fixture::managed_hsm();
    let settings = KeyVaultSettingsClient::new(
        fx.env.emulator.url(),
        fx.env.credential(),
        Some(KeyVaultSettingsClientOptions {
            client_options: fx.env.client_options(),
        }),
    )
    .unwrap();
    let all = settings.list_settings().unwrap();
    let name = "AllowKeyManagementOperationsThroughARM";
    assert!(all.iter().any(|s| s.name == name), "{all:?}");
    let updated = settings
        .update_setting(&KeyVaultSetting::boolean(name, true))
        .unwrap();
    assert_eq!(updated.as_bool(), Some(true));
    assert_eq!(settings.get_setting(name).unwrap().as_bool(), Some(true));
    // The service answers an unknown setting name with 400 InvalidSetting (Go azadmin
    // `TestGetSetting_InvalidSettingName` recording), not 404.
    let missing = settings.get_setting("NoSuchSetting").unwrap_err();
    assert_eq!(missing.kind(), &ErrorKind::BadRequest);
    assert_eq!(missing.error_code(), Some("InvalidSetting"));

    let rbac = KeyVaultAccessControlClient::new(
        fx.env.emulator.url(),
        fx.env.credential(),
        Some(KeyVaultAccessControlClientOptions {
            client_options: fx.env.client_options(),
        }),
    )
    .unwrap();
    let scope = KeyVaultRoleScope::GLOBAL;
    let definitions = rbac
        .list_role_definitions(&scope)
        .collect::<kv_client::Result<Vec<_>>>()
        .unwrap();
    let officer = definitions
        .iter()
        .find(|d| d.role_name == "Managed HSM Crypto Officer")
        .expect("a built-in role");
    let principal = "00000000-0000-0000-0000-00000000b10c";
    let assignment = rbac
        .create_role_assignment(&scope, &officer.id, principal, None)
        .unwrap();
    assert_eq!(assignment.properties.principal_id, principal);
    let got = rbac.get_role_assignment(&scope, &assignment.name).unwrap();
    assert_eq!(got.id, assignment.id);
    let listed = rbac
        .list_role_assignments(&scope)
        .collect::<kv_client::Result<Vec<_>>>()
        .unwrap();
    assert!(listed.iter().any(|a| a.name == assignment.name));
    rbac.delete_role_assignment(&scope, &assignment.name)
        .unwrap();
    let gone = rbac
        .get_role_assignment(&scope, &assignment.name)
        .unwrap_err();
    assert_eq!(gone.kind(), &ErrorKind::ResourceNotFound);
}

#[test]
fn ekm_connection_and_external_key_at_2026_04_01() {
    use kv_client::admin::{KeyVaultEkmClientOptions, KeyVaultEkmConnection};
    use kv_client::blocking::KeyVaultEkmClient;
    use kv_core::ApiVersion;

    let fx = Fixture::managed_hsm(); // EKM is a Managed HSM API
    let mut client_options = fx.env.client_options();
    client_options.api_version = ApiVersion::NEWEST_STABLE;
    let ekm = KeyVaultEkmClient::new(
        fx.env.emulator.url(),
        fx.env.credential(),
        Some(KeyVaultEkmClientOptions {
            client_options: client_options.clone(),
        }),
    )
    .expect("blocking EKM client");
    let ca = ekm.get_ekm_certificate().unwrap();
    let connection = KeyVaultEkmConnection {
        host: "ekm-proxy.contoso.com".into(),
        server_ca_certificates: ca.ca_certificates,
        ..Default::default()
    };
    ekm.create_ekm_connection(&connection).unwrap();
    assert_eq!(ekm.get_ekm_connection().unwrap(), connection);
    assert_eq!(
        ekm.check_ekm_connection().unwrap().proxy_vendor,
        "kv-emulator"
    );
    let keys = KeyClient::new(
        fx.env.emulator.url(),
        fx.env.credential(),
        Some(KeyClientOptions { client_options }),
    )
    .unwrap();
    let name = support::unique("ext");
    let key = keys.create_external_key(&name, "ext-1", None).unwrap();
    assert_eq!(key.properties.external_key_id.as_deref(), Some("ext-1"));
    assert_eq!(key.properties.key_size, Some(256));
    assert_eq!(ekm.delete_ekm_connection().unwrap(), connection);
    assert_eq!(
        ekm.get_ekm_connection().unwrap_err().kind(),
        &ErrorKind::ResourceNotFound
    );
}
