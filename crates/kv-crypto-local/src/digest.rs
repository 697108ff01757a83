//! Message digests (SHA-1 for legacy checks, SHA-256/384/512), for callers that hash before
//! they sign or verify (`sign_data`/`verify_data`, JWS tokens) — the one place outside the
//! backends where a hash function is called.
//!
//! Both backends implement it; [`digest`] uses aws-lc-rs when it is compiled in and
//! RustCrypto's `sha1`/`sha2` otherwise, like [`hkdf`](crate::hkdf). With no backend at
//! all, [`digest`] says `NoProvider` (`sha2` is only compiled in with `rustcrypto`, so the
//! default aws-lc build carries one SHA-2, aws-lc's). Each backend is also callable on its
//! own ([`digest_aws_lc`], [`digest_rust_crypto`]) so tests can hold them to each other.
//! [`digest_for`] is the one home of "which hash does this JWS algorithm sign", and
//! [`jwk_thumbprint_sha256`] the one home of RFC 7638 thumbprints.

use kv_jwk::{HashAlgorithm, SignatureAlgorithm};

use crate::error::{Error, Result};

/// The digest of `data` under `hash`.
///
/// # Errors
/// `NoProvider` when neither backend is compiled in.
pub fn digest(hash: HashAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
    #[cfg(feature = "aws-lc")]
    return Ok(digest_aws_lc(hash, data));
    #[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
    return Ok(digest_rust_crypto(hash, data));
    #[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
    {
        let _ = (hash, data);
        Err(Error::NoProvider)
    }
}

/// The digest of `data` under the hash function signature algorithm `alg` signs
/// (SHA-256 for ES256/ES256K/RS256/PS256/HS256, and so on).
///
/// # Errors
/// `UnsupportedAlgorithm` when `alg` signs no digest of ours (RSNULL, ML-DSA, unknown names);
/// `NoProvider` as [`digest`].
pub fn digest_for(alg: &SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
    let hash = alg
        .hash()
        .ok_or_else(|| Error::unsupported(alg.as_str(), "the algorithm has no hash function"))?;
    digest(hash, data)
}

/// The RFC 7638 SHA-256 thumbprint of `jwk`: SHA-256 of
/// [`kv_jwk::thumbprint::canonical_input`].
///
/// # Errors
/// As [`canonical_input`](kv_jwk::thumbprint::canonical_input): `MissingMember` when `kty`
/// or a required member of the key type is absent, `WrongKeyType` for an unknown key type.
#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
pub fn jwk_thumbprint_sha256(jwk: &kv_jwk::JsonWebKey) -> kv_jwk::Result<[u8; 32]> {
    let input = kv_jwk::thumbprint::canonical_input(jwk)?;
    Ok(sha256(input.as_bytes()))
}

/// [`jwk_thumbprint_sha256`], base64url-encoded without padding (the usual `kid` form).
///
/// # Errors
/// As [`jwk_thumbprint_sha256`].
#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
pub fn jwk_thumbprint_sha256_base64url(jwk: &kv_jwk::JsonWebKey) -> kv_jwk::Result<String> {
    jwk_thumbprint_sha256(jwk).map(|digest| kv_jwk::base64url::encode(&digest))
}

/// SHA-256 of `data`.
#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
pub fn sha256(data: &[u8]) -> [u8; 32] {
    fixed(HashAlgorithm::Sha256, data)
}

/// SHA-384 of `data`.
#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
pub fn sha384(data: &[u8]) -> [u8; 48] {
    fixed(HashAlgorithm::Sha384, data)
}

/// SHA-512 of `data`.
#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
pub fn sha512(data: &[u8]) -> [u8; 64] {
    fixed(HashAlgorithm::Sha512, data)
}

#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
fn fixed<const N: usize>(hash: HashAlgorithm, data: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    #[cfg(feature = "aws-lc")]
    out.copy_from_slice(aws_lc_rs::digest::digest(aws_lc_alg(hash), data).as_ref());
    #[cfg(not(feature = "aws-lc"))]
    out.copy_from_slice(&sha2_digest(hash, data).expect("a SHA-2 hash"));
    out
}

#[cfg(feature = "aws-lc")]
fn aws_lc_alg(hash: HashAlgorithm) -> &'static aws_lc_rs::digest::Algorithm {
    use aws_lc_rs::digest;
    match hash {
        HashAlgorithm::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        HashAlgorithm::Sha256 => &digest::SHA256,
        HashAlgorithm::Sha384 => &digest::SHA384,
        HashAlgorithm::Sha512 => &digest::SHA512,
    }
}

/// The digest of `data` under `hash`, with aws-lc-rs.
#[cfg(feature = "aws-lc")]
pub fn digest_aws_lc(hash: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(aws_lc_alg(hash), data)
        .as_ref()
        .to_vec()
}

/// The digest of `data` under `hash`, with RustCrypto's `sha1` and `sha2`.
#[cfg(feature = "rustcrypto")]
pub fn digest_rust_crypto(hash: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    match hash {
        HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
        _ => sha2_digest(hash, data).expect("a SHA-2 hash"),
    }
}

