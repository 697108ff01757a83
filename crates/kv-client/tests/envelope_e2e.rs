//! Envelopes over Key Vault keys in the emulator: several key-encryption keys per message
//! (format version 2), each opening it alone, and a disabled key that the others outlive.

mod support;

use kv_client::envelope::{EnvelopeClient, EnvelopeHeader, KeyRing};
use kv_client::{ErrorKind, UpdateKeyPropertiesOptions};
use kv_jwk::KeyWrapAlgorithm;

#[tokio::test]
async fn three_keys_each_open_alone_and_survive_a_disabled_one() {
    let env = support::Env::start().await;
    let keys = env.key_client();
    let rsa_a = support::unique("env-rsa-a");
    let rsa_b = support::unique("env-rsa-b");
    let hsm = support::unique("env-oct-hsm");
    for name in [&rsa_a, &rsa_b] {
        keys.create_rsa_key(name, support::key_size(2048))
            .await
            .unwrap();
    }
    keys.create_oct_key(&hsm, support::oct_hsm(256))
        .await
        .unwrap();
    let client = |name: &str| keys.get_cryptography_client(name, None).unwrap();

    // Each key wraps with its own algorithm: RSA-OAEP-256 (locally, public key) and A256KW
    // (in the service, for the oct-HSM key).
    let ring = KeyRing::new()
        .with(client(&rsa_a))
        .with(client(&rsa_b))
        .with(client(&hsm));
    let sealer = EnvelopeClient::new(ring, None).unwrap();
    let ct = sealer.encrypt(b"disaster recovery", b"ctx").await.unwrap();
    let (header, _) = EnvelopeHeader::parse(&ct).unwrap();
    assert_eq!(header.version(), 2);
    let algs = support::wrap_algorithms(&ct);
    assert_eq!(
        algs,
        [
            KeyWrapAlgorithm::RsaOaep256,
            KeyWrapAlgorithm::RsaOaep256,
            KeyWrapAlgorithm::A256Kw
        ]
    );
    for name in [&rsa_a, &rsa_b, &hsm] {
        let alone = EnvelopeClient::new(client(name), None).unwrap();
        let pt = alone.decrypt(&ct, Some(b"ctx")).await.unwrap();
        assert_eq!(&pt[..], b"disaster recovery", "{name}");
    }

    // Key A disabled: it no longer opens the message, the ring still does (with B).
    keys.update_key_properties(
        &rsa_a,
        Some(UpdateKeyPropertiesOptions {
            enabled: Some(false),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    let a_alone = EnvelopeClient::new(client(&rsa_a), None).unwrap();
    assert!(a_alone.decrypt(&ct, Some(b"ctx")).await.is_err());
    let ring = KeyRing::new()
        .with(client(&rsa_a))
        .with(client(&rsa_b))
        .with(client(&hsm));
    let opener = EnvelopeClient::new(ring, None).unwrap();
    let pt = opener.decrypt(&ct, Some(b"ctx")).await.unwrap();
    assert_eq!(&pt[..], b"disaster recovery");

    // A key of none of the sections is refused before any request.
    let other = support::unique("env-other");
    keys.create_rsa_key(&other, None).await.unwrap();
    let stranger = EnvelopeClient::new(client(&other), None).unwrap();
    let e = stranger.decrypt(&ct, Some(b"ctx")).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidArgument);
}
