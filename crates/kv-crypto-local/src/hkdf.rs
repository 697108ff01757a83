//! HKDF-SHA-512 (RFC 5869), for callers that derive keys from a secret (envelope
//! encryption's per-message keys). One extract, then any number of expands, so a caller
//! deriving several keys from one secret pays for the extract once.
//!
//! Both backends implement it; [`hkdf_sha512`] uses aws-lc-rs when it is compiled in and
//! RustCrypto's `hkdf` otherwise. Each backend is also callable on its own
//! ([`hkdf_sha512_aws_lc`], [`hkdf_sha512_rust_crypto`]) so tests can hold them to each other.

use crate::error::{Error, Result};

/// One HKDF-Expand output: the `info` (concatenation of the parts) and the buffer to fill.
pub type HkdfOutput<'a, 'b> = (&'a [&'a [u8]], &'b mut [u8]);

/// HKDF-SHA-512: extracts with `salt` from `ikm`, then fills each output's buffer with the
/// expansion of its `info`.
///
/// # Errors
/// `InvalidInput` when an output is longer than 255 × 64 bytes; `NoProvider` when neither
/// backend is compiled in.
pub fn hkdf_sha512(salt: &[u8], ikm: &[u8], outputs: &mut [HkdfOutput<'_, '_>]) -> Result<()> {
    #[cfg(feature = "aws-lc")]
    return hkdf_sha512_aws_lc(salt, ikm, outputs);
    #[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
    return hkdf_sha512_rust_crypto(salt, ikm, outputs);
    #[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
    {
        let _ = (salt, ikm, outputs);
        Err(Error::NoProvider)
    }
}

#[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
fn too_long() -> Error {
    Error::InvalidInput("HKDF output longer than 255 hash lengths")
}

/// HKDF-SHA-512 with aws-lc-rs, built on its HMAC: the extract runs once and the PRK's
/// HMAC key (its padded inner and outer states) is set up once, then each 64-byte block of
/// each output costs two SHA-512 compressions. (aws-lc-rs's own `hkdf::Salt::extract`
/// defers the extract to every `Okm::fill`, which runs the whole of HKDF again and keys
/// HMAC twice: 8 compressions per output instead of 2, on top of 2 allocations.)
///
/// # Errors
/// As [`hkdf_sha512`].
#[cfg(feature = "aws-lc")]
pub fn hkdf_sha512_aws_lc(
    salt: &[u8],
    ikm: &[u8],
    outputs: &mut [HkdfOutput<'_, '_>],
) -> Result<()> {
    use aws_lc_rs::hmac::{Context, HMAC_SHA512, Key};
    use zeroize::Zeroizing;

    const HASH_LEN: usize = 64;
    if outputs.iter().any(|(_, out)| out.len() > 255 * HASH_LEN) {
        return Err(too_long());
    }
    // HKDF-Extract: PRK = HMAC(salt, IKM). Kept in a wiped buffer; the HMAC key made from
    // it is wiped by aws-lc when dropped.
    let prk = Zeroizing::new(
        <[u8; HASH_LEN]>::try_from(
            aws_lc_rs::hmac::sign(&Key::new(HMAC_SHA512, salt), ikm).as_ref(),
        )
        .map_err(|_| too_long())?,
    );
    let prk = Key::new(HMAC_SHA512, prk.as_slice());
    // HKDF-Expand: T(i) = HMAC(PRK, T(i-1) | info | i), the output their concatenation.
    for (info, out) in outputs.iter_mut() {
        let mut previous = Zeroizing::new([0u8; HASH_LEN]);
        for (i, block) in out.chunks_mut(HASH_LEN).enumerate() {
            let mut ctx = Context::with_key(&prk);
            if i > 0 {
                ctx.update(previous.as_slice());
            }
            for part in info.iter() {
                ctx.update(part);
            }
            ctx.update(&[u8::try_from(i + 1).map_err(|_| too_long())?]);
            previous.copy_from_slice(ctx.sign().as_ref());
            block.copy_from_slice(&previous[..block.len()]);
        }
    }
    Ok(())
}

/// HKDF-SHA-512 with RustCrypto's `hkdf` and `sha2`.
///
/// # Errors
/// As [`hkdf_sha512`].
#[cfg(feature = "rustcrypto")]
pub fn hkdf_sha512_rust_crypto(
    salt: &[u8],
    ikm: &[u8],
    outputs: &mut [HkdfOutput<'_, '_>],
) -> Result<()> {
    let hk = hkdf::Hkdf::<sha2::Sha512>::new(Some(salt), ikm);
    for (info, out) in outputs.iter_mut() {
        hk.expand_multi_info(info, out).map_err(|_| too_long())?;
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
        for f in [hkdf_sha512_aws_lc, hkdf_sha512_rust_crypto] {
            let mut out = vec![0u8; want.len()];
            f(&salt, &ikm, &mut [(&[&info[..5], &info[5..]], &mut out)]).unwrap();
            assert_eq!(out, want);
        }
    }

    #[test]
    fn backends_agree_and_bound_the_length() {
        let mut a = [[0u8; 32]; 2];
        let mut b = [[0u8; 32]; 2];
        let [a0, a1] = &mut a;
        hkdf_sha512_aws_lc(b"salt", b"ikm", &mut [(&[b"x"], a0), (&[b"y", b"z"], a1)]).unwrap();
        let [b0, b1] = &mut b;
        hkdf_sha512_rust_crypto(b"salt", b"ikm", &mut [(&[b"x"], b0), (&[b"y", b"z"], b1)])
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
        // Several blocks, the last one partial, with an info in parts.
        let (mut long_a, mut long_b) = (vec![0u8; 3 * 64 + 17], vec![0u8; 3 * 64 + 17]);
        hkdf_sha512_aws_lc(b"salt", b"ikm", &mut [(&[b"lo", b"ng"], &mut long_a)]).unwrap();
        hkdf_sha512_rust_crypto(b"salt", b"ikm", &mut [(&[b"long"], &mut long_b)]).unwrap();
        assert_eq!(long_a, long_b);
        let mut huge = vec![0u8; 255 * 64 + 1];
        assert!(hkdf_sha512_aws_lc(b"s", b"k", &mut [(&[], &mut huge)]).is_err());
        assert!(hkdf_sha512_rust_crypto(b"s", b"k", &mut [(&[], &mut huge)]).is_err());
    }
}
