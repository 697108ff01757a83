//! The 2026 api-versions end to end: kv-client against the in-process emulator over HTTPS.
//! Key size at 2026-04-01 and older versions, secure key wrap/unwrap with an accepted and a
//! refused attestation target (the unwrapped key comes back encrypted to the target's
//! runtime key), the EKM connection lifecycle through the admin client, and external key
//! references created, read and deleted.

#[path = "common/emulator.rs"]
mod emulator;

use emulator::{Hsm, attestation_signer, attestation_token, unique};
use keyvault::admin::{
    KeyVaultEkmClient, KeyVaultEkmClientOptions, KeyVaultEkmConnection,
    KeyVaultEkmConnectivityMode, KeyVaultEkmPrivateEndpointCreateParameters,
};
use keyvault::jwk::{KeyOperation, KeyType, KeyWrapAlgorithm};
use keyvault::pipeline::ApiVersion;
use keyvault::{
    CreateKeyOptions, CryptographyClient, CryptographyClientOptions, ErrorKind, KeyReleasePolicy,
    PollerOptions, RoutingMode,
};
use serde_json::{Value, json};

impl Hsm {
    /// The HSM trusting [`attestation_signer`]'s tokens.
    async fn start() -> Self {
        Self::start_with(|b| b.trust_attestation_signer(attestation_signer())).await
    }

    /// A remote-only cryptography client for key version `key_id`.
    fn crypto(&self, key_id: &str) -> CryptographyClient {
        CryptographyClient::new(
            key_id,
            self.credential(),
            Some(CryptographyClientOptions {
                client_options: self.options(ApiVersion::V2026_04_01),
                mode: RoutingMode::RemoteOnly,
                ..Default::default()
            }),
        )
        .expect("crypto client")
    }

    fn ekm(&self) -> KeyVaultEkmClient {
        self.ekm_at(ApiVersion::NEWEST_STABLE)
    }

    fn ekm_at(&self, api_version: ApiVersion) -> KeyVaultEkmClient {
        KeyVaultEkmClient::new(
            self.emulator.url(),
            self.credential(),
            Some(KeyVaultEkmClientOptions {
                client_options: self.options(api_version),
            }),
        )
        .expect("EKM client")
    }
}

#[tokio::test]
async fn key_size_at_2026_04_01_and_at_older_versions() {
    let hsm = Hsm::start().await;
    let name = unique("size");
    // A Managed HSM reports the size of its oct-HSM keys only (Java, Python and .NET
    // recordings, 2026).
    let created = hsm
        .keys(ApiVersion::V2026_04_01)
        .create_oct_key(
            &name,
            Some(CreateKeyOptions {
                key_size: Some(128),
                ..Default::default()
            }),
        )
        .await
        .expect("create at 2026-04-01");
    assert_eq!(created.properties.key_size, Some(128));
    assert_eq!(created.properties.external_key_id, None);
    // As recorded for the live service: older versions get the member too.
    for version in [ApiVersion::V2025_07_01, ApiVersion::V7_6, ApiVersion::V7_5] {
        let got = hsm
            .keys(version.clone())
            .get_key(&name, None)
            .await
            .expect("get");
        assert_eq!(got.properties.key_size, Some(128), "{version}");
    }
    let rsa = hsm
        .keys(ApiVersion::V2026_04_01)
        .create_rsa_key(
            &unique("size-rsa"),
            Some(CreateKeyOptions {
                key_size: Some(3072),
                ..Default::default()
            }),
        )
        .await
        .expect("RSA key");
    assert_eq!(
        rsa.properties.key_size, None,
        "a Managed HSM's RSA-HSM keys"
    );
    let ec = hsm
        .keys(ApiVersion::V2026_04_01)
        .create_ec_key(&unique("size-ec"), None)
        .await
        .expect("EC key");
    assert_eq!(
        ec.properties.key_size, None,
        "EC keys carry a curve, not a size"
    );
}

fn secure_wrap_policy() -> KeyReleasePolicy {
    let policy = json!({"version": "1.0.0", "anyOf": [{"authority": "https://attest.test", "allOf": [
        {"claim": "x-ms-attestation-type", "equals": "sevsnpvm"}
    ]}]});
    KeyReleasePolicy {
        content_type: Some(KeyReleasePolicy::DEFAULT_CONTENT_TYPE.into()),
        immutable: Some(true),
        encoded_policy: Some(serde_json::to_vec(&policy).expect("JSON")),
    }
}

