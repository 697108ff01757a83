//! [`KeyVaultBackupClient`]: full backup of a Managed HSM to Azure Blob Storage, full and
//! selective restore from it, and the pre-backup and pre-restore checks.

mod location;
mod operation;

use kv_core::{ContinuationToken, Endpoint, Method, Poller, PollerOptions, Secret};
use kv_protocol::{
    FullBackupOperation, PreBackupOperationParameters, PreRestoreOperationParameters,
    RestoreOperationParameters, SasTokenParameter, SelectiveKeyRestoreOperationParameters,
};
use time::OffsetDateTime;
use url::Url;

use self::location::{check_container_url, split_folder_url};
use self::operation::{Finish, Operation};
use super::endpoint::endpoint_members;
use super::options::{KeyVaultBackupClientOptions, RestoreOptions};
use crate::error::{Result, decode, invalid_argument};
use crate::identifier::check_key_name;
use crate::models::key::from_unix;

/// How the Managed HSM reaches the Blob Storage container.
///
/// `Debug` never shows the SAS token, and the type is not `Clone`: pass it by reference.
#[derive(Debug)]
#[non_exhaustive]
pub enum BlobStorageAccess {
    /// A Shared Access Signature for the container (with or without a leading `?`).
    #[doc(alias = "sas_token")]
    SasToken(Secret),
    /// The HSM's user-assigned managed identity, which must have access to the container.
    #[doc(alias = "use_managed_identity")]
    ManagedIdentity,
}

impl BlobStorageAccess {
    /// Access with the SAS token `token`.
    pub fn sas_token(token: impl Into<String>) -> Self {
        Self::SasToken(Secret::new(token.into()))
    }

    /// The wire parameter for `storage_resource_uri`.
    fn parameter(&self, storage_resource_uri: String) -> Result<SasTokenParameter> {
        Ok(match self {
            Self::SasToken(token) => {
                let token = token.expose_secret();
                let token = token.strip_prefix('?').unwrap_or(token);
                if token.is_empty() {
                    return Err(invalid_argument("SAS token must not be empty"));
                }
                SasTokenParameter {
                    storage_resource_uri,
                    token: Some(token.to_owned()),
                    use_managed_identity: None,
                }
            }
            Self::ManagedIdentity => SasTokenParameter {
                storage_resource_uri,
                token: None,
                use_managed_identity: Some(true),
            },
        })
    }
}

/// A finished full backup.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyVaultBackupResult {
    /// The backup's folder in the container; pass it to
    /// [`begin_restore`](KeyVaultBackupClient::begin_restore).
    pub folder_url: Url,
    /// When the backup started.
    pub start_time: Option<OffsetDateTime>,
    /// When the backup finished.
    pub end_time: Option<OffsetDateTime>,
}

/// A finished full or selective restore.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyVaultRestoreResult {
    /// When the restore started.
    pub start_time: Option<OffsetDateTime>,
    /// When the restore finished.
    pub end_time: Option<OffsetDateTime>,
}

/// A passed pre-backup or pre-restore check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyVaultPreCheckResult {
    /// When the check started.
    pub start_time: Option<OffsetDateTime>,
    /// When the check finished.
    pub end_time: Option<OffsetDateTime>,
}

/// Start and end time of a status; `0` means "not yet", as while the job runs.
fn times(op: &FullBackupOperation) -> Result<(Option<OffsetDateTime>, Option<OffsetDateTime>)> {
    let set = |t: Option<i64>| t.filter(|&t| t != 0);
    Ok((
        from_unix("startTime", set(op.start_time))?,
        from_unix("endTime", set(op.end_time))?,
    ))
}

fn backup_result(op: FullBackupOperation) -> Result<KeyVaultBackupResult> {
    let (start_time, end_time) = times(&op)?;
    let folder = op
        .azure_storage_blob_container_uri
        .ok_or_else(|| decode("the backup succeeded without a folder URL"))?;
    let folder_url =
        Url::parse(&folder).map_err(|_| decode("the backup's folder URL is not a URL"))?;
    Ok(KeyVaultBackupResult {
        folder_url,
        start_time,
        end_time,
    })
}

