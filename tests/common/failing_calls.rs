//! The deliberately failing calls of `secret_hygiene`: bad imports with private material,
//! invalid JWKs, the wrong key, tampered envelopes and a 401. Their errors go into the
//! corpus.

use std::sync::Arc;

use kv_client::{CryptographyClient, EnvelopeClient, KeyClient, KeyClientOptions};
use kv_core::{ClientOptions, ReqwestClient, StaticTokenCredential};
use kv_crypto_local::LocalKey;
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyWrapAlgorithm, SecretBytes};

use super::capture::{Corpus, reject_401};

/// The bytes of a private member that must be present.
fn secret(s: &Option<SecretBytes>) -> Vec<u8> {
    s.as_ref().expect("private member").expose_secret().to_vec()
}

/// Calls that fail, with private material in play; their errors go into the corpus.
pub async fn failures(
    keys: &KeyClient,
    credential: &Arc<StaticTokenCredential>,
    ca: &[u8],
    rsa_jwk: &JsonWebKey,
    ec_jwk: &JsonWebKey,
    corpus: &Corpus,
) {
    // Imports the client or the service refuses.
    corpus.failure(
        "import invalid name",
        keys.import_key("bad name!", rsa_jwk, None).await,
    );
    let mut no_primes = rsa_jwk.clone_secret();
    no_primes.p = None;
    let r = keys.import_key("hyg-bad-rsa", &no_primes, None).await;
    corpus.outcome("import RSA without p", &r);
    let mut wrong_curve = ec_jwk.clone_secret();
    wrong_curve.crv = Some(KeyCurveName::P384);
    let r = keys.import_key("hyg-bad-ec", &wrong_curve, None).await;
    corpus.outcome("import EC with the wrong curve", &r);
    corpus.debug("JWK without p", &no_primes);

    // Invalid JWKs for local use.
    corpus.failure(
        "from_jwk without p",
        CryptographyClient::from_jwk(no_primes.clone_secret()),
    );
    corpus.failure("LocalKey without p", LocalKey::new(&no_primes));
    corpus.failure("LocalKey wrong curve", LocalKey::new(&wrong_curve));
    let mut short_d = rsa_jwk.clone_secret();
    short_d.d = Some(SecretBytes::from_slice(&secret(&rsa_jwk.d)[..100]));
    corpus.outcome(
        "LocalKey with a cut d",
        &LocalKey::new(&short_d).map(|_| ()),
    );
    let json = serde_json::to_string(rsa_jwk).expect("JWK JSON");
    let broken = json.replacen("\"d\":\"", "\"d\":\"!", 1);
    assert_ne!(broken, json);
    corpus.failure(
        "parse bad base64 d",
        serde_json::from_str::<JsonWebKey>(&broken),
    );
    let typed = json.replacen("\"kty\":\"RSA\"", "\"kty\":7", 1);
    corpus.failure("parse bad kty", serde_json::from_str::<JsonWebKey>(&typed));
    drop(json);

    // The wrong key.
    let other = kv_crypto_local::generate_rsa(2048, None).expect("keygen");
    let kid = format!("{}keys/hyg-imp-rsa/0123456789abcdef", keys.vault_url());
    let mine =
        CryptographyClient::from_jwk(rsa_jwk.clone_secret().with_kid(kid.clone())).expect("local");
    let theirs = CryptographyClient::from_jwk(other.with_kid(kid)).expect("local");
    let enc = mine
        .encrypt(EncryptionAlgorithm::RsaOaep256, b"for my eyes", None)
        .await
        .expect("encrypt");
    corpus.failure(
        "local decrypt with the wrong key",
        theirs
            .decrypt(EncryptionAlgorithm::RsaOaep256, &enc.ciphertext, None)
            .await,
    );
    let remote_ec = keys
        .get_cryptography_client("hyg-imp-ec", None)
        .expect("client");
    corpus.failure(
        "decrypt with an EC key",
        remote_ec
            .decrypt(EncryptionAlgorithm::RsaOaep256, &enc.ciphertext, None)
            .await,
    );
    let remote_rsa = keys
        .get_cryptography_client("hyg-imp-rsa", None)
        .expect("client");
    corpus.failure(
        "unwrap garbage",
        remote_rsa
            .unwrap_key(KeyWrapAlgorithm::RsaOaep256, &[7; 256])
            .await,
    );

    // Tampered envelope, wrong context, wrong key.
    let envelopes = EnvelopeClient::new(mine.clone(), None).expect("envelope");
    let mut ct = envelopes.encrypt(b"sealed", b"ctx").await.expect("encrypt");
    corpus.failure(
        "wrong context",
        envelopes.decrypt(&ct, Some(b"other")).await,
    );
    let last = ct.len() - 1;
    ct[last] ^= 1;
    corpus.failure(
        "tampered envelope",
        envelopes.decrypt(&ct, Some(b"ctx")).await,
    );
    let theirs_env = EnvelopeClient::new(theirs, None).expect("envelope");
    ct[last] ^= 1;
    corpus.failure(
        "wrong key envelope",
        theirs_env.decrypt(&ct, Some(b"ctx")).await,
    );
    ct.truncate(60);
    corpus.failure(
        "truncated envelope",
        envelopes.decrypt(&ct, Some(b"ctx")).await,
    );

    // The 401 path: the token goes out and is refused.
    let transport = Arc::new(reject_401(
        ReqwestClient::new(&[ca.to_vec()]).expect("transport"),
    ));
    let refused = KeyClient::new(
        keys.vault_url().as_str(),
        credential.clone(),
        Some(KeyClientOptions {
            client_options: ClientOptions {
                verify_challenge_resource: false,
                transport: Some(transport.clone()),
                ..Default::default()
            },
        }),
    )
    .expect("client");
    corpus.failure("401", refused.get_key("hyg-imp-rsa", None).await);
    corpus.failure(
        "401 import",
        refused.import_key("hyg-401", ec_jwk, None).await,
    );
    let seen: Vec<String> = transport
        .exchanges()
        .iter()
        .map(|e| format!("{:?}", e.request))
        .collect();
    corpus.debug("requests seen by the transport", &seen);
    corpus.debug("401 transport", &transport);
}
