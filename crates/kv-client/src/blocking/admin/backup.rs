//! The blocking [`KeyVaultBackupClient`]: each method forwards to
//! [`crate::admin::KeyVaultBackupClient`].

use kv_core::{ContinuationToken, PollerOptions};

use crate::admin::{
    BlobStorageAccess, KeyVaultBackupClientOptions, KeyVaultBackupResult, KeyVaultPreCheckResult,
    KeyVaultRestoreResult, RestoreOptions,
};
use crate::blocking::Poller;
use crate::blocking::runtime::Executor;
use crate::error::Result;

/// Blocking Managed HSM full backup, full and selective restore, and their pre-checks: the
/// methods of [`admin::KeyVaultBackupClient`](crate::admin::KeyVaultBackupClient), with the
/// same names, options and errors, returning instead of awaiting. Each `begin_*` method
/// sends the request before it returns; [`Poller::wait`] blocks until the operation ends.
///
/// Cheap to clone; clones share the pipeline and the runtime thread.
///
/// # Errors
/// As the async method of the same name; every method also returns `NotSupported` when
/// called from inside an async runtime (see [`blocking`](crate::blocking)).
#[derive(Clone, Debug)]
pub struct KeyVaultBackupClient {
    inner: crate::admin::KeyVaultBackupClient,
    executor: Executor,
}

impl KeyVaultBackupClient {
    super::blocking_admin_members!(KeyVaultBackupClient, KeyVaultBackupClientOptions);