fn restore_result(op: FullBackupOperation) -> Result<KeyVaultRestoreResult> {
    let (start_time, end_time) = times(&op)?;
    Ok(KeyVaultRestoreResult {
        start_time,
        end_time,
    })
}

fn check_result(op: FullBackupOperation) -> Result<KeyVaultPreCheckResult> {
    let (start_time, end_time) = times(&op)?;
    Ok(KeyVaultPreCheckResult {
        start_time,
        end_time,
    })
}

/// A client for full backup and restore of one Managed HSM.
///
/// Each `begin_*` method sends the request that starts the operation and returns a
/// [`Poller`]: `.await` it for the result, or iterate it for each status. A `Failed`
/// operation ends in an `OperationFailed` error carrying the service's code and message.
/// A poller's [`continuation_token`](Poller::continuation_token) resumes it later (in
/// this process or another) with the matching `resume_*` method.
///
/// ```no_run
/// # async fn demo() -> kv_client::Result<()> {
/// use std::sync::Arc;
/// use kv_client::StaticTokenCredential;
/// use kv_client::admin::{BlobStorageAccess, KeyVaultBackupClient, RestoreOptions};
///
/// let client = KeyVaultBackupClient::new(
///     "https://myhsm.managedhsm.azure.net",
///     Arc::new(StaticTokenCredential::new("token")),
///     None,
/// )?;
/// let sas = BlobStorageAccess::sas_token("sv=2024-08-04&sr=c&sig=...");
/// let backup = client
///     .begin_backup("https://account.blob.core.windows.net/backups", &sas, None)
///     .await?
///     .await?;
/// // Later: bring back one key from it.
/// let options = RestoreOptions { key_name: Some("signing-key".into()), ..Default::default() };
/// client.begin_restore(backup.folder_url.as_str(), &sas, Some(options)).await?.await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct KeyVaultBackupClient {
    endpoint: Endpoint,
}

impl KeyVaultBackupClient {
    endpoint_members!(
        KeyVaultBackupClientOptions,
        "KeyVaultBackupClient::send_request"
    );

    /// Starts a full backup of the HSM into the container at `blob_storage_url`
    /// (`https://{account}.blob.core.windows.net/{container}`). Await the poller for the
    /// backup's folder URL.
    ///
    /// # Errors
    /// `InvalidArgument` for a URL that is not a container URL (or carries a query: pass
    /// the SAS token in `access`) or an empty SAS token; the service's errors.
    #[tracing::instrument(name = "KeyVaultBackupClient::begin_backup", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn begin_backup(
        &self,
        blob_storage_url: &str,
        access: &BlobStorageAccess,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultBackupResult>> {
        let body = access.parameter(check_container_url(blob_storage_url)?)?;
        let url = self.endpoint.url(["backup"]);
        self.start(
            Operation::Backup,
            Method::POST,
            url,
            &body,
            options,
            backup_result,
        )
        .await
    }

