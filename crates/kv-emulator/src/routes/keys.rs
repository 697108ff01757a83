//! Key lifecycle routes: create, import, get, update, list, versions, backup, restore
//! (the work is in [`crate::service::keys`] and [`crate::service::key_backup`]).

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::{
    BackupKeyResult, KeyCreateParameters, KeyImportParameters, KeyListResult, KeyRestoreParameters,
    KeyUpdateParameters,
};

use crate::error::ApiError;
use crate::paging::{Cursor, PageRequest, list_response, paged};
use crate::request::{RequestCtx, parse_json};
use crate::routes::key_request::{KeyRequest, answer};
use crate::routes::view;
use crate::service::{key_backup, keys};
use crate::state::AppState;

/// `POST /keys/{name}/create`.
pub(crate) async fn create_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    req.check_name()?;
    if super::external::is_external_create(req.body) {
        return super::external::create_external_key(req).await;
    }
    let params: KeyCreateParameters = req
        .params()
        .map_err(|e| without_kty(req.body).unwrap_or(e))?;
    let row = keys::create(&req.state, req.name.clone(), params).await?;
    Ok(req.bundle(&row))
}

/// The service's answer to a CreateKey object without a `kty` (Java `createKeyNullType`
/// recording, 7.4: the property name is empty, twice).
fn without_kty(body: &[u8]) -> Option<ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    object
        .get("kty")
        .is_none_or(serde_json::Value::is_null)
        .then(|| ApiError::bad("Property  has invalid value\r\nProperty  has invalid value\r\n"))
}

/// `PUT /keys/{name}`.
pub(crate) async fn import_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let params: KeyImportParameters = req.named_params()?;
    let row = keys::import(&req.state, req.name.clone(), params).await?;
    Ok(req.bundle(&row))
}

/// `GET /keys/{name}/{version}` (latest when `version` is `None`).
pub(crate) async fn get_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let row = keys::get(&req.state, req.name.clone(), req.version.clone()).await?;
    Ok(req.bundle(&row))
}

/// `PATCH /keys/{name}/{version}`.
pub(crate) async fn update_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let params: KeyUpdateParameters = req.named_params()?;
    let row = keys::update(&req.state, req.name.clone(), req.version.clone(), params).await?;
    Ok(req.bundle(&row))
}

/// `GET /keys`.
pub async fn list_keys(state: AppState, ctx: RequestCtx) -> Result<Response, ApiError> {
    let page = PageRequest::from_ctx(&ctx)?;
    let after = page.after_name()?.map(str::to_owned);
    let limit = page.max_results;
    let rows = keys::list(&state, after, limit + 1).await?;
    let result: KeyListResult = paged(
        rows,
        limit,
        |rows| {
            rows.iter()
                .map(|r| view::item(&ctx.base_url, r, state.settings(), false))
                .collect()
        },
        |last| page.next_link(&ctx, "/keys", &Cursor::AfterName(last.name.clone())),
    );
    list_response(result)
}

/// `GET /keys/{name}/versions` (an empty list when no active key has that name).
pub(crate) async fn list_versions(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    req.check_name()?;
    let KeyRequest {
        state, ctx, name, ..
    } = req;
    let page = PageRequest::from_ctx(&ctx)?;
    let after = page.after_seq()?;
    let limit = page.max_results;
    let rows = keys::list_versions(&state, name.clone(), after, limit + 1).await?;
    let path = format!("/keys/{name}/versions");
    let result: KeyListResult = paged(
        rows,
        limit,
        |rows| {
            rows.iter()
                .map(|r| view::item(&ctx.base_url, r, state.settings(), true))
                .collect()
        },
        |last| page.next_link(&ctx, &path, &Cursor::AfterSeq(last.seq)),
    );
    list_response(result)
}

/// `POST /keys/{name}/backup`.
pub(crate) async fn backup_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let blob = key_backup::backup(&req.state, req.name).await?;
    Ok(Json(BackupKeyResult { value: Some(blob) }).into_response())
}

/// `POST /keys/restore`.
pub async fn restore_key(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: KeyRestoreParameters = parse_json(body)?;
    let row = key_backup::restore(&state, &params.key_bundle_backup).await?;
    Ok(answer(&state, &ctx, &row))
}
