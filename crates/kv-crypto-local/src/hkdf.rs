//! HKDF (RFC 5869) with SHA-256 or SHA-512, for callers that derive keys from a secret
//! (envelope encryption's per-message keys, the emulator's storage keys). One extract, then
//! any number of expands, so a caller deriving several keys from one secret pays for the
//! extract once.
//!
//! Both backends implement it; [`hkdf()`] uses aws-lc-rs when it is compiled in and
//! RustCrypto's `hkdf` otherwise, but for SHA-512 RustCrypto whenever it is compiled in
//! (it is the faster there, see [`HKDF_SHA512_BACKEND`]). Each backend is
//! also callable on its own ([`hkdf_aws_lc`], [`hkdf_rust_crypto`]) so tests can hold them
//! to each other.

use kv_jwk::HashAlgorithm;

use crate::error::{Error, Result};

/// One HKDF-Expand output: the `info` (concatenation of the parts) and the buffer to fill.
pub type HkdfOutput<'a, 'b> = (&'a [&'a [u8]], &'b mut [u8]);

/// HKDF with `hash`: extracts with `salt` from `ikm`, then fills each output's buffer with
/// the expansion of its `info`.
///
/// # Errors
/// `InvalidInput` when an output is longer than 255 hash lengths or `hash` is SHA-1 or
/// SHA-384 (not offered); `NoProvider` when neither backend is compiled in.
pub fn hkdf(
    hash: HashAlgorithm,
    salt: &[u8],
    ikm: &[u8],
    outputs: &mut [HkdfOutput<'_, '_>],
) -> Result<()> {
    // SHA-512 on RustCrypto when it is compiled in: measured faster, see
    // `HKDF_SHA512_BACKEND`. SHA-256 (not measured) stays on aws-lc-rs when present.
    #[cfg(all(feature = "aws-lc", feature = "rustcrypto"))]
    return if matches!(hash, HashAlgorithm::Sha512) {
        hkdf_rust_crypto(hash, salt, ikm, outputs)
    } else {
        hkdf_aws_lc(hash, salt, ikm, outputs)
    };
    #[cfg(all(feature = "aws-lc", not(feature = "rustcrypto")))]
    return hkdf_aws_lc(hash, salt, ikm, outputs);
    #[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
    return hkdf_rust_crypto(hash, salt, ikm, outputs);
    #[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
    {
        let _ = (hash, salt, ikm, outputs);
        Err(Error::NoProvider)
    }
}

/// The backend [`hkdf()`] runs for SHA-512 in this build: `"rustcrypto"` whenever that
/// feature is on, beside aws-lc or not, because it is the faster. Measured with `cargo bench
/// -p kv-envelope --bench message_cost` (AMD EPYC, 2026-12-06): the envelope's derivation
/// (one extract and two 32-byte outputs of HKDF-SHA-512, 10 SHA-512 compressions on either
/// backend, the same bytes: the tests below) takes 2.4 µs with RustCrypto (`hkdf` on `sha2`)
/// against 2.6 µs with aws-lc-rs ([`hkdf_aws_lc`], 3.0 µs when it was built on aws-lc-rs's
/// `hmac` API). The compressions cost the same on both (about 0.21 µs a block there:
/// aws-lc's generic SHA-512, its AVX code running on Intel only, and `sha2`'s AVX2 code);
/// the difference is aws-lc-rs's bookkeeping: it allocates each hash state (eight per
/// derivation: two per HMAC key, two per output block) and wipes and frees it on drop.
pub const HKDF_SHA512_BACKEND: &str = if cfg!(feature = "rustcrypto") {
    "rustcrypto"
} else if cfg!(feature = "aws-lc") {
    "aws-lc"
} else {
    "none"
};

/// HKDF-SHA-512 ([`hkdf()`] with SHA-512).
///
/// # Errors
/// As [`hkdf()`].
pub fn hkdf_sha512(salt: &[u8], ikm: &[u8], outputs: &mut [HkdfOutput<'_, '_>]) -> Result<()> {
    hkdf(HashAlgorithm::Sha512, salt, ikm, outputs)
}

/// HKDF-SHA-256 ([`hkdf()`] with SHA-256).
///
/// # Errors
/// As [`hkdf()`].
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], outputs: &mut [HkdfOutput<'_, '_>]) -> Result<()> {
    hkdf(HashAlgorithm::Sha256, salt, ikm, outputs)
}

#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
fn too_long() -> Error {
    Error::InvalidInput("HKDF output longer than 255 hash lengths")
}

#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
fn unsupported_hash() -> Error {
    Error::InvalidInput("HKDF is offered with SHA-256 and SHA-512 only")
}

