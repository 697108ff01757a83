//! Wrapping a released key for the target, as the service does (`key_hsm`):
//! `RSA-OAEP(runtime key, K) || AES-KWP(K, key)` with a fresh 256-bit AES key `K`, where
//! the key is PKCS#8 DER for RSA and EC keys and the raw bytes for oct keys. OAEP uses
//! SHA-1 for `CKM_RSA_AES_KEY_WRAP` and SHA-256 for `RSA_AES_KEY_WRAP_256`.

use kv_crypto_local::LocalKey;
use kv_crypto_local::provider::RsaEncryptionPadding;
use kv_jwk::{JsonWebKey, KeyCurveName, KeyFamily, KeyType, KeyWrapAlgorithm};
use kv_protocol::KeyEncryptionAlgorithm;
use pkcs8::der::asn1::{AnyRef, OctetStringRef, UintRef};
use pkcs8::{AlgorithmIdentifierRef, EncodePrivateKey, PrivateKeyInfoRef};
use zeroize::Zeroizing;

use crate::error::ApiError;
use crate::error::crypto_error;

fn der_failed<E>(_: E) -> ApiError {
    ApiError::internal("PKCS#8 encoding of the released key failed")
}

fn uint(bytes: &[u8]) -> Result<UintRef<'_>, ApiError> {
    UintRef::new(bytes).map_err(der_failed)
}

fn secret(s: &Option<kv_jwk::SecretBytes>) -> Result<&[u8], ApiError> {
    s.as_ref()
        .map(kv_jwk::SecretBytes::expose_secret)
        .ok_or_else(|| ApiError::internal("stored key lacks private material"))
}

fn public(v: &Option<Vec<u8>>) -> Result<&[u8], ApiError> {
    v.as_deref()
        .ok_or_else(|| ApiError::internal("stored key lacks public material"))
}

/// The bytes that get wrapped: PKCS#8 DER (RSA, EC) or raw (oct).
pub fn key_bytes(private: &JsonWebKey) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    match private.kty.as_ref().and_then(KeyType::family) {
        Some(KeyFamily::Oct) => Ok(Zeroizing::new(secret(&private.k)?.to_vec())),
        Some(KeyFamily::Akp) => Err(ApiError::bad("AKP (ML-DSA) keys cannot be released.")),
        Some(KeyFamily::Rsa) => {
            let (n, e, d) = (
                public(&private.n)?,
                public(&private.e)?,
                secret(&private.d)?,
            );
            let (p, q) = (secret(&private.p)?, secret(&private.q)?);
            let (dp, dq, qi) = (
                secret(&private.dp)?,
                secret(&private.dq)?,
                secret(&private.qi)?,
            );
            let key = pkcs1::RsaPrivateKey {
                modulus: uint(n)?,
                public_exponent: uint(e)?,
                private_exponent: uint(d)?,
                prime1: uint(p)?,
                prime2: uint(q)?,
                exponent1: uint(dp)?,
                exponent2: uint(dq)?,
                coefficient: uint(qi)?,
                other_prime_infos: None,
            };
            let pkcs1 = pkcs1::EncodeRsaPrivateKey::to_pkcs1_der(&key).map_err(der_failed)?;
            let info = PrivateKeyInfoRef::new(
                AlgorithmIdentifierRef {
                    oid: pkcs1::ALGORITHM_OID,
                    parameters: Some(AnyRef::NULL),
                },
                OctetStringRef::new(pkcs1.as_bytes()).map_err(der_failed)?,
            );
            let doc = info.to_pkcs8_der().map_err(der_failed)?;
            Ok(Zeroizing::new(doc.as_bytes().to_vec()))
        }
        Some(KeyFamily::Ec) => {
            use aws_lc_rs::signature as sig;
            use kv_crypto_local::provider::EcCurve;
            let (curve, alg) = match private.crv.as_ref() {
                Some(KeyCurveName::P256) => (EcCurve::P256, &sig::ECDSA_P256_SHA256_FIXED_SIGNING),
                Some(KeyCurveName::P256K) => {
                    (EcCurve::P256K, &sig::ECDSA_P256K1_SHA256_FIXED_SIGNING)
                }
                Some(KeyCurveName::P384) => (EcCurve::P384, &sig::ECDSA_P384_SHA384_FIXED_SIGNING),
                Some(KeyCurveName::P521) => (EcCurve::P521, &sig::ECDSA_P521_SHA512_FIXED_SIGNING),
                _ => return Err(ApiError::internal("stored EC key has an unknown curve")),
            };
            let point = curve
                .sec1_uncompressed(public(&private.x)?, public(&private.y)?)
                .map_err(|_| ApiError::internal("stored EC key has malformed coordinates"))?;
            let pair = sig::EcdsaKeyPair::from_private_key_and_public_key(
                alg,
                secret(&private.d)?,
                &point,
            )
            .map_err(der_failed)?;
            let doc = pair.to_pkcs8v1().map_err(der_failed)?;
            Ok(Zeroizing::new(doc.as_ref().to_vec()))
        }
        None => Err(ApiError::internal("stored key has an unknown type")),
    }
}

