//! Full backup, full restore, selective key restore and their pre-checks, as jobs that
//! talk to Azure Blob Storage (see [`crate::blob`]).
//!
//! A full backup writes a manifest, `FOLDER/backup.json` (format, version, key count;
//! no key material), and one blob per active key, `FOLDER/keys/NAME`, into the given
//! container, so even a backup of an empty HSM touches storage (a bad SAS fails it) and
//! can be restored; each key blob is the same sealed format as `POST /keys/{name}/backup`
//! (AES-256-GCM under the emulator's backup key, authenticated), so only an emulator with
//! the same `master.key` can restore it. `FOLDER` is `mhsm-emulator-{unix time}-{job}`;
//! its URL is the job's `azureStorageBlobContainerUri`. A restore reads and authenticates
//! every blob of the folder before it changes anything, then replaces each key (any
//! current state) with its backed-up versions in one transaction.
//!
//! `useManagedIdentity: true` is refused with 400: the emulator has no managed identity
//! to reach storage with, so a SAS token is required.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kv_protocol::{
    ErrorBody, FullBackupOperation, OperationStatus, PreBackupOperationParameters,
    PreRestoreOperationParameters, RestoreOperation, RestoreOperationParameters, SasTokenParameter,
    SelectiveKeyRestoreOperationParameters,
};

use crate::blob::{BlobContainer, BlobError};
use crate::error::ApiError;
use crate::jobs::JobStatus;
use crate::names::validate_key_name;
use crate::request::{RequestCtx, parse_json};
use crate::service::key_backup::{backup_content, insert_backup, open_backup, seal_backup};
use crate::state::AppState;
use crate::store::BackupContent;

/// Seconds a client is told to wait between status polls.
pub const RETRY_AFTER_SECS: u32 = 1;

/// Why a job failed: a code and message for the status body.
struct JobError {
    code: &'static str,
    message: String,
}

impl From<BlobError> for JobError {
    fn from(e: BlobError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<ApiError> for JobError {
    fn from(e: ApiError) -> Self {
        let body = e.body();
        Self {
            code: e.code(),
            message: body.message().unwrap_or("the operation failed").to_owned(),
        }
    }
}

fn container(sas: &SasTokenParameter) -> Result<BlobContainer, ApiError> {
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

fn new_job_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn accepted<T: serde::Serialize>(ctx: &RequestCtx, kind: &str, id: &str, body: &T) -> Response {
    let mut response = (StatusCode::ACCEPTED, Json(body)).into_response();
    let status_url = format!(
        "{}/{kind}/{id}/pending?api-version={}",
        ctx.base_url,
        ctx.api_version()
    );
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&status_url) {
        headers.insert("azure-asyncoperation", value);
    }
    headers.insert("retry-after", HeaderValue::from(RETRY_AFTER_SECS));
    response
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
            op.status_details = Some(e.message.clone());
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
            op.status_details = Some(e.message.clone());
            op.error = Some(ErrorBody::new(e.code, e.message));
        }
    }
    JobStatus::Restore(op)
}

/// Records `op` as job `id` (`status` wraps it), runs `work` in the background, stores the
/// status `finish` makes of its outcome, and answers 202 pointing at `/{kind}/{id}/pending`.
#[allow(clippy::too_many_arguments)]
fn start_job<O, R, F>(
    state: &AppState,
    ctx: &RequestCtx,
    kind: &str,
    id: String,
    op: O,
    status: fn(O) -> JobStatus,
    finish: fn(O, i64, Result<R, JobError>) -> JobStatus,
    work: F,
) -> Result<Response, ApiError>
where
    O: Clone + serde::Serialize + Send + 'static,
    R: Send + 'static,
    F: std::future::Future<Output = Result<R, JobError>> + Send + 'static,
{
    state.jobs().set(&id, status(op.clone()));
    let task_state = state.clone();
    let (task_id, task_op) = (id.clone(), op.clone());
    let spawned = state.jobs().spawn(async move {
        let result = work.await;
        let now = task_state.clock().now();
        task_state
            .jobs()
            .set(&task_id, finish(task_op, now, result));
    });
    if !spawned {
        return Err(ApiError::internal("the emulator is shutting down"));
    }
    Ok(accepted(ctx, kind, &id, &op))
}

