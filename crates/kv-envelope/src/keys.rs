//! Per-message keys: the data key, and the content key and key commitment derived from it
//! with HKDF-SHA-512.

use core::fmt;

use kv_crypto_local::hkdf::hkdf_sha512;
use kv_crypto_local::provider::AesGcmKey;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};
use crate::format::{COMMITMENT_LEN, DATA_KEY_LEN, SALT_LEN, SUITE_AES256_GCM_HKDF_SHA512_COMMIT};

/// HKDF `info` for the content-encryption key.
const INFO_CONTENT: &[u8] = b"KVEN content key";
/// HKDF `info` for the key commitment.
const INFO_COMMIT: &[u8] = b"KVEN key commitment";

/// Nonce kinds: the last byte of every nonce, so that a segment can never be read as the
/// final one (or as the header), whatever its counter.
pub(crate) const NONCE_SEGMENT: u8 = 0;
pub(crate) const NONCE_FINAL: u8 = 1;
pub(crate) const NONCE_HEADER: u8 = 2;

/// The one generic failure of opening an envelope: no detail, by design.
pub(crate) fn auth_failed() -> Error {
    Error::new(
        ErrorKind::Crypto,
        "envelope: authentication failed (wrong key, wrong context, or tampered or truncated data)",
    )
}

pub(crate) fn local_crypto(e: kv_crypto_local::Error) -> Error {
    Error::with_source(ErrorKind::Crypto, "envelope: local cryptography failed", e)
}

/// A 256-bit data key, wiped on drop and never printed.
#[derive(Clone)]
pub(crate) struct DataKey(Zeroizing<[u8; DATA_KEY_LEN]>);

impl DataKey {
    /// A fresh key and a fresh message salt from one call to the generator (each call
    /// costs a fixed setup, which per-message work repeats): the first 32 bytes are the
    /// key, the last 32 the salt.
    pub(crate) fn generate_with_salt() -> Result<(Self, [u8; SALT_LEN])> {
        let mut both = Zeroizing::new([0u8; DATA_KEY_LEN + SALT_LEN]);
        kv_crypto_local::get_default()
            .map_err(local_crypto)?
            .random
            .fill(both.as_mut_slice())
            .map_err(local_crypto)?;
        let (key, salt) = both.split_at(DATA_KEY_LEN);
        let key = Zeroizing::new(<[u8; DATA_KEY_LEN]>::try_from(key).map_err(|_| auth_failed())?);
        let salt = <[u8; SALT_LEN]>::try_from(salt).map_err(|_| auth_failed())?;
        Ok((Self(key), salt))
    }

    /// Takes an unwrapped key; anything but 32 bytes is an authentication failure (a wrong
    /// key can unwrap to garbage of another length).
    pub(crate) fn from_unwrapped(bytes: &[u8]) -> Result<Self> {
        let arr = <[u8; DATA_KEY_LEN]>::try_from(bytes).map_err(|_| auth_failed())?;
        Ok(Self(Zeroizing::new(arr)))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_slice()
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([REDACTED])")
    }
}

/// What HKDF derives from a data key and a salt.
pub(crate) struct MessageKeys {
    pub(crate) content: Box<dyn AesGcmKey>,
    pub(crate) commitment: [u8; COMMITMENT_LEN],
}

impl MessageKeys {
    /// HKDF-SHA-512(salt, data key) expanded twice: the AES-256-GCM content key and the
    /// commitment, each `info` ending with the format version and suite (so a version-1
    /// header cannot be relabelled version 2, or back).
    pub(crate) fn derive(data_key: &DataKey, version: u8, salt: &[u8; SALT_LEN]) -> Result<Self> {
        let suffix = [version, SUITE_AES256_GCM_HKDF_SHA512_COMMIT];
        let mut content = Zeroizing::new([0u8; DATA_KEY_LEN]);
        let mut commitment = [0u8; COMMITMENT_LEN];
        hkdf_sha512(
            salt,
            data_key.as_bytes(),
            &mut [
                (&[INFO_CONTENT, &suffix], content.as_mut_slice()),
                (&[INFO_COMMIT, &suffix], &mut commitment),
            ],
        )
        .map_err(|e| Error::with_source(ErrorKind::Crypto, "envelope: key derivation failed", e))?;
        let content = kv_crypto_local::get_default()
            .map_err(local_crypto)?
            .aes_gcm
            .key(content.as_slice())
            .map_err(local_crypto)?;
        Ok(Self {
            content,
            commitment,
        })
    }

    /// Checks `expected` against the derived commitment in constant time.
    pub(crate) fn check_commitment(&self, expected: &[u8; COMMITMENT_LEN]) -> Result<()> {
        if bool::from(self.commitment.ct_eq(expected)) {
            Ok(())
        } else {
            Err(auth_failed())
        }
    }
}

/// The nonce of segment `counter` of kind `kind`: 3 zero bytes, the counter (u64 BE), the kind.
/// The content key is unique per message (fresh salt), so a counter never repeats under it.
pub(crate) fn nonce(counter: u64, kind: u8) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = kind;
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_deterministic_and_salted() {
        let key = DataKey::generate_with_salt().unwrap().0;
        let a = MessageKeys::derive(&key, 2, &[1; 32]).unwrap();
        let b = MessageKeys::derive(&key, 2, &[1; 32]).unwrap();
        let c = MessageKeys::derive(&key, 2, &[2; 32]).unwrap();
        assert_eq!(a.commitment, b.commitment);
        assert_ne!(a.commitment, c.commitment);
        assert!(a.check_commitment(&b.commitment).is_ok());
        assert!(a.check_commitment(&c.commitment).is_err());
        let other = DataKey::generate_with_salt().unwrap().0;
        let d = MessageKeys::derive(&other, 2, &[1; 32]).unwrap();
        assert_ne!(a.commitment, d.commitment);
    }

    #[test]
    fn nonces_differ_by_counter_and_kind() {
        assert_ne!(nonce(1, NONCE_SEGMENT), nonce(1, NONCE_FINAL));
        assert_ne!(nonce(0, NONCE_HEADER), nonce(0, NONCE_FINAL));
        assert_ne!(nonce(1, NONCE_SEGMENT), nonce(2, NONCE_SEGMENT));
        assert_eq!(nonce(0x0102, NONCE_FINAL)[9..], [1, 2, 1]);
    }

    #[test]
    fn data_key_debug_is_redacted() {
        let key = DataKey::from_unwrapped(&[0xAB; 32]).unwrap();
        let s = format!("{key:?}");
        assert!(
            !s.contains("171") && !s.contains("AB") && !s.contains("ab"),
            "{s}"
        );
        assert!(DataKey::from_unwrapped(&[0; 31]).is_err());
    }
}
