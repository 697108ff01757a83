//! Cryptographic operations with a stored key: encrypt, decrypt, wrap, unwrap, sign, verify.

use core::fmt;

use kv_jwk::{EncryptionAlgorithm, KeyOperation, SecretBytes, SignatureAlgorithm};
use serde::{Deserialize, Serialize};

/// An operation on a key version that the service performs on request
/// (`POST {vault}/keys/{name}/{version}/{operation}`): the client routes them, the emulator
/// answers them.
///
/// Exhaustive on purpose: these are the operation paths of the keys API, and the emulator
/// matches on every one (a new path would be a new version of this crate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CryptoOperation {
    /// Encrypt.
    Encrypt,
    /// Decrypt.
    Decrypt,
    /// Sign a digest.
    Sign,
    /// Verify a signature over a digest.
    Verify,
    /// Wrap a key.
    WrapKey,
    /// Unwrap a key.
    UnwrapKey,
    /// Release an exportable key to an attested environment (`release`).
    Release,
}

impl CryptoOperation {
    /// Every operation.
    pub const ALL: [Self; 7] = [
        Self::Encrypt,
        Self::Decrypt,
        Self::Sign,
        Self::Verify,
        Self::WrapKey,
        Self::UnwrapKey,
        Self::Release,
    ];

    /// The operation a request path's last segment names (`wrapkey`, `sign`, ...),
    /// case-insensitively as the service reads it.
    pub fn from_path_segment(segment: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(segment))
    }

    /// The `key_ops` entry that permits this operation (`export` for a release).
    pub fn key_operation(self) -> KeyOperation {
        match self {
            Self::Encrypt => KeyOperation::Encrypt,
            Self::Decrypt => KeyOperation::Decrypt,
            Self::Sign => KeyOperation::Sign,
            Self::Verify => KeyOperation::Verify,
            Self::WrapKey => KeyOperation::WrapKey,
            Self::UnwrapKey => KeyOperation::UnwrapKey,
            Self::Release => KeyOperation::Export,
        }
    }

    /// Whether an asymmetric key needs its private half for this operation.
    pub fn needs_private_key(self) -> bool {
        matches!(
            self,
            Self::Decrypt | Self::Sign | Self::UnwrapKey | Self::Release
        )
    }

    /// Whether the operation *protects* data (encrypt, wrap, sign): the ones the SDKs refuse
    /// outside the key's `nbf`/`exp` window.
    pub fn is_protecting(self) -> bool {
        matches!(self, Self::Encrypt | Self::WrapKey | Self::Sign)
    }

    /// The operation's name as the service spells it (`wrapKey`; its path segment is the
    /// same name in lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Encrypt => "encrypt",
            Self::Decrypt => "decrypt",
            Self::Sign => "sign",
            Self::Verify => "verify",
            Self::WrapKey => "wrapKey",
            Self::UnwrapKey => "unwrapKey",
            Self::Release => "release",
        }
    }
}

impl fmt::Display for CryptoOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Body of encrypt, decrypt, wrapKey and unwrapKey (`KeyOperationsParameters`).
///
/// `value` is plaintext for encrypt and wrapKey (possibly a data key), so it is a
/// [`SecretBytes`]: wiped on drop, never printed.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOperationsParameters {
    /// The algorithm; wrapKey/unwrapKey use the same vocabulary on the wire.
    pub alg: EncryptionAlgorithm,
    /// The input: plaintext (encrypt, wrapKey) or ciphertext (decrypt, unwrapKey).
    pub value: SecretBytes,
    /// Initialization vector (AES-CBC; AES-GCM on decrypt).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub iv: Option<Vec<u8>>,
    /// Additional authenticated data (AES-GCM).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub aad: Option<Vec<u8>>,
    /// Authentication tag (AES-GCM decrypt).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub tag: Option<Vec<u8>>,
}

impl KeyOperationsParameters {
    /// Parameters with `alg` and `value` and no IV, AAD or tag.
    pub fn new(alg: EncryptionAlgorithm, value: impl Into<SecretBytes>) -> Self {
        Self {
            alg,
            value: value.into(),
            iv: None,
            aad: None,
            tag: None,
        }
    }
}

/// Answer of encrypt, decrypt, wrapKey, unwrapKey and sign (`KeyOperationResult`).
///
/// `value` is plaintext after decrypt and unwrapKey, so it is a [`SecretBytes`].
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOperationResult {
    /// The versioned identifier of the key that was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The result: ciphertext, plaintext, wrapped or unwrapped key, or signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<SecretBytes>,
    /// Initialization vector the service chose (AES-GCM/CBC encrypt).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub iv: Option<Vec<u8>>,
    /// Authentication tag (AES-GCM encrypt).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub tag: Option<Vec<u8>>,
    /// Additional authenticated data, echoed (AES-GCM).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub aad: Option<Vec<u8>>,
}

