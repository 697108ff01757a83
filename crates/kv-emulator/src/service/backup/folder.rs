//! The backup folder in Blob Storage: where it is ([`locate`], [`container`]), writing a
//! full backup into it ([`write()`]) and reading one back ([`read`]).
//!
//! A full backup writes one blob per active key, `FOLDER/keys/NAME` (the sealed blob of
//! [`crate::service::key_backup`]), then a manifest, `FOLDER/backup.json` (format, version,
//! key count; no key material), so even a backup of an empty HSM touches storage (a bad SAS
//! fails it) and can be restored. A read authenticates every blob of the folder before the
//! restore changes anything.

use kv_protocol::SasTokenParameter;

use super::job::JobError;
use crate::blob::BlobContainer;
use crate::error::ApiError;
use crate::service::key_backup::{backup_content, open_backup, seal_backup};
use crate::state::AppState;
use crate::store::BackupContent;

/// A container reached with the SAS token of `sas`.
///
/// # Errors
/// 400 for `useManagedIdentity: true` (the emulator has no managed identity to reach
/// storage with), a missing token or a bad URL.
pub(crate) fn container(sas: &SasTokenParameter) -> Result<BlobContainer, ApiError> {
    if sas.use_managed_identity == Some(true) {
        return Err(ApiError::bad(
            "The emulator has no managed identity to reach storage with; pass a SAS token \
             (useManagedIdentity: false).",
        ));
    }
    let token = sas
        .token
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ApiError::bad("A SAS token is required."))?;
    BlobContainer::new(&sas.storage_resource_uri, token).map_err(|e| ApiError::bad(e.to_string()))
}

/// The service's words for a SAS token without an expiry (`se=`), which it reads before it
/// reaches storage (JS `throws when polling errors`, 7.5 and 7.6).
const SAS_WITHOUT_EXPIRY: &str =
    "The customer provided SAS token is malformed. The SAS token does not contain the expiry field";

/// Whether the token of `sas` names its expiry (`se=...`), as every SAS token does.
fn sas_has_expiry(sas: &SasTokenParameter) -> bool {
    sas.token.as_deref().is_some_and(|token| {
        token.trim_start_matches('?').split('&').any(|pair| {
            pair.split_once('=')
                .is_some_and(|(name, value)| name == "se" && !value.is_empty())
        })
    })
}

/// A full backup or restore whose token has no expiry is refused at once: 400 `BadRequest`.
pub(crate) fn require_sas_expiry(sas: &SasTokenParameter) -> Result<(), ApiError> {
    if sas_has_expiry(sas) {
        Ok(())
    } else {
        Err(ApiError::StorageRequest(SAS_WITHOUT_EXPIRY.to_owned()))
    }
}

/// A pre-backup or pre-restore check whose token has no expiry fails its job.
pub(crate) fn check_sas_expiry(sas: &SasTokenParameter) -> Result<(), JobError> {
    if sas_has_expiry(sas) {
        Ok(())
    } else {
        Err(JobError::invalid_request(SAS_WITHOUT_EXPIRY))
    }
}

/// The name of the manifest blob inside a backup folder.
const MANIFEST: &str = "backup.json";

fn manifest(keys: usize, created: i64) -> Vec<u8> {
    serde_json::json!({
        "format": "kv-emulator-mhsm-backup",
        "version": 1,
        "keys": keys,
        "created": created,
    })
    .to_string()
    .into_bytes()
}

/// Writes a full backup of `state`'s active keys into `folder` of `container`.
pub(crate) async fn write(
    state: &AppState,
    container: &BlobContainer,
    folder: &str,
) -> Result<(), JobError> {
    let contents: Vec<BackupContent> = state
        .store()
        .run(|tx| {
            tx.active_key_names()?
                .iter()
                .map(|name| backup_content(tx, name))
                .collect()
        })
        .await?;
    for content in &contents {
        let blob = seal_backup(state, content)?;
        container
            .put_blob(&format!("{folder}/keys/{}", content.name), blob)
            .await?;
    }
    // Written last: a folder with a manifest holds a complete backup.
    let created = state.clock().now();
    container
        .put_blob(
            &format!("{folder}/{MANIFEST}"),
            manifest(contents.len(), created),
        )
        .await?;
    Ok(())
}

