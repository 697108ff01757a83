//! Key material: what to generate (from create parameters or an existing key), generation
//! and import checks, all through `kv-crypto-local`'s provider.

use kv_crypto_local::LocalKey;
use kv_crypto_local::provider::EcCurve;
use kv_jwk::{
    JsonWebKey, KeyCurveName, KeyFamily, KeyOperation, KeyType, SecretBytes, SignatureAlgorithm,
};
use kv_protocol::KeyCreateParameters;

use crate::error::ApiError;

/// RSA modulus sizes the emulator generates.
pub const RSA_SIZES: [u32; 3] = [2048, 3072, 4096];
/// AES key sizes in bits for oct keys.
pub const OCT_SIZES: [u32; 3] = [128, 192, 256];
const DEFAULT_EXPONENT: u32 = 65_537;

/// What kind of key to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySpec {
    /// The key type to report (keeps `-HSM`).
    pub kty: KeyType,
    /// Family-specific shape.
    pub shape: Shape,
}

/// Family-specific parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// RSA with a modulus size and public exponent.
    Rsa {
        /// Modulus bits.
        bits: u32,
        /// Public exponent.
        exponent: u32,
    },
    /// EC on a curve.
    Ec(EcCurve),
    /// AES key of this many bits.
    Oct(u32),
    /// ML-DSA key of this parameter set (`ML-DSA-44`, `ML-DSA-65`, `ML-DSA-87`).
    MlDsa(SignatureAlgorithm),
}

fn ml_dsa(alg: Option<&SignatureAlgorithm>) -> Result<SignatureAlgorithm, ApiError> {
    match alg {
        Some(alg) if alg.is_ml_dsa() => Ok(alg.clone()),
        Some(other) => Err(ApiError::bad(format!(
            "The algorithm `{other}` is not supported for AKP keys; use ML-DSA-44, ML-DSA-65 or ML-DSA-87."
        ))),
        None => Err(ApiError::bad(
            "AKP keys need `alg`: ML-DSA-44, ML-DSA-65 or ML-DSA-87.",
        )),
    }
}

fn curve(crv: &KeyCurveName) -> Result<EcCurve, ApiError> {
    match crv {
        KeyCurveName::P256 => Ok(EcCurve::P256),
        KeyCurveName::P256K => Ok(EcCurve::P256K),
        KeyCurveName::P384 => Ok(EcCurve::P384),
        KeyCurveName::P521 => Ok(EcCurve::P521),
        other => Err(ApiError::bad(format!(
            "The curve `{other}` is not supported."
        ))),
    }
}

fn curve_name(curve: EcCurve) -> KeyCurveName {
    match curve {
        EcCurve::P256 => KeyCurveName::P256,
        EcCurve::P256K => KeyCurveName::P256K,
        EcCurve::P384 => KeyCurveName::P384,
        EcCurve::P521 => KeyCurveName::P521,
    }
}

fn family(kty: &KeyType) -> Result<KeyFamily, ApiError> {
    kty.family()
        .ok_or_else(|| ApiError::bad(format!("The key type `{kty}` is not supported.")))
}

