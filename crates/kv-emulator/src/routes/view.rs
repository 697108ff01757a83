//! Stored rows as the service's wire types (`KeyBundle`, `KeyItem`, deleted variants).

use kv_protocol::{DeletedKeyBundle, DeletedKeyItem, KeyAttributes, KeyBundle, KeyItem};

use crate::state::VaultSettings;
use crate::store::{DeletedRow, KeyMeta, VersionRow};

/// `{base}/keys/{name}/{version}`.
pub fn kid(base: &str, name: &str, version: &str) -> String {
    format!("{base}/keys/{name}/{version}")
}

/// `{base}/keys/{name}`.
pub fn versionless_kid(base: &str, name: &str) -> String {
    format!("{base}/keys/{name}")
}

/// `{base}/deletedkeys/{name}`.
pub fn recovery_id(base: &str, name: &str) -> String {
    format!("{base}/deletedkeys/{name}")
}

/// The attributes answered for a version. `key_size` is sent at every api-version: the
/// live service does not strip newer members for older versions (vault RSA keys recorded
/// in 2026 at 2025-07-01 carry it, as do Managed HSM external keys at 2026-01-01-preview).
/// A Managed HSM sends it for `oct-HSM` keys only: its RSA-HSM and EC-HSM answers have
/// none (Java `getKeyWith20260301PreviewServiceVersion`, Python `test_key_crud_operations`
/// at 2026-03-01-preview, Go `TestSecureWrapUnwrap`), its `oct-HSM` ones do (.NET
/// `CreateOctHsmKey`, Go `TestExternalKeyReference`).
fn attributes(base: &str, meta: &KeyMeta, settings: &VaultSettings) -> KeyAttributes {
    let kind = crate::personality::kind_of_base(base, settings.kind);
    let sized = !kind.is_hsm()
        || meta.public.kty.as_ref().and_then(|kty| kty.family()) == Some(kv_jwk::KeyFamily::Oct);
    KeyAttributes {
        recoverable_days: Some(settings.retention_days),
        recovery_level: Some(settings.recovery_level()),
        key_size: meta.key_size.filter(|_| sized),
        hsm_platform: crate::personality::hsm_platform(kind, meta.public.kty.as_ref()),
        ..meta.attributes.clone()
    }
}

/// A Managed HSM answers deleted keys without `key_size`, as its recorded delete and
/// get-deleted answers show (Go azkeys `TestExternalKeyReference`, 2026-01-01-preview); a
/// vault keeps it (JS `recording_can_update_a_disabled_key`, RSA at 2025-07-01, 2026).
fn deleted_attributes(
    base: &str,
    settings: &VaultSettings,
    mut attributes: Option<KeyAttributes>,
) -> Option<KeyAttributes> {
    let kind = crate::personality::kind_of_base(base, settings.kind);
    if let Some(a) = attributes.as_mut().filter(|_| kind.is_hsm()) {
        a.key_size = None;
    }
    attributes
}

/// The key bundle of a version: public key with its full `kid`, attributes, tags, policy.
pub fn bundle(base: &str, row: &VersionRow, settings: &VaultSettings) -> KeyBundle {
    let mut key = row.meta.public.to_public();
    key.kid = Some(kid(base, &row.name, &row.version));
    // A Managed HSM leaves out `key_ops` once they are empty; a vault answers `[]` (Java
    // `updateKey` and `updateDisabledKey`, 2026, and `KeyAsyncClientTest.updateKey`).
    if crate::personality::kind_of_base(base, settings.kind).is_hsm()
        && key.key_ops.as_ref().is_some_and(Vec::is_empty)
    {
        key.key_ops = None;
    }
    KeyBundle {
        key: Some(key),
        attributes: Some(attributes(base, &row.meta, settings)),
        tags: row.meta.tags.clone(),
        managed: None,
        release_policy: row.meta.release_policy.clone().map(|mut policy| {
            // The service names the content type it defaults to (Go azkeys
            // `TestReleaseKey/KV.json`: a policy sent without one comes back with it).
            policy
                .content_type
                .get_or_insert_with(|| DEFAULT_POLICY_CONTENT_TYPE.to_owned());
            policy
        }),
    }
}

/// The content type of a release policy sent without one.
const DEFAULT_POLICY_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// A list entry: versionless `kid` for the keys list, versioned for the versions list.
pub fn item(base: &str, row: &VersionRow, settings: &VaultSettings, versioned: bool) -> KeyItem {
    let kid = if versioned {
        kid(base, &row.name, &row.version)
    } else {
        versionless_kid(base, &row.name)
    };
    KeyItem {
        kid: Some(kid),
        attributes: Some(attributes(base, &row.meta, settings)),
        tags: row.meta.tags.clone(),
        managed: None,
    }
}

/// The deleted key bundle of a deleted key.
pub fn deleted_bundle(base: &str, row: &DeletedRow, settings: &VaultSettings) -> DeletedKeyBundle {
    let mut bundle = bundle(base, &row.latest, settings);
    bundle.attributes = deleted_attributes(base, settings, bundle.attributes);
    DeletedKeyBundle {
        bundle,
        recovery_id: Some(recovery_id(base, &row.latest.name)),
        scheduled_purge_date: Some(row.deleted.scheduled_purge_date),
        deleted_date: Some(row.deleted.deleted_date),
    }
}

/// A deleted keys list entry.
pub fn deleted_item(base: &str, row: &DeletedRow, settings: &VaultSettings) -> DeletedKeyItem {
    let mut item = item(base, &row.latest, settings, false);
    item.attributes = deleted_attributes(base, settings, item.attributes);
    DeletedKeyItem {
        item,
        recovery_id: Some(recovery_id(base, &row.latest.name)),
        scheduled_purge_date: Some(row.deleted.scheduled_purge_date),
        deleted_date: Some(row.deleted.deleted_date),
    }
}
