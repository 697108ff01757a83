//! The ML-DSA examples of the 2026-05-01-preview keys spec (`spec/2026-05-01-preview/`,
//! provenance in its README): every request body and response body deserializes into this
//! crate's type and serializes back to the same JSON, and the typed values say what the
//! example says (message, context, external mu, `AKP-HSM`, `alg`, `pub`).
//!
//! The examples' binary values are partly placeholders (`base64url-encoded-public-key-bytes`
//! is not the encoding of anything); each string of a base64url member that does not decode
//! is replaced by the encoding of its own UTF-8 bytes first, so the round trip still checks
//! member names and shapes exactly.

use std::path::Path;

use kv_jwk::{KeyType, SignatureAlgorithm};
use kv_protocol::{
    KeyBundle, KeyCreateParameters, KeyOperationResult, KeySignParameters, KeyVerifyParameters,
    KeyVerifyResult,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const BINARY: &[&str] = &["value", "digest", "context", "external_mu", "pub"];

fn decodes(s: &str) -> bool {
    kv_jwk::base64url::decode(s).is_ok()
}

/// Replaces undecodable base64url placeholders (see the module docs).
fn fix_placeholders(v: &mut Value) {
    if let Value::Object(map) = v {
        for (name, member) in map.iter_mut() {
            match member {
                Value::String(s) if BINARY.contains(&name.as_str()) && !decodes(s) => {
                    *s = kv_jwk::base64url::encode(s.as_bytes());
                }
                other => fix_placeholders(other),
            }
        }
    }
}

fn round_trip<T: Serialize + DeserializeOwned>(v: &Value) -> T {
    let typed: T = serde_json::from_value(v.clone()).expect("deserializes");
    assert_eq!(&serde_json::to_value(&typed).expect("serializes"), v);
    typed
}

fn example(name: &str) -> (Value, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("spec/2026-05-01-preview/examples")
        .join(name);
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("example")).expect("JSON");
    fix_placeholders(&mut v);
    assert_eq!(v["parameters"]["api-version"], "2026-05-01-preview");
    (
        v["parameters"]["parameters"].clone(),
        v["responses"]["200"]["body"].clone(),
    )
}

#[test]
fn create_ml_dsa_key() {
    let (request, response) = example("CreateKey-MLDSA-example.json");
    let create: KeyCreateParameters = round_trip(&request);
    assert_eq!(create.kty, KeyType::Akp);
    assert_eq!(create.alg, Some(SignatureAlgorithm::MlDsa65));
    let bundle: KeyBundle = round_trip(&response);
    let key = bundle.key.expect("key");
    assert_eq!(key.kty, Some(KeyType::AkpHsm));
    assert_eq!(key.alg, Some(SignatureAlgorithm::MlDsa65));
    assert!(key.pub_key.is_some() && !key.has_private_material());
}

#[test]
fn sign_forms() {
    let message = b"EA7788548B49F1E7E6702C8C4C02BC90516295362948A76CA9E9354063FF2962";
    let (request, response) = example("sign-MLDSA-example.json");
    let plain: KeySignParameters = round_trip(&request);
    assert_eq!(
        (
            plain.alg,
            plain.value.as_deref(),
            plain.ml_dsa.context,
            plain.ml_dsa.external_mu
        ),
        (None, Some(&message[..]), None, None)
    );
    let result: KeyOperationResult = round_trip(&response);
    assert!(result.value.is_some());

    let (request, _) = example("sign-MLDSA-context-example.json");
    let with_context: KeySignParameters = round_trip(&request);
    assert_eq!(
        with_context.ml_dsa.context.as_deref(),
        Some(&b"application-context-v1"[..])
    );

    let (request, _) = example("sign-MLDSA-externalmu-example.json");
    let mu: KeySignParameters = round_trip(&request);
    assert!(mu.ml_dsa.external_mu.is_some() && mu.value.is_none() && mu.alg.is_none());
}

#[test]
fn verify_forms() {
    for name in [
        "verify-MLDSA-example.json",
        "verify-MLDSA-context-example.json",
        "verify-MLDSA-externalmu-example.json",
    ] {
        let (request, response) = example(name);
        let verify: KeyVerifyParameters = round_trip(&request);
        assert!(verify.alg.is_none(), "{name}");
        assert_eq!(
            verify.digest.is_some(),
            verify.ml_dsa.external_mu.is_none(),
            "{name}"
        );
        let result: KeyVerifyResult = round_trip(&response);
        assert_eq!(result.value, Some(true));
    }
}
