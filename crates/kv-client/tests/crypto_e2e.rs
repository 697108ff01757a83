//! Every cryptographic operation for every key type against the in-process emulator, with
//! cross-checks between local and remote execution and request counting.

mod support;

use kv_client::{
    CreateKeyOptions, CryptographyClient, CryptographyClientOptions, DecryptOptions,
    EncryptOptions, GetKeyOptions, OperationLocation, RoutingMode,
};
use kv_jwk::{EncryptionAlgorithm, KeyCurveName, KeyWrapAlgorithm, SignatureAlgorithm};

use OperationLocation::{Local, Remote};

/// A client pinned to `key`'s version in remote-only mode, to force the service's side.
fn remote_only(env: &support::Env, key: &kv_client::KeyVaultKey) -> CryptographyClient {
    CryptographyClient::new(
        &key.id().to_string(),
        env.credential(),
        Some(CryptographyClientOptions {
            mode: RoutingMode::RemoteOnly,
            ..env.crypto_options()
        }),
    )
    .unwrap()
}

#[tokio::test]
async fn rsa_every_algorithm_local_and_remote_agree() {
    let env = support::Env::start().await;
    let kc = env.key_client();
    for hsm in [false, true] {
        let options = CreateKeyOptions {
            hardware_protected: hsm,
            ..Default::default()
        };
        let key = kc
            .create_rsa_key(&support::unique("rsa"), Some(options))
            .await
            .unwrap();
        assert_eq!(key.key_type().is_some_and(|t| t.is_hsm()), hsm);
        rsa_round_trips(&env, &kc, &key).await;
    }
}

async fn rsa_round_trips(
    env: &support::Env,
    kc: &kv_client::KeyClient,
    key: &kv_client::KeyVaultKey,
) {
    let auto = kc.get_cryptography_client(key.name(), None).unwrap();
    let remote = remote_only(env, key);

    for alg in [
        EncryptionAlgorithm::RsaOaep,
        EncryptionAlgorithm::RsaOaep256,
        EncryptionAlgorithm::Rsa1_5,
    ] {
        // A local ciphertext decrypts remotely (the private key never leaves the vault).
        let e = auto.encrypt(alg.clone(), b"data key", None).await.unwrap();
        assert_eq!(e.location, Local, "{alg}");
        assert_eq!(e.key_id.as_deref(), Some(key.id().to_string().as_str()));
        let d = auto
            .decrypt(alg.clone(), &e.ciphertext, None)
            .await
            .unwrap();
        assert_eq!(d.location, Remote);
        assert_eq!(&*d.plaintext, b"data key");
        // And a remote ciphertext too.
        let e = remote.encrypt(alg.clone(), b"again", None).await.unwrap();
        assert_eq!(e.location, Remote);
        assert_eq!(
            &*remote
                .decrypt(alg, &e.ciphertext, None)
                .await
                .unwrap()
                .plaintext,
            b"again"
        );
    }
    for alg in [
        KeyWrapAlgorithm::RsaOaep,
        KeyWrapAlgorithm::RsaOaep256,
        KeyWrapAlgorithm::Rsa1_5,
    ] {
        let w = auto.wrap_key(alg.clone(), &[7; 32]).await.unwrap();
        assert_eq!(w.location, Local);
        let u = auto.unwrap_key(alg, &w.encrypted_key).await.unwrap();
        assert_eq!((u.location, &u.key[..]), (Remote, &[7u8; 32][..]));
    }
    for alg in [
        SignatureAlgorithm::Rs256,
        SignatureAlgorithm::Rs384,
        SignatureAlgorithm::Rs512,
        SignatureAlgorithm::Ps256,
        SignatureAlgorithm::Ps384,
        SignatureAlgorithm::Ps512,
    ] {
        // A remote signature verifies locally, and locally *and* remotely rejects tampering.
        let s = auto.sign_data(alg.clone(), b"message").await.unwrap();
        assert_eq!(s.location, Remote, "{alg}");
        let v = auto
            .verify_data(alg.clone(), b"message", &s.signature)
            .await
            .unwrap();
        assert_eq!((v.location, v.is_valid), (Local, true), "{alg}");
        assert!(
            !auto
                .verify_data(alg.clone(), b"tampered", &s.signature)
                .await
                .unwrap()
                .is_valid
        );
        let v = remote
            .verify_data(alg.clone(), b"message", &s.signature)
            .await
            .unwrap();
        assert_eq!((v.location, v.is_valid), (Remote, true), "{alg}");
    }
}

