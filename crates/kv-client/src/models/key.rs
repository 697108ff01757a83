//! Keys as the client shows them: [`KeyVaultKey`], [`KeyProperties`], [`DeletedKey`].

use std::collections::BTreeMap;

use kv_jwk::{JsonWebKey, KeyOperation, KeyType};
use kv_protocol::{
    DeletedKeyBundle, DeletedKeyItem, DeletionRecoveryLevel, KeyAttestation, KeyAttributes,
    KeyBundle, KeyItem, KeyReleasePolicy,
};
use time::OffsetDateTime;

use crate::error::{Error, Result, decode};
use crate::identifier::KeyVaultKeyIdentifier;

/// Converts Unix seconds from the wire into a timestamp.
pub(crate) fn from_unix(field: &str, secs: Option<i64>) -> Result<Option<OffsetDateTime>> {
    secs.map(|s| {
        OffsetDateTime::from_unix_timestamp(s)
            .map_err(|_| decode(format!("`{field}` is not a valid timestamp")))
    })
    .transpose()
}

/// Converts a timestamp into Unix seconds for the wire.
pub(crate) fn to_unix(t: Option<OffsetDateTime>) -> Option<i64> {
    t.map(OffsetDateTime::unix_timestamp)
}

fn parse_kid(kid: Option<&str>) -> Result<KeyVaultKeyIdentifier> {
    let kid = kid.ok_or_else(|| decode("the service sent a key without `kid`"))?;
    kid.parse()
        .map_err(|e: kv_protocol::Error| decode(format!("the service sent an invalid `kid`: {e}")))
}

/// A key's metadata: everything but the key material.
///
/// Timestamps are `time::OffsetDateTime` in UTC.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct KeyProperties {
    /// The key identifier (versioned for a key, versionless in `list_key_properties`).
    pub id: KeyVaultKeyIdentifier,
    /// Whether the key may be used.
    pub enabled: Option<bool>,
    /// The key may not be used before this time.
    pub not_before: Option<OffsetDateTime>,
    /// The key may not be used after this time.
    pub expires_on: Option<OffsetDateTime>,
    /// When the key (version) was created.
    pub created_on: Option<OffsetDateTime>,
    /// When the key (version) was last updated.
    pub updated_on: Option<OffsetDateTime>,
    /// The vault's recovery level for this key.
    pub recovery_level: Option<DeletionRecoveryLevel>,
    /// Soft-delete retention in days.
    pub recoverable_days: Option<u32>,
    /// Application metadata.
    pub tags: BTreeMap<String, String>,
    /// Whether Key Vault manages the key's lifetime (certificate keys).
    pub managed: bool,
    /// Whether the private key can be exported (released).
    pub exportable: Option<bool>,
    /// The release policy, for exportable keys.
    pub release_policy: Option<KeyReleasePolicy>,
    /// The underlying HSM platform.
    pub hsm_platform: Option<String>,
    /// Attestation blobs (filled by `get_key_attestation`).
    pub attestation: Option<KeyAttestation>,
    /// The key size in bits (RSA modulus or AES key), as the service reports it (since
    /// 2026, at every api-version; not on deleted keys).
    pub key_size: Option<u32>,
    /// For an external key reference (Managed HSM External Key Manager): the identifier
    /// of the key in the external key manager.
    pub external_key_id: Option<String>,
}

impl KeyProperties {
    /// The key name.
    pub fn name(&self) -> &str {
        self.id.name()
    }

    /// The key version (`None` for versionless list entries).
    pub fn version(&self) -> Option<&str> {
        self.id.version()
    }

    /// The vault URL.
    pub fn vault_url(&self) -> &url::Url {
        self.id.vault_url()
    }

    fn from_parts(
        id: KeyVaultKeyIdentifier,
        attributes: Option<KeyAttributes>,
        tags: Option<BTreeMap<String, String>>,
        managed: Option<bool>,
        release_policy: Option<KeyReleasePolicy>,
    ) -> Result<Self> {
        let a = attributes.unwrap_or_default();
        Ok(Self {
            id,
            enabled: a.enabled,
            not_before: from_unix("nbf", a.nbf)?,
            expires_on: from_unix("exp", a.exp)?,
            created_on: from_unix("created", a.created)?,
            updated_on: from_unix("updated", a.updated)?,
            recovery_level: a.recovery_level,
            recoverable_days: a.recoverable_days,
            tags: tags.unwrap_or_default(),
            managed: managed.unwrap_or(false),
            exportable: a.exportable,
            release_policy,
            hsm_platform: a.hsm_platform,
            attestation: a.attestation,
            key_size: a.key_size,
            external_key_id: a.external_key.map(|k| k.id),
        })
    }
}

