//! RSA keys: [`JsonWebKey`] <-> [`RsaPublicKey`] / [`RsaPrivateKey`] (`rsa` 0.10).
//!
//! Imports are validated:
//! - `kty` must be `RSA` or `RSA-HSM`; `n` and `e` must be present. Leading zero bytes of
//!   `n` and `e` are ignored.
//! - The modulus size must lie within [`RsaImportOptions`] (2048..=8192 bits by default;
//!   lower `min_bits` explicitly for legacy keys and test vectors).
//! - For private keys, `d` is required. `p` and `q` come both or not at all; without them
//!   the primes are recovered from `n`, `e` and `d` (NIST SP 800-56B Appendix C.2, which
//!   needs `e > 2^16`). The key is checked with `rsa`'s own validation (`n = p·q`,
//!   `d·e ≡ 1 mod (p-1)` and `mod (q-1)`, `d < n`), and any `dp`, `dq`, `qi` present must
//!   equal the values derived from `d`, `p` and `q`.
//!
//! Exports set `kty` to `RSA` and emit minimal big-endian integers; private exports carry
//! every CRT member (`d`, `p`, `q`, `dp`, `dq`, `qi`).
//!
//! Multi-prime keys (`oth`) are not supported either way.

use ::rsa::traits::{PrivateKeyParts, PublicKeyParts};
// `rsa` 0.10 deprecates the `Rsa*` aliases; the types are the same.
use ::rsa::{BoxedUint, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{require, require_family, trim_leading_zeros};
use crate::{Error, JsonWebKey, KeyFamily, KeyType, Result, SecretBytes};

/// Smallest RSA modulus accepted by default, in bits.
pub const DEFAULT_MIN_RSA_BITS: usize = 2048;

/// Largest RSA modulus accepted by default, in bits (bounds the cost of validating an
/// untrusted key).
pub const DEFAULT_MAX_RSA_BITS: usize = 8192;

/// Modulus size policy for importing RSA keys from a [`JsonWebKey`].
///
/// ```
/// use kv_jwk::convert::rsa::RsaImportOptions;
/// // Accept 1024-bit keys, e.g. for published test vectors.
/// let legacy = RsaImportOptions { min_bits: 1024, ..Default::default() };
/// assert_eq!(legacy.max_bits, 8192);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaImportOptions {
    /// Smallest modulus accepted, in bits (default [`DEFAULT_MIN_RSA_BITS`]).
    pub min_bits: usize,
    /// Largest modulus accepted, in bits (default [`DEFAULT_MAX_RSA_BITS`]).
    pub max_bits: usize,
}

impl Default for RsaImportOptions {
    fn default() -> Self {
        Self {
            min_bits: DEFAULT_MIN_RSA_BITS,
            max_bits: DEFAULT_MAX_RSA_BITS,
        }
    }
}

