//! HMAC (RFC 2104) with SHA-1 (legacy) and SHA-256/384/512, for callers that authenticate
//! with a shared secret (the emulator's storage SAS tokens) and for `HS256`/`HS384`/`HS512`
//! signatures with `oct` keys ([`crate::LocalKey::sign`]).
//!
//! Both backends implement it; [`hmac()`] uses aws-lc-rs when it is compiled in and
//! RustCrypto's `hmac` otherwise, like [`hkdf`](crate::hkdf). Each backend is also callable
//! on its own ([`hmac_aws_lc`], [`hmac_rust_crypto`]) so tests can hold them to each other.

use kv_jwk::HashAlgorithm;

#[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
use crate::error::Error;
use crate::error::Result;

/// The HMAC of `data` under `key` with `hash`.
///
/// # Errors
/// `NoProvider` when neither backend is compiled in.
pub fn hmac(hash: HashAlgorithm, key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    #[cfg(feature = "aws-lc")]
    return Ok(hmac_aws_lc(hash, key, data));
    #[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
    return Ok(hmac_rust_crypto(hash, key, data));
    #[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
    {
        let _ = (hash, key, data);
        Err(Error::NoProvider)
    }
}

/// HMAC-SHA-256 of `data` under `key`.
///
/// # Errors
/// As [`hmac()`].
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Result<[u8; 32]> {
    let tag = hmac(HashAlgorithm::Sha256, key, data)?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&tag);
    Ok(out)
}

/// Whether `tag` is the HMAC of `data` under `key` with `hash`. The comparison takes the
/// same time wherever the tags differ (each backend's own verify), so a caller checking
/// tags cannot be led to one byte by byte.
///
/// # Errors
/// `NoProvider` when neither backend is compiled in.
pub fn hmac_verify(hash: HashAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> Result<bool> {
    #[cfg(feature = "aws-lc")]
    return Ok(hmac_verify_aws_lc(hash, key, data, tag));
    #[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
    return Ok(hmac_verify_rust_crypto(hash, key, data, tag));
    #[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
    {
        let _ = (hash, key, data, tag);
        Err(Error::NoProvider)
    }
}

#[cfg(feature = "aws-lc")]
fn aws_lc_key(hash: HashAlgorithm, key: &[u8]) -> aws_lc_rs::hmac::Key {
    use aws_lc_rs::hmac;
    let alg = match hash {
        HashAlgorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        HashAlgorithm::Sha256 => hmac::HMAC_SHA256,
        HashAlgorithm::Sha384 => hmac::HMAC_SHA384,
        HashAlgorithm::Sha512 => hmac::HMAC_SHA512,
    };
    hmac::Key::new(alg, key)
}

/// HMAC with aws-lc-rs.
#[cfg(feature = "aws-lc")]
pub fn hmac_aws_lc(hash: HashAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    aws_lc_rs::hmac::sign(&aws_lc_key(hash, key), data)
        .as_ref()
        .to_vec()
}

/// [`hmac_verify`] with aws-lc-rs.
#[cfg(feature = "aws-lc")]
pub fn hmac_verify_aws_lc(hash: HashAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    aws_lc_rs::hmac::verify(&aws_lc_key(hash, key), data, tag).is_ok()
}

/// HMAC with RustCrypto's `hmac`, `sha1` and `sha2`.
#[cfg(feature = "rustcrypto")]
pub fn hmac_rust_crypto(hash: HashAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, KeyInit, Mac};

    fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        rust_crypto_keyed::<M>(key, data)
            .finalize()
            .into_bytes()
            .to_vec()
    }
    match hash {
        HashAlgorithm::Sha1 => run::<Hmac<sha1::Sha1>>(key, data),
        HashAlgorithm::Sha256 => run::<Hmac<sha2::Sha256>>(key, data),
        HashAlgorithm::Sha384 => run::<Hmac<sha2::Sha384>>(key, data),
        HashAlgorithm::Sha512 => run::<Hmac<sha2::Sha512>>(key, data),
    }
}

