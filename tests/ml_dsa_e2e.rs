//! End to end, ML-DSA (FIPS 204, `AKP` keys, api-version 2026-05-01-preview): our client
//! against the emulator started in-process on 127.0.0.1:0. An ML-DSA-65 key is created in
//! the emulator, signs there, and its signature verifies locally with the public key and
//! zero requests, on the façade's backend and on each backend on its own; a tampered
//! signature is refused. The context and external-mu forms go through the façade
//! (`sign_ml_dsa` / `verify_ml_dsa`) and over raw HTTPS, for the spec's wire rules.

#[path = "../crates/kv-client/tests/support/mod.rs"]
mod support;

use base64ct::{Base64UrlUnpadded, Encoding};
use kv_client::{CreateKeyOptions, KeyClient, KeyClientOptions, OperationLocation};
use kv_crypto_local::{CryptoProvider, LocalKey, MlDsaInput};
use kv_jwk::{KeyOperation, KeyType, SignatureAlgorithm};
use kv_protocol::ApiVersion;
use serde_json::{Value, json};

const ML_DSA_65: SignatureAlgorithm = SignatureAlgorithm::MlDsa65;
const PREVIEW: &str = "2026-05-01-preview";

fn key_client(env: &support::Env) -> KeyClient {
    let mut client_options = env.client_options();
    client_options.api_version = ApiVersion::V2026_05_01Preview;
    KeyClient::new(
        env.emulator.url(),
        env.credential(),
        Some(KeyClientOptions { client_options }),
    )
    .expect("key client")
}

fn backends() -> [(&'static str, &'static CryptoProvider); 2] {
    static RUST: std::sync::OnceLock<CryptoProvider> = std::sync::OnceLock::new();
    static AWS: std::sync::OnceLock<CryptoProvider> = std::sync::OnceLock::new();
    [
        (
            "rustcrypto",
            RUST.get_or_init(kv_crypto_local::rust_crypto::provider),
        ),
        (
            "aws-lc-rs",
            AWS.get_or_init(kv_crypto_local::aws_lc_rs::provider),
        ),
    ]
}

#[tokio::test]
async fn ml_dsa_65_remote_sign_local_verify_on_both_backends() {
    let env = support::Env::start().await;
    let keys = key_client(&env);
    let name = support::unique("mldsa");
    let key = keys
        .create_ml_dsa_key(&name, ML_DSA_65, None)
        .await
        .expect("create ML-DSA-65 key");
    // As the spec's CreateKey-MLDSA example answers: AKP-HSM, the parameter set in `alg`,
    // the public key in `pub`, sign and verify by default, no private member.
    assert_eq!(key.key.kty, Some(KeyType::AkpHsm));
    assert_eq!(key.key.alg, Some(ML_DSA_65));
    assert_eq!(key.key.pub_key.as_ref().map(Vec::len), Some(1952));
    assert_eq!(
        key.key.key_ops,
        Some(vec![KeyOperation::Sign, KeyOperation::Verify])
    );
    assert!(!key.key.has_private_material());

    let crypto = keys
        .get_cryptography_client(&name, None)
        .expect("cryptography client");
    let message = b"post-quantum hello";
    let signed = crypto.sign(ML_DSA_65, message).await.expect("remote sign");
    assert_eq!(signed.location, OperationLocation::Remote);
    assert_eq!(signed.signature.len(), 3309);

    // The first verify may fetch the key; every verify after it is local and silent.
    let first = crypto
        .verify(ML_DSA_65, message, &signed.signature)
        .await
        .expect("verify");
    assert!(first.is_valid);
    let before = env.requests();
    let local = crypto
        .verify(ML_DSA_65, message, &signed.signature)
        .await
        .expect("verify");
    assert_eq!(
        (local.location, local.is_valid),
        (OperationLocation::Local, true)
    );
    let mut tampered = signed.signature.clone();
    tampered[100] ^= 0x04;
    let refused = crypto
        .verify(ML_DSA_65, message, &tampered)
        .await
        .expect("verify tampered");
    assert_eq!(
        (refused.location, refused.is_valid),
        (OperationLocation::Local, false)
    );
    let other_message = crypto
        .verify_data(ML_DSA_65, b"post-quantum hellO", &signed.signature)
        .await
        .expect("verify another message");
    assert!(!other_message.is_valid);
    assert_eq!(
        env.requests(),
        before,
        "local ML-DSA verify sends no request"
    );

    // The same signature through each backend on its own (the façade's default provider
    // verifies plain ML-DSA with aws-lc-rs; RustCrypto is the other one).
    for (backend, provider) in backends() {
        let public = LocalKey::with_provider(&key.key, provider).expect("public key");
        assert!(
            public
                .verify(&ML_DSA_65, message, &signed.signature)
                .unwrap(),
            "{backend}"
        );
        assert!(
            !public.verify(&ML_DSA_65, message, &tampered).unwrap(),
            "{backend}"
        );
    }
}