/// Builds the RSA public key of `jwk` (private members, if any, are ignored).
///
/// # Errors
/// [`Error::WrongKeyType`] or [`Error::MissingMember`] when `kty` is not an RSA type;
/// [`Error::MissingMember`] without `n` or `e`; [`Error::KeyTooSmall`] /
/// [`Error::KeyTooLarge`] outside `options`; [`Error::InvalidKey`] for an even or zero
/// modulus or an exponent out of range.
pub fn public_key_from_jwk(jwk: &JsonWebKey, options: &RsaImportOptions) -> Result<RsaPublicKey> {
    require_family(jwk, KeyFamily::Rsa)?;
    let n = trim_leading_zeros(require(&jwk.n, "n")?);
    let e = trim_leading_zeros(require(&jwk.e, "e")?);
    let bits = match n.first() {
        Some(&top) => (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => return Err(Error::InvalidKey("RSA modulus `n` is zero")),
    };
    if bits < options.min_bits {
        return Err(Error::KeyTooSmall {
            bits,
            min_bits: options.min_bits,
        });
    }
    if bits > options.max_bits {
        return Err(Error::KeyTooLarge {
            bits,
            max_bits: options.max_bits,
        });
    }
    // `rsa` bounds e to 2..2^33; anything longer than 8 bytes is out of range anyway and
    // must not reach the bignum code.
    if e.is_empty() || e.len() > 8 {
        return Err(Error::InvalidKey("RSA public exponent `e` is out of range"));
    }
    RsaPublicKey::new_with_size_limits(
        BoxedUint::from_be_slice_vartime(n),
        BoxedUint::from_be_slice_vartime(e),
        options.min_bits..=options.max_bits,
    )
    .map_err(|err| match err {
        ::rsa::Error::PublicExponentTooSmall
        | ::rsa::Error::PublicExponentTooLarge
        | ::rsa::Error::InvalidExponent => {
            Error::InvalidKey("RSA public exponent `e` is out of range or even")
        }
        ::rsa::Error::InvalidArguments => Error::InvalidKey("RSA size limits are empty"),
        _ => Error::InvalidKey("RSA modulus `n` is invalid"),
    })
}

/// Builds the RSA private key of `jwk`, checking every private member against the
/// public ones (see the [module docs](self)).
///
/// # Errors
/// Everything [`public_key_from_jwk`] returns; [`Error::MissingMember`] without `d`;
/// [`Error::InvalidKey`] when the private members are malformed or inconsistent, when only
/// one of `p`/`q` is present, when CRT members come without the primes, or when the primes
/// cannot be recovered from `n`, `e` and `d`.
pub fn private_key_from_jwk(jwk: &JsonWebKey, options: &RsaImportOptions) -> Result<RsaPrivateKey> {
    let public = public_key_from_jwk(jwk, options)?;
    let n_len = public.size();
    let precision = public.n_bits_precision();

    let d = secret_uint(require(&jwk.d, "d")?, n_len, precision, "d")?;
    if d.is_zero().to_bool() {
        // Checked here because prime recovery does arithmetic on `d·e - 1`.
        return Err(Error::InvalidKey("RSA private exponent `d` is zero"));
    }
    let primes = match (&jwk.p, &jwk.q) {
        (Some(p), Some(q)) => vec![
            secret_uint(p, n_len, precision, "p")?,
            secret_uint(q, n_len, precision, "q")?,
        ],
        (None, None) => {
            if jwk.dp.is_some() || jwk.dq.is_some() || jwk.qi.is_some() {
                return Err(Error::InvalidKey(
                    "RSA CRT members `dp`, `dq`, `qi` need the primes `p` and `q`",
                ));
            }
            Vec::new()
        }
        _ => {
            return Err(Error::InvalidKey(
                "RSA primes `p` and `q` must both be present or both absent",
            ));
        }
    };
    let recovering = primes.is_empty();
    let n = public.n().as_ref().clone();
    let e = public.e().clone();
    let key = RsaPrivateKey::from_components(n, e, d, primes).map_err(|err| match err {
        ::rsa::Error::InvalidArguments if recovering => Error::InvalidKey(
            "cannot recover RSA primes from `n`, `e` and `d`; include `p` and `q`",
        ),
        ::rsa::Error::InvalidModulus => {
            Error::InvalidKey("RSA primes `p` and `q` do not multiply to `n`")
        }
        ::rsa::Error::InvalidPrime | ::rsa::Error::NprimesTooSmall => {
            Error::InvalidKey("RSA primes `p` and `q` are invalid")
        }
        _ => Error::InvalidKey("RSA private exponent `d` does not match `n` and `e`"),
    })?;

    check_crt_member(
        jwk.dp.as_ref(),
        key.dp(),
        "RSA `dp` does not match `d` and `p`",
    )?;
    check_crt_member(
        jwk.dq.as_ref(),
        key.dq(),
        "RSA `dq` does not match `d` and `q`",
    )?;
    if let Some(qi) = &jwk.qi {
        let expected = key.crt_coefficient().map(Zeroizing::new);
        check_crt_member(
            Some(qi),
            expected.as_deref(),
            "RSA `qi` does not match `p` and `q`",
        )?;
    }
    Ok(key)
}

/// The public JSON Web Key of `key` (`kty` `RSA`, minimal big-endian `n` and `e`).
pub fn jwk_from_public_key(key: &RsaPublicKey) -> JsonWebKey {
    JsonWebKey {
        kty: Some(KeyType::Rsa),
        n: Some(key.n_bytes().into_vec()),
        e: Some(key.e_bytes().into_vec()),
        ..JsonWebKey::default()
    }
}

/// The private JSON Web Key of `key`: `n`, `e` and every private member (`d`, `p`, `q`,
/// `dp`, `dq`, `qi`), minimal big-endian, `kty` `RSA`.
///
/// # Errors
/// [`Error::InvalidKey`] for a multi-prime key, or one whose CRT values cannot be computed.
pub fn jwk_from_private_key(key: &RsaPrivateKey) -> Result<JsonWebKey> {
    let [p, q] = key.primes() else {
        return Err(Error::InvalidKey(
            "multi-prime RSA keys have no JSON Web Key form here",
        ));
    };
    let precomputed;
    let crt_source = if key.dp().is_some() && key.dq().is_some() {
        key
    } else {
        let mut copy = key.clone();
        copy.precompute()
            .map_err(|_| Error::InvalidKey("RSA CRT values cannot be computed"))?;
        precomputed = copy;
        &precomputed
    };
    let (Some(dp), Some(dq), Some(qi)) = (
        crt_source.dp(),
        crt_source.dq(),
        key.crt_coefficient().map(Zeroizing::new),
    ) else {
        return Err(Error::InvalidKey("RSA CRT values cannot be computed"));
    };
    Ok(JsonWebKey {
        d: Some(secret(key.d())),
        p: Some(secret(p)),
        q: Some(secret(q)),
        dp: Some(secret(dp)),
        dq: Some(secret(dq)),
        qi: Some(secret(&qi)),
        ..jwk_from_public_key(key.as_public_key())
    })
}

/// Minimal big-endian bytes of a secret integer, straight into a zeroizing buffer.
fn secret(value: &BoxedUint) -> SecretBytes {
    SecretBytes::new(value.to_be_bytes_trimmed_vartime().into_vec())
}

/// `bytes` left-padded with zeros to `len`, or `None` if the value needs more than `len`
/// bytes. Leading zero bytes beyond `len` are accepted.
fn left_pad(bytes: &[u8], len: usize) -> Option<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    if bytes.len() > len {
        let (excess, tail) = bytes.split_at(bytes.len() - len);
        if excess.iter().any(|&b| b != 0) {
            return None;
        }
        out.copy_from_slice(tail);
    } else {
        out.get_mut(len - bytes.len()..)?.copy_from_slice(bytes);
    }
    Some(out)
}

