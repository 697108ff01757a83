//! End-to-end: the emulator started in-process on 127.0.0.1:0, driven over HTTPS with
//! reqwest trusting its generated CA. Every keys operation, restart persistence and the
//! movable clock.

#[path = "common/emulator.rs"]
mod emulator;

use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use emulator::{attestation_signer, attestation_token, b64, unique};
use kv_emulator::{Emulator, EmulatorHandle};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

struct Vault {
    handle: EmulatorHandle,
    http: Client,
}

fn unb64(value: &Value) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(value.as_str().expect("base64url string")).expect("base64url")
}

impl Vault {
    async fn start(dir: &std::path::Path) -> Self {
        let handle = Emulator::builder()
            .data_dir(dir)
            .trust_attestation_signer(attestation_signer())
            .start()
            .await
            .expect("emulator starts");
        let cert = reqwest::Certificate::from_pem(handle.ca_pem().as_bytes()).expect("CA PEM");
        let http = Client::builder()
            .add_root_certificate(cert)
            .build()
            .expect("client");
        Self { handle, http }
    }

    fn url(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{sep}api-version=7.6", self.handle.url())
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let url = if path.starts_with("https://") {
            path.to_owned()
        } else {
            self.url(path)
        };
        let mut req = self.http.request(method, url).bearer_auth("any-token");
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        (status, value)
    }

    async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.send(method.clone(), path, body).await;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {value}");
        value
    }
}

fn kid(bundle: &Value) -> String {
    bundle["key"]["kid"].as_str().expect("kid").to_owned()
}

#[tokio::test]
async fn challenge_and_api_version_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::start(dir.path()).await;
    let resp = vault.http.get(vault.url("/keys")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let challenge = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer authorization=\"https://login.microsoftonline.com/"),
        "{challenge}"
    );
    assert!(
        challenge.ends_with("resource=\"https://vault.azure.net\""),
        "{challenge}"
    );
    let resp = vault
        .http
        .get(format!("{}/keys?api-version=1.0", vault.handle.url()))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    vault.handle.shutdown().await;
}

