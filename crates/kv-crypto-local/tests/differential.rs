//! Differential and round-trip tests: every backend pair (including a backend with itself)
//! must interoperate in both directions, and a flipped bit must make verify false and
//! decrypt/unwrap fail.
#![cfg(any(feature = "rustcrypto", feature = "aws-lc"))]

mod common;

use std::sync::OnceLock;

use common::{backends, trim};
use kv_crypto_local::{
    DecryptParameters, EncryptParameters, Error, LocalKey, generate_ec, generate_oct,
};
use kv_jwk::{
    EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyType, KeyWrapAlgorithm, SecretBytes,
    SignatureAlgorithm,
};
use proptest::prelude::*;

/// A 2048-bit RSA key from the Wycheproof OAEP file (no slow key generation in debug builds).
fn rsa_jwk() -> &'static JsonWebKey {
    static K: OnceLock<JsonWebKey> = OnceLock::new();
    K.get_or_init(|| {
        use wycheproof::rsa_oaep::{TestName, TestSet};
        let set = TestSet::load(TestName::Rsa2048Sha256Mgf1Sha256).unwrap();
        let k = &set.test_groups[0].key;
        let s = |b: &[u8]| Some(SecretBytes::from_slice(&trim(b)));
        JsonWebKey {
            kty: Some(KeyType::Rsa),
            n: Some(trim(&k.n)),
            e: Some(trim(&k.e)),
            d: s(&k.d),
            p: s(&k.p),
            q: s(&k.q),
            dp: s(&k.d1),
            dq: s(&k.d2),
            qi: s(&k.c),
            ..JsonWebKey::default()
        }
    })
}

fn flip(v: &[u8], bit: usize) -> Vec<u8> {
    let mut v = v.to_vec();
    let i = bit % (v.len() * 8);
    v[i / 8] ^= 1 << (i % 8);
    v
}

