//! Full backup, full restore, selective key restore and their pre-checks
//! (`POST /backup`, `POST /prebackup`, `PUT /restore`, `PUT /prerestore`,
//! `PUT /keys/{name}/restore` and the `/{backup,restore}/{jobId}/pending` status URLs),
//! over [`crate::service::backup`]: each answers 202 with the job's first status and an
//! `Azure-AsyncOperation` URL to poll.
//!
//! `useManagedIdentity: true` is refused with 400: the emulator has no managed identity
//! to reach storage with, so a SAS token is required.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kv_protocol::{
    FullBackupOperation, PreBackupOperationParameters, PreRestoreOperationParameters,
    RestoreOperation, RestoreOperationParameters, SasTokenParameter,
    SelectiveKeyRestoreOperationParameters,
};
use serde_json::Value;

use crate::error::ApiError;
use crate::request::{RequestCtx, parse_json};
use crate::routes::key_request::KeyRequest;
use crate::service::backup;
use crate::state::AppState;

/// Seconds a client is told to wait between status polls.
pub const RETRY_AFTER_SECS: u32 = 1;

/// The members of every backup and restore status (full or selective); the service sends
/// each, `null` when unset (Go azadmin `TestBackupRestore` recording), where the wire type
/// leaves unset ones out.
const STATUS_MEMBERS: &[&str] = &[
    "status",
    "statusDetails",
    "error",
    "startTime",
    "endTime",
    "jobId",
];

/// What a backup status sends besides [`STATUS_MEMBERS`].
const BACKUP_STATUS_MEMBERS: &[&str] = &["azureStorageBlobContainerUri"];

/// What a restore status sends besides [`STATUS_MEMBERS`]: nothing.
const RESTORE_STATUS_MEMBERS: &[&str] = &[];

/// `op` as the service sends it: every member of [`STATUS_MEMBERS`] and of `more`, `null`
/// when unset.
fn status_body<T: serde::Serialize>(op: &T, more: &[&str]) -> Result<Value, ApiError> {
    let mut body = serde_json::to_value(op).map_err(ApiError::internal)?;
    if let Some(object) = body.as_object_mut() {
        for member in STATUS_MEMBERS.iter().chain(more) {
            object.entry(*member).or_insert(Value::Null);
        }
        // A failed job's error names `innererror`, null (JS `throws when polling errors`).
        if let Some(error) = object.get_mut("error").and_then(Value::as_object_mut) {
            error.entry("innererror").or_insert(Value::Null);
        }
    }
    Ok(body)
}

/// 202 with the job's status, pointing at `/{kind}/{id}/pending`.
fn accepted(ctx: &RequestCtx, kind: &str, id: &str, body: Result<Value, ApiError>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => return e.into_response(),
    };
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

fn backup_accepted(ctx: &RequestCtx, op: &FullBackupOperation) -> Response {
    let body = status_body(op, BACKUP_STATUS_MEMBERS);
    accepted(
        ctx,
        "backup",
        op.job_id.as_deref().unwrap_or_default(),
        body,
    )
}

fn restore_accepted(ctx: &RequestCtx, op: &RestoreOperation) -> Response {
    let body = status_body(op, RESTORE_STATUS_MEMBERS);
    accepted(
        ctx,
        "restore",
        op.job_id.as_deref().unwrap_or_default(),
        body,
    )
}

/// `POST /backup`.
pub async fn full_backup(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: SasTokenParameter = parse_json(body)?;
    let op = backup::full_backup(&state, &params)?;
    Ok(backup_accepted(&ctx, &op))
}

/// `POST /prebackup`: checks that the container can be reached with the token.
pub async fn pre_backup(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: PreBackupOperationParameters = parse_json(body)?;
    let op = backup::pre_backup(&state, params)?;
    Ok(backup_accepted(&ctx, &op))
}

/// `PUT /restore`.
pub async fn full_restore(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: RestoreOperationParameters = parse_json(body)?;
    let op = backup::full_restore(&state, &params)?;
    Ok(restore_accepted(&ctx, &op))
}

/// `PUT /prerestore`: checks that the folder holds a backup this emulator can open.
pub async fn pre_restore(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: PreRestoreOperationParameters = parse_json(body)?;
    let op = backup::pre_restore(&state, &params)?;
    Ok(restore_accepted(&ctx, &op))
}

/// `PUT /keys/{name}/restore`.
pub(crate) async fn selective_restore(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let params: SelectiveKeyRestoreOperationParameters = req.named_params()?;
    let op = backup::selective_restore(&req.state, req.name.clone(), &params)?;
    Ok(restore_accepted(&req.ctx, &op))
}

/// `GET /backup/{jobId}/pending` (`is_backup`) and `GET /restore/{jobId}/pending`.
pub fn status(state: AppState, id: String, is_backup: bool) -> Result<Response, ApiError> {
    let body = if is_backup {
        status_body(&backup::backup_status(&state, &id)?, BACKUP_STATUS_MEMBERS)?
    } else {
        status_body(
            &backup::restore_status(&state, &id)?,
            RESTORE_STATUS_MEMBERS,
        )?
    };
    Ok(Json(body).into_response())
}
