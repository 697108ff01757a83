//! Hashing a message with a signature algorithm's SHA-2 function, for `sign_data` and
//! `verify_data`.

use kv_jwk::{HashAlgorithm, SignatureAlgorithm};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::{Result, invalid_argument};

/// The digest of `data` under the hash function `algorithm` signs.
///
/// # Errors
/// `InvalidArgument` for `RSNULL` and algorithms this library does not know, which have no
/// hash function to apply.
pub fn digest_for(algorithm: &SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
    match algorithm.hash() {
        Some(HashAlgorithm::Sha256) => Ok(Sha256::digest(data).to_vec()),
        Some(HashAlgorithm::Sha384) => Ok(Sha384::digest(data).to_vec()),
        Some(HashAlgorithm::Sha512) => Ok(Sha512::digest(data).to_vec()),
        Some(HashAlgorithm::Sha1) | None => Err(invalid_argument(format!(
            "{algorithm} has no SHA-2 hash function to hash data with; sign a digest instead"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_the_algorithm() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let d = digest_for(&SignatureAlgorithm::Es256, b"abc").unwrap();
        assert_eq!(d[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(d.len(), 32);
        assert_eq!(
            digest_for(&SignatureAlgorithm::Ps384, b"abc")
                .unwrap()
                .len(),
            48
        );
        assert_eq!(
            digest_for(&SignatureAlgorithm::Rs512, b"abc")
                .unwrap()
                .len(),
            64
        );
        assert_eq!(digest_for(&SignatureAlgorithm::Es256K, b"abc").unwrap(), d);
    }

    #[test]
    fn rsnull_and_unknown_are_rejected() {
        assert!(digest_for(&SignatureAlgorithm::RsNull, b"x").is_err());
        assert!(digest_for(&SignatureAlgorithm::from("NEW"), b"x").is_err());
    }
}
