//! Symmetric keys (`oct`, `oct-HSM`): access to `k` with length checks.

use super::{require, require_family};
use crate::{Error, JsonWebKey, KeyFamily, KeyType, Result, SecretBytes};

/// AES key lengths in bytes (AES-128, AES-192, AES-256).
pub const AES_KEY_LENGTHS: [usize; 3] = [16, 24, 32];

/// The symmetric key material `k` of an `oct` or `oct-HSM` key.
///
/// # Errors
/// [`Error::WrongKeyType`] / [`Error::MissingMember`] for a missing or non-oct `kty`;
/// [`Error::MissingMember`] without `k`; [`Error::InvalidKey`] when `k` is empty.
pub fn key_from_jwk(jwk: &JsonWebKey) -> Result<&SecretBytes> {
    require_family(jwk, KeyFamily::Oct)?;
    let k = require(&jwk.k, "k")?;
    if k.is_empty() {
        return Err(Error::InvalidKey("symmetric key `k` is empty"));
    }
    Ok(k)
}

/// `k`, which must be an AES key (16, 24 or 32 bytes).
///
/// ```
/// use kv_jwk::{convert::oct, JsonWebKey, SecretBytes};
/// let jwk = oct::jwk_from_key(SecretBytes::from_slice(&[7; 32]));
/// assert_eq!(oct::aes_key_from_jwk(&jwk)?.len(), 32);
/// # Ok::<(), kv_jwk::Error>(())
/// ```
///
/// # Errors
/// Everything [`key_from_jwk`] returns; [`Error::InvalidKey`] for any other length.
pub fn aes_key_from_jwk(jwk: &JsonWebKey) -> Result<&SecretBytes> {
    let k = key_from_jwk(jwk)?;
    if AES_KEY_LENGTHS.contains(&k.len()) {
        Ok(k)
    } else {
        Err(Error::InvalidKey(
            "symmetric key `k` must be 16, 24 or 32 bytes for AES",
        ))
    }
}

/// `k`, which must be exactly `len` bytes (for algorithms that fix the key size, such as
/// `A256GCM`; see [`crate::EncryptionAlgorithm::aes_key_len`]).
///
/// # Errors
/// Everything [`key_from_jwk`] returns; [`Error::InvalidKey`] for any other length.
pub fn key_with_len_from_jwk(jwk: &JsonWebKey, len: usize) -> Result<&SecretBytes> {
    let k = key_from_jwk(jwk)?;
    if k.len() == len {
        Ok(k)
    } else {
        Err(Error::InvalidKey(
            "symmetric key `k` has the wrong length for the algorithm",
        ))
    }
}

/// A JSON Web Key (`kty` `oct`) holding `k`.
pub fn jwk_from_key(k: SecretBytes) -> JsonWebKey {
    JsonWebKey {
        kty: Some(KeyType::Oct),
        k: Some(k),
        ..JsonWebKey::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oct(kty: KeyType, k: &[u8]) -> JsonWebKey {
        JsonWebKey {
            kty: Some(kty),
            k: Some(SecretBytes::from_slice(k)),
            ..JsonWebKey::default()
        }
    }

    #[test]
    fn aes_lengths() {
        for len in [16, 24, 32] {
            assert_eq!(
                aes_key_from_jwk(&oct(KeyType::Oct, &vec![1; len]))
                    .unwrap()
                    .len(),
                len
            );
            assert!(aes_key_from_jwk(&oct(KeyType::OctHsm, &vec![1; len])).is_ok());
        }
        for len in [1, 15, 17, 31, 33, 64] {
            assert!(matches!(
                aes_key_from_jwk(&oct(KeyType::Oct, &vec![1; len])),
                Err(Error::InvalidKey(_))
            ));
        }
    }

    #[test]
    fn exact_length() {
        let jwk = oct(KeyType::Oct, &[2; 24]);
        assert!(key_with_len_from_jwk(&jwk, 24).is_ok());
        assert!(key_with_len_from_jwk(&jwk, 32).is_err());
    }

    #[test]
    fn rejects_wrong_type_missing_and_empty() {
        assert!(matches!(
            key_from_jwk(&oct(KeyType::Rsa, &[1; 16])),
            Err(Error::WrongKeyType {
                expected: "oct",
                ..
            })
        ));
        assert_eq!(
            key_from_jwk(&JsonWebKey {
                kty: Some(KeyType::Oct),
                ..JsonWebKey::default()
            })
            .unwrap_err(),
            Error::MissingMember("k")
        );
        assert_eq!(
            key_from_jwk(&JsonWebKey::default()).unwrap_err(),
            Error::MissingMember("kty")
        );
        assert!(matches!(
            key_from_jwk(&oct(KeyType::Oct, &[])),
            Err(Error::InvalidKey(_))
        ));
    }

    #[test]
    fn export_sets_kty() {
        let jwk = jwk_from_key(SecretBytes::from_slice(&[3; 16]));
        assert_eq!(jwk.kty, Some(KeyType::Oct));
        assert_eq!(key_from_jwk(&jwk).unwrap().expose_secret(), &[3; 16]);
    }
}
