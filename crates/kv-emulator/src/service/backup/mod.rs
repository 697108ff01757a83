//! Full backup, full restore, selective key restore and their pre-checks, as jobs that
//! talk to Azure Blob Storage (see [`crate::blob`]).
//!
//! Each operation checks its parameters, starts a job ([`job`]) and answers the job's
//! first status; the job reads or writes the backup folder ([`folder`]). Each key blob is
//! the same sealed format as `POST /keys/{name}/backup` (AES-256-GCM under the emulator's
//! backup key, authenticated), so only an emulator with the same `master.key` can restore
//! it. A backup's folder is `mhsm-emulator-{unix time}-{job}`; its URL is the job's
//! `azureStorageBlobContainerUri`. A restore reads and authenticates every blob of the
//! folder before it changes anything, then replaces each key (any current state) with its
//! backed-up versions in one transaction.

mod folder;
mod job;

use kv_protocol::{
    FullBackupOperation, PreBackupOperationParameters, PreRestoreOperationParameters,
    RestoreOperation, RestoreOperationParameters, SasTokenParameter,
    SelectiveKeyRestoreOperationParameters,
};

use self::job::JobError;
use crate::error::ApiError;
use crate::jobs::JobStatus;
use crate::names::validate_key_name;
use crate::service::key_backup::insert_backup;
use crate::state::AppState;
use crate::store::BackupContent;

/// Starts a full backup into the container of `sas`.
pub(crate) fn full_backup(
    state: &AppState,
    sas: &SasTokenParameter,
) -> Result<FullBackupOperation, ApiError> {
    let container = folder::container(sas)?;
    folder::require_sas_expiry(sas)?;
    let id = job::new_id();
    let now = state.clock().now();
    let name = format!("mhsm-emulator-{now}-{}", id.get(..8).unwrap_or(&id));
    let folder_url = format!("{}/{name}", container.url());
    let job_state = state.clone();
    job::start_backup(state, job::backup_op(id, now), async move {
        folder::write(&job_state, &container, &name).await?;
        Ok(Some(folder_url))
    })
}

/// Starts a check that the container can be reached with the token.
pub(crate) fn pre_backup(
    state: &AppState,
    params: PreBackupOperationParameters,
) -> Result<FullBackupOperation, ApiError> {
    let sas = SasTokenParameter {
        storage_resource_uri: params
            .storage_resource_uri
            .ok_or_else(|| ApiError::bad("storageResourceUri is required."))?,
        token: params.token,
        use_managed_identity: params.use_managed_identity,
    };
    let container = folder::container(&sas)?;
    let op = job::backup_op(job::new_id(), state.clock().now());
    job::start_backup(state, op, async move {
        folder::check_sas_expiry(&sas)?;
        container
            .list_blobs("")
            .await
            .map(|_| None)
            .map_err(JobError::from)
    })
}

async fn apply(state: &AppState, contents: Vec<BackupContent>) -> Result<(), JobError> {
    state
        .store()
        .run(move |tx| {
            for content in &contents {
                tx.remove_key(&content.name)?;
                insert_backup(tx, content)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

/// Starts a restore of every key of a backup folder.
pub(crate) fn full_restore(
    state: &AppState,
    params: &RestoreOperationParameters,
) -> Result<RestoreOperation, ApiError> {
    let (container, name) =
        folder::locate(&params.sas_token_parameters, &params.folder_to_restore)?;
    folder::require_sas_expiry(&params.sas_token_parameters)?;
    let op = job::restore_op(job::new_id(), state.clock().now());
    let job_state = state.clone();
    job::start_restore(state, op, async move {
        let contents = folder::read(&job_state, &container, &name, None).await?;
        apply(&job_state, contents).await
    })
}

/// Starts a check that the folder holds a backup this emulator can open.
pub(crate) fn pre_restore(
    state: &AppState,
    params: &PreRestoreOperationParameters,
) -> Result<RestoreOperation, ApiError> {
    let sas = params
        .sas_token_parameters
        .as_ref()
        .ok_or_else(|| ApiError::bad("sasTokenParameters is required."))?;
    let name = params
        .folder_to_restore
        .as_deref()
        .ok_or_else(|| ApiError::bad("folderToRestore is required."))?;
    let (container, name) = folder::locate(sas, name)?;
    let sas = sas.clone();
    let op = job::restore_op(job::new_id(), state.clock().now());
    let job_state = state.clone();
    job::start_restore(state, op, async move {
        folder::check_sas_expiry(&sas)?;
        folder::read(&job_state, &container, &name, None)
            .await
            .map(drop)
    })
}

/// Starts a restore of key `key` from a backup folder.
pub(crate) fn selective_restore(
    state: &AppState,
    key: String,
    params: &SelectiveKeyRestoreOperationParameters,
) -> Result<RestoreOperation, ApiError> {
    validate_key_name(&key)?;
    let (container, name) = folder::locate(&params.sas_token_parameters, &params.folder)?;
    folder::require_sas_expiry(&params.sas_token_parameters)?;
    let op = job::restore_op(job::new_id(), state.clock().now());
    let job_state = state.clone();
    job::start_restore(state, op, async move {
        let contents = folder::read(&job_state, &container, &name, Some(&key)).await?;
        apply(&job_state, contents).await
    })
}

fn job_not_found() -> ApiError {
    ApiError::NotFoundCode {
        code: "JobNotFound",
        message: "No backup or restore job with this id was found.".into(),
    }
}

/// The status of backup job `id`.
pub(crate) fn backup_status(state: &AppState, id: &str) -> Result<FullBackupOperation, ApiError> {
    match state.jobs().get(id) {
        Some(JobStatus::Backup(op)) => Ok(op),
        _ => Err(job_not_found()),
    }
}

/// The status of restore job `id`.
pub(crate) fn restore_status(state: &AppState, id: &str) -> Result<RestoreOperation, ApiError> {
    match state.jobs().get(id) {
        Some(JobStatus::Restore(op)) => Ok(op),
        _ => Err(job_not_found()),
    }
}
