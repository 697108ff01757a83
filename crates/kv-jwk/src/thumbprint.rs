//! RFC 7638 JSON Web Key thumbprint input: the canonical JSON that gets hashed.
//!
//! The thumbprint hashes a canonical JSON object holding only the key type's required
//! members, in lexicographic order, without whitespace:
//! - `RSA`: `{"e":…,"kty":"RSA","n":…}` (`n` and `e` minimal, as RFC 7518 requires);
//! - `EC`: `{"crv":…,"kty":"EC","x":…,"y":…}`;
//! - `oct`: `{"k":…,"kty":"oct"}`.
//!
//! Key Vault's HSM key types hash as their base type (`RSA-HSM` as `RSA`, and so on), so
//! a key has the same thumbprint wherever it is protected.
//!
//! This crate does no cryptography: the SHA-256 thumbprint itself is
//! `kv_crypto_local::digest::jwk_thumbprint_sha256`, which hashes [`canonical_input`].
//!
//! ```
//! use kv_jwk::JsonWebKey;
//! let jwk: JsonWebKey = serde_json::from_str(r#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw"}"#)?;
//! let input = kv_jwk::thumbprint::canonical_input(&jwk)?;
//! assert_eq!(input.as_str(), r#"{"k":"AAECAwQFBgcICQoLDA0ODw","kty":"oct"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use zeroize::Zeroizing;

use crate::convert::{require, trim_leading_zeros};
use crate::{Error, JsonWebKey, KeyFamily, Result, base64url};

/// The canonical JSON of `jwk` that its RFC 7638 thumbprint hashes (may contain `k`, hence
/// the zeroizing buffer).
///
/// # Errors
/// [`Error::MissingMember`] when `kty` or a required member of the key type is absent;
/// [`Error::WrongKeyType`] for a key type this library does not know.
pub fn canonical_input(jwk: &JsonWebKey) -> Result<Zeroizing<String>> {
    let kty = require(&jwk.kty, "kty")?;
    let uint = |bytes: &[u8]| {
        // RFC 7518 §2: Base64urlUInt is minimal; zero is a single zero octet.
        let trimmed = trim_leading_zeros(bytes);
        base64url::encode(if trimmed.is_empty() { &[0] } else { trimmed })
    };
    let json = match kty.family() {
        Some(KeyFamily::Rsa) => {
            let n = uint(require(&jwk.n, "n")?);
            let e = uint(require(&jwk.e, "e")?);
            format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#)
        }
        Some(KeyFamily::Ec) => {
            let crv = require(&jwk.crv, "crv")?;
            // `crv` may be a value this library does not know; escape it like any JSON string.
            let crv = serde_json::to_string(crv.as_str())
                .map_err(|_| Error::InvalidKey("curve name cannot be encoded"))?;
            let x = base64url::encode(require(&jwk.x, "x")?);
            let y = base64url::encode(require(&jwk.y, "y")?);
            format!(r#"{{"crv":{crv},"kty":"EC","x":"{x}","y":"{y}"}}"#)
        }
        Some(KeyFamily::Oct) => {
            let k = Zeroizing::new(base64url::encode(require(&jwk.k, "k")?.expose_secret()));
            format!(r#"{{"k":"{}","kty":"oct"}}"#, k.as_str())
        }
        Some(KeyFamily::Akp) => {
            // draft-ietf-cose-dilithium: the required members of an AKP key are `alg`,
            // `kty` and `pub`.
            let alg = serde_json::to_string(require(&jwk.alg, "alg")?.as_str())
                .map_err(|_| Error::InvalidKey("algorithm name cannot be encoded"))?;
            let public = base64url::encode(require(&jwk.pub_key, "pub")?);
            format!(r#"{{"alg":{alg},"kty":"AKP","pub":"{public}"}}"#)
        }
        None => {
            return Err(Error::WrongKeyType {
                expected: "RSA, EC, oct or AKP",
                found: kty.to_string(),
            });
        }
    };
    Ok(Zeroizing::new(json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyType, SecretBytes};

    /// RFC 7638 §3.1: the RSA key of RFC 7517 Appendix A.1 and its thumbprint.
    const RFC7638_KEY: &str = r#"{
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    }"#;

    #[test]
    fn rfc7638_section_3_1_example() {
        let jwk: JsonWebKey = serde_json::from_str(RFC7638_KEY).unwrap();
        // The canonical form from the RFC, byte for byte (first and last characters, and
        // the length: 55 + 342 base64url characters of `n`). Its SHA-256
        // (`NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs`) is checked in kv-crypto-local.
        let json = canonical_input(&jwk).unwrap();
        assert_eq!(json.len(), r#"{"e":"AQAB","kty":"RSA","n":""}"#.len() + 342);
        assert!(json.starts_with(r#"{"e":"AQAB","kty":"RSA","n":"0vx7agoebGcQSuuPiLJX"#));
        assert!(json.ends_with(r#"ur-kEgU8awapJzKnqDKgw"}"#));
    }

    #[test]
    fn hsm_types_private_members_and_leading_zeros_do_not_change_it() {
        let base: JsonWebKey = serde_json::from_str(RFC7638_KEY).unwrap();
        let mut other = base.to_public();
        other.kty = Some(KeyType::RsaHsm);
        other.kid = Some("https://vault/keys/k/1".into());
        other.d = Some(SecretBytes::from_slice(&[1, 2, 3]));
        let mut n = vec![0u8];
        n.extend_from_slice(other.n.as_deref().unwrap());
        other.n = Some(n);
        assert_eq!(
            canonical_input(&other).unwrap(),
            canonical_input(&base).unwrap()
        );
    }

    #[test]
    fn ec_and_oct_members_in_order() {
        let ec: JsonWebKey = serde_json::from_str(
            r#"{"kty":"EC-HSM","crv":"P-256","x":"AQ","y":"Ag","d":"Aw","kid":"z"}"#,
        )
        .unwrap();
        assert_eq!(
            canonical_input(&ec).unwrap().as_str(),
            r#"{"crv":"P-256","kty":"EC","x":"AQ","y":"Ag"}"#
        );
        let oct: JsonWebKey = serde_json::from_str(r#"{"kty":"oct-HSM","k":"AAEC"}"#).unwrap();
        assert_eq!(
            canonical_input(&oct).unwrap().as_str(),
            r#"{"k":"AAEC","kty":"oct"}"#
        );
    }

    #[test]
    fn unknown_curve_names_are_escaped() {
        let ec: JsonWebKey =
            serde_json::from_str(r#"{"kty":"EC","crv":"a\"b","x":"AQ","y":"Ag"}"#).unwrap();
        assert_eq!(
            canonical_input(&ec).unwrap().as_str(),
            r#"{"crv":"a\"b","kty":"EC","x":"AQ","y":"Ag"}"#
        );
    }

    #[test]
    fn missing_members_and_unknown_types_fail() {
        let no_e: JsonWebKey = serde_json::from_str(r#"{"kty":"RSA","n":"AQ"}"#).unwrap();
        assert_eq!(
            canonical_input(&no_e).unwrap_err(),
            Error::MissingMember("e")
        );
        let no_kty = JsonWebKey::default();
        assert_eq!(
            canonical_input(&no_kty).unwrap_err(),
            Error::MissingMember("kty")
        );
        let okp: JsonWebKey = serde_json::from_str(r#"{"kty":"OKP","x":"AQ"}"#).unwrap();
        assert!(matches!(
            canonical_input(&okp),
            Err(Error::WrongKeyType { .. })
        ));
    }
}
