//! Elliptic curve keys: [`JsonWebKey`] <-> `PublicKey` / `SecretKey` of `p256`, `p384`,
//! `p521` and `k256` (`elliptic-curve` 0.14).
//!
//! Imports are validated:
//! - `kty` must be `EC` or `EC-HSM`, and `crv` must name the requested curve.
//! - `x` and `y` must be exactly the curve's field length (32, 48 or 66 bytes). Shorter
//!   values are rejected rather than left-padded: RFC 7518 §6.2.1.2 requires the full length
//!   and Key Vault always sends it, so a short coordinate means a broken producer.
//! - The point must be on the curve and not the identity.
//! - For secret keys, `d` must also be exactly the field length, a valid non-zero scalar,
//!   and its public point must equal (`x`, `y`), which are required.
//!
//! Exports set `kty` to `EC` and emit fixed-length `x`, `y` and `d`.

use elliptic_curve::sec1::{FromSec1Point, ModulusSize, Sec1Point, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, FieldBytesSize, PublicKey, SecretKey,
};
use zeroize::Zeroizing;

use super::{require, require_family};
use crate::{Error, JsonWebKey, KeyCurveName, KeyFamily, KeyType, Result, SecretBytes};

mod sealed {
    pub trait Sealed {}
}

/// A curve with a JSON Web Key name, implemented for `p256::NistP256`, `p384::NistP384`,
/// `p521::NistP521` and `k256::Secp256k1`. Sealed.
pub trait JwkCurve: CurveArithmetic + sealed::Sealed {
    /// The curve's `crv` value.
    const CURVE: KeyCurveName;

    /// Length in bytes of a coordinate and of the secret scalar.
    const FIELD_LEN: usize;

    /// The public key with affine coordinates `x` and `y` (each exactly
    /// [`Self::FIELD_LEN`] bytes), if that point is on the curve and not the identity.
    #[doc(hidden)]
    fn public_key_from_coordinates(x: &[u8], y: &[u8]) -> Option<PublicKey<Self>>;

    /// The affine coordinates of `key`, each [`Self::FIELD_LEN`] bytes.
    #[doc(hidden)]
    fn coordinates_of(key: &PublicKey<Self>) -> (Vec<u8>, Vec<u8>);
}

fn from_coordinates<C>(x: &[u8], y: &[u8]) -> Option<PublicKey<C>>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let x = FieldBytes::<C>::try_from(x).ok()?;
    let y = FieldBytes::<C>::try_from(y).ok()?;
    let point = Sec1Point::<C>::from_affine_coordinates(&x, &y, false);
    PublicKey::<C>::from_sec1_point(&point).into_option()
}

fn coordinates<C>(key: &PublicKey<C>) -> (Vec<u8>, Vec<u8>)
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let point = key.to_sec1_point(false);
    match (point.x(), point.y()) {
        (Some(x), Some(y)) => (x.to_vec(), y.to_vec()),
        // A `PublicKey` is never the identity, and an uncompressed encoding always has
        // both coordinates.
        _ => unreachable!("uncompressed encoding of a non-identity point has x and y"),
    }
}

macro_rules! jwk_curve {
    ($curve:ty, $name:expr, $len:expr) => {
        impl sealed::Sealed for $curve {}

        impl JwkCurve for $curve {
            const CURVE: KeyCurveName = $name;
            const FIELD_LEN: usize = $len;

            fn public_key_from_coordinates(x: &[u8], y: &[u8]) -> Option<PublicKey<Self>> {
                from_coordinates::<Self>(x, y)
            }

            fn coordinates_of(key: &PublicKey<Self>) -> (Vec<u8>, Vec<u8>) {
                coordinates::<Self>(key)
            }
        }
    };
}

jwk_curve!(p256::NistP256, KeyCurveName::P256, 32);
jwk_curve!(k256::Secp256k1, KeyCurveName::P256K, 32);
jwk_curve!(p384::NistP384, KeyCurveName::P384, 48);
jwk_curve!(p521::NistP521, KeyCurveName::P521, 66);

/// Checks `kty` and `crv` for curve `C`.
fn check_curve<C: JwkCurve>(jwk: &JsonWebKey) -> Result<()> {
    require_family(jwk, KeyFamily::Ec)?;
    let crv = require(&jwk.crv, "crv")?;
    if *crv != C::CURVE {
        return Err(Error::UnsupportedCurve(crv.to_string()));
    }
    Ok(())
}

