//! Keys: the key bundle, its attributes, and the create, import, update, list, backup,
//! restore and random-bytes bodies.

use std::collections::BTreeMap;

use kv_jwk::{JsonWebKey, KeyCurveName, KeyOperation, KeyType, SecretBytes, SignatureAlgorithm};
use serde::{Deserialize, Serialize};

use crate::paging::Page;
use crate::release::KeyReleasePolicy;

/// Application-specific metadata: `tags` on keys (string keys and values). A `BTreeMap`
/// so that serialized bodies are deterministic.
pub type Tags = BTreeMap<String, String>;

kv_jwk::string_enum! {
    /// How a deleted key can be recovered (`attributes.recoveryLevel`), and whether it can be
    /// purged before its retention period ends.
    pub enum DeletionRecoveryLevel {
        /// Deletion is permanent and immediate; no soft delete.
        Purgeable => "Purgeable",
        /// Soft delete; the deleted key can be recovered or purged.
        RecoverablePurgeable => "Recoverable+Purgeable",
        /// Soft delete with purge protection; the key can be recovered but not purged.
        Recoverable => "Recoverable",
        /// Soft delete, purge protection, and the subscription itself cannot be cancelled.
        RecoverableProtectedSubscription => "Recoverable+ProtectedSubscription",
        /// Soft delete with a custom retention (7 to 89 days); purge allowed.
        CustomizedRecoverablePurgeable => "CustomizedRecoverable+Purgeable",
        /// Soft delete with a custom retention and purge protection.
        CustomizedRecoverable => "CustomizedRecoverable",
        /// Custom retention, purge protection, protected subscription.
        CustomizedRecoverableProtectedSubscription => "CustomizedRecoverable+ProtectedSubscription",
    }
}

impl DeletionRecoveryLevel {
    /// Whether a deleted key at this level may be purged before its retention ends.
    pub fn allows_purge(&self) -> bool {
        matches!(
            self,
            Self::Purgeable | Self::RecoverablePurgeable | Self::CustomizedRecoverablePurgeable
        )
    }

    /// Whether deletion is soft (the key goes to `deletedkeys` and can be recovered).
    pub fn is_recoverable(&self) -> bool {
        self.is_known() && !matches!(self, Self::Purgeable)
    }
}

/// Attestation blobs of an HSM-protected key (`attributes.attestation`).
///
/// Filled by the GetKeyAttestation operation on Managed HSM.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyAttestation {
    /// The certificate chain used to check the attestation (PEM file bytes).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub certificate_pem_file: Option<Vec<u8>>,
    /// The attestation blob of the private key.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub private_key_attestation: Option<Vec<u8>>,
    /// The attestation blob of the public key.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub public_key_attestation: Option<Vec<u8>>,
    /// The attestation format version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The attributes of a key (`KeyAttributes`). Times are Unix seconds.
///
/// `created`, `updated`, `recoverableDays`, `recoveryLevel`, `hsmPlatform` and
/// `attestation` are set by the service; clients send only `enabled`, `nbf`, `exp` and
/// `exportable`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyAttributes {
    /// Whether the key may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Not before: the key may not be used earlier (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Expiry: the key may not be used later (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Creation time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    /// Last update time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<i64>,
    /// Soft-delete retention in days, when soft delete is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recoverable_days: Option<u32>,
    /// The vault's deletion recovery level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_level: Option<DeletionRecoveryLevel>,
    /// Whether the private key can be exported (release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exportable: Option<bool>,
    /// The underlying HSM platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hsm_platform: Option<String>,
    /// Key attestation blobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<KeyAttestation>,
    /// The key in an external key manager this key refers to (Managed HSM External Key
    /// Manager; api-version 2026-01-01-preview and later). Set on create, immutable.
    #[serde(
        default,
        rename = "external_key",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_key: Option<ExternalKey>,
    /// The key size in bits, reported by the service (RSA modulus or AES key size).
    /// The live service sends it at every api-version since 2026.
    #[serde(default, rename = "key_size", skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
}

/// A reference to key material held by an external key manager (`ExternalKey`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalKey {
    /// The identifier the EKM proxy knows the key by: `[a-zA-Z0-9-]`, at most 64
    /// characters.
    pub id: String,
}

impl ExternalKey {
    /// The longest identifier the service accepts.
    pub const MAX_ID_LEN: usize = 64;

    /// Whether `id` has the shape the service accepts.
    pub fn is_valid_id(id: &str) -> bool {
        !id.is_empty()
            && id.len() <= Self::MAX_ID_LEN
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }
}

/// Body of CreateKey for an external key reference: no `kty` (the service answers with an
/// `oct-HSM` key) and `attributes.external_key` set. The service treats `kty` and
/// `external_key` as mutually exclusive, so this is a type of its own rather than a
/// [`KeyCreateParameters`] with an optional `kty`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalKeyCreateParameters {
    /// Attributes; `external_key` is required.
    pub attributes: KeyAttributes,
    /// Permitted operations (`wrapKey`, `unwrapKey` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<KeyOperation>>,
    /// Application-specific metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