/// Decodes a secret member at the modulus' precision.
fn secret_uint(
    value: &SecretBytes,
    n_len: usize,
    precision: u32,
    member: &'static str,
) -> Result<BoxedUint> {
    let too_long = match member {
        "d" => "RSA private exponent `d` is longer than the modulus",
        _ => "RSA prime is longer than the modulus",
    };
    let padded = left_pad(value.expose_secret(), n_len).ok_or(Error::InvalidKey(too_long))?;
    BoxedUint::from_be_slice(&padded, precision).map_err(|_| Error::InvalidKey(too_long))
}

/// Checks an optional CRT member against the value derived from the key.
fn check_crt_member(
    given: Option<&SecretBytes>,
    expected: Option<&BoxedUint>,
    message: &'static str,
) -> Result<()> {
    let Some(given) = given else {
        return Ok(());
    };
    let expected = expected.ok_or(Error::InvalidKey(message))?;
    let expected = Zeroizing::new(expected.to_be_bytes());
    let padded =
        left_pad(given.expose_secret(), expected.len()).ok_or(Error::InvalidKey(message))?;
    if bool::from(padded.as_slice().ct_eq(&expected[..])) {
        Ok(())
    } else {
        Err(Error::InvalidKey(message))
    }
}

impl TryFrom<&JsonWebKey> for RsaPublicKey {
    type Error = Error;

    /// [`public_key_from_jwk`] with the default [`RsaImportOptions`].
    fn try_from(jwk: &JsonWebKey) -> Result<Self> {
        public_key_from_jwk(jwk, &RsaImportOptions::default())
    }
}

impl TryFrom<&JsonWebKey> for RsaPrivateKey {
    type Error = Error;

    /// [`private_key_from_jwk`] with the default [`RsaImportOptions`].
    fn try_from(jwk: &JsonWebKey) -> Result<Self> {
        private_key_from_jwk(jwk, &RsaImportOptions::default())
    }
}

impl From<&RsaPublicKey> for JsonWebKey {
    /// [`jwk_from_public_key`].
    fn from(key: &RsaPublicKey) -> Self {
        jwk_from_public_key(key)
    }
}

impl TryFrom<&RsaPrivateKey> for JsonWebKey {
    type Error = Error;

    /// [`jwk_from_private_key`].
    fn try_from(key: &RsaPrivateKey) -> Result<Self> {
        jwk_from_private_key(key)
    }
}

#[cfg(test)]
mod tests;