/// `key_hsm` for `private`, wrapped to `runtime` with `enc`.
pub fn wrap_for_target(
    private: &JsonWebKey,
    runtime: &JsonWebKey,
    enc: &KeyEncryptionAlgorithm,
) -> Result<Vec<u8>, ApiError> {
    let padding = match enc {
        KeyEncryptionAlgorithm::CkmRsaAesKeyWrap => RsaEncryptionPadding::OaepSha1,
        KeyEncryptionAlgorithm::RsaAesKeyWrap256 => RsaEncryptionPadding::OaepSha256,
        KeyEncryptionAlgorithm::RsaAesKeyWrap384 => RsaEncryptionPadding::OaepSha384,
        other => {
            return Err(ApiError::bad(format!(
                "The key encryption algorithm {other} is not supported by this emulator."
            )));
        }
    };
    let material = key_bytes(private)?;
    let transport = kv_crypto_local::generate_oct(256).map_err(crypto_error)?;
    let k = transport
        .k
        .as_ref()
        .ok_or_else(|| ApiError::internal("generated AES key is empty"))?;
    // The wrap is an RSA-OAEP encryption with the target's runtime key whatever that key's
    // `key_ops` say (they describe the target's own use). SHA-384 OAEP has no JWA name, so
    // this goes to the provider directly rather than through `LocalKey`.
    let (n, e) = match (&runtime.n, &runtime.e) {
        (Some(n), Some(e)) => (n, e),
        _ => {
            return Err(ApiError::Forbidden(
                "The target's runtime key is not an RSA public key.".to_owned(),
            ));
        }
    };
    let runtime = kv_crypto_local::get_default()
        .map_err(crypto_error)?
        .rsa
        .public_key(n, e)
        .map_err(|e| ApiError::Forbidden(format!("The target's runtime key is unusable: {e}.")))?;
    let mut out = runtime
        .encrypt(padding, k.expose_secret())
        .map_err(crypto_error)?;
    let aes = LocalKey::new(&transport).map_err(crypto_error)?;
    out.extend(
        aes.wrap_key(&KeyWrapAlgorithm::CkmAesKeyWrapPad, &material)
            .map_err(crypto_error)?,
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs8_for_every_family() {
        let rsa = kv_crypto_local::generate_rsa(2048, None).unwrap();
        let der = key_bytes(&rsa).unwrap();
        assert_eq!(der.first(), Some(&0x30));
        assert!(aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).is_ok());
        for crv in [
            KeyCurveName::P256,
            KeyCurveName::P256K,
            KeyCurveName::P384,
            KeyCurveName::P521,
        ] {
            let ec = kv_crypto_local::generate_ec(&crv).unwrap();
            assert_eq!(key_bytes(&ec).unwrap().first(), Some(&0x30));
        }
        let oct = kv_crypto_local::generate_oct(128).unwrap();
        assert_eq!(key_bytes(&oct).unwrap().len(), 16);
    }

    #[test]
    fn wrapped_key_unwraps_with_the_runtime_key() {
        let runtime = kv_crypto_local::generate_rsa(2048, None).unwrap();
        let target = kv_crypto_local::generate_oct(256).unwrap();
        let blob = wrap_for_target(
            &target,
            &runtime.to_public(),
            &KeyEncryptionAlgorithm::CkmRsaAesKeyWrap,
        )
        .unwrap();
        let (head, tail) = blob.split_at(256);
        let unwrapper = LocalKey::new(&runtime).unwrap();
        let k = unwrapper
            .unwrap_key(&KeyWrapAlgorithm::RsaOaep, head)
            .unwrap();
        let aes = LocalKey::new(&JsonWebKey {
            kty: Some(KeyType::Oct),
            k: Some(kv_jwk::SecretBytes::from_slice(&k)),
            ..Default::default()
        })
        .unwrap();
        let material = aes
            .unwrap_key(&KeyWrapAlgorithm::CkmAesKeyWrapPad, tail)
            .unwrap();
        assert_eq!(&material[..], target.k.as_ref().unwrap().expose_secret());
    }

    #[test]
    fn rsa_aes_key_wrap_384_uses_oaep_sha384() {
        use kv_crypto_local::provider::RsaKeyComponents;
        let runtime = kv_crypto_local::generate_rsa(2048, None).unwrap();
        let target = kv_crypto_local::generate_oct(256).unwrap();
        let blob = wrap_for_target(
            &target,
            &runtime.to_public(),
            &KeyEncryptionAlgorithm::RsaAesKeyWrap384,
        )
        .unwrap();
        let (head, tail) = blob.split_at(256);
        let secret = |s: &Option<kv_jwk::SecretBytes>| {
            Zeroizing::new(s.as_ref().unwrap().expose_secret().to_vec())
        };
        let components = RsaKeyComponents {
            n: runtime.n.clone().unwrap(),
            e: runtime.e.clone().unwrap(),
            d: secret(&runtime.d),
            p: secret(&runtime.p),
            q: secret(&runtime.q),
            dp: secret(&runtime.dp),
            dq: secret(&runtime.dq),
            qi: secret(&runtime.qi),
        };
        let private = kv_crypto_local::get_default()
            .unwrap()
            .rsa
            .private_key(&components)
            .unwrap();
        // SHA-256 OAEP does not open it; SHA-384 does.
        assert!(
            private
                .decrypt(RsaEncryptionPadding::OaepSha256, head)
                .is_err()
        );
        let k = private
            .decrypt(RsaEncryptionPadding::OaepSha384, head)
            .unwrap();
        let aes = LocalKey::new(&JsonWebKey {
            kty: Some(KeyType::Oct),
            k: Some(kv_jwk::SecretBytes::from_slice(&k)),
            ..Default::default()
        })
        .unwrap();
        let material = aes
            .unwrap_key(&KeyWrapAlgorithm::CkmAesKeyWrapPad, tail)
            .unwrap();
        assert_eq!(&material[..], target.k.as_ref().unwrap().expose_secret());
    }
}
