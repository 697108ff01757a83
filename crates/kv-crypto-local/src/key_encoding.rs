//! Private keys in DER: PKCS#1 and SEC1 inside PKCS#8, read and written with [`der`](crate::der).
//!
//! Reading serves the backends (aws-lc-rs and `rsa` hand generated RSA keys back as DER);
//! writing serves key export (key release wraps PKCS#8 for the target). Only two-prime RSA
//! and the four Key Vault curves; every failure is [`Error::InvalidKey`].

use zeroize::Zeroizing;

use crate::der::{Reader, Writer, oid};
use crate::provider::{EcCurve, EcKeyComponents, RsaKeyComponents};
use crate::{Error, Result};

/// The components of a PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2), two-prime only.
///
/// # Errors
/// `InvalidKey` when `der` is not exactly one well-formed two-prime `RSAPrivateKey`.
pub fn rsa_components_from_pkcs1(der: &[u8]) -> Result<RsaKeyComponents> {
    let mut outer = Reader::new(der);
    let mut key = outer.sequence()?;
    outer.finish()?;
    match key.small_unsigned()? {
        0 => {}
        1 => return Err(Error::InvalidKey("multi-prime RSA keys are not supported")),
        _ => return Err(Error::InvalidKey("unknown PKCS#1 RSAPrivateKey version")),
    }
    let n = key.unsigned_integer()?.to_vec();
    let e = key.unsigned_integer()?.to_vec();
    let mut secret =
        || -> Result<Zeroizing<Vec<u8>>> { Ok(Zeroizing::new(key.unsigned_integer()?.to_vec())) };
    let components = RsaKeyComponents {
        n,
        e,
        d: secret()?,
        p: secret()?,
        q: secret()?,
        dp: secret()?,
        dq: secret()?,
        qi: secret()?,
    };
    key.finish()?;
    Ok(components)
}

/// The components of an RSA key in a PKCS#8 `PrivateKeyInfo` (RFC 5208; version 0, no
/// attributes, algorithm `rsaEncryption` with NULL parameters).
///
/// # Errors
/// `InvalidKey` when `der` is anything else, or as [`rsa_components_from_pkcs1`].
pub fn rsa_components_from_pkcs8(der: &[u8]) -> Result<RsaKeyComponents> {
    let mut outer = Reader::new(der);
    let mut info = outer.sequence()?;
    outer.finish()?;
    if info.small_unsigned()? != 0 {
        return Err(Error::InvalidKey("unsupported PKCS#8 version"));
    }
    let mut algorithm = info.sequence()?;
    if algorithm.oid()? != oid::RSA_ENCRYPTION {
        return Err(Error::InvalidKey("PKCS#8 key is not an RSA key"));
    }
    algorithm.null()?;
    algorithm.finish()?;
    let pkcs1 = info.octet_string()?;
    info.finish()?;
    rsa_components_from_pkcs1(pkcs1)
}

/// The PKCS#1 `RSAPrivateKey` (two-prime, version 0) of `key`.
pub fn rsa_private_key_pkcs1(key: &RsaKeyComponents) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::new();
    w.sequence(|w| {
        w.small_unsigned(0);
        for part in [
            &key.n[..],
            &key.e[..],
            &key.d[..],
            &key.p[..],
            &key.q[..],
            &key.dp[..],
            &key.dq[..],
            &key.qi[..],
        ] {
            w.unsigned_integer(part);
        }
    });
    w.finish()
}

/// A PKCS#8 v1 `PrivateKeyInfo` around `private_key`.
fn pkcs8(algorithm: impl FnOnce(&mut Writer), private_key: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::new();
    w.sequence(|w| {
        w.small_unsigned(0);
        w.sequence(algorithm);
        w.octet_string(private_key);
    });
    w.finish()
}

/// The PKCS#8 `PrivateKeyInfo` of an RSA key: `rsaEncryption` (NULL parameters) around its
/// PKCS#1 `RSAPrivateKey`.
pub fn rsa_private_key_pkcs8(key: &RsaKeyComponents) -> Zeroizing<Vec<u8>> {
    let pkcs1 = rsa_private_key_pkcs1(key);
    pkcs8(
        |w| {
            w.oid(oid::RSA_ENCRYPTION);
            w.null();
        },
        &pkcs1,
    )
}

