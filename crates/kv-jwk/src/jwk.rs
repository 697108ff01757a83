//! `JsonWebKey`: RFC 7517/7518 keys with Key Vault's members.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::{KeyCurveName, KeyOperation, KeyType, SecretBytes, SignatureAlgorithm};

/// A JSON Web Key as Key Vault sends and accepts it.
///
/// Binary members are base64url on the wire (emitted unpadded, accepted padded or not).
/// Private members (`d`, `dp`, `dq`, `qi`, `p`, `q`, `k`, and `priv` of `AKP` keys) are [`SecretBytes`]: wiped on drop
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
    /// The algorithm the key is for. Required for `AKP` keys, where it names the ML-DSA
    /// parameter set (`ML-DSA-44`, `ML-DSA-65`, `ML-DSA-87`); other values round-trip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<SignatureAlgorithm>,
    /// `AKP` public key (`pub` on the wire): the FIPS 204 encoded ML-DSA public key.
    #[serde(
        rename = "pub",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::base64url::option"
    )]
    pub pub_key: Option<Vec<u8>>,
    /// `AKP` private key (`priv` on the wire, as draft-ietf-cose-dilithium defines it): the
    /// 32-byte ML-DSA seed the key pair is derived from. Key Vault never returns it; local
    /// keys carry it.
    #[serde(rename = "priv", default, skip_serializing_if = "Option::is_none")]
    pub priv_key: Option<SecretBytes>,
}

impl JsonWebKey {
    /// The private members present (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`, `priv`), by name.
    pub fn private_members(&self) -> impl Iterator<Item = (&'static str, &SecretBytes)> {
        [
            ("d", &self.d),
            ("p", &self.p),
            ("q", &self.q),
            ("dp", &self.dp),
            ("dq", &self.dq),
            ("qi", &self.qi),
            ("k", &self.k),
            ("priv", &self.priv_key),
        ]
        .into_iter()
        .filter_map(|(name, member)| member.as_ref().map(|m| (name, m)))
    }

