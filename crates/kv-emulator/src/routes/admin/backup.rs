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

use crate::error::ApiError;
use crate::request::{RequestCtx, parse_json};
use crate::routes::key_request::KeyRequest;
use crate::service::backup;
use crate::state::AppState;

/// Seconds a client is told to wait between status polls.
pub const RETRY_AFTER_SECS: u32 = 1;

/// 202 with the job's status, pointing at `/{kind}/{id}/pending`.
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

fn backup_accepted(ctx: &RequestCtx, op: &FullBackupOperation) -> Response {
    accepted(ctx, "backup", op.job_id.as_deref().unwrap_or_default(), op)
}

fn restore_accepted(ctx: &RequestCtx, op: &RestoreOperation) -> Response {
    accepted(ctx, "restore", op.job_id.as_deref().unwrap_or_default(), op)
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
    if is_backup {
        Ok(Json(backup::backup_status(&state, &id)?).into_response())
    } else {
        Ok(Json(backup::restore_status(&state, &id)?).into_response())
    }
}
