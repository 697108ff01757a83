//! Key generation for the emulator: RSA, EC and oct keys as private [`JsonWebKey`]s.

use kv_jwk::{JsonWebKey, KeyCurveName, KeyType, SecretBytes, SignatureAlgorithm};
use zeroize::Zeroizing;

use crate::local_key::{curve_of, parameter_set_of};
use crate::{Error, Result};

/// The default RSA public exponent.
pub const DEFAULT_PUBLIC_EXPONENT: u32 = 65537;

/// Generates an RSA key of 2048, 3072 or 4096 bits with all CRT members (`kty` = `RSA`).
///
/// Uses aws-lc-rs when compiled in and `public_exponent` is 65537 (the rsa crate is very slow
/// to generate in debug builds), the rsa crate otherwise. `None` means 65537.
///
/// # Errors
/// [`Error::InvalidInput`] for another size or an exponent no compiled-in backend supports.
pub fn generate_rsa(bits: usize, public_exponent: Option<u32>) -> Result<JsonWebKey> {
    if !matches!(bits, 2048 | 3072 | 4096) {
        return Err(Error::InvalidInput(
            "RSA key size must be 2048, 3072 or 4096 bits",
        ));
    }
    let e = public_exponent.unwrap_or(DEFAULT_PUBLIC_EXPONENT);
    let provider = crate::get_default()?;
    if !provider.rsa.supports_exponent(e) {
        return Err(Error::InvalidInput(
            "public exponent not supported by the compiled-in backends",
        ));
    }
    let c = provider.rsa.generate(bits, e)?;
    let secret = |v: &Zeroizing<Vec<u8>>| Some(SecretBytes::from_slice(v));
    Ok(JsonWebKey {
        kty: Some(KeyType::Rsa),
        n: Some(c.n.clone()),
        e: Some(c.e.clone()),
        d: secret(&c.d),
        p: secret(&c.p),
        q: secret(&c.q),
        dp: secret(&c.dp),
        dq: secret(&c.dq),
        qi: secret(&c.qi),
        ..JsonWebKey::default()
    })
}

/// Generates an EC key on P-256, P-256K, P-384 or P-521 (`kty` = `EC`), with `d`.
///
/// # Errors
/// [`Error::InvalidInput`] for an unknown curve.
pub fn generate_ec(curve: &KeyCurveName) -> Result<JsonWebKey> {
    let c = curve_of(curve).ok_or(Error::InvalidInput("unsupported curve"))?;
    let key = crate::get_default()?.ec.generate(c)?;
    Ok(JsonWebKey {
        kty: Some(KeyType::Ec),
        crv: Some(curve.clone()),
        x: Some(key.x.clone()),
        y: Some(key.y.clone()),
        d: Some(SecretBytes::from_slice(&key.d)),
        ..JsonWebKey::default()
    })
}

/// Generates an ML-DSA key (`kty` = `AKP`, `alg` = the parameter set) with its public key
/// `pub` and its 32-byte seed `priv`.
///
/// # Errors
/// [`Error::InvalidInput`] when `alg` is not ML-DSA-44, ML-DSA-65 or ML-DSA-87.
pub fn generate_ml_dsa(alg: &SignatureAlgorithm) -> Result<JsonWebKey> {
    let set = parameter_set_of(alg).ok_or(Error::InvalidInput(
        "not an ML-DSA parameter set (ML-DSA-44, ML-DSA-65, ML-DSA-87)",
    ))?;
    let key = crate::get_default()?.ml_dsa.generate(set)?;
    Ok(JsonWebKey {
        kty: Some(KeyType::Akp),
        alg: Some(alg.clone()),
        pub_key: Some(key.public_key.clone()),
        priv_key: Some(SecretBytes::from_slice(&key.seed)),
        ..JsonWebKey::default()
    })
}

/// Generates a symmetric key of 128, 192 or 256 bits (`kty` = `oct`).
///
/// # Errors
/// [`Error::InvalidInput`] for another size; [`Error::Random`].
pub fn generate_oct(bits: usize) -> Result<JsonWebKey> {
    if !matches!(bits, 128 | 192 | 256) {
        return Err(Error::InvalidInput(
            "oct key size must be 128, 192 or 256 bits",
        ));
    }
    let k = random_bytes(bits / 8)?;
    Ok(JsonWebKey {
        kty: Some(KeyType::Oct),
        k: Some(SecretBytes::from(k)),
        ..JsonWebKey::default()
    })
}

/// `n` bytes from the OS random generator (through the default provider).
///
/// # Errors
/// [`Error::Random`] if the generator fails.
pub fn random_bytes(n: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; n]);
    crate::get_default()?.random.fill(&mut out)?;
    Ok(out)
}
