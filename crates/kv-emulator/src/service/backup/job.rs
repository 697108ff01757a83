//! Backup and restore jobs: the status a job starts with, the background task that runs
//! its work, and the status its outcome becomes (kept in [`crate::jobs::Jobs`]).

use kv_protocol::{ErrorBody, FullBackupOperation, OperationStatus, RestoreOperation};

use crate::blob::BlobError;
use crate::error::ApiError;
use crate::jobs::JobStatus;
use crate::state::AppState;

/// Why a job failed: the code and message of the status's `error`, and its
/// `statusDetails` (the message itself unless the service words it apart).
pub(crate) struct JobError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    details: Option<&'static str>,
}

impl JobError {
    /// A failure whose `statusDetails` repeat its message.
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
        }
    }

    /// A request the service refuses once the job has started: `BadRequest`, with
    /// `statusDetails` `Invalid Request` (JS `throws when polling errors` for pre-backup and
    /// pre-restore, 7.6, 2026).
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self {
            details: Some("Invalid Request"),
            ..Self::new("BadRequest", message)
        }
    }

    fn status_details(&self) -> String {
        self.details
            .map_or_else(|| self.message.clone(), str::to_owned)
    }
}

impl From<BlobError> for JobError {
    fn from(e: BlobError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<ApiError> for JobError {
    fn from(e: ApiError) -> Self {
        let body = e.body();
        Self::new(
            e.code(),
            body.message().unwrap_or("the operation failed").to_owned(),
        )
    }
}

/// A fresh job id.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The initial status of a backup job started at `now`.
pub(crate) fn backup_op(id: String, now: i64) -> FullBackupOperation {
    FullBackupOperation {
        status: Some(OperationStatus::InProgress),
        start_time: Some(now),
        job_id: Some(id),
        ..Default::default()
    }
}

/// The initial status of a restore job: like the service, `statusDetails` is null
/// until the job ends.
pub(crate) fn restore_op(id: String, now: i64) -> RestoreOperation {
    RestoreOperation {
        status: Some(OperationStatus::InProgress),
        status_details: None,
        job_id: Some(id),
        start_time: Some(now),
        ..Default::default()
    }
}

/// The final status of a backup job. Like the service, the folder URL
/// (`azureStorageBlobContainerUri`) appears only once the backup has succeeded.
fn finish_backup(
    mut op: FullBackupOperation,
    now: i64,
    result: Result<Option<String>, JobError>,
) -> JobStatus {
    op.end_time = Some(now);
    match result {
        Ok(folder_url) => {
            op.status = Some(OperationStatus::Succeeded);
            op.status_details = None;
            op.azure_storage_blob_container_uri = folder_url;
        }
        Err(e) => {
            op.status = Some(OperationStatus::Failed);
            op.status_details = Some(e.status_details());
            op.error = Some(ErrorBody::new(e.code, e.message));
        }
    }
    JobStatus::Backup(op)
}

fn finish_restore(mut op: RestoreOperation, now: i64, result: Result<(), JobError>) -> JobStatus {
    op.end_time = Some(now);
    match result {
        Ok(()) => {
            op.status = Some(OperationStatus::Succeeded);
            op.status_details = None;
        }
        Err(e) => {
            op.status = Some(OperationStatus::Failed);
            op.status_details = Some(e.status_details());
            op.error = Some(ErrorBody::new(e.code, e.message));
        }
    }
    JobStatus::Restore(op)
}

/// The shortest time a job reports `InProgress`, however quickly its work ends.
///
/// The service's jobs take seconds, so a client that resumes a poller from its
/// continuation token right after starting a job always finds it running. The Python
/// SDK depends on that: azure-keyvault-administration 4.7 with azure-core 1.41 cannot
/// build a result when the status it resumes from has already ended (`'_ContinuationTokenHttpResponse'
/// object has no attribute 'json'`), and its own tests resume right after `begin_backup`
/// and `begin_restore`. A small job in the emulator ends in milliseconds; holding its end
/// for this long keeps that window open. It costs pollers nothing: the first answer tells
/// them to wait [`crate::routes::admin::backup::RETRY_AFTER_SECS`], which is longer.
pub(crate) const MIN_JOB_DURATION: std::time::Duration = std::time::Duration::from_millis(500);

/// Records `op` as its job (`status` wraps it), runs `work` in the background and stores
/// the status `finish` makes of its outcome, no sooner than [`MIN_JOB_DURATION`] after the
/// start. Answers `op`, the status to answer now.
fn start<O, R, F>(
    state: &AppState,
    op: O,
    id: String,
    status: fn(O) -> JobStatus,
    finish: fn(O, i64, Result<R, JobError>) -> JobStatus,
    work: F,
) -> Result<O, ApiError>
where
    O: Clone + Send + 'static,
    R: Send + 'static,
    F: std::future::Future<Output = Result<R, JobError>> + Send + 'static,
{
    state.jobs().set(&id, status(op.clone()));
    let task_state = state.clone();
    let task_op = op.clone();
    let ends_no_sooner = tokio::time::Instant::now() + MIN_JOB_DURATION;
    let spawned = state.jobs().spawn(async move {
        let result = work.await;
        tokio::time::sleep_until(ends_no_sooner).await;
        let now = task_state.clock().now();
        task_state.jobs().set(&id, finish(task_op, now, result));
    });
    if !spawned {
        return Err(ApiError::internal("the emulator is shutting down"));
    }
    Ok(op)
}

/// Starts backup job `op` running `work` (which yields the folder URL of a full backup).
pub(crate) fn start_backup<F>(
    state: &AppState,
    op: FullBackupOperation,
    work: F,
) -> Result<FullBackupOperation, ApiError>
where
    F: std::future::Future<Output = Result<Option<String>, JobError>> + Send + 'static,
{
    let id = op.job_id.clone().unwrap_or_default();
    start(state, op, id, JobStatus::Backup, finish_backup, work)
}

/// Starts restore job `op` running `work`.
pub(crate) fn start_restore<F>(
    state: &AppState,
    op: RestoreOperation,
    work: F,
) -> Result<RestoreOperation, ApiError>
where
    F: std::future::Future<Output = Result<(), JobError>> + Send + 'static,
{
    let id = op.job_id.clone().unwrap_or_default();
    start(state, op, id, JobStatus::Restore, finish_restore, work)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job whose work ends at once still reports `InProgress` for
    /// [`MIN_JOB_DURATION`], then its outcome.
    #[tokio::test(start_paused = true)]
    async fn a_quick_job_runs_for_the_minimum_duration() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(
            crate::store::Store::open(dir.path()).unwrap(),
            crate::clock::Clock::default(),
            crate::state::VaultSettings::default(),
        );
        let first = start_restore(&state, restore_op("quick".into(), 1), async { Ok(()) }).unwrap();
        assert_eq!(first.status, Some(OperationStatus::InProgress));
        let status = |state: &AppState| match state.jobs().get("quick") {
            Some(JobStatus::Restore(op)) => op.status,
            other => panic!("a restore job: {other:?}"),
        };
        tokio::time::sleep(MIN_JOB_DURATION - std::time::Duration::from_millis(1)).await;
        assert_eq!(status(&state), Some(OperationStatus::InProgress));
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        // The task wakes at the deadline; let it store its outcome.
        tokio::task::yield_now().await;
        assert_eq!(status(&state), Some(OperationStatus::Succeeded));
    }

    #[test]
    fn folder_url_only_on_success() {
        let op = backup_op("j".into(), 1);
        let JobStatus::Backup(done) = finish_backup(op.clone(), 7, Ok(Some("http://x/c/f".into())))
        else {
            panic!("a backup job")
        };
        assert_eq!(done.status, Some(OperationStatus::Succeeded));
        assert_eq!(
            done.azure_storage_blob_container_uri.as_deref(),
            Some("http://x/c/f")
        );
        assert_eq!(done.end_time, Some(7));
        let failed = JobError::new("BlobNotFound", "gone");
        let JobStatus::Backup(done) = finish_backup(op, 8, Err(failed)) else {
            panic!("a backup job")
        };
        assert_eq!(done.status, Some(OperationStatus::Failed));
        assert_eq!(done.azure_storage_blob_container_uri, None);
        assert!(done.error.is_some());
    }
}
