//! `JsonWebKey`: RFC 7517/7518 keys with Key Vault's members.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::{KeyCurveName, KeyOperation, KeyType, SecretBytes};

/// A JSON Web Key as Key Vault sends and accepts it.
///
/// Binary members are base64url on the wire (emitted unpadded, accepted padded or not).
/// Private members (`d`, `dp`, `dq`, `qi`, `p`, `q`, `k`) are [`SecretBytes`]: wiped on drop
/// and printed as `[REDACTED]` by `Debug`.
///
/// ```
/// use kv_jwk::{JsonWebKey, KeyType};
/// let jwk: JsonWebKey = serde_json::from_str(r#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw"}"#)?;
/// assert_eq!(jwk.kty, Some(KeyType::Oct));
/// assert!(jwk.has_private_material());
/// assert!(!format!("{jwk:?}").contains("AAECAw"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonWebKey {
    /// Key identifier: in Key Vault, the full key URL with version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Key type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kty: Option<KeyType>,
    /// Permitted operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<KeyOperation>>,
    /// RSA modulus (big-endian).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::base64url::option"
    )]
    pub n: Option<Vec<u8>>,
    /// RSA public exponent (big-endian).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::base64url::option"
    )]
    pub e: Option<Vec<u8>>,
    /// RSA private exponent, or the EC private scalar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<SecretBytes>,
    /// RSA private key parameter `d mod (p-1)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<SecretBytes>,
    /// RSA private key parameter `d mod (q-1)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dq: Option<SecretBytes>,
    /// RSA private key parameter `q^-1 mod p`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qi: Option<SecretBytes>,
    /// RSA secret prime `p`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<SecretBytes>,
    /// RSA secret prime `q`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<SecretBytes>,
    /// Symmetric key material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<SecretBytes>,
    /// Protected key blob for Bring Your Own Key (`key_hsm` on the wire).
    #[serde(
        rename = "key_hsm",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::base64url::option"
    )]
    pub t: Option<Vec<u8>>,
    /// Elliptic curve name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<KeyCurveName>,
    /// EC public point x coordinate (big-endian, field length).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::base64url::option"
    )]
    pub x: Option<Vec<u8>>,
    /// EC public point y coordinate (big-endian, field length).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::base64url::option"
    )]
    pub y: Option<Vec<u8>>,
}

impl JsonWebKey {
    /// Whether any private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`) is present.
    pub fn has_private_material(&self) -> bool {
        self.d.is_some()
            || self.p.is_some()
            || self.q.is_some()
            || self.dp.is_some()
            || self.dq.is_some()
            || self.qi.is_some()
            || self.k.is_some()
    }

    /// A copy with every private member removed (symmetric keys keep no material at all).
    pub fn to_public(&self) -> JsonWebKey {
        JsonWebKey {
            kid: self.kid.clone(),
            kty: self.kty.clone(),
            key_ops: self.key_ops.clone(),
            n: self.n.clone(),
            e: self.e.clone(),
            t: self.t.clone(),
            crv: self.crv.clone(),
            x: self.x.clone(),
            y: self.y.clone(),
            ..JsonWebKey::default()
        }
    }

    /// An explicit copy including private members (each in a new zeroizing buffer).
    pub fn clone_secret(&self) -> JsonWebKey {
        let copy = |s: &Option<SecretBytes>| s.as_ref().map(SecretBytes::clone_secret);
        JsonWebKey {
            d: copy(&self.d),
            dp: copy(&self.dp),
            dq: copy(&self.dq),
            qi: copy(&self.qi),
            p: copy(&self.p),
            q: copy(&self.q),
            k: copy(&self.k),
            ..self.to_public()
        }
    }

    /// Whether `key_ops` permits `op`. A key without `key_ops` permits every operation
    /// (RFC 7517 §4.3: the member is optional).
    pub fn permits(&self, op: &KeyOperation) -> bool {
        self.key_ops.as_ref().is_none_or(|ops| ops.contains(op))
    }
}

/// Cloning a `JsonWebKey` copies its private members into new zeroizing buffers, like
/// [`JsonWebKey::clone_secret`]. Prefer [`JsonWebKey::to_public`] when the copy needs no
/// private material.
impl Clone for JsonWebKey {
    fn clone(&self) -> Self {
        self.clone_secret()
    }
}

impl fmt::Debug for JsonWebKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Len<'a>(&'a Option<Vec<u8>>);
        impl fmt::Debug for Len<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.0 {
                    Some(v) => write!(f, "<{} bytes>", v.len()),
                    None => f.write_str("None"),
                }
            }
        }
        let redacted = |s: &Option<SecretBytes>| if s.is_some() { "[REDACTED]" } else { "None" };
        f.debug_struct("JsonWebKey")
            .field("kid", &self.kid)
            .field("kty", &self.kty)
            .field("key_ops", &self.key_ops)
            .field("crv", &self.crv)
            .field("n", &Len(&self.n))
            .field("e", &self.e)
            .field("x", &Len(&self.x))
            .field("y", &Len(&self.y))
            .field("t", &Len(&self.t))
            .field("d", &redacted(&self.d))
            .field("dp", &redacted(&self.dp))
            .field("dq", &redacted(&self.dq))
            .field("qi", &redacted(&self.qi))
            .field("p", &redacted(&self.p))
            .field("q", &redacted(&self.q))
            .field("k", &redacted(&self.k))
            .finish()
    }
}
