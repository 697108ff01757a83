//! Tests against a recording transport: URLs, bodies and answer handling.

use std::sync::{Arc, Mutex};

use kv_core::{
    ClientOptions, ErrorKind, Pipeline, StaticTokenCredential, test_util::FakeTransport,
};
use kv_jwk::{EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm};
use kv_protocol::KeyVaultKeyIdentifier;
use url::Url;

use crate::{CipherParameters, RemoteCryptographyClient};

/// The fake vault and the answer it gives every authenticated request (`200 {}` until set).
struct Recorder {
    fake: Arc<FakeTransport>,
    answer: Arc<Mutex<Option<(u16, String)>>>,
}

fn client(version: Option<&str>) -> (RemoteCryptographyClient, Recorder) {
    let answer: Arc<Mutex<Option<(u16, String)>>> = Arc::default();
    let scripted = answer.clone();
    let fake = Arc::new(FakeTransport::new(move |_, _, _| {
        scripted
            .lock()
            .unwrap()
            .clone()
            .unwrap_or((200, "{}".into()))
    }));
    let pipeline =
        Pipeline::new(Arc::new(StaticTokenCredential::new("t")), fake.options()).unwrap();
    let vault = Url::parse("https://v.vault.azure.net").unwrap();
    let id = KeyVaultKeyIdentifier::new(&vault, "k1", version).unwrap();
    (
        RemoteCryptographyClient::new(pipeline, &id).unwrap(),
        Recorder { fake, answer },
    )
}

fn answer(recorder: &Recorder, status: u16, body: &str) {
    *recorder.answer.lock().unwrap() = Some((status, body.into()));
}

/// Method, URL without query and JSON body of the last request.
fn last(recorder: &Recorder) -> (String, String, serde_json::Value) {
    let exchange = recorder.fake.exchanges().pop().unwrap();
    (
        exchange.method().to_string(),
        exchange.url_without_query().to_string(),
        exchange.json_body(),
    )
}

#[tokio::test]
async fn encrypt_posts_the_operation_body() {
    let (c, r) = client(Some("abc"));
    answer(
        &r,
        200,
        r#"{"kid":"https://v.vault.azure.net/keys/k1/abc","value":"AQID","iv":"AA","tag":"_w"}"#,
    );
    let out = c
        .encrypt(
            &EncryptionAlgorithm::A256Gcm,
            b"hi",
            CipherParameters {
                aad: Some(vec![1]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(&*out.value, &[1, 2, 3]);
    assert_eq!(out.iv.as_deref(), Some(&[0u8][..]));
    assert_eq!(out.tag.as_deref(), Some(&[0xff][..]));
    assert_eq!(
        out.kid.as_deref(),
        Some("https://v.vault.azure.net/keys/k1/abc")
    );
    let (method, url, body) = last(&r);
    assert_eq!(method, "POST");
    assert_eq!(url, "https://v.vault.azure.net/keys/k1/abc/encrypt");
    assert_eq!(
        body,
        serde_json::json!({"alg":"A256GCM","value":"aGk","aad":"AQ"})
    );
}

#[tokio::test]
async fn versionless_urls_and_every_operation() {
    let (c, r) = client(None);
    answer(
        &r,
        200,
        r#"{"kid":"https://v.vault.azure.net/keys/k1/abc","value":"AQID"}"#,
    );
    c.decrypt(
        &EncryptionAlgorithm::RsaOaep256,
        b"x",
        CipherParameters::default(),
    )
    .await
    .unwrap();
    assert_eq!(last(&r).1, "https://v.vault.azure.net/keys/k1//decrypt");
    c.wrap_key(&KeyWrapAlgorithm::A128Kw, &[0; 16])
        .await
        .unwrap();
    assert_eq!(last(&r).1, "https://v.vault.azure.net/keys/k1//wrapkey");
    assert_eq!(last(&r).2["alg"], "A128KW");
    c.unwrap_key(&KeyWrapAlgorithm::RsaOaep, &[0; 8])
        .await
        .unwrap();
    assert_eq!(last(&r).1, "https://v.vault.azure.net/keys/k1//unwrapkey");
    let sig = c.sign(&SignatureAlgorithm::Es256, &[7; 32]).await.unwrap();
    assert_eq!(&*sig.value, &[1, 2, 3]);
    assert_eq!(last(&r).2["alg"], "ES256");
    answer(&r, 200, r#"{"value":true}"#);
    assert!(
        c.verify(&SignatureAlgorithm::Es256, &[7; 32], &[1, 2, 3])
            .await
            .unwrap()
    );
    let (_, url, body) = last(&r);
    assert_eq!(url, "https://v.vault.azure.net/keys/k1//verify");
    assert_eq!(
        body["digest"],
        "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"
    );
    assert_eq!(body["value"], "AQID");
}

#[tokio::test]
async fn missing_values_are_decode_errors() {
    let (c, r) = client(Some("v1"));
    answer(&r, 200, "{}");
    let e = c
        .sign(&SignatureAlgorithm::Rs256, &[0; 32])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Decode);
    let e = c
        .verify(&SignatureAlgorithm::Rs256, &[0; 32], &[1])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Decode);
}

#[tokio::test]
async fn service_errors_keep_status_and_code() {
    let (c, r) = client(Some("v1"));
    answer(
        &r,
        403,
        r#"{"error":{"code":"Forbidden","message":"no decrypt"}}"#,
    );
    let e = c
        .decrypt(
            &EncryptionAlgorithm::RsaOaep,
            &[0; 256],
            CipherParameters::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Forbidden);
    assert_eq!(e.error_code(), Some("Forbidden"));
}

#[tokio::test]
async fn get_key_reads_the_bundle() {
    let (c, r) = client(None);
    answer(
        &r,
        200,
        r#"{"key":{"kid":"https://v.vault.azure.net/keys/k1/abc","kty":"oct-HSM"}}"#,
    );
    let bundle = c.get_key().await.unwrap();
    assert_eq!(bundle.kid(), Some("https://v.vault.azure.net/keys/k1/abc"));
    assert_eq!(last(&r).0, "GET");
    assert_eq!(last(&r).1, "https://v.vault.azure.net/keys/k1/");
}

#[test]
fn refuses_a_deleted_keys_recovery_id() {
    let pipeline = Pipeline::new(
        Arc::new(StaticTokenCredential::new("t")),
        ClientOptions::default(),
    )
    .unwrap();
    let id: KeyVaultKeyIdentifier = "https://v.vault.azure.net/deletedkeys/k".parse().unwrap();
    let err = RemoteCryptographyClient::new(pipeline.clone(), &id).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
    let id: KeyVaultKeyIdentifier = "https://v.vault.azure.net/keys/k/".parse().unwrap();
    let client = RemoteCryptographyClient::new(pipeline, &id).unwrap();
    assert_eq!(client.name(), "k");
    assert_eq!(client.id(), &id);
    assert_eq!(client.vault_url().as_str(), "https://v.vault.azure.net/");
}

#[test]
fn output_debug_hides_the_value() {
    let out = crate::RemoteOutput {
        kid: None,
        value: zeroize::Zeroizing::new(b"PLAINTEXT".to_vec()),
        iv: None,
        tag: None,
        aad: None,
    };
    let dbg = format!("{out:?}");
    assert!(
        !dbg.contains("PLAINTEXT") && !dbg.contains("80, 76"),
        "{dbg}"
    );
}
