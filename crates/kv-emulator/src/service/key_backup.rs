//! The sealed key backup blob: what `POST /keys/{name}/backup` answers and each key of a
//! full backup holds (every version with its private key and the rotation policy, as JSON
//! sealed with AES-256-GCM under the emulator's backup key), and restoring one.

use crate::error::ApiError;
use crate::names::{is_version_id, validate_key_name};
use crate::state::AppState;
use crate::store::{BackupContent, BackupVersion, Purpose, Tx, VersionRow};

use super::keys::find;

const BACKUP_FORMAT: u32 = 1;
const BACKUP_CONTEXT: &[u8] = b"kv-emulator key backup";

/// Everything of key `name` (active) that a backup carries, private keys included.
pub(crate) fn backup_content(tx: &Tx<'_>, name: &str) -> Result<BackupContent, ApiError> {
    let latest = find(tx, name, None)?;
    let mut versions = Vec::new();
    for row in tx.all_versions(&latest.name)? {
        let private = tx.private(&row.name, &row.version)?;
        versions.push(BackupVersion {
            version: row.version,
            meta: row.meta,
            private,
        });
    }
    Ok(BackupContent {
        format: BACKUP_FORMAT,
        name: latest.name.clone(),
        versions,
        rotation_policy: tx.rotation_policy(&latest.name)?,
    })
}

/// Encrypts and authenticates a key's backup content (the same blob format serves the
/// single-key backup and each key of a full backup).
pub(crate) fn seal_backup(state: &AppState, content: &BackupContent) -> Result<Vec<u8>, ApiError> {
    let plain = zeroize::Zeroizing::new(serde_json::to_vec(content).map_err(ApiError::internal)?);
    state
        .store()
        .sealer()
        .seal(Purpose::Backup, BACKUP_CONTEXT, &plain)
        .map_err(ApiError::internal)
}

/// Authenticates, decrypts and checks a blob made by [`seal_backup`].
///
/// A Managed HSM refuses every blob it cannot open as made in another security domain:
/// 400 `MalformedBackupBlob`, `Backup blob belongs to a different crypto domain and cannot
/// be used with this instance. (Activity ID: ...)` (.NET `ManagedHsmLiveTests`
/// `RestoreKeyNonExisting`, 2026-03-01-preview); a vault's answers follow.
pub(crate) fn open_backup(state: &AppState, blob: &[u8]) -> Result<BackupContent, ApiError> {
    let on_hsm = crate::vaults::current_is_hsm();
    open_backup_as_vault(state, blob).map_err(|e| match e {
        ApiError::BadParameter(_) | ApiError::BadRequestCode { .. } if on_hsm => {
            ApiError::BadRequestCode {
                code: "MalformedBackupBlob",
                message: crate::error::with_activity_id(
                    "Backup blob belongs to a different crypto domain and cannot be used with \
                     this instance.",
                ),
            }
        }
        other => other,
    })
}

fn open_backup_as_vault(state: &AppState, blob: &[u8]) -> Result<BackupContent, ApiError> {
    // The service's blobs open with a length-prefixed format name; one too short for its
    // own prefix is "malformed" (.NET `RestoreKeyNonExisting` recording: 12 bytes of
    // text), anything else it cannot read has an "invalid or corrupt version" (the JS
    // tests' 8693 zero bytes).
    if blob
        .first()
        .is_none_or(|&len| blob.len() <= usize::from(len))
    {
        return Err(ApiError::BadRequestCode {
            code: "Malformed backup blob",
            message: "Backup blob is corrupt.".into(),
        });
    }
    // Coded as the short blob is (JS `fails to restore a key with a malformed backup`,
    // vault, 2025-07-01, 2026).
    let invalid = || ApiError::BadRequestCode {
        code: "Malformed backup blob",
        message: "Backup blob contains invalid or corrupt version.".into(),
    };
    let plain = state
        .store()
        .sealer()
        .open(Purpose::Backup, BACKUP_CONTEXT, blob)
        .map_err(|_| invalid())?;
    let content: BackupContent = serde_json::from_slice(&plain).map_err(|_| invalid())?;
    if content.format != BACKUP_FORMAT
        || content.versions.is_empty()
        || content.versions.iter().any(|v| !is_version_id(&v.version))
    {
        return Err(invalid());
    }
    validate_key_name(&content.name)?;
    Ok(content)
}

/// Writes a backed-up key into the store under its name, which must be unused.
pub(crate) fn insert_backup(tx: &Tx<'_>, content: &BackupContent) -> Result<(), ApiError> {
    for v in &content.versions {
        tx.insert_version(&content.name, &v.version, &v.meta, &v.private)?;
    }
    if let Some(policy) = &content.rotation_policy {
        tx.set_rotation_policy(&content.name, policy)?;
    }
    Ok(())
}

/// The sealed backup of key `name`.
pub(crate) async fn backup(state: &AppState, name: String) -> Result<Vec<u8>, ApiError> {
    validate_key_name(&name)?;
    let content = state
        .store()
        .run(move |tx| backup_content(tx, &name))
        .await?;
    seal_backup(state, &content)
}

/// Restores a sealed backup under its key's name, which must be unused; answers the
/// latest version.
pub(crate) async fn restore(state: &AppState, blob: &[u8]) -> Result<VersionRow, ApiError> {
    let content = open_backup(state, blob)?;
    state
        .store()
        .run(move |tx| {
            if tx.name_state(&content.name)?.is_some() {
                return Err(ApiError::Conflict(format!(
                    "A key named {} already exists in this vault (possibly deleted); \
                     restore needs an unused name.",
                    content.name
                )));
            }
            insert_backup(tx, &content)?;
            find(tx, &content.name, None)
        })
        .await
}
