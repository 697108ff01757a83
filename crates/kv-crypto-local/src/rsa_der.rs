//! Reading RSA components out of DER (for generated keys): PKCS#8 -> PKCS#1 -> components.

use pkcs1::der::Decode;
use zeroize::Zeroizing;

use crate::provider::RsaKeyComponents;
use crate::{Error, Result};

/// Components of a PKCS#1 `RSAPrivateKey` (two-prime only).
pub(crate) fn components_from_pkcs1(der: &[u8]) -> Result<RsaKeyComponents> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(der)
        .map_err(|_| Error::InvalidKey("malformed PKCS#1 RSA private key"))?;
    if key.other_prime_infos.is_some() {
        return Err(Error::InvalidKey("multi-prime RSA keys are not supported"));
    }
    let secret = |u: &pkcs1::UintRef<'_>| Zeroizing::new(u.as_bytes().to_vec());
    Ok(RsaKeyComponents {
        n: key.modulus.as_bytes().to_vec(),
        e: key.public_exponent.as_bytes().to_vec(),
        d: secret(&key.private_exponent),
        p: secret(&key.prime1),
        q: secret(&key.prime2),
        dp: secret(&key.exponent1),
        dq: secret(&key.exponent2),
        qi: secret(&key.coefficient),
    })
}

/// Components of an RSA key in a PKCS#8 `PrivateKeyInfo`.
#[cfg_attr(not(feature = "aws-lc"), allow(dead_code))]
pub(crate) fn components_from_pkcs8(der: &[u8]) -> Result<RsaKeyComponents> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|_| Error::InvalidKey("malformed PKCS#8 private key"))?;
    components_from_pkcs1(info.private_key.as_bytes())
}
