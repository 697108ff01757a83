//! Wrapping a released key for the target, as the service does (`key_hsm`):
//! `RSA-OAEP(runtime key, K) || AES-KWP(K, key)` with a fresh 256-bit AES key `K`, where
//! the key is PKCS#8 DER for RSA and EC keys and the raw bytes for oct keys. OAEP uses
//! SHA-1 for `CKM_RSA_AES_KEY_WRAP` and SHA-256 for `RSA_AES_KEY_WRAP_256`.
//!
//! Secure unwrap answers the unwrapped key encrypted to the same runtime key, with plain
//! RSA-OAEP-256 ([`encrypt_for_target`]), as the live Managed HSM's recorded answers show.

use kv_crypto_local::key_transfer::{private_key_pkcs8, rsa_aes_key_wrap};
use kv_crypto_local::provider::RsaEncryptionPadding;
use kv_crypto_local::{EncryptParameters, LocalKey};
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyFamily, KeyType};
use kv_protocol::KeyEncryptionAlgorithm;
use zeroize::Zeroizing;

use crate::error::ApiError;
use crate::error::crypto_error;

/// The bytes that get wrapped: PKCS#8 DER (RSA, EC) or raw (oct).
pub fn key_bytes(private: &JsonWebKey) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    match private.kty.as_ref().and_then(KeyType::family) {
        Some(KeyFamily::Oct) => private
            .k
            .as_ref()
            .map(|k| Zeroizing::new(k.expose_secret().to_vec()))
            .ok_or_else(|| ApiError::internal("stored key lacks private material")),
        Some(KeyFamily::Akp) => Err(ApiError::bad("AKP (ML-DSA) keys cannot be released.")),
        Some(KeyFamily::Rsa | KeyFamily::Ec) => private_key_pkcs8(private).map_err(|e| match e {
            kv_crypto_local::Error::MissingPrivateMaterial => {
                ApiError::internal("stored key lacks private material")
            }
            _ => ApiError::internal("PKCS#8 encoding of the released key failed"),
        }),
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
    let (n, e) = match (&runtime.n, &runtime.e) {
        (Some(n), Some(e)) => (n, e),
        _ => {
            return Err(ApiError::Forbidden(
                "The target's runtime key is not an RSA public key.".to_owned(),
            ));
        }
    };
    rsa_aes_key_wrap(n, e, padding, &material).map_err(|e| match e {
        kv_crypto_local::Error::InvalidKey(_) => {
            ApiError::Forbidden(format!("The target's runtime key is unusable: {e}."))
        }
        other => crypto_error(other),
    })
}

/// `plaintext` encrypted with RSA-OAEP-256 to the target's runtime key `runtime`: the
/// `value` of a secure unwrap (256 bytes for a 2048-bit runtime key, as recorded).
///
/// # Errors
/// 403 (the shape of a refused target) when `runtime` cannot encrypt it: not RSA, or too
/// small for OAEP-256 with a 32-byte key.
pub fn encrypt_for_target(runtime: &JsonWebKey, plaintext: &[u8]) -> Result<Vec<u8>, ApiError> {
    let unusable = |e: kv_crypto_local::Error| {
        ApiError::Forbidden(format!("The target's runtime key is unusable: {e}."))
    };
    let key = LocalKey::new(runtime).map_err(unusable)?;
    match key.encrypt(
        &EncryptionAlgorithm::RsaOaep256,
        plaintext,
        &EncryptParameters::default(),
    ) {
        Ok(result) => Ok(result.ciphertext),
        Err(e @ (kv_crypto_local::Error::Random | kv_crypto_local::Error::NoProvider)) => {
            Err(crypto_error(e))
        }
        Err(e) => Err(unusable(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kv_jwk::KeyCurveName;

    #[test]
    fn pkcs8_for_every_family() {
        let rsa = kv_crypto_local::generate_rsa(2048, None).unwrap();
        let der = key_bytes(&rsa).unwrap();
        assert_eq!(der.first(), Some(&0x30));
        assert!(kv_crypto_local::key_encoding::rsa_components_from_pkcs8(&der).is_ok());
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
        use kv_crypto_local::key_transfer::rsa_aes_key_unwrap;
        let runtime = kv_crypto_local::generate_rsa(2048, None).unwrap();
        let target = kv_crypto_local::generate_oct(256).unwrap();
        for (enc, padding) in [
            (
                KeyEncryptionAlgorithm::CkmRsaAesKeyWrap,
                RsaEncryptionPadding::OaepSha1,
            ),
            (
                KeyEncryptionAlgorithm::RsaAesKeyWrap256,
                RsaEncryptionPadding::OaepSha256,
            ),
            (
                KeyEncryptionAlgorithm::RsaAesKeyWrap384,
                RsaEncryptionPadding::OaepSha384,
            ),
        ] {
            let blob = wrap_for_target(&target, &runtime.to_public(), &enc).unwrap();
            let material = rsa_aes_key_unwrap(&runtime, padding, &blob).unwrap();
            assert_eq!(&material[..], target.k.as_ref().unwrap().expose_secret());
        }
        // The first layer is plain RSA-OAEP (SHA-1) with the runtime key, as the service's.
        let blob = wrap_for_target(
            &target,
            &runtime.to_public(),
            &KeyEncryptionAlgorithm::CkmRsaAesKeyWrap,
        )
        .unwrap();
        let unwrapper = kv_crypto_local::LocalKey::new(&runtime).unwrap();
        let k = unwrapper
            .unwrap_key(&kv_jwk::KeyWrapAlgorithm::RsaOaep, &blob[..256])
            .unwrap();
        assert_eq!(k.len(), 32);
    }

    #[test]
    fn runtime_keys_that_are_not_rsa_are_forbidden() {
        let target = kv_crypto_local::generate_oct(256).unwrap();
        let ec = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).unwrap();
        let err = wrap_for_target(
            &target,
            &ec.to_public(),
            &KeyEncryptionAlgorithm::CkmRsaAesKeyWrap,
        )
        .unwrap_err();
        assert!(matches!(err, ApiError::Forbidden(_)));
    }

    #[test]
    fn encrypted_for_the_target_decrypts_with_the_runtime_key() {
        let runtime = kv_crypto_local::generate_rsa(2048, None).unwrap();
        let plain = kv_crypto_local::random_bytes(32).unwrap();
        let value = encrypt_for_target(&runtime.to_public(), &plain).unwrap();
        assert_eq!(value.len(), 256, "as recorded for a 2048-bit runtime key");
        let decrypted = LocalKey::new(&runtime)
            .unwrap()
            .decrypt(
                &EncryptionAlgorithm::RsaOaep256,
                &value,
                &kv_crypto_local::DecryptParameters::default(),
            )
            .unwrap();
        assert_eq!(*decrypted, *plain);
        // OAEP is randomized: the same key gives another value each time.
        assert_ne!(
            encrypt_for_target(&runtime.to_public(), &plain).unwrap(),
            value
        );
    }

    #[test]
    fn runtime_keys_that_cannot_encrypt_are_forbidden() {
        let ec = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).unwrap();
        let err = encrypt_for_target(&ec.to_public(), &[7; 32]).unwrap_err();
        assert!(matches!(err, ApiError::Forbidden(_)), "{err:?}");
    }
}