#[tokio::test]
async fn ec_every_curve_remote_signatures_verify_locally() {
    let env = support::Env::start().await;
    let kc = env.key_client();
    for (curve, alg, hsm) in [
        (KeyCurveName::P256, SignatureAlgorithm::Es256, false),
        (KeyCurveName::P384, SignatureAlgorithm::Es384, false),
        (KeyCurveName::P521, SignatureAlgorithm::Es512, false),
        (KeyCurveName::P256K, SignatureAlgorithm::Es256K, false),
        (KeyCurveName::P256, SignatureAlgorithm::Es256, true),
        (KeyCurveName::P521, SignatureAlgorithm::Es512, true),
    ] {
        let key = kc
            .create_ec_key(
                &support::unique("ec"),
                Some(CreateKeyOptions {
                    curve: Some(curve.clone()),
                    hardware_protected: hsm,
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
        let auto =
            CryptographyClient::from_key(key.clone(), env.credential(), Some(env.crypto_options()))
                .unwrap();
        let s = auto.sign_data(alg.clone(), b"payload").await.unwrap();
        assert_eq!(s.location, Remote, "{curve}");
        let v = auto
            .verify_data(alg.clone(), b"payload", &s.signature)
            .await
            .unwrap();
        assert_eq!((v.location, v.is_valid), (Local, true), "{curve}");
        let remote = remote_only(&env, &key);
        assert!(
            remote
                .verify_data(alg.clone(), b"payload", &s.signature)
                .await
                .unwrap()
                .is_valid
        );
        assert!(
            !remote
                .verify_data(alg, b"other", &s.signature)
                .await
                .unwrap()
                .is_valid
        );
    }
}

#[tokio::test]
async fn oct_hsm_every_algorithm_runs_remotely() {
    let env = support::Env::start().await;
    let kc = env.key_client();
    for size in [128u32, 192, 256] {
        let key = kc
            .create_oct_key(
                &support::unique("oct"),
                Some(CreateKeyOptions {
                    hardware_protected: true,
                    key_size: Some(size),
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
        // No `k` ever comes back, so everything is remote even in auto mode.
        let c = kc.get_cryptography_client(key.name(), None).unwrap();
        let (gcm, kw, cbc, cbcpad) = match size {
            128 => (
                EncryptionAlgorithm::A128Gcm,
                KeyWrapAlgorithm::A128Kw,
                EncryptionAlgorithm::A128Cbc,
                EncryptionAlgorithm::A128CbcPad,
            ),
            192 => (
                EncryptionAlgorithm::A192Gcm,
                KeyWrapAlgorithm::A192Kw,
                EncryptionAlgorithm::A192Cbc,
                EncryptionAlgorithm::A192CbcPad,
            ),
            _ => (
                EncryptionAlgorithm::A256Gcm,
                KeyWrapAlgorithm::A256Kw,
                EncryptionAlgorithm::A256Cbc,
                EncryptionAlgorithm::A256CbcPad,
            ),
        };
        let e = c
            .encrypt(
                gcm.clone(),
                b"gcm plaintext",
                Some(EncryptOptions {
                    aad: Some(b"aad".to_vec()),
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
        assert_eq!(e.location, Remote);
        assert!(e.iv.is_some() && e.tag.is_some());
        let d = c
            .decrypt(
                gcm,
                &e.ciphertext,
                Some(DecryptOptions {
                    iv: e.iv,
                    tag: e.tag,
                    aad: Some(b"aad".to_vec()),
                }),
            )
            .await
            .unwrap();
        assert_eq!(&*d.plaintext, b"gcm plaintext");

        for (alg, plaintext) in [(cbc, vec![5u8; 32]), (cbcpad, b"padded!".to_vec())] {
            let iv = vec![1u8; 16];
            let e = c
                .encrypt(
                    alg.clone(),
                    &plaintext,
                    Some(EncryptOptions {
                        iv: Some(iv.clone()),
                        ..Default::default()
                    }),
                )
                .await
                .unwrap();
            let d = c
                .decrypt(
                    alg.clone(),
                    &e.ciphertext,
                    Some(DecryptOptions {
                        iv: e.iv.or(Some(iv)),
                        ..Default::default()
                    }),
                )
                .await
                .unwrap();
            assert_eq!(&*d.plaintext, &plaintext[..], "{alg}");
        }
        for alg in [
            kw,
            KeyWrapAlgorithm::CkmAesKeyWrap,
            KeyWrapAlgorithm::CkmAesKeyWrapPad,
        ] {
            let w = c.wrap_key(alg.clone(), &[3; 24]).await.unwrap();
            assert_eq!(w.location, Remote);
            let u = c.unwrap_key(alg.clone(), &w.encrypted_key).await.unwrap();
            assert_eq!(&*u.key, &[3; 24], "{alg}");
        }
    }
}

#[tokio::test]
async fn verify_after_the_first_makes_no_network_call() {
    let env = support::Env::start().await;
    let kc = env.key_client();
    let key = kc
        .create_ec_key(&support::unique("count"), None)
        .await
        .unwrap();
    let c = kc.get_cryptography_client(key.name(), None).unwrap();
    let s = c
        .sign_data(SignatureAlgorithm::Es256, b"hello")
        .await
        .unwrap();
    c.verify_data(SignatureAlgorithm::Es256, b"hello", &s.signature)
        .await
        .unwrap();
    let before = env.requests();
    for _ in 0..10 {
        let v = c
            .verify_data(SignatureAlgorithm::Es256, b"hello", &s.signature)
            .await
            .unwrap();
        assert_eq!((v.location, v.is_valid), (Local, true));
    }
    assert_eq!(
        env.requests(),
        before,
        "verify after the first must not touch the network"
    );
}

#[tokio::test]
async fn pinned_versions_never_change_and_versionless_follow_rotation() {
    let env = support::Env::start().await;
    let kc = env.key_client();
    let name = support::unique("rot");
    let v1 = kc.create_rsa_key(&name, None).await.unwrap();
    let pinned = kc
        .get_cryptography_client(
            &name,
            Some(GetKeyOptions {
                version: v1.properties.version().map(str::to_owned),
            }),
        )
        .unwrap();
    let versionless = CryptographyClient::new(
        &format!("{}/keys/{name}", env.emulator.url()),
        env.credential(),
        Some(CryptographyClientOptions {
            refresh_interval: std::time::Duration::ZERO,
            ..env.crypto_options()
        }),
    )
    .unwrap();
    let first = versionless
        .encrypt(EncryptionAlgorithm::RsaOaep256, b"x", None)
        .await
        .unwrap();
    assert_eq!(first.key_id.as_deref(), Some(v1.id().to_string().as_str()));
    let v2 = kc.rotate_key(&name).await.unwrap();
    let after = versionless
        .encrypt(EncryptionAlgorithm::RsaOaep256, b"x", None)
        .await
        .unwrap();
    assert_eq!(after.key_id.as_deref(), Some(v2.id().to_string().as_str()));
    let still = pinned
        .encrypt(EncryptionAlgorithm::RsaOaep256, b"x", None)
        .await
        .unwrap();
    assert_eq!(still.key_id.as_deref(), Some(v1.id().to_string().as_str()));
    // Each ciphertext decrypts with the version that made it.
    let d = versionless
        .decrypt(EncryptionAlgorithm::RsaOaep256, &after.ciphertext, None)
        .await
        .unwrap();
    assert_eq!(&*d.plaintext, b"x");
    let d = pinned
        .decrypt(EncryptionAlgorithm::RsaOaep256, &still.ciphertext, None)
        .await
        .unwrap();
    assert_eq!(&*d.plaintext, b"x");
}

#[tokio::test]
async fn expired_key_refuses_to_protect() {
    let env = support::Env::start().await;
    let kc = env.key_client();
    let past = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    let key = kc
        .create_rsa_key(
            &support::unique("exp"),
            Some(CreateKeyOptions {
                expires_on: Some(past),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    let c = kc.get_cryptography_client(key.name(), None).unwrap();
    let err = c
        .encrypt(EncryptionAlgorithm::RsaOaep, b"x", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    let sign = c
        .sign(SignatureAlgorithm::Rs256, &[0; 32])
        .await
        .unwrap_err();
    assert!(sign.to_string().contains("expired"), "{sign}");
}
