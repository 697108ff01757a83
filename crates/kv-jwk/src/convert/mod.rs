//! Validated conversions between [`JsonWebKey`] and RustCrypto key types.
//!
//! - [`rsa`]: `rsa::RsaPublicKey` / `rsa::RsaPrivateKey`, with a modulus size policy
//!   ([`RsaImportOptions`]) and full consistency checks of the private members.
//! - [`ec`]: `p256`, `p384`, `p521` and `k256` `PublicKey` / `SecretKey`, with the point
//!   checked to be on the curve and `d` checked against `x`/`y`.
//! - [`oct`]: access to the symmetric key `k`, with length checks.
//!
//! Imports check `kty` by family, so `RSA-HSM`, `EC-HSM` and `oct-HSM` keys convert like
//! their software counterparts. Exports set the software key type (`RSA`, `EC`, `oct`);
//! pick another with [`JsonWebKey::with_key_type`].
//!
//! Every import also has a `TryFrom<&JsonWebKey>` impl (RSA with the default options), and
//! every public export a `From` impl:
//!
//! ```
//! use kv_jwk::JsonWebKey;
//! # let jwk: JsonWebKey = serde_json::from_str(r#"{"kty":"EC","crv":"P-256",
//! #   "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
//! #   "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}"#)?;
//! let key = p256::PublicKey::try_from(&jwk)?;
//! let back = JsonWebKey::from(&key);
//! assert_eq!(back.x, jwk.x);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`RsaImportOptions`]: rsa::RsaImportOptions

#[cfg(feature = "rustcrypto")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustcrypto")))]
pub mod ec;
pub mod oct;
#[cfg(feature = "rustcrypto")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustcrypto")))]
pub mod rsa;

use crate::{Error, JsonWebKey, KeyFamily, Result};

/// Checks that `kty` is present and of `family`.
pub(crate) fn require_family(jwk: &JsonWebKey, family: KeyFamily) -> Result<()> {
    let expected = match family {
        KeyFamily::Rsa => "RSA",
        KeyFamily::Ec => "EC",
        KeyFamily::Oct => "oct",
        KeyFamily::Akp => "AKP",
    };
    match &jwk.kty {
        None => Err(Error::MissingMember("kty")),
        Some(kty) if kty.family() == Some(family) => Ok(()),
        Some(kty) => Err(Error::WrongKeyType {
            expected,
            found: kty.to_string(),
        }),
    }
}

/// The member's value, or [`Error::MissingMember`].
pub(crate) fn require<'a, T>(member: &'a Option<T>, name: &'static str) -> Result<&'a T> {
    member.as_ref().ok_or(Error::MissingMember(name))
}

/// `bytes` without its leading zero bytes (public values only: this is variable-time).
pub(crate) fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}
