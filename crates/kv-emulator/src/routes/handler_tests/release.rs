//! Secure key release through the router.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::*;

#[tokio::test]
async fn release_needs_a_trusted_token_that_satisfies_the_policy() {
    let app = TestApp::new();
    let policy = json!({"version": "1.0.0", "anyOf": [{"authority": "https://attest.test", "allOf": [
        {"claim": "x-ms-attestation-type", "equals": "sevsnpvm"}
    ]}]});
    let release_policy = json!({"contentType": "application/json; charset=utf-8", "data": b64(&serde_json::to_vec(&policy).unwrap())});
    // Exportable keys need a policy, in the service's words: a vault leads with the rule's
    // code, a Managed HSM ends with an activity id (JavaScript SDK live recordings).
    let exportable_only = json!({"kty": "RSA-HSM", "attributes": {"exportable": true}});
    let (status, body) = app
        .call("POST", "/keys/exp/create", Some(exportable_only.clone()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "BadParameter");
    assert_eq!(
        body["error"]["message"],
        "AKV.SKR.1004: Exportable keys must have release policy."
    );
    let (status, body) = app
        .call_at(HSM_HOST, "POST", "/keys/exp/create", Some(exportable_only))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Exportable keys must have release policy (Activity ID: "),
        "{message}"
    );
    // A release policy needs an exportable key, at creation and on update.
    let (status, body) = app
        .call(
            "POST",
            "/keys/policy-only/create",
            Some(json!({"kty": "RSA-HSM", "release_policy": release_policy})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a policy needs exportable");
    assert_eq!(
        body["error"]["message"],
        "AKV.SKR.1005: Non-exportable keys must not have release policy."
    );
    app.create("exp", json!({"kty": "RSA-HSM", "attributes": {"exportable": true}, "release_policy": release_policy}))
        .await;
    app.create("noexp", json!({"kty": "EC"})).await;
    let (status, _) = app
        .call(
            "PATCH",
            "/keys/noexp",
            Some(json!({"release_policy": release_policy})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "no policy on a non-exportable key"
    );

    let runtime = kv_crypto_local::generate_rsa(2048, None).unwrap();
    let mut runtime_public = serde_json::to_value(runtime.to_public()).unwrap();
    runtime_public["key_ops"] = json!(["encrypt"]);
    let now = app.state.clock().now();
    let claims = json!({"iss": "https://attest.test", "x-ms-attestation-type": "sevsnpvm",
        "x-ms-runtime": {"keys": [runtime_public]}, "exp": now + 600});
    let good = attestation_token(attestation_signer(), &claims);

    let (status, _) = app
        .call("POST", "/keys/noexp/release", Some(json!({"target": good})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let released = app
        .ok(
            "POST",
            "/keys/exp/release",
            Some(json!({"target": good, "nonce": "n1"})),
        )
        .await;
    let jws = released["value"].as_str().unwrap();
    let payload: Value =
        serde_json::from_slice(&kv_jwk::base64url::decode(jws.split('.').nth(1).unwrap()).unwrap())
            .unwrap();
    assert_eq!(payload["request"]["nonce"], "n1");
    let key_hsm = unb64(&payload["response"]["key"]["key"]["key_hsm"]);
    let (head, tail) = key_hsm.split_at(256);
    let runtime_key = kv_crypto_local::LocalKey::new(&runtime).unwrap();
    let k = runtime_key
        .unwrap_key(&kv_jwk::KeyWrapAlgorithm::RsaOaep, head)
        .unwrap();
    let aes = kv_crypto_local::LocalKey::new(&kv_jwk::JsonWebKey {
        kty: Some(kv_jwk::KeyType::Oct),
        k: Some(kv_jwk::SecretBytes::from_slice(&k)),
        ..Default::default()
    })
    .unwrap();
    let pkcs8 = aes
        .unwrap_key(&kv_jwk::KeyWrapAlgorithm::CkmAesKeyWrapPad, tail)
        .unwrap();
    assert!(kv_crypto_local::key_encoding::rsa_components_from_pkcs8(&pkcs8).is_ok());

    let wrong_claim = attestation_token(
        attestation_signer(),
        &json!({"iss": "https://attest.test",
        "x-ms-attestation-type": "tdx", "x-ms-runtime": claims["x-ms-runtime"].clone()}),
    );
    let (status, _) = app
        .call(
            "POST",
            "/keys/exp/release",
            Some(json!({"target": wrong_claim})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let untrusted = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).unwrap();
    let forged = attestation_token(&untrusted, &claims);
    let (status, _) = app
        .call("POST", "/keys/exp/release", Some(json!({"target": forged})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            "POST",
            "/keys/exp/release",
            Some(json!({"target": "not-a-jwt"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.state.clock().advance(Duration::from_secs(3600));
    let (status, _) = app
        .call("POST", "/keys/exp/release", Some(json!({"target": good})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "expired token");
}