/// HKDF with aws-lc-rs, with HMAC built on its SHA-2 hash states: the extract runs once and
/// the PRK's padded inner and outer key blocks are hashed once, then each hash-length block
/// of each output costs two compressions, starting from copies of those two states.
///
/// Not on aws-lc-rs's `hmac` API: its `Key` and `Context` carry a whole `HMAC_CTX` (three
/// hash states), copied and wiped for every key set-up, every context and every drop; for
/// the envelope's derivation (one extract, two 32-byte outputs of HKDF-SHA-512: 10
/// compressions either way) that took 3.0 µs against 2.6 µs here (see
/// [`HKDF_SHA512_BACKEND`]). Not on its `hkdf` API
/// either: `hkdf::Salt::extract` defers the extract to every `Okm::fill`, which runs the
/// whole of HKDF again (8 compressions per output instead of 2).
///
/// # Errors
/// As [`hkdf()`].
#[cfg(feature = "aws-lc")]
pub fn hkdf_aws_lc(
    hash: HashAlgorithm,
    salt: &[u8],
    ikm: &[u8],
    outputs: &mut [HkdfOutput<'_, '_>],
) -> Result<()> {
    use aws_lc_rs::digest::{SHA256, SHA512};
    use zeroize::Zeroizing;

    let algorithm = match hash {
        HashAlgorithm::Sha256 => &SHA256,
        HashAlgorithm::Sha512 => &SHA512,
        _ => return Err(unsupported_hash()),
    };
    let hash_len = algorithm.output_len();
    if outputs.iter().any(|(_, out)| out.len() > 255 * hash_len) {
        return Err(too_long());
    }
    // HKDF-Extract: PRK = HMAC(salt, IKM), kept in a wiped buffer.
    let mut prk = Zeroizing::new([0u8; 64]);
    prk[..hash_len].copy_from_slice(HmacKey::new(algorithm, salt).sign([ikm]).as_ref());
    let prk_key = HmacKey::new(algorithm, &prk[..hash_len]);
    // HKDF-Expand: T(i) = HMAC(PRK, T(i-1) | info | i), the output their concatenation.
    for (info, out) in outputs.iter_mut() {
        let mut previous = Zeroizing::new([0u8; 64]);
        for (i, block) in out.chunks_mut(hash_len).enumerate() {
            let counter = [u8::try_from(i + 1).map_err(|_| too_long())?];
            let chained: &[u8] = if i == 0 { &[] } else { &previous[..hash_len] };
            let parts = core::iter::once(chained)
                .chain(info.iter().copied())
                .chain([&counter[..]]);
            let tag = prk_key.clone().sign(parts);
            previous[..hash_len].copy_from_slice(tag.as_ref());
            block.copy_from_slice(&previous[..block.len()]);
        }
    }
    Ok(())
}

/// An HMAC key on aws-lc-rs's hash states: the states after hashing the padded key's inner
/// and outer blocks (RFC 2104), so each MAC starts from copies of them. The states hold
/// secrets; aws-lc wipes them when freed.
#[cfg(feature = "aws-lc")]
#[derive(Clone)]
struct HmacKey {
    inner: aws_lc_rs::digest::Context,
    outer: aws_lc_rs::digest::Context,
}

#[cfg(feature = "aws-lc")]
impl HmacKey {
    fn new(algorithm: &'static aws_lc_rs::digest::Algorithm, key: &[u8]) -> Self {
        use aws_lc_rs::digest::Context;
        let block_len = algorithm.block_len();
        let mut pad = zeroize::Zeroizing::new([0u8; 128]);
        if key.len() > block_len {
            // Keys longer than a block are hashed first.
            let hashed = aws_lc_rs::digest::digest(algorithm, key);
            pad[..hashed.as_ref().len()].copy_from_slice(hashed.as_ref());
        } else {
            pad[..key.len()].copy_from_slice(key);
        }
        let pad = &mut pad[..block_len];
        pad.iter_mut().for_each(|b| *b ^= 0x36);
        let mut inner = Context::new(algorithm);
        inner.update(pad);
        pad.iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
        let mut outer = Context::new(algorithm);
        outer.update(pad);
        Self { inner, outer }
    }

    /// The HMAC of the concatenation of `parts`; takes the states (clone the key to sign again).
    fn sign<'a>(self, parts: impl IntoIterator<Item = &'a [u8]>) -> aws_lc_rs::digest::Digest {
        let Self {
            mut inner,
            mut outer,
        } = self;
        for part in parts {
            inner.update(part);
        }
        outer.update(inner.finish().as_ref());
        outer.finish()
    }
}

