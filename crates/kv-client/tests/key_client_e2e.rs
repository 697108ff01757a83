//! Every `KeyClient` method against the in-process emulator.

mod support;

use std::time::Duration;

use futures::TryStreamExt;
use kv_client::{
    CreateKeyOptions, ErrorKind, GetKeyOptions, KeyReleasePolicy, KeyRotationLifetimeAction,
    KeyRotationPolicy, KeyRotationPolicyAction, ListOptions, PollerOptions,
    UpdateKeyPropertiesOptions,
};
use kv_core::{Method, Request};
use kv_jwk::{KeyCurveName, KeyOperation, KeyType};

fn fast() -> Option<PollerOptions> {
    Some(PollerOptions {
        frequency: Duration::ZERO,
    })
}

#[tokio::test]
async fn create_get_list_update_rotate() {
    let env = support::Env::start().await;
    let c = env.key_client();
    let rsa_name = support::unique("rsa");
    let rsa = c
        .create_rsa_key(
            &rsa_name,
            Some(CreateKeyOptions {
                key_size: Some(2048),
                tags: Some([("team".to_owned(), "a".to_owned())].into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(rsa.key_type(), Some(&KeyType::Rsa));
    assert_eq!(
        rsa.properties.tags.get("team").map(String::as_str),
        Some("a")
    );
    assert!(
        rsa.key.d.is_none(),
        "the service never returns private material"
    );

    for curve in [
        KeyCurveName::P256,
        KeyCurveName::P384,
        KeyCurveName::P521,
        KeyCurveName::P256K,
    ] {
        let ec = c
            .create_ec_key(
                &support::unique("ec"),
                Some(CreateKeyOptions {
                    curve: Some(curve.clone()),
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
        assert_eq!(ec.key.crv, Some(curve));
    }
    let oct = c
        .create_oct_key(&support::unique("oct"), support::oct_hsm(256))
        .await
        .unwrap();
    assert_eq!(oct.key_type(), Some(&KeyType::OctHsm));
    assert!(oct.key.k.is_none());

    let latest = c.get_key(&rsa_name, None).await.unwrap();
    assert_eq!(latest.id(), rsa.id());
    let version = rsa.properties.version().unwrap().to_owned();
    let pinned = c
        .get_key(
            &rsa_name,
            Some(GetKeyOptions {
                version: Some(version.clone()),
            }),
        )
        .await
        .unwrap();
    assert_eq!(pinned.id(), rsa.id());

    let updated = c
        .update_key_properties(
            &rsa_name,
            Some(UpdateKeyPropertiesOptions {
                enabled: Some(false),
                key_operations: Some(vec![KeyOperation::Verify]),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(updated.properties.enabled, Some(false));
    assert_eq!(updated.key_operations(), Some(&[KeyOperation::Verify][..]));

    let rotated = c.rotate_key(&rsa_name).await.unwrap();
    assert_ne!(rotated.properties.version(), Some(version.as_str()));
    let versions: Vec<_> = c
        .list_key_properties_versions(
            &rsa_name,
            Some(ListOptions {
                max_page_size: Some(1),
                ..Default::default()
            }),
        )
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);

    let names: Vec<String> = c
        .list_key_properties(Some(ListOptions {
            max_page_size: Some(2),
            ..Default::default()
        }))
        .map_ok(|p| p.name().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert!(names.contains(&rsa_name), "{names:?}");
    assert_eq!(names.len(), 6, "{names:?}");

    let missing = c
        .get_key(&support::unique("missing"), None)
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), &ErrorKind::ResourceNotFound);
    assert_eq!(missing.error_code(), Some("KeyNotFound"));
}

#[tokio::test]
async fn delete_recover_purge_backup_restore() {
    let env = support::Env::start().await;
    let c = env.key_client();
    let name = support::unique("life");
    let key = c.create_ec_key(&name, None).await.unwrap();
    let backup = c.backup_key(&name).await.unwrap();
    assert!(!backup.is_empty());

    let deleted = c.delete_key(&name, fast()).await.unwrap().await.unwrap();
    assert_eq!(deleted.name(), name);
    assert!(deleted.recovery_id.is_some());
    assert_eq!(c.get_deleted_key(&name).await.unwrap().key.id(), key.id());
    let listed: Vec<_> = c
        .list_deleted_key_properties(None)
        .try_collect()
        .await
        .unwrap();
    assert!(listed.iter().any(|d| d.name() == name));

    let recovered = c
        .recover_deleted_key(&name, fast())
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(recovered.id(), key.id());

    c.delete_key(&name, fast()).await.unwrap().await.unwrap();
    c.purge_deleted_key(&name).await.unwrap();
    let gone = c.get_deleted_key(&name).await.unwrap_err();
    assert_eq!(gone.kind(), &ErrorKind::ResourceNotFound);

    let restored = c.restore_key(&backup).await.unwrap();
    assert_eq!(restored.id(), key.id());
    assert_eq!(restored.key.x, key.key.x);
}

#[tokio::test]
async fn import_rotation_policy_random_attestation_and_raw_requests() {
    let env = support::Env::start().await;
    let c = env.key_client();
    let name = support::unique("imp");
    let jwk = kv_crypto_local::generate_ec(&KeyCurveName::P384).unwrap();
    let imported = c.import_key(&name, &jwk, None).await.unwrap();
    assert_eq!(imported.key.x, jwk.x);
    assert!(imported.key.d.is_none());

    let policy = KeyRotationPolicy {
        lifetime_actions: vec![KeyRotationLifetimeAction {
            time_after_create: Some("P90D".into()),
            ..KeyRotationLifetimeAction::new(KeyRotationPolicyAction::Rotate)
        }],
        expires_in: Some("P1Y".into()),
        ..Default::default()
    };
    let saved = c.update_key_rotation_policy(&name, &policy).await.unwrap();
    assert_eq!(saved.expires_in.as_deref(), Some("P1Y"));
    let read = c.get_key_rotation_policy(&name).await.unwrap();
    assert_eq!(read.lifetime_actions, saved.lifetime_actions);

    let bytes = c.get_random_bytes(32).await.unwrap();
    assert_eq!(bytes.len(), 32);

    let attested = c.get_key_attestation(&name, None).await.unwrap();
    assert_eq!(attested.id(), imported.id());
    let attestation = attested.properties.attestation.expect("attestation blobs");
    assert!(attestation.version.is_some());

    let url = format!("{}/keys/{name}", env.emulator.url())
        .parse()
        .unwrap();
    let raw = c
        .send_request(Request::new(Method::GET, url))
        .await
        .unwrap();
    assert_eq!(raw.status(), kv_core::StatusCode::OK);
    let missing = format!("{}/keys/{}", env.emulator.url(), support::unique("nope"))
        .parse()
        .unwrap();
    let raw = c
        .send_request(Request::new(Method::GET, missing))
        .await
        .unwrap();
    assert_eq!(raw.status(), kv_core::StatusCode::NOT_FOUND);
}

/// A compact JWS signed ES256 by `signer`, as an attestation service would issue it.
fn attestation_token(signer: &kv_jwk::JsonWebKey, claims: &serde_json::Value) -> String {
    use kv_jwk::base64url::encode;
    let header = encode(br#"{"alg":"ES256","typ":"JWT"}"#);
    let payload = encode(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{payload}");
    let digest =
        kv_client::digest::digest_for(&kv_jwk::SignatureAlgorithm::Es256, signing_input.as_bytes())
            .unwrap();
    let key = kv_crypto_local::LocalKey::new(signer).unwrap();
    let signature = key
        .sign(&kv_jwk::SignatureAlgorithm::Es256, &digest)
        .unwrap();
    format!("{signing_input}.{}", encode(&signature))
}

#[tokio::test]
async fn exportable_key_with_release_policy_and_release() {
    let signer = kv_crypto_local::generate_ec(&KeyCurveName::P256).unwrap();
    let env = support::Env::start_with(|b| b.trust_attestation_signer(&signer)).await;
    let c = env.key_client();
    let name = support::unique("exp");
    let policy = KeyReleasePolicy {
        content_type: Some(KeyReleasePolicy::DEFAULT_CONTENT_TYPE.into()),
        immutable: Some(false),
        encoded_policy: Some(
            br#"{"version":"1.0.0","anyOf":[{"authority":"https://attest.example","allOf":[{"claim":"x-ms-sevsnpvm-is-debuggable","equals":false}]}]}"#.to_vec(),
        ),
    };
    let key = c
        .create_rsa_key(
            &name,
            Some(CreateKeyOptions {
                hardware_protected: true,
                exportable: Some(true),
                release_policy: Some(policy.clone()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(key.properties.exportable, Some(true));
    assert_eq!(
        key.properties
            .release_policy
            .as_ref()
            .and_then(|p| p.encoded_policy.clone()),
        policy.encoded_policy
    );

    let runtime = kv_crypto_local::generate_rsa(2048, None)
        .unwrap()
        .to_public();
    let claims = serde_json::json!({
        "iss": "https://attest.example",
        "x-ms-sevsnpvm-is-debuggable": false,
        "x-ms-runtime": {"keys": [runtime]},
    });
    let token = attestation_token(&signer, &claims);
    let released = c.release(&name, &token, None).await.unwrap();
    let parts: Vec<&str> = released.value.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS");
    let payload = kv_jwk::base64url::decode(parts[1]).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert!(payload.to_string().contains("key_hsm"), "{payload}");

    // A token from an untrusted signer, or one whose claims miss the policy, is refused.
    let stranger = kv_crypto_local::generate_ec(&KeyCurveName::P256).unwrap();
    let err = c
        .release(&name, &attestation_token(&stranger, &claims), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Forbidden, "{err}");
    let mut debuggable = claims.clone();
    debuggable["x-ms-sevsnpvm-is-debuggable"] = true.into();
    let err = c
        .release(&name, &attestation_token(&signer, &debuggable), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Forbidden, "{err}");
}