    /// Whether any private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`, `priv`) is present.
    pub fn has_private_material(&self) -> bool {
        self.private_members().next().is_some()
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
            alg: self.alg.clone(),
            pub_key: self.pub_key.clone(),
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
            priv_key: copy(&self.priv_key),
            ..self.to_public()
        }
    }

    /// Sets `kty`, e.g. to pick the HSM variant after a conversion (which emits `RSA`,
    /// `EC` or `oct`). The caller chooses; nothing checks that the family stays the same.
    ///
    /// ```
    /// use kv_jwk::{convert::oct, KeyType, SecretBytes};
    /// let jwk = oct::jwk_from_key(SecretBytes::from_slice(&[1; 32])).with_key_type(KeyType::OctHsm);
    /// assert_eq!(jwk.kty, Some(KeyType::OctHsm));
    /// ```
    #[must_use]
    pub fn with_key_type(mut self, kty: KeyType) -> Self {
        self.kty = Some(kty);
        self
    }

    /// Sets `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `key_ops`.
    #[must_use]
    pub fn with_key_ops(mut self, key_ops: impl IntoIterator<Item = KeyOperation>) -> Self {
        self.key_ops = Some(key_ops.into_iter().collect());
        self
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
            .field("alg", &self.alg)
            .field("pub", &Len(&self.pub_key))
            .field("d", &redacted(&self.d))
            .field("dp", &redacted(&self.dp))
            .field("dq", &redacted(&self.dq))
            .field("qi", &redacted(&self.qi))
            .field("p", &redacted(&self.p))
            .field("q", &redacted(&self.q))
            .field("k", &redacted(&self.k))
            .field("priv", &redacted(&self.priv_key))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    #[cfg(feature = "rustcrypto")]
    use crate::base64url;

    fn bytes() -> impl Strategy<Value = Option<Vec<u8>>> {
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..80))
    }

    fn secret() -> impl Strategy<Value = Option<SecretBytes>> {
        bytes().prop_map(|b| b.map(SecretBytes::new))
    }

    /// Known values and arbitrary ones (which land in `Unknown`).
    fn word(known: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(known).prop_map(str::to_owned),
            "[A-Za-z0-9_-]{0,12}",
        ]
    }

    prop_compose! {
        fn arbitrary_jwk()(
            kid in proptest::option::of("[ -~]{0,40}"),
            kty in proptest::option::of(word(KeyType::KNOWN_VALUES).prop_map(KeyType::from)),
            key_ops in proptest::option::of(proptest::collection::vec(
                word(KeyOperation::KNOWN_VALUES).prop_map(KeyOperation::from), 0..5)),
            crv in proptest::option::of(word(KeyCurveName::KNOWN_VALUES).prop_map(KeyCurveName::from)),
            (n, e, t, x, y) in (bytes(), bytes(), bytes(), bytes(), bytes()),
            (d, dp, dq, qi, p, q, k) in (secret(), secret(), secret(), secret(), secret(), secret(), secret()),
            alg in proptest::option::of(word(SignatureAlgorithm::KNOWN_VALUES).prop_map(SignatureAlgorithm::from)),
            (pub_key, priv_key) in (bytes(), secret()),
        ) -> JsonWebKey {
            JsonWebKey { kid, kty, key_ops, n, e, d, dp, dq, qi, p, q, k, t, crv, x, y, alg, pub_key, priv_key }
        }
    }

    proptest! {
        /// JWK -> JSON -> JWK for arbitrary member sets, with unpadded output.
        #[test]
        fn json_round_trip(jwk in arbitrary_jwk()) {
            let json = serde_json::to_string(&jwk).unwrap();
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            for (name, member) in value.as_object().unwrap() {
                prop_assert!(!member.is_null(), "{} serialized as null", name);
                if !["kid", "kty", "crv", "key_ops", "alg"].contains(&name.as_str()) {
                    prop_assert!(!member.as_str().unwrap().contains('='), "{} padded", name);
                }
            }
            let back: JsonWebKey = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &jwk);
            prop_assert_eq!(back.clone_secret(), jwk.clone());
            prop_assert_eq!(back.to_public().has_private_material(), false);
        }

        /// Padded and standard-alphabet input decodes to the same key.
        #[test]
        fn padded_input_round_trip(jwk in arbitrary_jwk()) {
            let mut value = serde_json::to_value(&jwk).unwrap();
            for (name, member) in value.as_object_mut().unwrap().iter_mut() {
                if ["kid", "kty", "crv", "key_ops", "alg"].contains(&name.as_str()) {
                    continue;
                }
                let s = member.as_str().unwrap();
                let pad = "=".repeat((4 - s.len() % 4) % 4);
                let standard: String = s.chars().map(|c| match c { '-' => '+', '_' => '/', c => c }).collect();
                *member = serde_json::Value::String(standard + &pad);
            }
            let back: JsonWebKey = serde_json::from_value(value).unwrap();
            prop_assert_eq!(back, jwk);
        }
    }

    #[test]
    fn unknown_enum_values_round_trip() {
        let json = r#"{"kty":"OKP","key_ops":["sign","deriveKey"],"crv":"Ed25519","x":"AQ"}"#;
        let jwk: JsonWebKey = serde_json::from_str(json).unwrap();
        assert_eq!(jwk.kty, Some(KeyType::Unknown("OKP".into())));
        assert_eq!(
            jwk.key_ops,
            Some(vec![
                KeyOperation::Sign,
                KeyOperation::Unknown("deriveKey".into())
            ])
        );
        assert_eq!(jwk.crv, Some(KeyCurveName::Unknown("Ed25519".into())));
        let back: serde_json::Value = serde_json::to_value(&jwk).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
        assert!(jwk.permits(&KeyOperation::Unknown("deriveKey".into())));
        assert!(!jwk.permits(&KeyOperation::Verify));
    }

    /// The `AKP` members as the 2026-05-01-preview spec's CreateKey example returns them.
    #[test]
    fn akp_members_round_trip() {
        let json = r#"{"kid":"https://myvault.vault.azure.net/keys/k/1","kty":"AKP-HSM","key_ops":["sign","verify"],"alg":"ML-DSA-65","pub":"AQID"}"#;
        let jwk: JsonWebKey = serde_json::from_str(json).unwrap();
        assert_eq!(jwk.kty, Some(KeyType::AkpHsm));
        assert_eq!(jwk.alg, Some(SignatureAlgorithm::MlDsa65));
        assert_eq!(jwk.pub_key.as_deref(), Some(&[1u8, 2, 3][..]));
        assert!(!jwk.has_private_material());
        assert_eq!(serde_json::to_string(&jwk).unwrap(), json);
        let private: JsonWebKey =
            serde_json::from_str(r#"{"kty":"AKP","alg":"ML-DSA-87","pub":"AQID","priv":"BAUG"}"#)
                .unwrap();
        assert!(private.has_private_material());
        assert_eq!(private.to_public().priv_key, None);
        assert_eq!(private.to_public().pub_key, private.pub_key);
        assert_eq!(private.clone_secret(), private);
        let unknown: JsonWebKey =
            serde_json::from_str(r#"{"kty":"AKP","alg":"SLH-DSA-SHA2-128s"}"#).unwrap();
        assert_eq!(
            unknown.alg,
            Some(SignatureAlgorithm::Unknown("SLH-DSA-SHA2-128s".into()))
        );
    }

    #[test]
    fn wire_names_and_nulls() {
        let jwk: JsonWebKey =
            serde_json::from_str(r#"{"kty":"RSA-HSM","key_hsm":"AQID","n":null,"d":null}"#)
                .unwrap();
        assert_eq!(jwk.t.as_deref(), Some(&[1u8, 2, 3][..]));
        assert_eq!((jwk.n.is_none(), jwk.d.is_none()), (true, true));
        assert_eq!(
            serde_json::to_string(&jwk).unwrap(),
            r#"{"kty":"RSA-HSM","key_hsm":"AQID"}"#
        );
        assert!(serde_json::from_str::<JsonWebKey>(r#"{"d":"!!"}"#).is_err());
    }

    #[test]
    fn builders_set_members() {
        let jwk = JsonWebKey::default()
            .with_key_type(KeyType::EcHsm)
            .with_kid("https://v.vault.azure.net/keys/k/1")
            .with_key_ops([KeyOperation::Sign]);
        assert_eq!(jwk.kty, Some(KeyType::EcHsm));
        assert_eq!(
            jwk.kid.as_deref(),
            Some("https://v.vault.azure.net/keys/k/1")
        );
        assert!(jwk.permits(&KeyOperation::Sign) && !jwk.permits(&KeyOperation::Verify));
    }

    /// Every textual form a secret could leak in.
    #[cfg(feature = "rustcrypto")]
    fn renderings(secret: &[u8]) -> Vec<String> {
        use base64ct::{Base64, Encoding};
        let head = &secret[..secret.len().min(12)];
        let hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
        vec![
            base64url::encode(head).chars().take(12).collect(),
            Base64::encode_string(head).chars().take(12).collect(),
            hex.clone(),
            hex.to_uppercase(),
            format!("{:?}", &head[..4.min(head.len())])
                .trim_end_matches(']')
                .to_owned(),
        ]
    }

    #[cfg(feature = "rustcrypto")]
    #[test]
    fn debug_never_prints_secret_bytes() {
        use crate::convert::{ec, oct, rsa};
        let rsa_keys: Vec<JsonWebKey> =
            serde_json::from_str(include_str!("../testdata/rsa_keys.json")).unwrap();
        let ec_key = ec::jwk_from_secret_key(&p384::SecretKey::from_slice(&[0x42; 48]).unwrap());
        let oct_key = oct::jwk_from_key(SecretBytes::from_slice(&[
            0xc3, 0x9d, 0x17, 0x88, 0x01, 0xfe, 0x64, 0x2a, 0x90, 0x33, 0x5e, 0x71, 0xab, 0x0c,
            0xd4, 0x26,
        ]));
        let akp_key: JsonWebKey = serde_json::from_str(
            r#"{"kty":"AKP","alg":"ML-DSA-65","pub":"AQID","priv":"5bN0Ed9Ajhq2uGx_PBKg3zN5VyRR8S8-2vQn1eUFkhE"}"#,
        )
        .unwrap();
        let rsa_jwk = &rsa_keys[0];
        let rsa_key = rsa::private_key_from_jwk(rsa_jwk, &Default::default()).unwrap();
        // Debug output of our secret-bearing types.
        let mut outputs = Vec::new();
        for jwk in [rsa_jwk, &ec_key, &oct_key, &akp_key] {
            outputs.push(format!("{jwk:?}"));
            outputs.push(format!("{jwk:#?}"));
            for (_, secret) in jwk.private_members() {
                outputs.push(format!("{secret:?}"));
                outputs.push(format!("{:?}", Some(secret)));
            }
        }
        // Errors about those keys (Display and Debug).
        let mut broken = rsa_jwk.clone();
        broken.dq = broken.dp.as_ref().map(SecretBytes::clone_secret);
        let error = rsa::private_key_from_jwk(&broken, &Default::default()).unwrap_err();
        outputs.push(format!("{error} {error:?}"));
        let mut bad_ec = ec_key.clone();
        bad_ec.d = oct_key.k.as_ref().map(SecretBytes::clone_secret);
        let error = ec::secret_key_from_jwk::<p256::NistP256>(&bad_ec).unwrap_err();
        outputs.push(format!("{error} {error:?}"));
        // The RustCrypto keys these convert to redact their secrets too.
        outputs.push(format!("{rsa_key:?}"));
        outputs.push(format!(
            "{:?}",
            ec::secret_key_from_jwk::<p384::NistP384>(&ec_key).unwrap()
        ));

        assert_eq!(akp_key.private_members().count(), 1);
        for jwk in [rsa_jwk, &ec_key, &oct_key, &akp_key] {
            for (_, secret) in jwk.private_members() {
                for needle in renderings(secret.expose_secret()) {
                    for output in &outputs {
                        assert!(!output.contains(&needle), "{needle} leaked in {output}");
                    }
                }
            }
        }
        // The check itself can fail: the same renderings of a public value are found.
        let n = rsa_jwk.n.as_deref().unwrap();
        let public = format!("{} {:?}", base64url::encode(n), &n[..4]);
        assert!(renderings(n).iter().any(|needle| public.contains(needle)));
    }
}