/// [`hmac_verify`] with RustCrypto's `hmac` (its `verify_slice` compares in constant time).
#[cfg(feature = "rustcrypto")]
pub fn hmac_verify_rust_crypto(hash: HashAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    use hmac::{Hmac, KeyInit, Mac};

    fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        rust_crypto_keyed::<M>(key, data).verify_slice(tag).is_ok()
    }
    match hash {
        HashAlgorithm::Sha1 => run::<Hmac<sha1::Sha1>>(key, data, tag),
        HashAlgorithm::Sha256 => run::<Hmac<sha2::Sha256>>(key, data, tag),
        HashAlgorithm::Sha384 => run::<Hmac<sha2::Sha384>>(key, data, tag),
        HashAlgorithm::Sha512 => run::<Hmac<sha2::Sha512>>(key, data, tag),
    }
}

/// The HMAC state keyed with `key` that has absorbed `data`. Any key length is valid for
/// HMAC, so `new_from_slice` cannot fail.
#[cfg(feature = "rustcrypto")]
fn rust_crypto_keyed<M: hmac::Mac + hmac::KeyInit>(key: &[u8], data: &[u8]) -> M {
    let mut mac = <M as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac
}

#[cfg(all(test, any(feature = "rustcrypto", feature = "aws-lc")))]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// An HMAC function of one backend.
    type HmacFn = fn(HashAlgorithm, &[u8], &[u8]) -> Vec<u8>;

    /// A verifying function of one backend.
    type VerifyFn = fn(HashAlgorithm, &[u8], &[u8], &[u8]) -> bool;

    /// Each compiled-in backend, then the dispatching [`hmac()`].
    fn backends() -> Vec<HmacFn> {
        vec![
            #[cfg(feature = "aws-lc")]
            hmac_aws_lc,
            #[cfg(feature = "rustcrypto")]
            hmac_rust_crypto,
            |h, k, d| hmac(h, k, d).unwrap(),
        ]
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than the block); SHA-1 rows from RFC 2202
    /// cases 1, 2 and 6's keys on RFC 4231's data (computed with Python's `hmac`, OpenSSL).
    #[test]
    fn rfc_4231_known_answers_on_every_backend() {
        let long_key = [0xaau8; 131];
        let cases: [(&[u8], &[u8], [&str; 4]); 3] = [
            (
                &[0x0b; 20],
                b"Hi There",
                [
                    "b617318655057264e28bc0b6fb378c8ef146be00",
                    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c\
                     faea9ea9076ede7f4af152e8b2fa9cb6",
                    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde\
                     daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
                ],
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                [
                    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
                    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
                     8e2240ca5e69e2c78b3239ecfab21649",
                    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
                     9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
                ],
            ),
            (
                &long_key,
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                [
                    "90d0dace1c1bdc957339307803160335bde6df2b",
                    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6\
                     0c2ef6ab4030fe8296248df163f44952",
                    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352\
                     6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
                ],
            ),
        ];
        let hashes = [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ];
        for f in backends() {
            for (key, data, want) in &cases {
                for (hash, want) in hashes.iter().zip(want) {
                    assert_eq!(f(*hash, key, data), unhex(want), "{hash:?}");
                }
            }
        }
        // Verification on every backend: the right tag, one flipped bit, a cut tag.
        let verifiers: Vec<VerifyFn> = vec![
            #[cfg(feature = "aws-lc")]
            hmac_verify_aws_lc,
            #[cfg(feature = "rustcrypto")]
            hmac_verify_rust_crypto,
            |h, k, d, t| hmac_verify(h, k, d, t).unwrap(),
        ];
        for verify in verifiers {
            for (key, data, want) in &cases {
                for (hash, want) in hashes.iter().zip(want) {
                    let mut tag = unhex(want);
                    assert!(verify(*hash, key, data, &tag), "{hash:?}");
                    assert!(!verify(*hash, key, data, &tag[..tag.len() - 1]), "{hash:?}");
                    tag[3] ^= 0x10;
                    assert!(!verify(*hash, key, data, &tag), "{hash:?}");
                }
            }
        }
        assert_eq!(
            hmac_sha256(b"Jefe", b"what do ya want for nothing?").unwrap()[..],
            unhex(cases[1].2[1])[..]
        );
    }
}
