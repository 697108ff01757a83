//! The official Rust SDK (`azure_security_keyvault_keys`) against the emulator, unmodified:
//! only a fake credential and a transport that trusts the emulator's CA are configured.

use std::sync::Arc;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, Transport};
use azure_core::time::{Duration as AzDuration, OffsetDateTime};
use azure_security_keyvault_keys::models::{
    CreateKeyParameters, CurveName, EncryptionAlgorithm, GetRandomBytesParameters,
    KeyOperationParameters, KeyRotationPolicy, KeyRotationPolicyAction,
    KeyRotationPolicyAttributes, KeyType, LifetimeAction, LifetimeActionTrigger,
    LifetimeActionType, RestoreKeyParameters, SignParameters, SignatureAlgorithm,
    UpdateKeyPropertiesParameters, VerifyParameters,
};
use azure_security_keyvault_keys::{KeyClient, KeyClientOptions};
use futures::TryStreamExt;
use kv_emulator::Emulator;

#[derive(Debug)]
struct FakeCredential;

#[async_trait::async_trait]
impl TokenCredential for FakeCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            "fake-token",
            OffsetDateTime::now_utc() + AzDuration::hours(1),
        ))
    }
}

fn client(url: &str, ca_pem: &str) -> KeyClient {
    let mut http = reqwest::Client::builder();
    for cert in reqwest::Certificate::from_pem_bundle(ca_pem.as_bytes()).expect("CA PEM") {
        http = http.add_root_certificate(cert);
    }
    let options = KeyClientOptions {
        client_options: ClientOptions {
            transport: Some(Transport::new(Arc::new(http.build().expect("client")))),
            ..Default::default()
        },
        // 127.0.0.1 has no parent domain, so the resource check must be off.
        verify_challenge_resource: Some(false),
        ..Default::default()
    };
    KeyClient::new(url, Arc::new(FakeCredential), Some(options)).expect("KeyClient")
}

