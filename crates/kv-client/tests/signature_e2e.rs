//! The `signature` crate's traits end to end against the in-process emulator: code written
//! only against `AsyncSigner`/`Verifier` (a JWT-style signer here) signs with a key that
//! lives in the vault, and the signature verifies locally with the key's public part; a
//! wrong message, a tampered signature and another key's signature fail. A service error
//! reaches the trait's caller as the error's source.

mod support;

use std::error::Error as _;

use base64ct::{Base64UrlUnpadded, Encoding};
use kv_client::signature::{
    AsyncSigner, AsyncVerifier, Signature, SignatureEncoding, Verifier, VerifyingKey,
};
use kv_client::{CreateKeyOptions, KeyClient};
use kv_jwk::{KeyCurveName, KeyType, SignatureAlgorithm};

/// A compact JWS (`header.payload.signature`) signed by anything that implements the trait.
async fn sign_jws(signer: &impl AsyncSigner<Signature>, alg: &str, claims: &str) -> String {
    let header = Base64UrlUnpadded::encode_string(format!(r#"{{"alg":"{alg}"}}"#).as_bytes());
    let payload = Base64UrlUnpadded::encode_string(claims.as_bytes());
    let input = format!("{header}.{payload}");
    let signature = signer.sign_async(input.as_bytes()).await.expect("signed");
    format!(
        "{input}.{}",
        Base64UrlUnpadded::encode_string(&signature.to_vec())
    )
}

/// Checks a compact JWS with anything that implements the trait.
fn verify_jws(verifier: &impl Verifier<Signature>, jws: &str) -> bool {
    let Some((input, signature)) = jws.rsplit_once('.') else {
        return false;
    };
    let Ok(bytes) = Base64UrlUnpadded::decode_vec(signature) else {
        return false;
    };
    let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    verifier.verify(input.as_bytes(), &signature).is_ok()
}

async fn create(keys: &KeyClient, name: &str, kty: KeyType) -> kv_client::KeyVaultKey {
    let options = CreateKeyOptions {
        curve: (kty == KeyType::Ec).then_some(KeyCurveName::P256),
        ..Default::default()
    };
    keys.create_key(name, kty, Some(options))
        .await
        .expect("create key")
}

#[tokio::test]
async fn vault_signs_through_async_signer_and_the_public_key_verifies_locally() {
    let env = support::Env::start().await;
    let keys = env.key_client();
    for (kty, alg, jose) in [
        (KeyType::Ec, SignatureAlgorithm::Es256, "ES256"),
        (KeyType::Rsa, SignatureAlgorithm::Ps256, "PS256"),
    ] {
        let name = support::unique("sig");
        let key = create(&keys, &name, kty.clone()).await;
        assert!(
            !key.key.has_private_material(),
            "the key stays in the vault"
        );
        let signer = keys
            .get_cryptography_client(&name, None)
            .expect("crypto client")
            .signer(alg.clone());

        let before = env.requests();
        let jws = sign_jws(&signer, jose, r#"{"sub":"alice"}"#).await;
        assert!(env.requests() > before, "{jose}: signed in the vault");

        let verifier = VerifyingKey::new(&key.key, alg.clone()).expect("verifying key");
        let requests = env.requests();
        assert!(verify_jws(&verifier, &jws), "{jose}: genuine token");
        assert_eq!(env.requests(), requests, "local verification sends nothing");

        // A wrong message: the same signature over other claims.
        let (_, signature) = jws.rsplit_once('.').expect("three parts");
        let header = jws.split('.').next().expect("header");
        let forged_claims = Base64UrlUnpadded::encode_string(br#"{"sub":"mallory"}"#);
        let forged = format!("{header}.{forged_claims}.{signature}");
        assert!(!verify_jws(&verifier, &forged), "{jose}: wrong message");

        // A tampered signature.
        let mut bytes = Base64UrlUnpadded::decode_vec(signature).expect("base64url");
        bytes[7] ^= 0x40;
        let (input, _) = jws.rsplit_once('.').expect("three parts");
        let tampered = format!("{input}.{}", Base64UrlUnpadded::encode_string(&bytes));
        assert!(!verify_jws(&verifier, &tampered), "{jose}: tampered");

        // The vault-bound signer verifies too (locally once the key is fetched).
        let sig = Signature::try_from(
            Base64UrlUnpadded::decode_vec(signature)
                .expect("base64url")
                .as_slice(),
        )
        .expect("signature");
        signer
            .verify_async(input.as_bytes(), &sig)
            .await
            .expect("AsyncVerifier accepts");
        assert!(signer.verify_async(b"other", &sig).await.is_err());

        // Another key's verifier refuses the token.
        let other = create(&keys, &support::unique("sig-other"), kty).await;
        let other = VerifyingKey::new(&other.key, alg).expect("verifying key");
        assert!(!verify_jws(&other, &jws), "{jose}: another key");
    }
}

#[tokio::test]
async fn a_service_error_reaches_the_caller_as_the_source() {
    let env = support::Env::start().await;
    let keys = env.key_client();
    let signer = keys
        .get_cryptography_client("no-such-key", None)
        .expect("crypto client")
        .signer(SignatureAlgorithm::Es256);
    let error = signer.sign_async(b"message").await.expect_err("no key");
    let source = error.source().expect("the service error is the source");
    let source = source
        .downcast_ref::<kv_client::Error>()
        .expect("a kv_client::Error");
    assert_eq!(source.status().map(|s| s.as_u16()), Some(404));
}
