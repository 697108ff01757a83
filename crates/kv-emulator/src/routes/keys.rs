//! Key lifecycle routes: create, import, get, update, list, versions, backup, restore
//! (the work is in [`crate::service::keys`] and [`crate::service::key_backup`]).

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::{
    BackupKeyResult, KeyCreateParameters, KeyImportParameters, KeyListResult, KeyRestoreParameters,
    KeyUpdateParameters,
};

use crate::error::ApiError;
use crate::names::validate_key_name;
use crate::paging::{Cursor, PageRequest, paged};
use crate::request::{RequestCtx, parse_json};
use crate::routes::view;
use crate::service::{key_backup, keys};
use crate::state::AppState;
use crate::store::VersionRow;

/// The answer for a version: its key bundle.
pub(crate) fn answer(state: &AppState, ctx: &RequestCtx, row: &VersionRow) -> Response {
    Json(view::bundle(&ctx.base_url, row, state.settings())).into_response()
}

/// `POST /keys/{name}/create`.
pub async fn create_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    if super::external::is_external_create(body) {
        return super::external::create_external_key(state, ctx, name, body).await;
    }
    let params: KeyCreateParameters = parse_json(body)?;
    let row = keys::create(&state, name, params).await?;
    Ok(answer(&state, &ctx, &row))
}

/// `PUT /keys/{name}`.
pub async fn import_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let params: KeyImportParameters = parse_json(body)?;
    let row = keys::import(&state, name, params).await?;
    Ok(answer(&state, &ctx, &row))
}

/// `GET /keys/{name}/{version}` (latest when `version` is `None`).
pub async fn get_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
) -> Result<Response, ApiError> {
    let row = keys::get(&state, name, version).await?;
    Ok(answer(&state, &ctx, &row))
}

/// `PATCH /keys/{name}/{version}`.
pub async fn update_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let params: KeyUpdateParameters = parse_json(body)?;
    let row = keys::update(&state, name, version, params).await?;
    Ok(answer(&state, &ctx, &row))
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
    Ok(Json(result).into_response())
}

/// `GET /keys/{name}/versions` (an empty list when no active key has that name).
pub async fn list_versions(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
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
    Ok(Json(result).into_response())
}

/// `POST /keys/{name}/backup`.
pub async fn backup_key(state: AppState, name: String) -> Result<Response, ApiError> {
    let blob = key_backup::backup(&state, name).await?;
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
