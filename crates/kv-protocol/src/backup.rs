//! Managed HSM full backup, full restore and selective key restore: the start bodies and
//! the long-running-operation status bodies.
//!
//! A failed operation reports its cause in `error`, the same [`ErrorBody`] shape as the
//! service's error responses (`code`, `message`, nested `innererror`).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ErrorBody;

kv_jwk::string_enum! {
    /// The state of a backup or restore operation.
    pub enum OperationStatus {
        /// Still running; poll again.
        InProgress => "InProgress",
        /// Finished successfully.
        Succeeded => "Succeeded",
        /// Cancelled.
        Canceled => "Canceled",
        /// Failed; `error` says why.
        Failed => "Failed",
    }
}

impl OperationStatus {
    /// Whether polling can stop: any status except `InProgress`. An unknown status
    /// counts as terminal so a poller never spins on a value it cannot interpret.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Self::InProgress)
    }
}

/// Where a backup goes or a restore comes from: an Azure Blob Storage container, reached
/// with a SAS token or the HSM's managed identity (`SASTokenParameter`; the body of
/// FullBackup).
///
/// `token` is a credential; `Debug` leaves it out.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SasTokenParameter {
    /// The container URL.
    pub storage_resource_uri: String,
    /// The SAS token (absent with managed identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Use the HSM's user-assigned managed identity instead of a SAS token (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_managed_identity: Option<bool>,
}

/// Body of PreFullBackup: like [`SasTokenParameter`] but every member optional.
///
/// `token` is a credential; `Debug` leaves it out.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreBackupOperationParameters {
    /// The container URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_resource_uri: Option<String>,
    /// The SAS token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Use the managed identity (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_managed_identity: Option<bool>,
}

fn debug_storage(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    uri: &dyn fmt::Debug,
    token: &Option<String>,
    use_managed_identity: &Option<bool>,
) -> fmt::Result {
    f.debug_struct(name)
        .field("storage_resource_uri", uri)
        .field("token", &token.as_ref().map(|_| crate::Redacted))
        .field("use_managed_identity", use_managed_identity)
        .finish()
}

impl fmt::Debug for SasTokenParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_storage(
            f,
            "SasTokenParameter",
            &self.storage_resource_uri,
            &self.token,
            &self.use_managed_identity,
        )
    }
}

impl fmt::Debug for PreBackupOperationParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_storage(
            f,
            "PreBackupOperationParameters",
            &self.storage_resource_uri,
            &self.token,
            &self.use_managed_identity,
        )
    }
}

/// Status of a full backup or pre-backup check: the answer of FullBackup, PreFullBackup and
/// FullBackupStatus. Times are Unix seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FullBackupOperation {
    /// The operation's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OperationStatus>,
    /// A human-readable status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<String>,
    /// Why the operation failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// Start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// End time (`0` or `null` while running).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// The job id, also in the status URL `{base}/backup/{jobId}/pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// The folder URL holding the backup; pass it back as the restore folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_storage_blob_container_uri: Option<String>,
}

/// Body of FullRestoreOperation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreOperationParameters {
    /// Where the backup is.
    pub sas_token_parameters: SasTokenParameter,
    /// The backup folder name (the last segment of the backup's container URI).
    pub folder_to_restore: String,
}

/// Body of PreFullRestoreOperation: like [`RestoreOperationParameters`] but every member
/// optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreRestoreOperationParameters {
    /// Where the backup is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sas_token_parameters: Option<SasTokenParameter>,
    /// The backup folder name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_to_restore: Option<String>,
}

/// Status of a restore: the answer of FullRestoreOperation, PreFullRestoreOperation,
/// SelectiveKeyRestoreOperation and RestoreStatus. Times are Unix seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreOperation {
    /// The operation's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OperationStatus>,
    /// A human-readable status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<String>,
    /// Why the operation failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// The job id, also in the status URL `{base}/restore/{jobId}/pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// End time (`0` or `null` while running).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
}

/// Status of a selective key restore. The spec declares a separate model with exactly the
/// members of [`RestoreOperation`], and both are served from the same status URL, so it
/// is the same type.
pub type SelectiveKeyRestoreOperation = RestoreOperation;

/// Body of SelectiveKeyRestoreOperation (`PUT /keys/{name}/restore`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectiveKeyRestoreOperationParameters {
    /// Where the backup is.
    pub sas_token_parameters: SasTokenParameter,
    /// The backup folder name.
    pub folder: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn backup_status_round_trips(v in arb_full_backup_operation()) {
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn restore_status_round_trips(v in arb_restore_operation()) {
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn start_bodies_round_trip(sas in arb_sas(), folder in "[a-z0-9-]{1,30}") {
            prop_assert_eq!(round_trip(&sas), sas.clone());
            let pre = PreBackupOperationParameters {
                storage_resource_uri: Some(sas.storage_resource_uri.clone()),
                token: sas.token.clone(),
                use_managed_identity: sas.use_managed_identity,
            };
            prop_assert_eq!(round_trip(&pre), pre);
            let full = RestoreOperationParameters {
                sas_token_parameters: sas.clone(),
                folder_to_restore: folder.clone(),
            };
            prop_assert_eq!(round_trip(&full), full);
            let pre_restore = PreRestoreOperationParameters {
                sas_token_parameters: Some(sas.clone()),
                folder_to_restore: Some(folder.clone()),
            };
            prop_assert_eq!(round_trip(&pre_restore), pre_restore);
            let selective = SelectiveKeyRestoreOperationParameters { sas_token_parameters: sas, folder };
            prop_assert_eq!(round_trip(&selective), selective);
        }
    }

    #[test]
    fn failed_status_carries_error() {
        let json = r#"{"status":"Failed","error":{"code":"InvalidSas","message":"bad token"},"jobId":"j","startTime":1,"endTime":null}"#;
        let op: RestoreOperation = serde_json::from_str(json).unwrap();
        assert_eq!(op.status, Some(OperationStatus::Failed));
        assert!(op.status.as_ref().unwrap().is_terminal());
        assert_eq!(
            op.error.as_ref().unwrap().code.as_deref(),
            Some("InvalidSas")
        );
        assert_eq!(op.end_time, None);
        assert!(!OperationStatus::InProgress.is_terminal());
        assert!(OperationStatus::Unknown("Paused".into()).is_terminal());
    }

    #[test]
    fn wire_names_and_debug() {
        let sas = SasTokenParameter {
            storage_resource_uri: "https://a.blob.core.windows.net/c".into(),
            token: Some("sv=2020&sig=SECRETSIG".into()),
            use_managed_identity: Some(false),
        };
        assert_eq!(
            serde_json::to_string(&sas).unwrap(),
            r#"{"storageResourceUri":"https://a.blob.core.windows.net/c","token":"sv=2020&sig=SECRETSIG","useManagedIdentity":false}"#
        );
        let pre = PreBackupOperationParameters {
            token: sas.token.clone(),
            ..Default::default()
        };
        for s in [format!("{sas:?}"), format!("{pre:?}")] {
            assert!(!s.contains("SECRETSIG"), "{s}");
            assert!(s.contains("REDACTED"), "{s}");
        }
        let selective = SelectiveKeyRestoreOperationParameters {
            sas_token_parameters: sas,
            folder: "f".into(),
        };
        assert!(!format!("{selective:?}").contains("SECRETSIG"));
        assert!(
            serde_json::to_string(&selective)
                .unwrap()
                .ends_with(r#""folder":"f"}"#)
        );
    }
}