/// Builds the public key of `jwk` on curve `C` (`d`, if present, is ignored).
///
/// # Errors
/// [`Error::WrongKeyType`] / [`Error::MissingMember`] for a missing or non-EC `kty`;
/// [`Error::UnsupportedCurve`] when `crv` is not `C`'s; [`Error::MissingMember`] without
/// `x` or `y`; [`Error::InvalidKey`] for a coordinate of the wrong length or a point that
/// is not on the curve.
pub fn public_key_from_jwk<C: JwkCurve>(jwk: &JsonWebKey) -> Result<PublicKey<C>> {
    check_curve::<C>(jwk)?;
    let x = require(&jwk.x, "x")?;
    let y = require(&jwk.y, "y")?;
    if x.len() != C::FIELD_LEN || y.len() != C::FIELD_LEN {
        return Err(Error::InvalidKey(
            "EC coordinates `x` and `y` must be exactly the curve's field length",
        ));
    }
    C::public_key_from_coordinates(x, y)
        .ok_or(Error::InvalidKey("EC point (`x`, `y`) is not on the curve"))
}

/// Builds the secret key of `jwk` on curve `C`, checking that `d` matches `x` and `y`.
///
/// # Errors
/// Everything [`public_key_from_jwk`] returns; [`Error::MissingMember`] without `d`;
/// [`Error::InvalidKey`] when `d` has the wrong length, is zero or not below the group
/// order, or does not belong to (`x`, `y`).
pub fn secret_key_from_jwk<C: JwkCurve>(jwk: &JsonWebKey) -> Result<SecretKey<C>> {
    let public = public_key_from_jwk::<C>(jwk)?;
    let d = require(&jwk.d, "d")?;
    if d.len() != C::FIELD_LEN {
        return Err(Error::InvalidKey(
            "EC private key `d` must be exactly the curve's field length",
        ));
    }
    let secret = SecretKey::<C>::from_slice(d.expose_secret())
        .map_err(|_| Error::InvalidKey("EC private key `d` is not a valid scalar"))?;
    if secret.public_key() != public {
        return Err(Error::InvalidKey(
            "EC private key `d` does not match the public point (`x`, `y`)",
        ));
    }
    Ok(secret)
}

/// The public JSON Web Key of `key` (`kty` `EC`, `crv`, fixed-length `x` and `y`).
pub fn jwk_from_public_key<C: JwkCurve>(key: &PublicKey<C>) -> JsonWebKey {
    let (x, y) = C::coordinates_of(key);
    JsonWebKey {
        kty: Some(KeyType::Ec),
        crv: Some(C::CURVE),
        x: Some(x),
        y: Some(y),
        ..JsonWebKey::default()
    }
}

/// The private JSON Web Key of `key`: its public members plus the fixed-length scalar `d`.
pub fn jwk_from_secret_key<C: JwkCurve>(key: &SecretKey<C>) -> JsonWebKey {
    let d = Zeroizing::new(key.to_bytes());
    JsonWebKey {
        d: Some(SecretBytes::from_slice(&d)),
        ..jwk_from_public_key(&key.public_key())
    }
}

impl<C: JwkCurve> TryFrom<&JsonWebKey> for PublicKey<C> {
    type Error = Error;

    /// [`public_key_from_jwk`].
    fn try_from(jwk: &JsonWebKey) -> Result<Self> {
        public_key_from_jwk(jwk)
    }
}

impl<C: JwkCurve> TryFrom<&JsonWebKey> for SecretKey<C> {
    type Error = Error;

    /// [`secret_key_from_jwk`].
    fn try_from(jwk: &JsonWebKey) -> Result<Self> {
        secret_key_from_jwk(jwk)
    }
}

impl<C: JwkCurve> From<&PublicKey<C>> for JsonWebKey {
    /// [`jwk_from_public_key`].
    fn from(key: &PublicKey<C>) -> Self {
        jwk_from_public_key(key)
    }
}

impl<C: JwkCurve> From<&SecretKey<C>> for JsonWebKey {
    /// [`jwk_from_secret_key`].
    fn from(key: &SecretKey<C>) -> Self {
        jwk_from_secret_key(key)
    }
}

#[cfg(test)]
mod tests;
