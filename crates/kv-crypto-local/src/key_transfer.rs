//! Moving a private key to another HSM, as Key Vault's key release does: the key as PKCS#8
//! ([`private_key_pkcs8`]) wrapped for the target with `CKM_RSA_AES_KEY_WRAP`
//! ([`rsa_aes_key_wrap`]).
//!
//! `CKM_RSA_AES_KEY_WRAP` (PKCS#11 v2.40 §2.1.21) draws a fresh 256-bit AES key `K`, encrypts
//! it with RSA-OAEP under the target's public key, and appends the key material wrapped
//! with AES key wrap with padding (RFC 5649) under `K`:
//! `RSA-OAEP(target, K) || AES-KWP(K, material)`. Key Vault's `CKM_RSA_AES_KEY_WRAP` uses
//! OAEP with SHA-1, `RSA_AES_KEY_WRAP_256` SHA-256 and `RSA_AES_KEY_WRAP_384` SHA-384.
//!
//! ```
//! # #[cfg(any(feature = "rustcrypto", feature = "aws-lc"))] {
//! use kv_crypto_local::key_transfer::{private_key_pkcs8, rsa_aes_key_unwrap, rsa_aes_key_wrap};
//! use kv_crypto_local::provider::RsaEncryptionPadding;
//! let target = kv_crypto_local::generate_rsa(2048, None)?;
//! let released = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256)?;
//! let pkcs8 = private_key_pkcs8(&released)?;
//! let (n, e) = (target.n.as_deref().unwrap(), target.e.as_deref().unwrap());
//! let blob = rsa_aes_key_wrap(n, e, RsaEncryptionPadding::OaepSha256, &pkcs8)?;
//! let back = rsa_aes_key_unwrap(&target, RsaEncryptionPadding::OaepSha256, &blob)?;
//! assert_eq!(back, pkcs8);
//! # }
//! # Ok::<(), kv_crypto_local::Error>(())
//! ```

use kv_jwk::{JsonWebKey, KeyFamily};
use zeroize::Zeroizing;

use crate::local_key::{ec_components, rsa_private_components};
use crate::provider::{EcKeyComponents, RsaEncryptionPadding};
use crate::{Error, Result, key_encoding};

/// Length of the transport key `K` in bytes (AES-256).
const TRANSPORT_KEY_LEN: usize = 32;

/// The PKCS#8 `PrivateKeyInfo` of an RSA or EC private JWK (RSA: PKCS#1 inside; EC: SEC1
/// with the public point, as aws-lc writes it). The key is checked first: its private parts
/// must match its public ones.
///
/// # Errors
/// [`Error::MissingPrivateMaterial`] for a public key; [`Error::InvalidKey`] for another key
/// type, a malformed or inconsistent key; [`Error::NoProvider`] without a backend.
pub fn private_key_pkcs8(jwk: &JsonWebKey) -> Result<Zeroizing<Vec<u8>>> {
    let provider = crate::get_default()?;
    match jwk.kty.as_ref().and_then(|kty| kty.family()) {
        Some(KeyFamily::Rsa) => {
            let components = rsa_private_components(jwk)?;
            provider.rsa.private_key(&components)?;
            Ok(key_encoding::rsa_private_key_pkcs8(&components))
        }
        Some(KeyFamily::Ec) => {
            let (curve, x, y, d) = ec_components(jwk)?;
            let components = EcKeyComponents {
                curve,
                x,
                y,
                d: d.ok_or(Error::MissingPrivateMaterial)?,
            };
            provider.ec.private_key(&components)?;
            key_encoding::ec_private_key_pkcs8(&components)
        }
        _ => Err(Error::InvalidKey("only RSA and EC keys have a PKCS#8 form")),
    }
}

/// `CKM_RSA_AES_KEY_WRAP` of `material` for the RSA public key (`n`, `e`), with OAEP
/// `padding` (see the module documentation).
///
/// The RSA encryption uses the target key whatever its `key_ops` say (they describe the
/// target's own use), which is why this takes the bare modulus and exponent.
///
/// # Errors
/// [`Error::InvalidKey`] when (`n`, `e`) is not a usable RSA public key;
/// [`Error::InvalidInput`] for PKCS#1 v1.5 padding (not a key-wrap padding) or empty
/// `material`; [`Error::Random`] or [`Error::NoProvider`] from the backend.
pub fn rsa_aes_key_wrap(
    n: &[u8],
    e: &[u8],
    padding: RsaEncryptionPadding,
    material: &[u8],
) -> Result<Vec<u8>> {
    if padding == RsaEncryptionPadding::Pkcs1v15 {
        return Err(Error::InvalidInput("CKM_RSA_AES_KEY_WRAP uses RSA-OAEP"));
    }
    let provider = crate::get_default()?;
    let target = provider.rsa.public_key(n, e)?;
    let k = crate::random_bytes(TRANSPORT_KEY_LEN)?;
    let mut out = target.encrypt(padding, &k)?;
    out.extend(provider.aes_kw.key(&k)?.wrap_padded(material)?);
    Ok(out)
}