impl KeySpec {
    /// The key CreateKey asks for, with the service's defaults and ranges.
    pub fn from_create(params: &KeyCreateParameters) -> Result<Self, ApiError> {
        let shape = match family(&params.kty)? {
            KeyFamily::Rsa => {
                let bits = params.key_size.unwrap_or(2048);
                if !RSA_SIZES.contains(&bits) {
                    return Err(ApiError::bad(format!(
                        "RSA key size {bits} is not supported; use 2048, 3072 or 4096."
                    )));
                }
                let exponent = params.public_exponent.unwrap_or(DEFAULT_EXPONENT);
                if exponent < 3 || exponent.is_multiple_of(2) {
                    return Err(ApiError::bad(
                        "The RSA public exponent must be odd and at least 3.",
                    ));
                }
                Shape::Rsa { bits, exponent }
            }
            KeyFamily::Ec => {
                if params.key_size.is_some() {
                    return Err(ApiError::bad("key_size is not valid for EC keys; use crv."));
                }
                Shape::Ec(curve(params.crv.as_ref().unwrap_or(&KeyCurveName::P256))?)
            }
            KeyFamily::Oct => {
                let bits = params.key_size.unwrap_or(256);
                if !OCT_SIZES.contains(&bits) {
                    // The Managed HSM's wording (Java `createOctKeyWithInvalidSize`).
                    return Err(ApiError::bad(crate::error::with_activity_id(&format!(
                        "Invalid key size: '{bits}'"
                    ))));
                }
                Shape::Oct(bits)
            }
            KeyFamily::Akp => {
                if params.key_size.is_some() || params.crv.is_some() {
                    return Err(ApiError::bad(
                        "key_size and crv are not valid for AKP keys; use alg.",
                    ));
                }
                Shape::MlDsa(ml_dsa(params.alg.as_ref())?)
            }
        };
        if params.alg.is_some() && !matches!(shape, Shape::MlDsa(_)) {
            return Err(ApiError::bad("alg is only valid for AKP keys."));
        }
        // The 2026-05-01-preview CreateKey example asks for `AKP` and is answered `AKP-HSM`:
        // ML-DSA private keys live in the HSM.
        let kty = if matches!(shape, Shape::MlDsa(_)) {
            KeyType::AkpHsm
        } else {
            params.kty.clone()
        };
        Ok(Self { kty, shape })
    }

    /// A key like an existing one (for rotation): `public` is its stored public key and
    /// `key_size` its recorded size.
    pub fn from_existing(public: &JsonWebKey, key_size: Option<u32>) -> Result<Self, ApiError> {
        let kty = public
            .kty
            .clone()
            .ok_or_else(|| ApiError::internal("stored key has no kty"))?;
        let shape = match family(&kty)? {
            KeyFamily::Rsa => Shape::Rsa {
                bits: key_size
                    .or_else(|| public.n.as_ref().map(|n| modulus_bits(n)))
                    .ok_or_else(|| ApiError::internal("stored RSA key has no size"))?,
                exponent: public
                    .e
                    .as_deref()
                    .and_then(exponent_value)
                    .unwrap_or(DEFAULT_EXPONENT),
            },
            KeyFamily::Ec => {
                Shape::Ec(curve(public.crv.as_ref().ok_or_else(|| {
                    ApiError::internal("stored EC key has no curve")
                })?)?)
            }
            KeyFamily::Oct => Shape::Oct(
                key_size.ok_or_else(|| ApiError::internal("stored oct key has no size"))?,
            ),
            KeyFamily::Akp => Shape::MlDsa(ml_dsa(public.alg.as_ref())?),
        };
        Ok(Self { kty, shape })
    }
}

fn modulus_bits(n: &[u8]) -> u32 {
    let trimmed: &[u8] = match n.iter().position(|b| *b != 0) {
        Some(i) => n.get(i..).unwrap_or_default(),
        None => &[],
    };
    let lead = trimmed.first().map_or(0, |b| 8 - b.leading_zeros());
    let rest = u32::try_from(trimmed.len().saturating_sub(1)).unwrap_or(u32::MAX / 8);
    rest.saturating_mul(8).saturating_add(lead)
}