/// SHA-2 with RustCrypto's `sha2`; `None` for SHA-1, which is not SHA-2.
#[cfg(feature = "rustcrypto")]
fn sha2_digest(hash: HashAlgorithm, data: &[u8]) -> Option<Vec<u8>> {
    use sha2::Digest;
    match hash {
        HashAlgorithm::Sha1 => None,
        HashAlgorithm::Sha256 => Some(sha2::Sha256::digest(data).to_vec()),
        HashAlgorithm::Sha384 => Some(sha2::Sha384::digest(data).to_vec()),
        HashAlgorithm::Sha512 => Some(sha2::Sha512::digest(data).to_vec()),
    }
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

    /// FIPS 180-2 appendix A/B/C and RFC 6234 §8.5: "abc", the two-block message and
    /// the empty string.
    const KAT: &[(HashAlgorithm, &str, &str)] = &[
        (
            HashAlgorithm::Sha1,
            "abc",
            "a9993e364706816aba3e25717850c26c9cd0d89d",
        ),
        (
            HashAlgorithm::Sha256,
            "abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            HashAlgorithm::Sha256,
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        ),
        (
            HashAlgorithm::Sha256,
            "",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            HashAlgorithm::Sha384,
            "abc",
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            HashAlgorithm::Sha512,
            "abc",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
        (
            HashAlgorithm::Sha512,
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018\
             501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
        ),
    ];

    /// A digest function of one backend.
    type DigestFn = fn(HashAlgorithm, &[u8]) -> Vec<u8>;

    /// Each compiled-in backend, then the dispatching [`digest`].
    fn backends() -> Vec<DigestFn> {
        vec![
            #[cfg(feature = "aws-lc")]
            digest_aws_lc,
            #[cfg(feature = "rustcrypto")]
            digest_rust_crypto,
            |h, d| digest(h, d).unwrap(),
        ]
    }

    #[test]
    fn known_answers_on_every_backend() {
        for f in backends() {
            for (hash, msg, want) in KAT {
                assert_eq!(f(*hash, msg.as_bytes()), unhex(want), "{hash:?} {msg:?}");
            }
        }
        assert_eq!(sha256(b"abc").to_vec(), unhex(KAT[1].2));
        assert_eq!(sha384(b"abc").to_vec(), unhex(KAT[4].2));
        assert_eq!(sha512(b"abc").to_vec(), unhex(KAT[5].2));
    }

    /// One million 'a's (FIPS 180-2 B.3): a long input through the one-shot path.
    #[test]
    fn million_a() {
        let data = vec![b'a'; 1_000_000];
        for f in backends() {
            assert_eq!(
                f(HashAlgorithm::Sha256, &data),
                unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
            );
        }
    }

    /// RFC 7638 §3.1: the RSA key of RFC 7517 Appendix A.1 and its thumbprint.
    #[test]
    fn rfc7638_section_3_1_thumbprint() {
        let jwk: kv_jwk::JsonWebKey = serde_json::from_str(
            r#"{
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        }"#,
        )
        .unwrap();
        assert_eq!(
            jwk_thumbprint_sha256_base64url(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        // An HSM key type hashes as its base type.
        let mut hsm = jwk.clone();
        hsm.kty = Some(kv_jwk::KeyType::RsaHsm);
        assert_eq!(
            jwk_thumbprint_sha256(&hsm).unwrap(),
            jwk_thumbprint_sha256(&jwk).unwrap()
        );
        // Known answer for oct: SHA-256 of its canonical form.
        let oct: kv_jwk::JsonWebKey =
            serde_json::from_str(r#"{"kty":"oct-HSM","k":"AAEC"}"#).unwrap();
        assert_eq!(
            jwk_thumbprint_sha256(&oct).unwrap(),
            sha256(br#"{"k":"AAEC","kty":"oct"}"#)
        );
        assert_eq!(
            jwk_thumbprint_sha256(&kv_jwk::JsonWebKey::default()).unwrap_err(),
            kv_jwk::Error::MissingMember("kty")
        );
    }

    #[test]
    fn digest_for_maps_the_algorithm_to_its_hash() {
        use SignatureAlgorithm as A;
        for (alg, hash) in [
            (A::Es256, HashAlgorithm::Sha256),
            (A::Es256K, HashAlgorithm::Sha256),
            (A::Rs256, HashAlgorithm::Sha256),
            (A::Ps256, HashAlgorithm::Sha256),
            (A::Es384, HashAlgorithm::Sha384),
            (A::Rs384, HashAlgorithm::Sha384),
            (A::Ps384, HashAlgorithm::Sha384),
            (A::Es512, HashAlgorithm::Sha512),
            (A::Rs512, HashAlgorithm::Sha512),
            (A::Ps512, HashAlgorithm::Sha512),
        ] {
            assert_eq!(
                digest_for(&alg, b"abc").unwrap(),
                digest(hash, b"abc").unwrap()
            );
        }
        for alg in [A::RsNull, A::MlDsa65, A::from("NEW")] {
            assert!(matches!(
                digest_for(&alg, b"x"),
                Err(Error::UnsupportedAlgorithm { .. })
            ));
        }
    }
}