impl TryFrom<KeyItem> for KeyProperties {
    type Error = Error;

    fn try_from(item: KeyItem) -> Result<Self> {
        let id = parse_kid(item.kid.as_deref())?;
        Self::from_parts(id, item.attributes, item.tags, item.managed, None)
    }
}

/// A key: its public JSON Web Key and its properties.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct KeyVaultKey {
    /// The key material the service returned (public only, except after release).
    pub key: JsonWebKey,
    /// The key's metadata.
    pub properties: KeyProperties,
}

impl KeyVaultKey {
    /// The versioned key identifier.
    pub fn id(&self) -> &KeyVaultKeyIdentifier {
        &self.properties.id
    }

    /// The key name.
    pub fn name(&self) -> &str {
        self.properties.name()
    }

    /// The key type.
    pub fn key_type(&self) -> Option<&KeyType> {
        self.key.kty.as_ref()
    }

    /// The permitted operations (`None`: the key says nothing, so all are permitted).
    pub fn key_operations(&self) -> Option<&[KeyOperation]> {
        self.key.key_ops.as_deref()
    }
}

impl TryFrom<KeyBundle> for KeyVaultKey {
    type Error = Error;

    fn try_from(bundle: KeyBundle) -> Result<Self> {
        let id = parse_kid(bundle.kid())?;
        let key = bundle.key.unwrap_or_default();
        let properties = KeyProperties::from_parts(
            id,
            bundle.attributes,
            bundle.tags,
            bundle.managed,
            bundle.release_policy,
        )?;
        Ok(Self { key, properties })
    }
}

/// A deleted key: the key as it was, and when it was deleted and will be purged.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DeletedKey {
    /// The key as it was when deleted.
    pub key: KeyVaultKey,
    /// `{vault}/deletedkeys/{name}`, used to recover or purge it.
    pub recovery_id: Option<String>,
    /// When it was deleted.
    pub deleted_on: Option<OffsetDateTime>,
    /// When it will be purged for good.
    pub scheduled_purge_date: Option<OffsetDateTime>,
}

impl DeletedKey {
    /// The key name.
    pub fn name(&self) -> &str {
        self.key.name()
    }
}

impl TryFrom<DeletedKeyBundle> for DeletedKey {
    type Error = Error;

    fn try_from(d: DeletedKeyBundle) -> Result<Self> {
        Ok(Self {
            key: KeyVaultKey::try_from(d.bundle)?,
            recovery_id: d.recovery_id,
            deleted_on: from_unix("deletedDate", d.deleted_date)?,
            scheduled_purge_date: from_unix("scheduledPurgeDate", d.scheduled_purge_date)?,
        })
    }
}

/// A deleted key as `list_deleted_key_properties` shows it: no key material.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DeletedKeyProperties {
    /// The key's properties (versionless id).
    pub properties: KeyProperties,
    /// `{vault}/deletedkeys/{name}`.
    pub recovery_id: Option<String>,
    /// When it was deleted.
    pub deleted_on: Option<OffsetDateTime>,
    /// When it will be purged for good.
    pub scheduled_purge_date: Option<OffsetDateTime>,
}

impl DeletedKeyProperties {
    /// The key name.
    pub fn name(&self) -> &str {
        self.properties.name()
    }
}

impl TryFrom<DeletedKeyItem> for DeletedKeyProperties {
    type Error = Error;

    fn try_from(d: DeletedKeyItem) -> Result<Self> {
        Ok(Self {
            properties: KeyProperties::try_from(d.item)?,
            recovery_id: d.recovery_id,
            deleted_on: from_unix("deletedDate", d.deleted_date)?,
            scheduled_purge_date: from_unix("scheduledPurgeDate", d.scheduled_purge_date)?,
        })
    }
}