/// Reads and authenticates the backed-up keys of `folder`, only `key` if given.
pub(crate) async fn read(
    state: &AppState,
    container: &BlobContainer,
    folder: &str,
    key: Option<&str>,
) -> Result<Vec<BackupContent>, JobError> {
    let folder = folder.trim_matches('/');
    let prefix = format!("{folder}/keys/");
    let listed = container.list_blobs(&format!("{folder}/")).await?;
    let has_manifest = listed.iter().any(|n| *n == format!("{folder}/{MANIFEST}"));
    let mut names: Vec<String> = listed
        .into_iter()
        .filter(|n| n.starts_with(&prefix))
        .collect();
    if !has_manifest && names.is_empty() {
        return Err(JobError::new(
            "BackupNotFound",
            format!("The backup folder {folder} holds no backup."),
        ));
    }
    if let Some(key) = key {
        names.retain(|n| {
            n.get(prefix.len()..)
                .is_some_and(|k| k.eq_ignore_ascii_case(key))
        });
        if names.is_empty() {
            return Err(JobError::new(
                "KeyNotFound",
                format!("The backup in folder {folder} has no key named {key}."),
            ));
        }
    }
    let mut contents = Vec::with_capacity(names.len());
    for name in &names {
        let blob = container.get_blob(name).await?;
        let content = open_backup(state, &blob).map_err(|_| {
            JobError::new(
                "InvalidBackup",
                format!("The backup blob {name} is invalid or was not made by this emulator."),
            )
        })?;
        // The blob's name must match the key it authenticates.
        if !name
            .get(prefix.len()..)
            .is_some_and(|k| k.eq_ignore_ascii_case(&content.name))
        {
            return Err(JobError::new(
                "InvalidBackup",
                format!("The backup blob {name} holds another key."),
            ));
        }
        contents.push(content);
    }
    Ok(contents)
}

fn folder_name(folder: &str) -> Result<String, ApiError> {
    let folder = folder.trim_matches('/');
    if folder.is_empty() || folder.contains(['?', '#']) {
        return Err(ApiError::bad("The backup folder name is invalid."));
    }
    Ok(folder.to_owned())
}

/// The container and folder of a restore. SDKs split a folder URL after its first path
/// segment, which for a path-style URL (`http://127.0.0.1:10000/ACCOUNT/CONTAINER/FOLDER`,
/// Azurite's form) is the account: they send `.../ACCOUNT` and `CONTAINER/FOLDER`. For a
/// loopback or IP host with a one-segment path, the folder's first segment is moved back
/// into the container URL.
pub(crate) fn locate(
    sas: &SasTokenParameter,
    folder: &str,
) -> Result<(BlobContainer, String), ApiError> {
    let folder = folder_name(folder)?;
    let mut sas = sas.clone();
    if let Ok(url) = url::Url::parse(&sas.storage_resource_uri) {
        let path_style = match url.host() {
            Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        let one_segment = !url.path().trim_matches('/').contains('/');
        if let (true, true, Some((container, rest))) =
            (path_style, one_segment, folder.split_once('/'))
        {
            sas.storage_resource_uri = format!(
                "{}/{container}",
                sas.storage_resource_uri.trim_end_matches('/')
            );
            return Ok((self::container(&sas)?, rest.to_owned()));
        }
    }
    Ok((container(&sas)?, folder))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sas(uri: &str) -> SasTokenParameter {
        SasTokenParameter {
            storage_resource_uri: uri.into(),
            token: Some("sv=x&sig=y".into()),
            use_managed_identity: None,
        }
    }

    #[test]
    fn path_style_folder_urls_split_by_sdks_are_rejoined() {
        let (c, f) = locate(
            &sas("http://127.0.0.1:10000/devstoreaccount1"),
            "backups/mhsm-1",
        )
        .unwrap();
        assert_eq!(
            c.url().as_str(),
            "http://127.0.0.1:10000/devstoreaccount1/backups"
        );
        assert_eq!(f, "mhsm-1");
        let (c, f) = locate(
            &sas("http://127.0.0.1:10000/devstoreaccount1/backups"),
            "mhsm-1",
        )
        .unwrap();
        assert_eq!(
            c.url().as_str(),
            "http://127.0.0.1:10000/devstoreaccount1/backups"
        );
        assert_eq!(f, "mhsm-1");
        let (c, f) = locate(&sas("https://acct.blob.core.windows.net/backups"), "mhsm-1").unwrap();
        assert_eq!(
            c.url().as_str(),
            "https://acct.blob.core.windows.net/backups"
        );
        assert_eq!(f, "mhsm-1");
        let mi = SasTokenParameter {
            use_managed_identity: Some(true),
            ..sas("https://acct.blob.core.windows.net/backups")
        };
        assert!(matches!(locate(&mi, "f"), Err(ApiError::BadParameter(_))));
        assert!(locate(&sas("https://acct.blob.core.windows.net/b"), "/").is_err());
    }
}