#[tokio::test]
async fn official_rust_sdk_drives_the_emulator() -> azure_core::Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let client = client(emulator.url(), emulator.ca_pem());

    // Create every key type.
    let rsa = client
        .create_key(
            "sdk-rsa",
            CreateKeyParameters {
                kty: Some(KeyType::Rsa),
                key_size: Some(2048),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    let rsa_kid = rsa.key.as_ref().and_then(|k| k.kid.clone()).unwrap();
    assert!(rsa_kid.starts_with(&format!("{}/keys/sdk-rsa/", emulator.url())));
    for (name, crv) in [
        ("sdk-p256", CurveName::P256),
        ("sdk-p256k", CurveName::P256K),
        ("sdk-p384", CurveName::P384),
        ("sdk-p521", CurveName::P521),
    ] {
        let ec = client
            .create_key(
                name,
                CreateKeyParameters {
                    kty: Some(KeyType::EcHsm),
                    curve: Some(crv.clone()),
                    ..Default::default()
                }
                .try_into()?,
                None,
            )
            .await?
            .into_model()?;
        assert_eq!(ec.key.unwrap().crv, Some(crv));
    }
    client
        .create_key(
            "sdk-oct",
            CreateKeyParameters {
                kty: Some(KeyType::OctHsm),
                key_size: Some(256),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?;

    // Get, update.
    let got = client.get_key("sdk-rsa", None).await?.into_model()?;
    assert_eq!(got.key.unwrap().kid.unwrap(), rsa_kid);
    let updated = client
        .update_key_properties(
            "sdk-rsa",
            UpdateKeyPropertiesParameters {
                tags: Some([("env".to_owned(), "sdk".to_owned())].into()),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    assert_eq!(updated.tags.unwrap()["env"], "sdk");

    // Crypto.
    let digest = vec![5u8; 32];
    let signed = client
        .sign(
            "sdk-rsa",
            SignParameters {
                algorithm: Some(SignatureAlgorithm::Ps256),
                value: Some(digest.clone()),
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    let verified = client
        .verify(
            "sdk-rsa",
            "",
            VerifyParameters {
                algorithm: Some(SignatureAlgorithm::Ps256),
                digest: Some(digest),
                signature: signed.result,
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    assert_eq!(verified.value, Some(true));
    let encrypted = client
        .encrypt(
            "sdk-rsa",
            KeyOperationParameters {
                algorithm: Some(EncryptionAlgorithm::RsaOaep256),
                value: Some(b"sdk plaintext".to_vec()),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    let decrypted = client
        .decrypt(
            "sdk-rsa",
            "",
            KeyOperationParameters {
                algorithm: Some(EncryptionAlgorithm::RsaOaep256),
                value: encrypted.result,
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    assert_eq!(decrypted.result.as_deref(), Some(&b"sdk plaintext"[..]));
    let wrapped = client
        .wrap_key(
            "sdk-oct",
            KeyOperationParameters {
                algorithm: Some(EncryptionAlgorithm::A256Kw),
                value: Some(vec![1; 32]),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    let unwrapped = client
        .unwrap_key(
            "sdk-oct",
            "",
            KeyOperationParameters {
                algorithm: Some(EncryptionAlgorithm::A256Kw),
                value: wrapped.result,
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    assert_eq!(unwrapped.result, Some(vec![1; 32]));

    // Paging over more than 25 keys (the pager follows nextLink).
    for i in 0..26 {
        client
            .create_key(
                &format!("sdk-page-{i}"),
                CreateKeyParameters {
                    kty: Some(KeyType::Ec),
                    ..Default::default()
                }
                .try_into()?,
                None,
            )
            .await?;
    }
    let listed: Vec<_> = client.list_key_properties(None)?.try_collect().await?;
    assert_eq!(
        listed
            .iter()
            .filter(|k| k
                .kid
                .as_deref()
                .unwrap_or_default()
                .contains("/keys/sdk-page-"))
            .count(),
        26
    );
    assert!(listed.len() > 25);

    // Rotation policy and rotate.
    let policy = KeyRotationPolicy {
        lifetime_actions: Some(vec![LifetimeAction {
            action: Some(LifetimeActionType {
                type_prop: Some(KeyRotationPolicyAction::Rotate),
            }),
            trigger: Some(LifetimeActionTrigger {
                time_after_create: Some("P30D".into()),
                time_before_expiry: None,
            }),
        }]),
        attributes: Some(KeyRotationPolicyAttributes {
            expiry_time: Some("P90D".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    client
        .update_key_rotation_policy("sdk-rsa", policy.try_into()?, None)
        .await?;
    let fetched = client
        .get_key_rotation_policy("sdk-rsa", None)
        .await?
        .into_model()?;
    assert_eq!(
        fetched.attributes.unwrap().expiry_time.as_deref(),
        Some("P90D")
    );
    let rotated = client.rotate_key("sdk-rsa", None).await?.into_model()?;
    assert_ne!(rotated.key.unwrap().kid.unwrap(), rsa_kid);
    let versions: Vec<_> = client
        .list_key_properties_versions("sdk-rsa", None)?
        .try_collect()
        .await?;
    assert_eq!(versions.len(), 2);

    // Backup, delete, deleted, recover, purge, restore.
    let backup = client.backup_key("sdk-rsa", None).await?.into_model()?;
    client.delete_key("sdk-rsa", None).await?;
    client.get_deleted_key("sdk-rsa", None).await?;
    let deleted: Vec<_> = client
        .list_deleted_key_properties(None)?
        .try_collect()
        .await?;
    assert!(deleted.iter().any(|d| {
        d.kid
            .as_deref()
            .unwrap_or_default()
            .ends_with("/keys/sdk-rsa")
    }));
    client.recover_deleted_key("sdk-rsa", None).await?;
    client.delete_key("sdk-rsa", None).await?;
    client.purge_deleted_key("sdk-rsa", None).await?;
    let restored = client
        .restore_key(
            RestoreKeyParameters {
                key_backup: backup.value,
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    assert!(
        restored
            .key
            .unwrap()
            .kid
            .unwrap()
            .contains("/keys/sdk-rsa/")
    );

    // Random bytes and key attestation.
    let random = client
        .get_random_bytes(
            GetRandomBytesParameters { count: Some(24) }.try_into()?,
            None,
        )
        .await?
        .into_model()?;
    assert_eq!(random.value.map(|v| v.len()), Some(24));
    client.get_key_attestation("sdk-p256", None).await?;

    emulator.shutdown().await;
    Ok(())
}