/// The answer of `release`: a JWS carrying the released key, wrapped for its target.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReleaseKeyResult {
    /// The JWS (compact serialization).
    pub value: String,
}

impl core::fmt::Debug for ReleaseKeyResult {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReleaseKeyResult")
            .field("value", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const BUNDLE: &str = r#"{
        "key": {"kid": "https://myvault.vault.azure.net/keys/CreateSoftKeyTest/78deebed173b48e48f55abf87ed4cf71",
                "kty": "RSA", "key_ops": ["encrypt", "decrypt"], "n": "AQAB", "e": "AQAB"},
        "attributes": {"enabled": true, "nbf": 1500000000, "exp": 1600000000, "created": 1493942451,
                       "updated": 1493942452, "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90},
        "tags": {"purpose": "unit test"},
        "managed": false
    }"#;

    #[test]
    fn key_from_bundle() {
        let bundle: KeyBundle = serde_json::from_str(BUNDLE).unwrap();
        let key = KeyVaultKey::try_from(bundle).unwrap();
        assert_eq!(key.name(), "CreateSoftKeyTest");
        assert_eq!(
            key.properties.version(),
            Some("78deebed173b48e48f55abf87ed4cf71")
        );
        assert_eq!(key.key_type(), Some(&KeyType::Rsa));
        assert_eq!(key.properties.enabled, Some(true));
        assert_eq!(
            key.properties.not_before.unwrap().unix_timestamp(),
            1_500_000_000
        );
        assert_eq!(
            key.properties.expires_on.unwrap().unix_timestamp(),
            1_600_000_000
        );
        assert_eq!(key.properties.recoverable_days, Some(90));
        assert_eq!(
            key.properties.tags.get("purpose").map(String::as_str),
            Some("unit test")
        );
        assert_eq!(
            key.key_operations(),
            Some(&[KeyOperation::Encrypt, KeyOperation::Decrypt][..])
        );
    }

    #[test]
    fn deleted_key_from_bundle() {
        let mut value: serde_json::Value = serde_json::from_str(BUNDLE).unwrap();
        value["recoveryId"] =
            "https://myvault.vault.azure.net/deletedkeys/CreateSoftKeyTest".into();
        value["deletedDate"] = 1_700_000_000.into();
        value["scheduledPurgeDate"] = 1_707_776_000.into();
        let bundle: DeletedKeyBundle = serde_json::from_value(value).unwrap();
        let deleted = DeletedKey::try_from(bundle).unwrap();
        assert_eq!(deleted.name(), "CreateSoftKeyTest");
        assert_eq!(deleted.deleted_on.unwrap().unix_timestamp(), 1_700_000_000);
        assert_eq!(
            deleted.scheduled_purge_date.unwrap().unix_timestamp(),
            1_707_776_000
        );
    }

    #[test]
    fn list_item_is_versionless() {
        let item: KeyItem = serde_json::from_str(
            r#"{"kid":"https://127.0.0.1:8443/keys/k1","attributes":{"enabled":false}}"#,
        )
        .unwrap();
        let props = KeyProperties::try_from(item).unwrap();
        assert_eq!(props.name(), "k1");
        assert_eq!(props.version(), None);
        assert_eq!(props.enabled, Some(false));
        assert!(props.tags.is_empty());
    }

    #[test]
    fn missing_or_bad_kid_is_a_decode_error() {
        let e = KeyVaultKey::try_from(KeyBundle::default()).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Decode);
        let item: KeyItem = serde_json::from_str(r#"{"kid":"https://v/secrets/x"}"#).unwrap();
        assert_eq!(
            KeyProperties::try_from(item).unwrap_err().kind(),
            &ErrorKind::Decode
        );
    }

    #[test]
    fn out_of_range_timestamp_is_a_decode_error() {
        let item: KeyItem = serde_json::from_str(
            r#"{"kid":"https://v.vault.azure.net/keys/k","attributes":{"exp":9223372036854775807}}"#,
        )
        .unwrap();
        assert_eq!(
            KeyProperties::try_from(item).unwrap_err().kind(),
            &ErrorKind::Decode
        );
    }

    #[test]
    fn release_result_debug_is_redacted() {
        let r = ReleaseKeyResult {
            value: "eyJhbGciOi.secret.sig".into(),
        };
        assert!(!format!("{r:?}").contains("secret"));
    }
}