/// HKDF with RustCrypto's `hkdf` and `sha2`.
///
/// # Errors
/// As [`hkdf()`].
#[cfg(feature = "rustcrypto")]
pub fn hkdf_rust_crypto(
    hash: HashAlgorithm,
    salt: &[u8],
    ikm: &[u8],
    outputs: &mut [HkdfOutput<'_, '_>],
) -> Result<()> {
    /// One HKDF-Expand of the extracted key, whichever the hash.
    type Expand<'a> =
        &'a dyn Fn(&[&[u8]], &mut [u8]) -> core::result::Result<(), hkdf::InvalidLength>;
    let (sha256, sha512);
    let expand: Expand<'_> = match hash {
        HashAlgorithm::Sha256 => {
            sha256 = hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), ikm);
            &|info, out| sha256.expand_multi_info(info, out)
        }
        HashAlgorithm::Sha512 => {
            sha512 = hkdf::Hkdf::<sha2::Sha512>::new(Some(salt), ikm);
            &|info, out| sha512.expand_multi_info(info, out)
        }
        _ => return Err(unsupported_hash()),
    };
    for (info, out) in outputs.iter_mut() {
        expand(info, out).map_err(|_| too_long())?;
    }
    Ok(())
}

#[cfg(all(test, feature = "aws-lc", feature = "rustcrypto"))]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 5869 test case 1's inputs with SHA-512; the output computed independently with
    /// Python's `cryptography` (OpenSSL's HKDF).
    #[test]
    fn known_answer_both_backends() {
        let ikm = unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        let salt = unhex("000102030405060708090a0b0c");
        let info = unhex("f0f1f2f3f4f5f6f7f8f9");
        let want = unhex(
            "832390086cda71fb47625bb5ceb168e4c8e26a1a16ed34d9fc7fe92c1481579338da362cb8d9f925d7cb",
        );
        for f in [hkdf_aws_lc, hkdf_rust_crypto] {
            let mut out = vec![0u8; want.len()];
            f(
                HashAlgorithm::Sha512,
                &salt,
                &ikm,
                &mut [(&[&info[..5], &info[5..]], &mut out)],
            )
            .unwrap();
            assert_eq!(out, want);
        }
        // RFC 5869 A.1 itself (SHA-256).
        let want = unhex(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        );
        for f in [hkdf_aws_lc, hkdf_rust_crypto] {
            let mut out = vec![0u8; want.len()];
            f(
                HashAlgorithm::Sha256,
                &salt,
                &ikm,
                &mut [(&[&info], &mut out)],
            )
            .unwrap();
            assert_eq!(out, want);
            assert!(
                f(
                    HashAlgorithm::Sha384,
                    &salt,
                    &ikm,
                    &mut [(&[&info], &mut out)]
                )
                .is_err()
            );
        }
    }

    #[test]
    fn backends_agree_and_bound_the_length() {
        let mut a = [[0u8; 32]; 2];
        let mut b = [[0u8; 32]; 2];
        let [a0, a1] = &mut a;
        hkdf_aws_lc(
            HashAlgorithm::Sha512,
            b"salt",
            b"ikm",
            &mut [(&[b"x"], a0), (&[b"y", b"z"], a1)],
        )
        .unwrap();
        let [b0, b1] = &mut b;
        hkdf_rust_crypto(
            HashAlgorithm::Sha512,
            b"salt",
            b"ikm",
            &mut [(&[b"x"], b0), (&[b"y", b"z"], b1)],
        )
        .unwrap();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
        // Several blocks, the last one partial, with an info in parts.
        let (mut long_a, mut long_b) = (vec![0u8; 3 * 64 + 17], vec![0u8; 3 * 64 + 17]);
        for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha512] {
            hkdf_aws_lc(hash, b"salt", b"ikm", &mut [(&[b"lo", b"ng"], &mut long_a)]).unwrap();
            hkdf_rust_crypto(hash, b"salt", b"ikm", &mut [(&[b"long"], &mut long_b)]).unwrap();
            assert_eq!(long_a, long_b);
        }
        // Salts (the extract's HMAC key) around both hashes' block lengths (64 and 128
        // bytes; longer keys are hashed first), an empty salt, and long input key material.
        for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha512] {
            for len in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
                let (salt, ikm) = (vec![0x5a; len], vec![0xa5; len + 200]);
                let (mut a, mut b) = ([[0u8; 70]; 2], [[0u8; 70]; 2]);
                let ([a0, a1], [b0, b1]) = (&mut a, &mut b);
                hkdf_aws_lc(hash, &salt, &ikm, &mut [(&[b"x"], a0), (&[], a1)]).unwrap();
                hkdf_rust_crypto(hash, &salt, &ikm, &mut [(&[b"x"], b0), (&[], b1)]).unwrap();
                assert_eq!(a, b, "{hash:?}, salt of {len} bytes");
            }
        }
        let mut huge = vec![0u8; 255 * 64 + 1];
        for f in [hkdf_aws_lc, hkdf_rust_crypto] {
            assert!(f(HashAlgorithm::Sha512, b"s", b"k", &mut [(&[], &mut huge)]).is_err());
        }
    }
}
