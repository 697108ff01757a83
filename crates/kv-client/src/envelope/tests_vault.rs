//! [`KeyVaultWrapper`] against a scripted fake vault with rotatable RSA key versions:
//! local wrap with the public key, remote unwrap by the version the envelope names,
//! decrypt across rotation, rewrap, and the data-key cache saving requests.

use std::sync::{Arc, Mutex};

use kv_crypto_local::{LocalKey, generate_rsa};
use kv_jwk::{JsonWebKey, KeyWrapAlgorithm};

use super::*;
use crate::KeyClient;
use crate::options::KeyClientOptions;
use kv_core::test_util::FakeTransport as FakeVault;

const VAULT: &str = "https://v.vault.azure.net";

type Versions = Arc<Mutex<Vec<(String, JsonWebKey)>>>;

fn kid(version: &str) -> String {
    format!("{VAULT}/keys/data/{version}")
}

fn bundle(version: &str, jwk: &JsonWebKey) -> String {
    let mut public = jwk.to_public();
    public.kid = Some(kid(version));
    serde_json::json!({"key": public, "attributes": {"enabled": true}}).to_string()
}

/// GET answers the named (or newest) version's public key; unwrapkey unwraps with it.
fn vault(versions: &Versions) -> Arc<FakeVault> {
    let versions = Arc::clone(versions);
    Arc::new(FakeVault::new(move |method, path, body| {
        let v = versions.lock().unwrap();
        let rest = path.strip_prefix("/keys/data").unwrap_or("");
        let find = |ver: &str| v.iter().find(|(name, _)| name == ver).cloned();
        let not_found = (404, r#"{"error":{"code":"KeyNotFound"}}"#.to_owned());
        let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
        match (method, parts.as_slice()) {
            ("GET", [""]) => v
                .last()
                .map_or(not_found.clone(), |(n, k)| (200, bundle(n, k))),
            ("GET", [ver]) => find(ver).map_or(not_found, |(n, k)| (200, bundle(&n, &k))),
            ("POST", [ver, "unwrapkey"]) => {
                let Some((n, k)) = find(ver) else {
                    return not_found;
                };
                let alg = KeyWrapAlgorithm::from(body["alg"].as_str().unwrap_or(""));
                let wrapped = kv_jwk::base64url::decode(body["value"].as_str().unwrap_or(""))
                    .unwrap_or_default();
                match LocalKey::new(&k).unwrap().unwrap_key(&alg, &wrapped) {
                    Ok(key) => (
                        200,
                        serde_json::json!({"kid": kid(&n), "value": kv_jwk::base64url::encode(&key)})
                            .to_string(),
                    ),
                    Err(_) => (400, r#"{"error":{"code":"BadParameter"}}"#.to_owned()),
                }
            }
            _ => not_found,
        }
    }))
}

fn add_version(versions: &Versions, name: &str) {
    versions
        .lock()
        .unwrap()
        .push((name.to_owned(), generate_rsa(2048, None).unwrap()));
}

fn unwraps(fake: &FakeVault, version: &str) -> usize {
    let target = format!("POST /keys/data/{version}/unwrapkey");
    fake.paths().iter().filter(|p| **p == target).count()
}

#[test]
fn decrypt_across_rotation_rewrap_and_cache() {
    let versions: Versions = Arc::default();
    add_version(&versions, "v1");
    let fake = vault(&versions);
    let keys = KeyClient::new(
        VAULT,
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        Some(KeyClientOptions {
            client_options: fake.options(),
        }),
    )
    .unwrap();
    let wrapper = KeyVaultWrapper::new(&keys, "data").unwrap();
    let options = EnvelopeOptions {
        data_key_cache: Some(DataKeyCacheOptions::default()),
        ..Default::default()
    };
    let env = EnvelopeClient::new(wrapper.clone(), Some(options)).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(async {
            let old = env.encrypt(b"before rotation", b"ctx").await.unwrap();
            assert_eq!(EnvelopeHeader::parse(&old).unwrap().0.key_id(), kid("v1"));
            assert!(
                !fake.paths().iter().any(|p| p.starts_with("POST")),
                "wrap must run locally with the public key: {:?}",
                fake.paths()
            );
            add_version(&versions, "v2");
            wrapper.refresh().unwrap();
            let new = env.encrypt(b"after rotation", b"ctx").await.unwrap();
            assert_eq!(EnvelopeHeader::parse(&new).unwrap().0.key_id(), kid("v2"));

            // the old ciphertext still opens, with one unwrap by v1, then from the cache
            for _ in 0..3 {
                let pt = env.decrypt(&old, Some(b"ctx")).await.unwrap();
                assert_eq!(&pt[..], b"before rotation");
            }
            assert_eq!(unwraps(&fake, "v1"), 1);

            let moved = env.rewrap(&old).await.unwrap();
            let (h, hl) = EnvelopeHeader::parse(&moved).unwrap();
            assert_eq!(h.key_id(), kid("v2"));
            assert_eq!(&moved[hl..], &old[EnvelopeHeader::parse(&old).unwrap().1..]);
            versions.lock().unwrap().retain(|(n, _)| n != "v1"); // v1 disabled
            let fresh =
                EnvelopeClient::new(KeyVaultWrapper::new(&keys, "data").unwrap(), None).unwrap();
            assert!(fresh.decrypt(&old, Some(b"ctx")).await.is_err());
            let pt = fresh.decrypt(&moved, Some(b"ctx")).await.unwrap();
            assert_eq!(&pt[..], b"before rotation");
            assert!(unwraps(&fake, "v2") >= 1);
            // a ciphertext of another key is refused before any request
            let before = fake.count();
            // The key section follows the 80 fixed bytes (no stored context) and the
            // section count (version 2): u16 id length, id.
            let id_len = usize::from(u16::from_be_bytes([new[81], new[82]]));
            let foreign_id = format!("{VAULT}/keys/other/v1");
            let mut bytes = new[..81].to_vec();
            bytes.extend_from_slice(&u16::try_from(foreign_id.len()).unwrap().to_be_bytes());
            bytes.extend_from_slice(foreign_id.as_bytes());
            bytes.extend_from_slice(&new[83 + id_len..]);
            assert_eq!(
                EnvelopeHeader::parse(&bytes).unwrap().0.key_id(),
                foreign_id
            );
            let e = fresh.decrypt(&bytes, Some(b"ctx")).await.unwrap_err();
            assert_eq!(e.kind(), &crate::ErrorKind::InvalidArgument);
            assert_eq!(fake.count(), before);
        });
}