/// A runtime RSA key for the attestation target and the claims of a token that carries it
/// in `x-ms-runtime.keys` (as a TEE's token does), with attestation type `tee`.
fn runtime_claims(runtime: &kv_jwk::JsonWebKey, tee: &str) -> Value {
    let mut public = serde_json::to_value(runtime.to_public()).expect("JWK");
    public["key_ops"] = json!(["encrypt"]);
    json!({"iss": "https://attest.test", "x-ms-attestation-type": tee,
        "x-ms-runtime": {"keys": [public]}})
}

/// A secure unwrap answer decrypted with the target's runtime key (RSA-OAEP-256).
fn decrypt_for_target(runtime: &kv_jwk::JsonWebKey, value: &[u8]) -> Vec<u8> {
    kv_crypto_local::LocalKey::new(runtime)
        .and_then(|k| {
            k.decrypt(
                &kv_jwk::EncryptionAlgorithm::RsaOaep256,
                value,
                &kv_crypto_local::DecryptParameters::default(),
            )
        })
        .expect("the answer decrypts with the runtime key")
        .to_vec()
}

#[tokio::test]
async fn secure_wrap_round_trip_with_accepted_and_refused_targets() {
    let hsm = Hsm::start().await;
    let keys = hsm.keys(ApiVersion::V2026_04_01);
    let name = unique("secure-wrap");
    // unwrapKey too, so a plain unwrap shows the key that secure wrap generated.
    let key = keys
        .create_key(
            &name,
            KeyType::RsaHsm,
            Some(CreateKeyOptions {
                key_operations: Some(vec![
                    KeyOperation::SecureWrapKey,
                    KeyOperation::SecureUnwrapKey,
                    KeyOperation::UnwrapKey,
                ]),
                release_policy: Some(secure_wrap_policy()),
                ..Default::default()
            }),
        )
        .await
        .expect("secure-wrap key");
    assert_eq!(key.properties.exportable, Some(false));

    let wrapped = keys
        .secure_wrap_key(&name, None, KeyWrapAlgorithm::RsaOaep256)
        .await
        .expect("secure wrap");
    assert_eq!(wrapped.key_id, key.id().to_string());
    assert_eq!(wrapped.algorithm, KeyWrapAlgorithm::RsaOaep256);
    let crypto = hsm.crypto(&wrapped.key_id);
    let original = crypto
        .unwrap_key(KeyWrapAlgorithm::RsaOaep256, &wrapped.wrapped_key)
        .await
        .expect("plain unwrap")
        .key;
    assert_eq!(original.len(), 32, "an AES-256 key");

    let runtime = kv_crypto_local::generate_rsa(2048, None).expect("runtime key");
    let accepted = attestation_token(attestation_signer(), &runtime_claims(&runtime, "sevsnpvm"));
    let unwrapped = keys
        .secure_unwrap_key(
            &name,
            key.properties.version(),
            KeyWrapAlgorithm::RsaOaep256,
            &wrapped.wrapped_key,
            &accepted,
        )
        .await
        .expect("secure unwrap for an accepted target");
    // As recorded: the answer is the key encrypted to the target's 2048-bit runtime key.
    assert_eq!(unwrapped.key.len(), 256, "an RSA-2048 ciphertext");
    assert_eq!(decrypt_for_target(&runtime, &unwrapped.key), *original);
    // The wrapped key is the generated one: a second unwrap gives the same key, a second
    // wrap a different key.
    let again = keys
        .secure_unwrap_key(
            &name,
            None,
            KeyWrapAlgorithm::RsaOaep256,
            &wrapped.wrapped_key,
            &accepted,
        )
        .await
        .expect("unwrap again");
    assert_eq!(decrypt_for_target(&runtime, &again.key), *original);
    let other = keys
        .secure_wrap_key(&name, None, KeyWrapAlgorithm::RsaOaep256)
        .await
        .expect("second wrap");
    let other_key = keys
        .secure_unwrap_key(
            &name,
            None,
            KeyWrapAlgorithm::RsaOaep256,
            &other.wrapped_key,
            &accepted,
        )
        .await
        .expect("unwrap second");
    assert_ne!(decrypt_for_target(&runtime, &other_key.key), *original);

    // Refused: a claim the policy does not allow, a token from an untrusted signer, and an
    // accepted token without a runtime key to encrypt the answer to.
    let wrong_claim = attestation_token(attestation_signer(), &runtime_claims(&runtime, "tdx"));
    let untrusted = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).expect("EC");
    let forged = attestation_token(&untrusted, &runtime_claims(&runtime, "sevsnpvm"));
    let no_runtime = attestation_token(
        attestation_signer(),
        &json!({"iss": "https://attest.test", "x-ms-attestation-type": "sevsnpvm"}),
    );
    for target in [wrong_claim, forged, no_runtime] {
        let err = keys
            .secure_unwrap_key(
                &name,
                None,
                KeyWrapAlgorithm::RsaOaep256,
                &wrapped.wrapped_key,
                &target,
            )
            .await
            .expect_err("refused target");
        assert_eq!(err.kind(), &ErrorKind::Forbidden, "{err}");
    }

    // A key without secureWrapKey is refused by the service (403, as recorded).
    let plain = unique("plain-wrap");
    keys.create_key(
        &plain,
        KeyType::RsaHsm,
        Some(CreateKeyOptions {
            key_operations: Some(vec![KeyOperation::WrapKey, KeyOperation::UnwrapKey]),
            ..Default::default()
        }),
    )
    .await
    .expect("plain key");
    let err = keys
        .secure_wrap_key(&plain, None, KeyWrapAlgorithm::RsaOaep256)
        .await
        .expect_err("no secureWrapKey");
    assert_eq!(err.kind(), &ErrorKind::Forbidden);
    assert_eq!(err.error_code(), Some("KeyOperationForbidden"), "{err}");

    // At 2025-07-01 the operation does not exist: refused before any request.
    let err = hsm
        .keys(ApiVersion::V2025_07_01)
        .secure_wrap_key(&name, None, KeyWrapAlgorithm::RsaOaep256)
        .await
        .expect_err("old version");
    assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
}