fn exponent_value(e: &[u8]) -> Option<u32> {
    if e.len() > 4 {
        return None;
    }
    Some(e.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}

fn invalid_import(e: kv_crypto_local::Error) -> ApiError {
    ApiError::bad(format!("The imported key is invalid: {e}"))
}

/// Generates a key: a JWK with private material. CPU-heavy for RSA; call it from a
/// blocking thread.
pub fn generate(spec: &KeySpec) -> Result<JsonWebKey, ApiError> {
    let failed = |e: kv_crypto_local::Error| ApiError::bad(format!("Key generation failed: {e}"));
    let mut jwk = match &spec.shape {
        Shape::Rsa { bits, exponent } => {
            let bits = usize::try_from(*bits).map_err(ApiError::internal)?;
            kv_crypto_local::generate_rsa(bits, Some(*exponent)).map_err(failed)?
        }
        Shape::Ec(curve) => kv_crypto_local::generate_ec(&curve_name(*curve)).map_err(failed)?,
        Shape::Oct(bits) => {
            let bits = usize::try_from(*bits).map_err(ApiError::internal)?;
            kv_crypto_local::generate_oct(bits).map_err(failed)?
        }
        Shape::MlDsa(alg) => kv_crypto_local::generate_ml_dsa(alg).map_err(failed)?,
    };
    jwk.kty = Some(spec.kty.clone());
    Ok(jwk)
}

fn require(present: bool, name: &str) -> Result<(), ApiError> {
    if present {
        Ok(())
    } else {
        Err(ApiError::bad(format!(
            "The imported key must carry its private member `{name}`."
        )))
    }
}

/// Checks an imported key: a supported type with complete, consistent private material
/// (parsed by `kv-crypto-local`). With `hsm`, a software key type becomes its `-HSM` type,
/// as on the service.
pub fn validate_import(mut jwk: JsonWebKey, hsm: bool) -> Result<JsonWebKey, ApiError> {
    let kty = jwk
        .kty
        .clone()
        .ok_or_else(|| ApiError::bad("The imported key has no kty."))?;
    match family(&kty)? {
        KeyFamily::Rsa => {
            for (present, name) in [
                (jwk.d.is_some(), "d"),
                (jwk.p.is_some(), "p"),
                (jwk.q.is_some(), "q"),
                (jwk.dp.is_some(), "dp"),
                (jwk.dq.is_some(), "dq"),
                (jwk.qi.is_some(), "qi"),
            ] {
                require(present, name)?;
            }
        }
        KeyFamily::Ec => {
            curve(
                jwk.crv
                    .as_ref()
                    .ok_or_else(|| ApiError::bad("The imported EC key has no crv."))?,
            )?;
            require(jwk.d.is_some(), "d")?;
        }
        KeyFamily::Oct => {
            let len = jwk.k.as_ref().map(SecretBytes::len);
            require(len.is_some(), "k")?;
            if !matches!(len, Some(16 | 24 | 32)) {
                return Err(ApiError::bad("oct keys must be 128, 192 or 256 bits."));
            }
        }
        KeyFamily::Akp => {
            // The preview specs' JsonWebKey has `pub` but no private member for AKP keys,
            // so there is nothing to import.
            return Err(ApiError::bad(
                "AKP (ML-DSA) keys cannot be imported: the service's JsonWebKey defines no private member for them.",
            ));
        }
    }
    jwk.kid = None;
    if let Some(ops) = &jwk.key_ops
        && let Some(unknown) = ops.iter().find(|op| !op.is_known())
    {
        return Err(ApiError::bad(format!("Unknown key operation `{unknown}`.")));
    }
    // The service keeps RSA integers minimal: a modulus sent with a leading zero byte
    // (as some encoders write a positive integer) comes back without it (Python
    // `test_encrypt_and_decrypt`, 2025-07-01, both personalities).
    for integer in [&mut jwk.n, &mut jwk.e].into_iter().flatten() {
        let zeros = integer.iter().take_while(|&&b| b == 0).count();
        integer.drain(..zeros.min(integer.len().saturating_sub(1)));
    }
    // Parsing checks sizes, points on the curve and that private parts match public ones.
    LocalKey::new(&jwk).map_err(invalid_import)?;
    if hsm {
        jwk.kty = Some(match kty {
            KeyType::Rsa => KeyType::RsaHsm,
            KeyType::Ec => KeyType::EcHsm,
            KeyType::Oct => KeyType::OctHsm,
            other => other,
        });
    }
    Ok(jwk)
}

/// The size in bits to record for a key (RSA modulus or AES key), `None` for EC.
pub fn key_size(private: &JsonWebKey) -> Option<u32> {
    match private.kty.as_ref().and_then(KeyType::family)? {
        KeyFamily::Rsa => private.n.as_deref().map(modulus_bits),
        KeyFamily::Ec | KeyFamily::Akp => None,
        KeyFamily::Oct => private
            .k
            .as_ref()
            .and_then(|k| u32::try_from(k.len()).ok())
            .map(|n| n * 8),
    }
}

/// The operations a new key may perform when none are given.
pub fn default_key_ops(private: &JsonWebKey) -> Vec<KeyOperation> {
    use KeyOperation::*;
    match private.kty.as_ref().and_then(KeyType::family) {
        Some(KeyFamily::Rsa) => vec![Encrypt, Decrypt, Sign, Verify, WrapKey, UnwrapKey],
        Some(KeyFamily::Ec | KeyFamily::Akp) => vec![Sign, Verify],
        Some(KeyFamily::Oct) => vec![Encrypt, Decrypt, WrapKey, UnwrapKey],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(modulus_bits(&[0x80, 0, 0]), 24);
        assert_eq!(modulus_bits(&[0, 0x01, 0]), 9);
        assert_eq!(exponent_value(&[1, 0, 1]), Some(65_537));
    }

    #[test]
    fn create_specs() {
        let mut p = KeyCreateParameters::new(KeyType::Rsa);
        assert_eq!(
            KeySpec::from_create(&p).unwrap().shape,
            Shape::Rsa {
                bits: 2048,
                exponent: 65_537
            }
        );
        p.key_size = Some(1024);
        assert!(KeySpec::from_create(&p).is_err());
        let mut p = KeyCreateParameters::new(KeyType::EcHsm);
        p.crv = Some(KeyCurveName::P384);
        assert_eq!(
            KeySpec::from_create(&p).unwrap().shape,
            Shape::Ec(EcCurve::P384)
        );
        let mut p = KeyCreateParameters::new(KeyType::OctHsm);
        p.key_size = Some(100);
        assert!(KeySpec::from_create(&p).is_err());
        let p = KeyCreateParameters::new(KeyType::from("XYZ"));
        assert!(KeySpec::from_create(&p).is_err());
        // AKP: `alg` names the parameter set; the key is reported as `AKP-HSM`.
        let mut p = KeyCreateParameters::new(KeyType::Akp);
        assert!(KeySpec::from_create(&p).is_err());
        p.alg = Some(SignatureAlgorithm::MlDsa87);
        let spec = KeySpec::from_create(&p).unwrap();
        assert_eq!(spec.kty, KeyType::AkpHsm);
        assert_eq!(spec.shape, Shape::MlDsa(SignatureAlgorithm::MlDsa87));
        p.alg = Some(SignatureAlgorithm::Es256);
        assert!(KeySpec::from_create(&p).is_err());
        let mut p = KeyCreateParameters::new(KeyType::Ec);
        p.alg = Some(SignatureAlgorithm::MlDsa44);
        assert!(KeySpec::from_create(&p).is_err());
    }

    #[test]
    fn generate_and_reimport_every_family() {
        let specs = [
            KeySpec {
                kty: KeyType::Rsa,
                shape: Shape::Rsa {
                    bits: 2048,
                    exponent: 65_537,
                },
            },
            KeySpec {
                kty: KeyType::EcHsm,
                shape: Shape::Ec(EcCurve::P256K),
            },
            KeySpec {
                kty: KeyType::Ec,
                shape: Shape::Ec(EcCurve::P521),
            },
            KeySpec {
                kty: KeyType::OctHsm,
                shape: Shape::Oct(192),
            },
            KeySpec {
                kty: KeyType::AkpHsm,
                shape: Shape::MlDsa(SignatureAlgorithm::MlDsa65),
            },
        ];
        for spec in specs {
            let jwk = generate(&spec).unwrap();
            assert!(jwk.has_private_material());
            let again = KeySpec::from_existing(&jwk.to_public(), key_size(&jwk)).unwrap();
            assert_eq!(again, spec);
            if matches!(spec.shape, Shape::MlDsa(_)) {
                assert!(validate_import(jwk, false).is_err());
                continue;
            }
            let imported = validate_import(jwk, false).unwrap();
            assert_eq!(imported.kty, Some(spec.kty.clone()));
        }
    }

    #[test]
    fn import_refuses_public_only_and_bad_sizes() {
        let spec = KeySpec {
            kty: KeyType::Ec,
            shape: Shape::Ec(EcCurve::P256),
        };
        let jwk = generate(&spec).unwrap();
        assert!(validate_import(jwk.to_public(), false).is_err());
        let oct = JsonWebKey {
            kty: Some(KeyType::Oct),
            k: Some(SecretBytes::from_slice(&[1; 20])),
            ..Default::default()
        };
        assert!(validate_import(oct, true).is_err());
        let oct = JsonWebKey {
            kty: Some(KeyType::Oct),
            k: Some(SecretBytes::from_slice(&[1; 32])),
            ..Default::default()
        };
        assert_eq!(
            validate_import(oct, true).unwrap().kty,
            Some(KeyType::OctHsm)
        );
    }
}