    /// Starts a restore from the backup at `folder_url` (a backup's
    /// [`folder_url`](KeyVaultBackupResult::folder_url)): the whole backup, or only
    /// `options.key_name` (a selective key restore).
    ///
    /// # Errors
    /// `InvalidArgument` for a URL without container and folder, an invalid key name or
    /// an empty SAS token; the service's errors.
    #[tracing::instrument(name = "KeyVaultBackupClient::begin_restore", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn begin_restore(
        &self,
        folder_url: &str,
        access: &BlobStorageAccess,
        options: Option<RestoreOptions>,
    ) -> Result<Poller<KeyVaultRestoreResult>> {
        let options = options.unwrap_or_default();
        let location = split_folder_url(folder_url)?;
        let sas_token_parameters = access.parameter(location.container_url)?;
        let poller_options = Some(options.poller_options);
        match options.key_name {
            Some(name) => {
                check_key_name(&name)?;
                let body = SelectiveKeyRestoreOperationParameters {
                    sas_token_parameters,
                    folder: location.folder_name,
                };
                let url = self.endpoint.url(["keys", name.as_str(), "restore"]);
                self.start(
                    Operation::Restore,
                    Method::PUT,
                    url,
                    &body,
                    poller_options,
                    restore_result,
                )
                .await
            }
            None => {
                let body = RestoreOperationParameters {
                    sas_token_parameters,
                    folder_to_restore: location.folder_name,
                };
                let url = self.endpoint.url(["restore"]);
                self.start(
                    Operation::Restore,
                    Method::PUT,
                    url,
                    &body,
                    poller_options,
                    restore_result,
                )
                .await
            }
        }
    }

    /// Starts a check that a full backup to `blob_storage_url` can run (permissions,
    /// storage access), without backing up.
    ///
    /// # Errors
    /// As [`begin_backup`](Self::begin_backup).
    #[tracing::instrument(name = "KeyVaultBackupClient::begin_pre_backup", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn begin_pre_backup(
        &self,
        blob_storage_url: &str,
        access: &BlobStorageAccess,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultPreCheckResult>> {
        let p = access.parameter(check_container_url(blob_storage_url)?)?;
        let body = PreBackupOperationParameters {
            storage_resource_uri: Some(p.storage_resource_uri),
            token: p.token,
            use_managed_identity: p.use_managed_identity,
        };
        let url = self.endpoint.url(["prebackup"]);
        self.start(
            Operation::PreBackup,
            Method::POST,
            url,
            &body,
            options,
            check_result,
        )
        .await
    }

    /// Starts a check that a full restore from `folder_url` can run, without restoring.
    ///
    /// # Errors
    /// As [`begin_restore`](Self::begin_restore).
    #[tracing::instrument(name = "KeyVaultBackupClient::begin_pre_restore", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn begin_pre_restore(
        &self,
        folder_url: &str,
        access: &BlobStorageAccess,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultPreCheckResult>> {
        let location = split_folder_url(folder_url)?;
        let body = PreRestoreOperationParameters {
            sas_token_parameters: Some(access.parameter(location.container_url)?),
            folder_to_restore: Some(location.folder_name),
        };
        let url = self.endpoint.url(["prerestore"]);
        self.start(
            Operation::PreRestore,
            Method::PUT,
            url,
            &body,
            options,
            check_result,
        )
        .await
    }

    /// Resumes waiting for a backup from its poller's continuation token.
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a backup token of this HSM.
    pub fn resume_backup(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultBackupResult>> {
        operation::resume(
            &self.endpoint,
            Operation::Backup,
            token,
            options.unwrap_or_default(),
            backup_result,
        )
    }

    /// Resumes waiting for a full or selective restore from its poller's continuation
    /// token.
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a restore token of this HSM.
    pub fn resume_restore(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultRestoreResult>> {
        operation::resume(
            &self.endpoint,
            Operation::Restore,
            token,
            options.unwrap_or_default(),
            restore_result,
        )
    }

    /// Resumes waiting for a pre-backup check from its poller's continuation token.
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a pre-backup token of this HSM.
    pub fn resume_pre_backup(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultPreCheckResult>> {
        operation::resume(
            &self.endpoint,
            Operation::PreBackup,
            token,
            options.unwrap_or_default(),
            check_result,
        )
    }

    /// Resumes waiting for a pre-restore check from its poller's continuation token.
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a pre-restore token of this HSM.
    pub fn resume_pre_restore(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultPreCheckResult>> {
        operation::resume(
            &self.endpoint,
            Operation::PreRestore,
            token,
            options.unwrap_or_default(),
            check_result,
        )
    }

    async fn start<T: Send + 'static>(
        &self,
        op: Operation,
        method: Method,
        url: Url,
        body: &(impl serde::Serialize + ?Sized),
        options: Option<PollerOptions>,
        finish: Finish<T>,
    ) -> Result<Poller<T>> {
        operation::start(
            &self.endpoint,
            op,
            method,
            url,
            body,
            options.unwrap_or_default(),
            finish,
        )
        .await
    }
}

#[cfg(test)]
mod tests;