/// Every value of the secure wrap enum that fits an AES key of each size round-trips; the
/// others, and the wrap algorithms outside the enum, are refused with 400 `BadParameter`.
#[tokio::test]
async fn secure_wrap_accepts_every_enum_value_that_fits_the_key() {
    let hsm = Hsm::start().await;
    let keys = hsm.keys(ApiVersion::V2026_04_01);
    let runtime = kv_crypto_local::generate_rsa(2048, None).expect("runtime key");
    let accepted = attestation_token(attestation_signer(), &runtime_claims(&runtime, "sevsnpvm"));
    let options = || CreateKeyOptions {
        key_operations: Some(vec![
            KeyOperation::SecureWrapKey,
            KeyOperation::SecureUnwrapKey,
        ]),
        release_policy: Some(secure_wrap_policy()),
        ..Default::default()
    };
    let refused = |err: keyvault::Error, what: &str| {
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{what}: {err}");
        assert_eq!(err.error_code(), Some("BadParameter"), "{what}: {err}");
    };
    let mut ran = Vec::new();
    for bits in [128usize, 192, 256] {
        let name = unique("secure-wrap-oct");
        keys.create_key(
            &name,
            KeyType::OctHsm,
            Some(CreateKeyOptions {
                key_size: Some(bits as u32),
                ..options()
            }),
        )
        .await
        .expect("oct-HSM secure-wrap key");
        for alg in keyvault::protocol::SECURE_KEY_WRAP_ALGORITHMS {
            let what = format!("{alg} with a {bits}-bit key");
            let fits = alg.key_family() == Some(kv_jwk::KeyFamily::Oct)
                && alg.aes_key_len().is_none_or(|len| len * 8 == bits);
            let wrapped = keys.secure_wrap_key(&name, None, alg.clone()).await;
            if !fits {
                refused(wrapped.expect_err(&what), &what);
                let err = keys
                    .secure_unwrap_key(&name, None, alg.clone(), &[0; 40], &accepted)
                    .await
                    .expect_err(&what);
                refused(err, &what);
                continue;
            }
            let wrapped = wrapped.unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(&wrapped.algorithm, alg, "{what}");
            let unwrapped = keys
                .secure_unwrap_key(&name, None, alg.clone(), &wrapped.wrapped_key, &accepted)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let plain = decrypt_for_target(&runtime, &unwrapped.key);
            assert_eq!(plain.len(), 32, "{what}");
            ran.push(alg.to_string());
        }
        // Wrap algorithms outside the secure wrap enum are refused even where they fit.
        for alg in [
            KeyWrapAlgorithm::from("A256GCM"),
            KeyWrapAlgorithm::from("FUTURE-KW"),
        ] {
            let err = keys
                .secure_wrap_key(&name, None, alg.clone())
                .await
                .expect_err("outside the enum");
            refused(err, alg.as_str());
        }
    }
    for alg in [
        "A128KWPAD",
        "A192KWPAD",
        "A256KWPAD",
        "CKM_AES_KEY_WRAP_PAD",
    ] {
        assert!(ran.iter().any(|r| r == alg), "{alg} never ran: {ran:?}");
    }
    // On an RSA key: RSA-OAEP-256 only; RSA-OAEP and RSA1_5 are not secure wrap algorithms.
    let rsa = unique("secure-wrap-rsa");
    keys.create_key(&rsa, KeyType::RsaHsm, Some(options()))
        .await
        .expect("RSA secure-wrap key");
    for alg in [
        KeyWrapAlgorithm::RsaOaep,
        KeyWrapAlgorithm::Rsa1_5,
        KeyWrapAlgorithm::A256KwPad,
    ] {
        let err = keys
            .secure_wrap_key(&rsa, None, alg.clone())
            .await
            .expect_err(alg.as_str());
        refused(err, alg.as_str());
    }
}