impl EcCurve {
    /// The named-curve object identifier (encoded contents; RFC 5480 §2.1.1.1).
    pub fn oid(self) -> &'static [u8] {
        match self {
            Self::P256 => oid::SECP256R1,
            Self::P256K => oid::SECP256K1,
            Self::P384 => oid::SECP384R1,
            Self::P521 => oid::SECP521R1,
        }
    }
}

/// The PKCS#8 `PrivateKeyInfo` of an EC key, as aws-lc writes it: `id-ecPublicKey` with the
/// named curve, around a SEC1 `ECPrivateKey` (RFC 5915: version 1, the scalar as one field
/// length, no parameters, the uncompressed public point as `[1]`).
///
/// # Errors
/// `InvalidKey` when a coordinate or the scalar is longer than the curve's field.
pub fn ec_private_key_pkcs8(key: &EcKeyComponents) -> Result<Zeroizing<Vec<u8>>> {
    let n = key.curve.field_len();
    let point = key.curve.sec1_uncompressed(&key.x, &key.y)?;
    let significant = key.d.iter().skip_while(|&&b| b == 0).count();
    if significant > n {
        return Err(Error::InvalidKey(
            "EC private scalar longer than the curve's field",
        ));
    }
    let mut scalar = Zeroizing::new(vec![0u8; n]);
    scalar[n - significant..].copy_from_slice(&key.d[key.d.len() - significant..]);
    let mut sec1 = Writer::new();
    sec1.sequence(|w| {
        w.small_unsigned(1);
        w.octet_string(&scalar);
        w.context(1, |w| w.bit_string(&point));
    });
    let sec1 = sec1.finish();
    Ok(pkcs8(
        |w| {
            w.oid(oid::EC_PUBLIC_KEY);
            w.oid(key.curve.oid());
        },
        &sec1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pkcs1::der::{Decode, Encode};
    use proptest::prelude::*;

    /// Components with each part's top bit set or clear, leading zeros or not, as proptest
    /// picks them (not a real key: the encodings do not care).
    fn arb_components() -> impl Strategy<Value = RsaKeyComponents> {
        let part = || proptest::collection::vec(any::<u8>(), 1..80);
        proptest::collection::vec(part(), 8).prop_map(|parts| {
            let s = |i: usize| Zeroizing::new(parts[i].clone());
            RsaKeyComponents {
                n: parts[0].clone(),
                e: parts[1].clone(),
                d: s(2),
                p: s(3),
                q: s(4),
                dp: s(5),
                dq: s(6),
                qi: s(7),
            }
        })
    }

    fn trimmed(bytes: &[u8]) -> Vec<u8> {
        let t: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
        if t.is_empty() { vec![0] } else { t }
    }

    /// The same key encoded by RustCrypto's `pkcs1` crate.
    fn reference_pkcs1(c: &RsaKeyComponents) -> Vec<u8> {
        let t = [&c.n[..], &c.e, &c.d, &c.p, &c.q, &c.dp, &c.dq, &c.qi].map(trimmed);
        fn uint(b: &[u8]) -> pkcs1::UintRef<'_> {
            pkcs1::UintRef::new(b).unwrap()
        }
        pkcs1::RsaPrivateKey {
            modulus: uint(&t[0]),
            public_exponent: uint(&t[1]),
            private_exponent: uint(&t[2]),
            prime1: uint(&t[3]),
            prime2: uint(&t[4]),
            exponent1: uint(&t[5]),
            exponent2: uint(&t[6]),
            coefficient: uint(&t[7]),
            other_prime_infos: None,
        }
        .to_der()
        .unwrap()
    }

    fn same(a: &RsaKeyComponents, b: &RsaKeyComponents) -> bool {
        [(&a.n[..], &b.n[..]), (&a.e, &b.e)]
            .iter()
            .chain(&[
                (&a.d[..], &b.d[..]),
                (&a.p, &b.p),
                (&a.q, &b.q),
                (&a.dp, &b.dp),
                (&a.dq, &b.dq),
                (&a.qi, &b.qi),
            ])
            .all(|(x, y)| trimmed(x) == trimmed(y))
    }

    proptest! {
        #[test]
        fn pkcs1_and_pkcs8_match_rustcrypto_and_round_trip(c in arb_components()) {
            let ours = rsa_private_key_pkcs1(&c);
            prop_assert_eq!(&ours[..], &reference_pkcs1(&c)[..]);
            prop_assert!(same(&rsa_components_from_pkcs1(&ours).unwrap(), &c));

            let ours8 = rsa_private_key_pkcs8(&c);
            let info = pkcs8::PrivateKeyInfoRef::from_der(&ours8).unwrap();
            prop_assert_eq!(info.algorithm.oid, pkcs1::ALGORITHM_OID);
            prop_assert_eq!(info.private_key.as_bytes(), &ours[..]);
            prop_assert_eq!(&info.to_der().unwrap()[..], &ours8[..]);
            prop_assert!(same(&rsa_components_from_pkcs8(&ours8).unwrap(), &c));
        }

        /// Whatever the reader accepts is canonical DER: it re-encodes to the same bytes.
        #[test]
        fn mutated_keys_never_panic_and_accepted_ones_are_canonical(
            c in arb_components(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = rsa_private_key_pkcs8(&c).to_vec();
            for (at, xor) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= xor;
            }
            if let Ok(back) = rsa_components_from_pkcs8(&bytes) {
                prop_assert_eq!(&rsa_private_key_pkcs8(&back)[..], &bytes[..]);
            }
            let pkcs1 = rsa_private_key_pkcs1(&c);
            let short = &pkcs1[..cut.index(pkcs1.len())];
            prop_assert!(rsa_components_from_pkcs1(short).is_err());
        }
    }

    #[test]
    fn multi_prime_and_other_algorithms_are_refused() {
        let c = RsaKeyComponents {
            n: vec![1],
            e: vec![3],
            ..Default::default()
        };
        let mut v1 = rsa_private_key_pkcs1(&c).to_vec();
        // Version 1 (multi-prime).
        assert_eq!(&v1[2..5], [0x02, 0x01, 0x00]);
        v1[4] = 1;
        assert_eq!(
            rsa_components_from_pkcs1(&v1).unwrap_err(),
            Error::InvalidKey("multi-prime RSA keys are not supported")
        );
        let ec = pkcs8(
            |w| {
                w.oid(oid::EC_PUBLIC_KEY);
                w.oid(oid::SECP256R1);
            },
            &rsa_private_key_pkcs1(&c),
        );
        assert!(rsa_components_from_pkcs8(&ec).is_err());
    }

    /// Generated keys of the compiled-in backends go through the reader (the aws-lc backend
    /// reads its own PKCS#8), and our PKCS#8 of a generated EC key is what aws-lc writes.
    #[cfg(feature = "aws-lc")]
    #[test]
    fn aws_lc_keys_read_and_write_identically() {
        use aws_lc_rs::encoding::{AsBigEndian, AsDer};
        use aws_lc_rs::signature::{self as sig, KeyPair};

        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let der = pair.as_der().unwrap();
        let c = rsa_components_from_pkcs8(der.as_ref()).unwrap();
        assert_eq!(&rsa_private_key_pkcs8(&c)[..], der.as_ref());

        for (curve, alg) in [
            (EcCurve::P256, &sig::ECDSA_P256_SHA256_FIXED_SIGNING),
            (EcCurve::P256K, &sig::ECDSA_P256K1_SHA256_FIXED_SIGNING),
            (EcCurve::P384, &sig::ECDSA_P384_SHA384_FIXED_SIGNING),
            (EcCurve::P521, &sig::ECDSA_P521_SHA512_FIXED_SIGNING),
        ] {
            let pair = sig::EcdsaKeyPair::generate(alg).unwrap();
            let n = curve.field_len();
            let point = pair.public_key().as_ref();
            let d = pair.private_key().as_be_bytes().unwrap();
            let key = EcKeyComponents {
                curve,
                x: point[1..=n].to_vec(),
                y: point[n + 1..].to_vec(),
                d: Zeroizing::new(d.as_ref().to_vec()),
            };
            let ours = ec_private_key_pkcs8(&key).unwrap();
            assert_eq!(&ours[..], pair.to_pkcs8v1().unwrap().as_ref(), "{curve:?}");
            assert!(sig::EcdsaKeyPair::from_pkcs8(alg, &ours).is_ok());
        }
    }
}
