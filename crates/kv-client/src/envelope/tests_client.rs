//! Envelopes over `CryptographyClient::from_jwk`: the wrap algorithm follows the key.

use kv_jwk::KeyWrapAlgorithm;

use super::*;
use crate::error::ErrorKind;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

/// Issue 18: a local `oct` key with default options used to fail ("wrapKey cannot run
/// locally") because the default was RSA-OAEP-256 whatever the key.
#[test]
fn local_oct_key_with_default_options_encrypts_and_decrypts() {
    block_on(async {
        for (bits, want) in [
            (256, KeyWrapAlgorithm::A256Kw),
            (192, KeyWrapAlgorithm::A192Kw),
            (128, KeyWrapAlgorithm::A128Kw),
        ] {
            let kid = format!("https://unit.vault.azure.net/keys/aes{bits}/1");
            let mut jwk = kv_crypto_local::generate_oct(bits).unwrap();
            jwk.kid = Some(kid.clone());
            let key = crate::CryptographyClient::from_jwk(jwk).unwrap();
            let c = EnvelopeClient::new(key, None).unwrap();
            let ct = c.encrypt(b"hello aes", b"ctx").await.unwrap();
            let (h, _) = EnvelopeHeader::parse(&ct).unwrap();
            assert_eq!(h.algorithm(), &want);
            assert_eq!(h.key_id(), kid);
            let opened = c.decrypt(&ct, Some(b"ctx")).await.unwrap();
            assert_eq!(&opened[..], b"hello aes");
            // rewrap keeps following the key
            let moved = c.rewrap(&ct).await.unwrap();
            assert_eq!(EnvelopeHeader::parse(&moved).unwrap().0.algorithm(), &want);
        }
    });
}

#[test]
fn cryptography_client_from_jwk_rsa_oaep_256() {
    block_on(async {
        let kid = |v: &str| format!("https://unit.vault.azure.net/keys/rsa/{v}");
        let mut jwk = kv_crypto_local::generate_rsa(2048, None).unwrap();
        jwk.kid = Some(kid("1"));
        let key = crate::CryptographyClient::from_jwk(jwk).unwrap();
        let c = EnvelopeClient::new(key, None).unwrap();
        let ct = c.encrypt(b"hello rsa", b"ctx").await.unwrap();
        let (h, _) = EnvelopeHeader::parse(&ct).unwrap();
        assert_eq!(h.algorithm(), &KeyWrapAlgorithm::RsaOaep256);
        assert_eq!(h.key_id(), kid("1"));
        assert_eq!(
            &c.decrypt(&ct, Some(b"ctx")).await.unwrap()[..],
            b"hello rsa"
        );

        // another version's client refuses before any unwrap
        let mut other = kv_crypto_local::generate_rsa(2048, None).unwrap();
        other.kid = Some(kid("2"));
        let c2 =
            EnvelopeClient::new(crate::CryptographyClient::from_jwk(other).unwrap(), None).unwrap();
        let e = c2.decrypt(&ct, Some(b"ctx")).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::InvalidArgument);
        // same id, other material: the unwrap or the commitment fails
        let mut impostor = kv_crypto_local::generate_rsa(2048, None).unwrap();
        impostor.kid = Some(kid("1"));
        let c3 = EnvelopeClient::new(crate::CryptographyClient::from_jwk(impostor).unwrap(), None)
            .unwrap();
        assert!(c3.decrypt(&ct, Some(b"ctx")).await.is_err());
        // a key without a versioned id cannot name itself in the header
        let anonymous = kv_crypto_local::generate_rsa(2048, None).unwrap();
        let c4 = EnvelopeClient::new(
            crate::CryptographyClient::from_jwk(anonymous).unwrap(),
            None,
        )
        .unwrap();
        assert!(c4.encrypt(b"x", b"").await.is_err());
    });
}