#[tokio::test]
async fn ekm_connection_lifecycle_and_external_keys() {
    let hsm = Hsm::start().await;
    let ekm = hsm.ekm();
    let keys = hsm.keys(ApiVersion::V2026_04_01);

    let err = ekm.get_ekm_connection().await.expect_err("none yet");
    assert_eq!(err.kind(), &ErrorKind::ResourceNotFound);
    let err = keys
        .create_external_key(&unique("ext"), "external-key-id", None)
        .await
        .expect_err("no EKM connection yet");
    assert_eq!(err.kind(), &ErrorKind::BadRequest, "{err}");

    // A DER certificate: the emulator's own EKM client CA will do.
    let ca = ekm.get_ekm_certificate().await.expect("client certificate");
    assert_eq!(ca.ca_certificates.len(), 1);
    let connection = KeyVaultEkmConnection {
        host: "ekm-proxy.contoso.com".into(),
        path_prefix: Some("/api/v1".into()),
        server_ca_certificates: ca.ca_certificates.clone(),
        ..Default::default()
    };
    assert_eq!(
        ekm.create_ekm_connection(&connection)
            .await
            .expect("create"),
        connection
    );
    let err = ekm
        .create_ekm_connection(&connection)
        .await
        .expect_err("exists");
    // The service answers 400 NotSupported, "EKM connection is already setup" (Go azadmin).
    assert_eq!(err.kind(), &ErrorKind::BadRequest, "{err}");
    assert_eq!(err.error_code(), Some("NotSupported"), "{err}");
    assert_eq!(ekm.get_ekm_connection().await.expect("get"), connection);
    let moved = KeyVaultEkmConnection {
        host: "ekm-proxy-updated.contoso.com".into(),
        path_prefix: Some("/api/v2".into()),
        ..connection.clone()
    };
    assert_eq!(
        ekm.update_ekm_connection(&moved).await.expect("update"),
        moved
    );
    let proxy = ekm
        .check_ekm_connection()
        .await
        .expect("check (test double)");
    assert_eq!(proxy.proxy_vendor, "kv-emulator");

    // External key references: create, get, use, delete.
    let name = unique("ext");
    let created = keys
        .create_external_key(&name, "external-key-id", None)
        .await
        .expect("external key");
    assert_eq!(
        created.properties.external_key_id.as_deref(),
        Some("external-key-id")
    );
    assert_eq!(created.properties.key_size, Some(256));
    assert_eq!(created.key.kty, Some(KeyType::OctHsm));
    assert_eq!(
        created.key.key_ops,
        Some(vec![KeyOperation::WrapKey, KeyOperation::UnwrapKey])
    );
    let got = keys.get_key(&name, None).await.expect("get external key");
    assert_eq!(
        got.properties.external_key_id.as_deref(),
        Some("external-key-id")
    );
    let err = keys
        .create_external_key(&unique("ext"), "not valid!", None)
        .await
        .expect_err("bad id");
    assert_eq!(err.kind(), &ErrorKind::InvalidArgument);

    let poller = keys
        .delete_key(
            &name,
            Some(PollerOptions {
                frequency: std::time::Duration::ZERO,
            }),
        )
        .await
        .expect("delete");
    let deleted = poller.await.expect("deleted");
    let props = &deleted.key.properties;
    assert_eq!(props.external_key_id.as_deref(), Some("external-key-id"));
    assert_eq!(props.key_size, None, "deleted keys carry no key_size");

    assert_eq!(ekm.delete_ekm_connection().await.expect("delete"), moved);
    let err = ekm.get_ekm_connection().await.expect_err("deleted");
    assert_eq!(err.kind(), &ErrorKind::ResourceNotFound);
}