fn pairs() -> Vec<(
    &'static str,
    &'static kv_crypto_local::CryptoProvider,
    &'static str,
    &'static kv_crypto_local::CryptoProvider,
)> {
    let b = backends();
    let mut out = Vec::new();
    for &(na, pa) in &b {
        for &(nb, pb) in &b {
            out.push((na, pa, nb, pb));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn rsa_sign_verify_across_backends(digest in prop::collection::vec(any::<u8>(), 64), bit in any::<usize>()) {
        for (na, pa, nb, pb) in pairs() {
            let signer = LocalKey::with_provider(rsa_jwk(), pa).unwrap();
            let verifier = LocalKey::with_provider(&rsa_jwk().to_public(), pb).unwrap();
            for (alg, len) in [(SignatureAlgorithm::Rs256, 32), (SignatureAlgorithm::Ps384, 48), (SignatureAlgorithm::Rs512, 64), (SignatureAlgorithm::RsNull, 35)] {
                if !signer.supports(&kv_jwk::KeyOperation::Sign, &alg) || !verifier.supports(&kv_jwk::KeyOperation::Verify, &alg) {
                    continue;
                }
                let d = &digest[..len];
                let sig = signer.sign(&alg, d).unwrap();
                prop_assert!(verifier.verify(&alg, d, &sig).unwrap(), "{alg} {na}->{nb}");
                prop_assert!(!verifier.verify(&alg, d, &flip(&sig, bit)).unwrap(), "{alg} {na}->{nb} flipped sig");
                prop_assert!(!verifier.verify(&alg, &flip(d, bit), &sig).unwrap(), "{alg} {na}->{nb} flipped digest");
            }
        }
    }

    #[test]
    fn rsa_encrypt_decrypt_across_backends(pt in prop::collection::vec(any::<u8>(), 0..100), bit in any::<usize>()) {
        for (na, pa, nb, pb) in pairs() {
            let enc = LocalKey::with_provider(&rsa_jwk().to_public(), pa).unwrap();
            let dec = LocalKey::with_provider(rsa_jwk(), pb).unwrap();
            for alg in [EncryptionAlgorithm::RsaOaep, EncryptionAlgorithm::RsaOaep256, EncryptionAlgorithm::Rsa1_5] {
                let ct = enc.encrypt(&alg, &pt, &EncryptParameters::default()).unwrap().ciphertext;
                let back = dec.decrypt(&alg, &ct, &DecryptParameters::default()).unwrap();
                prop_assert_eq!(&back[..], &pt[..], "{} {}->{}", alg, na, nb);
                let tampered = dec.decrypt(&alg, &flip(&ct, bit), &DecryptParameters::default());
                // RSA1_5 on rustcrypto: implicit rejection returns a different, synthetic message.
                prop_assert!(tampered.map(|p| p[..] != pt[..]).unwrap_or(true), "{} {}->{} flipped", alg, na, nb);
                let wrapped = enc.wrap_key(&KeyWrapAlgorithm::RsaOaep256, &pt).unwrap();
                prop_assert_eq!(&dec.unwrap_key(&KeyWrapAlgorithm::RsaOaep256, &wrapped).unwrap()[..], &pt[..]);
            }
        }
    }

    #[test]
    fn ecdsa_across_backends(digest in prop::collection::vec(any::<u8>(), 64), bit in any::<usize>()) {
        for (crv, alg) in [(KeyCurveName::P256, SignatureAlgorithm::Es256), (KeyCurveName::P256K, SignatureAlgorithm::Es256K), (KeyCurveName::P384, SignatureAlgorithm::Es384), (KeyCurveName::P521, SignatureAlgorithm::Es512)] {
            let jwk = generate_ec(&crv).unwrap();
            let n = alg.hash().unwrap().output_len();
            let d = &digest[..n];
            for (na, pa, nb, pb) in pairs() {
                let signer = LocalKey::with_provider(&jwk, pa).unwrap();
                let verifier = LocalKey::with_provider(&jwk.to_public(), pb).unwrap();
                let sig = signer.sign(&alg, d).unwrap();
                prop_assert_eq!(sig.len(), 2 * crv.field_len().unwrap());
                prop_assert!(verifier.verify(&alg, d, &sig).unwrap(), "{} {}->{}", alg, na, nb);
                prop_assert!(!verifier.verify(&alg, d, &flip(&sig, bit)).unwrap());
                prop_assert!(!verifier.verify(&alg, &flip(d, bit), &sig).unwrap());
            }
        }
    }

    #[test]
    fn aes_across_backends(pt in prop::collection::vec(any::<u8>(), 1..200), aad in prop::collection::vec(any::<u8>(), 0..40), bit in any::<usize>()) {
        for bits in [128usize, 192, 256] {
            let jwk = generate_oct(bits).unwrap();
            let (gcm, cbc, cbcpad, kw) = match bits {
                128 => (EncryptionAlgorithm::A128Gcm, EncryptionAlgorithm::A128Cbc, EncryptionAlgorithm::A128CbcPad, KeyWrapAlgorithm::A128Kw),
                192 => (EncryptionAlgorithm::A192Gcm, EncryptionAlgorithm::A192Cbc, EncryptionAlgorithm::A192CbcPad, KeyWrapAlgorithm::A192Kw),
                _ => (EncryptionAlgorithm::A256Gcm, EncryptionAlgorithm::A256Cbc, EncryptionAlgorithm::A256CbcPad, KeyWrapAlgorithm::A256Kw),
            };
            for (na, pa, nb, pb) in pairs() {
                let a = LocalKey::with_provider(&jwk, pa).unwrap();
                let b = LocalKey::with_provider(&jwk, pb).unwrap();
                // GCM with AAD, service-shaped result.
                let params = EncryptParameters { additional_authenticated_data: Some(aad.clone()), ..Default::default() };
                let out = a.encrypt(&gcm, &pt, &params).unwrap();
                prop_assert_eq!(out.iv.as_ref().map(Vec::len), Some(12));
                prop_assert_eq!(out.authentication_tag.as_ref().map(Vec::len), Some(16));
                prop_assert_eq!(out.additional_authenticated_data.as_ref(), Some(&aad));
                let dp = DecryptParameters { iv: out.iv.clone(), authentication_tag: out.authentication_tag.clone(), additional_authenticated_data: Some(aad.clone()) };
                prop_assert_eq!(&b.decrypt(&gcm, &out.ciphertext, &dp).unwrap()[..], &pt[..], "{} {}->{}", gcm, na, nb);
                prop_assert_eq!(b.decrypt(&gcm, &flip(&out.ciphertext, bit), &dp), Err(Error::CryptoFailure));
                let bad_tag = DecryptParameters { authentication_tag: out.authentication_tag.as_deref().map(|t| flip(t, bit)), ..dp.clone() };
                prop_assert_eq!(b.decrypt(&gcm, &out.ciphertext, &bad_tag), Err(Error::CryptoFailure));
                // CBC with padding, and without for block-aligned input.
                let out = a.encrypt(&cbcpad, &pt, &EncryptParameters::default()).unwrap();
                let dp = DecryptParameters { iv: out.iv.clone(), ..Default::default() };
                prop_assert_eq!(&b.decrypt(&cbcpad, &out.ciphertext, &dp).unwrap()[..], &pt[..]);
                let aligned = &pt[..pt.len() / 16 * 16];
                if !aligned.is_empty() {
                    let out = a.encrypt(&cbc, aligned, &EncryptParameters::default()).unwrap();
                    let dp = DecryptParameters { iv: out.iv.clone(), ..Default::default() };
                    prop_assert_eq!(&b.decrypt(&cbc, &out.ciphertext, &dp).unwrap()[..], aligned);
                }
                // Key wrap (RFC 3394 needs >= 16 bytes, multiple of 8) and RFC 5649.
                if a.supports(&kv_jwk::KeyOperation::WrapKey, &kw) && b.supports(&kv_jwk::KeyOperation::UnwrapKey, &kw) {
                    let cek = &pt[..pt.len() / 8 * 8];
                    if cek.len() >= 16 {
                        let w = a.wrap_key(&kw, cek).unwrap();
                        prop_assert_eq!(&b.unwrap_key(&kw, &w).unwrap()[..], cek);
                        prop_assert_eq!(b.unwrap_key(&kw, &flip(&w, bit)), Err(Error::CryptoFailure));
                    }
                    let w = a.wrap_key(&KeyWrapAlgorithm::CkmAesKeyWrapPad, &pt).unwrap();
                    prop_assert_eq!(&b.unwrap_key(&KeyWrapAlgorithm::CkmAesKeyWrapPad, &w).unwrap()[..], &pt[..]);
                    prop_assert_eq!(b.unwrap_key(&KeyWrapAlgorithm::CkmAesKeyWrapPad, &flip(&w, bit)), Err(Error::CryptoFailure));
                }
            }
        }
    }
}

/// OAEP with SHA-384 (key release's `RSA_AES_KEY_WRAP_384`) is provider-level only; every
/// backend pair must interoperate and reject a flipped bit.
#[test]
fn oaep_sha384_between_backends() {
    use kv_crypto_local::provider::{RsaEncryptionPadding, RsaKeyComponents};
    use zeroize::Zeroizing;
    let jwk = rsa_jwk();
    let secret =
        |s: &Option<SecretBytes>| Zeroizing::new(s.as_ref().unwrap().expose_secret().to_vec());
    let components = RsaKeyComponents {
        n: jwk.n.clone().unwrap(),
        e: jwk.e.clone().unwrap(),
        d: secret(&jwk.d),
        p: secret(&jwk.p),
        q: secret(&jwk.q),
        dp: secret(&jwk.dp),
        dq: secret(&jwk.dq),
        qi: secret(&jwk.qi),
    };
    let data_key = [0x42u8; 32];
    for (enc_name, enc) in backends() {
        let public = enc
            .rsa
            .public_key(jwk.n.as_ref().unwrap(), jwk.e.as_ref().unwrap())
            .unwrap();
        let ct = public
            .encrypt(RsaEncryptionPadding::OaepSha384, &data_key)
            .unwrap();
        for (dec_name, dec) in backends() {
            let private = dec.rsa.private_key(&components).unwrap();
            let pt = private
                .decrypt(RsaEncryptionPadding::OaepSha384, &ct)
                .unwrap();
            assert_eq!(&pt[..], &data_key, "{enc_name} -> {dec_name}");
            let mut bad = ct.clone();
            bad[10] ^= 1;
            assert!(
                private
                    .decrypt(RsaEncryptionPadding::OaepSha384, &bad)
                    .is_err(),
                "{enc_name} -> {dec_name}: flipped bit accepted"
            );
            // The hash is part of the padding: SHA-256 OAEP must not open it.
            assert!(
                private
                    .decrypt(RsaEncryptionPadding::OaepSha256, &ct)
                    .is_err()
            );
        }
    }
}

/// One ML-DSA key per parameter set (seed-derived, so every backend parses it alike).
fn ml_dsa_jwk(alg: &SignatureAlgorithm) -> JsonWebKey {
    // The default provider's generation; the key is checked on every backend below.
    kv_crypto_local::generate_ml_dsa(alg).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// ML-DSA: a signature made by each backend verifies on every backend (plain message,
    /// with a context where the backend implements it, and as external mu), and a flipped
    /// bit or another context makes verify false.
    #[test]
    fn ml_dsa_sign_verify_across_backends(
        which in 0usize..3,
        message in proptest::collection::vec(any::<u8>(), 0..200),
        context in proptest::collection::vec(any::<u8>(), 1..40),
        flip in any::<prop::sample::Index>(),
    ) {
        use kv_crypto_local::MlDsaInput;
        let alg = [SignatureAlgorithm::MlDsa44, SignatureAlgorithm::MlDsa65, SignatureAlgorithm::MlDsa87][which].clone();
        let jwk = ml_dsa_jwk(&alg);
        let inputs = [
            MlDsaInput::Message { message: &message, context: &[] },
            MlDsaInput::Message { message: &message, context: &context },
        ];
        for (signer_name, signer_provider) in backends() {
            let signer = LocalKey::with_provider(&jwk, signer_provider).unwrap();
            for input in &inputs {
                if !signer_provider.ml_dsa.supports_input(input) {
                    continue;
                }
                let sig = signer.sign_ml_dsa(&alg, input).unwrap();
                prop_assert_eq!(sig.len(), match which { 0 => 2420, 1 => 3309, _ => 4627 });
                for (verifier_name, verifier_provider) in backends() {
                    if !verifier_provider.ml_dsa.supports_input(input) {
                        continue;
                    }
                    let verifier = LocalKey::with_provider(&jwk.to_public(), verifier_provider).unwrap();
                    prop_assert!(verifier.verify_ml_dsa(&alg, input, &sig).unwrap(),
                        "{} -> {}", signer_name, verifier_name);
                    let mut bad = sig.clone();
                    let at = flip.index(bad.len());
                    bad[at] ^= 0x01;
                    prop_assert!(!verifier.verify_ml_dsa(&alg, input, &bad).unwrap());
                }
            }
        }
        // External mu (RustCrypto computes and signs it): the signature over mu is the
        // signature over the message with its context, on every backend that verifies that.
        #[cfg(feature = "rustcrypto")]
        {
            let (_, rust_crypto) = backends().into_iter().find(|(n, _)| *n == "rustcrypto").unwrap();
            let rc = LocalKey::with_provider(&jwk, rust_crypto).unwrap();
            let mu = rc.ml_dsa_external_mu(&message, &context).unwrap();
            let sig = rc.sign_ml_dsa(&alg, &MlDsaInput::ExternalMu(&mu)).unwrap();
            prop_assert!(rc.verify_ml_dsa(&alg, &inputs[1], &sig).unwrap());
            prop_assert!(!rc.verify_ml_dsa(&alg, &inputs[0], &sig).unwrap());
            let plain_mu = rc.ml_dsa_external_mu(&message, &[]).unwrap();
            let plain_sig = rc.sign_ml_dsa(&alg, &MlDsaInput::ExternalMu(&plain_mu)).unwrap();
            for (name, provider) in backends() {
                let verifier = LocalKey::with_provider(&jwk.to_public(), provider).unwrap();
                prop_assert!(verifier.verify(&alg, &message, &plain_sig).unwrap(), "{}", name);
            }
        }
    }
}
