//! What the store keeps per key version and per key name.
//!
//! The non-secret part of a version ([`KeyMeta`]) is stored as JSON built from the
//! `kv-protocol` wire types; the private key is stored sealed and only opened when an
//! operation needs it.

use kv_jwk::JsonWebKey;
use kv_protocol::keys::{KeyAttributes, Tags};
use kv_protocol::release::KeyReleasePolicy;
use kv_protocol::rotation::KeyRotationPolicy;
use serde::{Deserialize, Serialize};

/// The non-secret state of one key version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMeta {
    /// The public key, without `kid` (the `kid` depends on the URL the client used).
    pub public: JsonWebKey,
    /// Attributes kept per version: `enabled`, `nbf`, `exp`, `created`, `updated`,
    /// `exportable`. Vault-wide ones (`recoveryLevel`, `recoverableDays`) are added
    /// when answering.
    pub attributes: KeyAttributes,
    /// Application tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// The release policy, for exportable keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_policy: Option<KeyReleasePolicy>,
    /// Key size in bits for RSA and oct keys (the public key of an oct key has no
    /// material to measure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
}

/// One stored key version (without its private material).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRow {
    /// The key name as first created (names compare case-insensitively).
    pub name: String,
    /// The 32-hex-character version id.
    pub version: String,
    /// Creation order across the whole store.
    pub seq: i64,
    /// Public key, attributes, tags, release policy.
    pub meta: KeyMeta,
}

/// The deletion state of a key name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedInfo {
    /// When the key was deleted (Unix seconds).
    pub deleted_date: i64,
    /// When it will be purged (Unix seconds).
    pub scheduled_purge_date: i64,
}

/// A deleted key: its latest version and deletion dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedRow {
    /// The latest version at deletion time.
    pub latest: VersionRow,
    /// Deletion dates.
    pub deleted: DeletedInfo,
}

/// A key version with its private key, as carried in a backup blob.
#[derive(Serialize, Deserialize)]
pub struct BackupVersion {
    /// Version id.
    pub version: String,
    /// Non-secret state.
    pub meta: KeyMeta,
    /// The full private key.
    pub private: JsonWebKey,
}

/// Everything a backup blob carries for one key.
#[derive(Serialize, Deserialize)]
pub struct BackupContent {
    /// Format marker, for future changes.
    pub format: u32,
    /// The key name.
    pub name: String,
    /// Versions, oldest first.
    pub versions: Vec<BackupVersion>,
    /// The rotation policy, if one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_policy: Option<KeyRotationPolicy>,
}

impl std::fmt::Debug for BackupContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupContent")
            .field("name", &self.name)
            .field("versions", &self.versions.len())
            .finish_non_exhaustive()
    }
}