/// The ML-DSA members of sign and verify (2026-05-01-preview and later), the same in both
/// bodies, whose other members they sit beside on the wire (`#[serde(flatten)]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MlDsaParameters {
    /// External mu (64 bytes, FIPS 204 §6.2), instead of `alg` and the message.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub external_mu: Option<Vec<u8>>,
    /// The context string (0-255 bytes); not with `external_mu`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub context: Option<Vec<u8>>,
}

/// Body of sign (`KeySignParameters`).
///
/// For RSA and EC keys: `alg` and `value`, a digest computed by the caller. For ML-DSA
/// (`AKP`) keys (2026-05-01-preview and later): `value` is the message itself, with an
/// optional `context` (0-255 bytes), and `alg` is left out (the key's `alg` names the
/// parameter set); or `external_mu` alone (64 bytes, FIPS 204 §6.2), without `alg` and
/// `value`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySignParameters {
    /// The signature algorithm (absent for ML-DSA keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<SignatureAlgorithm>,
    /// The digest to sign, or the message for ML-DSA.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub value: Option<Vec<u8>>,
    /// The ML-DSA members: external mu, or the message's context.
    #[serde(flatten)]
    pub ml_dsa: MlDsaParameters,
}

impl KeySignParameters {
    /// Parameters for signing `digest` with `alg` (RSA, EC, HMAC).
    pub fn new(alg: SignatureAlgorithm, digest: Vec<u8>) -> Self {
        Self {
            alg: Some(alg),
            value: Some(digest),
            ..Self::default()
        }
    }
}

/// Body of verify (`KeyVerifyParameters`).
///
/// For RSA and EC keys: `alg`, `digest` and the signature `value`. For ML-DSA keys:
/// `digest` carries the message, with an optional `context`, or `external_mu` replaces
/// both `alg` and `digest`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyVerifyParameters {
    /// The signature algorithm (absent for ML-DSA keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<SignatureAlgorithm>,
    /// The digest that was signed, or the message for ML-DSA.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub digest: Option<Vec<u8>>,
    /// The signature to check.
    #[serde(with = "kv_jwk::base64url")]
    pub value: Vec<u8>,
    /// The ML-DSA members: external mu, or the message's context.
    #[serde(flatten)]
    pub ml_dsa: MlDsaParameters,
}

impl KeyVerifyParameters {
    /// Parameters for verifying `signature` over `digest` with `alg` (RSA, EC, HMAC).
    pub fn new(alg: SignatureAlgorithm, digest: Vec<u8>, signature: Vec<u8>) -> Self {
        Self {
            alg: Some(alg),
            digest: Some(digest),
            value: signature,
            ..Self::default()
        }
    }
}