/// Opens what [`rsa_aes_key_wrap`] made for `target` (an RSA private JWK).
///
/// # Errors
/// [`Error::CryptoFailure`] when either layer fails to open; [`Error::InvalidKey`] or
/// [`Error::MissingPrivateMaterial`] for an unusable `target`; [`Error::InvalidInput`] as
/// [`rsa_aes_key_wrap`] or when `wrapped` is shorter than the RSA part.
pub fn rsa_aes_key_unwrap(
    target: &JsonWebKey,
    padding: RsaEncryptionPadding,
    wrapped: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    if padding == RsaEncryptionPadding::Pkcs1v15 {
        return Err(Error::InvalidInput("CKM_RSA_AES_KEY_WRAP uses RSA-OAEP"));
    }
    let provider = crate::get_default()?;
    let private = provider.rsa.private_key(&rsa_private_components(target)?)?;
    let split = private.modulus_bits().div_ceil(8);
    if wrapped.len() <= split {
        return Err(Error::InvalidInput(
            "wrapped key shorter than its RSA-encrypted transport key",
        ));
    }
    let (head, tail) = wrapped.split_at(split);
    let k = private.decrypt(padding, head)?;
    if k.len() != TRANSPORT_KEY_LEN {
        return Err(Error::CryptoFailure);
    }
    provider.aes_kw.key(&k)?.unwrap_padded(tail)
}

#[cfg(all(test, any(feature = "rustcrypto", feature = "aws-lc")))]
mod tests {
    use super::*;
    use kv_jwk::KeyCurveName;

    #[test]
    fn rsa_and_ec_keys_export_and_their_pkcs8_reads_back() {
        let rsa = crate::generate_rsa(2048, None).unwrap();
        let der = private_key_pkcs8(&rsa).unwrap();
        let back = key_encoding::rsa_components_from_pkcs8(&der).unwrap();
        assert_eq!(back.n, rsa.n.clone().unwrap());
        assert_eq!(&back.d[..], rsa.d.as_ref().unwrap().expose_secret());
        for crv in [
            KeyCurveName::P256,
            KeyCurveName::P256K,
            KeyCurveName::P384,
            KeyCurveName::P521,
        ] {
            let ec = crate::generate_ec(&crv).unwrap();
            let der = private_key_pkcs8(&ec).unwrap();
            assert_eq!(der.first(), Some(&0x30));
            // A scalar that does not match the point is refused.
            let mut other = crate::generate_ec(&crv).unwrap();
            other.d = Some(kv_jwk::SecretBytes::from_slice(
                ec.d.as_ref().unwrap().expose_secret(),
            ));
            assert!(private_key_pkcs8(&other).is_err(), "{crv}");
        }
        assert_eq!(
            private_key_pkcs8(&rsa.to_public()).unwrap_err(),
            Error::MissingPrivateMaterial
        );
        assert!(private_key_pkcs8(&crate::generate_oct(256).unwrap()).is_err());
    }

    #[test]
    fn wrap_round_trips_with_each_oaep_hash_only() {
        let target = crate::generate_rsa(2048, None).unwrap();
        let (n, e) = (target.n.as_deref().unwrap(), target.e.as_deref().unwrap());
        let material = b"an oct key of 32 bytes, say, ok!";
        for padding in [
            RsaEncryptionPadding::OaepSha1,
            RsaEncryptionPadding::OaepSha256,
            RsaEncryptionPadding::OaepSha384,
        ] {
            let blob = rsa_aes_key_wrap(n, e, padding, material).unwrap();
            assert_eq!(blob.len(), 256 + 40);
            assert_eq!(
                &rsa_aes_key_unwrap(&target, padding, &blob).unwrap()[..],
                material
            );
            for other in [
                RsaEncryptionPadding::OaepSha1,
                RsaEncryptionPadding::OaepSha256,
                RsaEncryptionPadding::OaepSha384,
            ] {
                if other != padding {
                    assert!(rsa_aes_key_unwrap(&target, other, &blob).is_err());
                }
            }
            let mut tampered = blob.clone();
            *tampered.last_mut().unwrap() ^= 1;
            assert!(rsa_aes_key_unwrap(&target, padding, &tampered).is_err());
            assert!(rsa_aes_key_unwrap(&target, padding, &blob[..256]).is_err());
        }
        assert!(rsa_aes_key_wrap(n, e, RsaEncryptionPadding::Pkcs1v15, material).is_err());
        assert!(rsa_aes_key_wrap(&[1, 2, 3], e, RsaEncryptionPadding::OaepSha1, material).is_err());
    }
}
