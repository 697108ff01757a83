//! ECDSA on p256, k256, p384 and p521 (0.14): prehash sign and verify, raw `r||s` signatures.

use core::fmt;

use signature::hazmat::{PrehashSigner, PrehashVerifier};
use zeroize::Zeroizing;

use crate::provider::{EcCurve, EcKeyComponents, EcPrivateKey, EcProvider, EcPublicKey};
use crate::{Error, Result};

/// ECDSA with the RustCrypto curve crates.
#[derive(Debug)]
pub struct RustCryptoEc;

fn check_shapes(curve: EcCurve, digest: &[u8], signature: &[u8]) -> Result<()> {
    if digest.len() != curve.hash().output_len() {
        return Err(Error::InvalidInput(
            "digest length does not match the curve's algorithm",
        ));
    }
    if signature.len() != 2 * curve.field_len() {
        return Err(Error::CryptoFailure);
    }
    Ok(())
}

macro_rules! curve_keys {
    ($module:ident, $krate:ident, $curve:expr) => {
        mod $module {
            use super::*;
            use $krate::ecdsa::{Signature, SigningKey, VerifyingKey};

            #[derive(Debug)]
            pub(super) struct Public(VerifyingKey);

            pub(super) struct Private(SigningKey);

            impl fmt::Debug for Private {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.debug_struct("Private")
                        .field("curve", &$curve)
                        .finish_non_exhaustive()
                }
            }

            pub(super) fn public(x: &[u8], y: &[u8]) -> Result<Public> {
                let point = $curve.sec1_uncompressed(x, y)?;
                VerifyingKey::from_sec1_bytes(&point)
                    .map(Public)
                    .map_err(|_| Error::InvalidKey("EC point is not on the curve"))
            }

            pub(super) fn private(key: &EcKeyComponents) -> Result<Private> {
                let point = $curve.sec1_uncompressed(&key.x, &key.y)?;
                if key.d.len() != $curve.field_len() {
                    return Err(Error::InvalidKey("EC private scalar of the wrong length"));
                }
                let sk = SigningKey::from_slice(&key.d)
                    .map_err(|_| Error::InvalidKey("EC private scalar out of range"))?;
                if sk.verifying_key().to_sec1_point(false).as_bytes() != point.as_slice() {
                    return Err(Error::InvalidKey(
                        "EC private scalar does not match the public point",
                    ));
                }
                Ok(Private(sk))
            }

            pub(super) fn generate() -> Result<EcKeyComponents> {
                let n = $curve.field_len();
                for _ in 0..64 {
                    let mut d = Zeroizing::new(vec![0u8; n]);
                    getrandom::fill(&mut d).map_err(|_| Error::Random)?;
                    if $curve == EcCurve::P521 {
                        if let Some(first) = d.first_mut() {
                            *first &= 0x01;
                        }
                    }
                    let Ok(sk) = SigningKey::from_slice(&d) else {
                        continue;
                    };
                    let point = sk.verifying_key().to_sec1_point(false);
                    let bytes = point.as_bytes();
                    let (Some(x), Some(y)) = (bytes.get(1..1 + n), bytes.get(1 + n..1 + 2 * n))
                    else {
                        return Err(Error::InvalidKey("unexpected EC point encoding"));
                    };
                    return Ok(EcKeyComponents {
                        curve: $curve,
                        x: x.to_vec(),
                        y: y.to_vec(),
                        d,
                    });
                }
                Err(Error::Random)
            }

            fn verify_with(vk: &VerifyingKey, digest: &[u8], signature: &[u8]) -> Result<()> {
                check_shapes($curve, digest, signature)?;
                let sig = Signature::from_slice(signature).map_err(|_| Error::CryptoFailure)?;
                // ECDSA accepts (r, s) exactly when it accepts (r, n - s); k256 insists on low s,
                // the service does not.
                let sig = sig.normalize_s();
                vk.verify_prehash(digest, &sig)
                    .map_err(|_| Error::CryptoFailure)
            }

            impl EcPublicKey for Public {
                fn curve(&self) -> EcCurve {
                    $curve
                }
                fn verify(&self, digest: &[u8], signature: &[u8]) -> Result<()> {
                    verify_with(&self.0, digest, signature)
                }
            }

            impl EcPublicKey for Private {
                fn curve(&self) -> EcCurve {
                    $curve
                }
                fn verify(&self, digest: &[u8], signature: &[u8]) -> Result<()> {
                    verify_with(self.0.verifying_key(), digest, signature)
                }
            }

            impl EcPrivateKey for Private {
                fn sign(&self, digest: &[u8]) -> Result<Vec<u8>> {
                    if digest.len() != $curve.hash().output_len() {
                        return Err(Error::InvalidInput(
                            "digest length does not match the curve's algorithm",
                        ));
                    }
                    let sig: Signature = self
                        .0
                        .sign_prehash(digest)
                        .map_err(|_| Error::CryptoFailure)?;
                    Ok(sig.to_bytes().to_vec())
                }
            }
        }
    };
}

curve_keys!(nist_p256, p256, EcCurve::P256);
curve_keys!(secp256k1, k256, EcCurve::P256K);
curve_keys!(nist_p384, p384, EcCurve::P384);
curve_keys!(nist_p521, p521, EcCurve::P521);

impl EcProvider for RustCryptoEc {
    fn supports_curve(&self, _curve: EcCurve) -> bool {
        true
    }

    fn public_key(&self, curve: EcCurve, x: &[u8], y: &[u8]) -> Result<Box<dyn EcPublicKey>> {
        Ok(match curve {
            EcCurve::P256 => Box::new(nist_p256::public(x, y)?),
            EcCurve::P256K => Box::new(secp256k1::public(x, y)?),
            EcCurve::P384 => Box::new(nist_p384::public(x, y)?),
            EcCurve::P521 => Box::new(nist_p521::public(x, y)?),
        })
    }

    fn private_key(&self, key: &EcKeyComponents) -> Result<Box<dyn EcPrivateKey>> {
        Ok(match key.curve {
            EcCurve::P256 => Box::new(nist_p256::private(key)?),
            EcCurve::P256K => Box::new(secp256k1::private(key)?),
            EcCurve::P384 => Box::new(nist_p384::private(key)?),
            EcCurve::P521 => Box::new(nist_p521::private(key)?),
        })
    }

    fn generate(&self, curve: EcCurve) -> Result<EcKeyComponents> {
        match curve {
            EcCurve::P256 => nist_p256::generate(),
            EcCurve::P256K => secp256k1::generate(),
            EcCurve::P384 => nist_p384::generate(),
            EcCurve::P521 => nist_p521::generate(),
        }
    }
}