/// Starts a backup-status job running `work` (which yields the folder URL of a full
/// backup), answering 202.
fn start_backup_job<F>(
    state: &AppState,
    ctx: &RequestCtx,
    op: FullBackupOperation,
    work: F,
) -> Result<Response, ApiError>
where
    F: std::future::Future<Output = Result<Option<String>, JobError>> + Send + 'static,
{
    let id = op.job_id.clone().unwrap_or_default();
    start_job(
        state,
        ctx,
        "backup",
        id,
        op,
        JobStatus::Backup,
        finish_backup,
        work,
    )
}

/// Starts a restore-status job running `work`, answering 202.
fn start_restore_job<F>(
    state: &AppState,
    ctx: &RequestCtx,
    op: RestoreOperation,
    work: F,
) -> Result<Response, ApiError>
where
    F: std::future::Future<Output = Result<(), JobError>> + Send + 'static,
{
    let id = op.job_id.clone().unwrap_or_default();
    start_job(
        state,
        ctx,
        "restore",
        id,
        op,
        JobStatus::Restore,
        finish_restore,
        work,
    )
}

/// `POST /backup`.
pub async fn full_backup(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: SasTokenParameter = parse_json(body)?;
    let container = container(&params)?;
    let id = new_job_id();
    let now = state.clock().now();
    let folder = format!("mhsm-emulator-{now}-{}", id.get(..8).unwrap_or(&id));
    let op = FullBackupOperation {
        status: Some(OperationStatus::InProgress),
        start_time: Some(now),
        job_id: Some(id),
        ..Default::default()
    };
    let folder_url = format!("{}/{folder}", container.url());
    let job_state = state.clone();
    start_backup_job(&state, &ctx, op, async move {
        write_backup(&job_state, &container, &folder).await?;
        Ok(Some(folder_url))
    })
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

async fn write_backup(
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

/// `POST /prebackup`: checks that the container can be reached with the token.
pub async fn pre_backup(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: PreBackupOperationParameters = parse_json(body)?;
    let sas = SasTokenParameter {
        storage_resource_uri: params
            .storage_resource_uri
            .ok_or_else(|| ApiError::bad("storageResourceUri is required."))?,
        token: params.token,
        use_managed_identity: params.use_managed_identity,
    };
    let container = container(&sas)?;
    let id = new_job_id();
    let op = FullBackupOperation {
        status: Some(OperationStatus::InProgress),
        start_time: Some(state.clock().now()),
        job_id: Some(id),
        ..Default::default()
    };
    start_backup_job(&state, &ctx, op, async move {
        container
            .list_blobs("")
            .await
            .map(|_| None)
            .map_err(JobError::from)
    })
}

/// The initial status of a restore job: like the service, `statusDetails` is null
/// until the job ends.
fn restore_op(id: String, now: i64) -> RestoreOperation {
    RestoreOperation {
        status: Some(OperationStatus::InProgress),
        status_details: None,
        job_id: Some(id),
        start_time: Some(now),
        ..Default::default()
    }
}

/// Reads and authenticates the backed-up keys of `folder`, only `key` if given.
async fn read_backup(
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
        return Err(JobError {
            code: "BackupNotFound",
            message: format!("The backup folder {folder} holds no backup."),
        });
    }
    if let Some(key) = key {
        names.retain(|n| {
            n.get(prefix.len()..)
                .is_some_and(|k| k.eq_ignore_ascii_case(key))
        });
        if names.is_empty() {
            return Err(JobError {
                code: "KeyNotFound",
                message: format!("The backup in folder {folder} has no key named {key}."),
            });
        }
    }
    let mut contents = Vec::with_capacity(names.len());
    for name in &names {
        let blob = container.get_blob(name).await?;
        let content = open_backup(state, &blob).map_err(|_| JobError {
            code: "InvalidBackup",
            message: format!("The backup blob {name} is invalid or was not made by this emulator."),
        })?;
        // The blob's name must match the key it authenticates.
        if !name
            .get(prefix.len()..)
            .is_some_and(|k| k.eq_ignore_ascii_case(&content.name))
        {
            return Err(JobError {
                code: "InvalidBackup",
                message: format!("The backup blob {name} holds another key."),
            });
        }
        contents.push(content);
    }
    Ok(contents)
}

async fn apply_backup(state: &AppState, contents: Vec<BackupContent>) -> Result<(), JobError> {
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
fn locate(sas: &SasTokenParameter, folder: &str) -> Result<(BlobContainer, String), ApiError> {
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

/// `PUT /restore`.
pub async fn full_restore(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: RestoreOperationParameters = parse_json(body)?;
    let (container, folder) = locate(&params.sas_token_parameters, &params.folder_to_restore)?;
    let op = restore_op(new_job_id(), state.clock().now());
    let job_state = state.clone();
    start_restore_job(&state, &ctx, op, async move {
        let contents = read_backup(&job_state, &container, &folder, None).await?;
        apply_backup(&job_state, contents).await
    })
}

/// `PUT /prerestore`: checks that the folder holds a backup this emulator can open.
pub async fn pre_restore(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: PreRestoreOperationParameters = parse_json(body)?;
    let sas = params
        .sas_token_parameters
        .ok_or_else(|| ApiError::bad("sasTokenParameters is required."))?;
    let folder = params
        .folder_to_restore
        .as_deref()
        .ok_or_else(|| ApiError::bad("folderToRestore is required."))?;
    let (container, folder) = locate(&sas, folder)?;
    let op = restore_op(new_job_id(), state.clock().now());
    let job_state = state.clone();
    start_restore_job(&state, &ctx, op, async move {
        read_backup(&job_state, &container, &folder, None)
            .await
            .map(drop)
    })
}

/// `PUT /keys/{name}/restore`.
pub async fn selective_restore(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let params: SelectiveKeyRestoreOperationParameters = parse_json(body)?;
    let (container, folder) = locate(&params.sas_token_parameters, &params.folder)?;
    let op = restore_op(new_job_id(), state.clock().now());
    let job_state = state.clone();
    start_restore_job(&state, &ctx, op, async move {
        let contents = read_backup(&job_state, &container, &folder, Some(&name)).await?;
        apply_backup(&job_state, contents).await
    })
}

/// `GET /backup/{jobId}/pending` (`backup = true`) and `GET /restore/{jobId}/pending`.
pub fn status(state: AppState, id: String, backup: bool) -> Result<Response, ApiError> {
    match (state.jobs().get(&id), backup) {
        (Some(JobStatus::Backup(op)), true) => Ok(Json(op).into_response()),
        (Some(JobStatus::Restore(op)), false) => Ok(Json(op).into_response()),
        _ => Err(ApiError::NotFoundCode {
            code: "JobNotFound",
            message: "No backup or restore job with this id was found.".into(),
        }),
    }
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
    fn folder_url_only_on_success() {
        let op = FullBackupOperation {
            status: Some(OperationStatus::InProgress),
            job_id: Some("j".into()),
            ..Default::default()
        };
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
        let failed = JobError {
            code: "BlobNotFound",
            message: "gone".into(),
        };
        let JobStatus::Backup(done) = finish_backup(op, 8, Err(failed)) else {
            panic!("a backup job")
        };
        assert_eq!(done.status, Some(OperationStatus::Failed));
        assert_eq!(done.azure_storage_blob_container_uri, None);
        assert!(done.error.is_some());
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