/// Sign with a context and with external mu over the wire, as the 2026-05-01-preview spec
/// examples send them, and check both signatures locally.
#[tokio::test]
async fn ml_dsa_context_and_external_mu_over_the_wire() {
    let env = support::Env::start().await;
    let keys = key_client(&env);
    let name = support::unique("mldsa-ctx");
    let key = keys
        .create_ml_dsa_key(
            &name,
            SignatureAlgorithm::MlDsa44,
            Some(CreateKeyOptions {
                key_operations: Some(vec![KeyOperation::Sign, KeyOperation::Verify]),
                ..Default::default()
            }),
        )
        .await
        .expect("create ML-DSA-44 key");
    let http = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(env.emulator.ca_pem().as_bytes()).expect("CA"),
        )
        .build()
        .expect("http client");
    let post = |op: &'static str, body: Value| {
        let url = format!(
            "{}/keys/{name}/{op}?api-version={PREVIEW}",
            env.emulator.url().trim_end_matches('/')
        );
        let request = http.post(url).bearer_auth("emulator-token").json(&body);
        async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    let b64 = |b: &[u8]| Base64UrlUnpadded::encode_string(b);
    let unb64 = |v: &Value| Base64UrlUnpadded::decode_vec(v.as_str().expect("string")).unwrap();
    let alg = SignatureAlgorithm::MlDsa44;
    let public = LocalKey::new(&key.key).expect("public key");
    let (message, context) = (b"message".as_slice(), b"application-context-v1".as_slice());
    let with_context = MlDsaInput::Message { message, context };

    let (status, body) = post(
        "sign",
        json!({"value": b64(message), "context": b64(context)}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let signature = unb64(&body["value"]);
    assert!(
        public
            .verify_ml_dsa(&alg, &with_context, &signature)
            .unwrap()
    );
    assert!(
        !public.verify(&alg, message, &signature).unwrap(),
        "context is bound"
    );

    let mu = public.ml_dsa_external_mu(message, context).expect("mu");
    let (status, body) = post("sign", json!({"external_mu": b64(&mu)})).await;
    assert_eq!(status, 200, "{body}");
    let over_mu = unb64(&body["value"]);
    assert!(public.verify_ml_dsa(&alg, &with_context, &over_mu).unwrap());
    assert!(
        public
            .verify_ml_dsa(&alg, &MlDsaInput::ExternalMu(&mu), &over_mu)
            .unwrap()
    );

    // The service verifies both forms too.
    let (status, body) = post(
        "verify",
        json!({"digest": b64(message), "context": b64(context), "value": b64(&over_mu)}),
    )
    .await;
    assert_eq!((status, &body["value"]), (200, &json!(true)), "{body}");
    let (status, body) = post(
        "verify",
        json!({"external_mu": b64(&mu), "value": b64(&signature)}),
    )
    .await;
    assert_eq!((status, &body["value"]), (200, &json!(true)), "{body}");

    // The spec's rules: external_mu alone, mu of 64 bytes, context of at most 255 bytes.
    for bad in [
        json!({"external_mu": b64(&mu), "value": b64(message)}),
        json!({"external_mu": b64(&mu[..32])}),
        json!({"value": b64(message), "context": b64(&[0; 256])}),
        json!({"alg": "ES256", "value": b64(message)}),
    ] {
        let (status, body) = post("sign", bad.clone()).await;
        assert_eq!(status, 400, "{bad} -> {body}");
    }
}

/// The façade's context and external-mu forms: the vault signs (`context` / `external_mu`
/// on the wire), the client verifies locally with the public key and zero requests.
#[tokio::test]
async fn ml_dsa_context_and_external_mu_through_the_facade() {
    let env = support::Env::start().await;
    let keys = key_client(&env);
    let name = support::unique("mldsa-facade");
    let key = keys
        .create_ml_dsa_key(&name, ML_DSA_65, None)
        .await
        .expect("create ML-DSA-65 key");
    let crypto = keys
        .get_cryptography_client(&name, None)
        .expect("cryptography client");
    let message = b"release 1.2.3".as_slice();
    let with_context = MlDsaInput::Message {
        message,
        context: b"builds-v1",
    };
    let signed = crypto
        .sign_ml_dsa(ML_DSA_65, &with_context)
        .await
        .expect("remote sign with a context");
    assert_eq!(signed.location, OperationLocation::Remote);
    // The first verify may fetch the key; the ones counted after it are local.
    crypto
        .verify_ml_dsa(ML_DSA_65, &with_context, &signed.signature)
        .await
        .expect("verify");

    let before = env.requests();
    let same = crypto
        .verify_ml_dsa(ML_DSA_65, &with_context, &signed.signature)
        .await
        .expect("verify, same context");
    assert_eq!(
        (same.location, same.is_valid),
        (OperationLocation::Local, true)
    );
    let other_context = MlDsaInput::Message {
        message,
        context: b"builds-v2",
    };
    let other = crypto
        .verify_ml_dsa(ML_DSA_65, &other_context, &signed.signature)
        .await
        .expect("verify, other context");
    assert_eq!(
        (other.location, other.is_valid),
        (OperationLocation::Local, false)
    );
    let no_context = crypto
        .verify(ML_DSA_65, message, &signed.signature)
        .await
        .expect("verify, empty context");
    assert!(
        !no_context.is_valid,
        "the context is bound to the signature"
    );
    assert_eq!(env.requests(), before, "local verify sends no request");

    // External mu: hashed here, signed in the vault, verified here in both forms.
    let public = LocalKey::new(&key.key).expect("public key");
    let mu = public
        .ml_dsa_external_mu(message, b"builds-v1")
        .expect("external mu");
    let over_mu = crypto
        .sign_ml_dsa(ML_DSA_65, &MlDsaInput::ExternalMu(&mu))
        .await
        .expect("remote sign over external mu");
    assert_eq!(over_mu.location, OperationLocation::Remote);
    let before = env.requests();
    for input in [MlDsaInput::ExternalMu(&mu), with_context] {
        let verified = crypto
            .verify_ml_dsa(ML_DSA_65, &input, &over_mu.signature)
            .await
            .expect("verify over mu");
        assert_eq!(
            (verified.location, verified.is_valid),
            (OperationLocation::Local, true)
        );
    }
    let mut tampered = over_mu.signature.clone();
    tampered[7] ^= 0x01;
    let refused = crypto
        .verify_ml_dsa(ML_DSA_65, &MlDsaInput::ExternalMu(&mu), &tampered)
        .await
        .expect("verify tampered");
    assert!(!refused.is_valid);
    assert_eq!(env.requests(), before, "local verify sends no request");

    // Context and external mu are ML-DSA's alone.
    let err = crypto
        .sign_ml_dsa(SignatureAlgorithm::Es256, &with_context)
        .await
        .expect_err("not ML-DSA");
    assert_eq!(err.kind(), &kv_client::ErrorKind::InvalidArgument);
}