impl ExternalKeyCreateParameters {
    /// Parameters referring to external key `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            attributes: KeyAttributes {
                external_key: Some(ExternalKey { id: id.into() }),
                ..Default::default()
            },
            key_ops: None,
            tags: None,
        }
    }

    /// The external key identifier, if set.
    pub fn external_key_id(&self) -> Option<&str> {
        self.attributes.external_key.as_ref().map(|k| k.id.as_str())
    }
}

/// A key with its attributes (`KeyBundle`): the body of create, import, get, update,
/// rotate, restore and recover.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyBundle {
    /// The public key (the service never returns private material, except on release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<JsonWebKey>,
    /// The key's attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<KeyAttributes>,
    /// Application-specific metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// `true` when the key's lifetime is managed by Key Vault (certificate keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<bool>,
    /// The policy rules under which the key can be exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_policy: Option<KeyReleasePolicy>,
}

impl KeyBundle {
    /// The key identifier (`key.kid`), if present.
    pub fn kid(&self) -> Option<&str> {
        self.key.as_ref().and_then(|k| k.kid.as_deref())
    }
}

/// Body of CreateKey (`POST /keys/{name}/create`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCreateParameters {
    /// The key type to create.
    pub kty: KeyType,
    /// RSA modulus size in bits (2048, 3072, 4096) or AES key size for `oct-HSM` (128, 192, 256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
    /// RSA public exponent (65537 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_exponent: Option<u32>,
    /// Permitted operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<KeyOperation>>,
    /// Initial attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<KeyAttributes>,
    /// Application-specific metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Elliptic curve for `EC`/`EC-HSM` keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<KeyCurveName>,
    /// Policy under which the key can be exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_policy: Option<KeyReleasePolicy>,
    /// The ML-DSA parameter set of an `AKP` key (`AKPAlgorithm`: `ML-DSA-44`, `ML-DSA-65`,
    /// `ML-DSA-87`; 2026-05-01-preview and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<SignatureAlgorithm>,
}

impl KeyCreateParameters {
    /// Parameters for a key of type `kty` with every optional member absent.
    pub fn new(kty: KeyType) -> Self {
        Self {
            kty,
            key_size: None,
            public_exponent: None,
            key_ops: None,
            attributes: None,
            tags: None,
            crv: None,
            release_policy: None,
            alg: None,
        }
    }
}

/// Body of ImportKey (`PUT /keys/{name}`).
///
/// `key` carries private material; its `Debug` output is redacted by [`JsonWebKey`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyImportParameters {
    /// Whether to import as an HSM key (`Hsm` on the wire, capital H).
    #[serde(rename = "Hsm", default, skip_serializing_if = "Option::is_none")]
    pub hsm: Option<bool>,
    /// The key to import, with its private members.
    pub key: JsonWebKey,
    /// Initial attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<KeyAttributes>,
    /// Application-specific metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Policy under which the key can be exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_policy: Option<KeyReleasePolicy>,
}

/// Body of UpdateKey (`PATCH /keys/{name}/{version}`). Absent members stay unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyUpdateParameters {
    /// New permitted operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<KeyOperation>>,
    /// New attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<KeyAttributes>,
    /// New tags (replace the old ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// New release policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_policy: Option<KeyReleasePolicy>,
}

/// One entry of a key list (`KeyItem`): identifier and attributes, no key material.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyItem {
    /// Key identifier: versionless for GetKeys, versioned for GetKeyVersions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The key's attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<KeyAttributes>,
    /// Application-specific metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// `true` when the key's lifetime is managed by Key Vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<bool>,
}

/// A page of GetKeys or GetKeyVersions (`KeyListResult`).
pub type KeyListResult = Page<KeyItem>;

/// Body of BackupKey's answer: an opaque, service-protected backup blob.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BackupKeyResult {
    /// The backup blob.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kv_jwk::base64url::option"
    )]
    pub value: Option<Vec<u8>>,
}

impl core::fmt::Debug for BackupKeyResult {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BackupKeyResult")
            .field(
                "value",
                &self.value.as_ref().map(|v| crate::ByteLen(v.len())),
            )
            .finish()
    }
}

/// Body of RestoreKey (`POST /keys/restore`): a blob from BackupKey.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRestoreParameters {
    /// The backup blob (`value` on the wire).
    #[serde(rename = "value", with = "kv_jwk::base64url")]
    pub key_bundle_backup: Vec<u8>,
}

impl core::fmt::Debug for KeyRestoreParameters {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyRestoreParameters")
            .field(
                "key_bundle_backup",
                &crate::ByteLen(self.key_bundle_backup.len()),
            )
            .finish()
    }
}

/// Body of GetRandomBytes (`POST /rng`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetRandomBytesRequest {
    /// How many bytes (the service accepts 1 to 128).
    pub count: u32,
}

impl GetRandomBytesRequest {
    /// The largest `count` the service accepts.
    pub const MAX_COUNT: u32 = 128;