#[tokio::test]
async fn every_key_operation_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::start(dir.path()).await;
    let base = vault.handle.url().to_owned();

    // Create every key kind.
    let rsa = unique("rsa");
    let created = vault
        .ok(
            Method::POST,
            &format!("/keys/{rsa}/create"),
            Some(json!({"kty": "RSA", "key_size": 3072})),
        )
        .await;
    assert!(kid(&created).starts_with(&format!("{base}/keys/{rsa}/")));
    assert_eq!(unb64(&created["key"]["n"]).len(), 384);
    for crv in ["P-256", "P-256K", "P-384", "P-521"] {
        let name = unique("ec");
        let ec = vault
            .ok(
                Method::POST,
                &format!("/keys/{name}/create"),
                Some(json!({"kty": "EC-HSM", "crv": crv})),
            )
            .await;
        assert_eq!(ec["key"]["crv"], crv);
    }
    let oct = unique("oct");
    vault
        .ok(
            Method::POST,
            &format!("/keys/{oct}/create"),
            Some(json!({"kty": "oct-HSM", "key_size": 256})),
        )
        .await;

    // Import, get, update.
    let imported = unique("imp");
    let bundle = vault
        .ok(
            Method::PUT,
            &format!("/keys/{imported}"),
            Some(json!({"key": {"kty": "oct", "k": b64(&[7; 32])}, "Hsm": true})),
        )
        .await;
    assert_eq!(bundle["key"]["kty"], "oct-HSM");
    assert!(bundle["key"].get("k").is_none());
    let got = vault.ok(Method::GET, &format!("/keys/{rsa}/"), None).await;
    assert_eq!(kid(&got), kid(&created));
    let updated = vault
        .ok(
            Method::PATCH,
            &format!("/keys/{rsa}/"),
            Some(json!({"tags": {"env": "e2e"}})),
        )
        .await;
    assert_eq!(updated["tags"]["env"], "e2e");

    // Crypto.
    let enc = vault
        .ok(
            Method::POST,
            &format!("/keys/{rsa}/encrypt"),
            Some(json!({"alg": "RSA-OAEP-256", "value": b64(b"hi")})),
        )
        .await;
    let dec = vault
        .ok(
            Method::POST,
            &format!("/keys/{rsa}/decrypt"),
            Some(json!({"alg": "RSA-OAEP-256", "value": enc["value"]})),
        )
        .await;
    assert_eq!(unb64(&dec["value"]), b"hi");
    let digest = b64(&[1; 32]);
    let sig = vault
        .ok(
            Method::POST,
            &format!("/keys/{rsa}/sign"),
            Some(json!({"alg": "PS256", "value": digest})),
        )
        .await;
    let verified = vault
        .ok(
            Method::POST,
            &format!("/keys/{rsa}/verify"),
            Some(json!({"alg": "PS256", "digest": digest, "value": sig["value"]})),
        )
        .await;
    assert_eq!(verified["value"], true);
    let wrapped = vault
        .ok(
            Method::POST,
            &format!("/keys/{oct}/wrapkey"),
            Some(json!({"alg": "A256KW", "value": b64(&[2; 16])})),
        )
        .await;
    let unwrapped = vault
        .ok(
            Method::POST,
            &format!("/keys/{oct}/unwrapkey"),
            Some(json!({"alg": "A256KW", "value": wrapped["value"]})),
        )
        .await;
    assert_eq!(unb64(&unwrapped["value"]), [2; 16]);
    let gcm = vault
        .ok(
            Method::POST,
            &format!("/keys/{imported}/encrypt"),
            Some(json!({"alg": "A256GCM", "value": b64(b"g")})),
        )
        .await;
    let plain = vault
        .ok(
            Method::POST,
            &format!("/keys/{imported}/decrypt"),
            Some(json!({"alg": "A256GCM", "value": gcm["value"], "iv": gcm["iv"], "tag": gcm["tag"]})),
        )
        .await;
    assert_eq!(unb64(&plain["value"]), b"g");
    let attested = vault
        .ok(Method::GET, &format!("/keys/{rsa}//attestation"), None)
        .await;
    assert_eq!(kid(&attested), kid(&created));

    // Versions, rotation policy and rotate.
    let policy = json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P30D"}, "action": {"type": "Rotate"}}], "attributes": {"expiryTime": "P60D"}});
    vault
        .ok(
            Method::PUT,
            &format!("/keys/{rsa}/rotationpolicy"),
            Some(policy),
        )
        .await;
    let got_policy = vault
        .ok(Method::GET, &format!("/keys/{rsa}/rotationpolicy"), None)
        .await;
    assert_eq!(got_policy["attributes"]["expiryTime"], "P60D");
    let rotated = vault
        .ok(Method::POST, &format!("/keys/{rsa}/rotate"), None)
        .await;
    assert_ne!(kid(&rotated), kid(&created));
    assert_eq!(unb64(&rotated["key"]["n"]).len(), 384);
    vault.handle.advance_clock(Duration::from_secs(31 * 86_400));
    // The clock move wakes the background scheduler too; passes never overlap, so the
    // key is rotated exactly once whichever pass gets there first.
    vault.handle.run_scheduler().await.unwrap();
    let versions = vault
        .ok(Method::GET, &format!("/keys/{rsa}/versions"), None)
        .await;
    assert_eq!(versions["value"].as_array().unwrap().len(), 3);

    // Backup, delete, deleted get/list, recover, purge, restore.
    let backup = vault
        .ok(Method::POST, &format!("/keys/{rsa}/backup"), None)
        .await;
    let deleted = vault
        .ok(Method::DELETE, &format!("/keys/{rsa}"), None)
        .await;
    assert_eq!(deleted["recoveryId"], format!("{base}/deletedkeys/{rsa}"));
    vault
        .ok(Method::GET, &format!("/deletedkeys/{rsa}"), None)
        .await;
    let listed = vault.ok(Method::GET, "/deletedkeys", None).await;
    assert!(
        listed["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["recoveryId"] == deleted["recoveryId"])
    );
    let (status, body) = vault
        .send(
            Method::POST,
            &format!("/keys/{rsa}/create"),
            Some(json!({"kty": "RSA"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("Conflict"))
    );
    vault
        .ok(Method::POST, &format!("/deletedkeys/{rsa}/recover"), None)
        .await;
    vault
        .ok(Method::DELETE, &format!("/keys/{rsa}"), None)
        .await;
    let (status, _) = vault
        .send(Method::DELETE, &format!("/deletedkeys/{rsa}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let restored = vault
        .ok(
            Method::POST,
            "/keys/restore",
            Some(json!({"value": backup["value"]})),
        )
        .await;
    assert!(kid(&restored).starts_with(&format!("{base}/keys/{rsa}/")));
    let versions = vault
        .ok(Method::GET, &format!("/keys/{rsa}/versions"), None)
        .await;
    assert_eq!(versions["value"].as_array().unwrap().len(), 3);

    // Secure key release to an attested target.
    let exportable = unique("exportable");
    let policy = json!({"anyOf": [{"authority": "https://attest.e2e", "allOf": [{"claim": "tee", "equals": "sevsnpvm"}]}]});
    let release_policy = json!({"data": b64(&serde_json::to_vec(&policy).unwrap())});
    vault
        .ok(
            Method::POST,
            &format!("/keys/{exportable}/create"),
            Some(json!({"kty": "EC-HSM", "crv": "P-384", "attributes": {"exportable": true}, "release_policy": release_policy})),
        )
        .await;
    let runtime = kv_crypto_local::generate_rsa(2048, None).unwrap();
    let claims = json!({"iss": "https://attest.e2e", "tee": "sevsnpvm", "x-ms-runtime": {"keys": [runtime.to_public()]}});
    let released = vault
        .ok(
            Method::POST,
            &format!("/keys/{exportable}/release"),
            Some(json!({"target": attestation_token(attestation_signer(), &claims)})),
        )
        .await;
    let payload: Value = serde_json::from_slice(&unb64(&json!(
        released["value"]
            .as_str()
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap()
    )))
    .unwrap();
    assert!(unb64(&payload["response"]["key"]["key"]["key_hsm"]).len() > 256);
    let bad_claims = json!({"iss": "https://attest.e2e", "tee": "none", "x-ms-runtime": {"keys": [runtime.to_public()]}});
    let (status, _) = vault
        .send(
            Method::POST,
            &format!("/keys/{exportable}/release"),
            Some(json!({"target": attestation_token(attestation_signer(), &bad_claims)})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Random bytes.
    let random = vault
        .ok(Method::POST, "/rng", Some(json!({"count": 16})))
        .await;
    assert_eq!(unb64(&random["value"]).len(), 16);

    // Errors keep the service's shape.
    let (status, body) = vault.send(Method::GET, "/keys/does-not-exist", None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("KeyNotFound"))
    );
    vault.handle.shutdown().await;
}

#[tokio::test]
async fn state_certificate_and_next_links_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::start(dir.path()).await;
    let ca = vault.handle.ca_pem().to_owned();
    let prefix = unique("persist");
    for i in 0..4 {
        vault
            .ok(
                Method::POST,
                &format!("/keys/{prefix}-{i}/create"),
                Some(json!({"kty": "EC"})),
            )
            .await;
    }
    let first = vault.ok(Method::GET, "/keys?maxresults=2", None).await;
    let next = first["nextLink"].as_str().expect("nextLink").to_owned();
    vault.handle.shutdown().await;

    let vault = Vault::start(dir.path()).await;
    assert_eq!(
        vault.handle.ca_pem(),
        ca,
        "the generated certificate is reused"
    );
    // Same path and query on the new port.
    let query = next.split_once("/keys").unwrap().1;
    let second = vault
        .ok(
            Method::GET,
            &format!("{}/keys{query}", vault.handle.url()),
            None,
        )
        .await;
    let names: Vec<&str> = second["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names[0].ends_with(&format!("/keys/{prefix}-2")),
        "{names:?}"
    );
    vault
        .ok(Method::GET, &format!("/keys/{prefix}-0"), None)
        .await;
    vault.handle.shutdown().await;
}
