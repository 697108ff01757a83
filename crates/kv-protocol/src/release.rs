//! Secure key release: the release policy, release request and result, and export
//! parameters.

use core::fmt;

use kv_jwk::JsonWebKey;
use serde::{Deserialize, Serialize};

kv_jwk::string_enum! {
    /// How a released key is wrapped for its target (`enc` of release and export).
    pub enum KeyEncryptionAlgorithm {
        /// PKCS#11 RSA + AES key wrap (CKM_RSA_AES_KEY_WRAP).
        CkmRsaAesKeyWrap => "CKM_RSA_AES_KEY_WRAP",
        /// RSA + AES key wrap with SHA-256.
        RsaAesKeyWrap256 => "RSA_AES_KEY_WRAP_256",
        /// RSA + AES key wrap with SHA-384.
        RsaAesKeyWrap384 => "RSA_AES_KEY_WRAP_384",
    }
}

/// The policy under which a key may be released (`release_policy`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyReleasePolicy {
    /// Content type of `data` (the service default is `application/json; charset=utf-8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Whether the policy can never change again once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immutable: Option<bool>,
    /// The policy document (`data` on the wire; a JSON policy in UTF-8 bytes).
    #[serde(
        rename = "data",
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub encoded_policy: Option<Vec<u8>>,
}

impl KeyReleasePolicy {
    /// The content type the service assumes when `contentType` is absent.
    pub const DEFAULT_CONTENT_TYPE: &'static str = "application/json; charset=utf-8";
}

/// Body of release (`POST /keys/{name}/{version}/release`).
///
/// `target` is an attestation token; `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyReleaseParameters {
    /// The attestation assertion of the target of the release.
    pub target: String,
    /// A client-provided nonce for freshness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// How to wrap the released key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enc: Option<KeyEncryptionAlgorithm>,
}

impl fmt::Debug for KeyReleaseParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyReleaseParameters")
            .field("target", &crate::Redacted)
            .field("nonce", &self.nonce)
            .field("enc", &self.enc)
            .finish()
    }
}

/// Answer of release: a JWS (compact serialization, a plain string, not base64url bytes)
/// that carries the wrapped key. `Debug` leaves it out.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyReleaseResult {
    /// The JWS with the released key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl fmt::Debug for KeyReleaseResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyReleaseResult")
            .field("value", &self.value.as_ref().map(|_| crate::Redacted))
            .finish()
    }
}

/// Export parameters (`KeyExportParameters` in the spec; no operation of this api-version
/// sends it, it is here for completeness).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyExportParameters {
    /// The public key to wrap the exported key with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapping_key: Option<JsonWebKey>,
    /// The identifier of a Key Vault key to wrap with, instead of `wrappingKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapping_kid: Option<String>,
    /// How to wrap the exported key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enc: Option<KeyEncryptionAlgorithm>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn policy_round_trips(v in arb_release_policy()) {
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn parameters_and_result_round_trip(
            target in "[A-Za-z0-9._-]{1,40}",
            nonce in proptest::option::of("[a-z0-9]{0,10}"),
            enc in proptest::option::of(arb_enum::<KeyEncryptionAlgorithm>()),
            value in proptest::option::of("[A-Za-z0-9._-]{0,40}"),
        ) {
            let p = KeyReleaseParameters { target, nonce, enc: enc.clone() };
            prop_assert_eq!(round_trip(&p), p);
            let r = KeyReleaseResult { value };
            prop_assert_eq!(round_trip(&r), r);
            let e = KeyExportParameters { wrapping_key: None, wrapping_kid: Some("k".into()), enc };
            prop_assert_eq!(round_trip(&e), e);
        }
    }

    #[test]
    fn wire_names() {
        let p = KeyReleasePolicy {
            content_type: Some(KeyReleasePolicy::DEFAULT_CONTENT_TYPE.into()),
            immutable: Some(true),
            encoded_policy: Some(b"{}".to_vec()),
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"contentType":"application/json; charset=utf-8","immutable":true,"data":"e30"}"#
        );
        let e = KeyExportParameters {
            wrapping_kid: Some("k".into()),
            enc: Some(KeyEncryptionAlgorithm::RsaAesKeyWrap256),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"wrappingKid":"k","enc":"RSA_AES_KEY_WRAP_256"}"#
        );
    }

    #[test]
    fn debug_hides_tokens() {
        let p = KeyReleaseParameters {
            target: "eyJTOKEN".into(),
            nonce: None,
            enc: None,
        };
        let r = KeyReleaseResult {
            value: Some("eyJWRAPPED".into()),
        };
        assert!(!format!("{p:?}").contains("eyJ"));
        assert!(!format!("{r:?}").contains("eyJ"));
    }

    #[test]
    fn unknown_enc_round_trips() {
        let p: KeyReleaseParameters =
            serde_json::from_str(r#"{"target":"t","enc":"RSA_AES_KEY_WRAP_512"}"#).unwrap();
        assert!(!p.enc.as_ref().unwrap().is_known());
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"target":"t","enc":"RSA_AES_KEY_WRAP_512"}"#
        );
    }
}
