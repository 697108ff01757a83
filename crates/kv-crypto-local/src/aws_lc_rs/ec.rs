//! ECDSA on aws-lc-rs: `sign_digest` / `verify_digest_sig` with fixed-length (P1363) signatures.

use core::fmt;

use aws_lc_rs::digest::Digest;
use aws_lc_rs::encoding::AsBigEndian;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, KeyPair, ParsedPublicKey,
};
use zeroize::Zeroizing;

use super::rsa::digest_alg;
use crate::provider::{EcCurve, EcKeyComponents, EcPrivateKey, EcProvider, EcPublicKey};
use crate::{Error, Result};

/// ECDSA with aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcEc;

fn algorithms(
    curve: EcCurve,
) -> (
    &'static EcdsaVerificationAlgorithm,
    &'static EcdsaSigningAlgorithm,
) {
    match curve {
        EcCurve::P256 => (
            &signature::ECDSA_P256_SHA256_FIXED,
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        ),
        EcCurve::P256K => (
            &signature::ECDSA_P256K1_SHA256_FIXED,
            &signature::ECDSA_P256K1_SHA256_FIXED_SIGNING,
        ),
        EcCurve::P384 => (
            &signature::ECDSA_P384_SHA384_FIXED,
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        ),
        EcCurve::P521 => (
            &signature::ECDSA_P521_SHA512_FIXED,
            &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
        ),
    }
}

fn import(curve: EcCurve, digest: &[u8]) -> Result<Digest> {
    Digest::import_less_safe(digest, digest_alg(curve.hash()))
        .map_err(|_| Error::InvalidInput("digest length does not match the curve's algorithm"))
}

struct Public {
    curve: EcCurve,
    key: ParsedPublicKey,
}

impl fmt::Debug for Public {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcEcPublic")
            .field("curve", &self.curve)
            .finish()
    }
}

impl Public {
    fn new(curve: EcCurve, sec1: &[u8]) -> Result<Self> {
        let key = ParsedPublicKey::new(algorithms(curve).0, sec1)
            .map_err(|_| Error::InvalidKey("EC point is not on the curve"))?;
        Ok(Self { curve, key })
    }
}

impl EcPublicKey for Public {
    fn curve(&self) -> EcCurve {
        self.curve
    }
    fn verify(&self, digest: &[u8], sig: &[u8]) -> Result<()> {
        let digest = import(self.curve, digest)?;
        if sig.len() != 2 * self.curve.field_len() {
            return Err(Error::CryptoFailure);
        }
        self.key
            .verify_digest_sig(&digest, sig)
            .map_err(|_| Error::CryptoFailure)
    }
}

struct Private {
    pair: EcdsaKeyPair,
    public: Public,
}

impl fmt::Debug for Private {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcEcPrivate")
            .field("curve", &self.public.curve)
            .finish_non_exhaustive()
    }
}

impl EcPublicKey for Private {
    fn curve(&self) -> EcCurve {
        self.public.curve
    }
    fn verify(&self, digest: &[u8], sig: &[u8]) -> Result<()> {
        self.public.verify(digest, sig)
    }
}

impl EcPrivateKey for Private {
    fn sign(&self, digest: &[u8]) -> Result<Vec<u8>> {
        let digest = import(self.public.curve, digest)?;
        let sig = self
            .pair
            .sign_digest(&digest)
            .map_err(|_| Error::CryptoFailure)?;
        Ok(sig.as_ref().to_vec())
    }
}

impl EcProvider for AwsLcEc {
    fn supports_curve(&self, _curve: EcCurve) -> bool {
        true
    }

    fn public_key(&self, curve: EcCurve, x: &[u8], y: &[u8]) -> Result<Box<dyn EcPublicKey>> {
        Ok(Box::new(Public::new(
            curve,
            &curve.sec1_uncompressed(x, y)?,
        )?))
    }

    fn private_key(&self, key: &EcKeyComponents) -> Result<Box<dyn EcPrivateKey>> {
        let sec1 = key.curve.sec1_uncompressed(&key.x, &key.y)?;
        if key.d.len() != key.curve.field_len() {
            return Err(Error::InvalidKey("EC private scalar of the wrong length"));
        }
        let pair =
            EcdsaKeyPair::from_private_key_and_public_key(algorithms(key.curve).1, &key.d, &sec1)
                .map_err(|_| Error::InvalidKey("EC private key rejected or inconsistent"))?;
        Ok(Box::new(Private {
            pair,
            public: Public::new(key.curve, &sec1)?,
        }))
    }

    fn generate(&self, curve: EcCurve) -> Result<EcKeyComponents> {
        let n = curve.field_len();
        let pair = EcdsaKeyPair::generate(algorithms(curve).1).map_err(|_| Error::Random)?;
        let d = pair
            .private_key()
            .as_be_bytes()
            .map_err(|_| Error::InvalidKey("EC key export failed"))?;
        let d = d.as_ref();
        let mut scalar = Zeroizing::new(vec![0u8; n]);
        let offset = n
            .checked_sub(d.len())
            .ok_or(Error::InvalidKey("EC private scalar too long"))?;
        scalar
            .get_mut(offset..)
            .ok_or(Error::InvalidKey("EC private scalar too long"))?
            .copy_from_slice(d);
        let public = pair.public_key().as_ref();
        let (Some(x), Some(y)) = (public.get(1..1 + n), public.get(1 + n..1 + 2 * n)) else {
            return Err(Error::InvalidKey("unexpected EC point encoding"));
        };
        Ok(EcKeyComponents {
            curve,
            x: x.to_vec(),
            y: y.to_vec(),
            d: scalar,
        })
    }
}
