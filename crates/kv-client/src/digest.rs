//! Hashing a message with a signature algorithm's hash function, for `sign_data` and
//! `verify_data`. The hashing and the algorithm-to-hash mapping live in
//! [`kv_crypto_local::digest`]; this adapter only turns its errors into this crate's.

use kv_jwk::SignatureAlgorithm;

use crate::error::{Error, ErrorKind, Result, invalid_argument};

/// The digest of `data` under the hash function `algorithm` signs.
///
/// # Errors
/// `InvalidArgument` for `RSNULL`, ML-DSA and algorithms this library does not know, which
/// have no hash function to apply; `NotSupported` never in practice (SHA-2 is in every build).
pub fn digest_for(algorithm: &SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
    kv_crypto_local::digest::digest_for(algorithm, data).map_err(|e| match e {
        kv_crypto_local::Error::NoProvider => Error::new(ErrorKind::NotSupported, e.to_string()),
        _ => invalid_argument(format!(
            "{algorithm} has no SHA-2 hash function to hash data with; sign a digest instead"
        )),
    })
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
        for alg in [SignatureAlgorithm::RsNull, SignatureAlgorithm::from("NEW")] {
            let e = digest_for(&alg, b"x").unwrap_err();
            assert_eq!(e.kind(), &ErrorKind::InvalidArgument);
        }
    }
}