    /// See [`admin::KeyVaultBackupClient::begin_backup`](crate::admin::KeyVaultBackupClient::begin_backup).
    ///
    /// # Errors
    /// See [`KeyVaultBackupClient`].
    pub fn begin_backup(
        &self,
        blob_storage_url: &str,
        access: &BlobStorageAccess,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultBackupResult>> {
        Poller::started(
            self.executor
                .block_on(self.inner.begin_backup(blob_storage_url, access, options)),
            &self.executor,
        )
    }

    /// See [`admin::KeyVaultBackupClient::begin_restore`](crate::admin::KeyVaultBackupClient::begin_restore).
    ///
    /// # Errors
    /// See [`KeyVaultBackupClient`].
    pub fn begin_restore(
        &self,
        folder_url: &str,
        access: &BlobStorageAccess,
        options: Option<RestoreOptions>,
    ) -> Result<Poller<KeyVaultRestoreResult>> {
        Poller::started(
            self.executor
                .block_on(self.inner.begin_restore(folder_url, access, options)),
            &self.executor,
        )
    }

    /// See [`admin::KeyVaultBackupClient::begin_pre_backup`](crate::admin::KeyVaultBackupClient::begin_pre_backup).
    ///
    /// # Errors
    /// See [`KeyVaultBackupClient`].
    pub fn begin_pre_backup(
        &self,
        blob_storage_url: &str,
        access: &BlobStorageAccess,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultPreCheckResult>> {
        Poller::started(
            self.executor.block_on(
                self.inner
                    .begin_pre_backup(blob_storage_url, access, options),
            ),
            &self.executor,
        )
    }

    /// See [`admin::KeyVaultBackupClient::begin_pre_restore`](crate::admin::KeyVaultBackupClient::begin_pre_restore).
    ///
    /// # Errors
    /// See [`KeyVaultBackupClient`].
    pub fn begin_pre_restore(
        &self,
        folder_url: &str,
        access: &BlobStorageAccess,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultPreCheckResult>> {
        Poller::started(
            self.executor
                .block_on(self.inner.begin_pre_restore(folder_url, access, options)),
            &self.executor,
        )
    }

    /// See [`admin::KeyVaultBackupClient::resume_backup`](crate::admin::KeyVaultBackupClient::resume_backup).
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a backup token.
    pub fn resume_backup(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultBackupResult>> {
        Poller::started(self.inner.resume_backup(token, options), &self.executor)
    }

    /// See [`admin::KeyVaultBackupClient::resume_restore`](crate::admin::KeyVaultBackupClient::resume_restore).
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a restore token.
    pub fn resume_restore(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultRestoreResult>> {
        Poller::started(self.inner.resume_restore(token, options), &self.executor)
    }

    /// See [`admin::KeyVaultBackupClient::resume_pre_backup`](crate::admin::KeyVaultBackupClient::resume_pre_backup).
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a pre-backup token.
    pub fn resume_pre_backup(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultPreCheckResult>> {
        Poller::started(self.inner.resume_pre_backup(token, options), &self.executor)
    }

    /// See [`admin::KeyVaultBackupClient::resume_pre_restore`](crate::admin::KeyVaultBackupClient::resume_pre_restore).
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a pre-restore token.
    pub fn resume_pre_restore(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultPreCheckResult>> {
        Poller::started(
            self.inner.resume_pre_restore(token, options),
            &self.executor,
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use kv_core::PollerStatus;
    use serde_json::json;

    use super::*;
    use crate::error::ErrorKind;
    use kv_core::test_util::FakeTransport as FakeVault;

    const HSM: &str = "https://v.vault.azure.net";
    const CONTAINER: &str = "https://account.blob.core.windows.net/backups";
    const FOLDER: &str = "https://account.blob.core.windows.net/backups/mhsm-v-2026112409";

    fn fast() -> Option<PollerOptions> {
        Some(PollerOptions {
            frequency: Duration::ZERO,
        })
    }

    /// Starts answer 202 `InProgress` with job id `job1`; its status URL reports
    /// `InProgress` once, then `Succeeded`.
    fn fake_hsm() -> Arc<FakeVault> {
        let polls = AtomicUsize::new(0);
        Arc::new(FakeVault::new(move |method, _, _| {
            let status = match method {
                "GET" if polls.fetch_add(1, Ordering::SeqCst) >= 1 => "Succeeded",
                "GET" => "InProgress",
                _ => {
                    return (
                        202,
                        json!({"status": "InProgress", "jobId": "job1"}).to_string(),
                    );
                }
            };
            let body = json!({
                "status": status, "jobId": "job1", "startTime": 100, "endTime": 160,
                "azureStorageBlobContainerUri": FOLDER,
            });
            (200, body.to_string())
        }))
    }

    fn client(fake: &Arc<FakeVault>) -> KeyVaultBackupClient {
        KeyVaultBackupClient::new(
            HSM,
            Arc::new(kv_core::StaticTokenCredential::new("t")),
            Some(KeyVaultBackupClientOptions {
                client_options: fake.options(),
            }),
        )
        .unwrap()
    }

    #[test]
    fn backup_steps_resumes_and_waits() {
        let fake = fake_hsm();
        let c = client(&fake);
        let access = BlobStorageAccess::sas_token("sv=1&sig=SECRET");
        let mut poller = c.begin_backup(CONTAINER, &access, fast()).unwrap();
        let first = poller.poll().unwrap().unwrap();
        assert_eq!(first.status, PollerStatus::InProgress);
        let token = poller.continuation_token();
        drop(poller);
        let result = c.resume_backup(&token, fast()).unwrap().wait().unwrap();
        assert_eq!(result.folder_url.as_str(), FOLDER);
        assert_eq!(
            fake.paths(),
            [
                "POST /backup",
                "GET /backup/job1/pending",
                "GET /backup/job1/pending",
            ]
        );
    }

    #[test]
    fn restore_and_argument_errors_forward() {
        let fake = fake_hsm();
        let c = client(&fake);
        let access = BlobStorageAccess::sas_token("sv=1&sig=SECRET");
        let options = RestoreOptions {
            poller_options: PollerOptions {
                frequency: Duration::ZERO,
            },
            ..Default::default()
        };
        c.begin_restore(FOLDER, &access, Some(options))
            .unwrap()
            .wait()
            .unwrap();
        assert_eq!(fake.paths()[0], "PUT /restore");
        let before = fake.count();
        let bad = c.begin_backup("not a url", &access, None).unwrap_err();
        assert_eq!(bad.kind(), &ErrorKind::InvalidArgument);
        let bad = c
            .resume_restore(&ContinuationToken::new("nonsense"), None)
            .unwrap_err();
        assert_eq!(bad.kind(), &ErrorKind::InvalidArgument);
        assert_eq!(fake.count(), before, "nothing sent");
    }
}
