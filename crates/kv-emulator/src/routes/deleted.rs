//! Soft delete: delete, deleted get/list, recover, purge.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kv_protocol::DeletedKeyListResult;

use crate::error::ApiError;
use crate::names::validate_key_name;
use crate::paging::{Cursor, PageRequest, paged};
use crate::request::RequestCtx;
use crate::routes::view;
use crate::service::keys::find;
use crate::state::AppState;
use crate::store::DeletedInfo;

const SECONDS_PER_DAY: i64 = 86_400;

/// `DELETE /keys/{name}`: moves the key and all its versions to the deleted state.
pub async fn delete_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let now = state.clock().now();
    let retention = i64::from(state.settings().retention_days);
    let info = DeletedInfo {
        deleted_date: now,
        scheduled_purge_date: now.saturating_add(retention.saturating_mul(SECONDS_PER_DAY)),
    };
    let row = state
        .store()
        .run(move |tx| {
            let latest = find(tx, &name, None)?;
            tx.mark_deleted(&latest.name, &info)?;
            tx.deleted(&latest.name)?
                .ok_or_else(|| ApiError::internal("deleted key vanished"))
        })
        .await?;
    Ok(Json(view::deleted_bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// `GET /deletedkeys/{name}`.
pub async fn get_deleted_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let row = state
        .store()
        .run(move |tx| tx.deleted(&name)?.ok_or(ApiError::DeletedKeyNotFound(name)))
        .await?;
    Ok(Json(view::deleted_bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// `GET /deletedkeys`.
pub async fn list_deleted_keys(state: AppState, ctx: RequestCtx) -> Result<Response, ApiError> {
    let page = PageRequest::from_ctx(&ctx)?;
    let after = page.after_name()?.map(str::to_owned);
    let limit = page.max_results;
    let rows = state
        .store()
        .run(move |tx| tx.list_deleted(after.as_deref(), limit + 1))
        .await?;
    let result: DeletedKeyListResult = paged(
        rows,
        limit,
        |rows| {
            rows.iter()
                .map(|r| view::deleted_item(&ctx.base_url, r, state.settings()))
                .collect()
        },
        |last| {
            page.next_link(
                &ctx,
                "/deletedkeys",
                &Cursor::AfterName(last.latest.name.clone()),
            )
        },
    );
    Ok(Json(result).into_response())
}

/// `POST /deletedkeys/{name}/recover`: restores every version.
pub async fn recover_deleted_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let row = state
        .store()
        .run(move |tx| {
            let Some((canonical, Some(_))) = tx.name_state(&name)? else {
                return Err(ApiError::DeletedKeyNotFound(name));
            };
            tx.recover(&canonical)?;
            find(tx, &canonical, None)
        })
        .await?;
    Ok(Json(view::bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// `DELETE /deletedkeys/{name}`: removes the key for good (204).
pub async fn purge_deleted_key(state: AppState, name: String) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    if !state.settings().recovery_level().allows_purge() {
        return Err(ApiError::Forbidden(
            "Purge is not allowed: the vault has purge protection.".into(),
        ));
    }
    state
        .store()
        .run(move |tx| {
            if tx.purge(&name)? {
                Ok(())
            } else {
                Err(ApiError::DeletedKeyNotFound(name))
            }
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