    /// Whether `count` is within the service's range `1..=128`.
    pub fn is_valid(&self) -> bool {
        (1..=Self::MAX_COUNT).contains(&self.count)
    }
}

/// Answer of GetRandomBytes. The bytes may become key material, so they are a
/// [`SecretBytes`] (wiped on drop, redacted in `Debug`).
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomBytes {
    /// The random bytes.
    pub value: SecretBytes,
}

/// Key properties of a key-generation policy (`KeyProperties` in the spec; no operation of
/// this api-version sends it, it is here for completeness).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyProperties {
    /// Whether the private key can be exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exportable: Option<bool>,
    /// Key type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kty: Option<KeyType>,
    /// Key size in bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
    /// Whether the same key pair is reused on renewal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_key: Option<bool>,
    /// Elliptic curve name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<KeyCurveName>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn key_bundle_round_trips(v in arb_key_bundle()) {
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn create_parameters_round_trip(v in arb_create_parameters()) {
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn import_parameters_round_trip(v in arb_import_parameters()) {
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn update_parameters_round_trip(
            key_ops in proptest::option::of(proptest::collection::vec(arb_key_operation(), 0..4)),
            attributes in proptest::option::of(arb_key_attributes()),
            tags in proptest::option::of(arb_tags()),
            release_policy in proptest::option::of(arb_release_policy()),
        ) {
            let v = KeyUpdateParameters { key_ops, attributes, tags, release_policy };
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn key_list_round_trips(v in arb_key_list()) {
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn backup_restore_and_rng_round_trip(blob in arb_bytes(), count in 0u32..300) {
            let b = BackupKeyResult { value: Some(blob.clone()) };
            prop_assert_eq!(round_trip(&b), b);
            let r = KeyRestoreParameters { key_bundle_backup: blob.clone() };
            prop_assert_eq!(round_trip(&r), r);
            let q = GetRandomBytesRequest { count };
            prop_assert_eq!(round_trip(&q), q);
            prop_assert_eq!(q.is_valid(), (1..=128).contains(&count));
            let rb = RandomBytes { value: SecretBytes::new(blob) };
            prop_assert_eq!(round_trip(&rb), rb);
        }
    }

    #[test]
    fn wire_names() {
        let attrs = KeyAttributes {
            recoverable_days: Some(90),
            recovery_level: Some(DeletionRecoveryLevel::CustomizedRecoverablePurgeable),
            hsm_platform: Some("2".into()),
            exportable: Some(false),
            nbf: Some(1),
            exp: Some(2),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&attrs).unwrap(),
            r#"{"nbf":1,"exp":2,"recoverableDays":90,"recoveryLevel":"CustomizedRecoverable+Purgeable","exportable":false,"hsmPlatform":"2"}"#
        );
        let import: KeyImportParameters =
            serde_json::from_str(r#"{"Hsm":true,"key":{"kty":"oct","k":"AAEC"}}"#).unwrap();
        assert_eq!(import.hsm, Some(true));
        let json = serde_json::to_string(&import).unwrap();
        assert!(json.starts_with(r#"{"Hsm":true,"#), "{json}");
        let restore = KeyRestoreParameters {
            key_bundle_backup: vec![0xfb, 0xff],
        };
        assert_eq!(
            serde_json::to_string(&restore).unwrap(),
            r#"{"value":"-_8"}"#
        );
    }

    #[test]
    fn absent_optionals_are_not_emitted() {
        assert_eq!(serde_json::to_string(&KeyBundle::default()).unwrap(), "{}");
        assert_eq!(
            serde_json::to_string(&KeyAttributes::default()).unwrap(),
            "{}"
        );
        assert_eq!(
            serde_json::to_string(&KeyCreateParameters::new(KeyType::Rsa)).unwrap(),
            r#"{"kty":"RSA"}"#
        );
    }

    #[test]
    fn unknown_recovery_level_round_trips() {
        let a: KeyAttributes =
            serde_json::from_str(r#"{"recoveryLevel":"Recoverable+SomethingNew"}"#).unwrap();
        let level = a.recovery_level.clone().unwrap();
        assert!(!level.is_known());
        assert!(!level.allows_purge());
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"recoveryLevel":"Recoverable+SomethingNew"}"#
        );
        assert!(DeletionRecoveryLevel::RecoverablePurgeable.allows_purge());
        assert!(!DeletionRecoveryLevel::Recoverable.allows_purge());
        assert!(!DeletionRecoveryLevel::Purgeable.is_recoverable());
        assert_eq!(DeletionRecoveryLevel::KNOWN_VALUES.len(), 7);
    }

    #[test]
    fn debug_hides_secrets_and_blobs() {
        let rb = RandomBytes {
            value: SecretBytes::from_slice(b"SECRETBYTES"),
        };
        assert!(!format!("{rb:?}").contains("SECRET"));
        let r = KeyRestoreParameters {
            key_bundle_backup: vec![7; 40],
        };
        assert_eq!(
            format!("{r:?}"),
            "KeyRestoreParameters { key_bundle_backup: <40 bytes> }"
        );
    }
}