/// Answer of verify (`KeyVerifyResult`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyVerifyResult {
    /// Whether the signature is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<bool>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn crypto_operations_read_their_path_segments() {
        use super::CryptoOperation as Op;
        for op in Op::ALL {
            assert_eq!(
                Op::from_path_segment(&op.as_str().to_ascii_lowercase()),
                Some(op)
            );
            assert_eq!(Op::from_path_segment(op.as_str()), Some(op));
        }
        assert_eq!(Op::from_path_segment("WRAPKEY"), Some(Op::WrapKey));
        assert_eq!(Op::from_path_segment("rotate"), None);
        assert_eq!(Op::Release.key_operation(), kv_jwk::KeyOperation::Export);
    }

    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn operation_parameters_round_trip(
            alg in arb_encryption_algorithm(),
            value in arb_bytes(),
            iv in proptest::option::of(arb_bytes()),
            aad in proptest::option::of(arb_bytes()),
            tag in proptest::option::of(arb_bytes()),
        ) {
            let v = KeyOperationsParameters { alg, value: SecretBytes::new(value), iv, aad, tag };
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn operation_result_round_trips(
            kid in proptest::option::of("https://[a-z]{1,8}\\.vault\\.azure\\.net/keys/[a-z]{1,8}/[0-9a-f]{32}"),
            value in proptest::option::of(arb_bytes()),
            iv in proptest::option::of(arb_bytes()),
            tag in proptest::option::of(arb_bytes()),
            aad in proptest::option::of(arb_bytes()),
        ) {
            let v = KeyOperationResult { kid, value: value.map(SecretBytes::new), iv, tag, aad };
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn sign_and_verify_round_trip(
            alg in arb_signature_algorithm(),
            digest in arb_bytes(),
            signature in arb_bytes(),
            ok in proptest::option::of(any::<bool>()),
        ) {
            let s = KeySignParameters::new(alg.clone(), digest.clone());
            prop_assert_eq!(round_trip(&s), s);
            let v = KeyVerifyParameters::new(alg, digest.clone(), signature.clone());
            prop_assert_eq!(round_trip(&v), v);
            let ml_dsa = KeySignParameters { value: Some(digest.clone()), ml_dsa: MlDsaParameters { context: Some(signature.clone()), ..Default::default() }, ..Default::default() };
            prop_assert_eq!(round_trip(&ml_dsa), ml_dsa);
            let mu = KeyVerifyParameters { ml_dsa: MlDsaParameters { external_mu: Some(digest), ..Default::default() }, value: signature, ..Default::default() };
            prop_assert_eq!(round_trip(&mu), mu);
            let r = KeyVerifyResult { value: ok };
            prop_assert_eq!(round_trip(&r), r);
        }
    }

    #[test]
    fn gcm_wire_shape() {
        let mut p = KeyOperationsParameters::new(EncryptionAlgorithm::A256Gcm, vec![1, 2, 3]);
        p.aad = Some(vec![0xfb]);
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"alg":"A256GCM","value":"AQID","aad":"-w"}"#
        );
        let r: KeyOperationResult =
            serde_json::from_str(r#"{"kid":"k","value":"AQID","iv":"AA==","tag":"+/8"}"#).unwrap();
        assert_eq!(r.iv.as_deref(), Some(&[0u8][..]));
        assert_eq!(r.tag.as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"kid":"k","value":"AQID","iv":"AA","tag":"-_8"}"#
        );
    }

    #[test]
    fn sign_and_verify_wire_shape() {
        // Every member set, ML-DSA ones included: the order and spelling on the wire.
        let sign = KeySignParameters {
            alg: Some(SignatureAlgorithm::MlDsa65),
            value: Some(vec![1, 2, 3]),
            ml_dsa: MlDsaParameters {
                external_mu: Some(vec![0xfb]),
                context: Some(vec![0xff]),
            },
        };
        let json = r#"{"alg":"ML-DSA-65","value":"AQID","external_mu":"-w","context":"_w"}"#;
        assert_eq!(serde_json::to_string(&sign).unwrap(), json);
        assert_eq!(
            serde_json::from_str::<KeySignParameters>(json).unwrap(),
            sign
        );
        let verify = KeyVerifyParameters {
            alg: Some(SignatureAlgorithm::MlDsa65),
            digest: Some(vec![1, 2, 3]),
            value: vec![4],
            ml_dsa: MlDsaParameters {
                external_mu: Some(vec![0xfb]),
                context: Some(vec![0xff]),
            },
        };
        let json =
            r#"{"alg":"ML-DSA-65","digest":"AQID","value":"BA","external_mu":"-w","context":"_w"}"#;
        assert_eq!(serde_json::to_string(&verify).unwrap(), json);
        assert_eq!(
            serde_json::from_str::<KeyVerifyParameters>(json).unwrap(),
            verify
        );
        // Absent members stay absent.
        assert_eq!(
            serde_json::to_string(&KeySignParameters::default()).unwrap(),
            "{}"
        );
        assert_eq!(
            serde_json::to_string(&KeyVerifyParameters::default()).unwrap(),
            r#"{"value":""}"#
        );
    }

    #[test]
    fn unknown_algorithm_round_trips() {
        let p: KeyOperationsParameters =
            serde_json::from_str(r#"{"alg":"A512-NEW","value":"AA"}"#).unwrap();
        assert!(!p.alg.is_known());
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"alg":"A512-NEW","value":"AA"}"#
        );
    }

    #[test]
    fn plaintext_is_redacted_in_debug() {
        let p = KeyOperationsParameters::new(EncryptionAlgorithm::RsaOaep, b"PLAINTEXT".to_vec());
        let r = KeyOperationResult {
            value: Some(SecretBytes::from_slice(b"PLAINTEXT")),
            ..Default::default()
        };
        for s in [format!("{p:?}"), format!("{r:?}")] {
            assert!(!s.contains("PLAINTEXT") && !s.contains("80, 76, 65"), "{s}");
        }
    }

    #[test]
    fn missing_required_members_are_rejected() {
        assert!(serde_json::from_str::<KeyOperationsParameters>(r#"{"alg":"RSA1_5"}"#).is_err());
        assert!(
            serde_json::from_str::<KeyVerifyParameters>(r#"{"alg":"RS256","digest":"AA"}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<KeySignParameters>(r#"{"alg":"RS256","value":"a b"}"#).is_err()
        );
        // Since 2026-05-01-preview `alg` and `value`/`digest` may be absent (ML-DSA with
        // external mu); the emulator, not the wire type, refuses them for other keys.
        let mu =
            serde_json::from_str::<KeyVerifyParameters>(r#"{"external_mu":"AA","value":"AA"}"#)
                .unwrap();
        assert_eq!((mu.alg, mu.digest), (None, None));
    }
}