/// EKM proxy private endpoints (2026-07-01-preview) through the admin client: create and
/// delete as long-running operations, get, list, operation status, a connection in
/// `PrivateEndpoint` mode holding its endpoint, and the routes absent at 2026-04-01.
#[tokio::test]
async fn ekm_private_endpoint_lifecycle() {
    let hsm = Hsm::start().await;
    let ekm = hsm.ekm_at(ApiVersion::V2026_07_01Preview);
    let now = || {
        Some(PollerOptions {
            frequency: std::time::Duration::ZERO,
        })
    };
    assert!(
        ekm.list_ekm_private_endpoints()
            .await
            .expect("list")
            .is_empty()
    );
    let parameters = KeyVaultEkmPrivateEndpointCreateParameters {
        private_link_service_id: "myekmproxy-pls.eastus.azure.privatelinkservice".into(),
        request_message: Some("Please approve.".into()),
    };
    let poller = ekm
        .create_ekm_private_endpoint("my-ekm-pe", &parameters, now())
        .await
        .expect("create");
    let created = poller.await.expect("created");
    assert_eq!(created.private_endpoint_name.as_deref(), Some("my-ekm-pe"));
    assert_eq!(
        created.status,
        Some(keyvault::protocol::OperationState::Succeeded)
    );
    let job = created.job_id.clone().expect("job id");
    let status = ekm
        .get_ekm_private_endpoint_operation_status(&job)
        .await
        .expect("status");
    assert_eq!(status, created);

    let pe = ekm
        .get_ekm_private_endpoint("my-ekm-pe")
        .await
        .expect("get");
    assert_eq!(pe.name.as_deref(), Some("my-ekm-pe"));
    assert_eq!(
        pe.properties
            .as_ref()
            .and_then(|p| p.private_link_service_id.as_deref()),
        Some(parameters.private_link_service_id.as_str())
    );
    assert_eq!(ekm.list_ekm_private_endpoints().await.expect("list"), [pe]);
    let err = ekm
        .create_ekm_private_endpoint("my-ekm-pe", &parameters, now())
        .await
        .expect_err("exists");
    assert_eq!(err.kind(), &ErrorKind::Conflict, "{err}");
    ekm.create_ekm_private_endpoint("second-pe", &parameters, now())
        .await
        .expect("second")
        .await
        .expect("second created");
    let err = ekm
        .create_ekm_private_endpoint("third-pe", &parameters, now())
        .await
        .expect_err("at most two");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");

    // A connection in PrivateEndpoint mode names an existing endpoint and holds it.
    let ca = ekm.get_ekm_certificate().await.expect("client certificate");
    let connection = KeyVaultEkmConnection {
        host: "no-such-pe".into(),
        server_ca_certificates: ca.ca_certificates.clone(),
        connectivity_mode: Some(KeyVaultEkmConnectivityMode::PrivateEndpoint),
        ..Default::default()
    };
    let err = ekm
        .create_ekm_connection(&connection)
        .await
        .expect_err("unknown endpoint");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
    let connection = KeyVaultEkmConnection {
        host: "my-ekm-pe".into(),
        ..connection
    };
    assert_eq!(
        ekm.create_ekm_connection(&connection)
            .await
            .expect("create"),
        connection
    );
    assert_eq!(ekm.get_ekm_connection().await.expect("get"), connection);
    let err = ekm
        .delete_ekm_private_endpoint("my-ekm-pe", now())
        .await
        .expect_err("in use");
    assert_eq!(err.kind(), &ErrorKind::Conflict, "{err}");
    ekm.delete_ekm_connection()
        .await
        .expect("delete connection");
    let deleted = ekm
        .delete_ekm_private_endpoint("my-ekm-pe", now())
        .await
        .expect("delete")
        .await
        .expect("deleted");
    assert_eq!(
        deleted.operation_type,
        Some(keyvault::protocol::EkmPrivateEndpointOperationType::Delete)
    );
    let err = ekm
        .get_ekm_private_endpoint("my-ekm-pe")
        .await
        .expect_err("gone");
    assert_eq!(err.kind(), &ErrorKind::ResourceNotFound);
    assert_eq!(
        ekm.list_ekm_private_endpoints().await.expect("list").len(),
        1
    );

    // At 2026-04-01 the routes do not exist: the client refuses before any request (the
    // emulator's 404 at older versions is tested beside its routes).
    let err = hsm
        .ekm()
        .list_ekm_private_endpoints()
        .await
        .expect_err("old");
    assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
}
